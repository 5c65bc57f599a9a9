//===- MemoryPlan.h - LAPACK workspace sizes shared by plan and writer ----===//

#ifndef GANTK_COMPILER_MEMORYPLAN_H
#define GANTK_COMPILER_MEMORYPLAN_H

#include <cstdint>

namespace gantk {

/// ?syevd with eigenvectors needs these workspaces. They come from the
/// formula, not from a workspace query: LAPACKE_ssyevd's query rounds the
/// size through a float and is too small at N = 4096.
inline int64_t syevdWorkElements(int64_t n) { return 1 + 6 * n + 2 * n * n; }
inline int64_t syevdIWorkElements(int64_t n) { return 3 + 5 * n; }

/// Every buffer starts on a cache line.
inline constexpr int64_t kBufferAlignment = 64;

} // namespace gantk

#endif // GANTK_COMPILER_MEMORYPLAN_H
