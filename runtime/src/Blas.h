//===- Blas.h - Typed row-major CBLAS calls for the runtime -----*- C++ -*-===//
//
// One overload per element type, so that code templated on the artifact's
// precision calls one name (Session's GEMM commands, the Krylov backend and
// its symmetric products).
//
// A session runs OpenBLAS single-threaded (BlasThreads.h says why) and
// splits its large products over its own ThreadPool here: one part per
// thread, each part one single-threaded BLAS call.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_SRC_BLAS_H
#define GANTK_RUNTIME_SRC_BLAS_H

#include <cblas.h>

#include <cstdint>
#include <vector>

namespace gantk {
class ThreadPool;
} // namespace gantk

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

/// Row-major upper-triangle C = alpha A Aᵀ (A n × k); the lower triangle
/// is not written.
inline void syrk(int64_t n, int64_t k, double alpha, const float *a,
                 int64_t lda, float *c, int64_t ldc) {
  cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, int(n), int(k),
              float(alpha), a, int(lda), 0.0f, c, int(ldc));
}
inline void syrk(int64_t n, int64_t k, double alpha, const double *a,
                 int64_t lda, double *c, int64_t ldc) {
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, int(n), int(k), alpha, a,
              int(lda), 0.0, c, int(ldc));
}

/// Row-major C = alpha S B + beta C for S symmetric (m × m), only its upper
/// triangle read; B and C m × n.
inline void symm(int64_t m, int64_t n, double alpha, const float *s,
                 int64_t lds, const float *b, int64_t ldb, double beta,
                 float *c, int64_t ldc) {
  cblas_ssymm(CblasRowMajor, CblasLeft, CblasUpper, int(m), int(n),
              float(alpha), s, int(lds), b, int(ldb), float(beta), c, int(ldc));
}
inline void symm(int64_t m, int64_t n, double alpha, const double *s,
                 int64_t lds, const double *b, int64_t ldb, double beta,
                 double *c, int64_t ldc) {
  cblas_dsymm(CblasRowMajor, CblasLeft, CblasUpper, int(m), int(n), alpha, s,
              int(lds), b, int(ldb), beta, c, int(ldc));
}

/// gemm with C's rows (or its columns, when it has more of them) split over
/// `pool`'s threads; one call when pool is null or the product is small.
template <typename T>
void gemm(ThreadPool *pool, bool ta, bool tb, int64_t m, int64_t n, int64_t k,
          double alpha, const T *a, int64_t lda, const T *b, int64_t ldb,
          double beta, T *c, int64_t ldc);

/// The most columns of A and B lowRankProduct takes.
constexpr int64_t lowRankMaxK = 64;

/// C = alpha A Bᵀ (A m × k, B n × k, row-major) for k <= lowRankMaxK,
/// written once from registers, rows split over `pool`'s threads
/// (LowRankProduct.cpp); false, with nothing written, where it does not
/// apply (k too large, or no AVX2 and FMA) and ?gemm must.
template <typename T>
bool lowRankProduct(ThreadPool *pool, int64_t m, int64_t n, int64_t k,
                    double alpha, const T *a, int64_t lda, const T *b,
                    int64_t ldb, T *c, int64_t ldc);

/// symm with C's rows split over `pool`'s threads: rows [r0, r1) are one
/// ?symm of S's diagonal block and two ?gemm of the rest of those rows of
/// S, the part right of the block as stored and the part left of it as the
/// transpose of the upper triangle above it (a column split would have
/// every thread pack all of S).
template <typename T>
void symm(ThreadPool *pool, int64_t m, int64_t n, double alpha, const T *s,
          int64_t lds, const T *b, int64_t ldb, double beta, T *c, int64_t ldc);

/// syrk with C's upper triangle split over `pool`'s threads in row parts of
/// equal area: a part is one ?syrk of its diagonal block and one ?gemm of
/// the rectangle right of it.
template <typename T>
void syrk(ThreadPool *pool, int64_t n, int64_t k, double alpha, const T *a,
          int64_t lda, T *c, int64_t ldc);

/// Row bounds that split an n × n triangle into `parts` parts of equal
/// area: part p holds rows [first[p], first[p + 1]) of the upper triangle
/// (the rows before row r hold 1 − (1 − r/n)² of it).
std::vector<int64_t> equalAreaRows(int64_t n, int64_t parts);

} // namespace gantk::blas

#endif // GANTK_RUNTIME_SRC_BLAS_H
