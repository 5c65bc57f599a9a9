//===- CudaDevice.h - One artifact's steps on a CUDA GPU --------*- C++ -*-===//
//
// The device session of one artifact on the first CUDA device: its primary
// context and one stream, ONE device arena of the plan's arena_bytes (the
// same offsets as on the CPU), the PTX module of the newest code object the
// device can run, cuBLAS and cuSOLVER handles and their workspaces, which are
// allocated once at load, outside the arena. A step enqueues every command
// on the stream and waits once at its end (Krylov commands wait for their
// small host-side projections).
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_CUDA_CUDADEVICE_H
#define GANTK_RUNTIME_CUDA_CUDADEVICE_H

#include "../DeviceSession.h"
#include "CudaApi.h"

#include "gantk/runtime/Krylov.h"

#include <string>
#include <vector>

namespace gantk::cuda {

/// The handles a Krylov command on the device works with.
struct KrylovContext {
  const Api *api = nullptr;
  CUstream stream = nullptr;
  cublasHandle_t blas = nullptr;
  /// Device scratch for the small products it uploads and downloads
  /// (capacity × max(width, rank) elements at least).
  CUdeviceptr scratch = 0;
};

/// A KrylovBackend on device buffers (KrylovBuffers hold device addresses).
template <typename T>
std::unique_ptr<KrylovBackend<T>>
makeCudaKrylovBackend(const KrylovContext &context,
                      const KrylovProblem &problem,
                      const KrylovBuffers<T> &buffers);

/// Elements of the scratch a Krylov command needs on the device.
int64_t krylovScratchElements(const KrylovProblem &problem);

class CudaDevice final : public DeviceSession {
public:
  static Result<std::unique_ptr<CudaDevice>> create(const Artifact &artifact);
  ~CudaDevice() override;

  Status step(std::vector<double> *seconds, bool skipOnce) override;
  Status writeView(const schema::View &view, const double *values) override;
  Status readView(const schema::View &view, double *out) const override;
  DeviceMemory memory() const override;

private:
  explicit CudaDevice(const Artifact &artifact);
  Status open();
  Status loadModule(int sm);
  Status allocateWorkspaces(int sm);
  Status runCommand(uint32_t index);
  Status gemm(const schema::Gemm &g);
  Status syevd(const schema::Syevd &e, size_t slot);
  Status dispatch(const schema::Dispatch &d);
  Status krylov(const schema::Krylov &k);
  /// Frees and unloads everything (the destructor; also after a failed
  /// create).
  void release();
  /// Samples cuMemGetInfo into the peak.
  void notePeakMemory();
  /// "ART: command I (LABEL): ".
  std::string where(uint32_t index) const;
  CUdeviceptr at(const schema::View *view) const {
    return arena + view->offset();
  }
  bool f64() const {
    return art.root().precision() == schema::Precision::F64;
  }

  const Artifact &art;
  const Api *api = nullptr;
  CUdevice device = 0;
  bool contextRetained = false;
  CUcontext context = nullptr;
  CUstream stream = nullptr;
  CUmodule module = nullptr;
  std::vector<CUfunction> functions;
  cublasHandle_t blas = nullptr;
  cusolverDnHandle_t solver = nullptr;
  cusolverDnParams_t solverParams = nullptr;

  CUdeviceptr arena = 0;
  /// cuBLAS's workspace (set explicitly so that it is counted).
  CUdeviceptr blasWorkspace = 0;
  uint64_t blasWorkspaceBytes = 0;
  /// cusolverDnXsyevd's device and host workspaces, the largest over the
  /// Syevd commands, and one devInfo per Syevd command.
  CUdeviceptr syevdWorkspace = 0;
  uint64_t syevdWorkspaceBytes = 0;
  std::vector<uint8_t> syevdHostWorkspace;
  CUdeviceptr syevdInfo = 0;
  std::vector<int> syevdInfoHost;
  std::vector<uint32_t> syevdCommands;
  /// Scratch of the Krylov commands.
  CUdeviceptr krylovScratch = 0;
  uint64_t krylovScratchBytes = 0;

  std::string name;
  size_t freeAtStart = 0;
  uint64_t peakUsed = 0;
  std::vector<uint64_t> launchArgs;
  std::vector<void *> launchParams;
};

} // namespace gantk::cuda

#endif // GANTK_RUNTIME_CUDA_CUDADEVICE_H
