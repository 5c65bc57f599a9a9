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

/// Columns of the low-rank factors of the Krylov gradient: the numerical
/// rank of dL/dK on NTK matrices is about 12, so 64 leaves a wide margin.
inline constexpr int64_t kKrylovRank = 64;

/// Workspace of a Krylov command with `width` start columns.
inline int64_t krylovBasisElements(int64_t n, int64_t width,
                                   int64_t maxBlocks) {
  return n * width * (maxBlocks + 1);
}

/// Every buffer starts on a cache line.
inline constexpr int64_t kBufferAlignment = 64;

} // namespace gantk

#endif // GANTK_COMPILER_MEMORYPLAN_H
