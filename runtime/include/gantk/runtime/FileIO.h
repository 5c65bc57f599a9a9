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

/// One file of a group write: its name in the directory and its bytes.
struct FileWrite {
  std::string name;
  const void *data;
  size_t size;
};

/// Writes files of `dir` as one group (a step's samples.npy and its PNG):
/// every temporary is complete on disk before the first rename, and a
/// record in the directory names the renames until the last is done. A
/// process killed between two renames leaves the record, and
/// completeGroupWrite, which every run calls on its output directory before
/// anything else, finishes them: files of one group are never left mixed
/// with an older group's once a run has started in the directory again.
/// One file alone is a writeFileAtomic (its rename needs no record).
Status writeFilesAtomic(const std::string &dir,
                        const std::vector<FileWrite> &files);

/// Finishes the renames of a group write that a killed process left.
void completeGroupWrite(const std::string &dir);

/// Removes the temporary files that writes of `path` by processes no
/// longer running left behind (a run killed in the middle of a write).
void removeStaleTemporaries(const std::string &path);

/// Fails when `path` exists and is not a regular file (what
/// writeFileAtomic would refuse), to check outputs before a long run.
Status checkWritableTarget(const std::string &path);

/// Fails, before a long run rather than after it, when the file system of
/// `dir` has less than `bytes` free for this user ("a full disk"), or when
/// a file of `largest` bytes would pass the process's file size limit
/// (RLIMIT_FSIZE, `ulimit -f`). `what` names the files in the message.
Status checkSpace(const std::string &dir, uint64_t bytes, uint64_t largest,
                  const std::string &what);

/// Reads a whole regular file (a directory, FIFO or device is an error
/// naming what it is, not an endless read).
Result<std::vector<uint8_t>> readFile(const std::string &path);

/// Reads at most `limit` bytes from the start of a file, with the file's
/// size (for headers of files too large to read whole).
Result<std::pair<std::vector<uint8_t>, uint64_t>>
readFilePrefix(const std::string &path, size_t limit);

} // namespace gantk

#endif // GANTK_RUNTIME_FILEIO_H
