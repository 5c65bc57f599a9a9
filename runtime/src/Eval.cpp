//===- Eval.cpp - Scores of generated samples against real data ----------===//

#include "gantk/runtime/Eval.h"
#include "gantk/runtime/Stats.h"
#include "gantk/runtime/ThreadPool.h"

#include <cblas.h>
#include <lapacke.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>

using namespace gantk;

PointSet PointSet::firstRows(int64_t limit) const {
  PointSet out = *this;
  out.rows = std::min(rows, std::max<int64_t>(limit, 0));
  return out;
}

namespace {

Error invalid(std::string message) {
  return makeError(ErrorCode::InvalidArgument, std::move(message));
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

std::string rowsText(int64_t n) {
  return std::to_string(n) + (n == 1 ? " row" : " rows");
}

bool positiveFinite(double v) { return std::isfinite(v) && v > 0; }

int threadCount(int threads) {
  return threads > 0 ? threads : defaultThreadCount();
}

/// Both sets hold rows of the same length, and each at least `minRows`.
Status checkPair(const PointSet &a, const PointSet &b, int64_t minRows,
                 const std::string &what) {
  for (const PointSet *p : {&a, &b})
    if (p->rows < minRows || p->cols < 1 || (p->rows > 0 && !p->values))
      return invalid(p->name + ": " + rowsText(p->rows) + " of " +
                     std::to_string(p->cols) + " values; " + what +
                     " needs at least " + rowsText(minRows));
  if (a.cols != b.cols)
    return invalid(a.name + " has rows of " + std::to_string(a.cols) +
                   " values, " + b.name + " of " + std::to_string(b.cols) +
                   "; " + what + " compares rows of the same length");
  return {};
}

double squaredDistance(const double *a, const double *b, int64_t d) {
  double sum = 0;
  for (int64_t k = 0; k < d; ++k) {
    double diff = a[k] - b[k];
    sum += diff * diff;
  }
  return sum;
}

//===----------------------------------------------------------------------===//
// SSIM
//===----------------------------------------------------------------------===//

/// The window and constants of one SSIM setup.
struct Window {
  ImageShape shape;
  int64_t outH = 0, outW = 0;
  std::vector<double> taps;
  double c1 = 0, c2 = 0;

  Window(const ImageShape &s, const SsimOptions &o)
      : shape(s), outH(s.height - o.filterSize + 1),
        outW(s.width - o.filterSize + 1), taps(size_t(o.filterSize)),
        c1((o.k1 * o.maxVal) * (o.k1 * o.maxVal)),
        c2((o.k2 * o.maxVal) * (o.k2 * o.maxVal)) {
    // TF's softmax over −(u² + v²)/(2σ²) is the outer product of these.
    double sum = 0;
    for (int64_t i = 0; i < o.filterSize; ++i) {
      double u = double(i) - double(o.filterSize - 1) / 2;
      taps[size_t(i)] = std::exp(-u * u / (2 * o.filterSigma * o.filterSigma));
      sum += taps[size_t(i)];
    }
    for (double &w : taps)
      w /= sum;
  }
  int64_t outSize() const { return outH * outW * shape.channels; }
};

/// Per-thread buffers of one SSIM evaluation.
struct Scratch {
  std::vector<double> product, rows, moment, channelSums;
  explicit Scratch(const Window &w)
      : product(size_t(w.shape.size())),
        rows(size_t(w.shape.height * w.outW * w.shape.channels)),
        moment(size_t(w.outSize())), channelSums(size_t(w.shape.channels)) {}
};

/// VALID filtering of an H × W × C map with the separable window: along
/// rows into s.rows (H × outW × C), then along columns into `out`.
void filterValid(const double *in, const Window &w, Scratch &s, double *out) {
  int64_t taps = int64_t(w.taps.size()), c = w.shape.channels;
  int64_t inRow = w.shape.width * c, outRow = w.outW * c;
  for (int64_t r = 0; r < w.shape.height; ++r) {
    const double *src = in + r * inRow;
    double *dst = s.rows.data() + r * outRow;
    for (int64_t k = 0; k < outRow; ++k) {
      double acc = 0;
      for (int64_t b = 0; b < taps; ++b)
        acc += w.taps[size_t(b)] * src[k + b * c];
      dst[k] = acc;
    }
  }
  for (int64_t p = 0; p < w.outH; ++p) {
    double *dst = out + p * outRow;
    for (int64_t k = 0; k < outRow; ++k) {
      double acc = 0;
      for (int64_t a = 0; a < taps; ++a)
        acc += w.taps[size_t(a)] * s.rows[size_t((p + a) * outRow + k)];
      dst[k] = acc;
    }
  }
}

/// One image's filtered mean and variance maps. The variance is filtered
/// x² minus μ², as the pair's covariance below, so that SSIM(x, x) is 1
/// exactly.
void imageStats(const double *x, const Window &w, Scratch &s, double *mean,
                double *var) {
  filterValid(x, w, s, mean);
  int64_t n = w.shape.size();
  for (int64_t i = 0; i < n; ++i)
    s.product[size_t(i)] = x[i] * x[i];
  filterValid(s.product.data(), w, s, var);
  for (int64_t i = 0, e = w.outSize(); i < e; ++i)
    var[i] -= mean[i] * mean[i];
}

/// SSIM of two images whose stats are known: only w ∗ (x y) is new.
double pairSsim(const double *x, const double *meanX, const double *varX,
                const double *y, const double *meanY, const double *varY,
                const Window &w, Scratch &s) {
  int64_t n = w.shape.size(), c = w.shape.channels;
  for (int64_t i = 0; i < n; ++i)
    s.product[size_t(i)] = x[i] * y[i];
  filterValid(s.product.data(), w, s, s.moment.data());
  std::fill(s.channelSums.begin(), s.channelSums.end(), 0.0);
  for (int64_t i = 0, e = w.outSize(); i < e; ++i) {
    double mx = meanX[i], my = meanY[i];
    double cov = s.moment[size_t(i)] - mx * my;
    double luminance = (2 * mx * my + w.c1) / (mx * mx + my * my + w.c1);
    double cs = (2 * cov + w.c2) / (varX[i] + varY[i] + w.c2);
    s.channelSums[size_t(i % c)] += luminance * cs;
  }
  double sum = 0;
  for (double v : s.channelSums)
    sum += v / double(w.outH * w.outW);
  return sum / double(c);
}

Status checkImages(const PointSet &p, const ImageShape &shape) {
  if (p.cols != shape.size())
    return invalid(p.name + ": rows of " + std::to_string(p.cols) +
                   " values are not images of " + std::to_string(shape.height) +
                   "x" + std::to_string(shape.width) + "x" +
                   std::to_string(shape.channels) + " (H x W x C, " +
                   std::to_string(shape.size()) + " values)");
  if (p.rows < 1 || !p.values)
    return invalid(p.name + ": no images");
  return {};
}

//===----------------------------------------------------------------------===//
// Fréchet distance helpers
//===----------------------------------------------------------------------===//

/// Column means and the covariance (n − 1 normalisation, k × k row-major).
void meanAndCovariance(const PointSet &p, std::vector<double> &mean,
                       std::vector<double> &cov) {
  int64_t n = p.rows, k = p.cols;
  mean.assign(size_t(k), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      mean[size_t(j)] += p.values[i * k + j];
  for (double &m : mean)
    m /= double(n);
  std::vector<double> centred(size_t(n * k));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      centred[size_t(i * k + j)] = p.values[i * k + j] - mean[size_t(j)];
  cov.assign(size_t(k * k), 0.0);
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, int(k), int(n),
              1.0 / double(n - 1), centred.data(), int(k), 0.0, cov.data(),
              int(k));
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < i; ++j)
      cov[size_t(i * k + j)] = cov[size_t(j * k + i)];
}

/// The PSD square root of a symmetric matrix (k × k, row-major, replaced).
bool psdSquareRoot(std::vector<double> &a, int64_t k) {
  std::vector<double> w(static_cast<size_t>(k));
  if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', lapack_int(k), a.data(),
                     lapack_int(k), w.data()) != 0)
    return false;
  // a's columns are the eigenvectors V; scaled by λ^¼ they give B = V Λ^¼,
  // and B Bᵀ = V Λ^½ Vᵀ is one symmetric rank-k update.
  for (int64_t j = 0; j < k; ++j)
    w[size_t(j)] = std::sqrt(std::sqrt(std::max(w[size_t(j)], 0.0)));
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j)
      a[size_t(i * k + j)] *= w[size_t(j)];
  std::vector<double> root(size_t(k * k));
  cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, int(k), int(k), 1.0,
              a.data(), int(k), 0.0, root.data(), int(k));
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < i; ++j)
      root[size_t(i * k + j)] = root[size_t(j * k + i)];
  a = std::move(root);
  return true;
}

} // namespace

