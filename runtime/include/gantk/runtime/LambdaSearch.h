//===- LambdaSearch.h - The paper's Algorithm 1: choosing λ -----*- C++ -*-===//
//
// λ is the discriminator's training time. Too small and it cannot tell real
// rows from generated ones, so the loss carries no signal; Algorithm 1 takes
// the smallest λ in a doubling sequence at which the discriminator, trained
// on real rows against pure noise, nearly separates them:
//   λ ← start; while (1/N)‖D(λ) − y‖² > ε: λ ← 2λ,
// with D(λ) = (I − exp(−λK)) y the trained discriminator's outputs on the
// N = n + m rows and y = 1ₙ ⊕ 0ₘ, so D(λ) − y = −exp(−λK) y.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_LAMBDASEARCH_H
#define GANTK_RUNTIME_LAMBDASEARCH_H

#include "gantk/runtime/Result.h"

#include <cstdint>
#include <vector>

namespace gantk {

/// One λ tried, and the discriminator's separation loss there.
struct LambdaTrial {
  double lambda = 0, loss = 0;
};

struct LambdaSearch {
  std::vector<LambdaTrial> trace; ///< every λ tried, in order
  double lambda = 0;              ///< the first with loss ≤ ε
};

/// Algorithm 1 on the kernel `k` (N × N, row-major, symmetric) of N rows
/// whose first `numReal` are real: K is shifted by eigReg·(tr K / N)·I and
/// its eigenvalues clamped at 0, as the step's exp(−λK) does; the loss
/// (1/N)‖exp(−λK) y‖² is evaluated on K's eigendecomposition. Fails with a
/// message when `maxDoublings` doublings leave the loss above ε (y has a
/// part in K's null space that no λ removes).
Result<LambdaSearch> searchLambda(const std::vector<double> &k, int64_t n,
                                  int64_t numReal, double eigReg, double eps,
                                  double start, int maxDoublings = 64);

} // namespace gantk

#endif // GANTK_RUNTIME_LAMBDASEARCH_H
