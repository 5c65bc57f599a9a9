//===- MemoryPlan.h - LAPACK workspace sizes shared by plan and writer ----===//

#ifndef GANTK_COMPILER_MEMORYPLAN_H
#define GANTK_COMPILER_MEMORYPLAN_H

#include <algorithm>
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

/// The dense plan over ranks (gantk.eigh_ranks and the gradient rows:
/// ScaLAPACK on a 1 × P grid of blocks of `tileRows` rows, `slots` the
/// most row tiles one rank holds): p?syevd's documented minimum workspace
/// and its back-transformation p?ormtr's, with NP = n and NQ = slots ·
/// tileRows (the most columns one rank holds, so at least what any rank
/// asks), then the two slots-sized matrices that form dL/dK. The runtime's
/// denseOverRanksWork (runtime/src/DenseOverRanks.cpp) takes the same
/// terms with each rank's exact NQ; the verifier checks the arena holds it.
inline int64_t denseRanksWorkElements(int64_t n, int64_t tileRows,
                                      int64_t slots) {
  int64_t nb = tileRows, nq = slots * tileRows;
  int64_t documented =
      std::max(1 + 6 * n + 2 * n * nq, 3 * n + std::max(nb * (n + 1), 3 * nb)) +
      2 * n;
  int64_t ormtr = 2 * n + std::max(nb * (nb - 1) / 2, (nq + n) * nb) + nb * nb;
  return std::max(documented, ormtr) + 2 * nq * n;
}
inline int64_t denseRanksIWorkElements(int64_t n, int64_t ranks) {
  return 7 * n + 8 * ranks + 2;
}

/// Every buffer starts on a cache line.
inline constexpr int64_t kBufferAlignment = 64;

} // namespace gantk

#endif // GANTK_COMPILER_MEMORYPLAN_H
