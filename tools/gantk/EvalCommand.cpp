//===- EvalCommand.cpp - gantk eval: score samples against real data ------===//
//
// Reads generated and real rows from .npy files (and, for mode coverage, the
// mixture from a spec or --mixture), runs the measures of
// gantk/runtime/Eval.h and prints one line per measure (docs/eval.md).
// Every file's header is read before any values, so that a bad shape or a
// computation too large to hold is refused before a large file is loaded.
//
//===----------------------------------------------------------------------===//

#include "Command.h"

#include "gantk/Driver/DataShape.h"
#include "gantk/Driver/Errors.h"
#include "gantk/Driver/Spec.h"

#include "gantk/runtime/Data.h"
#include "gantk/runtime/Eval.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Options.h"
#include "gantk/runtime/Stats.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <optional>

namespace gantk {
llvm::cl::SubCommand evalCmd("eval", "Score generated samples against real "
                                     "data");
} // namespace gantk

using namespace gantk;
namespace cl = llvm::cl;

namespace {

cl::opt<std::string> samplesPath(
    "samples", cl::sub(evalCmd),
    cl::desc("Generated rows: an .npy of shape (N, d), (N, H, W) or "
             "(N, H, W, C), in the data's units (as a run's samples.npy)"),
    cl::value_desc("FILE"), cl::cat(toolCategory));
cl::opt<std::string> realPath(
    "real", cl::sub(evalCmd),
    cl::desc("Real rows, of the same width as --samples (for am-ssim and "
             "mmd)"),
    cl::value_desc("FILE"), cl::cat(toolCategory));
cl::opt<std::string> metricList(
    "metric", cl::sub(evalCmd),
    cl::desc("Comma-separated measures: am-ssim, mmd, modes, fd, or all "
             "(default: every measure the inputs given allow)"),
    cl::value_desc("LIST"), cl::cat(toolCategory));
cl::opt<std::string> specPath(
    "spec", cl::sub(evalCmd),
    cl::desc("The spec whose data the samples imitate: its gaussian_grid or "
             "gaussian_ring gives the modes, its images the image shape"),
    cl::value_desc("SPEC"), cl::cat(toolCategory));
cl::opt<std::string> mixtureText(
    "mixture", cl::sub(evalCmd),
    cl::desc("The 2-D mixture for modes, as the spec's source would give it"),
    cl::value_desc("grid:SIZE,SPACING,STD|ring:MODES,RADIUS,STD"),
    cl::cat(toolCategory));
cl::opt<std::string> imageText(
    "image", cl::sub(evalCmd),
    cl::desc("The image shape of flat rows, for am-ssim (default: from an "
             "(N, H, W[, C]) array or the spec's images)"),
    cl::value_desc("HxWxC"), cl::cat(toolCategory));
cl::opt<std::string>
    realLimit("real-limit", cl::sub(evalCmd),
              cl::desc("Use only the first K rows of --real (am-ssim costs "
                       "generated x real image pairs)"),
              cl::value_desc("K"), cl::cat(toolCategory));
cl::opt<std::string> maxValText(
    "max-val", cl::sub(evalCmd),
    cl::desc("SSIM's dynamic range L, pixels in [0, L] (default 1 when the "
             "real images lie in [0, 1], else 255)"),
    cl::value_desc("L"), cl::cat(toolCategory));
cl::opt<std::string> sigmaText(
    "sigma", cl::sub(evalCmd),
    cl::desc("The MMD kernel's bandwidth (default: the median heuristic)"),
    cl::value_desc("S"), cl::cat(toolCategory));
cl::opt<std::string> radiusText(
    "radius", cl::sub(evalCmd),
    cl::desc("modes: a point counts for a mode within R standard deviations "
             "(default 3)"),
    cl::value_desc("R"), cl::cat(toolCategory));
cl::opt<std::string> featuresText(
    "features", cl::sub(evalCmd),
    cl::desc("fd: two (N, k) .npy files of features of real and generated "
             "data (Inception features make it FID)"),
    cl::value_desc("REAL_F.npy,GEN_F.npy"), cl::cat(toolCategory));
cl::opt<std::string>
    digitsText("digits", cl::sub(evalCmd),
               cl::desc("Significant digits printed (1 to 17, default 4)"),
               cl::value_desc("D"), cl::cat(toolCategory));
cl::opt<std::string> threadsText(
    "threads", cl::sub(evalCmd),
    cl::desc("Threads for am-ssim and mmd (default: GANTK_NUM_THREADS, else "
             "all cores)"),
    cl::value_desc("T"), cl::cat(toolCategory));

enum Metric { AmSsimMetric, MmdMetric, ModesMetric, FdMetric, NumMetrics };
const char *const kMetricNames[NumMetrics] = {"am-ssim", "mmd", "modes", "fd"};

/// The filtered maps of the real images am-ssim keeps at most.
constexpr double kMaxMapBytes = double(int64_t(8) << 30);

int usageError(const std::string &message) { return usage("eval", message); }

/// An .npy input: its header first, its values when a measure needs them.
struct Input {
  std::string path;
  NpyArray array; // values empty until load()
  DataShape shape;