//===----------------------------------------------------------------------===//
// SSIM and average max-SSIM
//===----------------------------------------------------------------------===//

Status gantk::checkSsimSetup(const ImageShape &shape,
                             const SsimOptions &options) {
  if (options.filterSize < 1 || !positiveFinite(options.filterSigma) ||
      !positiveFinite(options.maxVal) || !positiveFinite(options.k1) ||
      !positiveFinite(options.k2))
    return invalid("SSIM needs a filter size >= 1 and a positive sigma, "
                   "k1, k2 and dynamic range");
  if (shape.height < 1 || shape.width < 1 || shape.channels < 1)
    return invalid("an image shape must be positive, got " +
                   std::to_string(shape.height) + "x" +
                   std::to_string(shape.width) + "x" +
                   std::to_string(shape.channels));
  if (shape.height < options.filterSize || shape.width < options.filterSize)
    return invalid("images of " + std::to_string(shape.height) + "x" +
                   std::to_string(shape.width) + " are smaller than SSIM's " +
                   std::to_string(options.filterSize) + "x" +
                   std::to_string(options.filterSize) +
                   " window (VALID filtering leaves no position)");
  return {};
}

Result<double> gantk::ssim(const double *x, const double *y,
                           const ImageShape &shape,
                           const SsimOptions &options) {
  if (Status s = checkSsimSetup(shape, options); !s.ok())
    return s.error();
  Window w(shape, options);
  Scratch s(w);
  std::vector<double> stats(size_t(4 * w.outSize()));
  double *meanX = stats.data(), *varX = meanX + w.outSize();
  double *meanY = varX + w.outSize(), *varY = meanY + w.outSize();
  imageStats(x, w, s, meanX, varX);
  imageStats(y, w, s, meanY, varY);
  return pairSsim(x, meanX, varX, y, meanY, varY, w, s);
}

