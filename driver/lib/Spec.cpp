//===- Spec.cpp - A spec read and checked for a command -------------------===//

#include "gantk/Driver/Spec.h"
#include "gantk/Driver/Errors.h"

#include "gantk/Frontend/Parser.h"
#include "gantk/runtime/Png.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

namespace gantk::driver {

namespace {

/// The parsed spec (or the parser's diagnostics), probed when asked.
Result<LoadedSpec> loaded(std::optional<ast::Module> spec,
                          const std::ostringstream &diagnostics, bool probe,
                          std::string text) {
  if (!spec)
    return diagnosticError(diagnostics.str());
  LoadedSpec result{std::move(*spec), {}, std::move(text)};
  if (probe) {
    Result<DataInfo> data = probeData(result.spec.data.real);
    if (!data.ok())
      return data.error();
    result.data = data.take();
  }
  return result;
}

} // namespace

Result<LoadedSpec> loadSpecFile(const std::string &path, bool probe) {
  std::ostringstream diagnostics;
  std::optional<ast::Module> spec = parseSpecFile(path, diagnostics);
  // The parser read the file; its text again for the run report.
  std::string text;
  if (spec) {
    std::ifstream in(path, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in),
                std::istreambuf_iterator<char>());
  }
  return loaded(std::move(spec), diagnostics, probe, std::move(text));
}

Result<LoadedSpec> loadSpecText(std::string_view text, const std::string &name,
                                bool probe) {
  std::ostringstream diagnostics;
  return loaded(parseSpec(text, name, diagnostics), diagnostics, probe,
                std::string(text));
}

Result<GraphShape> stepShape(const LoadedSpec &loaded,
                             std::optional<int64_t> nOverride) {
  const ast::Data &d = loaded.spec.data;
  int64_t n = nOverride ? *nOverride : (d.n ? d.n : loaded.data.rows);
  int64_t m = nOverride ? n : (d.m ? d.m : n);
  if (n > loaded.data.rows) {
    bool folder = d.real.kind == ast::DataSource::Kind::Images;
    return inputError(d.real.path + " has " + std::to_string(loaded.data.rows) +
                      " " + loaded.data.rowsWhich +
                      (folder ? "PNG images" : "rows") +
                      ", the spec asks for n = " + std::to_string(n));
  }
  GraphShape shape{n, m, loaded.data.dim, {}};
  if (int64_t half = loaded.spec.objective.batch / 2) {
    const ast::Location &at = loaded.spec.objective.batchLoc;
    // A generator makes each step's generated rows afresh: there is no
    // whole Z to draw them from.
    bool generator = loaded.spec.generator.has_value();
    if (generator)
      m = half;
    if (half > n || half > m)
      // Where the spec sets it, as the parser reports spec errors.
      return diagnosticError(
          at.file + ":" + std::to_string(at.line) + ":" +
          std::to_string(at.col) +
          ": error: batch = " + std::to_string(2 * half) + " takes " +
          std::to_string(half) + " real and " + std::to_string(half) +
          " generated rows a step, but there are n = " + std::to_string(n) +
          " real and m = " + std::to_string(m) +
          " generated rows (lower batch to at most " +
          std::to_string(2 * std::min(n, m)) + ")\n");
    shape = GraphShape{half, half, loaded.data.dim, {}, n, m};
  }
  if (loaded.data.imageH)
    shape.image = {loaded.data.imageH, loaded.data.imageW, loaded.data.imageC};
  return shape;
}

int64_t generatedRows(const LoadedSpec &loaded) {
  const ast::Data &d = loaded.spec.data;
  int64_t n = d.n ? d.n : loaded.data.rows;
  return d.m ? d.m : n;
}

