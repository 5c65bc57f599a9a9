//===- LowRankProduct.cpp - C = alpha A Bᵀ for a thin A and B -------------===//
//
// On the Krylov path dL/dK's rows are A Bᵀ from the Krylov command's factors
// (m × k and N × k, k the projected dimension: about 26, at most 64). Such a
// product is as large as its C and has few flops per entry, and OpenBLAS
// spends it passing over C: ?gemm with beta = 0 first zeroes C, then its
// kernel reads C back to add A Bᵀ into it. Here B is packed once, in blocks
// of two vectors' columns with each k's values side by side, and four rows
// of A against one block make 4 × 2 vectors of C in registers, written once.
// A throwaway C program (not in the tree) on the Zen 3 machine of
// bench/README ("dL/dK's rows written once"): m = 16384, N = 32768, k = 26,
// f32, two threads: 204–231 ms against 490–520 ms for ?gemm by rows; in the
// step, `gantk bench --profile 1` shows it (same section).
//
//===----------------------------------------------------------------------===//

#include "Blas.h"
#include "Wide.h"

#include "gantk/runtime/ThreadPool.h"

#include <algorithm>
#include <vector>

using namespace gantk;

#if defined(__x86_64__)

namespace {

/// Columns of C per packed block of B: two vectors.
template <typename T> constexpr int64_t blockColumns = 2 * Wide<T>::lanes;

/// B's columns [0, blocks · width) of Bᵀ: block q holds, for each l < k, the
/// width numbers B[q·width + c, l] (c < width) side by side.
template <typename T>
void packB(ThreadPool *pool, int64_t blocks, int64_t k, const T *b, int64_t ldb,
           T *packed) {
  constexpr int64_t width = blockColumns<T>;
  auto pack = [&](int64_t begin, int64_t end) {
    for (int64_t q = begin; q < end; ++q)
      for (int64_t c = 0; c < width; ++c) {
        const T *row = b + (q * width + c) * ldb;
        T *to = packed + q * k * width + c;
        for (int64_t l = 0; l < k; ++l)
          to[l * width] = row[l];
      }
  };
  if (pool)
    pool->parallelFor(blocks, pack);
  else
    pack(0, blocks);
}

/// Rows [i, i + Rows) of C over the packed blocks: per block, Rows × 2
/// vectors summed over l in registers, then scaled by alpha and stored.
template <typename T, int Rows>
GANTK_AVX2 void rowsOverBlocks(int64_t blocks, int64_t k, T alpha, const T *a,
                               int64_t lda, const T *packed, T *c,
                               int64_t ldc) {
  using W = Wide<T>;
  using V = typename W::V;
  constexpr int64_t lanes = W::lanes, width = blockColumns<T>;
  V scale = W::splat(alpha);
  for (int64_t q = 0; q < blocks; ++q) {
    const T *p = packed + q * k * width;
    V acc[Rows][2];
    for (int r = 0; r < Rows; ++r)
      acc[r][0] = acc[r][1] = W::zero();
    for (int64_t l = 0; l < k; ++l) {
      V b0 = W::load(p + l * width), b1 = W::load(p + l * width + lanes);
      for (int r = 0; r < Rows; ++r) {
        V x = W::splat(a[r * lda + l]);
        acc[r][0] = W::fma(x, b0, acc[r][0]);
        acc[r][1] = W::fma(x, b1, acc[r][1]);
      }
    }
    for (int r = 0; r < Rows; ++r) {
      W::store(c + r * ldc + q * width, W::mul(scale, acc[r][0]));
      W::store(c + r * ldc + q * width + lanes, W::mul(scale, acc[r][1]));
    }
  }
}

} // namespace

template <typename T>
bool blas::lowRankProduct(ThreadPool *pool, int64_t m, int64_t n, int64_t k,
                          double alpha, const T *a, int64_t lda, const T *b,
                          int64_t ldb, T *c, int64_t ldc) {
  if (k > lowRankMaxK || !hasWideFma())
    return false;
  constexpr int64_t width = blockColumns<T>;
  int64_t blocks = n / width;
  std::vector<T> packed(size_t(blocks * k * width));
  packB(pool, blocks, k, b, ldb, packed.data());
  // The last columns, fewer than a block, one by one from B itself.
  auto tail = [&](int64_t i) {
    for (int64_t j = blocks * width; j < n; ++j) {
      T sum = 0;
      for (int64_t l = 0; l < k; ++l)
        sum += a[i * lda + l] * b[j * ldb + l];
      c[i * ldc + j] = T(alpha) * sum;
    }
  };
  // Rows in groups of four, split over the threads on multiples of four.
  int64_t groups = (m + 3) / 4;
  int64_t parts =
      pool ? std::clamp<int64_t>(groups / 8, 1, int64_t(pool->size())) : 1;
  runParts(pool, parts, [&](int64_t p) {
    int64_t r0 = std::min(m, groups * p / parts * 4),
            r1 = std::min(m, groups * (p + 1) / parts * 4);
    int64_t i = r0;
    for (; i + 4 <= r1; i += 4)
      rowsOverBlocks<T, 4>(blocks, k, T(alpha), a + i * lda, lda, packed.data(),
                           c + i * ldc, ldc);
    for (; i < r1; ++i)
      rowsOverBlocks<T, 1>(blocks, k, T(alpha), a + i * lda, lda, packed.data(),
                           c + i * ldc, ldc);
    for (i = r0; i < r1; ++i)
      tail(i);
  });
  return true;
}

#else

template <typename T>
bool blas::lowRankProduct(ThreadPool *, int64_t, int64_t, int64_t, double,
                          const T *, int64_t, const T *, int64_t, T *,
                          int64_t) {
  return false;
}

#endif

template bool blas::lowRankProduct<float>(ThreadPool *, int64_t, int64_t,
                                          int64_t, double, const float *,
                                          int64_t, const float *, int64_t,
                                          float *, int64_t);
template bool blas::lowRankProduct<double>(ThreadPool *, int64_t, int64_t,
                                           int64_t, double, const double *,
                                           int64_t, const double *, int64_t,
                                           double *, int64_t);