Result<AmSsim> gantk::averageMaxSsim(const PointSet &generated,
                                     const PointSet &real,
                                     const ImageShape &shape,
                                     const SsimOptions &options, int threads) {
  if (Status s = checkSsimSetup(shape, options); !s.ok())
    return s.error();
  for (const PointSet *p : {&generated, &real})
    if (Status s = checkImages(*p, shape); !s.ok())
      return s.error();
  Window w(shape, options);
  int64_t cols = shape.size(), mapSize = w.outSize();
  ThreadPool pool(threadCount(threads));

  // Each real image's maps are needed by every generated image: once.
  std::vector<double> realMean(size_t(real.rows * mapSize));
  std::vector<double> realVar(realMean.size());
  pool.parallelFor(real.rows, [&](int64_t begin, int64_t end) {
    Scratch s(w);
    for (int64_t r = begin; r < end; ++r)
      imageStats(real.values + r * cols, w, s, &realMean[size_t(r * mapSize)],
                 &realVar[size_t(r * mapSize)]);
  });

  AmSsim out;
  out.maxima.assign(size_t(generated.rows), 0.0);
  out.nearest.assign(size_t(generated.rows), 0);
  pool.parallelFor(generated.rows, [&](int64_t begin, int64_t end) {
    Scratch s(w);
    std::vector<double> mean(static_cast<size_t>(mapSize)),
        var(static_cast<size_t>(mapSize));
    for (int64_t g = begin; g < end; ++g) {
      const double *x = generated.values + g * cols;
      imageStats(x, w, s, mean.data(), var.data());
      double best = -std::numeric_limits<double>::infinity();
      int64_t arg = 0;
      for (int64_t r = 0; r < real.rows; ++r) {
        double v = pairSsim(x, mean.data(), var.data(), real.values + r * cols,
                            &realMean[size_t(r * mapSize)],
                            &realVar[size_t(r * mapSize)], w, s);
        if (v > best) {
          best = v;
          arg = r;
        }
      }
      out.maxima[size_t(g)] = best;
      out.nearest[size_t(g)] = arg;
    }
  });

  // Summed in row order, so the result does not depend on the threads.
  double sum = 0;
  for (double v : out.maxima)
    sum += v;
  out.mean = sum / double(generated.rows);
  double squares = 0;
  for (double v : out.maxima)
    squares += (v - out.mean) * (v - out.mean);
  out.std = std::sqrt(squares / double(generated.rows));
  return out;
}

