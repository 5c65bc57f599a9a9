//===- Train.h - The optimiser loop over generated points -------*- C++ -*-===//

#ifndef GANTK_RUNTIME_TRAIN_H
#define GANTK_RUNTIME_TRAIN_H

#include "gantk/runtime/Data.h"
#include "gantk/runtime/Report.h"
#include "gantk/runtime/Result.h"

#include "artifact_generated.h"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace gantk {

class Communicator;
class Session;

/// The update rule of the optimiser (a plain copy of schema::TrainSpec).
struct OptimizerConfig {
  schema::OptimizerKind kind = schema::OptimizerKind::GD;
  double lr = 0.01;
  bool clip = false;
  double clipLo = 0, clipHi = 1;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;

  static OptimizerConfig fromSpec(const schema::TrainSpec &spec);
};

/// Gradient descent or Adam over a flat parameter vector.
class Optimizer {
public:
  Optimizer(const OptimizerConfig &config, size_t size);

  /// One update of z (size values) with gradient g:
  ///   GD:   z -= lr * g
  ///   Adam: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
  ///         z -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
  /// then, with clip, z is clamped to [clipLo, clipHi].
  void update(double *z, const double *g);
  /// Gradient descent on the rows `rows` (each `width` values) of z only:
  /// update() exactly when g is zero on the other rows and they lie within
  /// the clip range (batch-wise steps after a first whole update). GD only.
  void updateRows(double *z, const double *g, const std::vector<int64_t> &rows,
                  int64_t width);

  /// Updates done so far.
  int64_t steps() const { return t; }
  /// Adam's first and second moments (empty for gradient descent).
  const std::vector<double> &firstMoments() const { return m; }
  const std::vector<double> &secondMoments() const { return v; }
  /// Continues from a checkpoint: `steps` updates done, with these moments
  /// (which must have the optimiser's size, or be empty for GD).
  void restore(int64_t steps, std::vector<double> firstMoments,
               std::vector<double> secondMoments);

private:
  OptimizerConfig config;
  size_t size;
  std::vector<double> m, v;
  int64_t t = 0;
};

/// The initial generated points: Uniform[0, 1) or Normal(0, 1), drawn from
/// std::mt19937_64(seed).
std::vector<double> initialPoints(schema::InitKind init, size_t count,
                                  uint64_t seed);

/// The seed of the generated side of rank `rank`'s problem when
/// `mpirun -n P gantk run SPEC` runs P independent problems
/// (TrainOptions::problemSeed): `seed` itself for rank 0, so that rank 0
/// starts like a single run of its rows; for rank r > 0,
/// mixBits(seed ^ (r · 0xd1b54a32d192ed03)) (Random.h's mixer of a fixed
/// odd multiple of r), a different stream for every rank.
uint64_t problemSeed(uint64_t seed, int rank);

/// The seed of the initial points derived from TrainSpec.seed, distinct from
/// the real-data seed so that X and Z are independent draws.
uint64_t initSeed(uint64_t seed);

/// Batch-wise GA-NTK: the `count` distinct rows, ascending, of `total` that
/// step `step` (1, 2, …) takes from one stream (`stream`: 0 real, 1
/// generated; the streams draw independently). Without `epoch` each step is
/// a fresh sample without replacement; with it the steps go through
/// shuffled passes over the rows, ceil(total / count) steps a pass, the
/// last step of a pass topped up from the pass's first rows, so that every
/// row is taken at least once a pass. A pure function of its arguments: a
/// resumed run draws what the uninterrupted one drew.
std::vector<int64_t> batchRows(uint64_t seed, int stream, int64_t step,
                               int64_t total, int64_t count, bool epoch);

/// The rows `rows` of `values` (rows of `width` values each), in that order.
std::vector<double> gatherRows(const std::vector<double> &values,
                               const std::vector<int64_t> &rows,
                               int64_t width);

/// GA-NTKg: writes θ and the latent rows of training step `step`
/// (latentRows of the artifact's seed, or of `seed` when given, n_fake of
/// them) into the session's generator views, from which its step makes
/// Z = G(E; θ).
Status setGeneratorInputs(Session &session, const std::vector<double> &theta,
                          int64_t step,
                          std::optional<uint64_t> seed = std::nullopt);

