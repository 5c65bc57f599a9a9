//===- KrylovTest.cpp - Block Lanczos exp(−λK) actions and gradients ------===//
//
// gantk::runKrylov called directly on random symmetric positive definite
// matrices, against a dense reference computed here with LAPACKE_dsyev:
//   exp(−λK) y  = Q e^{−λμ} Qᵀ y,
//   dL/dK       = Q (F ∘ ½(a bᵀ + b aᵀ)) Qᵀ,  a = Qᵀ g, b = Qᵀ y,
// for L = ⟨g, exp(−λK) y⟩ and F the divided differences of e^{−λμ}.
// K = (B Bᵀ/n + δ I) / λmax with B n × n standard normal, so λ·λmax = λ.
// δ = 1e-2 spreads the spectrum over [~2.5e-3, 1] like an NTK's (a long
// tail towards 0) while e^{−λμ} stays representable at λ = 1e4.
// λ·λmax runs from 1 to 3e3 here; StiffActionIsNotZero covers 4e3 and 1e4,
// where e^{−λθ} of the first Ritz values underflows in double.
//
//===----------------------------------------------------------------------===//

#include "TestNumerics.h"
#include "gantk/runtime/Krylov.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lapacke.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace gantk;
using ::testing::HasSubstr;

namespace {
using test::relativeError;

constexpr int64_t kN = 200;
/// Columns of the gradient factors as gantk-lower-to-library emits them
/// (kKrylovRank in the compiler's MemoryPlan.h).
constexpr int64_t kRank = 64;

/// Eigenpairs of a symmetric row-major matrix: columns of `vectors`,
/// ascending `values`.
struct Eigen {
  std::vector<double> vectors, values;
};

Eigen dsyev(std::vector<double> a, int64_t n) {
  Eigen e;
  e.values.assign(size_t(n), 0);
  lapack_int info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', lapack_int(n),
                                  a.data(), lapack_int(n), e.values.data());
  EXPECT_EQ(info, 0);
  e.vectors = std::move(a);
  return e;
}

/// A test problem: K with λmax(K) = 1 and its eigenpairs, y and g (n × 1).
struct Problem {
  std::vector<double> k, y, g;
  Eigen eigen;
};

Problem makeProblem(int64_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> b(size_t(n * n));
  for (double &v : b)
    v = normal(rng);
  Problem p;
  p.k.assign(size_t(n * n), 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      double s = 0;
      for (int64_t l = 0; l < n; ++l)
        s += b[size_t(i * n + l)] * b[size_t(j * n + l)];
      s /= double(n);
      if (i == j)
        s += 1e-2;
      p.k[size_t(i * n + j)] = p.k[size_t(j * n + i)] = s;
    }
  double top = dsyev(p.k, n).values.back();
  for (double &v : p.k)
    v /= top;
  p.eigen = dsyev(p.k, n);
  p.y.resize(size_t(n));
  p.g.resize(size_t(n));
  for (double &v : p.y)
    v = normal(rng);
  for (double &v : p.g)
    v = normal(rng);
  return p;
}

/// Qᵀ v.
std::vector<double> inEigenbasis(const Eigen &e, const std::vector<double> &v,
                                 int64_t n) {
  std::vector<double> out(size_t(n), 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < n; ++k)
      out[size_t(k)] += e.vectors[size_t(i * n + k)] * v[size_t(i)];
  return out;
}

/// exp(−λK) y = Q e^{−λμ} Qᵀ y.
std::vector<double> denseAction(const Problem &p, double lambda, int64_t n) {
  std::vector<double> b = inEigenbasis(p.eigen, p.y, n), u(size_t(n), 0);
  for (int64_t k = 0; k < n; ++k)
    b[size_t(k)] *= std::exp(-lambda * p.eigen.values[size_t(k)]);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < n; ++k)
      u[size_t(i)] += p.eigen.vectors[size_t(i * n + k)] * b[size_t(k)];
  return u;
}

/// (e^{−λx} − e^{−λz}) / (x − z), written around the larger argument so
/// that expm1 never overflows; −λ e^{−λx} at x = z.
double divided(double lambda, double x, double z) {
  if (x < z)
    std::swap(x, z);
  if (x == z)
    return -lambda * std::exp(-lambda * x);
  return std::exp(-lambda * z) * std::expm1(-lambda * (x - z)) / (x - z);
}

