//===- Generator.h - GA-NTKg's generator on the host ------------*- C++ -*-===//
//
// What the runtime itself does with a generator (schema::Generator): draw
// θ's initial values and each step's latent rows from the seed, and run the
// network forward for `gantk sample`, which needs neither the discriminator
// nor the compiled step. Training runs the compiled forward and backward;
// tests hold the two forwards equal.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_GENERATOR_H
#define GANTK_RUNTIME_GENERATOR_H

#include "gantk/runtime/Result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gantk {

/// A generator's shape: widths[0] is the latent size, layer k maps
/// widths[k] to widths[k + 1] units; activations are "identity", "relu",
/// "tanh" or "sigmoid" (one per layer).
struct GeneratorShape {
  std::vector<int64_t> widths;
  std::vector<std::string> activations;

  /// θ's size: each layer's weights (row-major, in × out) then its bias.
  int64_t paramCount() const;
  int64_t latent() const { return widths.front(); }
  int64_t outputs() const { return widths.back(); }
  /// The generator of an artifact or a checkpoint, checked (at least one
  /// layer, widths in [1, 65536], known activations).
  static Result<GeneratorShape> make(std::vector<int64_t> widths,
                                     std::vector<std::string> activations);
};

/// θ's initial values from `seed`: W ~ N(0, gain / fan_in) with gain 2 for a
/// relu layer and 1 otherwise (so that activations keep their scale), b = 0.
std::vector<double> initialParams(const GeneratorShape &shape, uint64_t seed);

/// The latent rows E ~ N(0, 1) (rows × latent) of training step `step`
/// (1, 2, …): a pure function of its arguments, so that a resumed run draws
/// what an uninterrupted one drew.
std::vector<double> latentRows(uint64_t seed, int64_t step, int64_t rows,
                               int64_t latent);

/// Z = G(E; θ) for `rows` latent rows, in float64.
std::vector<double> generate(const GeneratorShape &shape,
                             const std::vector<double> &params,
                             const std::vector<double> &latent, int64_t rows);

} // namespace gantk

#endif // GANTK_RUNTIME_GENERATOR_H
