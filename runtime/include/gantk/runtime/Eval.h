//===- Eval.h - Scores of generated samples against real data ---*- C++ -*-===//
//
// The measures `gantk eval` prints (docs/eval.md): the GA-NTK paper's
// average max-SSIM for images, the unbiased MMD² with a Gaussian kernel,
// mode coverage of the 2-D mixtures, and the Fréchet distance between two
// sets of features. No Inception network ships with gantk, so the Fréchet
// distance is FID only when the caller supplies Inception features.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_EVAL_H
#define GANTK_RUNTIME_EVAL_H

#include "gantk/runtime/Result.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gantk {

/// `rows` rows of `cols` values, row-major, not owned; `name` (a file) is
/// what error messages blame.
struct PointSet {
  const double *values = nullptr;
  int64_t rows = 0, cols = 0;
  std::string name;

  /// The first min(rows, limit) rows.
  PointSet firstRows(int64_t limit) const;
};

//===----------------------------------------------------------------------===//
// SSIM and average max-SSIM
//===----------------------------------------------------------------------===//

/// The layout of one image row: height·width·channels values, channels
/// interleaved (H, W, C order, as the data sources write images).
struct ImageShape {
  int64_t height = 0, width = 0, channels = 0;

  int64_t size() const { return height * width * channels; }
};

/// tf.image.ssim's settings; the defaults are those of the GA-NTK paper.
struct SsimOptions {
  int64_t filterSize = 4; ///< the Gaussian window is filterSize²
  double filterSigma = 1.5;
  double k1 = 0.01, k2 = 0.03;
  double maxVal = 1; ///< the dynamic range L: pixels lie in [0, L]
};

/// Checks the options and that `shape` is positive and at least
/// filterSize × filterSize (VALID filtering leaves no window otherwise).
Status checkSsimSetup(const ImageShape &shape, const SsimOptions &options);

/// SSIM of two images as tf.image.ssim computes it: a normalised Gaussian
/// window w (taps at i − (size − 1)/2, separable), VALID filtering, and per
/// channel the mean over the (H − size + 1) × (W − size + 1) positions of
///   (2 μx μy + c1) / (μx² + μy² + c1) · (2 σxy + c2) / (σx² + σy² + c2),
/// c1 = (k1 L)², c2 = (k2 L)², μ = w ∗ x, σxy = w ∗ (x y) − μx μy (no
/// Bessel correction); the result is the mean over channels.
Result<double> ssim(const double *x, const double *y, const ImageShape &shape,
                    const SsimOptions &options = {});

/// The GA-NTK paper's average max-SSIM of generated images against real
/// ones.
struct AmSsim {
  double mean = 0;            ///< mean over generated images of their max SSIM
  double std = 0;             ///< standard deviation (1/n) of those maxima
  std::vector<double> maxima; ///< per generated image
  std::vector<int64_t> nearest; ///< the real row that attains each maximum
};

/// For each generated image, the largest SSIM against any real image, then
/// their mean. Each real image's filtered means and variances are computed
/// once; the pairs cost O(nGen · nReal · H · W · C) and run on `threads`
/// threads (0: defaultThreadCount()). Rows of both sets must hold
/// shape.size() values; each set needs at least one row.
Result<AmSsim> averageMaxSsim(const PointSet &generated, const PointSet &real,
                              const ImageShape &shape,
                              const SsimOptions &options = {}, int threads = 0);

//===----------------------------------------------------------------------===//
// MMD
//===----------------------------------------------------------------------===//

/// The median heuristic looks at no more than this many rows of each set,
/// the first ones: the pairwise distances of all rows would not fit.
constexpr int64_t kMedianHeuristicRows = 2048;

/// The median of ‖zi − zj‖ over the pairs i < j of the pooled rows z (the
/// first kMedianHeuristicRows of `a`, then of `b`); an even count takes
/// the mean of the middle two. Both sets must have the same columns and
/// two rows between them.
Result<double> medianPairwiseDistance(const PointSet &a, const PointSet &b,
                                      int threads = 0);

struct Mmd {
  double mmd2 = 0;
  double sigma = 0;             ///< the bandwidth used
  bool medianHeuristic = false; ///< sigma came from medianPairwiseDistance
};

/// The unbiased estimate of MMD² with k(a, b) = exp(−‖a − b‖² / (2σ²)):
///   Σ_{i≠j} k(xi, xj) / (m(m−1)) + Σ_{i≠j} k(yi, yj) / (n(n−1))
///     − 2 Σ_{i,j} k(xi, yj) / (mn),
/// which can be slightly negative when the sets match. σ is `sigma`, or
/// the median heuristic without one. Needs m, n ≥ 2 and equal columns;
/// costs O((m + n)² d) on `threads` threads (0: defaultThreadCount()).
Result<Mmd> mmd2(const PointSet &x, const PointSet &y,
                 std::optional<double> sigma = std::nullopt, int threads = 0);

//===----------------------------------------------------------------------===//
// Mode coverage of 2-D mixtures
//===----------------------------------------------------------------------===//

/// A gaussian_grid or gaussian_ring source of a spec's data block.
struct Mixture {
  enum class Kind { Grid, Ring };
  Kind kind = Kind::Grid;
  int64_t size = 5;   ///< grid: size × size modes; ring: the number of modes
  double spacing = 1; ///< grid spacing; ring radius
  double std = 0.05;  ///< each mode's standard deviation

  /// "gaussian_grid 5x5, spacing 1, std 0.05" (messages and output).
  std::string describe() const;
};

using Point2 = std::array<double, 2>;

/// The mode centres, in the data's own coordinates and the order in which
/// the runtime's sampler places them (runtime/src/Data.cpp): grid mode
/// i·size + j at ((i − c)·spacing, (j − c)·spacing), c = (size − 1)/2;
/// ring mode k at radius·(cos 2πk/size, sin 2πk/size). Fails for a size
/// the sampler refuses (grid 1..1000, ring 1..10⁶) or a spacing or std
/// that is not positive and finite.
Result<std::vector<Point2>> mixtureCentres(const Mixture &mixture);

struct ModeCoverage {
  int64_t covered = 0;         ///< modes with at least one point
  std::vector<int64_t> counts; ///< points assigned to each mode
  int64_t highQuality = 0;     ///< points within radius·std of a mode
  int64_t points = 0;
};

/// Assigns each 2-D point to its nearest centre when that centre lies
/// within radius·std of it (ties: the lower index), and counts. Costs
/// O((points + centres) log centres): the centres are sorted into cells
/// radius·std wide, and a point looks at the 9 cells around its own.
Result<ModeCoverage> modeCoverage(const PointSet &points,
                                  const std::vector<Point2> &centres,
                                  double std, double radius = 3);

//===----------------------------------------------------------------------===//
// Fréchet distance
//===----------------------------------------------------------------------===//

/// The Fréchet distance between Gaussians fitted to two feature sets:
///   ‖μa − μb‖² + Tr Ca + Tr Cb − 2 Tr (Ca^½ Cb Ca^½)^½,
/// covariances with the n − 1 normalisation; the square roots come from
/// symmetric eigendecompositions (LAPACKE_dsyevd) with negative rounding
/// eigenvalues clamped to 0, so the result can be a rounding error below
/// 0 for identical sets. Needs two rows in each set and equal columns.
Result<double> frechetDistance(const PointSet &a, const PointSet &b);

} // namespace gantk

#endif // GANTK_RUNTIME_EVAL_H
