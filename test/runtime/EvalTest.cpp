//===- EvalTest.cpp - SSIM, AM-SSIM, MMD, mode coverage, Fréchet ----------===//
//
// Each measure against an independent computation: closed forms worked out
// in the comments, and SSIM against a direct per-window sum written here
// without the separable filter.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Eval.h"
#include "gantk/runtime/Data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace gantk;
using ::testing::HasSubstr;

namespace {

std::vector<double> uniformValues(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> v(static_cast<size_t>(n));
  for (double &x : v)
    x = u(rng);
  return v;
}

PointSet points(const std::vector<double> &values, int64_t cols,
                const std::string &name) {
  return PointSet{values.data(), int64_t(values.size()) / cols, cols, name};
}

/// tf.image.ssim written out directly: the 2-D window as TF's softmax over
/// −(u² + v²)/(2σ²), every window summed in full at every position, and
/// TF's own arrangement of the terms.
double bruteForceSsim(const std::vector<double> &x,
                      const std::vector<double> &y, const ImageShape &s) {
  const int size = 4;
  const double sigma = 1.5, c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
  double window[size][size], total = 0;
  for (int a = 0; a < size; ++a)
    for (int b = 0; b < size; ++b) {
      double u = a - 1.5, v = b - 1.5;
      window[a][b] = std::exp(-(u * u + v * v) / (2 * sigma * sigma));
      total += window[a][b];
    }
  auto at = [&](const std::vector<double> &img, int64_t r, int64_t c,
                int64_t ch) {
    return img[size_t((r * s.width + c) * s.channels + ch)];
  };
  double perChannel = 0;
  for (int64_t ch = 0; ch < s.channels; ++ch) {
    double sum = 0;
    int64_t count = 0;
    for (int64_t p = 0; p + size <= s.height; ++p)
      for (int64_t q = 0; q + size <= s.width; ++q) {
        double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
        for (int a = 0; a < size; ++a)
          for (int b = 0; b < size; ++b) {
            double w = window[a][b] / total;
            double vx = at(x, p + a, q + b, ch), vy = at(y, p + a, q + b, ch);
            mx += w * vx;
            my += w * vy;
            xx += w * vx * vx;
            yy += w * vy * vy;
            xy += w * vx * vy;
          }
        double luminance = (2 * mx * my + c1) / (mx * mx + my * my + c1);
        double cs =
            (2 * xy - 2 * mx * my + c2) / (xx + yy - mx * mx - my * my + c2);
        sum += luminance * cs;
        ++count;
      }
    perChannel += sum / double(count);
  }
  return perChannel / double(s.channels);
}

//===----------------------------------------------------------------------===//
// SSIM
//===----------------------------------------------------------------------===//

TEST(EvalSsim, AnImageAgainstItselfIsOne) {
  ImageShape shape{7, 6, 3};
  std::vector<double> x = uniformValues(shape.size(), 1);
  Result<double> s = ssim(x.data(), x.data(), shape);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(*s, 1.0);
}

// Constant images a and b: every window has μ = a, b and no variance, so
// cs = c2 / c2 = 1 and SSIM is the luminance term alone. The variances are
// rounding errors of a² (1e-17) against c2 = 9e-4: 1e-12 allows for them.
TEST(EvalSsim, ConstantImagesGiveTheLuminanceClosedForm) {
  ImageShape shape{5, 6, 1};
  const double a = 0.25, b = 0.7, c1 = 1e-4;
  std::vector<double> x(size_t(shape.size()), a), y(size_t(shape.size()), b);
  Result<double> s = ssim(x.data(), y.data(), shape);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_NEAR(*s, (2 * a * b + c1) / (a * a + b * b + c1), 1e-12);
}

TEST(EvalSsim, MatchesTheDirectWindowSumGreyAndRgb) {
  for (ImageShape shape : {ImageShape{6, 7, 1}, ImageShape{5, 8, 3},
                           ImageShape{4, 4, 1}, ImageShape{9, 5, 2}}) {
    std::vector<double> x = uniformValues(shape.size(), 2);
    std::vector<double> y = uniformValues(shape.size(), 3);
    // A correlated pair as well: SSIM near 1 as well as near 0.
    std::vector<double> z = x;
    for (size_t i = 0; i < z.size(); ++i)
      z[i] = 0.8 * z[i] + 0.2 * y[i];
    for (const std::vector<double> *other : {&y, &z}) {
      Result<double> s = ssim(x.data(), other->data(), shape);
      ASSERT_TRUE(s.ok()) << s.message();
      EXPECT_NEAR(*s, bruteForceSsim(x, *other, shape), 1e-12)
          << shape.height << "x" << shape.width << "x" << shape.channels;
    }
  }
}

// c1, c2 scale with L², like every moment of images scaled by L: SSIM of
// L·x and L·y with max_val L is SSIM of x and y with max_val 1.
TEST(EvalSsim, DynamicRangeScalesTheConstants) {
  ImageShape shape{6, 6, 1};
  std::vector<double> x = uniformValues(shape.size(), 4);
  std::vector<double> y = uniformValues(shape.size(), 5);
  std::vector<double> x255 = x, y255 = y;
  for (double &v : x255)
    v *= 255;
  for (double &v : y255)
    v *= 255;
  SsimOptions bytes;
  bytes.maxVal = 255;
  Result<double> unit = ssim(x.data(), y.data(), shape);
  Result<double> scaled = ssim(x255.data(), y255.data(), shape, bytes);
  ASSERT_TRUE(unit.ok() && scaled.ok());
  EXPECT_NEAR(*scaled, *unit, 1e-12);
}

TEST(EvalSsim, ImagesSmallerThanTheWindowAreErrors) {
  std::vector<double> x(3 * 5, 0.5);
  Result<double> s = ssim(x.data(), x.data(), ImageShape{3, 5, 1});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(),
              HasSubstr("images of 3x5 are smaller than SSIM's 4x4 window"));
  Result<double> zero = ssim(x.data(), x.data(), ImageShape{5, 3, 0});
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.message(), HasSubstr("an image shape must be positive"));
}

