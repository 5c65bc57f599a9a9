//===- BlasTest.cpp - Products split over a session's threads -------------===//
//
// blas::gemm and blas::syrk with a ThreadPool against the products computed
// here in double: every transpose, C split by rows and by columns, leading
// dimensions wider than the matrices, beta ≠ 0, sizes whose parts end off
// the 16-element bounds, and 1 to 3 threads. The entries of C outside the
// product (padding, and syrk's lower triangle) hold a sentinel that must
// survive. Also: ScopedBlasThreads gives OpenBLAS's thread count back, and
// betterBlasCore names the core OpenBLAS should have chosen.
//
//===----------------------------------------------------------------------===//

#include "Blas.h"
#include "Wide.h"

#include "gantk/runtime/BlasCore.h"
#include "gantk/runtime/BlasThreads.h"
#include "gantk/runtime/ThreadPool.h"

#include <gtest/gtest.h>

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace gantk;

namespace {

constexpr double sentinel = 12345;

template <typename T> std::vector<T> randomMatrix(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-1, 1);
  std::vector<T> m(count);
  for (T &x : m)
    x = T(uniform(rng));
  return m;
}

/// Each entry within `tol` of the exact one, relative to the sum of the
/// magnitudes of its terms.
template <typename T>
void checkGemm(ThreadPool *pool, bool ta, bool tb, int64_t m, int64_t n,
               int64_t k, double tol, double beta = -0.5) {
  SCOPED_TRACE(::testing::Message()
               << "ta " << ta << " tb " << tb << " m " << m << " n " << n
               << " k " << k << " beta " << beta << " threads "
               << (pool ? pool->size() : 0));
  // op(A) is m × k, op(B) is k × n; stored row-major with 3 spare columns.
  int64_t aRows = ta ? k : m, aCols = ta ? m : k, lda = aCols + 3;
  int64_t bRows = tb ? n : k, bCols = tb ? k : n, ldb = bCols + 3;
  int64_t ldc = n + 5;
  std::vector<T> a = randomMatrix<T>(size_t(aRows * lda), 1);
  std::vector<T> b = randomMatrix<T>(size_t(bRows * ldb), 2);
  std::vector<T> c(size_t(m * ldc), T(sentinel));
  std::vector<T> c0 = randomMatrix<T>(size_t(m * n), 3);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      c[size_t(i * ldc + j)] = c0[size_t(i * n + j)];
  const double alpha = 0.75;
  blas::gemm(pool, ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta,
             c.data(), ldc);
  auto opA = [&](int64_t i, int64_t l) {
    return double(ta ? a[size_t(l * lda + i)] : a[size_t(i * lda + l)]);
  };
  auto opB = [&](int64_t l, int64_t j) {
    return double(tb ? b[size_t(j * ldb + l)] : b[size_t(l * ldb + j)]);
  };
  double worst = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      double got = double(c[size_t(i * ldc + j)]);
      if (j >= n) {
        ASSERT_EQ(got, sentinel) << "padding written at " << i << ", " << j;
        continue;
      }
      double exact = beta * double(c0[size_t(i * n + j)]), scale = 0;
      for (int64_t l = 0; l < k; ++l) {
        exact += alpha * opA(i, l) * opB(l, j);
        scale += std::abs(alpha * opA(i, l) * opB(l, j));
      }
      worst = std::max(worst, std::abs(got - exact) / (scale + 1));
    }
  EXPECT_LT(worst, tol);
}

template <typename T>
void checkSyrk(ThreadPool *pool, int64_t n, int64_t k, double tol) {
  SCOPED_TRACE(::testing::Message() << "n " << n << " k " << k << " threads "
                                    << (pool ? pool->size() : 0));
  int64_t lda = k + 2, ldc = n + 7;
  std::vector<T> a = randomMatrix<T>(size_t(n * lda), 4);
  std::vector<T> c(size_t(n * ldc), T(sentinel));
  const double alpha = 1.25;
  blas::syrk(pool, n, k, alpha, a.data(), lda, c.data(), ldc);
  double worst = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      double got = double(c[size_t(i * ldc + j)]);
      if (j < i || j >= n) {
        ASSERT_EQ(got, sentinel)
            << "written outside the upper triangle at " << i << ", " << j;
        continue;
      }
      double exact = 0, scale = 0;
      for (int64_t l = 0; l < k; ++l) {
        double term = alpha * double(a[size_t(i * lda + l)]) *
                      double(a[size_t(j * lda + l)]);
        exact += term;
        scale += std::abs(term);
      }
      worst = std::max(worst, std::abs(got - exact) / (scale + 1));
    }
  EXPECT_LT(worst, tol);
}

template <typename T> void checkAll(double tol) {
  std::unique_ptr<ThreadPool> one = std::make_unique<ThreadPool>(1),
                              two = std::make_unique<ThreadPool>(2),
                              three = std::make_unique<ThreadPool>(3);
  for (ThreadPool *pool :
       {(ThreadPool *)nullptr, one.get(), two.get(), three.get()}) {
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        checkGemm<T>(pool, ta, tb, 301, 97, 90, tol); // split by rows
        checkGemm<T>(pool, ta, tb, 97, 301, 90, tol); // split by columns
        checkGemm<T>(pool, ta, tb, 40, 30, 20, tol);  // too small to split
      }
    // A Bᵀ with beta = 0 and k <= 64: blas::lowRankProduct's (on AVX2),
    // rows in fours and a last few, columns in blocks and a last few.
    for (int64_t k : {1, 26, 64, 65})
      for (auto [m, n] : {std::pair<int64_t, int64_t>{301, 97}, {97, 301}})
        checkGemm<T>(pool, false, true, m, n, k, tol, /*beta=*/0);
    checkSyrk<T>(pool, 333, 41, tol);
    checkSyrk<T>(pool, 50, 10, tol);
  }
}