//===----------------------------------------------------------------------===//
// MMD
//===----------------------------------------------------------------------===//

Result<double> gantk::medianPairwiseDistance(const PointSet &a,
                                             const PointSet &b, int threads) {
  PointSet first = a.firstRows(kMedianHeuristicRows);
  PointSet second = b.firstRows(kMedianHeuristicRows);
  if (Status s = checkPair(first, second, 0, "the median heuristic"); !s.ok())
    return s.error();
  int64_t na = first.rows, total = na + second.rows, d = first.cols;
  if (total < 2)
    return invalid(a.name + " and " + b.name +
                   " hold fewer than 2 rows between them: no pairwise "
                   "distance to take the median of");
  auto row = [&](int64_t i) {
    return i < na ? first.values + i * d : second.values + (i - na) * d;
  };
  // Row i's pairs (i, j > i) start after those of the rows before it.
  std::vector<double> distances(size_t(total * (total - 1) / 2));
  ThreadPool pool(threadCount(threads));
  pool.parallelFor(total, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      size_t at = size_t(i * total - i * (i + 1) / 2);
      for (int64_t j = i + 1; j < total; ++j)
        distances[at++] = std::sqrt(squaredDistance(row(i), row(j), d));
    }
  });
  return median(std::move(distances));
}

Result<Mmd> gantk::mmd2(const PointSet &x, const PointSet &y,
                        std::optional<double> sigma, int threads) {
  if (Status s = checkPair(x, y, 2, "the unbiased MMD estimate"); !s.ok())
    return s.error();
  Mmd out;
  if (sigma) {
    if (!positiveFinite(*sigma))
      return invalid("the MMD kernel's sigma must be a positive number, got " +
                     number(*sigma));
    out.sigma = *sigma;
  } else {
    Result<double> m = medianPairwiseDistance(x, y, threads);
    if (!m.ok())
      return m.error();
    if (!(*m > 0))
      return invalid("the median heuristic gives sigma 0 for " + x.name +
                     " and " + y.name +
                     " (most of their points coincide); give sigma");
    out.sigma = *m;
    out.medianHeuristic = true;
  }
  double gamma = 1 / (2 * out.sigma * out.sigma);
  if (!std::isfinite(gamma))
    return invalid("the MMD kernel's sigma " + number(out.sigma) +
                   " is too small: 1/(2 sigma^2) overflows");

  int64_t d = x.cols;
  ThreadPool pool(threadCount(threads));
  // Row sums land in a vector and are added in order: the result does not
  // depend on the threads. `within` sums the pairs j > i once each.
  auto kernelSum = [&](const PointSet &p, const PointSet &q, bool within) {
    std::vector<double> rowSums(size_t(p.rows));
    pool.parallelFor(p.rows, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        double sum = 0;
        for (int64_t j = within ? i + 1 : 0; j < q.rows; ++j)
          sum += std::exp(
              -gamma * squaredDistance(p.values + i * d, q.values + j * d, d));
        rowSums[size_t(i)] = sum;
      }
    });
    double total = 0;
    for (double v : rowSums)
      total += v;
    return within ? 2 * total : total;
  };
  double m = double(x.rows), n = double(y.rows);
  out.mmd2 = kernelSum(x, x, true) / (m * (m - 1)) +
             kernelSum(y, y, true) / (n * (n - 1)) -
             2 * kernelSum(x, y, false) / (m * n);
  return out;
}

