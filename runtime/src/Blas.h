//===- Blas.h - Typed row-major CBLAS calls for the runtime -----*- C++ -*-===//
//
// One overload per element type, so that code templated on the artifact's
// precision calls one name (Session's GEMM commands, the Krylov backend and
// its symmetric products).
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_SRC_BLAS_H
#define GANTK_RUNTIME_SRC_BLAS_H

#include <cblas.h>

#include <cstdint>

namespace gantk::blas {

/// Row-major C = alpha op(A) op(B) + beta C.
inline void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                 double alpha, const float *a, int64_t lda, const float *b,
                 int64_t ldb, double beta, float *c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
              tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k),
              float(alpha), a, int(lda), b, int(ldb), float(beta), c, int(ldc));
}
inline void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                 double alpha, const double *a, int64_t lda, const double *b,
                 int64_t ldb, double beta, double *c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
              tb ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), alpha, a,
              int(lda), b, int(ldb), beta, c, int(ldc));
}

/// y = K x for K symmetric (n × n, row-major), only its upper triangle read;
/// x and y contiguous.
inline void symv(int64_t n, const float *k, const float *x, float *y) {
  cblas_ssymv(CblasRowMajor, CblasUpper, int(n), 1.0f, k, int(n), x, 1, 0.0f, y,
              1);
}
inline void symv(int64_t n, const double *k, const double *x, double *y) {
  cblas_dsymv(CblasRowMajor, CblasUpper, int(n), 1.0, k, int(n), x, 1, 0.0, y,
              1);
}

} // namespace gantk::blas

#endif // GANTK_RUNTIME_SRC_BLAS_H
