//===- Blas.cpp - Level-3 BLAS split over a session's threads -------------===//

#include "Blas.h"

#include "gantk/runtime/BlasThreads.h"
#include "gantk/runtime/ThreadPool.h"

#include <algorithm>
#include <cmath>

using namespace gantk;

namespace {
/// Below this many multiply-adds (about 0.2 ms on one core) waking a second
/// thread costs more than it saves.
constexpr double minSplitWork = double(1 << 21);

/// How many parts a product of `work` multiply-adds, split along an extent
/// of `extent` rows or columns, runs in.
int64_t partsOf(ThreadPool *pool, double work, int64_t extent) {
  if (!pool || work < minSplitWork)
    return 1;
  return std::clamp<int64_t>(extent / 32, 1, pool->size());
}
} // namespace

std::vector<int64_t> blas::equalAreaRows(int64_t n, int64_t parts) {
  std::vector<int64_t> first(size_t(parts + 1), n);
  for (int64_t p = 0; p < parts; ++p)
    first[size_t(p)] =
        int64_t(double(n) * (1 - std::sqrt(1 - double(p) / double(parts))));
  return first;
}

template <typename T>
void blas::gemm(ThreadPool *pool, bool ta, bool tb, int64_t m, int64_t n,
                int64_t k, double alpha, const T *a, int64_t lda, const T *b,
                int64_t ldb, double beta, T *c, int64_t ldc) {
  // A thin product (a Krylov command's factors) is as large as its C:
  // written once, not zeroed and then added to.
  if (!ta && tb && beta == 0 &&
      lowRankProduct(pool, m, n, k, alpha, a, lda, b, ldb, c, ldc))
    return;
  bool byRows = m >= n;
  int64_t extent = byRows ? m : n;
  int64_t parts = partsOf(pool, double(m) * double(n) * double(k), extent);
  runParts(pool, parts, [&](int64_t p) {
    // Bounds on multiples of 16 so that no two parts share a cache line of C.
    auto bound = [&](int64_t q) {
      return q == parts ? extent : extent * q / parts / 16 * 16;
    };
    int64_t x0 = bound(p), x1 = bound(p + 1);
    if (x0 >= x1)
      return;
    if (byRows)
      // Rows x0.. of op(A): rows of A, or columns when A is transposed.
      gemm(ta, tb, x1 - x0, n, k, alpha, a + (ta ? x0 : x0 * lda), lda, b, ldb,
           beta, c + x0 * ldc, ldc);
    else
      // Columns x0.. of op(B): columns of B, or rows when B is transposed.
      gemm(ta, tb, m, x1 - x0, k, alpha, a, lda, b + (tb ? x0 * ldb : x0), ldb,
           beta, c + x0, ldc);
  });
}

template <typename T>
void blas::symm(ThreadPool *pool, int64_t m, int64_t n, double alpha,
                const T *s, int64_t lds, const T *b, int64_t ldb, double beta,
                T *c, int64_t ldc) {
  int64_t parts = partsOf(pool, double(m) * double(m) * double(n), m);
  runParts(pool, parts, [&](int64_t p) {
    int64_t r0 = m * p / parts, r1 = m * (p + 1) / parts;
    if (r0 >= r1)
      return;
    T *rows = c + r0 * ldc;
    // S's rows [r0, r1): their diagonal block, symmetric; right of it, the
    // stored upper part; left of it, the transpose of the upper part above.
    symm(r1 - r0, n, alpha, s + r0 * lds + r0, lds, b + r0 * ldb, ldb, beta,
         rows, ldc);
    if (r1 < m)
      gemm(false, false, r1 - r0, n, m - r1, alpha, s + r0 * lds + r1, lds,
           b + r1 * ldb, ldb, 1.0, rows, ldc);
    if (r0 > 0)
      gemm(true, false, r1 - r0, n, r0, alpha, s + r0, lds, b, ldb, 1.0, rows,
           ldc);
  });
}

template <typename T>
void blas::syrk(ThreadPool *pool, int64_t n, int64_t k, double alpha,
                const T *a, int64_t lda, T *c, int64_t ldc) {
  int64_t parts = partsOf(pool, double(n) * double(n) * double(k) / 2, n);
  std::vector<int64_t> first = equalAreaRows(n, parts);
  runParts(pool, parts, [&](int64_t p) {
    int64_t r0 = first[size_t(p)], r1 = first[size_t(p + 1)];
    if (r0 >= r1)
      return;
    syrk(r1 - r0, k, alpha, a + r0 * lda, lda, c + r0 * ldc + r0, ldc);
    if (r1 < n)
      gemm(false, true, r1 - r0, n - r1, k, alpha, a + r0 * lda, lda,
           a + r1 * lda, lda, 0.0, c + r0 * ldc + r1, ldc);
  });
}

template void blas::gemm<float>(ThreadPool *, bool, bool, int64_t, int64_t,
                                int64_t, double, const float *, int64_t,
                                const float *, int64_t, double, float *,
                                int64_t);
template void blas::gemm<double>(ThreadPool *, bool, bool, int64_t, int64_t,
                                 int64_t, double, const double *, int64_t,
                                 const double *, int64_t, double, double *,
                                 int64_t);
template void blas::symm<float>(ThreadPool *, int64_t, int64_t, double,
                                const float *, int64_t, const float *, int64_t,
                                double, float *, int64_t);
template void blas::symm<double>(ThreadPool *, int64_t, int64_t, double,
                                 const double *, int64_t, const double *,
                                 int64_t, double, double *, int64_t);
template void blas::syrk<float>(ThreadPool *, int64_t, int64_t, double,
                                const float *, int64_t, float *, int64_t);
template void blas::syrk<double>(ThreadPool *, int64_t, int64_t, double,
                                 const double *, int64_t, double *, int64_t);

ScopedBlasThreads::ScopedBlasThreads(int threads)
    : previous(openblas_get_num_threads()) {
  openblas_set_num_threads(std::max(1, threads));
}

ScopedBlasThreads::~ScopedBlasThreads() { openblas_set_num_threads(previous); }
