//===- Checkpoint.h - Saving and resuming a run ------------------*- C++ -*-===//
//
// A checkpoint holds everything the optimiser loop needs to go on exactly as
// if it had not stopped: the generated points, the optimiser's state and
// the losses so far, with the digest of the artifact that wrote it. The
// run's only random draws (the real rows sampled from the data and Z's start)
// are made from the spec's seed before the first step, so the seed is the
// whole random state; a resumed run on the same artifact and threads gives
// bit for bit the samples of an uninterrupted one.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_CHECKPOINT_H
#define GANTK_RUNTIME_CHECKPOINT_H

#include "gantk/runtime/Data.h"
#include "gantk/runtime/Generator.h"
#include "gantk/runtime/Result.h"
#include "gantk/runtime/Sha256.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gantk {

class Artifact;

/// The file name of a checkpoint in its directory.
constexpr const char *kCheckpointFile = "checkpoint.gantk";

/// The state of a run after `step` updates.
struct RunState {
  int64_t step = 0;
  /// Z, or with a generator its θ.
  std::vector<double> points;
  /// Adam's moments (empty for gradient descent).
  std::vector<double> adamM, adamV;
  std::vector<double> losses;
};

/// Writes the checkpoints of one run of `artifact`. The run's identity (a
/// digest that packs the artifact again) is computed once, and each
/// checkpoint is written from the run's own vectors.
class CheckpointWriter {
public:
  /// `units`: how the run's values map to the data's coordinates (kept
  /// for `gantk sample`).
  explicit CheckpointWriter(const Artifact &artifact, UnitMap units = {});
  /// Independent problems: these checkpoints are rank `rank`'s of `count`
  /// (recorded, and checked by readCheckpoint).
  void setProblem(int rank, int count) {
    problemRank = rank;
    problemCount = count;
  }

  /// Writes the state after `step` updates to `path` atomically: the
  /// previous checkpoint stays whole until the new one is complete on disk.
  /// `adamM` and `adamV` are empty for gradient descent.
  Status write(const std::string &path, int64_t step,
               const std::vector<double> &points,
               const std::vector<double> &adamM,
               const std::vector<double> &adamV,
               const std::vector<double> &losses) const;

private:
  const Artifact &artifact;
  Digest identity;
  UnitMap units;
  int problemRank = 0, problemCount = 1;
};

/// Reads the checkpoint at `path` (a file, or a directory holding
/// kCheckpointFile), checks its integrity, and that `artifact` wrote it;
/// a checkpoint of another artifact is refused naming what differs, and
/// one of another rank or number of independent problems (`problemRank` of
/// `problemCount`; 0 of 1: a run alone) saying how to resume it.
Result<RunState> readCheckpoint(const std::string &path,
                                const Artifact &artifact, int problemRank = 0,
                                int problemCount = 1);

/// A generator run's checkpoint as `gantk sample` reads it: the generator
/// and its θ after `step` updates.
struct GeneratorState {
  GeneratorShape shape;
  std::vector<double> params;
  int64_t step = 0;
  /// The generated points' map to the data's coordinates.
  UnitMap units;
};

/// Reads the checkpoint at `path` (a file, or a directory holding
/// kCheckpointFile) of a run with a generator, checking its integrity; no
/// artifact is needed.
Result<GeneratorState> readGeneratorCheckpoint(const std::string &path);

} // namespace gantk

#endif // GANTK_RUNTIME_CHECKPOINT_H
