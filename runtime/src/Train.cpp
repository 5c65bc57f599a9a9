//===- Train.cpp - The optimiser loop over generated points --------------===//

#include "gantk/runtime/Train.h"
#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/Checkpoint.h"
#include "gantk/runtime/Comm.h"
#include "gantk/runtime/Data.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Finite.h"
#include "gantk/runtime/Generator.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Plot.h"
#include "gantk/runtime/Png.h"
#include "gantk/runtime/Progress.h"
#include "gantk/runtime/Random.h"
#include "gantk/runtime/Report.h"
#include "gantk/runtime/Session.h"
#include "gantk/runtime/Stats.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
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

namespace {

/// A uniform integer in [0, bound) (Lemire's multiply-and-reject): the
/// same on every standard library, unlike std::uniform_int_distribution.
uint64_t below(std::mt19937_64 &rng, uint64_t bound) {
  unsigned __int128 product = (unsigned __int128)rng() * bound;
  if (uint64_t(product) < bound) {
    uint64_t threshold = -bound % bound;
    while (uint64_t(product) < threshold)
      product = (unsigned __int128)rng() * bound;
  }
  return uint64_t(product >> 64);
}

} // namespace

std::vector<int64_t> gantk::batchRows(uint64_t seed, int stream, int64_t step,
                                      int64_t total, int64_t count,
                                      bool epoch) {
  count = std::clamp<int64_t>(count, 0, total);
  int64_t perPass = count ? (total + count - 1) / count : 1;
  // One generator per step (independent draws) or per pass (epochs), keyed
  // apart from the data's and Z's seeds.
  int64_t draw = epoch ? (step - 1) / perPass : step;
  std::mt19937_64 rng(mixBits(mixBits(mixBits(seed ^ 0x243f6a8885a308d3ull) ^
                              uint64_t(stream)) ^
                          uint64_t(draw)));
  std::vector<int64_t> rows(static_cast<size_t>(total));
  for (int64_t i = 0; i < total; ++i)
    rows[size_t(i)] = i;
  // Fisher–Yates: a whole pass for epochs, the first `count` places for a
  // sample without replacement.
  int64_t shuffled = epoch ? total : count;
  for (int64_t i = 0; i < shuffled && i + 1 < total; ++i)
    std::swap(rows[size_t(i)],
              rows[size_t(i + int64_t(below(rng, uint64_t(total - i))))]);
  std::vector<int64_t> out(static_cast<size_t>(count));
  int64_t first = epoch ? ((step - 1) % perPass) * count : 0;
  for (int64_t i = 0; i < count; ++i)
    out[size_t(i)] = rows[size_t((first + i) % total)];
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<double> gantk::gatherRows(const std::vector<double> &values,
                                      const std::vector<int64_t> &rows,
                                      int64_t width) {
  std::vector<double> out(rows.size() * size_t(width));
  for (size_t r = 0; r < rows.size(); ++r)
    std::copy_n(values.begin() + rows[r] * width, width,
                out.begin() + r * width);
  return out;
}

void Optimizer::updateRows(double *z, const double *g,
                           const std::vector<int64_t> &rows, int64_t width) {
  ++t;
  for (int64_t row : rows)
    for (int64_t i = row * width; i < (row + 1) * width; ++i) {
      z[i] -= config.lr * g[i];
      if (config.clip)
        z[i] = std::clamp(z[i], config.clipLo, config.clipHi);
    }
}

uint64_t gantk::problemSeed(uint64_t seed, int rank) {
  if (rank == 0)
    return seed;
  return mixBits(seed ^ (uint64_t(rank) * 0xd1b54a32d192ed03ull));
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

void Optimizer::restore(int64_t steps, std::vector<double> firstMoments,
                        std::vector<double> secondMoments) {
  t = steps;
  if (config.kind == fbs::OptimizerKind::Adam) {
    m = std::move(firstMoments);
    v = std::move(secondMoments);
  }
}

namespace {

std::string shortNumber(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3g", v);
  return text;
}

/// Why no step can move Z when exp(−λK) is 0 or I to the last bit on K's
/// whole spectrum (empty when it is neither): λ·λmax below a rounding unit
/// leaves exp(−λK) = I, and λ·λmin past the exponent range makes it 0.
std::string frozenLoss(double lambda, const Session::Spectrum &k, bool f64) {
  double unit = f64 ? std::numeric_limits<double>::epsilon()
                    : double(std::numeric_limits<float>::epsilon());
  double range = -std::log(f64 ? std::numeric_limits<double>::denorm_min()
                               : double(std::numeric_limits<float>::denorm_min()));
  double top = lambda * k.largest, bottom = lambda * std::max(k.smallest, 0.0);
  std::string advice =
      "; choose lambda so that lambda * lambda_max(K) is between about 1e-3 "
      "and 1e3 (lambda from " +
      shortNumber(1e-3 / k.largest) + " to " + shortNumber(1e3 / k.largest) +
      " here), or give lambda as a multiple with `normalized`";
  if (top < unit)
    return "lambda * lambda_max(K) = " + shortNumber(top) + " (lambda = " +
           shortNumber(lambda) + ", K's largest eigenvalue about " +
           shortNumber(k.largest) + ") is below a rounding unit (" +
           shortNumber(unit) + "), so exp(-lambda K) rounds to I on K's "
           "whole spectrum" + advice;
  if (bottom > range)
    return "lambda * lambda_min(K) = " + shortNumber(bottom) + " (lambda = " +
           shortNumber(lambda) + ", K's smallest eigenvalue about " +
           shortNumber(k.smallest) + ") is past exp's range (" +
           shortNumber(range) + "), so exp(-lambda K) underflows to 0 on K's "
           "whole spectrum" + advice;
  return {};
}

/// Test hook (docs/runtime.md "Fault injection"): GANTK_FAULT_KILL_AFTER_STEP=T
/// kills the process with SIGKILL right after the update of step T, before
/// that step's outputs or checkpoint are written; with
/// GANTK_FAULT_KILL_RANK=R only the MPI job's rank R (`rank`) does.
void killAfterStepForTests(int64_t step, int rank) {
  static const int64_t target = [] {
    const char *v = std::getenv("GANTK_FAULT_KILL_AFTER_STEP");
    return v ? std::atoll(v) : 0LL;
  }();
  static const int only = [] {
    const char *v = std::getenv("GANTK_FAULT_KILL_RANK");
    return v ? std::atoi(v) : -1;
  }();
  if (target > 0 && step == target && (only < 0 || only == rank))
    std::raise(SIGKILL);
}

/// The output directories a run made: removed again if the run ends with
/// nothing in them (a refused run leaves no empty --out behind).
struct CreatedDirectories {
  std::vector<std::filesystem::path> paths; ///< innermost first
  ~CreatedDirectories() {
    std::error_code ec;
    for (const std::filesystem::path &p : paths)
      if (!std::filesystem::is_empty(p, ec) ||
          !std::filesystem::remove(p, ec))
        break;
  }
};

/// Where a run writes, checked before the first step so that a bad --out
/// fails at once and not after hours of steps.
struct OutputPaths {
  std::string dir, samplesNpy, samplesPng, checkpoint, realNpy;

  static Result<OutputPaths> prepare(const std::string &dir,
                                     CreatedDirectories &created) {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (fs::path p = fs::path(dir).lexically_normal();
         !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
      created.paths.push_back(p);
      if (p == p.parent_path())
        break;
    }
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir, ec))
      return makeError(ErrorCode::InvalidArgument,
                       dir + ": cannot create the output directory" +
                           (ec ? ": " + ec.message()
                               : std::string(": a file is in the way")));
    OutputPaths p{dir, (fs::path(dir) / "samples.npy").string(),
                  (fs::path(dir) / "samples.png").string(),
                  (fs::path(dir) / kCheckpointFile).string(),
                  (fs::path(dir) / "real.npy").string()};
    // A run killed between the renames of one step's outputs left their
    // record: finish them before anything else happens here.
    completeGroupWrite(dir);
    for (const std::string &path :
         {p.samplesNpy, p.samplesPng, p.checkpoint, p.realNpy}) {
      if (Status s = checkWritableTarget(path); !s.ok())
        return s.error();
      removeStaleTemporaries(path);
    }
    // One small atomic write proves the directory takes files (permissions,
    // a read-only or full file system) before any step runs.
    std::string probe = (fs::path(dir) / ".gantk-write-test").string();
    if (Status s = writeFileAtomic(probe, "gantk", 5); !s.ok())
      return makeError(s.error().code,
                       dir + ": cannot write outputs here: " + s.message());
    fs::remove(probe, ec);
    return p;
  }
};

/// The file of the samples' plot at step t, relative to the output dir.
std::string snapshotName(int64_t t) {
  char name[40];
  std::snprintf(name, sizeof(name), "snapshots/step-%06lld.png", (long long)t);
  return name;
}

/// Each sample of image rows (values in [0, 1], the training scaling) as
/// DIR/samples/NNNNNN.png, numbered from 1; each file is written atomically.
Result<std::string> writeSamplePngs(const std::string &dir,
                                    const std::vector<double> &points,
                                    int64_t h, int64_t w, int64_t c) {
  namespace fs = std::filesystem;
  std::string folder = (fs::path(dir) / "samples").string();
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec || !fs::is_directory(folder, ec))
    return makeError(ErrorCode::InvalidArgument,
                     folder +
                         ": cannot create the directory for the sample "
                         "images" +
                         (ec ? ": " + ec.message() : std::string()));
  int64_t size = h * w * c, count = int64_t(points.size()) / size;
  for (int64_t i = 0; i < count; ++i) {
    Image image{w, h, c, std::vector<uint8_t>(size_t(size))};
    for (int64_t k = 0; k < size; ++k)
      image.pixels[size_t(k)] = uint8_t(std::lround(
          255.0 * std::clamp(points[size_t(i * size + k)], 0.0, 1.0)));
    char file[32];
    std::snprintf(file, sizeof(file), "%06lld.png", (long long)(i + 1));
    if (Status s = writePng((fs::path(folder) / file).string(), image); !s.ok())
      return s.error();
  }
  return folder;
}

} // namespace