  bool given() const { return !path.empty(); }
  PointSet points() const {
    return PointSet{array.values.data(), shape.rows, shape.dim, path};
  }
};

std::optional<int> readHeader(Input &in, bool flatOnly) {
  Result<NpyArray> header = readNpyShape(in.path);
  if (!header.ok())
    return fail(ExitCode::InputError, header.message());
  in.array = std::move(*header);
  if (flatOnly) {
    if (in.array.shape.size() != 2 || in.array.shape[0] < 1 ||
        in.array.shape[1] < 1) {
      std::string text;
      for (int64_t d : in.array.shape)
        text += (text.empty() ? "" : ", ") + std::to_string(d);
      return fail(ExitCode::InputError,
                  in.path +
                      ": features must be an array of shape (N, k); "
                      "this one has shape (" +
                      text + (in.array.shape.size() == 1 ? ",)" : ")"));
    }
    in.shape = DataShape{in.array.shape[0], in.array.shape[1], 0, 0, 0};
    return std::nullopt;
  }
  Result<DataShape> shape = npyDataShape(in.array.shape, in.path);
  if (!shape.ok())
    return fail(ExitCode::InputError, shape.message());
  in.shape = *shape;
  return std::nullopt;
}

std::optional<int> load(Input &in) {
  Result<NpyArray> array = readNpy(in.path);
  if (!array.ok())
    return fail(ExitCode::InputError, array.message());
  if (Status s = checkFinite(*array, in.path); !s.ok())
    return fail(ExitCode::InputError, s.message());
  in.array = std::move(*array);
  return std::nullopt;
}

/// "HxWxC" or "HxW" (C = 1), each a positive integer.
bool parseImageShape(const std::string &text, ImageShape &out) {
  std::vector<int64_t> dims;
  size_t at = 0;
  while (at <= text.size()) {
    size_t x = text.find('x', at);
    std::string part =
        text.substr(at, x == std::string::npos ? std::string::npos : x - at);
    int64_t v = 0;
    if (!parseIntegerOption("", part, 1, int64_t(1) << 20, v).empty())
      return false;
    dims.push_back(v);
    if (x == std::string::npos)
      break;
    at = x + 1;
  }
  if (dims.size() < 2 || dims.size() > 3)
    return false;
  out = ImageShape{dims[0], dims[1], dims.size() == 3 ? dims[2] : 1};
  return true;
}

/// grid:SIZE,SPACING,STD or ring:MODES,RADIUS,STD.
bool parseMixture(const std::string &text, Mixture &out) {
  size_t colon = text.find(':');
  if (colon == std::string::npos)
    return false;
  std::string kind = text.substr(0, colon);
  if (kind != "grid" && kind != "ring")
    return false;
  std::vector<std::string> parts;
  size_t at = colon + 1;
  for (;;) {
    size_t comma = text.find(',', at);
    parts.push_back(text.substr(
        at, comma == std::string::npos ? std::string::npos : comma - at));
    if (comma == std::string::npos)
      break;
    at = comma + 1;
  }
  if (parts.size() != 3)
    return false;
  out.kind = kind == "grid" ? Mixture::Kind::Grid : Mixture::Kind::Ring;
  return parseIntegerOption("", parts[0], 1, INT64_MAX, out.size).empty() &&
         parsePositiveNumber("", parts[1], out.spacing).empty() &&
         parsePositiveNumber("", parts[2], out.std).empty();
}

std::string shapeText(const ImageShape &s) {
  return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" +
         std::to_string(s.channels);
}

std::string format(const char *spec, int digits, double v) {
  char text[64];
  std::snprintf(text, sizeof text, spec, digits, v);
  return text;
}

/// The first value of an image set outside [0, L] (a little rounding
/// allowed): SSIM's constants assume that range.
std::optional<int> checkPixelRange(const Input &in, double maxVal) {
  double slack = 1e-6 * maxVal;
  const std::vector<double> &v = in.array.values;
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] < -slack || v[i] > maxVal + slack)
      return fail(
          ExitCode::InputError,
          in.path + ": row " + std::to_string(int64_t(i) / in.shape.dim) +
              ", column " + std::to_string(int64_t(i) % in.shape.dim) + " is " +
              format("%.*g", 6, v[i]) + ", outside SSIM's pixel range [0, " +
              format("%.*g", 6, maxVal) +
              "]; give --max-val L for pixels in [0, L] (255 for "
              "bytes)");
  return std::nullopt;
}

