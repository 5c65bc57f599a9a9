//===- Driver.h - What the gantk commands do, as functions ------*- C++ -*-===//
//
// The work of `gantk compile`, `run`, `grad`, `kernel`, `bench` and
// `tune-lambda` from a checked spec (Spec.h) to results: compiling a step,
// opening a session on it, the lambda search, dL/dZ and the kernels. Each
// returns a Result or Status whose message is the tool's (Errors.h); the
// tool (tools/gantk) adds the command line, the printing and the exit
// statuses, the Python package (python/) the bindings. Nothing here prints,
// except the lambda search's trace to the stream it is given.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_DRIVER_DRIVER_H
#define GANTK_DRIVER_DRIVER_H

#include "gantk/Compiler/Compilation.h"
#include "gantk/Driver/Rows.h"
#include "gantk/Driver/Spec.h"
#include "gantk/Frontend/MLIRGen.h"
#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/Report.h"
#include "gantk/runtime/Result.h"
#include "gantk/runtime/Session.h"

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gantk::driver {

/// The session options every running command takes.
struct RunOptions {
  /// Kernel and BLAS threads (0: the runtime's default).
  int threads = 0;
  DeviceKind device = DeviceKind::Cpu;
  /// Bytes one step may use (0: the spec's memory_budget, if any; over
  /// ranks, per rank).
  double budget = 0;
  /// MPI ranks a spec's step is compiled for (`--ranks P`): with P > 1 the
  /// step is split over the ranks of the job (mpirun -n P), each making
  /// its row tiles of K (docs/distributed.md).
  int ranks = 1;
};

/// What a spec is compiled for when it runs on `device`: CPU code always,
/// PTX as well for cuda.
std::vector<Target> targetsFor(DeviceKind device);

/// A compiled step.
struct Compiled {
  /// The artifact's FlatBuffers buffer (saveArtifact seals it into a file).
  std::vector<uint8_t> buffer;
  PlanSummary plan;
  /// N (the step's rows of X and Z together, or of S) and d.
  int64_t points = 0, dim = 0;
};

/// The lines gantk prints about a compiled step's memory plan: its peak and
/// the op at it, the per-pair recursion, the per-thread scratch of maps.
std::string planReport(const Compiled &compiled);

/// Compiles a spec's step (`gantk compile SPEC`): its shape with `n` rows
/// (the spec's otherwise), the plot check, the lambda search when the spec
/// asks for one (run with `search`, its trace to `searchLog`), the graph,
/// and the artifact under `options`.
Result<Compiled> compileSpec(LoadedSpec &loaded, std::optional<int64_t> n,
                             const CompileOptions &options,
                             const RunOptions &search, std::ostream &searchLog);

/// What saveArtifact wrote.
struct SavedArtifact {
  size_t bytes = 0;
  /// The file's SHA-256 (64 hex digits), as gantk describe prints it.
  std::string digest;
};

/// Writes `buffer` as an artifact file (sealed with its SHA-256) at `path`,
/// atomically.
Result<SavedArtifact> saveArtifact(const std::vector<uint8_t> &buffer,
                                   const std::string &path);

/// Opens a session on a loaded artifact (its load's failure passes on).
Result<std::unique_ptr<Session>> openArtifact(Result<Artifact> artifact,
                                              const RunOptions &options);
/// Verifies an artifact buffer (named `name` in messages) and opens a
/// session on it.
Result<std::unique_ptr<Session>> openBuffer(std::vector<uint8_t> buffer,
                                            const std::string &name,
                                            const RunOptions &options);
/// A spec's graph at `shape`, compiled for the device and opened there:
/// the prelude of grad, kernel, bench and the lambda search. `plan`, when
/// given, receives the memory plan.
Result<std::unique_ptr<Session>>
openSpec(const LoadedSpec &loaded, const GraphShape &shape, EntryKind entry,
         const RunOptions &options, PlanSummary *plan = nullptr);

/// A step whose outputs (`what`) are not finite: the run failure naming the
/// command that made them so, never a file of NaNs.
Error nonFiniteOutput(Session &session, const std::string &what);

/// The paper's Algorithm 1 for a spec (its objective's search eps and
/// start): the kernel of the step's rows — the real rows as a run loads
/// them and its initial Z, or `given` (X then Z, the step's shape) — from
/// the spec's discriminator, lambda doubled from `start` until the
/// discriminator trained on those rows separates real from noise within
/// eps. Writes the trace to `log` and sets the objective's lambda (raw).
Status resolveLambda(LoadedSpec &loaded, const GraphShape &step,
                     const RunOptions &options, std::ostream &log,
                     const std::vector<double> *given = nullptr);

/// What a run's report (DIR/report.html) says that the runtime does not
/// know: the spec's name and text (empty for an artifact), the memory plan
/// of `compiled` (planReport and the layout; none when the artifact was not
/// compiled here: null), and facts about the session (rows, precision,
/// device, threads, lambda, seed, optimiser, versions). train() adds the
/// rest.
RunReport runReport(const std::string &specName, const std::string &specText,
                    const Compiled *compiled, const Session &session);

/// The loss and dL/dZ of one step.
struct Gradient {
  double loss = 0;
  /// dL/dZ, Z's rows and columns.
  std::vector<double> grad;
};

/// The loss and dL/dZ of the spec's step at real rows `x` and generated
/// rows `z` (`gantk grad`); a spec with `lambda = search(...)` searches on
/// those rows first (trace to `searchLog`).
Result<Gradient> grad(LoadedSpec &loaded, const Rows &x, const Rows &z,
                      const RunOptions &options, std::ostream &searchLog);

/// The discriminator's kernels on some rows.
struct Kernels {
  /// Rows, the side of each kernel.
  int64_t points = 0;
  /// points x points, row-major.
  std::vector<double> ntk, nngp;
};

/// The NTK and NNGP of the spec's discriminator (one: selectDiscriminator)
/// on the rows `s` (`gantk kernel`).
Result<Kernels> kernel(const LoadedSpec &loaded, const Rows &s,
                       const RunOptions &options);

/// The inputs of a run's first step written to a session of a spec's step
/// at `shape` (`gantk bench`): the real rows as a run loads them, and the
/// initial Z (or, with a generator, its initial θ and step 1's latent rows).
Status prepareBench(Session &session, const GraphShape &shape);

/// docs/distributed.md's model of the bytes each of `ranks` ranks hands to
/// collectives in one step of a session split over them (after a step: the
/// Krylov runs' products are the last step's): per product with K the
/// N × width block and tr(K); for the dense plan its vector and trace sums,
/// and rank 0's broadcast of the eigenvalues; the backward's m × d rows.
/// ScaLAPACK's own messages are not counted.
std::vector<uint64_t> collectiveBytesModel(const Session &session, int ranks);

} // namespace gantk::driver

#endif // GANTK_DRIVER_DRIVER_H
