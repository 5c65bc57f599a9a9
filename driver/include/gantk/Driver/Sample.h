//===- Sample.h - New points from a trained generator -----------*- C++ -*-===//
//
// `gantk sample`: Z = G(E; θ) for fresh latent rows E ~ N(0, 1), with θ of
// a generator run's checkpoint (or, from an artifact, θ's initial draw);
// neither the data nor the discriminator is needed.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_DRIVER_SAMPLE_H
#define GANTK_DRIVER_SAMPLE_H

#include "gantk/runtime/Data.h"
#include "gantk/runtime/Generator.h"
#include "gantk/runtime/Result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gantk::driver {

/// A generator and its weights.
struct GeneratorSource {
  GeneratorShape shape;
  std::vector<double> theta;
  /// Where θ comes from, for messages ("the generator after step 300 of
  /// out/run").
  std::string from;
  /// The data's coordinates of the generator's outputs (Data.h).
  UnitMap units;
};

/// The generator of a checkpoint, a run directory holding one, or an
/// artifact (its untrained generator). A checkpoint holds the data's units;
/// for an artifact they come from loading its data (so that needs the data).
Result<GeneratorSource> loadGenerator(const std::string &path);

/// `rows` points must fit the generator's layers in memory (8 GiB); the
/// error is a usage error for the tool (`gantk sample --n`).
Status checkSampleRows(const GeneratorShape &shape, int64_t rows);

/// `rows` new points (rows x outputs, row-major) from the latent rows of
/// `seed`: in the data's coordinates, or with `unit` in the scaling the
/// generator trained in.
Result<std::vector<double>> drawSamples(const GeneratorSource &source,
                                        int64_t rows, uint64_t seed,
                                        bool unit = false);

/// Writes points (rows x cols) as DIR/samples.npy (float64), creating
/// `dir`; returns the file's path.
Result<std::string> writeSamples(const std::string &dir, int64_t rows,
                                 int64_t cols,
                                 const std::vector<double> &points);

} // namespace gantk::driver

#endif // GANTK_DRIVER_SAMPLE_H
