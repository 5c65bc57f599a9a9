//===- Options.h - option values the gantk tools share ----------*- C++ -*-===//
//
// gantk and gantk-run take the same options with the same checks and
// messages. Each function parses one value and returns an empty string, or
// the usage error to print (exit status 2, ExitCode.h).
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_OPTIONS_H
#define GANTK_RUNTIME_OPTIONS_H

#include "gantk/runtime/Session.h"

#include <cstdint>
#include <string>

namespace gantk {

/// The most threads --threads takes.
constexpr int64_t kMaxThreads = 1024;

/// A whole decimal integer in [min, max] (no blanks, no overflow) for
/// option `name` (e.g. "--steps").
std::string parseIntegerOption(const std::string &name,
                               const std::string &text, int64_t min,
                               int64_t max, int64_t &out);
/// --steps K: K >= 0.
std::string parseSteps(const std::string &text, int64_t &steps);
/// --checkpoint-every K: K >= 1.
std::string parseCheckpointEvery(const std::string &text, int64_t &every);
/// --expect-digest HEX: 64 lowercase hex digits (a SHA-256).
std::string parseDigest(const std::string &text);
/// --threads T: T in [1, kMaxThreads].
std::string parseThreads(const std::string &text, int &threads);
/// --ranks P: P in [1, 65536], the MPI ranks one step is split over.
std::string parseRanks(const std::string &text, int &ranks);
/// --device cpu|cuda.
std::string parseDevice(const std::string &text, DeviceKind &device);
/// A finite positive number, plain or scientific (8e9), for option `name`.
std::string parsePositiveNumber(const std::string &name,
                                const std::string &text, double &out);
/// --memory-budget BYTES: a positive number of bytes.
std::string parseBytes(const std::string &text, double &bytes);

} // namespace gantk

#endif // GANTK_RUNTIME_OPTIONS_H