/// Q (F ∘ ½(a bᵀ + b aᵀ)) Qᵀ.
std::vector<double> denseGradient(const Problem &p, double lambda, int64_t n) {
  std::vector<double> a = inEigenbasis(p.eigen, p.g, n),
                      b = inEigenbasis(p.eigen, p.y, n);
  const std::vector<double> &mu = p.eigen.values, &q = p.eigen.vectors;
  std::vector<double> m(size_t(n * n)), t(size_t(n * n), 0),
      out(size_t(n * n), 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      m[size_t(i * n + j)] = divided(lambda, mu[size_t(i)], mu[size_t(j)]) *
                             0.5 * (a[size_t(i)] * b[size_t(j)] +
                                    b[size_t(i)] * a[size_t(j)]);
  for (int64_t i = 0; i < n; ++i) // T = Q M
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < n; ++j)
        t[size_t(i * n + j)] += q[size_t(i * n + k)] * m[size_t(k * n + j)];
  for (int64_t i = 0; i < n; ++i) // T Qᵀ
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < n; ++j)
        out[size_t(i * n + j)] += t[size_t(i * n + k)] * q[size_t(j * n + k)];
  return out;
}

/// Singular values of a symmetric matrix above rel · the largest.
int64_t numericalRank(const std::vector<double> &a, int64_t n, double rel) {
  std::vector<double> w = dsyev(a, n).values;
  double top = 0;
  for (double v : w)
    top = std::max(top, std::abs(v));
  return std::count_if(w.begin(), w.end(),
                       [&](double v) { return std::abs(v) > rel * top; });
}

/// K with NaN below the diagonal: runKrylov reads the upper triangle only
/// (the compiler leaves the lower one unwritten), so no NaN may leak.
template <typename T>
std::vector<T> upperOnly(const std::vector<double> &k, int64_t n) {
  std::vector<T> out(k.begin(), k.end());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < i; ++j)
      out[size_t(i * n + j)] = std::numeric_limits<T>::quiet_NaN();
  return out;
}

/// The action by runKrylov in precision T (inputs rounded to T).
template <typename T> struct ActionRun {
  Result<KrylovStats> stats = KrylovStats{};
  std::vector<double> u;
};

template <typename T>
ActionRun<T> runAction(const Problem &p, double lambda, double tol,
                       int64_t maxBlocks, int64_t n) {
  KrylovProblem problem;
  problem.n = n;
  problem.columns = 1;
  problem.maxBlocks = maxBlocks;
  problem.lambda = lambda;
  problem.tol = tol;
  std::vector<T> k = upperOnly<T>(p.k, n), y(p.y.begin(), p.y.end());
  std::vector<T> basis(size_t(n * (maxBlocks + 1))), block(p.y.size()),
      out(p.y.size());
  KrylovBuffers<T> buffers;
  buffers.kernel = k.data();
  buffers.rhs = y.data();
  buffers.basis = basis.data();
  buffers.block = block.data();
  buffers.out = out.data();
  ActionRun<T> run;
  run.stats = runKrylov(problem, buffers);
  run.u.assign(out.begin(), out.end());
  return run;
}

/// Max-norm error of A Bᵀ (n × kRank factors) against `ref`, relative to
/// max |ref|.
double factorError(const std::vector<double> &fa, const std::vector<double> &fb,
                   const std::vector<double> &ref, int64_t n) {
  double maxError = 0, maxRef = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double abt = 0; // (A Bᵀ)_ij
      for (int64_t r = 0; r < kRank; ++r)
        abt += fa[size_t(i * kRank + r)] * fb[size_t(j * kRank + r)];
      maxError = std::max(maxError, std::abs(abt - ref[size_t(i * n + j)]));
      maxRef = std::max(maxRef, std::abs(ref[size_t(i * n + j)]));
    }
  return maxError / maxRef;
}

/// runKrylov's gradient on the problem from [y, g] at tol 1e-10, rank
/// kRank, in double; with `value` the ValueGradient run whose cotangent is
/// g + s·U, which also returns U.
struct GradientRun {
  Result<KrylovStats> stats = KrylovStats{};
  std::vector<double> u, fa, fb;
};

