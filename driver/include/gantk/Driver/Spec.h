//===- Spec.h - A spec read and checked for a command -----------*- C++ -*-===//
//
// The first part of every command that takes a spec: the parsed spec with
// the sizes of its data, the step's shape (n, m, batch-wise draws, images)
// and the checks that need the data (`plot = grid`, a generator where
// dL/dZ is asked for, the discriminator a kernel is asked of).
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_DRIVER_SPEC_H
#define GANTK_DRIVER_SPEC_H

#include "gantk/Driver/DataShape.h"
#include "gantk/Frontend/AST.h"
#include "gantk/Frontend/MLIRGen.h"
#include "gantk/runtime/Generator.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gantk::driver {

/// A parsed spec with the sizes of its data (left empty unless probed).
struct LoadedSpec {
  ast::Module spec;
  DataInfo data;
  /// The spec's source text (for the run report).
  std::string text;
};

/// Parses and checks the spec file at `path` and, with `probe`, reads its
/// data's shape. Fails with the parser's diagnostics, or the data's error.
Result<LoadedSpec> loadSpecFile(const std::string &path, bool probe);
/// As loadSpecFile for spec `text` named `name` (in diagnostics; relative
/// data paths resolve against its directory).
Result<LoadedSpec> loadSpecText(std::string_view text, const std::string &name,
                                bool probe);

/// n and m of a step: the spec's (n = 0: every row of the file), or `n`
/// when given, checked against the rows the data has. A batch-wise spec's
/// step has batch / 2 of each, drawn from n and m. Needs a probed spec.
Result<GraphShape> stepShape(const LoadedSpec &loaded,
                             std::optional<int64_t> n);

/// The generated rows m of the whole spec: its `m`, else its n, else every
/// row of the data file. Needs a probed spec.
int64_t generatedRows(const LoadedSpec &loaded);

/// Independent problems (`mpirun -n P gantk run SPEC`, docs/runtime.md):
/// makes `loaded` rank `rank`'s problem of `size`, the spec's m generated
/// rows split as evenly as possible in rank order (the first m mod P ranks
/// get one more). The real rows and everything else stay the spec's. Fails
/// (InvalidArgument) when m < size, and when a batch-wise spec's b / 2 is
/// more than this rank's m_r (an error of this rank alone). Needs a probed
/// spec.
Status splitForRank(LoadedSpec &loaded, int rank, int size);

/// `plot = grid` needs image data: checked when a spec is compiled, so that
/// no artifact is written (and no step run) that cannot draw its plot.
Status checkPlot(const LoadedSpec &loaded);

/// dL/dZ at given points needs a spec without a generator (whose Z is
/// G(E; θ)).
Status checkGradSpec(const LoadedSpec &loaded);

/// Keeps only the discriminator whose kernel is asked for: the spec's only
/// one, or the one named `name`. The error is a usage error for the tool
/// (`gantk kernel --discriminator`).
Status selectDiscriminator(LoadedSpec &loaded,
                           const std::optional<std::string> &name);

/// The spec's generator as the runtime describes it (GA-NTKg), or none.
std::optional<GeneratorShape> generatorOf(const ast::Module &spec);

/// The element type of the spec's outputs (dL/dZ, kernels).
NpyDType precisionDType(const ast::Module &spec);

} // namespace gantk::driver

#endif // GANTK_DRIVER_SPEC_H