//===----------------------------------------------------------------------===//
// Average max-SSIM
//===----------------------------------------------------------------------===//

// A generated image equal to real image 1 has max-SSIM 1 there; the other
// one's maximum is the largest of three ssim() calls.
TEST(EvalAmSsim, AMatchingImageScoresOneAndTheRestTheirMaximum) {
  ImageShape shape{6, 5, 3};
  int64_t size = shape.size();
  std::vector<double> real = uniformValues(3 * size, 6);
  std::vector<double> gen(real.begin() + size, real.begin() + 2 * size);
  std::vector<double> other = uniformValues(size, 7);
  // Close to real image 2, so its maximum is there.
  for (int64_t i = 0; i < size; ++i)
    other[size_t(i)] =
        0.3 * other[size_t(i)] + 0.7 * real[size_t(2 * size + i)];
  gen.insert(gen.end(), other.begin(), other.end());

  double expected = -2;
  for (int r = 0; r < 3; ++r) {
    Result<double> s = ssim(other.data(), real.data() + r * size, shape);
    ASSERT_TRUE(s.ok());
    expected = std::max(expected, *s);
  }
  for (int threads : {1, 2, 3}) {
    Result<AmSsim> am =
        averageMaxSsim(points(gen, size, "gen.npy"),
                       points(real, size, "real.npy"), shape, {}, threads);
    ASSERT_TRUE(am.ok()) << am.message();
    ASSERT_EQ(am->maxima.size(), 2u);
    EXPECT_EQ(am->maxima[0], 1.0);
    EXPECT_EQ(am->nearest[0], 1);
    EXPECT_NEAR(am->maxima[1], expected, 1e-15);
    EXPECT_EQ(am->nearest[1], 2);
    EXPECT_NEAR(am->mean, (1 + expected) / 2, 1e-15);
    EXPECT_NEAR(am->std, (1 - expected) / 2, 1e-15);
  }
}

TEST(EvalAmSsim, RowsThatAreNotImagesOfTheShapeAreErrors) {
  ImageShape shape{4, 4, 1};
  std::vector<double> gen(2 * 16, 0.5), real(3 * 15, 0.5);
  Result<AmSsim> am = averageMaxSsim(points(gen, 16, "gen.npy"),
                                     points(real, 15, "real.npy"), shape);
  ASSERT_FALSE(am.ok());
  EXPECT_THAT(am.message(),
              HasSubstr("real.npy: rows of 15 values are not images of 4x4x1 "
                        "(H x W x C, 16 values)"));
  Result<AmSsim> small =
      averageMaxSsim(points(gen, 16, "gen.npy"), points(gen, 16, "gen.npy"),
                     ImageShape{2, 8, 1});
  ASSERT_FALSE(small.ok());
  EXPECT_THAT(small.message(), HasSubstr("smaller than SSIM's 4x4 window"));
}