/// What the command line asks for, parsed and checked.
struct Settings {
  bool wanted[NumMetrics] = {};
  bool automatic = true; // every measure the inputs allow
  int digits = 4;
  int threads = 0;
  int64_t limit = INT64_MAX;
  double radius = 3, maxVal = 0; // maxVal 0: from the real data's dtype
  std::optional<double> sigma;
  std::optional<ImageShape> image;
  std::string imageFrom; // what gave the image shape (messages)
  std::optional<Mixture> mixture;
  Input samples, real, realFeatures, genFeatures;
};

/// Every usage error, before any file is read.
std::optional<int> parseCommandLine(Settings &s) {
  if (!metricList.empty()) {
    s.automatic = false;
    size_t at = 0;
    for (;;) {
      size_t comma = metricList.find(',', at);
      std::string name = metricList.substr(
          at, comma == std::string::npos ? std::string::npos : comma - at);
      bool known = name == "all";
      s.automatic = s.automatic || known;
      for (int m = 0; m < NumMetrics; ++m)
        if (name == kMetricNames[m])
          s.wanted[m] = known = true;
      if (!known)
        return usageError("--metric takes am-ssim, mmd, modes, fd or all "
                          "(comma-separated), got '" +
                          metricList + "'");
      if (comma == std::string::npos)
        break;
      at = comma + 1;
    }
  }
  std::string error;
  int64_t digits = s.digits;
  if (digitsText.getNumOccurrences())
    error = parseIntegerOption("--digits", digitsText, 1, 17, digits);
  s.digits = int(digits);
  if (error.empty() && threadsText.getNumOccurrences())
    error = parseThreads(threadsText, s.threads);
  if (error.empty() && realLimit.getNumOccurrences())
    error =
        parseIntegerOption("--real-limit", realLimit, 1, INT64_MAX, s.limit);
  if (error.empty() && radiusText.getNumOccurrences())
    error = parsePositiveNumber("--radius", radiusText, s.radius);
  if (error.empty() && maxValText.getNumOccurrences())
    error = parsePositiveNumber("--max-val", maxValText, s.maxVal);
  if (error.empty() && sigmaText.getNumOccurrences()) {
    double sigma = 0;
    error = parsePositiveNumber("--sigma", sigmaText, sigma);
    s.sigma = sigma;
  }
  if (!error.empty())
    return usageError(error);
  if (imageText.getNumOccurrences()) {
    ImageShape image;
    if (!parseImageShape(imageText, image))
      return usageError("--image must be HxWxC or HxW (positive integers), "
                        "got '" +
                        imageText + "'");
    s.image = image;
    s.imageFrom = "--image " + imageText;
  }
  if (mixtureText.getNumOccurrences()) {
    if (specPath.getNumOccurrences())
      return usageError("give the mixture by --spec or by --mixture, not both");
    Mixture mixture;
    if (!parseMixture(mixtureText, mixture))
      return usageError("--mixture must be grid:SIZE,SPACING,STD or "
                        "ring:MODES,RADIUS,STD, got '" +
                        mixtureText + "'");
    if (Result<std::vector<Point2>> c = mixtureCentres(mixture); !c.ok())
      return usageError("--mixture: " + c.message());
    s.mixture = mixture;
  }
  s.samples.path = samplesPath;
  s.real.path = realPath;
  if (featuresText.getNumOccurrences()) {
    size_t comma = featuresText.find(',');
    if (comma == std::string::npos || comma == 0 ||
        comma + 1 == featuresText.size() ||
        featuresText.find(',', comma + 1) != std::string::npos)
      return usageError("--features takes two files, REAL_F.npy,GEN_F.npy, "
                        "got '" +
                        featuresText + "'");
    s.realFeatures.path = featuresText.substr(0, comma);
    s.genFeatures.path = featuresText.substr(comma + 1);
  }
  return std::nullopt;
}

