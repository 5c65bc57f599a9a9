//===- CudaApi.cpp - CUDA driver, cuBLAS and cuSOLVER loaded at run time --===//

#include "CudaApi.h"

#include <dlfcn.h>

#include <cstdio>
#include <initializer_list>

using namespace gantk;
using namespace gantk::cuda;

namespace {

/// Opens the first library of `names` that loads; `tried` lists every name
/// and the last dlerror for the message when none does.
void *openFirst(std::initializer_list<const char *> names, std::string &tried) {
  for (const char *name : names) {
    // RTLD_GLOBAL: cuBLAS and cuSOLVER find their own dependencies
    // (cublasLt, cusparse, nvJitLink) next to themselves by RUNPATH.
    if (void *handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL))
      return handle;
    if (!tried.empty())
      tried += ", ";
    tried += name;
  }
  if (const char *why = dlerror())
    tried += std::string(": ") + why;
  return nullptr;
}

/// A CUDA library by the first of `names` that loads, or the error naming
/// `library`, every name tried and the last dlerror.
Result<void *> openLibrary(const char *library,
                           std::initializer_list<const char *> names) {
  std::string tried;
  if (void *handle = openFirst(names, tried))
    return handle;
  return makeError(ErrorCode::FailedPrecondition,
                   std::string("--device=cuda: ") + library +
                       " not found (tried " + tried +
                       "): install the CUDA 13 libraries or add their "
                       "folder to LD_LIBRARY_PATH");
}

template <typename Fn>
bool resolve(void *library, const char *name, Fn &fn) {
  fn = reinterpret_cast<Fn>(dlsym(library, name));
  return fn != nullptr;
}

Error missingSymbol(const char *library, const char *name,
                    const char *advice) {
  return makeError(ErrorCode::FailedPrecondition,
                   std::string("--device=cuda: ") + library + " has no " +
                       name + ": " + advice);
}