//===----------------------------------------------------------------------===//
// MMD
//===----------------------------------------------------------------------===//

double k(double squaredDistance, double sigma) {
  return std::exp(-squaredDistance / (2 * sigma * sigma));
}

// Two points per set, so each within-set sum is the one pair twice over
// m(m − 1) = 2: X = {(0,0), (1,0)}, Y = {(0,0), (0,2)} gives
//   k(1) + k(4) − (2/4)(k(0) + k(4) + k(1) + k(5)),
// the squared distances of the four cross pairs being 0, 4, 1 and 5.
TEST(EvalMmd, TwoPointsPerSetMatchTheClosedForm) {
  std::vector<double> x = {0, 0, 1, 0}, y = {0, 0, 0, 2};
  for (double sigma : {0.7, 1.0, 3.0}) {
    Result<Mmd> m = mmd2(points(x, 2, "x.npy"), points(y, 2, "y.npy"), sigma);
    ASSERT_TRUE(m.ok()) << m.message();
    double expected = k(1, sigma) + k(4, sigma) -
                      0.5 * (1 + k(4, sigma) + k(1, sigma) + k(5, sigma));
    EXPECT_NEAR(m->mmd2, expected, 1e-15);
    EXPECT_EQ(m->sigma, sigma);
    EXPECT_FALSE(m->medianHeuristic);
  }
  // The same two points on both sides: k(1) + k(1) − (2/4)(2 + 2 k(1)) =
  // k(1) − 1 < 0, the unbiased estimate's bias-free price.
  Result<Mmd> same = mmd2(points(x, 2, "x.npy"), points(x, 2, "x.npy"), 1.0);
  ASSERT_TRUE(same.ok());
  EXPECT_NEAR(same->mmd2, k(1, 1.0) - 1, 1e-15);
  EXPECT_LT(same->mmd2, 0);
}

// Pooled {0, 1} ∪ {3, 6} on a line: distances 1, 3, 6, 2, 5, 3, sorted
// 1 2 3 3 5 6, median 3. With {4} instead: 1, 4, 3, median 3 as well.
TEST(EvalMmd, TheMedianHeuristicTakesTheMedianPooledDistance) {
  std::vector<double> x = {0, 1}, y = {3, 6}, single = {4};
  Result<double> even =
      medianPairwiseDistance(points(x, 1, "x.npy"), points(y, 1, "y.npy"));
  ASSERT_TRUE(even.ok()) << even.message();
  EXPECT_EQ(*even, 3.0);
  Result<double> odd =
      medianPairwiseDistance(points(x, 1, "x.npy"), points(single, 1, "s.npy"));
  ASSERT_TRUE(odd.ok()) << odd.message();
  EXPECT_EQ(*odd, 3.0);
  std::vector<double> y2 = {3, 7};
  Result<double> mid =
      medianPairwiseDistance(points(x, 1, "x.npy"), points(y2, 1, "y.npy"));
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(*mid, 3.5); // 1 2 3 4 6 7

  Result<Mmd> byMedian = mmd2(points(x, 1, "x.npy"), points(y, 1, "y.npy"));
  Result<Mmd> given = mmd2(points(x, 1, "x.npy"), points(y, 1, "y.npy"), 3.0);
  ASSERT_TRUE(byMedian.ok() && given.ok());
  EXPECT_TRUE(byMedian->medianHeuristic);
  EXPECT_EQ(byMedian->sigma, 3.0);
  EXPECT_EQ(byMedian->mmd2, given->mmd2);
}

// Rows past kMedianHeuristicRows are not looked at: far outliers there
// leave the median of the first rows as it is.
TEST(EvalMmd, TheMedianHeuristicReadsTheFirstRowsOnly) {
  std::vector<double> a(size_t(kMedianHeuristicRows + 60));
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = i < size_t(kMedianHeuristicRows) ? double(i % 97) : 1e9;
  std::vector<double> b = {0.5, 3, 1e9};
  PointSet pa = points(a, 1, "a.npy"), pb = points(b, 1, "b.npy");
  Result<double> all = medianPairwiseDistance(pa, pb, 2);
  Result<double> first =
      medianPairwiseDistance(pa.firstRows(kMedianHeuristicRows), pb, 2);
  ASSERT_TRUE(all.ok() && first.ok());
  EXPECT_EQ(*all, *first);
  EXPECT_LT(*all, 100);
}