TEST(BlasTest, SplitProductsMatchTheExactOnesF32) { checkAll<float>(1e-6); }

TEST(BlasTest, SplitProductsMatchTheExactOnesF64) { checkAll<double>(1e-14); }

/// lowRankProduct itself: it takes k up to lowRankMaxK on a CPU with AVX2
/// and FMA (the values are checkGemm's, above) and leaves C alone past it.
TEST(BlasTest, LowRankProductTakesThinProductsOnly) {
#if defined(__x86_64__)
  if (!hasWideFma())
    GTEST_SKIP() << "this CPU lacks AVX2 or FMA: blas::gemm keeps ?gemm";
#else
  GTEST_SKIP() << "not x86-64: blas::gemm keeps ?gemm";
#endif
  for (int64_t k : {blas::lowRankMaxK, blas::lowRankMaxK + 1}) {
    const int64_t m = 9, n = 21;
    std::vector<float> a = randomMatrix<float>(size_t(m * k), 5);
    std::vector<float> b = randomMatrix<float>(size_t(n * k), 6);
    std::vector<float> c(size_t(m * n), float(sentinel));
    bool taken = blas::lowRankProduct(nullptr, m, n, k, 1.0, a.data(), k,
                                      b.data(), k, c.data(), n);
    EXPECT_EQ(taken, k <= blas::lowRankMaxK) << "k " << k;
    double exact = 0;
    for (int64_t l = 0; l < k; ++l)
      exact += double(a[size_t((m - 1) * k + l)]) *
               double(b[size_t((n - 1) * k + l)]);
    EXPECT_NEAR(c.back(), taken ? exact : sentinel, 1e-5) << "k " << k;
  }
}

TEST(BlasTest, EqualAreaRowsSplitTheTriangleEvenly) {
  const int64_t n = 1000;
  for (int64_t parts : {1, 2, 3, 7}) {
    std::vector<int64_t> first = blas::equalAreaRows(n, parts);
    ASSERT_EQ(first.size(), size_t(parts + 1));
    EXPECT_EQ(first.front(), 0);
    EXPECT_EQ(first.back(), n);
    for (int64_t p = 0; p < parts; ++p) {
      // Row i of the upper triangle holds n − i entries.
      int64_t r0 = first[size_t(p)], r1 = first[size_t(p + 1)];
      double area = double(r1 - r0) * double(2 * n - r0 - r1 + 1) / 2;
      EXPECT_NEAR(area / (double(n) * double(n + 1) / 2), 1.0 / double(parts),
                  0.002)
          << "part " << p << " of " << parts;
    }
  }
}

TEST(BlasTest, ScopedBlasThreadsGivesTheCountBack) {
  ScopedBlasThreads outer(1);
  EXPECT_EQ(openblas_get_num_threads(), 1);
  {
    ScopedBlasThreads inner(2);
    EXPECT_EQ(openblas_get_num_threads(), 2);
  }
  EXPECT_EQ(openblas_get_num_threads(), 1);
}

/// A CPU with exactly `features`.
std::function<bool(const char *)>
cpuWith(std::initializer_list<const char *> features) {
  std::vector<std::string> names(features.begin(), features.end());
  return [names](const char *feature) {
    return std::find(names.begin(), names.end(), feature) != names.end();
  };
}

TEST(BlasTest, BetterBlasCoreWidensNeverNarrows) {
  auto avx512 = cpuWith({"avx", "avx2", "fma", "avx512f", "avx512bw",
                         "avx512dq", "avx512vl", "avx512cd"});
  auto avx2 = cpuWith({"avx", "avx2", "fma"});
  auto avx = cpuWith({"avx"});
  auto sse = cpuWith({});
  // Debian 12's OpenBLAS on an Emerald Rapids Xeon.
  EXPECT_EQ(betterBlasCore("Prescott", avx512), "SkylakeX");
  // AVX2 kernels on an AVX-512 CPU (0.3.21 on AMD Zen 4).
  EXPECT_EQ(betterBlasCore("Zen", avx512), "SkylakeX");
  EXPECT_EQ(betterBlasCore("Haswell", avx512), "SkylakeX");
  EXPECT_EQ(betterBlasCore("Prescott", avx2), "Haswell");
  EXPECT_EQ(betterBlasCore("Nehalem", avx), "Sandybridge");
  // Right choices stay, whatever their spelling.
  for (const char *core : {"SkylakeX", "Cooperlake", "SAPPHIRERAPIDS"})
    EXPECT_EQ(betterBlasCore(core, avx512), "") << core;
  EXPECT_EQ(betterBlasCore("Zen", avx2), "");
  EXPECT_EQ(betterBlasCore("Prescott", sse), "");
  // A core wider than the CPU (OPENBLAS_CORETYPE set by hand) is not ours
  // to narrow.
  EXPECT_EQ(betterBlasCore("SkylakeX", avx2), "");
  // AVX-512 without all of SkylakeX's subsets is an AVX2 CPU to OpenBLAS.
  EXPECT_EQ(
      betterBlasCore("Prescott", cpuWith({"avx", "avx2", "fma", "avx512f"})),
      "Haswell");
}

TEST(BlasTest, BlasCoreToForceLeavesASetCoreTypeAlone) {
  const char *before = std::getenv("OPENBLAS_CORETYPE");
  std::string saved = before ? before : "";
  ::setenv("OPENBLAS_CORETYPE", "Prescott", 1);
  EXPECT_EQ(blasCoreToForce(), "");
  if (before)
    ::setenv("OPENBLAS_CORETYPE", saved.c_str(), 1);
  else
    ::unsetenv("OPENBLAS_CORETYPE");
}

} // namespace
