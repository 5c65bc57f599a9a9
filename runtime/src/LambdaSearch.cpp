//===- LambdaSearch.cpp - The paper's Algorithm 1: choosing λ -------------===//

#include "gantk/runtime/LambdaSearch.h"

#include <lapacke.h>

#include <algorithm>
#include <cmath>
#include <sstream>

using namespace gantk;

Result<LambdaSearch> gantk::searchLambda(const std::vector<double> &k,
                                         int64_t n, int64_t numReal,
                                         double eigReg, double eps,
                                         double start, int maxDoublings) {
  if (n <= 0 || numReal < 0 || numReal > n || k.size() != size_t(n * n) ||
      !(eps > 0) || !(start > 0))
    return makeError(ErrorCode::InvalidArgument,
                     "lambda search: bad arguments");
  std::vector<double> a = k, theta(static_cast<size_t>(n));
  double trace = 0;
  for (int64_t i = 0; i < n; ++i)
    trace += a[size_t(i * n + i)];
  for (int64_t i = 0; i < n; ++i)
    a[size_t(i * n + i)] += eigReg * trace / double(n);
  if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', lapack_int(n), a.data(),
                     lapack_int(n), theta.data()) != 0)
    return makeError(ErrorCode::FailedPrecondition,
                     "lambda search: the kernel's eigendecomposition failed");
  // y in K's eigenbasis: c_j = v_jᵀ y, the sum of v_j's real entries.
  std::vector<double> c(static_cast<size_t>(n), 0.0);
  for (int64_t i = 0; i < numReal; ++i)
    for (int64_t j = 0; j < n; ++j)
      c[size_t(j)] += a[size_t(i * n + j)];
  auto loss = [&](double lambda) {
    double sum = 0;
    for (int64_t j = 0; j < n; ++j)
      sum += std::exp(-2 * lambda * std::max(theta[size_t(j)], 0.0)) *
             c[size_t(j)] * c[size_t(j)];
    return sum / double(n);
  };
  LambdaSearch out;
  double lambda = start;
  for (int d = 0; d <= maxDoublings; ++d, lambda *= 2) {
    out.trace.push_back({lambda, loss(lambda)});
    if (out.trace.back().loss <= eps) {
      out.lambda = lambda;
      return out;
    }
  }
  std::ostringstream os;
  os << "lambda search: the discriminator does not separate the real rows "
        "from noise within eps = "
     << eps << ": at lambda = " << out.trace.back().lambda << " the loss is "
     << out.trace.back().loss
     << " (y lies partly in the kernel's null space, which no lambda "
        "reaches; raise eig_reg or eps)";
  return makeError(ErrorCode::FailedPrecondition, os.str());
}