// More rows than threads' chunks: the threaded sums equal a plain double
// loop over the three kernel matrices.
TEST(EvalMmd, ThreadedSumsMatchAPlainLoop) {
  std::vector<double> x = uniformValues(37 * 3, 8),
                      y = uniformValues(29 * 3, 9);
  double sigma = 0.6, xx = 0, yy = 0, xy = 0;
  auto d2 = [](const double *a, const double *b) {
    return (a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
           (a[2] - b[2]) * (a[2] - b[2]);
  };
  for (int i = 0; i < 37; ++i)
    for (int j = 0; j < 37; ++j)
      if (i != j)
        xx += k(d2(&x[size_t(3 * i)], &x[size_t(3 * j)]), sigma);
  for (int i = 0; i < 29; ++i)
    for (int j = 0; j < 29; ++j)
      if (i != j)
        yy += k(d2(&y[size_t(3 * i)], &y[size_t(3 * j)]), sigma);
  for (int i = 0; i < 37; ++i)
    for (int j = 0; j < 29; ++j)
      xy += k(d2(&x[size_t(3 * i)], &y[size_t(3 * j)]), sigma);
  double expected = xx / (37 * 36) + yy / (29 * 28) - 2 * xy / (37 * 29);
  for (int threads : {1, 2, 5}) {
    Result<Mmd> m =
        mmd2(points(x, 3, "x.npy"), points(y, 3, "y.npy"), sigma, threads);
    ASSERT_TRUE(m.ok());
    EXPECT_NEAR(m->mmd2, expected, 1e-14);
  }
}

TEST(EvalMmd, BadSetsAreErrorsNamingTheFile) {
  std::vector<double> x = {0, 0, 1, 0}, y3 = {0, 0, 0, 1, 1, 1}, one = {5, 5};
  Result<Mmd> dims = mmd2(points(x, 2, "x.npy"), points(y3, 3, "y.npy"), 1.0);
  ASSERT_FALSE(dims.ok());
  EXPECT_THAT(dims.message(),
              HasSubstr("x.npy has rows of 2 values, y.npy of 3"));
  Result<Mmd> rows = mmd2(points(x, 2, "x.npy"), points(one, 2, "one.npy"));
  ASSERT_FALSE(rows.ok());
  EXPECT_THAT(rows.message(),
              HasSubstr("one.npy: 1 row of 2 values; the unbiased MMD "
                        "estimate needs at least 2 rows"));
  std::vector<double> same = {1, 1, 1, 1};
  Result<Mmd> zero = mmd2(points(same, 2, "a.npy"), points(same, 2, "b.npy"));
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.message(), HasSubstr("the median heuristic gives sigma 0"));
  Result<Mmd> negative =
      mmd2(points(x, 2, "x.npy"), points(x, 2, "x.npy"), -1.0);
  ASSERT_FALSE(negative.ok());
  EXPECT_THAT(negative.message(), HasSubstr("sigma must be a positive"));
}

//===----------------------------------------------------------------------===//
// Mode coverage
//===----------------------------------------------------------------------===//

TEST(EvalModes, CentresOfSmallMixtures) {
  Result<std::vector<Point2>> grid =
      mixtureCentres({Mixture::Kind::Grid, 3, 0.5, 0.1});
  ASSERT_TRUE(grid.ok()) << grid.message();
  std::vector<Point2> expected = {{-0.5, -0.5}, {-0.5, 0}, {-0.5, 0.5},
                                  {0, -0.5},    {0, 0},    {0, 0.5},
                                  {0.5, -0.5},  {0.5, 0},  {0.5, 0.5}};
  EXPECT_EQ(*grid, expected);
  Result<std::vector<Point2>> ring =
      mixtureCentres({Mixture::Kind::Ring, 4, 2.0, 0.1});
  ASSERT_TRUE(ring.ok());
  ASSERT_EQ(ring->size(), 4u);
  double want[4][2] = {{2, 0}, {0, 2}, {-2, 0}, {0, -2}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR((*ring)[size_t(i)][0], want[i][0], 1e-15);
    EXPECT_NEAR((*ring)[size_t(i)][1], want[i][1], 1e-15);
  }
  EXPECT_EQ(Mixture({Mixture::Kind::Grid, 5, 1, 0.02}).describe(),
            "gaussian_grid 5x5, spacing 1, std 0.02");
  EXPECT_EQ(Mixture({Mixture::Kind::Ring, 8, 2, 0.05}).describe(),
            "gaussian_ring 8 modes, radius 2, std 0.05");

  Result<std::vector<Point2>> big =
      mixtureCentres({Mixture::Kind::Grid, 1001, 1, 0.1});
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.message(),
              HasSubstr("gaussian_grid size must be in 1..1000, got 1001"));
  Result<std::vector<Point2>> flat =
      mixtureCentres({Mixture::Kind::Ring, 4, 1, 0});
  ASSERT_FALSE(flat.ok());
  EXPECT_THAT(flat.message(), HasSubstr("radius and std must be positive"));
}

