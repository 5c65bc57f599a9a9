//===- LambdaSearchTest.cpp - Algorithm 1 against a dense exp(−λK) --------===//

#include "gantk/runtime/LambdaSearch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace gantk;

namespace {

using Matrix = std::vector<double>; // row-major n × n

Matrix multiply(const Matrix &a, const Matrix &b, int n) {
  Matrix c(size_t(n * n), 0.0);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j)
        c[size_t(i * n + j)] += a[size_t(i * n + k)] * b[size_t(k * n + j)];
  return c;
}

/// exp(A) by scaling and squaring of a 30-term Taylor series: no
/// eigendecomposition, so independent of the search's own formula.
Matrix expm(Matrix a, int n) {
  double norm = 0;
  for (double v : a)
    norm = std::max(norm, std::abs(v));
  int squarings = 0;
  while (norm * n > 0.25) {
    norm /= 2;
    ++squarings;
  }
  for (double &v : a)
    v /= std::ldexp(1.0, squarings);
  Matrix sum(size_t(n * n), 0.0), term(size_t(n * n), 0.0);
  for (int i = 0; i < n; ++i)
    sum[size_t(i * n + i)] = term[size_t(i * n + i)] = 1;
  for (int k = 1; k <= 30; ++k) {
    term = multiply(term, a, n);
    for (double &v : term)
      v /= k;
    for (size_t i = 0; i < sum.size(); ++i)
      sum[i] += term[i];
  }
  for (int s = 0; s < squarings; ++s)
    sum = multiply(sum, sum, n);
  return sum;
}

/// (1/N)‖exp(−λK') y‖² with K' = K + r (tr K / N) I, y = 1 on the first
/// `real` rows.
double denseLoss(const Matrix &k, int n, int real, double eigReg,
                 double lambda) {
  double trace = 0;
  for (int i = 0; i < n; ++i)
    trace += k[size_t(i * n + i)];
  Matrix a(size_t(n * n));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      a[size_t(i * n + j)] =
          -lambda * (k[size_t(i * n + j)] +
                     (i == j ? eigReg * trace / n : 0.0));
  Matrix e = expm(a, n);
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    double v = 0;
    for (int j = 0; j < real; ++j)
      v += e[size_t(i * n + j)];
    sum += v * v;
  }
  return sum / n;
}

/// A random symmetric positive definite n × n matrix, B Bᵀ / n + 0.05 I.
Matrix randomKernel(int n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Matrix b(size_t(n * n));
  for (double &v : b)
    v = normal(rng);
  Matrix k(size_t(n * n), 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      for (int l = 0; l < n; ++l)
        k[size_t(i * n + j)] += b[size_t(i * n + l)] * b[size_t(j * n + l)];
      k[size_t(i * n + j)] = k[size_t(i * n + j)] / n + (i == j ? 0.05 : 0);
    }
  return k;
}

TEST(LambdaSearch, DoublesUntilTheDenseLossIsBelowEps) {
  const int n = 8, real = 4;
  Matrix k = randomKernel(n, 3);
  for (double eigReg : {0.0, 1e-2}) {
    Result<LambdaSearch> r = searchLambda(k, n, real, eigReg, 1e-3, 0.25);
    ASSERT_TRUE(r.ok()) << r.message();
    ASSERT_GE(r->trace.size(), 3u);
    double lambda = 0.25;
    for (size_t t = 0; t < r->trace.size(); ++t, lambda *= 2) {
      EXPECT_EQ(r->trace[t].lambda, lambda);
      double expected = denseLoss(k, n, real, eigReg, lambda);
      EXPECT_NEAR(r->trace[t].loss, expected, 1e-10 * expected)
          << "lambda " << lambda;
      // Every trial but the last is above eps; the last is the answer.
      if (t + 1 < r->trace.size())
        EXPECT_GT(expected, 1e-3);
      else
        EXPECT_LE(expected, 1e-3);
    }
    EXPECT_EQ(r->lambda, r->trace.back().lambda);
  }
}

TEST(LambdaSearch, ANullSpaceThatHoldsYIsAClearError) {
  // Rank one: K = v vᵀ with v ⟂ y's direction in part, so exp(−λK) y keeps
  // y's component orthogonal to v for every λ.
  const int n = 4;
  Matrix k(size_t(n * n), 0.0);
  k[0] = 1; // K = e1 e1ᵀ; y = e1 + e2
  Result<LambdaSearch> r = searchLambda(k, n, 2, 0.0, 1e-3, 1, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.message(), ::testing::HasSubstr("does not separate"));
  EXPECT_THAT(r.message(), ::testing::HasSubstr("lambda = 1024"));
  EXPECT_THAT(r.message(), ::testing::HasSubstr("the loss is 0.25"));
}

} // namespace