/// Options of a training run.
struct TrainOptions {
  /// Overrides TrainSpec.steps.
  std::optional<int64_t> steps;
  /// Overrides OutputSpec.dir (created if missing); "." when both are empty.
  std::string outDir;
  /// Progress goes here (null: none, `--quiet`): one line every
  /// OutputSpec.every steps and at the last, or with liveProgress one line
  /// rewritten in place (a terminal), with the time left (Progress.h).
  std::ostream *log = nullptr;
  bool liveProgress = false;
  /// Write DIR/report.html, DIR/loss.png and (with a plot) a snapshot of
  /// the samples DIR/snapshots/step-NNNNNN.png every OutputSpec.every steps
  /// and at the last. `reportBase` holds what the caller knows and the
  /// runtime does not (the spec's text, the memory plan, versions); train()
  /// adds the losses, timings and images.
  bool report = true;
  RunReport reportBase;
  /// Overrides OutputSpec.checkpoint_every (0: no checkpoints).
  std::optional<int64_t> checkpointEvery;
  /// Continue the run saved in this checkpoint (a file, or a directory
  /// holding checkpoint.gantk); the output directory defaults to it.
  std::string resumeFrom;
  /// Samples (samples.npy, TrainResult::samples, onStep) in the unit
  /// scaling the steps train in (`scale = unit`), not in the data's own
  /// coordinates.
  bool unitSamples = false;
  /// Image data: also write each final sample as DIR/samples/NNNNNN.png.
  bool samplePngs = false;
  /// Called after every step t with its loss and the generated points as
  /// samples.npy would hold them after that step (n_fake x dim, in data
  /// units unless unitSamples). Returning false stops the run after the
  /// step, as if it were the last (its outputs are written).
  std::function<bool(int64_t step, double loss,
                     const std::vector<double> &samples)>
      onStep;
  /// The MPI job this run is one rank of (Comm.h; null: a process alone).
  /// Whatever the mode, only its rank 0 prints (`log`) and writes DIR's
  /// files; every rank must call train() with the same options but
  /// problemSeed.
  Communicator *comm = nullptr;
  /// With a `comm` of more than one rank: true, each rank runs its own
  /// independent problem (`mpirun -n P gantk run SPEC`: its share of the
  /// generated rows, its own problemSeed); the progress and loss history
  /// hold the loss summed over the P problems (one sum of one double a
  /// step), the samples are gathered to rank 0 at each output step and
  /// written as one samples.npy in rank order, and rank r > 0 keeps its
  /// checkpoint in DIR/ranks/R/. False: the ranks run one problem in
  /// lockstep (Session::distribute), nothing is summed or gathered here.
  bool independentProblems = false;
  /// The seed of the generated side's draws (Z's initial points, the
  /// batch-wise row draws of both streams, a generator's θ initialisation
  /// and latent rows) instead of TrainSpec.seed; the real rows are still
  /// loaded with TrainSpec.seed. Independent problems: problemSeed(seed, r).
  std::optional<uint64_t> problemSeed;
};

/// What a training run produced.
struct TrainResult {
  int64_t steps = 0;
  /// Loss before each update, one per step.
  std::vector<double> losses;
  /// Mean wall time of one step (command run plus update).
  double secondsPerStep = 0;
  /// The wall time of each step this run made (a resumed run: from its
  /// first step on).
  std::vector<double> stepSeconds;
  /// The final generated points, n_fake x dim (with a generator: the last
  /// step's Z), in the data's coordinates unless TrainOptions::unitSamples.
  std::vector<double> samples;
  /// What the data's `scale = unit` did (samples in data units are
  /// units.toData of the training values).
  UnitMap units;
  /// With TrainOptions::samplePngs: DIR/samples/ (empty otherwise).
  std::string samplePngDir;
  /// With TrainOptions::report: DIR/report.html and DIR/loss.png.
  std::string reportHtml, lossPng;
  std::string samplesNpy, samplesPng;
  /// DIR/real.npy: the real rows the run trained on (all of them,
  /// batch-wise), in the samples' units.
  std::string realNpy;
  /// The last checkpoint written (empty: none).
  std::string checkpoint;
  /// The step a resumed run started after (0: a fresh run).
  int64_t resumedAt = 0;
};

/// Loads the real data (written once as DIR/real.npy, in the samples'
/// units), runs the optimiser loop of the artifact's TrainSpec
/// and writes DIR/samples.npy and (when the output spec asks for a plot)
/// DIR/samples.png every OutputSpec.every steps and at the end, all
/// atomically; with checkpoints, DIR/checkpoint.gantk every
/// checkpoint_every steps and at the end (a generator's run, GA-NTKg,
/// always writes the one at the end: it holds θ, which `gantk sample`
/// reads; its optimiser moves θ, with fresh latent rows each step,
/// Generator.h). A step whose loss, gradient or
/// updated points are not finite stops the run naming the step and the
/// command that produced the first non-finite value; the last checkpoint
/// stays.
Result<TrainResult> train(Session &session, const TrainOptions &options);

} // namespace gantk

#endif // GANTK_RUNTIME_TRAIN_H
