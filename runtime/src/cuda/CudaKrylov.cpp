//===- CudaKrylov.cpp - Block Lanczos's n-row work on the GPU -------------===//
//
// The KrylovBackend of a CUDA session: basis, block, K and the outputs stay
// in the arena on the device; cuBLAS does the n-row products on the
// session's stream. Only the small results the host-side algorithm needs
// cross the bus: the Gram–Schmidt coefficients (cols × w), column norms and
// the projected solution's coefficients (m × cols).
//
// The buffers are row-major; cuBLAS is column-major, so a row-major r × c
// matrix with leading dimension ld is read as its c × r transpose with the
// same ld, and every product below is the transposed one.
//
//===----------------------------------------------------------------------===//

#include "CudaDevice.h"

#include <algorithm>

using namespace gantk;
using namespace gantk::cuda;

namespace {

/// Yᵀ = Xᵀ K for symmetric K (n × n) and X n × w (leading dimension ldx),
/// Y n × w contiguous, all row-major: reads K's upper triangle only (the
/// lower triangle of its column-major view), as the CPU backend does — the
/// compiler leaves K's lower triangle unwritten.
template <typename T>
Status symm(const Api &api, cublasHandle_t h, int64_t n, int64_t w, const T *k,
            const T *x, int64_t ldx, T *y) {
  return symmRight(api, h, w, n, 1.0, k, n, x, ldx, 0.0, y, w, "Krylov");
}

/// y = K x for symmetric K (n × n); x with stride incx, y contiguous.
Status symv(const Api &api, cublasHandle_t h, int64_t n, const float *k,
            const float *x, int64_t incx, float *y) {
  float one = 1, zero = 0;
  return check(api,
               api.cublasSsymv_v2(h, CUBLAS_FILL_MODE_LOWER, int(n), &one, k,
                                  int(n), x, int(incx), &zero, y, 1),
               "cublasSsymv_v2", "Krylov");
}
Status symv(const Api &api, cublasHandle_t h, int64_t n, const double *k,
            const double *x, int64_t incx, double *y) {
  double one = 1, zero = 0;
  return check(api,
               api.cublasDsymv_v2(h, CUBLAS_FILL_MODE_LOWER, int(n), &one, k,
                                  int(n), x, int(incx), &zero, y, 1),
               "cublasDsymv_v2", "Krylov");
}

Status nrm2(const Api &api, cublasHandle_t h, int64_t n, const float *x,
            int64_t incx, double &norm) {
  float result = 0;
  Status s = check(api, api.cublasSnrm2_v2(h, int(n), x, int(incx), &result),
                   "cublasSnrm2_v2", "Krylov");
  norm = result;
  return s;
}
Status nrm2(const Api &api, cublasHandle_t h, int64_t n, const double *x,
            int64_t incx, double &norm) {
  return check(api, api.cublasDnrm2_v2(h, int(n), x, int(incx), &norm),
               "cublasDnrm2_v2", "Krylov");
}

Status copy(const Api &api, cublasHandle_t h, int64_t n, const float *x,
            int64_t incx, float *y, int64_t incy) {
  return check(api,
               api.cublasScopy_v2(h, int(n), x, int(incx), y, int(incy)),
               "cublasScopy_v2", "Krylov");
}
Status copy(const Api &api, cublasHandle_t h, int64_t n, const double *x,
            int64_t incx, double *y, int64_t incy) {
  return check(api,
               api.cublasDcopy_v2(h, int(n), x, int(incx), y, int(incy)),
               "cublasDcopy_v2", "Krylov");
}

Status scal(const Api &api, cublasHandle_t h, int64_t n, double alpha,
            float *x, int64_t incx) {
  float a = float(alpha);
  return check(api, api.cublasSscal_v2(h, int(n), &a, x, int(incx)),
               "cublasSscal_v2", "Krylov");
}
Status scal(const Api &api, cublasHandle_t h, int64_t n, double alpha,
            double *x, int64_t incx) {
  return check(api, api.cublasDscal_v2(h, int(n), &alpha, x, int(incx)),
               "cublasDscal_v2", "Krylov");
}

template <typename T> CUdeviceptr address(const T *p) {
  return CUdeviceptr(reinterpret_cast<uintptr_t>(p));
}

template <typename T> class CudaBackend final : public KrylovBackend<T> {
public:
  CudaBackend(const KrylovContext &context, const KrylovProblem &p,
              const KrylovBuffers<T> &buffers)
      : api(*context.api), stream(context.stream), blas(context.blas),
        scratch(reinterpret_cast<T *>(uintptr_t(context.scratch))),
        b(buffers), n(p.n),
        columns(p.columns), width(p.gradient ? 2 * p.columns : p.columns),
        capacity(width * (p.maxBlocks + 1)) {}

  Status start() override {
    GANTK_CUDA_TRY(api, cuMemsetD8Async, "Krylov basis", address(b.basis), 0,
                   size_t(n * capacity) * sizeof(T), stream);
    if (width == columns) {
      GANTK_CUDA_TRY(api, cuMemcpyDtoDAsync_v2, "Krylov start block",
                     address(b.block), address(b.rhs),
                     size_t(n * columns) * sizeof(T), stream);
      return {};
    }
    // [rhs, cotangent], one strided column at a time (columns is small).
    for (int64_t j = 0; j < columns; ++j) {
      if (Status s = copy(api, blas, n, b.rhs + j, columns, b.block + j, width);
          !s.ok())
        return s;
      if (Status s = copy(api, blas, n, b.cotangent + j, columns,
                          b.block + columns + j, width);
          !s.ok())
        return s;
    }
    return {};
  }

  Status applyKernel(int64_t col) override {
    const T *v = b.basis + col;
    // One column: a symmetric matvec, half of K's traffic.
    if (width == 1)
      return symv(api, blas, n, b.kernel, v, capacity, b.block);
    return symm(api, blas, n, width, b.kernel, v, capacity, b.block);
  }

  Status orthogonalise(int64_t cols, int64_t j, int64_t w,
                       std::vector<double> &h) override {
    h.clear();
    if (cols == 0)
      return {};
    T *x = b.block + j;
    // hᵀ (w × cols) = xᵀ·V, that is h = Vᵀ·x row-major.
    if (Status s = gemm(api, blas, CUBLAS_OP_N, CUBLAS_OP_T, w, cols, n, 1.0,
                        x, width, b.basis, capacity, 0.0, scratch, w, "Krylov");
        !s.ok())
      return s;
    // xᵀ −= hᵀ·Vᵀ, that is x −= V·h.
    if (Status s = gemm(api, blas, CUBLAS_OP_N, CUBLAS_OP_N, w, n, cols, -1.0,
                        scratch, w, b.basis, capacity, 1.0, x, width, "Krylov");
        !s.ok())
      return s;
    hT.resize(size_t(cols * w));
    GANTK_CUDA_TRY(api, cuMemcpyDtoHAsync_v2, "Krylov coefficients",
                   hT.data(), address(scratch), hT.size() * sizeof(T), stream);
    GANTK_CUDA_TRY(api, cuStreamSynchronize, "", stream);
    h.assign(hT.begin(), hT.end());
    return {};
  }

  Status columnNorm(int64_t j, double &norm) override {
    // The host pointer mode makes this wait for the result.
    return nrm2(api, blas, n, b.block + j, width, norm);
  }

  Status storeColumn(int64_t j, int64_t at, double scale) override {
    if (Status s = copy(api, blas, n, b.block + j, width, b.basis + at,
                        capacity);
        !s.ok())
      return s;
    return scal(api, blas, n, scale, b.basis + at, capacity);
  }

  Status combine(int64_t m, const std::vector<double> &coeff, int64_t cols,
                 KrylovOutput which) override {
    T *dest = which == KrylovOutput::Action    ? b.out
              : which == KrylovOutput::FactorA ? b.factorA
                                               : b.factorB;
    c.assign(coeff.begin(), coeff.end());
    // Pageable memory: the copy is staged before the call returns.
    GANTK_CUDA_TRY(api, cuMemcpyHtoDAsync_v2, "Krylov coefficients",
                   address(scratch), c.data(), c.size() * sizeof(T), stream);
    // destᵀ (cols × n) = coeffᵀ·Vᵀ, that is dest = V·coeff.
    return gemm(api, blas, CUBLAS_OP_N, CUBLAS_OP_N, cols, n, m, 1.0, scratch,
                cols, b.basis, capacity, 0.0, dest, cols, "Krylov");
  }

private:
  const Api &api;
  CUstream stream;
  cublasHandle_t blas;
  T *scratch;
  KrylovBuffers<T> b;
  int64_t n, columns, width, capacity;
  std::vector<T> hT, c;
};

} // namespace

int64_t gantk::cuda::krylovScratchElements(const KrylovProblem &p) {
  int64_t width = p.gradient ? 2 * p.columns : p.columns;
  int64_t capacity = width * (p.maxBlocks + 1);
  // orthogonalise: cols × w ≤ capacity × width; combine: m × cols ≤
  // capacity × max(columns, rank).
  return capacity * std::max({width, p.columns, p.gradient ? p.rank : 0});
}

template <typename T>
std::unique_ptr<KrylovBackend<T>>
gantk::cuda::makeCudaKrylovBackend(const KrylovContext &context,
                                   const KrylovProblem &problem,
                                   const KrylovBuffers<T> &buffers) {
  return std::make_unique<CudaBackend<T>>(context, problem, buffers);
}

template std::unique_ptr<KrylovBackend<float>>
gantk::cuda::makeCudaKrylovBackend<float>(const KrylovContext &,
                                          const KrylovProblem &,
                                          const KrylovBuffers<float> &);
template std::unique_ptr<KrylovBackend<double>>
gantk::cuda::makeCudaKrylovBackend<double>(const KrylovContext &,
                                           const KrylovProblem &,
                                           const KrylovBuffers<double> &);
