//===- Checkpoint.cpp - Saving and resuming a run -------------------------===//

#include "gantk/runtime/Checkpoint.h"
#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Sha256.h"

#include "checkpoint_generated.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>

using namespace gantk;
namespace ck = gantk::checkpoint;

namespace {

constexpr uint32_t kCheckpointFormatVersion = 1;

/// What identifies the run an artifact describes, in the checkpoint's terms.
struct Identity {
  std::string specName, data, precision, optimizer;
  int64_t nReal = 0, nFake = 0, dim = 0;
  uint64_t seed = 0;
  double lr = 0;

  static Identity of(const schema::Artifact &root) {
    Identity id;
    id.specName = root.spec_name() ? root.spec_name()->str() : "";
    id.data = root.data()->path() ? root.data()->path()->str() : "";
    id.precision = root.precision() == schema::Precision::F64 ? "f64" : "f32";
    id.optimizer =
        root.train()->optimizer() == schema::OptimizerKind::Adam ? "adam" : "gd";
    id.nReal = wholeRealRows(root);
    id.nFake = wholeFakeRows(root);
    id.dim = root.dim();
    id.seed = root.train()->seed();
    id.lr = root.train()->lr();
    return id;
  }

  static Identity of(const ck::Checkpoint &c) {
    Identity id;
    id.specName = c.spec_name() ? c.spec_name()->str() : "";
    id.data = c.data() ? c.data()->str() : "";
    id.precision = c.precision() ? c.precision()->str() : "";
    id.optimizer = c.optimizer() ? c.optimizer()->str() : "";
    id.nReal = c.n_real();
    id.nFake = c.n_fake();
    id.dim = c.dim();
    id.seed = c.seed();
    id.lr = c.lr();
    return id;
  }

  /// "field A (checkpoint) vs B (this run)" for each field that differs.
  std::string differences(const Identity &run) const {
    std::ostringstream os;
    auto field = [&](const char *name, const auto &mine, const auto &theirs) {
      if (mine == theirs)
        return;
      os << (os.tellp() > 0 ? ", " : "") << name << ' ' << mine
         << " (checkpoint) vs " << theirs << " (this run)";
    };
    field("data", data, run.data);
    field("precision", precision, run.precision);
    field("n", nReal, run.nReal);
    field("m", nFake, run.nFake);
    field("d", dim, run.dim);
    field("seed", seed, run.seed);
    field("optimizer", optimizer, run.optimizer);
    field("lr", lr, run.lr);
    return os.str();
  }
};

template <typename T>
flatbuffers::Offset<flatbuffers::Vector<T>>
vectorOf(flatbuffers::FlatBufferBuilder &fbb, const std::vector<T> &v) {
  return fbb.CreateVector(v.data(), v.size());
}

std::vector<double> toVector(const flatbuffers::Vector<double> *v) {
  return v ? std::vector<double>(v->begin(), v->end()) : std::vector<double>();
}

/// The SHA-256 of what decides a run's trajectory: the artifact with its
/// spec name, output settings and step count cleared, so that a run resumes
/// from another directory, into another --out, or for more steps.
Digest stepDigest(const Artifact &artifact) {
  std::unique_ptr<schema::ArtifactT> a(artifact.root().UnPack());
  a->spec_name.clear();
  a->output.reset();
  if (a->train)
    a->train->steps = 0;
  flatbuffers::FlatBufferBuilder fbb(artifact.data().size() + 1024);
  fbb.Finish(schema::Artifact::Pack(fbb, a.get()));
  return sha256(fbb.GetBufferPointer(), fbb.GetSize());
}

} // namespace

CheckpointWriter::CheckpointWriter(const Artifact &artifact, UnitMap units)
    : artifact(artifact), identity(stepDigest(artifact)), units(units) {}