// The runtime's own sampler with a negligible std puts every point on a
// centre: the centres here are the ones the data were drawn around.
TEST(EvalModes, CentresAreThoseTheSamplerDrawsAround) {
  for (Mixture mixture : {Mixture{Mixture::Kind::Grid, 5, 1.5, 1e-9},
                          Mixture{Mixture::Kind::Ring, 7, 2.0, 1e-9}}) {
    DataConfig config;
    config.kind = mixture.kind == Mixture::Kind::Grid
                      ? schema::DataKind::GaussianGrid
                      : schema::DataKind::GaussianRing;
    config.size = mixture.size;
    config.spacing = mixture.spacing;
    config.std = mixture.std;
    config.scale = schema::Scale::None;
    Result<Dataset> data = loadRealData(config, 1000, 2, 11);
    ASSERT_TRUE(data.ok()) << data.message();
    Result<std::vector<Point2>> centres = mixtureCentres(mixture);
    ASSERT_TRUE(centres.ok());
    Result<ModeCoverage> cover = modeCoverage(
        points(data->values, 2, "samples"), *centres, mixture.std, 10);
    ASSERT_TRUE(cover.ok()) << cover.message();
    EXPECT_EQ(cover->highQuality, 1000);
    EXPECT_EQ(cover->covered, int64_t(centres->size()));
  }
}

// Grid 2x2, spacing 2: centres (±1, ±1); std 0.125 and radius 2 reach
// 0.25, all exact binary fractions.
TEST(EvalModes, HandPlacedPoints) {
  Result<std::vector<Point2>> centres =
      mixtureCentres({Mixture::Kind::Grid, 2, 2.0, 0.125});
  ASSERT_TRUE(centres.ok());
  std::vector<double> p = {
      -1,    -1,     // on mode 0
      -0.9,  -1.1,   // mode 0
      1.25,  1,      // mode 3, exactly at the reach (counts)
      1.25,  1.0625, // beyond mode 3's reach
      0,     0,      // far from all
      1,     -1.125, // mode 2
      1e300, -1e300  // far beyond every cell
  };
  Result<ModeCoverage> c =
      modeCoverage(points(p, 2, "s.npy"), *centres, 0.125, 2);
  ASSERT_TRUE(c.ok()) << c.message();
  EXPECT_EQ(c->counts, (std::vector<int64_t>{2, 0, 1, 1}));
  EXPECT_EQ(c->covered, 3);
  EXPECT_EQ(c->highQuality, 4);
  EXPECT_EQ(c->points, 7);

  // Overlapping modes: a point goes to the nearer one only, a tie to the
  // lower index.
  std::vector<Point2> close = {{0, 0}, {0.5, 0}};
  std::vector<double> q = {0.25, 0, 0.4, 0, -0.1, 0};
  Result<ModeCoverage> o = modeCoverage(points(q, 2, "q.npy"), close, 1, 1);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->counts, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(o->highQuality, 3);
}

TEST(EvalModes, BadInputsAreErrors) {
  std::vector<Point2> centres = {{0, 0}};
  std::vector<double> three = {0, 0, 0};
  Result<ModeCoverage> c =
      modeCoverage(points(three, 3, "s.npy"), centres, 0.1, 3);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.message(), HasSubstr("s.npy: rows of 3 values; mode coverage "
                                     "takes 2-D points"));
  std::vector<double> two = {0, 0};
  Result<ModeCoverage> r =
      modeCoverage(points(two, 2, "s.npy"), centres, 0.1, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.message(), HasSubstr("positive std and radius"));
}

//===----------------------------------------------------------------------===//
// Fréchet distance
//===----------------------------------------------------------------------===//