Result<const Api *> load() {
  static Api api;
  std::string tried;
  void *driver = openFirst({"libcuda.so.1"}, tried);
  if (!driver)
    return makeError(ErrorCode::FailedPrecondition,
                     "--device=cuda: no CUDA driver (libcuda.so.1 not found): "
                     "this machine has no NVIDIA GPU driver");
#define GANTK_CUDA_RESOLVE(name)                                               \
  if (!resolve(driver, #name, api.name))                                       \
    return missingSymbol("libcuda.so.1", #name,                                \
                         "the NVIDIA driver is older than CUDA 13");
  GANTK_CUDA_DRIVER_FUNCTIONS(GANTK_CUDA_RESOLVE)
#undef GANTK_CUDA_RESOLVE

  Result<void *> blas =
      openLibrary("cuBLAS", {"libcublas.so.13", "libcublas.so",
                             "/usr/local/cuda/lib64/libcublas.so.13"});
  if (!blas.ok())
    return blas.error();
#define GANTK_CUDA_RESOLVE(name)                                               \
  if (!resolve(*blas, #name, api.name))                                        \
    return missingSymbol("cuBLAS", #name, "it is older than CUDA 13's");
  GANTK_CUBLAS_FUNCTIONS(GANTK_CUDA_RESOLVE)
#undef GANTK_CUDA_RESOLVE

  Result<void *> solver =
      openLibrary("cuSOLVER", {"libcusolver.so.12", "libcusolver.so",
                               "/usr/local/cuda/lib64/libcusolver.so.12"});
  if (!solver.ok())
    return solver.error();
#define GANTK_CUDA_RESOLVE(name)                                               \
  if (!resolve(*solver, #name, api.name))                                      \
    return missingSymbol("cuSOLVER", #name, "it is older than CUDA 13's");
  GANTK_CUSOLVER_FUNCTIONS(GANTK_CUDA_RESOLVE)
#undef GANTK_CUDA_RESOLVE
  return &api;
}

std::string failure(const char *call, const std::string &what) {
  return std::string(call) + (what.empty() ? "" : "(" + what + ")") +
         " failed: ";
}

const char *cusolverStatusName(cusolverStatus_t status) {
  switch (status) {
  case CUSOLVER_STATUS_SUCCESS:
    return "CUSOLVER_STATUS_SUCCESS";
  case CUSOLVER_STATUS_NOT_INITIALIZED:
    return "CUSOLVER_STATUS_NOT_INITIALIZED";
  case CUSOLVER_STATUS_ALLOC_FAILED:
    return "CUSOLVER_STATUS_ALLOC_FAILED";
  case CUSOLVER_STATUS_INVALID_VALUE:
    return "CUSOLVER_STATUS_INVALID_VALUE";
  case CUSOLVER_STATUS_ARCH_MISMATCH:
    return "CUSOLVER_STATUS_ARCH_MISMATCH";
  case CUSOLVER_STATUS_EXECUTION_FAILED:
    return "CUSOLVER_STATUS_EXECUTION_FAILED";
  case CUSOLVER_STATUS_INTERNAL_ERROR:
    return "CUSOLVER_STATUS_INTERNAL_ERROR";
  case CUSOLVER_STATUS_NOT_SUPPORTED:
    return "CUSOLVER_STATUS_NOT_SUPPORTED";
  default:
    return "CUSOLVER_STATUS_UNKNOWN";
  }
}

} // namespace

Result<const Api *> gantk::cuda::loadApi() {
  // Loaded once: dlopen is idempotent, but a failed driver load is not
  // worth retrying within a process.
  static const Result<const Api *> api = load();
  return api;
}

std::string gantk::cuda::formatBytes(uint64_t bytes) {
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = double(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  if (unit == 0)
    std::snprintf(text, sizeof(text), "%llu B", (unsigned long long)bytes);
  else
    std::snprintf(text, sizeof(text), "%.1f %s", value, units[unit]);
  return text;
}

Status gantk::cuda::check(const Api &api, CUresult result, const char *call,
                          const std::string &what) {
  if (result == CUDA_SUCCESS)
    return {};
  const char *name = nullptr;
  if (!api.cuGetErrorName || api.cuGetErrorName(result, &name) != CUDA_SUCCESS)
    name = "unnamed CUresult";
  return makeError(result == CUDA_ERROR_OUT_OF_MEMORY
                       ? ErrorCode::ResourceExhausted
                       : ErrorCode::Internal,
                   failure(call, what) + name + " (" +
                       std::to_string(int(result)) + ")");
}

Status gantk::cuda::check(const Api &api, cublasStatus_t result,
                          const char *call, const std::string &what) {
  if (result == CUBLAS_STATUS_SUCCESS)
    return {};
  const char *name = api.cublasGetStatusName
                         ? api.cublasGetStatusName(result)
                         : "CUBLAS_STATUS_UNKNOWN";
  return makeError(result == CUBLAS_STATUS_ALLOC_FAILED
                       ? ErrorCode::ResourceExhausted
                       : ErrorCode::Internal,
                   failure(call, what) + name + " (" +
                       std::to_string(int(result)) + ")");
}

Status gantk::cuda::check(const Api &, cusolverStatus_t result,
                          const char *call, const std::string &what) {
  if (result == CUSOLVER_STATUS_SUCCESS)
    return {};
  return makeError(result == CUSOLVER_STATUS_ALLOC_FAILED
                       ? ErrorCode::ResourceExhausted
                       : ErrorCode::Internal,
                   failure(call, what) + cusolverStatusName(result) + " (" +
                       std::to_string(int(result)) + ")");
}

Status gantk::cuda::gemm(const Api &api, cublasHandle_t h,
                         cublasOperation_t ta, cublasOperation_t tb, int64_t m,
                         int64_t n, int64_t k, double alpha, const float *a,
                         int64_t lda, const float *b, int64_t ldb, double beta,
                         float *c, int64_t ldc, const std::string &what) {
  float alphaF = float(alpha), betaF = float(beta);
  return check(api,
               api.cublasSgemm_v2(h, ta, tb, int(m), int(n), int(k), &alphaF,
                                  a, int(lda), b, int(ldb), &betaF, c,
                                  int(ldc)),
               "cublasSgemm_v2", what);
}

Status gantk::cuda::gemm(const Api &api, cublasHandle_t h,
                         cublasOperation_t ta, cublasOperation_t tb, int64_t m,
                         int64_t n, int64_t k, double alpha, const double *a,
                         int64_t lda, const double *b, int64_t ldb, double beta,
                         double *c, int64_t ldc, const std::string &what) {
  return check(api,
               api.cublasDgemm_v2(h, ta, tb, int(m), int(n), int(k), &alpha, a,
                                  int(lda), b, int(ldb), &beta, c, int(ldc)),
               "cublasDgemm_v2", what);
}

Status gantk::cuda::symmRight(const Api &api, cublasHandle_t h, int64_t m,
                              int64_t n, double alpha, const float *s,
                              int64_t lds, const float *b, int64_t ldb,
                              double beta, float *c, int64_t ldc,
                              const std::string &what) {
  float alphaF = float(alpha), betaF = float(beta);
  return check(api,
               api.cublasSsymm_v2(h, CUBLAS_SIDE_RIGHT, CUBLAS_FILL_MODE_LOWER,
                                  int(m), int(n), &alphaF, s, int(lds), b,
                                  int(ldb), &betaF, c, int(ldc)),
               "cublasSsymm_v2", what);
}

Status gantk::cuda::symmRight(const Api &api, cublasHandle_t h, int64_t m,
                              int64_t n, double alpha, const double *s,
                              int64_t lds, const double *b, int64_t ldb,
                              double beta, double *c, int64_t ldc,
                              const std::string &what) {
  return check(api,
               api.cublasDsymm_v2(h, CUBLAS_SIDE_RIGHT, CUBLAS_FILL_MODE_LOWER,
                                  int(m), int(n), &alpha, s, int(lds), b,
                                  int(ldb), &beta, c, int(ldc)),
               "cublasDsymm_v2", what);
}
