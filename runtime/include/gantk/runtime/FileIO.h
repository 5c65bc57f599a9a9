//===- FileIO.h - Whole-file reads and atomic writes ------------*- C++ -*-===//

#ifndef GANTK_RUNTIME_FILEIO_H
#define GANTK_RUNTIME_FILEIO_H

#include "gantk/runtime/Result.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gantk {

/// Writes `size` bytes to `path` through a temporary file in the same
/// directory and a rename, so a failed write never truncates an older file.
Status writeFileAtomic(const std::string &path, const void *data, size_t size);

/// Reads a whole file.
Result<std::vector<uint8_t>> readFile(const std::string &path);

/// Reads at most `limit` bytes from the start of a file, with the file's
/// size (for headers of files too large to read whole).
Result<std::pair<std::vector<uint8_t>, uint64_t>>
readFilePrefix(const std::string &path, size_t limit);

} // namespace gantk

#endif // GANTK_RUNTIME_FILEIO_H
