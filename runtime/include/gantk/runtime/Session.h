//===- Session.h - Executing a gantk artifact -------------------*- C++ -*-===//
//
// A session owns the arena of one artifact, its loaded kernels and a thread
// pool, and runs one GA-NTK step (all commands in order) on request, on the
// CPU or on a CUDA device. Values cross the API as double whatever the
// artifact's precision.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_SESSION_H
#define GANTK_RUNTIME_SESSION_H

#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/Comm.h"
#include "gantk/runtime/Krylov.h"
#include "gantk/runtime/Result.h"
#include "gantk/runtime/ThreadPool.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gantk {

class DeviceSession;

/// Where a session runs its steps.
enum class DeviceKind { Cpu, Cuda };

/// "cpu" or "cuda" (the drivers' --device), else std::nullopt.
std::optional<DeviceKind> parseDeviceKind(const std::string &name);

/// True when this runtime was built with its CUDA device (the CMake option
/// GANTK_ENABLE_CUDA); without it --device=cuda says so. Whether a GPU
/// answers is only known when a session is created.
bool runtimeHasCuda();

/// Options of a session.
struct SessionOptions {
  /// Threads for kernels and BLAS; 0 means defaultThreadCount().
  int threads = 0;
  /// The CPU, or the first CUDA device (the artifact needs PTX code objects:
  /// compile with --target=cuda).
  DeviceKind device = DeviceKind::Cpu;
};

/// The memory a device session holds on its GPU (all zero on the CPU).
struct DeviceMemory {
  std::string deviceName;      ///< e.g. "NVIDIA H100 80GB HBM3 (sm_90)"
  uint64_t arenaBytes = 0;     ///< the static plan's arena
  uint64_t workspaceBytes = 0; ///< cuBLAS, cuSOLVER and Krylov scratch
  /// The largest drop of the device's free memory (cuMemGetInfo) since the
  /// session's context was made current, sampled after loading and after
  /// every step: arena and workspaces plus what the libraries allocate.
  uint64_t peakUsedBytes = 0;
};

/// One loaded artifact, ready to run steps.
class Session {
public:
  /// The signature every generated kernel has.
  using KernelFn = void (*)(void **args, int64_t begin, int64_t end);

  /// Allocates the arena, loads the code object of the device
  /// (options.device) and resolves the kernels.
  static Result<std::unique_ptr<Session>>
  create(Artifact artifact, const SessionOptions &options = {});
  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  const Artifact &artifact() const { return art; }
  const schema::Artifact &root() const { return art.root(); }
  /// Threads used by dispatches (the caller included).
  int threads() const { return pool.size(); }
  DeviceKind device() const {
    return accelerator ? DeviceKind::Cuda : DeviceKind::Cpu;
  }
  /// The device memory of a CUDA session (all zero on the CPU).
  DeviceMemory deviceMemory() const;

  /// The ranks one step is split over (`gantk compile --ranks P`; 1: a
  /// step of one process).
  int ranks() const { return root().ranks(); }
  /// Runs the step over `comm`'s ranks: each rank makes its own row tiles
  /// of K and of the backward, and the products and rows they make are
  /// summed over the ranks (docs/distributed.md). An error unless the
  /// world has exactly ranks() processes, or on a CUDA session. Every rank
  /// then calls step() in lockstep with the same X and Z.
  Status distribute(Communicator &comm);

  /// Runs every command once, in order; the `once` commands (on X only)
  /// only at the first step after setReal, their results kept.
  Status step();

  /// Runs the step again one command at a time and names the first command
  /// whose results hold a NaN or an infinity, e.g. "command 3 (kernel
  /// pairwise_kernel)"; empty when none does, and on a GPU (whose step runs
  /// as a whole). For the message of a step that went non-finite.
  std::string firstNonFiniteCommand();

