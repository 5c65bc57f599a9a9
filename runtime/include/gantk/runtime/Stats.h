//===- Stats.h - Small measurement helpers for benchmarks -------*- C++ -*-===//

#ifndef GANTK_RUNTIME_STATS_H
#define GANTK_RUNTIME_STATS_H

#include <cstdint>
#include <vector>

namespace gantk {

/// Memory the kernel reports as available for a new allocation without
/// swapping (MemAvailable of /proc/meminfo), or -1 when unknown.
int64_t availableMemoryBytes();

/// The peak resident set size of this process so far, in bytes
/// (getrusage ru_maxrss).
int64_t peakRssBytes();

/// The median of `values` (mean of the middle two for an even count);
/// 0 for an empty vector.
double median(std::vector<double> values);

} // namespace gantk

#endif // GANTK_RUNTIME_STATS_H
