//===- CudaApi.h - CUDA driver, cuBLAS and cuSOLVER loaded at run time -*- C++ -*-===//
//
// The runtime links nothing of CUDA: libcuda.so.1, libcublas and libcusolver
// are opened with dlopen the first time a CUDA session is created, so the
// runtime still loads (and runs on the CPU) on a machine without a GPU. The
// CUDA headers are used at compile time only, for the types and signatures.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_CUDA_CUDAAPI_H
#define GANTK_RUNTIME_CUDA_CUDAAPI_H

#include "gantk/runtime/Result.h"

#include <cublas_v2.h>
#include <cuda.h>
#include <cusolverDn.h>

#include <cstdint>
#include <string>

namespace gantk::cuda {

// The entry points, by their exported (versioned) names, which are also the
// names error messages report.
#define GANTK_CUDA_DRIVER_FUNCTIONS(X)                                         \
  X(cuInit)                                                                    \
  X(cuDriverGetVersion)                                                        \
  X(cuGetErrorName)                                                            \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuDevicePrimaryCtxRelease_v2)                                              \
  X(cuCtxSetCurrent)                                                           \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy_v2)                                                        \
  X(cuStreamSynchronize)                                                       \
  X(cuMemGetInfo_v2)                                                           \
  X(cuMemAlloc_v2)                                                             \
  X(cuMemFree_v2)                                                              \
  X(cuMemsetD8Async)                                                           \
  X(cuMemcpyHtoDAsync_v2)                                                      \
  X(cuMemcpyDtoHAsync_v2)                                                      \
  X(cuMemcpyDtoDAsync_v2)                                                      \
  X(cuMemcpy2DAsync_v2)                                                        \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuLaunchKernel)

#define GANTK_CUBLAS_FUNCTIONS(X)                                              \
  X(cublasCreate_v2)                                                           \
  X(cublasDestroy_v2)                                                          \
  X(cublasGetStatusName)                                                       \
  X(cublasSetStream_v2)                                                        \
  X(cublasSetWorkspace_v2)                                                     \
  X(cublasSgemm_v2)                                                            \
  X(cublasDgemm_v2)                                                            \
  X(cublasSsymv_v2)                                                            \
  X(cublasDsymv_v2)                                                            \
  X(cublasSsymm_v2)                                                            \
  X(cublasDsymm_v2)                                                            \
  X(cublasSnrm2_v2)                                                            \
  X(cublasDnrm2_v2)                                                            \
  X(cublasScopy_v2)                                                            \
  X(cublasDcopy_v2)                                                            \
  X(cublasSscal_v2)                                                            \
  X(cublasDscal_v2)

#define GANTK_CUSOLVER_FUNCTIONS(X)                                            \
  X(cusolverDnCreate)                                                          \
  X(cusolverDnDestroy)                                                         \
  X(cusolverDnSetStream)                                                       \
  X(cusolverDnCreateParams)                                                    \
  X(cusolverDnDestroyParams)                                                   \
  X(cusolverDnXsyevd_bufferSize)                                               \
  X(cusolverDnXsyevd)

/// The resolved entry points. Loaded once per process and never unloaded
/// (the driver keeps process-wide state).
struct Api {
#define GANTK_CUDA_DECLARE(name) decltype(&::name) name = nullptr;
  GANTK_CUDA_DRIVER_FUNCTIONS(GANTK_CUDA_DECLARE)
  GANTK_CUBLAS_FUNCTIONS(GANTK_CUDA_DECLARE)
  GANTK_CUSOLVER_FUNCTIONS(GANTK_CUDA_DECLARE)
#undef GANTK_CUDA_DECLARE
};

/// Opens the driver, cuBLAS and cuSOLVER and resolves every entry point.
/// The result is cached: later calls return the same Api or the same error
/// ("--device=cuda: no CUDA driver (libcuda.so.1 not found): ...").
Result<const Api *> loadApi();

/// "12.0 KiB", "3.2 GiB": sizes in error messages and reports.
std::string formatBytes(uint64_t bytes);

/// Success, or "CALL(WHAT) failed: CUDA_ERROR_NAME (code)".
Status check(const Api &api, CUresult result, const char *call,
             const std::string &what = {});
/// Success, or "CALL(WHAT) failed: CUBLAS_STATUS_NAME (code)".
Status check(const Api &api, cublasStatus_t result, const char *call,
             const std::string &what = {});
/// Success, or "CALL(WHAT) failed: CUSOLVER_STATUS_NAME (code)".
Status check(const Api &api, cusolverStatus_t result, const char *call,
             const std::string &what = {});

/// C = alpha·op(A)·op(B) + beta·C by cublas?gemm, column-major as cuBLAS
/// reads it; WHAT describes the call in the error message.
Status gemm(const Api &api, cublasHandle_t h, cublasOperation_t ta,
            cublasOperation_t tb, int64_t m, int64_t n, int64_t k,
            double alpha, const float *a, int64_t lda, const float *b,
            int64_t ldb, double beta, float *c, int64_t ldc,
            const std::string &what);
Status gemm(const Api &api, cublasHandle_t h, cublasOperation_t ta,
            cublasOperation_t tb, int64_t m, int64_t n, int64_t k,
            double alpha, const double *a, int64_t lda, const double *b,
            int64_t ldb, double beta, double *c, int64_t ldc,
            const std::string &what);

/// C = alpha·B·S + beta·C by cublas?symm, column-major (C and B m × n), S
/// symmetric n × n of which only the lower triangle is read: the upper
/// triangle of the same buffer read row-major.
Status symmRight(const Api &api, cublasHandle_t h, int64_t m, int64_t n,
                 double alpha, const float *s, int64_t lds, const float *b,
                 int64_t ldb, double beta, float *c, int64_t ldc,
                 const std::string &what);
Status symmRight(const Api &api, cublasHandle_t h, int64_t m, int64_t n,
                 double alpha, const double *s, int64_t lds, const double *b,
                 int64_t ldb, double beta, double *c, int64_t ldc,
                 const std::string &what);

} // namespace gantk::cuda

/// Calls api.FN(args...) and returns from the enclosing function (Status or
/// Result) with the formatted error when it fails; WHAT describes the
/// arguments for the message (a size, a kernel name) and may be empty.
#define GANTK_CUDA_TRY(api, fn, what, ...)                                     \
  do {                                                                         \
    ::gantk::Status gantkStatus_ =                                             \
        ::gantk::cuda::check((api), (api).fn(__VA_ARGS__), #fn, (what));       \
    if (!gantkStatus_.ok())                                                    \
      return gantkStatus_;                                                     \
  } while (false)

#endif // GANTK_RUNTIME_CUDA_CUDAAPI_H
