//===- CudaDevice.cpp - One artifact's steps on a CUDA GPU ----------------===//

#include "CudaDevice.h"

#include "gantk/runtime/Commands.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <type_traits>

using namespace gantk;
using namespace gantk::cuda;
namespace fbs = gantk::schema;

namespace {

/// cuBLAS's recommended workspace: 32 MiB on Hopper and newer, 4 MiB before.
uint64_t blasWorkspaceFor(int sm) { return sm >= 90 ? 32u << 20 : 4u << 20; }

/// The first device, with the messages the drivers promise when there is
/// none.
Result<CUdevice> firstDevice(const Api &api) {
  CUresult init = api.cuInit(0);
  if (init == CUDA_ERROR_STUB_LIBRARY)
    return makeError(ErrorCode::FailedPrecondition,
                     "--device=cuda: no CUDA driver: libcuda.so.1 is the CUDA "
                     "toolkit's stub library (lib64/stubs), not an NVIDIA "
                     "driver; take its folder out of LD_LIBRARY_PATH");
  if (init == CUDA_ERROR_NO_DEVICE)
    return makeError(ErrorCode::FailedPrecondition,
                     "--device=cuda: no CUDA device (cuInit: " +
                         check(api, init, "cuInit").message() + ")");
  if (Status s = check(api, init, "cuInit"); !s.ok())
    return makeError(ErrorCode::FailedPrecondition,
                     "--device=cuda: the CUDA driver does not start: " +
                         s.message());
  int count = 0;
  if (Status s = check(api, api.cuDeviceGetCount(&count), "cuDeviceGetCount");
      !s.ok())
    return s.error();
  if (count == 0)
    return makeError(ErrorCode::FailedPrecondition,
                     "--device=cuda: no CUDA device");
  CUdevice device = 0;
  GANTK_CUDA_TRY(api, cuDeviceGet, "0", &device, 0);
  return device;
}

} // namespace

bool gantk::runtimeHasCuda() { return true; }

Result<std::unique_ptr<DeviceSession>>
gantk::createCudaSession(const Artifact &artifact) {
  Result<std::unique_ptr<CudaDevice>> device = CudaDevice::create(artifact);
  if (!device.ok())
    return device.error();
  return std::unique_ptr<DeviceSession>(device.take());
}

CudaDevice::CudaDevice(const Artifact &artifact) : art(artifact) {}

CudaDevice::~CudaDevice() { release(); }

Result<std::unique_ptr<CudaDevice>>
CudaDevice::create(const Artifact &artifact) {
  // What the artifact lacks is reported before the driver is asked for
  // anything, so that it reads the same on every machine.
  if (artifact.matrixFree())
    return makeError(ErrorCode::FailedPrecondition,
                     artifact.name() +
                         ": this artifact's plan is matrix-free (K "
                         "recomputed in row tiles), which runs on the CPU "
                         "only; run it with --device=cpu or compile with a "
                         "larger --memory-budget");
  const auto *kernels = artifact.root().kernels();
  if (kernels && kernels->size() > 0 && !artifact.hasPtx())
    return artifact.ptxFor(INT_MAX).error();
  Result<const Api *> api = loadApi();
  if (!api.ok())
    return api.error();
  std::unique_ptr<CudaDevice> device(new CudaDevice(artifact));
  device->api = *api;
  if (Status s = device->open(); !s.ok())
    return s.error();
  return device;
}

