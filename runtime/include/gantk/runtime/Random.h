//===- Random.h - Seeds of a run's per-step draws ---------------*- C++ -*-===//

#ifndef GANTK_RUNTIME_RANDOM_H
#define GANTK_RUNTIME_RANDOM_H

#include <cstdint>

namespace gantk {

/// splitmix64's finaliser: consecutive inputs give unrelated outputs. The
/// seeds of a run's per-step draws (batchRows, latentRows) come from it.
inline uint64_t mixBits(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

} // namespace gantk

#endif // GANTK_RUNTIME_RANDOM_H
