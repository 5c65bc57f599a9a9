//===- SymmetricProductTest.cpp - K·[x1 x2] reading K once ----------------===//
//
// gantk::symmetricProductPair against the product computed here in double
// from the full matrix, for sizes around every block edge of the kernel (4
// rows at a time, 8 or 4 lanes) and for 1 to 3 threads. K's lower triangle
// holds NaN: the product may read only the upper one. With
// GANTK_TEST_CPU_LACKS=avx2 the same checks run through the ?symv fallback.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/SymmetricProduct.h"
#include "gantk/runtime/ThreadPool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace gantk;

namespace {

/// Checks one product of a random K (upper triangle; NaN below) with two
/// random columns: each y_i within `tol` of the exact value, relative to
/// Σ_j |K_ij x_j| (the size of the terms that were summed).
template <typename T>
void checkProduct(int64_t n, ThreadPool *pool, std::vector<T> &scratch,
                  double tol) {
  std::mt19937_64 rng(uint64_t(n) * 7919 + uint64_t(pool ? pool->size() : 0));
  std::uniform_real_distribution<double> uniform(-1, 1);
  std::vector<T> k(size_t(n * n), std::numeric_limits<T>::quiet_NaN());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i; j < n; ++j)
      k[size_t(i * n + j)] = T(uniform(rng));
  const size_t rows = static_cast<size_t>(n);
  std::vector<T> x1(rows), x2(rows), y1(rows, T(7)), y2(rows, T(7));
  for (int64_t i = 0; i < n; ++i) {
    x1[size_t(i)] = T(uniform(rng));
    x2[size_t(i)] = T(uniform(rng));
  }
  symmetricProductPair(n, k.data(), x1.data(), x2.data(), y1.data(), y2.data(),
                       pool, scratch);
  auto at = [&](int64_t i, int64_t j) {
    return double(i <= j ? k[size_t(i * n + j)] : k[size_t(j * n + i)]);
  };
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    double e1 = 0, e2 = 0, s1 = 0, s2 = 0;
    for (int64_t j = 0; j < n; ++j) {
      e1 += at(i, j) * double(x1[size_t(j)]);
      e2 += at(i, j) * double(x2[size_t(j)]);
      s1 += std::abs(at(i, j) * double(x1[size_t(j)]));
      s2 += std::abs(at(i, j) * double(x2[size_t(j)]));
    }
    worst = std::max({worst, std::abs(double(y1[size_t(i)]) - e1) / s1,
                      std::abs(double(y2[size_t(i)]) - e2) / s2});
    ASSERT_TRUE(std::isfinite(double(y1[size_t(i)])) &&
                std::isfinite(double(y2[size_t(i)])))
        << "n = " << n << ", row " << i << " read K's lower triangle";
  }
  EXPECT_LE(worst, tol) << "n = " << n << ", " << (pool ? pool->size() : 1)
                        << " threads";
}

/// Sizes at and around the edges of 4-row groups, 8- and 4-wide vectors and
/// the split of the rows between threads (n ≥ 512 makes two parts).
const int64_t kSizes[] = {1,  2,  3,  4,  5,  7,   8,   9,   12,
                          13, 31, 33, 64, 67, 255, 513, 600, 1031};

template <typename T> void checkAllSizes(double tol) {
  std::vector<T> scratch;
  std::unique_ptr<ThreadPool> pools[] = {
      nullptr, std::make_unique<ThreadPool>(1), std::make_unique<ThreadPool>(2),
      std::make_unique<ThreadPool>(3)};
  // One scratch for all: a call after a larger one reuses it.
  for (const std::unique_ptr<ThreadPool> &pool : pools)
    for (int64_t n : kSizes)
      checkProduct<T>(n, pool.get(), scratch, tol);
}

/// Runs the body with GANTK_TEST_CPU_LACKS set, restoring it after.
class WithoutAvx2 {
public:
  WithoutAvx2() {
    if (const char *v = std::getenv("GANTK_TEST_CPU_LACKS"))
      saved = v;
    setenv("GANTK_TEST_CPU_LACKS", "avx2", 1);
  }
  ~WithoutAvx2() {
    if (saved)
      setenv("GANTK_TEST_CPU_LACKS", saved->c_str(), 1);
    else
      unsetenv("GANTK_TEST_CPU_LACKS");
  }

private:
  std::optional<std::string> saved;
};

TEST(SymmetricProductTest, FloatEqualsTheFullProduct) {
  checkAllSizes<float>(1e-6);
}

TEST(SymmetricProductTest, DoubleEqualsTheFullProduct) {
  checkAllSizes<double>(2e-15);
}

TEST(SymmetricProductTest, FusedWhereTheCpuHasAvx2) {
#if defined(__x86_64__)
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
    GTEST_SKIP() << "this CPU lacks AVX2 or FMA: only the ?symv fallback runs";
  EXPECT_TRUE(symmetricProductPairIsFused());
#else
  EXPECT_FALSE(symmetricProductPairIsFused());
#endif
}

TEST(SymmetricProductTest, FallbackWithoutAvx2) {
  WithoutAvx2 lacks;
  EXPECT_FALSE(symmetricProductPairIsFused());
  checkAllSizes<float>(1e-6);
  checkAllSizes<double>(2e-15);
}

} // namespace
