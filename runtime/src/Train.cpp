//===- Train.cpp - The optimiser loop over generated points --------------===//

#include "gantk/runtime/Train.h"
#include "gantk/runtime/Data.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Png.h"
#include "gantk/runtime/Session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <random>

using namespace gantk;
namespace fbs = gantk::schema;

OptimizerConfig OptimizerConfig::fromSpec(const fbs::TrainSpec &spec) {
  OptimizerConfig c;
  c.kind = spec.optimizer();
  c.lr = spec.lr();
  c.clip = spec.clip();
  c.clipLo = spec.clip_lo();
  c.clipHi = spec.clip_hi();
  c.beta1 = spec.beta1();
  c.beta2 = spec.beta2();
  c.eps = spec.eps();
  return c;
}

Optimizer::Optimizer(const OptimizerConfig &config, size_t size)
    : config(config), size(size) {
  if (config.kind == fbs::OptimizerKind::Adam) {
    m.assign(size, 0.0);
    v.assign(size, 0.0);
  }
}

void Optimizer::update(double *z, const double *g) {
  ++t;
  if (config.kind == fbs::OptimizerKind::Adam) {
    double c1 = 1 - std::pow(config.beta1, double(t));
    double c2 = 1 - std::pow(config.beta2, double(t));
    for (size_t i = 0; i < size; ++i) {
      m[i] = config.beta1 * m[i] + (1 - config.beta1) * g[i];
      v[i] = config.beta2 * v[i] + (1 - config.beta2) * g[i] * g[i];
      z[i] -= config.lr * (m[i] / c1) / (std::sqrt(v[i] / c2) + config.eps);
    }
  } else {
    for (size_t i = 0; i < size; ++i)
      z[i] -= config.lr * g[i];
  }
  if (config.clip)
    for (size_t i = 0; i < size; ++i)
      z[i] = std::clamp(z[i], config.clipLo, config.clipHi);
}

uint64_t gantk::initSeed(uint64_t seed) {
  // A fixed odd constant (2^64 / golden ratio) decorrelates the two streams.
  return seed ^ 0x9e3779b97f4a7c15ull;
}

std::vector<double> gantk::initialPoints(fbs::InitKind init, size_t count,
                                         uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> z(count);
  if (init == fbs::InitKind::Normal) {
    std::normal_distribution<double> dist(0.0, 1.0);
    for (double &x : z)
      x = dist(rng);
  } else {
    std::uniform_real_distribution<double> dist(0.0, 1.0);
    for (double &x : z)
      x = dist(rng);
  }
  return z;
}

namespace {

void progressLine(std::ostream &os, int64_t step, int64_t steps, double loss,
                  double secondsPerStep) {
  char line[128];
  std::snprintf(line, sizeof(line), "step %lld/%lld  loss %.6e  %.4f s/step",
                static_cast<long long>(step), static_cast<long long>(steps),
                loss, secondsPerStep);
  os << line << '\n';
  os.flush();
}

} // namespace

Result<TrainResult> gantk::train(Session &session,
                                 const TrainOptions &options) {
  const fbs::Artifact &root = session.root();
  const fbs::TrainSpec &spec = *root.train();
  const std::string &name = session.artifact().name();
  int64_t nReal = root.n_real(), nFake = root.n_fake(), dim = root.dim();

  int64_t steps = options.steps ? *options.steps : spec.steps();
  if (steps < 0)
    return makeError(ErrorCode::InvalidArgument,
                     "the step count must be non-negative");

  // Fail on an unusable output directory or plot before spending any steps.
  std::string dir = options.outDir;
  if (dir.empty() && root.output()->dir())
    dir = root.output()->dir()->str();
  if (dir.empty())
    dir = ".";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return makeError(
        ErrorCode::InvalidArgument,
        dir + ": cannot create the output directory: " + ec.message());
  DataConfig data = DataConfig::fromSpec(*root.data());
  fbs::PlotKind plot = root.output()->plot();
  if (plot == fbs::PlotKind::Grid)
    if (Status s = checkImageGrid(dataSourceName(data), dim, data.imageH,
                                  data.imageW, data.imageC);
        !s.ok())
      return makeError(s.error().code, name + ": " + s.message());

  Result<Dataset> real = loadRealData(data, nReal, dim, spec.seed());
  if (!real.ok())
    return real.error();
  if (Status s = session.setReal(real->values.data(), real->values.size());
      !s.ok())
    return s.error();

  TrainResult result;
  result.steps = steps;
  std::vector<double> z =
      initialPoints(spec.init(), size_t(nFake * dim), initSeed(spec.seed()));
  Optimizer optimizer(OptimizerConfig::fromSpec(spec), z.size());
  std::vector<double> g(z.size());
  int64_t every = root.output()->every();
  using Clock = std::chrono::steady_clock;
  Clock::time_point start = Clock::now(), lastLine = start;
  int64_t lastLineStep = 0;
  for (int64_t t = 1; t <= steps; ++t) {
    if (Status s = session.setFake(z.data(), z.size()); !s.ok())
      return s.error();
    if (Status s = session.step(); !s.ok())
      return s.error();
    double loss = session.loss();
    if (!std::isfinite(loss))
      return makeError(ErrorCode::FailedPrecondition,
                       name + ": the loss is " + std::to_string(loss) +
                           " at step " + std::to_string(t) +
                           "; lower the learning rate or use float64");
    result.losses.push_back(loss);
    if (Status s = session.getGrad(g.data(), g.size()); !s.ok())
      return s.error();
    optimizer.update(z.data(), g.data());
    if (options.log && ((every > 0 && t % every == 0) || t == steps)) {
      Clock::time_point now = Clock::now();
      double secs = std::chrono::duration<double>(now - lastLine).count();
      progressLine(*options.log, t, steps, loss,
                   secs / double(t - lastLineStep));
      lastLine = now;
      lastLineStep = t;
    }
  }
  if (steps > 0)
    result.secondsPerStep =
        std::chrono::duration<double>(Clock::now() - start).count() /
        double(steps);

  result.samplesNpy = (std::filesystem::path(dir) / "samples.npy").string();
  NpyDType dtype =
      root.precision() == fbs::Precision::F64 ? NpyDType::F64 : NpyDType::F32;
  if (Status s = writeNpy(result.samplesNpy, {nFake, dim}, z.data(), dtype);
      !s.ok())
    return s.error();
  std::string png = (std::filesystem::path(dir) / "samples.png").string();
  if (plot == fbs::PlotKind::Scatter && dim == 2) {
    Image img = scatterPlot(real->values.data(), nReal, z.data(), nFake);
    if (Status s = writePng(png, img); !s.ok())
      return s.error();
    result.samplesPng = png;
  } else if (plot == fbs::PlotKind::Grid) {
    Image img =
        imageGrid(z.data(), nFake, data.imageH, data.imageW, data.imageC);
    if (Status s = writePng(png, img); !s.ok())
      return s.error();
    result.samplesPng = png;
  }
  result.samples = std::move(z);
  return result;
}