GradientRun runGradient(const Problem &p, double lambda, bool value, double s,
                        int64_t n) {
  KrylovProblem kp;
  kp.gradient = true;
  kp.value = value;
  kp.cotangentScale = s;
  kp.n = n;
  kp.columns = 1;
  kp.maxBlocks = n;
  kp.rank = kRank;
  kp.lambda = lambda;
  kp.tol = 1e-10;
  std::vector<double> basis(size_t(n * 2 * (n + 1))), block(size_t(2 * n));
  std::vector<double> k = upperOnly<double>(p.k, n);
  GradientRun run;
  run.u.resize(size_t(n));
  run.fa.resize(size_t(n * kRank));
  run.fb.resize(size_t(n * kRank));
  KrylovBuffers<double> buffers;
  buffers.kernel = k.data();
  buffers.rhs = p.y.data();
  buffers.cotangent = p.g.data();
  buffers.basis = basis.data();
  buffers.block = block.data();
  buffers.out = value ? run.u.data() : nullptr;
  buffers.factorA = run.fa.data();
  buffers.factorB = run.fb.data();
  run.stats = runKrylov(kp, buffers);
  return run;
}

/// λ·λmax, from benign to stiff.
const double kLambdas[] = {1, 10, 1e2, 1e3, 3e3};

class KrylovTest : public ::testing::TestWithParam<double> {
protected:
  static void SetUpTestSuite() { problem = new Problem(makeProblem(kN, 7)); }
  static void TearDownTestSuite() {
    delete problem;
    problem = nullptr;
  }
  static Problem *problem;
};
Problem *KrylovTest::problem = nullptr;

// (a) The action to 1e-8 relative with tol = 1e-10, in double (measured
// 2e-13 to 1.1e-10, with 10 to 175 basis vectors). The basis may grow to the
// whole space (maxBlocks = n); the test is on accuracy, not speed.
TEST_P(KrylovTest, ActionMatchesDenseReference) {
  double lambda = GetParam();
  std::vector<double> ref = denseAction(*problem, lambda, kN);
  ActionRun<double> run = runAction<double>(*problem, lambda, 1e-10, kN, kN);
  ASSERT_TRUE(run.stats.ok()) << run.stats.message();
  EXPECT_LE(relativeError(run.u, ref), 1e-8)
      << "dimension " << run.stats->dimension;
  EXPECT_LE(run.stats->estimate, 1e-10);
}

// (b) At a loose tolerance (1e-3) the returned estimate, the relative change
// of the last step, tracks the true relative error but is no bound on it
// when the problem is stiff. Measured true/estimate over four seeds: 0.05 at
// λ·λmax = 1, 0.2 at 10, 0.8 to 1.2 at 1e2, 3.5 to 4.1 at 1e3, 5.6 to 7.6
// at 3e3 (seed 7: 6.6); at tol = 1e-6: 0.03, 0.2, 0.7, 1.7 to 2, 2 to 3.4.
// Asserted: the estimate <= tol and the true error within 10x of it.
TEST_P(KrylovTest, EstimateTracksTrueErrorAtLooseTolerance) {
  double lambda = GetParam();
  std::vector<double> ref = denseAction(*problem, lambda, kN);
  ActionRun<double> run = runAction<double>(*problem, lambda, 1e-3, kN, kN);
  ASSERT_TRUE(run.stats.ok()) << run.stats.message();
  double error = relativeError(run.u, ref);
  EXPECT_LE(run.stats->estimate, 1e-3);
  EXPECT_GT(run.stats->estimate, 0);
  EXPECT_LE(error, 10 * run.stats->estimate)
      << "dimension " << run.stats->dimension;
}

// (c) The gradient factors: A Bᵀ against the dense Daleckii–Krein formula,
// max-norm relative error <= 1e-6 with tol = 1e-10 and rank 64 as the
// compiler emits it (measured 2e-14 to 1.8e-12). The numerical rank of the
// dense dL/dK (singular values above 1e-8 · the largest) is measured at 6,
// 12, 16, 16 and 16 for λ·λmax = 1, 10, 1e2, 1e3, 3e3 (13 to 14 at 1e4;
// four seeds agree within 1): far below 64, so the truncation drops nothing
// that matters here.
TEST_P(KrylovTest, GradientFactorsMatchDaleckiiKrein) {
  double lambda = GetParam();
  const int64_t n = kN;
  std::vector<double> ref = denseGradient(*problem, lambda, n);
  EXPECT_LE(numericalRank(ref, n, 1e-8), kRank);

  GradientRun run = runGradient(*problem, lambda, false, 0, n);
  ASSERT_TRUE(run.stats.ok()) << run.stats.message();
  EXPECT_LE(factorError(run.fa, run.fb, ref, n), 1e-6)
      << "dimension " << run.stats->dimension;
}