Status CheckpointWriter::write(const std::string &path, int64_t step,
                               const std::vector<double> &points,
                               const std::vector<double> &adamM,
                               const std::vector<double> &adamV,
                               const std::vector<double> &losses) const {
  Identity id = Identity::of(artifact.root());
  flatbuffers::FlatBufferBuilder fbb(
      1024 + 8 * (points.size() + adamM.size() + adamV.size() + losses.size()));
  auto sha = fbb.CreateVector(identity.data(), identity.size());
  auto specName = fbb.CreateString(id.specName);
  auto data = fbb.CreateString(id.data);
  auto precision = fbb.CreateString(id.precision);
  auto optimizer = fbb.CreateString(id.optimizer);
  flatbuffers::Offset<flatbuffers::Vector<int64_t>> widths;
  flatbuffers::Offset<
      flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>>
      activations;
  if (artifact.root().generator()) {
    Result<GeneratorShape> shape = generatorShape(artifact.root());
    if (!shape.ok())
      return shape.error();
    widths = vectorOf(fbb, shape->widths);
    activations = fbb.CreateVectorOfStrings(shape->activations);
  }
  fbb.Finish(ck::CreateCheckpoint(fbb, kCheckpointFormatVersion, sha, specName,
                                  data, precision, id.nReal, id.nFake, id.dim,
                                  id.seed, optimizer, id.lr, step,
                                  vectorOf(fbb, points), vectorOf(fbb, adamM),
                                  vectorOf(fbb, adamV), vectorOf(fbb, losses),
                                  widths, activations, units.offset,
                                  units.scale, problemCount, problemRank),
             ck::CheckpointIdentifier());
  // The buffer, then its digest: a torn or bit-flipped file is refused.
  Digest check = sha256(fbb.GetBufferPointer(), fbb.GetSize());
  return writeFileAtomic(path, {{fbb.GetBufferPointer(), fbb.GetSize()},
                                {check.data(), check.size()}});
}

namespace {
/// The checkpoint file at `where` (a file, or a directory holding
/// kCheckpointFile), its digest and FlatBuffers structure checked.
struct CheckpointFile {
  std::string path;
  std::vector<uint8_t> bytes;
  const ck::Checkpoint &root() const {
    return *ck::GetCheckpoint(bytes.data());
  }
};

Result<CheckpointFile> loadCheckpoint(const std::string &where,
                                      const char *purpose) {
  std::error_code ec;
  std::string path = std::filesystem::is_directory(where, ec)
                         ? (std::filesystem::path(where) / kCheckpointFile)
                               .string()
                         : where;
  Result<std::vector<uint8_t>> file = readFile(path);
  if (!file.ok())
    return makeError(file.error().code, file.message() + " (" + purpose + ")");
  std::vector<uint8_t> &bytes = *file;
  auto corrupt = [&](const std::string &why) {
    return makeError(ErrorCode::DataLoss,
                     path + ": not a valid gantk checkpoint (" + why + ")");
  };
  if (bytes.size() < sizeof(Digest) + 8)
    return corrupt("too short");
  size_t body = bytes.size() - sizeof(Digest);
  Digest stored;
  std::memcpy(stored.data(), bytes.data() + body, stored.size());
  if (sha256(bytes.data(), body) != stored)
    return corrupt("its contents do not match their SHA-256: truncated or "
                   "damaged");
  flatbuffers::Verifier verifier(bytes.data(), body);
  if (!ck::CheckpointBufferHasIdentifier(bytes.data()) ||
      !ck::VerifyCheckpointBuffer(verifier))
    return corrupt("not a checkpoint file");
  const ck::Checkpoint &c = *ck::GetCheckpoint(bytes.data());
  if (c.format_version() != kCheckpointFormatVersion)
    return corrupt("format version " + std::to_string(c.format_version()) +
                   ", this gantk reads " +
                   std::to_string(kCheckpointFormatVersion));
  return CheckpointFile{std::move(path), std::move(bytes)};
}
} // namespace