//===----------------------------------------------------------------------===//
// Mode coverage
//===----------------------------------------------------------------------===//

std::string Mixture::describe() const {
  if (kind == Kind::Grid)
    return "gaussian_grid " + std::to_string(size) + "x" +
           std::to_string(size) + ", spacing " + number(spacing) + ", std " +
           number(std);
  return "gaussian_ring " + std::to_string(size) + " modes, radius " +
         number(spacing) + ", std " + number(std);
}

Result<std::vector<Point2>> gantk::mixtureCentres(const Mixture &mixture) {
  bool grid = mixture.kind == Mixture::Kind::Grid;
  const char *what = grid ? "gaussian_grid" : "gaussian_ring";
  // The sampler's bounds (Data.cpp): a grid has size² modes.
  int64_t maxSize = grid ? 1000 : 1000000;
  if (mixture.size < 1 || mixture.size > maxSize)
    return invalid(std::string(what) + " size must be in 1.." +
                   std::to_string(maxSize) + ", got " +
                   std::to_string(mixture.size));
  if (!positiveFinite(mixture.spacing) || !positiveFinite(mixture.std))
    return invalid(std::string(what) + (grid ? " spacing" : " radius") +
                   " and std must be positive numbers");
  // The same expressions as the sampler, so the centres are its bits.
  std::vector<Point2> centres;
  if (grid) {
    centres.reserve(size_t(mixture.size * mixture.size));
    double center = double(mixture.size - 1) / 2;
    for (int64_t i = 0; i < mixture.size; ++i)
      for (int64_t j = 0; j < mixture.size; ++j)
        centres.push_back(
            {(i - center) * mixture.spacing, (j - center) * mixture.spacing});
  } else {
    centres.reserve(size_t(mixture.size));
    for (int64_t k = 0; k < mixture.size; ++k) {
      double angle = 2 * M_PI * double(k) / double(mixture.size);
      centres.push_back({mixture.spacing * std::cos(angle),
                         mixture.spacing * std::sin(angle)});
    }
  }
  return centres;
}

Result<ModeCoverage> gantk::modeCoverage(const PointSet &points,
                                         const std::vector<Point2> &centres,
                                         double std, double radius) {
  if (points.cols != 2)
    return invalid(points.name + ": rows of " + std::to_string(points.cols) +
                   " values; mode coverage takes 2-D points");
  if (centres.empty())
    return invalid("mode coverage needs at least one mode centre");
  if (!positiveFinite(std) || !positiveFinite(radius) ||
      !positiveFinite(radius * std))
    return invalid("mode coverage needs a positive std and radius, got std " +
                   number(std) + ", radius " + number(radius));
  double reach = radius * std;
  // Cells a little wider than the reach: a centre within reach of a point
  // is then in its cell or a neighbouring one despite rounding.
  double cell = reach * (1 + 1e-9);
  // Cell indices must stay exact integers.
  constexpr double kMaxCell = 1125899906842624.0; // 2^50
  using Key = std::tuple<int64_t, int64_t, int64_t>;
  std::vector<Key> cells;
  cells.reserve(centres.size());
  for (size_t k = 0; k < centres.size(); ++k) {
    double cx = std::floor(centres[k][0] / cell);
    double cy = std::floor(centres[k][1] / cell);
    if (!(std::abs(cx) < kMaxCell && std::abs(cy) < kMaxCell))
      return invalid("the mode centres lie too far apart for radius·std " +
                     number(reach) + " (more than 2^50 of it)");
    cells.emplace_back(int64_t(cx), int64_t(cy), int64_t(k));
  }
  std::sort(cells.begin(), cells.end());

  ModeCoverage out;
  out.counts.assign(centres.size(), 0);
  out.points = points.rows;
  double reach2 = reach * reach;
  for (int64_t i = 0; i < points.rows; ++i) {
    double px = points.values[2 * i], py = points.values[2 * i + 1];
    double fx = std::floor(px / cell), fy = std::floor(py / cell);
    if (!(std::abs(fx) < kMaxCell && std::abs(fy) < kMaxCell))
      continue; // beyond every centre's cell
    int64_t best = -1;
    double bestD2 = 0;
    for (int64_t dx = -1; dx <= 1; ++dx)
      for (int64_t dy = -1; dy <= 1; ++dy) {
        int64_t qx = int64_t(fx) + dx, qy = int64_t(fy) + dy;
        auto it = std::lower_bound(cells.begin(), cells.end(),
                                   Key{qx, qy, int64_t(-1)});
        for (; it != cells.end() && std::get<0>(*it) == qx &&
               std::get<1>(*it) == qy;
             ++it) {
          int64_t k = std::get<2>(*it);
          double ex = px - centres[size_t(k)][0];
          double ey = py - centres[size_t(k)][1];
          double d2 = ex * ex + ey * ey;
          if (d2 <= reach2 &&
              (best < 0 || d2 < bestD2 || (d2 == bestD2 && k < best))) {
            best = k;
            bestD2 = d2;
          }
        }
      }
    if (best >= 0) {
      ++out.counts[size_t(best)];
      ++out.highQuality;
    }
  }
  for (int64_t c : out.counts)
    out.covered += c > 0;
  return out;
}