Status CudaDevice::open() {
  const Api &cu = *api;
  Result<CUdevice> first = firstDevice(cu);
  if (!first.ok())
    return first.status();
  device = *first;
  char deviceName[256] = {};
  GANTK_CUDA_TRY(cu, cuDeviceGetName, "", deviceName, int(sizeof(deviceName)),
                 device);
  int major = 0, minor = 0;
  GANTK_CUDA_TRY(cu, cuDeviceGetAttribute, "compute capability major", &major,
                 CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
  GANTK_CUDA_TRY(cu, cuDeviceGetAttribute, "compute capability minor", &minor,
                 CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
  int sm = major * 10 + minor;
  name = std::string(deviceName) + " (sm_" + std::to_string(sm) + ")";

  GANTK_CUDA_TRY(cu, cuDevicePrimaryCtxRetain, name, &context, device);
  contextRetained = true;
  GANTK_CUDA_TRY(cu, cuCtxSetCurrent, name, context);
  size_t total = 0;
  GANTK_CUDA_TRY(cu, cuMemGetInfo_v2, "", &freeAtStart, &total);
  GANTK_CUDA_TRY(cu, cuStreamCreate, "", &stream, CU_STREAM_NON_BLOCKING);

  // The plan is exact: refuse now rather than fail mid-step.
  uint64_t arenaBytes = art.root().arena_bytes();
  if (arenaBytes > freeAtStart)
    return makeError(ErrorCode::ResourceExhausted,
                     art.name() + ": the memory plan needs " +
                         formatBytes(arenaBytes) + " but " + name +
                         " has only " + formatBytes(freeAtStart) +
                         " free; compile with a smaller --memory-budget or a "
                         "smaller n");
  GANTK_CUDA_TRY(cu, cuMemAlloc_v2, formatBytes(arenaBytes), &arena,
                 size_t(arenaBytes));
  // Zeroed, as the CPU arena is; on the session's stream, which does not
  // wait for the legacy default stream.
  GANTK_CUDA_TRY(cu, cuMemsetD8Async, formatBytes(arenaBytes), arena, 0,
                 size_t(arenaBytes), stream);
  GANTK_CUDA_TRY(cu, cuStreamSynchronize, "", stream);
  if (Status s = loadModule(sm); !s.ok())
    return s;
  if (Status s = allocateWorkspaces(sm); !s.ok())
    return s;
  notePeakMemory();
  return {};
}

Status CudaDevice::loadModule(int sm) {
  const auto *kernels = art.root().kernels();
  if (!kernels || kernels->size() == 0)
    return {};
  Result<const fbs::CodeObject *> code = art.ptxFor(sm);
  if (!code.ok())
    return code.status();
  const std::string target = (*code)->target()->str();
  // The driver reads PTX as a NUL-terminated string.
  std::string ptx((*code)->blob()->begin(), (*code)->blob()->end());
  std::vector<char> log(16384, '\0');
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log.data(),
                    reinterpret_cast<void *>(uintptr_t(log.size() - 1))};
  CUresult loaded =
      api->cuModuleLoadDataEx(&module, ptx.c_str(), 2, options, values);
  if (Status s = check(*api, loaded, "cuModuleLoadDataEx", target); !s.ok())
    return makeError(s.error().code,
                     art.name() + ": cannot load the " + target +
                         " code object on " + name + ": " + s.message() +
                         (log[0] ? std::string("\n") + log.data() : ""));
  for (const fbs::Kernel *k : *kernels) {
    const std::string kernel = k->name()->str();
    if (k->gpu_block() < 1 || k->gpu_block() > 1024)
      return makeError(ErrorCode::InvalidArgument,
                       art.name() + ": kernel '" + kernel + "': gpu_block " +
                           std::to_string(k->gpu_block()) +
                           " must be in [1, 1024]");
    CUfunction fn = nullptr;
    CUresult found = api->cuModuleGetFunction(&fn, module, kernel.c_str());
    if (Status s = check(*api, found, "cuModuleGetFunction", kernel); !s.ok())
      return makeError(s.error().code, art.name() + ": kernel '" + kernel +
                                           "' is not in the " + target +
                                           " code object: " + s.message());
    functions.push_back(fn);
  }
  return {};
}

Status CudaDevice::allocateWorkspaces(int sm) {
  const Api &cu = *api;
  GANTK_CUDA_TRY(cu, cublasCreate_v2, "", &blas);
  GANTK_CUDA_TRY(cu, cublasSetStream_v2, "", blas, stream);
  blasWorkspaceBytes = blasWorkspaceFor(sm);
  GANTK_CUDA_TRY(cu, cuMemAlloc_v2, formatBytes(blasWorkspaceBytes),
                 &blasWorkspace, size_t(blasWorkspaceBytes));
  GANTK_CUDA_TRY(cu, cublasSetWorkspace_v2, formatBytes(blasWorkspaceBytes),
                 blas, reinterpret_cast<void *>(uintptr_t(blasWorkspace)),
                 size_t(blasWorkspaceBytes));

  cudaDataType type = f64() ? CUDA_R_64F : CUDA_R_32F;
  size_t elemSize = art.elementSize();
  size_t hostBytes = 0;
  int64_t krylovElements = 0;
  const auto *commands = art.root().commands();
  // Only the eigensolver and the Krylov commands need workspaces of their
  // own; the largest of each kind is allocated once.
  for (uint32_t i = 0; i < commands->size(); ++i) {
    auto sizeSyevd = [&](const fbs::Syevd &e) -> Status {
      if (!solver) {
        GANTK_CUDA_TRY(cu, cusolverDnCreate, "", &solver);
        GANTK_CUDA_TRY(cu, cusolverDnSetStream, "", solver, stream);
        GANTK_CUDA_TRY(cu, cusolverDnCreateParams, "", &solverParams);
      }
      size_t onDevice = 0, onHost = 0;
      GANTK_CUDA_TRY(cu, cusolverDnXsyevd_bufferSize,
                     "n = " + std::to_string(e.n()), solver, solverParams,
                     CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_LOWER, e.n(),
                     type, reinterpret_cast<const void *>(at(e.a())), e.n(),
                     type, reinterpret_cast<const void *>(at(e.w())), type,
                     &onDevice, &onHost);
      syevdWorkspaceBytes = std::max<uint64_t>(syevdWorkspaceBytes, onDevice);
      hostBytes = std::max(hostBytes, onHost);
      syevdCommands.push_back(i);
      return {};
    };
    auto sizeKrylov = [&](const fbs::Krylov &k) -> Status {
      KrylovProblem p;
      p.gradient = k.mode() != fbs::KrylovMode::Action;
      p.n = k.n();
      p.columns = k.columns();
      p.maxBlocks = k.max_blocks();
      p.rank = k.rank();
      krylovElements = std::max(krylovElements, krylovScratchElements(p));
      return {};
    };
    // Gemm and Dispatch need none; RowTiles, DenseRanks and unknown commands
    // never get here (refused by create() and by the verifier).
    Status s = visitCommand(
        *commands->Get(i),
        Overloaded{sizeSyevd, sizeKrylov,
                   [](const fbs::Gemm &) { return Status(); },
                   [](const fbs::Dispatch &) { return Status(); },
                   [](const fbs::RowTiles &) { return Status(); },
                   [](const fbs::DenseRanks &) { return Status(); },
                   [](UnknownCommand) { return Status(); }});
    if (!s.ok())
      return s;
  }
  if (syevdWorkspaceBytes > 0)
    GANTK_CUDA_TRY(cu, cuMemAlloc_v2, formatBytes(syevdWorkspaceBytes),
                   &syevdWorkspace, size_t(syevdWorkspaceBytes));
  syevdHostWorkspace.resize(hostBytes);
  if (!syevdCommands.empty()) {
    syevdInfoHost.assign(syevdCommands.size(), 0);
    GANTK_CUDA_TRY(cu, cuMemAlloc_v2,
                   formatBytes(syevdCommands.size() * sizeof(int)), &syevdInfo,
                   syevdCommands.size() * sizeof(int));
  }
  krylovScratchBytes = uint64_t(krylovElements) * elemSize;
  if (krylovScratchBytes > 0)
    GANTK_CUDA_TRY(cu, cuMemAlloc_v2, formatBytes(krylovScratchBytes),
                   &krylovScratch, size_t(krylovScratchBytes));
  return {};
}

void CudaDevice::release() {
  if (!api)
    return;
  // Teardown errors are not actionable: free what can be freed.
  if (context)
    api->cuCtxSetCurrent(context);
  if (stream)
    api->cuStreamSynchronize(stream);
  if (solverParams)
    api->cusolverDnDestroyParams(solverParams);
  if (solver)
    api->cusolverDnDestroy(solver);
  if (blas)
    api->cublasDestroy_v2(blas);
  for (CUdeviceptr p :
       {krylovScratch, syevdInfo, syevdWorkspace, blasWorkspace, arena})
    if (p)
      api->cuMemFree_v2(p);
  if (module)
    api->cuModuleUnload(module);
  if (stream)
    api->cuStreamDestroy_v2(stream);
  if (contextRetained)
    api->cuDevicePrimaryCtxRelease_v2(device);
  api = nullptr;
}

void CudaDevice::notePeakMemory() {
  size_t free = 0, total = 0;
  if (api->cuMemGetInfo_v2(&free, &total) == CUDA_SUCCESS && free < freeAtStart)
    peakUsed = std::max<uint64_t>(peakUsed, freeAtStart - free);
}

DeviceMemory CudaDevice::memory() const {
  DeviceMemory m;
  m.deviceName = name;
  m.arenaBytes = art.root().arena_bytes();
  m.workspaceBytes = blasWorkspaceBytes + syevdWorkspaceBytes +
                     syevdInfoHost.size() * sizeof(int) + krylovScratchBytes;
  m.peakUsedBytes = peakUsed;
  return m;
}

std::string CudaDevice::where(uint32_t index) const {
  const fbs::CommandEntry *entry = art.root().commands()->Get(index);
  return art.name() + ": command " + std::to_string(index) +
         (entry->label() ? " (" + entry->label()->str() + ")" : "") + ": ";
}

Status CudaDevice::step(std::vector<double> *seconds, bool skipOnce) {
  using Clock = std::chrono::steady_clock;
  const Api &cu = *api;
  // The caller's thread may not be the one that created the session.
  GANTK_CUDA_TRY(cu, cuCtxSetCurrent, name, context);
  uint32_t count = art.root().commands()->size();
  for (uint32_t i = 0; i < count; ++i) {
    if (skipOnce && art.root().commands()->Get(i)->once())
      continue;
    Clock::time_point start = Clock::now();
    Status s = runCommand(i);
    if (s.ok() && seconds)
      s = check(cu, cu.cuStreamSynchronize(stream), "cuStreamSynchronize");
    if (!s.ok())
      return makeError(s.error().code, where(i) + s.message());
    if (seconds)
      (*seconds)[i] +=
          std::chrono::duration<double>(Clock::now() - start).count();
  }
  // devInfo of every eigensolver comes back with the step's one wait.
  if (!syevdCommands.empty())
    GANTK_CUDA_TRY(cu, cuMemcpyDtoHAsync_v2, "syevd info",
                   syevdInfoHost.data(), syevdInfo,
                   syevdInfoHost.size() * sizeof(int), stream);
  if (Status s =
          check(cu, cu.cuStreamSynchronize(stream), "cuStreamSynchronize");
      !s.ok())
    return makeError(s.error().code,
                     art.name() + ": step on " + name + ": " + s.message());
  for (size_t slot = 0; slot < syevdCommands.size(); ++slot)
    if (int info = syevdInfoHost[slot]; info != 0)
      return makeError(
          ErrorCode::Internal,
          where(syevdCommands[slot]) + "cusolverDnXsyevd failed (info = " +
              std::to_string(info) +
              (info > 0 ? ", the eigensolver did not converge; the kernel "
                          "matrix may contain NaN or Inf)"
                        : ")"));
  notePeakMemory();
  return {};
}

Status CudaDevice::runCommand(uint32_t index) {
  // The verifier rejected unknown command types on load, and create() every
  // matrix-free artifact (RowTiles, Krylov with an operator, DenseRanks).
  auto unreachable = []() -> Status {
    return makeError(ErrorCode::Internal, "unreachable command type");
  };
  return visitCommand(
      *art.root().commands()->Get(index),
      Overloaded{[&](const fbs::Gemm &g) { return gemm(g); },
                 [&](const fbs::Syevd &e) {
                   size_t slot = size_t(std::find(syevdCommands.begin(),
                                                  syevdCommands.end(), index) -
                                        syevdCommands.begin());
                   return syevd(e, slot);
                 },
                 [&](const fbs::Dispatch &d) { return dispatch(d); },
                 [&](const fbs::Krylov &k) { return krylov(k); },
                 [&](const fbs::RowTiles &) { return unreachable(); },
                 [&](const fbs::DenseRanks &) { return unreachable(); },
                 [&](UnknownCommand) { return unreachable(); }});
}

Status CudaDevice::gemm(const fbs::Gemm &g) {
  // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: the same
  // buffers read column-major, with the operands swapped.
  cublasOperation_t ta = g.trans_a() ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublasOperation_t tb = g.trans_b() ? CUBLAS_OP_T : CUBLAS_OP_N;
  // All k terms even with live_k_from: the Krylov command's dimension is
  // the host's only after it waits for the stream; the terms past it are
  // zeros.
  int m = int(g.m()), n = int(g.n()), k = int(g.k());
  std::string what = "m = " + std::to_string(m) + ", n = " + std::to_string(n) +
                     ", k = " + std::to_string(k);
  // A's last m columns a symmetric block, its upper triangle stored:
  // Cᵀ = B[:o]ᵀ A[:, :o]ᵀ (?gemm), then + B[o:]ᵀ S (?symm, S's lower
  // triangle column-major; neither operand transposed: verified).
  int o = int(g.a_symmetric_from());
  auto run = [&](auto *type) -> Status {
    using T = std::remove_pointer_t<decltype(type)>;
    const T *a = reinterpret_cast<const T *>(at(g.a()));
    const T *b = reinterpret_cast<const T *>(at(g.b()));
    T *c = reinterpret_cast<T *>(at(g.c()));
    if (o < 0)
      return cuda::gemm(*api, blas, tb, ta, n, m, k, g.alpha(), b, g.ldb(), a,
                        g.lda(), g.beta(), c, g.ldc(), what);
    if (o > 0)
      if (Status s =
              cuda::gemm(*api, blas, tb, ta, n, m, o, g.alpha(), b, g.ldb(), a,
                         g.lda(), g.beta(), c, g.ldc(), what);
          !s.ok())
        return s;
    return cuda::symmRight(*api, blas, n, m, g.alpha(), a + o, g.lda(),
                           b + int64_t(o) * g.ldb(), g.ldb(),
                           o > 0 ? 1.0 : g.beta(), c, g.ldc(), what);
  };
  return f64() ? run(static_cast<double *>(nullptr))
               : run(static_cast<float *>(nullptr));
}

Status CudaDevice::syevd(const fbs::Syevd &e, size_t slot) {
  // LAPACK's layout: column-major, lower triangle; `a` ends up holding the
  // eigenvectors as columns and `w` the ascending eigenvalues. The planned
  // work/iwork views are the CPU's; cuSOLVER uses the workspace sized at
  // load.
  cudaDataType type = f64() ? CUDA_R_64F : CUDA_R_32F;
  GANTK_CUDA_TRY(
      *api, cusolverDnXsyevd, "n = " + std::to_string(e.n()), solver,
      solverParams, CUSOLVER_EIG_MODE_VECTOR, CUBLAS_FILL_MODE_LOWER, e.n(),
      type, reinterpret_cast<void *>(at(e.a())), e.n(), type,
      reinterpret_cast<void *>(at(e.w())), type,
      reinterpret_cast<void *>(syevdWorkspace), size_t(syevdWorkspaceBytes),
      syevdHostWorkspace.empty() ? nullptr : syevdHostWorkspace.data(),
      syevdHostWorkspace.size(),
      reinterpret_cast<int *>(syevdInfo + slot * sizeof(int)));
  return {};
}

Status CudaDevice::dispatch(const fbs::Dispatch &d) {
  if (d.range() <= 0)
    return {};
  const fbs::Kernel *k = art.root().kernels()->Get(d.kernel());
  // One thread per index of [0, range): begin = 0, end = range.
  uint64_t block = k->gpu_block();
  uint64_t grid = (uint64_t(d.range()) + block - 1) / block;
  if (grid > uint64_t(INT32_MAX))
    return makeError(ErrorCode::InvalidArgument,
                     "kernel '" + k->name()->str() + "': range " +
                         std::to_string(d.range()) +
                         " needs more than 2^31 - 1 blocks");
  size_t numArgs = d.args() ? d.args()->size() : 0;
  launchArgs.resize(numArgs + 2);
  launchParams.resize(numArgs + 2);
  for (size_t i = 0; i < numArgs; ++i)
    launchArgs[i] = arena + d.args()->Get(uint32_t(i));
  launchArgs[numArgs] = 0;
  launchArgs[numArgs + 1] = uint64_t(d.range());
  for (size_t i = 0; i < launchArgs.size(); ++i)
    launchParams[i] = &launchArgs[i];
  GANTK_CUDA_TRY(*api, cuLaunchKernel, k->name()->str(), functions[d.kernel()],
                 unsigned(grid), 1, 1, unsigned(block), 1, 1, 0,
                 stream, launchParams.data(), nullptr);
  return {};
}

Status CudaDevice::krylov(const fbs::Krylov &k) {
  KrylovProblem problem = krylovProblem(k);
  KrylovContext handles{api, stream, blas, krylovScratch};
  auto run = [&](auto *type) -> Status {
    using T = std::remove_pointer_t<decltype(type)>;
    // cuBLAS takes device addresses as typed pointers.
    KrylovBuffers<T> buffers = krylovBuffers<T>(k, uintptr_t(arena));
    std::unique_ptr<KrylovBackend<T>> backend =
        makeCudaKrylovBackend<T>(handles, problem, buffers);
    Result<KrylovStats> stats = runKrylov(problem, *backend);
    if (!stats.ok())
      return stats.status();
    // Pageable memory: the copy is staged before the call returns.
    T values[2] = {T(stats->dimension), T(stats->estimate)};
    GANTK_CUDA_TRY(*api, cuMemcpyHtoDAsync_v2, "Krylov stats", at(k.stats()),
                   values, sizeof(values), stream);
    return {};
  };
  return f64() ? run(static_cast<double *>(nullptr))
               : run(static_cast<float *>(nullptr));
}

Status CudaDevice::writeView(const fbs::View &view, const double *values) {
  size_t count = view.elements();
  if (count == 0)
    return {};
  std::vector<float> staging;
  const void *src = values;
  if (!f64()) {
    staging.assign(values, values + count);
    src = staging.data();
  }
  size_t bytes = count * art.elementSize();
  GANTK_CUDA_TRY(*api, cuCtxSetCurrent, name, context);
  GANTK_CUDA_TRY(*api, cuMemcpyHtoDAsync_v2, formatBytes(bytes), at(&view),
                 src, bytes, stream);
  GANTK_CUDA_TRY(*api, cuStreamSynchronize, "", stream);
  return {};
}

Status CudaDevice::readView(const fbs::View &view, double *out) const {
  size_t count = view.elements();
  if (count == 0)
    return {};
  size_t bytes = count * art.elementSize();
  std::vector<float> staging(f64() ? 0 : count);
  void *dst = f64() ? static_cast<void *>(out) : staging.data();
  GANTK_CUDA_TRY(*api, cuCtxSetCurrent, name, context);
  GANTK_CUDA_TRY(*api, cuMemcpyDtoHAsync_v2, formatBytes(bytes), dst,
                 at(&view), bytes, stream);
  GANTK_CUDA_TRY(*api, cuStreamSynchronize, "", stream);
  if (!f64())
    std::copy(staging.begin(), staging.end(), out);
  return {};
}