// (d) One run for the value and the gradient (ValueGradient, the squared
// loss's cotangent dU = w + s·U): from the block [y, w] the action equals
// the dense exp(−λK) y to 1e-8 and A Bᵀ the dense Daleckii–Krein gradient
// for the cotangent w + s·(dense U) to 1e-6, as (a) and (c) ask of the two
// separate runs.
TEST_P(KrylovTest, ValueAndGradientFromOneRun) {
  double lambda = GetParam(), s = 0.7;
  const int64_t n = kN;
  std::vector<double> u = denseAction(*problem, lambda, n);
  Problem withCotangent = *problem; // g = w + s·U, w = the problem's g
  for (int64_t i = 0; i < n; ++i)
    withCotangent.g[size_t(i)] += s * u[size_t(i)];
  std::vector<double> ref = denseGradient(withCotangent, lambda, n);

  GradientRun run = runGradient(*problem, lambda, true, s, n);
  ASSERT_TRUE(run.stats.ok()) << run.stats.message();
  EXPECT_LE(relativeError(run.u, u), 1e-8)
      << "dimension " << run.stats->dimension;
  EXPECT_LE(factorError(run.fa, run.fb, ref, n), 1e-6)
      << "dimension " << run.stats->dimension;
}

// Float: the action within 1e-4 relative of the double reference (measured
// 1.2e-7 at λ·λmax = 1 growing to 6.2e-5 at 3e3). Asking for tol = 1e-10 is
// accepted: it is raised to the floor of 32 rounding units (3.8e-6), which
// the iteration reaches.
TEST_P(KrylovTest, FloatActionWithinTolerance) {
  double lambda = GetParam();
  std::vector<double> ref = denseAction(*problem, lambda, kN);
  ActionRun<float> run = runAction<float>(*problem, lambda, 1e-10, kN, kN);
  ASSERT_TRUE(run.stats.ok()) << run.stats.message();
  EXPECT_LE(run.stats->estimate, 32 * double(FLT_EPSILON));
  EXPECT_LE(relativeError(run.u, ref), 1e-4)
      << "dimension " << run.stats->dimension;
}

INSTANTIATE_TEST_SUITE_P(LambdaTimesLambdaMax, KrylovTest,
                         ::testing::ValuesIn(kLambdas));

// (d) Two blocks cannot resolve exp(−λK) at λ·λmax = 1e3 (it takes 97
// dimensions at tol 1e-6): the call fails with a message naming the
// tolerance it missed and what to change.
TEST(KrylovFailure, NotConvergedNamesTolerance) {
  Problem p = makeProblem(kN, 7);
  ActionRun<double> run = runAction<double>(p, 1e3, 1e-6, 2, kN);
  ASSERT_FALSE(run.stats.ok());
  EXPECT_EQ(run.stats.error().code, ErrorCode::FailedPrecondition);
  EXPECT_THAT(run.stats.message(),
              HasSubstr("did not reach tolerance 1e-06 in 2 blocks"));
  EXPECT_THAT(run.stats.message(), HasSubstr("raise the objective's max_iter"));
}

// At λ·λmax = 4e3 and 1e4 the first Ritz values θ give e^{−λθ} = 0 in
// double; the iteration works on exp(−λ(θ − θmin)) so that underflow does
// not read as convergence (‖exp(−λK) y‖ / ‖y‖ = 2.4e-6 at 4e3, seed 7).
TEST(KrylovFailure, StiffActionIsNotZero) {
  for (double beta : {4e3, 1e4}) {
    Problem p = makeProblem(kN, 7);
    std::vector<double> ref = denseAction(p, beta, kN);
    ActionRun<double> run = runAction<double>(p, beta, 1e-8, kN, kN);
    ASSERT_TRUE(run.stats.ok()) << run.stats.message();
    EXPECT_LE(relativeError(run.u, ref), 1e-5)
        << "beta " << beta << ", dimension " << run.stats->dimension
        << ", estimate " << run.stats->estimate;
  }
}

} // namespace
