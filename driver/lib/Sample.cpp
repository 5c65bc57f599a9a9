//===- Sample.cpp - New points from a trained generator -------------------===//

#include "gantk/Driver/Sample.h"
#include "gantk/Driver/Errors.h"

#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/Checkpoint.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Finite.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Train.h"

#include <algorithm>
#include <filesystem>

namespace gantk::driver {

Result<GeneratorSource> loadGenerator(const std::string &path) {
  // An artifact file starts with its identifier at byte 4; anything else
  // (a directory, a checkpoint) is read as a checkpoint.
  std::error_code ec;
  bool artifact = false;
  if (!std::filesystem::is_directory(path, ec)) {
    auto head = readFilePrefix(path, 8);
    if (!head.ok())
      return asInputError(head.error());
    artifact = head->first.size() == 8 &&
               schema::ArtifactBufferHasIdentifier(head->first.data());
  }
  GeneratorSource source;
  if (artifact) {
    Result<Artifact> art = Artifact::loadFile(path);
    if (!art.ok())
      return asInputError(art.error());
    Result<GeneratorShape> g = generatorShape(art->root());
    if (!g.ok())
      return inputError(art->name() + ": " + g.message());
    source.shape = g.take();
    source.theta =
        initialParams(source.shape, initSeed(art->root().train()->seed()));
    source.from = "the untrained generator of " + art->name();
    // The data's units are those of the run that would train it.
    const schema::Artifact &root = art->root();
    Result<Dataset> real =
        loadRealData(DataConfig::fromSpec(*root.data()), wholeRealRows(root),
                     root.dim(), root.train()->seed());
    if (!real.ok())
      return asInputError(real.error());
    source.units = real->units;
    return source;
  }
  Result<GeneratorState> state = readGeneratorCheckpoint(path);
  if (!state.ok())
    return state.error();
  source.shape = std::move(state->shape);
  source.theta = std::move(state->params);
  source.from =
      "the generator after step " + std::to_string(state->step) + " of " + path;
  source.units = state->units;
  return source;
}

Status checkSampleRows(const GeneratorShape &shape, int64_t rows) {
  // The forward holds the latent rows and two layers' activations of every
  // row: refuse what cannot fit rather than fail to allocate.
  int64_t widest = *std::max_element(shape.widths.begin(), shape.widths.end());
  double bytes = 8.0 * double(rows) * double(shape.latent() + 2 * widest);
  if (bytes > double(int64_t(8) << 30))
    return inputError("--n " + std::to_string(rows) + " would need " +
                      std::to_string(int64_t(bytes / double(1 << 30))) +
                      " GiB for the generator's layers (at most 8 GiB); draw "
                      "fewer rows per call (with --seed for more)");
  return Status();
}

Result<std::vector<double>> drawSamples(const GeneratorSource &source,
                                        int64_t rows, uint64_t seed,
                                        bool unit) {
  // Step 0 is no training step: these latent rows are none a run drew.
  std::vector<double> z =
      generate(source.shape, source.theta,
               latentRows(seed, 0, rows, source.shape.latent()), rows);
  if (!allFinite(z))
    return runFailure(source.from + " made non-finite points");
  return unit ? z : source.units.toData(std::move(z));
}

Result<std::string> writeSamples(const std::string &dir, int64_t rows,
                                 int64_t cols,
                                 const std::vector<double> &points) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return inputError(dir + ": cannot create the directory: " + ec.message());
  std::vector<uint8_t> npy =
      encodeNpy({rows, cols}, points.data(), NpyDType::F64);
  std::string path = (std::filesystem::path(dir) / "samples.npy").string();
  if (Status st = writeFileAtomic(path, npy.data(), npy.size()); !st.ok())
    return st.error();
  return path;
}

} // namespace gantk::driver