//===----------------------------------------------------------------------===//
// Fréchet distance
//===----------------------------------------------------------------------===//

Result<double> gantk::frechetDistance(const PointSet &a, const PointSet &b) {
  if (Status s = checkPair(a, b, 2, "the Fréchet distance"); !s.ok())
    return s.error();
  // Three k × k matrices and LAPACK's workspace: bounded well below memory.
  constexpr int64_t kMaxFeatures = 8192;
  int64_t k = a.cols;
  if (k > kMaxFeatures)
    return invalid(a.name + ": rows of " + std::to_string(k) +
                   " features; the Fréchet distance takes at most " +
                   std::to_string(kMaxFeatures));
  std::vector<double> meanA, covA, meanB, covB;
  meanAndCovariance(a, meanA, covA);
  meanAndCovariance(b, meanB, covB);
  double meanTerm = 0, traces = 0;
  for (int64_t j = 0; j < k; ++j) {
    double diff = meanA[size_t(j)] - meanB[size_t(j)];
    meanTerm += diff * diff;
    traces += covA[size_t(j * k + j)] + covB[size_t(j * k + j)];
  }

  // Tr (Ca Cb)^½ = Tr (Ca^½ Cb Ca^½)^½, whose argument is symmetric PSD:
  // two symmetric eigendecompositions instead of a general matrix root.
  std::vector<double> root = covA;
  if (!psdSquareRoot(root, k))
    return makeError(ErrorCode::Internal,
                     a.name + ": the eigendecomposition of the features' "
                              "covariance failed");
  std::vector<double> t(size_t(k * k)), m(size_t(k * k));
  cblas_dsymm(CblasRowMajor, CblasLeft, CblasUpper, int(k), int(k), 1.0,
              covB.data(), int(k), root.data(), int(k), 0.0, t.data(), int(k));
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(k), int(k), int(k),
              1.0, root.data(), int(k), t.data(), int(k), 0.0, m.data(),
              int(k));
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = i + 1; j < k; ++j)
      m[size_t(i * k + j)] = (m[size_t(i * k + j)] + m[size_t(j * k + i)]) / 2;
  std::vector<double> w(static_cast<size_t>(k));
  if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', lapack_int(k), m.data(),
                     lapack_int(k), w.data()) != 0)
    return makeError(ErrorCode::Internal,
                     a.name + " and " + b.name +
                         ": the eigendecomposition in the Fréchet distance "
                         "failed");
  double traceRoot = 0;
  for (double v : w)
    traceRoot += std::sqrt(std::max(v, 0.0));
  return meanTerm + traces - 2 * traceRoot;
}
