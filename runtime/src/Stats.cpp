//===- Stats.cpp - Small measurement helpers for benchmarks --------------===//

#include "gantk/runtime/Stats.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include <sys/resource.h>

#include <algorithm>

using namespace gantk;

int64_t gantk::peakRssBytes() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0)
    return 0;
  // Linux reports kilobytes.
  return int64_t(usage.ru_maxrss) * 1024;
}

double gantk::median(std::vector<double> values) {
  if (values.empty())
    return 0;
  size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  double upper = values[mid];
  if (values.size() % 2)
    return upper;
  double lower = *std::max_element(values.begin(), values.begin() + mid);
  return (lower + upper) / 2;
}

int64_t gantk::availableMemoryBytes() {
  if (const char *forced = std::getenv("GANTK_AVAILABLE_MEMORY"))
    return std::strtoll(forced, nullptr, 10); // for tests of the refusal
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  int64_t kib;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:")
      return kib * 1024;
  return -1;
}