Status splitForRank(LoadedSpec &loaded, int rank, int size) {
  int64_t m = generatedRows(loaded);
  if (size < 1 || rank < 0 || rank >= size)
    return makeError(ErrorCode::Internal, "rank " + std::to_string(rank) +
                                              " of " + std::to_string(size));
  if (m < size)
    return makeError(
        ErrorCode::InvalidArgument,
        "m = " + std::to_string(m) +
            " generated rows cannot be split into P = " + std::to_string(size) +
            " independent problems (each rank needs at least "
            "one row): raise m or start fewer ranks");
  int64_t rows = m / size + (rank < m % size ? 1 : 0);
  int64_t half = loaded.spec.objective.batch / 2;
  if (half > rows && !loaded.spec.generator)
    return makeError(ErrorCode::InvalidArgument,
                     "batch = " + std::to_string(loaded.spec.objective.batch) +
                         " takes " + std::to_string(half) +
                         " generated rows a step, but this rank's problem "
                         "has m_r = " +
                         std::to_string(rows) +
                         " of the spec's m = " + std::to_string(m) +
                         " split over " + std::to_string(size) +
                         " ranks (lower batch to at most " +
                         std::to_string(2 * rows) + " or start fewer ranks)");
  loaded.spec.data.m = rows;
  return Status();
}

Status checkPlot(const LoadedSpec &loaded) {
  if (loaded.spec.output.plot != ast::Output::Plot::Grid)
    return Status();
  const ast::DataSource &src = loaded.spec.data.real;
  std::string source =
      src.kind == ast::DataSource::Kind::GaussianGrid   ? "gaussian_grid"
      : src.kind == ast::DataSource::Kind::GaussianRing ? "gaussian_ring"
                                                        : src.path;
  const DataInfo &data = loaded.data;
  Status s =
      checkImageGrid(source, data.dim, data.imageH, data.imageW, data.imageC);
  if (!s.ok())
    return inputError(loaded.spec.file + ": " + s.message());
  return Status();
}

Status checkGradSpec(const LoadedSpec &loaded) {
  if (!loaded.spec.generator)
    return Status();
  const ast::Location &at = loaded.spec.generator->loc;
  return inputError(at.file + ":" + std::to_string(at.line) + ":" +
                    std::to_string(at.col) +
                    ": gantk grad computes dL/dZ at a given Z, and this "
                    "spec's Z comes from its generator (whose gradient is "
                    "dL/dθ, which `gantk run` follows); remove the generator "
                    "block for dL/dZ at given points");
}

Status selectDiscriminator(LoadedSpec &loaded,
                           const std::optional<std::string> &name) {
  std::vector<ast::Discriminator> &nets = loaded.spec.discriminators;
  if (nets.size() <= 1 && !name)
    return Status();
  std::string names;
  for (const ast::Discriminator &d : nets)
    names += (names.empty() ? "" : ", ") +
             (d.name.empty() ? std::string("(unnamed)") : d.name);
  auto named =
      std::find_if(nets.begin(), nets.end(), [&](const ast::Discriminator &d) {
        return d.name == name.value_or("");
      });
  if (named == nets.end())
    return inputError(name ? "no discriminator '" + *name + "' in " +
                                 loaded.spec.file + " (it has " + names + ")"
                           : loaded.spec.file + " has " +
                                 std::to_string(nets.size()) +
                                 " discriminators: give --discriminator "
                                 "NAME (" +
                                 names + ")");
  nets = {*named};
  return Status();
}

std::optional<GeneratorShape> generatorOf(const ast::Module &spec) {
  if (!spec.generator)
    return std::nullopt;
  GeneratorShape shape;
  shape.widths.push_back(spec.generator->latent);
  for (const ast::GeneratorLayer &layer : spec.generator->layers) {
    shape.widths.push_back(layer.width);
    shape.activations.push_back(ast::activationName(layer.activation));
  }
  return shape;
}

NpyDType precisionDType(const ast::Module &spec) {
  return spec.train.precision == ast::Train::Precision::F64 ? NpyDType::F64
                                                            : NpyDType::F32;
}

} // namespace gantk::driver
