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

#include "gantk/runtime/Result.h"

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
  std::vector<double> points;
  /// Adam's moments (empty for gradient descent).
  std::vector<double> adamM, adamV;
  std::vector<double> losses;
};

/// Writes `state` of a run of `artifact` to `path` atomically: the previous
/// checkpoint stays whole until the new one is complete on disk.
Status writeCheckpoint(const std::string &path, const Artifact &artifact,
                       const RunState &state);

/// Reads the checkpoint at `path` (a file, or a directory holding
/// kCheckpointFile), checks its integrity, and that `artifact` wrote it;
/// a checkpoint of another artifact is refused naming what differs.
Result<RunState> readCheckpoint(const std::string &path,
                                const Artifact &artifact);

} // namespace gantk

#endif // GANTK_RUNTIME_CHECKPOINT_H