/// The mixture of a spec's gaussian_grid or gaussian_ring data, and the
/// image shape of its image data when no other input gives one.
std::optional<int> readSpec(Settings &s) {
  Result<driver::LoadedSpec> spec = driver::loadSpecFile(specPath, false);
  if (!spec.ok()) {
    std::cerr << driver::errorText(spec.error());
    return exitStatus(exitCodeFor(spec.error()));
  }
  const ast::DataSource &source = spec->spec.data.real;
  using Kind = ast::DataSource::Kind;
  if (source.kind == Kind::GaussianGrid || source.kind == Kind::GaussianRing) {
    s.mixture = Mixture{source.kind == Kind::GaussianGrid ? Mixture::Kind::Grid
                                                          : Mixture::Kind::Ring,
                        source.size, source.spacing, source.std};
    return std::nullopt;
  }
  if (s.wanted[ModesMetric])
    return fail(ExitCode::InputError,
                specPath + ": its data is " +
                    (source.kind == Kind::Npy   ? "npy"
                     : source.kind == Kind::Idx ? "idx"
                                                : "images") +
                    ", not gaussian_grid or gaussian_ring; modes needs a 2-D "
                    "mixture");
  if (s.image)
    return std::nullopt;
  Result<driver::DataInfo> info = driver::probeData(source);
  if (!info.ok())
    return fail(ExitCode::InputError, info.message());
  if (info->imageH) {
    s.image = ImageShape{info->imageH, info->imageW, info->imageC};
    s.imageFrom = specPath;
  }
  return std::nullopt;
}

/// The image shape of an (N, H, W[, C]) --samples or --real; both must
/// agree.
std::optional<int> imageOfArrays(Settings &s) {
  for (const Input *in : {&s.samples, &s.real}) {
    if (!in->given() || !in->shape.imageH)
      continue;
    ImageShape image{in->shape.imageH, in->shape.imageW, in->shape.imageC};
    if (s.image && shapeText(*s.image) != shapeText(image))
      return fail(ExitCode::InputError, s.samples.path + " has images of " +
                                            shapeText(*s.image) +
                                            " (H x W x C), " + s.real.path +
                                            " of " + shapeText(image));
    s.image = image;
    s.imageFrom = in->path;
  }
  return std::nullopt;
}