Result<GeneratorState>
gantk::readGeneratorCheckpoint(const std::string &where) {
  Result<CheckpointFile> file =
      loadCheckpoint(where, "the checkpoint to sample from");
  if (!file.ok())
    return file.error();
  const ck::Checkpoint &c = file->root();
  if (!c.generator_widths() || !c.generator_activations())
    return makeError(ErrorCode::InvalidArgument,
                     file->path + ": a checkpoint of a run without a "
                                  "generator (its points are the samples: "
                                  "samples.npy beside it)");
  std::vector<int64_t> widths(c.generator_widths()->begin(),
                              c.generator_widths()->end());
  std::vector<std::string> acts;
  for (const flatbuffers::String *a : *c.generator_activations())
    acts.push_back(a->str());
  Result<GeneratorShape> shape =
      GeneratorShape::make(std::move(widths), std::move(acts));
  if (!shape.ok())
    return makeError(ErrorCode::DataLoss, file->path + ": " + shape.message());
  GeneratorState state{std::move(*shape), toVector(c.points()), c.step(),
                       UnitMap{c.data_offset(), c.data_scale()}};
  if (!std::isfinite(state.units.offset) || !std::isfinite(state.units.scale))
    return makeError(ErrorCode::DataLoss,
                     file->path + ": its data units are not finite");
  if (int64_t(state.params.size()) != state.shape.paramCount())
    return makeError(ErrorCode::DataLoss,
                     file->path + ": θ holds " +
                         std::to_string(state.params.size()) +
                         " values, its generator has " +
                         std::to_string(state.shape.paramCount()));
  return state;
}

Result<RunState> gantk::readCheckpoint(const std::string &where,
                                       const Artifact &artifact,
                                       int problemRank, int problemCount) {
  Result<CheckpointFile> file =
      loadCheckpoint(where, "the checkpoint to resume from");
  if (!file.ok())
    return file.error();
  const std::string &path = file->path;
  auto corrupt = [&](const std::string &why) {
    return makeError(ErrorCode::DataLoss,
                     path + ": not a valid gantk checkpoint (" + why + ")");
  };
  const ck::Checkpoint &c = file->root();

  // Independent problems resume under the same P, each rank from its own
  // (checked first: another P splits m otherwise, so the artifacts differ).
  auto job = [](int count) {
    return count > 1 ? "a job of " + std::to_string(count) +
                           " independent problems (mpirun -n " +
                           std::to_string(count) + " gantk run SPEC)"
                     : std::string("a run alone (without mpirun)");
  };
  if (c.problem_count() != problemCount)
    return makeError(
        ErrorCode::InvalidArgument,
        path + ": written by " + job(c.problem_count()) + ", and this is " +
            job(problemCount) + "; resume it as " +
            (c.problem_count() > 1
                 ? "mpirun -n " + std::to_string(c.problem_count()) +
                       " gantk run SPEC --resume DIR"
                 : std::string("gantk run without mpirun")));
  if (c.problem_rank() != problemRank)
    return makeError(ErrorCode::InvalidArgument,
                     path + ": rank " + std::to_string(c.problem_rank()) +
                         "'s checkpoint, read by rank " +
                         std::to_string(problemRank) +
                         " (each rank resumes from its own: DIR for rank 0, "
                         "DIR/ranks/R for rank R)");

  // The artifact that wrote it, or what differs from this run's.
  Identity mine = Identity::of(artifact.root()), theirs = Identity::of(c);
  Digest digest = stepDigest(artifact);
  bool sameDigest = c.artifact_sha256() &&
                    c.artifact_sha256()->size() == digest.size() &&
                    std::memcmp(c.artifact_sha256()->data(), digest.data(),
                                digest.size()) == 0;
  if (!sameDigest) {
    std::string differs = theirs.differences(mine);
    if (differs.empty())
      differs = "the same data, sizes, seed and optimiser, but another "
                "compiled step (a different architecture, objective, solver, "
                "memory budget, target or gantk version)";
    return makeError(ErrorCode::InvalidArgument,
                     path + ": written by a run of " + theirs.specName +
                         ", which differs from this one (" + artifact.name() +
                         "): " + differs);
  }

  RunState state;
  state.step = c.step();
  state.points = toVector(c.points());
  state.adamM = toVector(c.adam_m());
  state.adamV = toVector(c.adam_v());
  state.losses = toVector(c.losses());
  size_t size = size_t(variableSize(artifact.root()));
  bool adam = mine.optimizer == "adam";
  if (state.step < 0 || state.points.size() != size ||
      state.losses.size() != size_t(state.step) ||
      state.adamM.size() != (adam ? size : 0) ||
      state.adamV.size() != (adam ? size : 0))
    return corrupt("its sizes do not match the run's");
  return state;
}
