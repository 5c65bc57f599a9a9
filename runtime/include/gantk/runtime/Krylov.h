//===- Krylov.h - exp(−λK) actions and gradients by block Lanczos -*- C++ -*-===//

#ifndef GANTK_RUNTIME_KRYLOV_H
#define GANTK_RUNTIME_KRYLOV_H

#include "gantk/runtime/Result.h"

#include <cstdint>

namespace gantk {

/// Where the arena views of one Krylov command point.
template <typename T> struct KrylovBuffers {
  const T *kernel = nullptr;    ///< n × n, symmetric, row-major
  const T *rhs = nullptr;       ///< n × columns
  const T *cotangent = nullptr; ///< n × columns (Gradient only)
  T *basis = nullptr;           ///< n × width·(maxBlocks + 1)
  T *block = nullptr;           ///< n × width
  T *out = nullptr;             ///< n × columns (Action only)
  T *factorA = nullptr;         ///< n × rank (Gradient only)
  T *factorB = nullptr;         ///< n × rank (Gradient only)
};

struct KrylovProblem {
  bool gradient = false;
  int64_t n = 0, columns = 0, maxBlocks = 0, rank = 0;
  double lambda = 1, tol = 1e-6;
};

/// What the iteration reached.
struct KrylovStats {
  int64_t dimension = 0;  ///< size of the projected problem
  double estimate = 0;    ///< relative change of the last step
};

/// Runs one Krylov command. Fails with a clear message when the tolerance
/// is not reached within maxBlocks blocks.
template <typename T>
Result<KrylovStats> runKrylov(const KrylovProblem &problem,
                              const KrylovBuffers<T> &buffers);

} // namespace gantk

#endif // GANTK_RUNTIME_KRYLOV_H
