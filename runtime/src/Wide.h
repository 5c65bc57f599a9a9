//===- Wide.h - One AVX2 register of floats or doubles ----------*- C++ -*-===//
//
// The runtime's hand-vectorised products (SymmetricProduct.cpp,
// LowRankProduct.cpp) are written once for both precisions over Wide<T>.
// Their functions carry GANTK_AVX2, so they are compiled for AVX2 and FMA
// whatever the rest of the runtime is compiled for, and run only where the
// CPU has both (hasWideFma).
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_SRC_WIDE_H
#define GANTK_RUNTIME_SRC_WIDE_H

#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#define GANTK_AVX2 __attribute__((target("avx2,fma")))

namespace gantk {

/// Whether this CPU runs GANTK_AVX2 code.
bool hasWideFma();

/// One 256-bit register of T.
template <typename T> struct Wide;
template <> struct Wide<float> {
  using V = __m256;
  static constexpr int64_t lanes = 8;
  GANTK_AVX2 static V load(const float *p) { return _mm256_loadu_ps(p); }
  GANTK_AVX2 static void store(float *p, V v) { _mm256_storeu_ps(p, v); }
  GANTK_AVX2 static V splat(float x) { return _mm256_set1_ps(x); }
  GANTK_AVX2 static V zero() { return _mm256_setzero_ps(); }
  GANTK_AVX2 static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  GANTK_AVX2 static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};
template <> struct Wide<double> {
  using V = __m256d;
  static constexpr int64_t lanes = 4;
  GANTK_AVX2 static V load(const double *p) { return _mm256_loadu_pd(p); }
  GANTK_AVX2 static void store(double *p, V v) { _mm256_storeu_pd(p, v); }
  GANTK_AVX2 static V splat(double x) { return _mm256_set1_pd(x); }
  GANTK_AVX2 static V zero() { return _mm256_setzero_pd(); }
  GANTK_AVX2 static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  GANTK_AVX2 static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
};

} // namespace gantk

#endif // defined(__x86_64__)

#endif // GANTK_RUNTIME_SRC_WIDE_H