// In one dimension the distance is (μa − μb)² + (sa − sb)², s the sample
// standard deviations (n − 1).
TEST(EvalFrechet, OneDimensionalGaussians) {
  std::vector<double> a = {1, 2, 4, 7}, b = {0, 3, 3, 10, 4};
  auto stats = [](const std::vector<double> &v, double &mean, double &sd) {
    mean = 0;
    for (double x : v)
      mean += x;
    mean /= double(v.size());
    double ss = 0;
    for (double x : v)
      ss += (x - mean) * (x - mean);
    sd = std::sqrt(ss / double(v.size() - 1));
  };
  double ma, sa, mb, sb;
  stats(a, ma, sa);
  stats(b, mb, sb);
  Result<double> fd =
      frechetDistance(points(a, 1, "a.npy"), points(b, 1, "b.npy"));
  ASSERT_TRUE(fd.ok()) << fd.message();
  EXPECT_NEAR(*fd, (ma - mb) * (ma - mb) + (sa - sb) * (sa - sb), 1e-12);
}

// Columns s_j h_j + m_j with h_j orthogonal zero-mean ±1 patterns have a
// diagonal sample covariance, variance s_j² n / (n − 1); the distance is
// then Σ_j (ma_j − mb_j)² + (√va_j − √vb_j)².
TEST(EvalFrechet, DiagonalCovariances) {
  const double h[4][3] = {{1, 1, 1}, {1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}};
  auto make = [&](const double *scale, const double *mean, int repeats) {
    std::vector<double> v;
    for (int r = 0; r < repeats; ++r)
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 3; ++j)
          v.push_back(mean[j] + scale[j] * h[i][j]);
    return v;
  };
  const double sa[3] = {1, 0.5, 2}, ma[3] = {0, 1, -1};
  const double sb[3] = {3, 0.25, 2}, mb[3] = {1, 1, 0.5};
  std::vector<double> a = make(sa, ma, 1), b = make(sb, mb, 2);
  double expected = 0;
  for (int j = 0; j < 3; ++j) {
    double rootA = sa[j] * std::sqrt(4.0 / 3),
           rootB = sb[j] * std::sqrt(8.0 / 7);
    expected +=
        (ma[j] - mb[j]) * (ma[j] - mb[j]) + (rootA - rootB) * (rootA - rootB);
  }
  Result<double> fd =
      frechetDistance(points(a, 3, "a.npy"), points(b, 3, "b.npy"));
  ASSERT_TRUE(fd.ok()) << fd.message();
  EXPECT_NEAR(*fd, expected, 1e-12);
}

// A set against itself: the root of Ca^½ Ca Ca^½ = Ca² is Ca, so every
// term cancels up to rounding; a correlated covariance exercises the
// eigenvectors.
TEST(EvalFrechet, ASetAgainstItselfIsZero) {
  std::vector<double> a = uniformValues(50 * 6, 10);
  for (size_t i = 0; i < 50; ++i)
    a[i * 6 + 1] += 2 * a[i * 6];
  Result<double> fd =
      frechetDistance(points(a, 6, "a.npy"), points(a, 6, "a.npy"));
  ASSERT_TRUE(fd.ok()) << fd.message();
  EXPECT_NEAR(*fd, 0, 1e-12);
  // Rank-deficient covariances (fewer rows than features) too: the roots
  // of their zero eigenvalues, rounded to ±1e-17, add up to ~1e-8.
  std::vector<double> few = uniformValues(3 * 6, 12);
  Result<double> low =
      frechetDistance(points(few, 6, "f.npy"), points(few, 6, "f.npy"));
  ASSERT_TRUE(low.ok());
  EXPECT_NEAR(*low, 0, 1e-6);
}

TEST(EvalFrechet, BadSetsAreErrors) {
  std::vector<double> a = {1, 2, 3, 4}, b = {1, 2, 3, 4, 5, 6}, one = {1, 2};
  Result<double> dims =
      frechetDistance(points(a, 2, "ra.npy"), points(b, 3, "gb.npy"));
  ASSERT_FALSE(dims.ok());
  EXPECT_THAT(dims.message(),
              HasSubstr("ra.npy has rows of 2 values, gb.npy of 3"));
  Result<double> rows =
      frechetDistance(points(a, 2, "ra.npy"), points(one, 2, "g1.npy"));
  ASSERT_FALSE(rows.ok());
  EXPECT_THAT(rows.message(),
              HasSubstr("g1.npy: 1 row of 2 values; the Fréchet distance "
                        "needs at least 2 rows"));
}

} // namespace