  /// Accumulates the wall time of every command over later steps (for
  /// benchmarks that study where a step's time goes).
  void setProfiling(bool on) { profiling = on; }
  /// Seconds spent in each command since profiling started.
  const std::vector<double> &commandTimes() const { return commandSeconds; }
  /// Per command, how far its last Krylov iteration went (zero for other
  /// commands; CPU sessions only): the projected dimension is about the
  /// number of products with K times the block width.
  const std::vector<KrylovStats> &krylovStats() const { return lastKrylov; }

  /// K's extreme eigenvalues as the last step saw them (K with its eig_reg
  /// shift): the ends of a dense plan's eigendecomposition, or the extreme
  /// Ritz values of its Krylov runs (CPU sessions). Empty when the step has
  /// neither. For the message of a loss frozen by exp(−λK) ≈ 0 or I.
  struct Spectrum {
    double smallest, largest;
  };
  std::optional<Spectrum> kernelSpectrum() const;

  /// Writes X (n_real x dim, row-major), converting to the artifact precision.
  Status setReal(const double *values, size_t count);
  /// Writes Z (n_fake x dim, row-major).
  Status setFake(const double *values, size_t count);
  /// The loss of the last step.
  double loss() const;
  /// dL/dZ of the last step into `out` (n_fake x dim).
  Status getGrad(double *out, size_t count) const;
  /// dL/dZ of the last step.
  std::vector<double> grad() const;

  /// Copies `count` doubles into the arena view `view` (converted).
  Status writeView(const schema::View &view, const double *values,
                   size_t count);
  /// Reads a whole arena view as doubles.
  std::vector<double> readView(const schema::View &view) const;

  /// The host arena base (64-byte aligned; null on a CUDA session, whose
  /// arena is in device memory) and the arena's size.
  uint8_t *arena() { return arenaBase; }
  uint64_t arenaBytes() const { return arenaSize; }

private:
  Session(Artifact artifact, int threads);
  Status loadCode();
  /// Where a RowTiles body command runs (Session.cpp).
  struct RowTile;
  Status runCommand(uint32_t index);
  /// Runs command `index` of the step, or, with `tile`, one command of its
  /// RowTiles body on that tile.
  Status runEntry(const schema::CommandEntry &entry, uint32_t index,
                  const RowTile *tile);
  /// The handlers of runEntry, one per command type; `index` and `entry`
  /// name the step's command in errors.
  Status runGemm(const schema::Gemm &g, const RowTile *tile);
  Status runSyevd(const schema::Syevd &e, const schema::CommandEntry &entry,
                  uint32_t index);
  Status runDispatch(const schema::Dispatch &d, const RowTile *tile);
  Status runKrylovCommand(const schema::Krylov &k, uint32_t index);
  Status runRowTiles(const schema::RowTiles &r, uint32_t index);
  Status runDenseRanks(const schema::DenseRanks &d, uint32_t index);
  /// K of a kernel operator on this arena; the recursion kernel's
  /// arguments live in `args`, which must outlive the plan's use.
  template <typename T>
  KernelOperatorPlan<T> operatorPlan(const schema::KernelOperator &op,
                                     int64_t n, std::vector<void *> &args);

  Artifact art;
  ThreadPool pool;
  uint8_t *arenaBase = nullptr;
  uint64_t arenaSize = 0;
  size_t mappedBytes = 0;
  void *library = nullptr;
  int codeFd = -1;
  std::vector<KernelFn> kernels;
  std::vector<void *> argScratch;
  bool profiling = false;
  std::vector<double> commandSeconds;
  std::vector<KrylovStats> lastKrylov;
  /// X was written since the `once` commands last ran.
  bool invariantsStale = true;
  /// Set when the steps run on an accelerator instead of the CPU path.
  std::unique_ptr<DeviceSession> accelerator;
  /// The ranks a distributed step runs over (distribute()); null: alone.
  Communicator *comm = nullptr;
  /// Whether this step's kept row tiles of K are made (a kept-tiles
  /// operator: made by the step's first product).
  bool keptTilesMade = false;
};

} // namespace gantk

#endif // GANTK_RUNTIME_SESSION_H
