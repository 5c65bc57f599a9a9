//===- FileIO.h - Whole-file reads and atomic writes ------------*- C++ -*-===//

#ifndef GANTK_RUNTIME_FILEIO_H
#define GANTK_RUNTIME_FILEIO_H

#include "gantk/runtime/Result.h"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace gantk {

/// Writes `size` bytes to `path` through a new temporary file beside it
/// (O_EXCL | O_NOFOLLOW), fsync and a rename, so a failed or killed write
/// leaves the older file whole. Refuses to replace anything but a regular
/// file (a symbolic link, FIFO, device or directory at `path`).
Status writeFileAtomic(const std::string &path, const void *data, size_t size);

/// Bytes of a file written in pieces.
struct FilePart {
  const void *data;
  size_t size;
};

/// writeFileAtomic of the parts one after the other (no copy into one
/// buffer first).
Status writeFileAtomic(const std::string &path,
                       std::initializer_list<FilePart> parts);

/// Removes the temporary files that writes of `path` by processes no
/// longer running left behind (a run killed in the middle of a write).
void removeStaleTemporaries(const std::string &path);

/// Fails when `path` exists and is not a regular file (what
/// writeFileAtomic would refuse), to check outputs before a long run.
Status checkWritableTarget(const std::string &path);

/// Reads a whole regular file (a directory, FIFO or device is an error
/// naming what it is, not an endless read).
Result<std::vector<uint8_t>> readFile(const std::string &path);

/// Reads at most `limit` bytes from the start of a file, with the file's
/// size (for headers of files too large to read whole).
Result<std::pair<std::vector<uint8_t>, uint64_t>>
readFilePrefix(const std::string &path, size_t limit);

} // namespace gantk

#endif // GANTK_RUNTIME_FILEIO_H