/// Which measures run: those asked for, each with its inputs, or with
/// `all` every one the inputs allow.
std::optional<int> chooseMetrics(Settings &s) {
  bool pair = s.samples.given() && s.real.given();
  bool possible[NumMetrics] = {pair && s.image, pair,
                               s.samples.given() && s.mixture,
                               s.realFeatures.given()};
  const char *needs[NumMetrics] = {
      "--samples and --real", "--samples and --real",
      "--samples and a mixture (--spec SPEC with gaussian_grid or "
      "gaussian_ring data, or --mixture grid:SIZE,SPACING,STD)",
      "--features REAL_F.npy,GEN_F.npy"};
  for (int m = 0; m < NumMetrics; ++m) {
    if (s.wanted[m] && !possible[m]) {
      if (m == AmSsimMetric && pair)
        return usageError("am-ssim needs the image shape: give --image HxWxC, "
                          "images as (N, H, W[, C]) arrays, or a --spec whose "
                          "data are images");
      return usageError(std::string(kMetricNames[m]) + " needs " + needs[m]);
    }
    if (s.automatic)
      s.wanted[m] = s.wanted[m] || possible[m];
  }
  if (std::none_of(s.wanted, s.wanted + NumMetrics, [](bool w) { return w; }))
    return usageError("eval needs --samples with --real (am-ssim, mmd), "
                      "--samples with a mixture (modes), or --features (fd)");
  return std::nullopt;
}

/// "5000" or, under --real-limit, "5000 of 60000".
std::string realCount(const Settings &s, int64_t used) {
  return used < s.real.shape.rows
             ? std::to_string(used) + " of " + std::to_string(s.real.shape.rows)
             : std::to_string(used);
}

/// SSIM's L when --max-val is not given: 255 for bytes, and for other real
/// images the pixel range they lie in, [0, 1] or else [0, 255] (a byte data
/// set's real.npy and samples come back in 0 … 255 as floats).
double defaultMaxVal(const Input &real) {
  if (real.array.dtype == NpyDType::U8)
    return 255;
  for (double v : real.array.values)
    if (v > 1 + 1e-6)
      return 255;
  return 1;
}

int reportAmSsim(const Settings &s, const PointSet &real) {
  SsimOptions options;
  options.maxVal = s.maxVal > 0 ? s.maxVal : defaultMaxVal(s.real);
  for (const Input *in : {&s.samples, &s.real})
    if (std::optional<int> status = checkPixelRange(*in, options.maxVal))
      return *status;
  Result<AmSsim> am =
      averageMaxSsim(s.samples.points(), real, *s.image, options, s.threads);
  if (!am.ok())
    return fail(exitCodeFor(am.error()), am.message());
  std::printf("am-ssim %s ± %s (%" PRId64 " generated vs %s real images %s; "
              "window %" PRId64 ", sigma %s, k1 %s, k2 %s, VALID, L %s)\n",
              format("%.*g", s.digits, am->mean).c_str(),
              format("%.*g", s.digits, am->std).c_str(), s.samples.shape.rows,
              realCount(s, real.rows).c_str(), shapeText(*s.image).c_str(),
              options.filterSize,
              format("%.*g", 6, options.filterSigma).c_str(),
              format("%.*g", 6, options.k1).c_str(),
              format("%.*g", 6, options.k2).c_str(),
              format("%.*g", 6, options.maxVal).c_str());
  return exitStatus(ExitCode::Success);
}

int reportMmd(const Settings &s, const PointSet &real) {
  Result<Mmd> m = mmd2(s.samples.points(), real, s.sigma, s.threads);
  if (!m.ok())
    return fail(exitCodeFor(m.error()), m.message());
  std::string how = "given";
  if (m->medianHeuristic) {
    how = "by the median heuristic";
    if (s.samples.shape.rows > kMedianHeuristicRows ||
        real.rows > kMedianHeuristicRows)
      how += " on the first " + std::to_string(kMedianHeuristicRows) +
             " rows of each set";
  }
  std::printf("mmd2 %s (gaussian kernel, sigma %s %s, %" PRId64
              " vs %s points)\n",
              format("%.*e", s.digits - 1, m->mmd2).c_str(),
              format("%.*g", s.digits, m->sigma).c_str(), how.c_str(),
              s.samples.shape.rows, realCount(s, real.rows).c_str());
  return exitStatus(ExitCode::Success);
}

