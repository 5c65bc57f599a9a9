//===- SymmetricProduct.cpp - K·[x1 x2] reading K once --------------------===//
//
// Row i of the upper triangle, K[i, j ≥ i], adds K[i, j]·x[j] into y[i]
// (the row part) and K[i, j]·x[i] into y[j] for j > i (the column part,
// the lower triangle by symmetry). Four rows go together, so that each
// 8-wide (f32) or 4-wide (f64) slice of y is loaded and stored once per four
// slices of K read; both columns share every load of K.
//
// The code is AVX2 and FMA (Wide.h), and runs only where the CPU has them;
// elsewhere the product is two ?symv calls.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/SymmetricProduct.h"
#include "gantk/runtime/ThreadPool.h"

#include "Blas.h"
#include "Wide.h"

#include <algorithm>
#include <cmath>

using namespace gantk;

namespace {

/// The two columns of one part: x read, y accumulated.
template <typename T> struct Columns {
  const T *x1, *x2;
  T *y1, *y2;
};

#if defined(__x86_64__)

template <typename T> GANTK_AVX2 T sumLanes(typename Wide<T>::V v) {
  T lane[Wide<T>::lanes];
  Wide<T>::store(lane, v);
  T s = 0;
  for (T x : lane)
    s += x;
  return s;
}

/// Row i's elements j ∈ [first, n), one at a time (a row's tail).
template <typename T>
GANTK_AVX2 void rowTail(int64_t n, const T *k, Columns<T> c, int64_t i,
                        int64_t first) {
  const T *row = k + i * n;
  T s1 = 0, s2 = 0;
  for (int64_t j = first; j < n; ++j) {
    s1 += row[j] * c.x1[j];
    s2 += row[j] * c.x2[j];
    c.y1[j] += row[j] * c.x1[i];
    c.y2[j] += row[j] * c.x2[i];
  }
  c.y1[i] += s1;
  c.y2[i] += s2;
}

/// Rows [r0, r1) of the upper triangle, diagonal included.
template <typename T>
GANTK_AVX2 void triangleRows(int64_t n, const T *k, Columns<T> c, int64_t r0,
                             int64_t r1) {
  using W = Wide<T>;
  using V = typename W::V;
  int64_t i = r0;
  for (; i + 4 <= r1; i += 4) {
    // The diagonal, and the small triangle among the four rows.
    for (int64_t r = i; r < i + 4; ++r) {
      c.y1[r] += k[r * n + r] * c.x1[r];
      c.y2[r] += k[r * n + r] * c.x2[r];
      for (int64_t j = r + 1; j < i + 4; ++j) {
        T kv = k[r * n + j];
        c.y1[r] += kv * c.x1[j];
        c.y2[r] += kv * c.x2[j];
        c.y1[j] += kv * c.x1[r];
        c.y2[j] += kv * c.x2[r];
      }
    }
    const T *row[4];
    V xi1[4], xi2[4], acc1[4], acc2[4];
    for (int r = 0; r < 4; ++r) {
      row[r] = k + (i + r) * n;
      xi1[r] = W::splat(c.x1[i + r]);
      xi2[r] = W::splat(c.x2[i + r]);
      acc1[r] = acc2[r] = W::zero();
    }
    int64_t j = i + 4;
    for (int64_t end = j + (n - j) / W::lanes * W::lanes; j < end;
         j += W::lanes) {
      V x1 = W::load(c.x1 + j), x2 = W::load(c.x2 + j);
      V y1 = W::load(c.y1 + j), y2 = W::load(c.y2 + j);
      for (int r = 0; r < 4; ++r) {
        V kv = W::load(row[r] + j);
        acc1[r] = W::fma(kv, x1, acc1[r]);
        acc2[r] = W::fma(kv, x2, acc2[r]);
        y1 = W::fma(kv, xi1[r], y1);
        y2 = W::fma(kv, xi2[r], y2);
      }
      W::store(c.y1 + j, y1);
      W::store(c.y2 + j, y2);
    }
    for (int r = 0; r < 4; ++r) {
      c.y1[i + r] += sumLanes<T>(acc1[r]);
      c.y2[i + r] += sumLanes<T>(acc2[r]);
      rowTail(n, k, c, i + r, j);
    }
  }
  for (; i < r1; ++i) {
    c.y1[i] += k[i * n + i] * c.x1[i];
    c.y2[i] += k[i * n + i] * c.x2[i];
    rowTail(n, k, c, i, i + 1);
  }
}

#endif

} // namespace

bool gantk::symmetricProductPairIsFused() {
#if defined(__x86_64__)
  return hasWideFma();
#else
  return false;
#endif
}

template <typename T>
void gantk::symmetricProductPair(int64_t n, const T *k, const T *x1,
                                 const T *x2, T *y1, T *y2, ThreadPool *pool,
                                 std::vector<T> &scratch) {
#if defined(__x86_64__)
  if (symmetricProductPairIsFused()) {
    // Below a few hundred rows a part is too small to be worth a wake-up.
    int64_t parts = pool ? std::clamp<int64_t>(n / 256, 1, pool->size()) : 1;
    std::vector<int64_t> first = blas::equalAreaRows(n, parts);
    // Part 0 accumulates into y itself, part p > 0 into scratch, where only
    // [first[p], n) is touched.
    scratch.resize(size_t(2 * n * (parts - 1)));
    auto part = [&](int64_t p) {
      int64_t r0 = first[size_t(p)];
      Columns<T> c{x1, x2, y1, y2};
      if (p > 0) {
        c.y1 = scratch.data() + 2 * n * (p - 1);
        c.y2 = c.y1 + n;
      }
      std::fill(c.y1 + r0, c.y1 + n, T(0));
      std::fill(c.y2 + r0, c.y2 + n, T(0));
      triangleRows(n, k, c, r0, first[size_t(p + 1)]);
    };
    runParts(pool, parts, part);
    if (parts == 1)
      return;
    pool->parallelFor(n, [&](int64_t begin, int64_t end) {
      for (int64_t p = 1; p < parts; ++p) {
        const T *s1 = scratch.data() + 2 * n * (p - 1), *s2 = s1 + n;
        for (int64_t i = std::max(begin, first[size_t(p)]); i < end; ++i) {
          y1[i] += s1[i];
          y2[i] += s2[i];
        }
      }
    });
    return;
  }
#endif
  (void)pool;
  (void)scratch;
  blas::symv(n, k, x1, y1);
  blas::symv(n, k, x2, y2);
}

template void gantk::symmetricProductPair<float>(int64_t, const float *,
                                                 const float *, const float *,
                                                 float *, float *, ThreadPool *,
                                                 std::vector<float> &);
template void gantk::symmetricProductPair<double>(int64_t, const double *,
                                                  const double *,
                                                  const double *, double *,
                                                  double *, ThreadPool *,
                                                  std::vector<double> &);