Status gantk::setGeneratorInputs(Session &session,
                                 const std::vector<double> &theta, int64_t step,
                                 std::optional<uint64_t> seed) {
  const fbs::Artifact &root = session.root();
  const fbs::Generator &gen = *root.generator();
  std::vector<double> latent =
      latentRows(seed.value_or(root.train()->seed()), step, root.n_fake(),
                 gen.widths()->Get(0));
  if (Status s = session.writeView(*gen.latent(), latent.data(), latent.size());
      !s.ok())
    return s;
  return session.writeView(*gen.params(), theta.data(), theta.size());
}

Result<TrainResult> gantk::train(Session &session,
                                 const TrainOptions &options) {
  const fbs::Artifact &root = session.root();
  const fbs::TrainSpec &spec = *root.train();
  const std::string &name = session.artifact().name();
  // A step's rows (n_real, n_fake) and the run's (batch-wise: more).
  int64_t nReal = root.n_real(), nFake = root.n_fake(), dim = root.dim();
  int64_t wholeReal = wholeRealRows(root), wholeFake = wholeFakeRows(root);
  bool batched = spec.real_rows() > 0;
  // GA-NTKg: the optimiser moves the generator's θ; each step draws fresh
  // latent rows and its Z are the samples.
  const fbs::Generator *gen = root.generator();
  std::optional<GeneratorShape> genShape;
  if (gen) {
    Result<GeneratorShape> shape = generatorShape(root);
    if (!shape.ok())
      return shape.error();
    genShape = std::move(*shape);
  }

  // An MPI job: only rank 0 prints and writes DIR's files; independent
  // problems sum their losses and gather their samples to it.
  Communicator *comm = options.comm;
  bool distributed = comm && comm->distributed();
  bool independent = distributed && options.independentProblems;
  bool writer = !distributed || comm->root();
  int rank = comm ? comm->rank() : 0;
  std::ostream *log = writer ? options.log : nullptr;
  // The generated side's draws (the real rows keep the spec's seed).
  uint64_t drawSeed = options.problemSeed.value_or(spec.seed());

  int64_t steps = options.steps ? *options.steps : spec.steps();
  if (steps < 0)
    return makeError(ErrorCode::InvalidArgument,
                     "the step count must be non-negative");
  int64_t checkpointEvery = options.checkpointEvery
                                ? *options.checkpointEvery
                                : root.output()->checkpoint_every();
  if (checkpointEvery < 0)
    return makeError(ErrorCode::InvalidArgument,
                     "the checkpoint interval must be non-negative");

  // Fail on an unusable output directory, plot or checkpoint before
  // spending any steps.
  std::string dir = options.outDir;
  if (dir.empty() && !options.resumeFrom.empty()) {
    std::error_code ec;
    dir = std::filesystem::is_directory(options.resumeFrom, ec)
              ? options.resumeFrom
              : std::filesystem::path(options.resumeFrom).parent_path().string();
  }
  if (dir.empty() && root.output()->dir()) {
    // An artifact names where it writes only below the working directory:
    // running one must not write into /etc or ../.. (--out may).
    dir = root.output()->dir()->str();
    std::filesystem::path p(dir);
    bool escapes = p.is_absolute();
    for (const std::filesystem::path &part : p)
      escapes |= part == "..";
    if (escapes)
      return makeError(ErrorCode::InvalidArgument,
                       name + ": its output dir '" + dir +
                           "' is not below the working directory; an "
                           "artifact may only name such a directory (give "
                           "--out to write elsewhere)");
  }
  if (dir.empty())
    dir = ".";
  CreatedDirectories created;
  // Rank r > 0 of independent problems writes only its checkpoints, in
  // DIR/ranks/R/ (made only when there are any); other non-root ranks of a
  // job write nothing.
  bool rankCheckpoints = independent && !writer && (checkpointEvery > 0 || gen);
  std::string rankDir =
      independent && !writer
          ? (std::filesystem::path(dir) / "ranks" / std::to_string(rank))
                .string()
          : dir;
  Result<OutputPaths> out =
      writer || rankCheckpoints
          ? OutputPaths::prepare(rankDir, created)
          : Result<OutputPaths>(OutputPaths{
                rankDir, "", "",
                (std::filesystem::path(rankDir) / kCheckpointFile).string(),
                ""});
  if (!out.ok())
    return out.error();
  DataConfig data = DataConfig::fromSpec(*root.data());
  fbs::PlotKind plot = root.output()->plot();
  if (plot == fbs::PlotKind::Grid)
    if (Status s = checkImageGrid(dataSourceName(data), dim, data.imageH,
                                  data.imageW, data.imageC);
        !s.ok())
      return makeError(s.error().code, name + ": " + s.message());

  TrainResult result;
  result.steps = steps;
  // v: what the optimiser moves (Z, or θ); z: the generated points.
  std::vector<double> v =
      gen ? initialParams(*genShape, initSeed(drawSeed))
          : initialPoints(spec.init(), size_t(wholeFake * dim),
                          initSeed(drawSeed));
  std::vector<double> z = gen ? std::vector<double>(size_t(wholeFake * dim))
                              : std::vector<double>();
  std::vector<double> &points = gen ? z : v;
  Optimizer optimizer(OptimizerConfig::fromSpec(spec), v.size());
  if (!options.resumeFrom.empty()) {
    // Rank r > 0 of independent problems resumes from DIR/ranks/R.
    std::string from = options.resumeFrom;
    if (independent && !writer) {
      std::error_code ec;
      std::filesystem::path base =
          std::filesystem::is_directory(from, ec)
              ? std::filesystem::path(from)
              : std::filesystem::path(from).parent_path();
      from = (base / "ranks" / std::to_string(rank) / kCheckpointFile).string();
    }
    // Rank 0 reads its checkpoint first: one that another P wrote is the
    // whole job's error, said by rank 0 alone (the others wait for its
    // step, then read their own and go on from the same step).
    int64_t at = 0;
    if (independent && !writer)
      if (Status s = comm->broadcast(&at, sizeof(at)); !s.ok())
        return s.error();
    Result<RunState> saved =
        independent
            ? readCheckpoint(from, session.artifact(), rank, comm->size())
            : readCheckpoint(from, session.artifact());
    if (!saved.ok())
      return saved.error();
    if (independent && writer) {
      at = saved->step;
      if (Status s = comm->broadcast(&at, sizeof(at)); !s.ok())
        return s.error();
    }
    if (independent) {
      if (at != saved->step)
        return makeError(ErrorCode::InvalidArgument,
                         from + ": at step " + std::to_string(saved->step) +
                             ", and rank 0's checkpoint at step " +
                             std::to_string(at) +
                             " (the ranks' checkpoints are of different "
                             "runs)");
    }
    if (saved->step > steps)
      return makeError(ErrorCode::InvalidArgument,
                       options.resumeFrom + ": the checkpoint is at step " +
                           std::to_string(saved->step) + ", past the run's " +
                           std::to_string(steps) + " steps (raise --steps)");
    v = std::move(saved->points);
    optimizer.restore(saved->step, std::move(saved->adamM),
                      std::move(saved->adamV));
    result.losses = std::move(saved->losses);
    result.resumedAt = saved->step;
    if (log)
      *log << "resuming at step " << saved->step + 1 << " of " << steps
           << " from " << options.resumeFrom << '\n';
  }

  Result<Dataset> real = loadRealData(data, wholeReal, dim, spec.seed());
  if (!real.ok())
    return real.error();
  // Samples leave the run in the data's own coordinates (the inverse of
  // `scale = unit`) unless the caller asks for the training scaling.
  result.units = real->units;
  UnitMap sampleUnits = options.unitSamples ? UnitMap{} : real->units;
  if (!batched)
    if (Status s = session.setReal(real->values.data(), real->values.size());
        !s.ok())
      return s.error();

  NpyDType dtype =
      root.precision() == fbs::Precision::F64 ? NpyDType::F64 : NpyDType::F32;
  // One step's samples.npy and its plot are written as one group, so that
  // they always show the same step.
  bool plotted = (plot == fbs::PlotKind::Scatter && dim == 2) ||
                 plot == fbs::PlotKind::Grid;
  struct Encoded {
    std::vector<uint8_t> npy, png;
  };
  // Plots show the data's own coordinates (images: their [0, 1] pixels).
  // The spec's (or artifact's) file name: a title, not a path.
  std::string title =
      std::filesystem::path(root.spec_name() && root.spec_name()->size()
                                ? root.spec_name()->str()
                                : name)
          .filename()
          .string();
  // The real rows in the samples' units: real.npy, and the scatter's grey
  // points (kept only for a scatter).
  std::vector<double> realInUnits = sampleUnits.toData(real->values);
  // The samples the outputs show: this run's points, or at rank 0 of
  // independent problems every rank's, gathered in rank order by collect()
  // (which every rank calls at the same steps).
  const std::vector<double> *shown = &points;
  int64_t shownRows = wholeFake;
  std::vector<double> gathered;
  auto collect = [&]() -> Status {
    if (!independent)
      return {};
    std::vector<uint8_t> all;
    if (Status s = comm->gather(points.data(),
                                int64_t(points.size() * sizeof(double)), &all);
        !s.ok())
      return s;
    if (!writer)
      return {};
    gathered.resize(all.size() / sizeof(double));
    std::memcpy(gathered.data(), all.data(), gathered.size() * sizeof(double));
    shown = &gathered;
    shownRows = int64_t(gathered.size()) / dim;
    return {};
  };
  auto plotSamples = [&](int64_t t) {
    std::string caption = title + ", step " + std::to_string(t);
    if (plot != fbs::PlotKind::Scatter)
      return titledImageGrid(shown->data(), shownRows, data.imageH, data.imageW,
                             data.imageC, caption);
    ScatterChart chart;
    chart.title = caption;
    chart.xLabel = "x1";
    chart.yLabel = "x2";
    chart.series = {{"real (n = " + std::to_string(wholeReal) + ")",
                     realInUnits, RGB{150, 150, 150}, 2},
                    {"generated (m = " + std::to_string(shownRows) + ")",
                     sampleUnits.toData(*shown), RGB{214, 39, 40}, 2}};
    return scatterChart(chart);
  };
  auto encodeSamples = [&](int64_t t) -> Result<Encoded> {
    std::vector<double> samples = sampleUnits.toData(*shown);
    Encoded e{encodeNpy({shownRows, dim}, samples.data(), dtype), {}};
    if (!plotted)
      return e;
    Result<std::vector<uint8_t>> png = encodePng(plotSamples(t));
    if (!png.ok())
      return makeError(png.error().code,
                       out->samplesPng + ": " + png.message());
    e.png = std::move(*png);
    return e;
  };
  int64_t every = root.output()->every();
  // The report's pieces: a snapshot of the samples' plot at each output
  // step, the loss curve, and report.html over them.
  namespace fs = std::filesystem;
  std::vector<ReportSnapshot> snapshots;
  if (options.report && plotted && result.resumedAt > 0) {
    // A resumed run's report keeps the snapshots its first part wrote.
    std::error_code ec;
    for (int64_t t = every; every > 0 && t <= result.resumedAt; t += every)
      if (fs::exists(fs::path(out->dir) / snapshotName(t), ec))
        snapshots.push_back({t, snapshotName(t)});
  }
  using Clock = std::chrono::steady_clock;
  Clock::time_point start = Clock::now();
  auto writeReportFiles = [&]() -> Status {
    // Seconds of the steps before a resume are not known: gaps in the plot.
    std::vector<double> seconds(size_t(result.resumedAt),
                                std::numeric_limits<double>::quiet_NaN());
    seconds.insert(seconds.end(), result.stepSeconds.begin(),
                   result.stepSeconds.end());
    Result<std::vector<uint8_t>> png =
        encodePng(lossCurve(result.losses, seconds, title + ": loss"));
    if (!png.ok())
      return png.error();
    std::string lossPath = (fs::path(out->dir) / "loss.png").string();
    if (Status s = writeFileAtomic(lossPath, png->data(), png->size()); !s.ok())
      return s;
    RunReport report = options.reportBase;
    if (report.title.empty())
      report.title = title;
    report.lossCurvePng = "loss.png";
    report.snapshots = snapshots;
    report.samplesPng = plotted ? "samples.png" : "";
    report.losses = result.losses;
    report.timings.steps = int64_t(result.stepSeconds.size());
    report.timings.totalSeconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    if (!result.stepSeconds.empty()) {
      report.timings.medianSecondsPerStep = median(result.stepSeconds);
      double sum = 0;
      for (double v : result.stepSeconds)
        sum += v;
      report.timings.meanSecondsPerStep =
          sum / double(result.stepSeconds.size());
    }
    if (Status s = writeReport(out->dir, report); !s.ok())
      return s;
    result.lossPng = lossPath;
    result.reportHtml = (fs::path(out->dir) / "report.html").string();
    return {};
  };
  auto writeSamples = [&](int64_t t) -> Status {
    Result<Encoded> e = encodeSamples(t);
    if (!e.ok())
      return e.error();
    std::vector<FileWrite> files{{"samples.npy", e->npy.data(), e->npy.size()}};
    if (plotted)
      files.push_back({"samples.png", e->png.data(), e->png.size()});
    if (Status s = writeFilesAtomic(out->dir, files); !s.ok())
      return s;
    if (!options.report)
      return {};
    if (plotted && t > result.resumedAt) {
      std::error_code ec;
      fs::create_directories(fs::path(out->dir) / "snapshots", ec);
      std::string path = (fs::path(out->dir) / snapshotName(t)).string();
      if (Status s = writeFileAtomic(path, e->png.data(), e->png.size());
          !s.ok())
        return s;
      if (snapshots.empty() || snapshots.back().step != t)
        snapshots.push_back({t, snapshotName(t)});
    }
    return writeReportFiles();
  };
  std::vector<uint8_t> realNpy =
      encodeNpy({wholeReal, dim}, realInUnits.data(), dtype);
  if (plot != fbs::PlotKind::Scatter)
    realInUnits = {};
  // A full disk or a file size limit is found now, not after the steps:
  // the outputs' sizes are those of the first samples (a plot of the same
  // size compresses about as well), the checkpoint's its vectors.
  if (Status s = collect(); !s.ok())
    return s.error();
  if (writer) {
    Result<Encoded> e = encodeSamples(result.resumedAt);
    if (!e.ok())
      return e.error();
    uint64_t checkpointBytes = checkpointEvery > 0 || gen
                                   ? 8 * (3 * v.size() + uint64_t(steps)) + 4096
                                   : 0;
    // The report: a snapshot per output step, the loss curve and the page.
    uint64_t outputs = every > 0 ? uint64_t(steps / every) + 1 : 1;
    // loss.png (two 640-pixel panels of lines) and the page: 128 KiB.
    uint64_t reportBytes =
        options.report ? (plotted ? outputs * e->png.size() : 0) + (128 << 10)
                       : 0;
    uint64_t realBytes = realNpy.size();
    uint64_t largest = std::max<uint64_t>(
        {e->npy.size(), 2 * e->png.size(), checkpointBytes, realBytes});
    if (Status s = checkSpace(
            out->dir,
            e->npy.size() + 2 * e->png.size() + checkpointBytes + reportBytes +
                realBytes + (64 << 10),
            largest,
            std::string("real.npy, samples.npy") +
                (plotted ? ", samples.png" : "") +
                (checkpointBytes ? ", " + std::string(kCheckpointFile)
                                 : std::string()) +
                (options.report ? plotted ? ", the report (loss.png, "
                                            "report.html, snapshots)"
                                          : ", the report (loss.png, "
                                            "report.html)"
                                : ""));
        !s.ok())
      return s.error();
  }
  // The real rows the run trains on, in the samples' units, once: what
  // `gantk eval --real` compares the samples with.
  if (writer) {
    if (Status s =
            writeFileAtomic(out->realNpy, realNpy.data(), realNpy.size());
        !s.ok())
      return s.error();
    result.realNpy = out->realNpy;
  }
  realNpy = {};
  int64_t lastCheckpoint = -1;
  std::optional<CheckpointWriter> checkpoints;
  // A generator run always ends with one: θ is what `gantk sample` needs.
  if ((checkpointEvery > 0 || gen) && (writer || independent)) {
    checkpoints.emplace(session.artifact(), real->units);
    if (independent)
      checkpoints->setProblem(rank, comm->size());
  }
  auto writeRunCheckpoint = [&](int64_t t) -> Status {
    if (Status s =
            checkpoints->write(out->checkpoint, t, v, optimizer.firstMoments(),
                               optimizer.secondMoments(), result.losses);
        !s.ok())
      return s;
    lastCheckpoint = t;
    result.checkpoint = out->checkpoint;
    return {};
  };
  // A non-finite step stops the run: which command made it so, and that the
  // last checkpoint is still there to go back to.
  auto nonFinite = [&](int64_t t, const std::string &what) {
    std::string message = name + ": step " + std::to_string(t) + ": " + what;
    std::string culprit = session.firstNonFiniteCommand();
    if (!culprit.empty())
      message += "; the first non-finite values came from " + culprit;
    if (lastCheckpoint >= 0)
      message += "; the checkpoint of step " + std::to_string(lastCheckpoint) +
                 " (" + out->checkpoint + ") is kept";
    // Before the first update Z is its initial draw in [0, 1) or N(0, 1): the
    // data or lambda overflowed, not the learning rate.
    message += t == result.resumedAt + 1 && result.resumedAt == 0
                   ? std::string(" (") + (gen ? "θ is" : "Z is") +
                         " still its initial draw, so the data or lambda "
                         "is out of range: scale the data (scale = unit) or "
                         "lower lambda)"
                   : " (lower the learning rate or lambda, or use float64)";
    return makeError(ErrorCode::FailedPrecondition, message);
  };

  std::vector<double> g(v.size());
  // Batch-wise: the step's rows gathered from X and Z, and its gradient,
  // scattered into g (zero on the rows the step did not take).
  std::vector<double> stepReal, stepFake, stepGrad;
  std::vector<int64_t> fakeRows;
  int64_t first = result.resumedAt + 1;
  std::optional<ProgressMeter> progress;
  if (log) {
    if (independent)
      *log << "loss summed over " << comm->size()
           << " independent problems (one per rank)\n";
    progress.emplace(*log, options.liveProgress, steps, result.resumedAt + 1,
                     every);
  }
  start = Clock::now();
  int64_t lastStep = steps;
  for (int64_t t = first; t <= steps; ++t) {
    Clock::time_point stepStart = Clock::now();
    if (batched) {
      stepReal = gatherRows(
          real->values,
          batchRows(drawSeed, 0, t, wholeReal, nReal, spec.epoch()), dim);
      if (!gen) {
        fakeRows = batchRows(drawSeed, 1, t, wholeFake, nFake, spec.epoch());
        stepFake = gatherRows(v, fakeRows, dim);
      }
      if (Status s = session.setReal(stepReal.data(), stepReal.size());
          !s.ok())
        return s.error();
    }
    if (gen) {
      if (Status s = setGeneratorInputs(session, v, t, drawSeed); !s.ok())
        return s.error();
    } else {
      const std::vector<double> &fake = batched ? stepFake : v;
      if (Status s = session.setFake(fake.data(), fake.size()); !s.ok())
        return s.error();
    }
    if (Status s = session.step(); !s.ok())
      return s.error();
    double loss = session.loss();
    if (!std::isfinite(loss))
      return nonFinite(t, std::string("the loss is ") + nonFiniteName(loss));
    if (batched && !gen) {
      stepGrad.resize(stepFake.size());
      if (Status s = session.getGrad(stepGrad.data(), stepGrad.size());
          !s.ok())
        return s.error();
      if (!allFinite(stepGrad))
        return nonFinite(t, "dL/dZ holds non-finite values");
      // g stays zero but on the step's rows (they are zeroed again below).
      for (size_t r = 0; r < fakeRows.size(); ++r)
        std::copy_n(stepGrad.begin() + r * dim, dim,
                    g.begin() + fakeRows[r] * dim);
    } else {
      if (Status s = session.getGrad(g.data(), g.size()); !s.ok())
        return s.error();
      if (!allFinite(g))
        return nonFinite(t, std::string(gen ? "dL/dθ" : "dL/dZ") +
                                " holds non-finite values");
    }
    // A loss frozen from the start would let the run "succeed" without
    // moving Z: exp(-lambda K) is 0 or I to the last bit on K's whole
    // spectrum, said with lambda times K's extreme eigenvalue where the step
    // saw them; otherwise a gradient below 1e-200 (no signal) says it.
    if (t == 1 && root.lambda() > 0)
      if (std::optional<Session::Spectrum> k = session.kernelSpectrum())
        if (std::string why = frozenLoss(root.lambda(), *k, dtype == NpyDType::F64);
            !why.empty())
          return makeError(ErrorCode::FailedPrecondition,
                           name + ": step 1: the loss is frozen: " + why);
    if (t == 1) {
      double largest = 0;
      for (double v : g)
        largest = std::max(largest, std::abs(v));
      if (largest < 1e-200)
        return makeError(
            ErrorCode::FailedPrecondition,
            name + ": step 1: " + (gen ? "dL/dθ" : "dL/dZ") +
                " vanishes (largest |" + (gen ? "dL/dθ" : "dL/dZ") +
                "| = " + shortNumber(largest) + ", loss " + shortNumber(loss) +
                "): exp(-lambda K) has underflowed to 0 or rounds to I on "
                "the kernel's whole spectrum, so Z would never move; choose "
                "lambda so that lambda times K's largest eigenvalue is "
                "between about 1e-3 and 1e3 (or use lambda = ... normalized)");
    }
    // Independent problems: the history and the progress hold the loss
    // summed over the ranks' problems (the same bits on every rank).
    if (independent)
      if (Status s = comm->sum(&loss, 1); !s.ok())
        return s.error();
    result.losses.push_back(loss);
    // Batch-wise gradient descent moves only the step's rows once a first
    // whole update has clipped every row, so a step's cost does not grow
    // with m; Adam's moments move every row.
    bool rowsOnly = batched && !gen &&
                    spec.optimizer() == fbs::OptimizerKind::GD && t > first;
    if (rowsOnly)
      optimizer.updateRows(v.data(), g.data(), fakeRows, dim);
    else
      optimizer.update(v.data(), g.data());
    bool finite = true;
    if (rowsOnly)
      for (int64_t row : fakeRows)
        finite = finite &&
                 allFinite(&v[size_t(row * dim)], &v[size_t(row * dim)] + dim);
    else
      finite = allFinite(v);
    if (batched && !gen)
      for (int64_t row : fakeRows)
        std::fill_n(g.begin() + row * dim, dim, 0.0);
    if (!finite)
      return makeError(
          ErrorCode::FailedPrecondition,
          name + ": step " + std::to_string(t) +
              ": the optimiser's update made " +
              (gen ? "the generator's weights" : "generated points") +
              " non-finite (the gradient was finite; lower the "
              "learning rate)");
    result.stepSeconds.push_back(
        std::chrono::duration<double>(Clock::now() - stepStart).count());
    killAfterStepForTests(t, rank);
    bool last = t == steps, zRead = false;
    if (options.onStep) {
      if (gen) { // G(E_t; θ) as this step made it, still in the arena
        z = session.readView(*root.fake());
        zRead = true;
      }
      if (!options.onStep(t, loss, sampleUnits.toData(points)))
        last = true;
    }
    if ((every > 0 && t % every == 0) || last) {
      if (gen && !zRead)
        z = session.readView(*root.fake());
      if (Status s = collect(); !s.ok())
        return s.error();
      if (writer)
        if (Status s = writeSamples(t); !s.ok())
          return s.error();
    }
    if (progress) {
      progress->step(t, loss);
      if (last && t < steps)
        progress->message("stopped after step " + std::to_string(t) + " of " +
                          std::to_string(steps) + " (the caller asked)");
    }
    if (checkpoints &&
        ((checkpointEvery > 0 && t % checkpointEvery == 0) || last))
      if (Status s = writeRunCheckpoint(t); !s.ok())
        return s.error();
    if (last) {
      lastStep = t;
      break;
    }
  }
  // A caller's onStep may have stopped the run early.
  result.steps = std::max(lastStep, result.resumedAt);
  int64_t ran = result.steps - result.resumedAt;
  if (ran > 0)
    result.secondsPerStep =
        std::chrono::duration<double>(Clock::now() - start).count() /
        double(ran);
  else {
    // Nothing left to run: a generator's samples are drawn from the
    // checkpoint's θ with the last step's latent rows.
    if (gen)
      z = generate(*genShape, v,
                   latentRows(drawSeed, steps, nFake, genShape->latent()),
                   nFake);
    if (Status s = collect(); !s.ok())
      return s.error();
    if (writer)
      if (Status s = writeSamples(steps); !s.ok())
        return s.error();
  }

  if (!writer) {
    result.samples = sampleUnits.toData(points);
    return result;
  }
  result.samplesNpy = out->samplesNpy;
  if (plotted)
    result.samplesPng = out->samplesPng;
  if (options.samplePngs) {
    if (!data.imageH)
      return makeError(ErrorCode::InvalidArgument,
                       name + ": a PNG per sample needs image data, and " +
                           dataSourceName(data) + " has flat rows of " +
                           std::to_string(dim) + " values");
    Result<std::string> dirOut = writeSamplePngs(out->dir, *shown, data.imageH,
                                                 data.imageW, data.imageC);
    if (!dirOut.ok())
      return dirOut.error();
    result.samplePngDir = *dirOut;
  }
  result.samples = shown == &points ? sampleUnits.toData(std::move(points))
                                    : sampleUnits.toData(*shown);
  return result;
}