int reportModes(const Settings &s) {
  Result<std::vector<Point2>> centres = mixtureCentres(*s.mixture);
  if (!centres.ok())
    return fail(ExitCode::InputError, specPath + ": " + centres.message());
  Result<ModeCoverage> c =
      modeCoverage(s.samples.points(), *centres, s.mixture->std, s.radius);
  if (!c.ok())
    return fail(exitCodeFor(c.error()), c.message());
  // A long list would swamp the line: past 64 modes, its summary.
  std::string perMode;
  if (c->counts.size() <= 64) {
    for (int64_t n : c->counts)
      perMode += " " + std::to_string(n);
  } else {
    auto [lo, hi] = std::minmax_element(c->counts.begin(), c->counts.end());
    perMode = " min " + std::to_string(*lo) + ", median " +
              format("%.*g", 6,
                     median(std::vector<double>(c->counts.begin(),
                                                c->counts.end()))) +
              ", max " + std::to_string(*hi);
  }
  std::printf("modes %" PRId64 "/%zu covered, %" PRId64 "/%" PRId64
              " within %s std of a mode (%s); points per mode:%s\n",
              c->covered, c->counts.size(), c->highQuality, c->points,
              format("%.*g", 6, s.radius).c_str(),
              s.mixture->describe().c_str(), perMode.c_str());
  return exitStatus(ExitCode::Success);
}

int reportFd(const Settings &s) {
  Result<double> fd =
      frechetDistance(s.realFeatures.points(), s.genFeatures.points());
  if (!fd.ok())
    return fail(exitCodeFor(fd.error()), fd.message());
  std::printf("fd %s (features you supplied: %" PRId64 " dims, %" PRId64
              " real vs %" PRId64
              " generated rows; no Inception network ships with gantk, so "
              "this is FID only if you give Inception features)\n",
              format("%.*g", s.digits, *fd).c_str(), s.realFeatures.shape.dim,
              s.realFeatures.shape.rows, s.genFeatures.shape.rows);
  return exitStatus(ExitCode::Success);
}

} // namespace

int gantk::commandEval() {
  Settings s;
  if (std::optional<int> status = parseCommandLine(s))
    return *status;
  for (Input *in : {&s.samples, &s.real, &s.realFeatures, &s.genFeatures})
    if (in->given())
      if (std::optional<int> status = readHeader(
              *in, /*flatOnly=*/in == &s.realFeatures || in == &s.genFeatures))
        return *status;
  if (!s.image)
    if (std::optional<int> status = imageOfArrays(s))
      return *status;
  if (specPath.getNumOccurrences())
    if (std::optional<int> status = readSpec(s))
      return *status;
  if (std::optional<int> status = chooseMetrics(s))
    return *status;

  int64_t realRows = std::min(s.real.shape.rows, s.limit);
  if (s.wanted[AmSsimMetric]) {
    SsimOptions paper;
    if (Status st = checkSsimSetup(*s.image, paper); !st.ok())
      return fail(ExitCode::InputError, s.imageFrom + ": " + st.message());
    double bytes = 16.0 * double(s.image->height - paper.filterSize + 1) *
                   double(s.image->width - paper.filterSize + 1) *
                   double(s.image->channels) * double(realRows);
    if (bytes > kMaxMapBytes)
      return usageError(
          "am-ssim would keep " + format("%.*g", 3, bytes / double(1 << 30)) +
          " GiB of filtered maps for " + std::to_string(realRows) +
          " real images (at most 8 GiB); compare against fewer with "
          "--real-limit K");
  }
  bool pairs = s.wanted[AmSsimMetric] || s.wanted[MmdMetric];
  for (Input *in : {&s.samples, &s.real, &s.realFeatures, &s.genFeatures}) {
    bool needed = in == &s.samples ? pairs || s.wanted[ModesMetric]
                  : in == &s.real  ? pairs
                                   : s.wanted[FdMetric];
    if (needed)
      if (std::optional<int> status = load(*in))
        return *status;
  }

  PointSet real = s.real.points().firstRows(realRows);
  int status = exitStatus(ExitCode::Success);
  if (s.wanted[AmSsimMetric])
    status = reportAmSsim(s, real);
  if (!status && s.wanted[MmdMetric])
    status = reportMmd(s, real);
  if (!status && s.wanted[ModesMetric])
    status = reportModes(s);
  if (!status && s.wanted[FdMetric])
    status = reportFd(s);
  return status;
}
