//===- TrainTest.cpp - Optimisers, the training loop and its outputs ------===//

#include "TempDir.h"
#include "TestArtifact.h"

#include "gantk/runtime/Data.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Npy.h"
#include "gantk/runtime/Plot.h"
#include "gantk/runtime/Png.h"
#include "gantk/runtime/Session.h"
#include "gantk/runtime/Stats.h"
#include "gantk/runtime/Train.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <sstream>

using namespace gantk;
using gantk::test::TestArtifact;
using ::testing::HasSubstr;
namespace fs = std::filesystem;
using gantk::test::TempDir;

namespace {

/// Width, height and channels of a PNG file, read back with libpng.
struct PngInfo {
  unsigned width = 0, height = 0, channels = 0;
};

PngInfo readPngInfo(const std::string &path) {
  PngInfo info;
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str())) {
    info.width = image.width;
    info.height = image.height;
    info.channels = PNG_IMAGE_SAMPLE_CHANNELS(image.format);
    png_image_free(&image);
  }
  return info;
}

TEST(Optimizer, GradientDescentByHand) {
  OptimizerConfig c;
  c.lr = 0.1;
  Optimizer opt(c, 2);
  double z[2] = {1, -2}, g[2] = {0.5, 1};
  opt.update(z, g);
  EXPECT_DOUBLE_EQ(z[0], 0.95);
  EXPECT_DOUBLE_EQ(z[1], -2.1);

  c.clip = true;
  c.clipLo = -2;
  c.clipHi = 0.9;
  Optimizer clipped(c, 2);
  double y[2] = {1, -2};
  clipped.update(y, g);
  EXPECT_EQ(y[0], 0.9);
  EXPECT_EQ(y[1], -2.0);
}

TEST(Optimizer, AdamByHand) {
  OptimizerConfig c;
  c.kind = schema::OptimizerKind::Adam;
  c.lr = 0.01;
  Optimizer opt(c, 2);
  double z[2] = {0, 0};
  // Step 1: m = 0.1 g, v = 0.001 g^2; bias correction gives m^ = g,
  // v^ = g^2, so the step is lr * g / (|g| + eps).
  double g1[2] = {0.5, -4};
  opt.update(z, g1);
  EXPECT_DOUBLE_EQ(z[0], -0.01 * 0.5 / (0.5 + 1e-8));
  EXPECT_DOUBLE_EQ(z[1], 0.01 * 4 / (4 + 1e-8));
  // Step 2 on the first coordinate with g = 1:
  //   m = 0.9*0.05 + 0.1*1 = 0.145, v = 0.999*0.00025 + 0.001 = 0.00124975
  //   m^ = 0.145 / 0.19, v^ = 0.00124975 / 0.001999
  double z0 = z[0];
  double g2[2] = {1, -4};
  opt.update(z, g2);
  double step =
      0.01 * (0.145 / 0.19) / (std::sqrt(0.00124975 / 0.001999) + 1e-8);
  EXPECT_NEAR(z[0], z0 - step, 1e-15);
  EXPECT_NEAR(step, 0.0096518201, 1e-10);
  EXPECT_EQ(opt.steps(), 2);
}

TEST(Optimizer, InitialPointsFollowTheirDistribution) {
  std::vector<double> u = initialPoints(schema::InitKind::Uniform, 20000, 3);
  double mean = 0;
  for (double x : u) {
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    mean += x / double(u.size());
  }
  EXPECT_NEAR(mean, 0.5, 0.01); // sd of the mean: 0.29 / sqrt(20000) = 0.002
  std::vector<double> n = initialPoints(schema::InitKind::Normal, 20000, 3);
  double m1 = 0, m2 = 0;
  for (double x : n) {
    m1 += x / double(n.size());
    m2 += x * x / double(n.size());
  }
  EXPECT_NEAR(m1, 0.0, 0.03);
  EXPECT_NEAR(m2, 1.0, 0.05);
  EXPECT_EQ(initialPoints(schema::InitKind::Normal, 5, 9),
            initialPoints(schema::InitKind::Normal, 5, 9));
  EXPECT_NE(initSeed(1), 1u);
}

/// Pull artifact: L = 1/2 |Z - X|^2, G = Z - X, on gaussian-grid data.
TestArtifact pullArtifact(schema::Precision precision, int64_t n, int64_t dim) {
  TestArtifact t;
  t.precision = precision;
  t.nReal = t.nFake = n;
  t.dim = dim;
  uint64_t es = precision == schema::Precision::F64 ? 8 : 4;
  uint64_t block = (uint64_t(n * dim) * es + 63) / 64 * 64;
  t.real = {0, uint64_t(n * dim)};
  t.fake = {block, uint64_t(n * dim)};
  t.grad = {2 * block, uint64_t(n * dim)};
  t.loss = {3 * block, 1};
  t.arenaBytes = 3 * block + 64;
  t.kernels = {{precision == schema::Precision::F64 ? "gantk_test_pull_f64"
                                                    : "gantk_test_pull_f32",
                false}};
  t.code = test::testKernelBlob();
  t.dispatches.push_back(
      {0,
       {t.real.offset(), t.fake.offset(), t.grad.offset(), t.loss.offset()},
       n * dim});
  return t;
}

/// The pull artifact on `count` 2x2 grey images (values 0 … 1 in order),
/// written as DIR/x.npy.
TestArtifact greyImagesArtifact(const fs::path &dir, int64_t count) {
  TestArtifact t = pullArtifact(schema::Precision::F64, count, 4);
  t.dataKind = schema::DataKind::Npy;
  t.dataPath = (dir / "x.npy").string();
  std::vector<double> x(size_t(4 * count));
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = double(i) / double(x.size() - 1);
  EXPECT_TRUE(
      writeNpy(t.dataPath, {count, 2, 2}, x.data(), NpyDType::F64).ok());
  t.imageH = t.imageW = 2;
  t.imageC = 1;
  return t;
}

std::unique_ptr<Session> makeSession(const TestArtifact &t) {
  Result<Artifact> a = t.load();
  EXPECT_TRUE(a.ok()) << a.message();
  if (!a.ok())
    return nullptr;
  Result<std::unique_ptr<Session>> s = Session::create(a.take(), {1});
  EXPECT_TRUE(s.ok()) << s.message();
  return s.ok() ? s.take() : nullptr;
}

TEST(Train, GradientDescentContractsGeometrically) {
  // With G = Z - X, GD gives Z - X -> (1 - lr)(Z - X), so the loss shrinks
  // by (1 - lr)^2 per step exactly.
  TestArtifact t = pullArtifact(schema::Precision::F64, 16, 2);
  t.lr = 0.5;
  t.steps = 20;
  t.every = 5;
  t.plot = schema::PlotKind::Scatter;
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  TempDir dir;
  std::ostringstream log;
  TrainOptions options;
  options.outDir = (dir.path / "out" / "nested").string();
  options.log = &log;
  Result<TrainResult> r = train(*s, options);
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_EQ(r->losses.size(), 20u);
  for (size_t i = 1; i < r->losses.size(); ++i)
    EXPECT_NEAR(r->losses[i] / r->losses[i - 1], 0.25, 1e-9) << "step " << i;

  // Progress lines at steps 5, 10, 15, 20 in the documented format.
  std::vector<std::string> lines;
  std::istringstream in(log.str());
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  char expected[64];
  std::snprintf(expected, sizeof(expected), "step 20/20  loss %.6e  ",
                r->losses.back());
  EXPECT_THAT(lines[3], ::testing::StartsWith(expected));
  EXPECT_THAT(lines[3], ::testing::HasSubstr(" s/step  done in "));
  EXPECT_THAT(lines[0], ::testing::StartsWith("step 5/20  loss "));
  EXPECT_THAT(lines[0], ::testing::EndsWith(" left"));

  // samples.npy holds the final Z, which has converged onto X.
  Result<NpyArray> samples = readNpy(r->samplesNpy);
  ASSERT_TRUE(samples.ok()) << samples.message();
  EXPECT_EQ(samples->dtype, NpyDType::F64);
  EXPECT_EQ(samples->shape, (std::vector<int64_t>{16, 2}));
  EXPECT_EQ(samples->values, r->samples);
  Result<Dataset> x =
      loadRealData(DataConfig::fromSpec(*s->root().data()), 16, 2, t.seed);
  ASSERT_TRUE(x.ok());
  for (size_t i = 0; i < x->values.size(); ++i)
    EXPECT_NEAR(r->samples[i], x->values[i], 1e-5);

  // The scatter chart (Plot.h), one snapshot of it per output step, the
  // loss curve and the report over them.
  PngInfo png = readPngInfo(r->samplesPng);
  EXPECT_EQ(png.width, 640u);
  EXPECT_EQ(png.height, 560u);
  EXPECT_EQ(png.channels, 3u);
  EXPECT_EQ(readFile(r->samplesPng).take(),
            readFile(options.outDir + "/snapshots/step-000020.png").take());
  for (int step : {5, 10, 15})
    EXPECT_TRUE(fs::exists(options.outDir + "/snapshots/step-0000" +
                           (step < 10 ? "0" : "") + std::to_string(step) +
                           ".png"));
  EXPECT_EQ(readPngInfo(r->lossPng).width, 640u);
  Result<std::vector<uint8_t>> page = readFile(r->reportHtml);
  ASSERT_TRUE(page.ok()) << page.message();
  std::string html(page->begin(), page->end());
  EXPECT_THAT(html, ::testing::HasSubstr("src=\"snapshots/step-000015.png\""));
  EXPECT_THAT(html, ::testing::HasSubstr("src=\"loss.png\""));
  // Atomic writes leave no temporaries behind.
  for (const auto &entry : fs::directory_iterator(options.outDir))
    EXPECT_THAT(entry.path().filename().string(),
                ::testing::AnyOf("samples.npy", "samples.png", "loss.png",
                                 "report.html", "snapshots", "real.npy"));
}

TEST(Train, SamplesInTheDataUnitsAndACallbackEachStep) {
  // scale = unit trains on the data mapped onto [0, 1]; the pull converges
  // Z onto that X, so the samples in the data's units are the raw draw
  // (scale = none) and, when asked, the unit ones.
  TestArtifact t = pullArtifact(schema::Precision::F64, 12, 2);
  t.scale = schema::Scale::Unit;
  t.dataSpacing = 2;
  t.lr = 0.5;
  t.steps = 40;
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  DataConfig raw = DataConfig::fromSpec(*s->root().data());
  raw.scale = schema::Scale::None;
  Result<Dataset> x = loadRealData(raw, 12, 2, t.seed);
  ASSERT_TRUE(x.ok());
  auto [lo, hi] = std::minmax_element(x->values.begin(), x->values.end());

  TempDir dir;
  TrainOptions options;
  options.outDir = dir.path.string();
  std::vector<double> seenLosses;
  std::vector<double> lastSeen;
  options.onStep = [&](int64_t step, double loss,
                       const std::vector<double> &z) {
    EXPECT_EQ(step, int64_t(seenLosses.size()) + 1);
    seenLosses.push_back(loss);
    lastSeen = z;
    return true;
  };
  Result<TrainResult> r = train(*s, options);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_DOUBLE_EQ(r->units.offset, *lo);
  EXPECT_DOUBLE_EQ(r->units.scale, *hi - *lo);
  EXPECT_EQ(seenLosses, r->losses);
  EXPECT_EQ(lastSeen, r->samples);
  EXPECT_EQ(r->stepSeconds.size(), 40u);
  for (size_t i = 0; i < x->values.size(); ++i)
    EXPECT_NEAR(r->samples[i], x->values[i], 1e-9 * (*hi - *lo));
  Result<NpyArray> npy = readNpy(r->samplesNpy);
  ASSERT_TRUE(npy.ok());
  EXPECT_EQ(npy->values, r->samples);
  // real.npy: the real rows it trained on, in the same units.
  Result<NpyArray> realNpy = readNpy(r->realNpy);
  ASSERT_TRUE(realNpy.ok()) << realNpy.message();
  EXPECT_EQ(realNpy->shape, (std::vector<int64_t>{12, 2}));
  for (size_t i = 0; i < x->values.size(); ++i)
    EXPECT_NEAR(realNpy->values[i], x->values[i], 1e-12);

  // The training scaling when asked for: X mapped onto [0, 1].
  std::unique_ptr<Session> s2 = makeSession(t);
  ASSERT_TRUE(s2);
  options.unitSamples = true;
  options.onStep = nullptr;
  Result<TrainResult> unit = train(*s2, options);
  ASSERT_TRUE(unit.ok()) << unit.message();
  Result<NpyArray> unitReal = readNpy(unit->realNpy);
  ASSERT_TRUE(unitReal.ok()) << unitReal.message();
  for (size_t i = 0; i < x->values.size(); ++i) {
    EXPECT_NEAR(unit->samples[i], (x->values[i] - *lo) / (*hi - *lo), 1e-9);
    EXPECT_NEAR(unitReal->values[i], (x->values[i] - *lo) / (*hi - *lo), 1e-12);
  }
}

TEST(Train, ACallbackStopsTheRunAndItsOutputsAreWritten) {
  TestArtifact t = pullArtifact(schema::Precision::F64, 4, 2);
  t.steps = 50;
  t.every = 0;
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  TempDir dir;
  TrainOptions options;
  options.outDir = dir.path.string();
  options.checkpointEvery = 100;
  options.onStep = [](int64_t step, double, const std::vector<double> &) {
    return step < 7;
  };
  Result<TrainResult> r = train(*s, options);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->steps, 7);
  EXPECT_EQ(r->losses.size(), 7u);
  // The stopped run's last step is saved like a last step: samples and a
  // checkpoint to resume from.
  Result<NpyArray> npy = readNpy(r->samplesNpy);
  ASSERT_TRUE(npy.ok());
  EXPECT_EQ(npy->values, r->samples);
  EXPECT_FALSE(r->checkpoint.empty());
}

TEST(Train, OnePngPerImageSample) {
  // Three 2x2 grey images, one step at lr 1 pulls Z onto X exactly.
  TempDir dir;
  TestArtifact t = greyImagesArtifact(dir.path, 3);
  t.lr = 1;
  t.steps = 1;
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  TrainOptions options;
  options.outDir = (dir.path / "out").string();
  options.samplePngs = true;
  Result<TrainResult> r = train(*s, options);
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_EQ(r->samplePngDir, (dir.path / "out" / "samples").string());
  for (int i = 0; i < 3; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "%06d.png", i + 1);
    Result<PngPixels> png =
        readPng((dir.path / "out" / "samples" / name).string());
    ASSERT_TRUE(png.ok()) << png.message();
    ASSERT_EQ(png->values.size(), 4u);
    for (int k = 0; k < 4; ++k)
      EXPECT_NEAR(png->values[size_t(k)], r->samples[size_t(4 * i + k)],
                  0.5 / 255 + 1e-12);
  }
  // Flat rows have no images to write.
  TestArtifact flat = pullArtifact(schema::Precision::F64, 2, 2);
  std::unique_ptr<Session> s2 = makeSession(flat);
  ASSERT_TRUE(s2);
  Result<TrainResult> bad = train(*s2, options);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), ::testing::HasSubstr("a PNG per sample needs "
                                                  "image data"));
}

TEST(BatchRows, DistinctAscendingAndAPureFunctionOfTheirArguments) {
  for (bool epoch : {false, true})
    for (int64_t step = 1; step <= 20; ++step) {
      std::vector<int64_t> rows = batchRows(7, 1, step, 10, 4, epoch);
      ASSERT_EQ(rows.size(), 4u);
      EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
      EXPECT_EQ(std::adjacent_find(rows.begin(), rows.end()), rows.end());
      EXPECT_GE(rows.front(), 0);
      EXPECT_LT(rows.back(), 10);
      EXPECT_EQ(rows, batchRows(7, 1, step, 10, 4, epoch));
    }
  // Steps, streams and seeds draw differently (with 210 possible draws of 4
  // of 10 rows, a coincidence in all of these is out of the question).
  int same = 0;
  for (int64_t step = 1; step <= 10; ++step)
    same += batchRows(7, 0, step, 10, 4, false) ==
                batchRows(7, 1, step, 10, 4, false) ||
            batchRows(7, 0, step, 10, 4, false) ==
                batchRows(7, 0, step + 1, 10, 4, false) ||
            batchRows(7, 0, step, 10, 4, false) ==
                batchRows(8, 0, step, 10, 4, false);
  EXPECT_LE(same, 1);
  // Every row of `total` when count = total: the full objective's rows.
  std::vector<int64_t> all(10);
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(batchRows(7, 0, 3, 10, 10, false), all);
  EXPECT_EQ(batchRows(7, 0, 3, 10, 10, true), all);
}

TEST(BatchRows, IndependentDrawsAreUniform) {
  // 3 of 10 rows over 4000 steps: each row 1200 times on average, with a
  // standard deviation of sqrt(4000 * 0.3 * 0.7) = 29.
  std::vector<int> counts(10, 0);
  for (int64_t step = 1; step <= 4000; ++step)
    for (int64_t row : batchRows(11, 1, step, 10, 3, false))
      ++counts[size_t(row)];
  for (int c : counts)
    EXPECT_NEAR(c, 1200, 150);
}

TEST(BatchRows, EpochsVisitEveryRowOncePerPass) {
  // 10 rows, 4 a step: passes of 3 steps (4 + 4 + 2, the last topped up with
  // 2 rows the pass took first), each a new shuffle.
  std::vector<std::vector<int64_t>> passes;
  for (int64_t pass = 0; pass < 4; ++pass) {
    std::vector<int> seen(10, 0);
    std::vector<int64_t> order;
    for (int64_t k = 1; k <= 3; ++k)
      for (int64_t row : batchRows(5, 1, 3 * pass + k, 10, 4, true)) {
        ++seen[size_t(row)];
        order.push_back(row);
      }
    int twice = 0;
    for (int s : seen) {
      EXPECT_GE(s, 1) << "pass " << pass;
      EXPECT_LE(s, 2) << "pass " << pass;
      twice += s == 2;
    }
    EXPECT_EQ(twice, 2) << "pass " << pass;
    passes.push_back(order);
  }
  EXPECT_NE(passes[0], passes[1]);
  EXPECT_NE(passes[1], passes[2]);
}

TEST(Train, BatchWiseStepsGatherAndScatterTheDrawnRows) {
  // Pull loss on a batch: L = 1/2 |Z_b - X_b|^2, so one GD step moves each
  // drawn generated row r (paired with the drawn real row at the same
  // place) by -lr (Z[r] - X[r']); then every row is clipped, as a whole
  // update would. Normal(0, 1) points start outside the clip range, so the
  // first step clips rows it did not draw, and later steps (which update
  // the drawn rows only) must agree with the whole update.
  TestArtifact t = pullArtifact(schema::Precision::F64, 3, 2);
  t.realRows = 7;
  t.fakeRows = 9;
  t.lr = 0.25;
  t.steps = 3;
  t.init = schema::InitKind::Normal;
  t.clip = true;
  t.clipLo = -0.5;
  t.clipHi = 0.5;
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  TempDir dir;
  TrainOptions options;
  options.outDir = dir.path.string();
  options.steps = 0;
  Result<TrainResult> before = train(*s, options);
  ASSERT_TRUE(before.ok()) << before.message();
  ASSERT_EQ(before->samples.size(), 18u); // all 9 rows of Z
  std::vector<double> z = before->samples;

  Result<Dataset> x =
      loadRealData(DataConfig::fromSpec(*s->root().data()), 7, 2, t.seed);
  ASSERT_TRUE(x.ok());
  int outside = 0;
  for (double v : z)
    outside += std::abs(v) > 0.5;
  EXPECT_GE(outside, 3); // some rows need the first step's clip
  for (int64_t step = 1; step <= 3; ++step) {
    std::vector<int64_t> real = batchRows(t.seed, 0, step, 7, 3, false);
    std::vector<int64_t> fake = batchRows(t.seed, 1, step, 9, 3, false);
    double loss = 0;
    for (size_t r = 0; r < 3; ++r)
      for (int64_t c = 0; c < 2; ++c) {
        double &zc = z[size_t(fake[r] * 2 + c)];
        double g = zc - x->values[size_t(real[r] * 2 + c)];
        loss += 0.5 * g * g;
        zc -= t.lr * g;
      }
    for (double &v : z)
      v = std::clamp(v, -0.5, 0.5);
    options.steps = step;
    std::unique_ptr<Session> fresh = makeSession(t);
    Result<TrainResult> r = train(*fresh, options);
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_NEAR(r->losses.back(), loss, 1e-12 * loss) << "step " << step;
    for (size_t i = 0; i < z.size(); ++i)
      EXPECT_NEAR(r->samples[i], z[i], 1e-14) << "step " << step << ", " << i;
  }
}

TEST(Train, AdamWithClipAndStepOverrideInFloat32) {
  TestArtifact t = pullArtifact(schema::Precision::F32, 8, 2);
  t.optimizer = schema::OptimizerKind::Adam;
  t.lr = 0.05;
  t.clip = true;
  t.clipLo = -0.25;
  t.clipHi = 0.25;
  t.steps = 1000;
  t.init = schema::InitKind::Normal;
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  TempDir dir;
  TrainOptions options;
  options.outDir = dir.path.string();
  options.steps = 30;
  Result<TrainResult> r = train(*s, options);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->steps, 30);
  EXPECT_EQ(r->losses.size(), 30u);
  EXPECT_LT(r->losses.back(), r->losses.front());
  for (double z : r->samples) {
    EXPECT_GE(z, -0.25);
    EXPECT_LE(z, 0.25);
  }
  Result<NpyArray> samples = readNpy(r->samplesNpy);
  ASSERT_TRUE(samples.ok());
  EXPECT_EQ(samples->dtype, NpyDType::F32);
  EXPECT_TRUE(r->samplesPng.empty()); // plot None
}

TEST(Train, GridPlotOfImages) {
  // Five 2x2 grey images: ceil(sqrt 5) = 3 columns, 2 rows, 1-px gaps.
  TempDir dir;
  TestArtifact t = greyImagesArtifact(dir.path, 5);
  t.plot = schema::PlotKind::Grid;
  t.steps = 3;
  // The spec's output dir, below the working directory (an artifact may
  // name no other).
  struct WorkingDirectory {
    fs::path previous = fs::current_path();
    explicit WorkingDirectory(const fs::path &p) { fs::current_path(p); }
    ~WorkingDirectory() { fs::current_path(previous); }
  } cwd(dir.path);
  t.outDir = "from-spec";
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  Result<TrainResult> r = train(*s, TrainOptions());
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->samplesPng, "from-spec/samples.png");
  // Titled with the artifact's name and the step (Plot.h's layout).
  GridLayout layout = titledImageGridLayout(5, 2, 2, "test, step 3");
  EXPECT_EQ(layout.columns, 3);
  PngInfo png = readPngInfo(r->samplesPng);
  EXPECT_EQ(png.width, uint32_t(layout.width));
  EXPECT_EQ(png.height, uint32_t(layout.height));
  EXPECT_EQ(png.channels, 1u);
}

TEST(Train, GridPlotOfAnRgbImageFolder) {
  // Four 2x3 RGB PNGs; one GD step at lr 1 pulls Z onto X exactly, so the
  // plot's tiles are the real images in the order they were loaded.
  TestArtifact t = pullArtifact(schema::Precision::F64, 4, 18);
  TempDir dir;
  fs::create_directory(dir.path / "pngs");
  for (int k = 0; k < 4; ++k) {
    Image img{3, 2, 3, {}};
    for (int i = 0; i < 18; ++i)
      img.pixels.push_back(uint8_t(40 * k + 2 * i));
    ASSERT_TRUE(
        writePng(
            (dir.path / "pngs" / ("p" + std::to_string(k) + ".png")).string(),
            img)
            .ok());
  }
  t.dataKind = schema::DataKind::Images;
  t.dataPath = (dir.path / "pngs").string();
  t.imageH = 2;
  t.imageW = 3;
  t.imageC = 3;
  t.plot = schema::PlotKind::Grid;
  t.lr = 1;
  t.steps = 1;
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  TrainOptions options;
  options.outDir = (dir.path / "out").string();
  Result<TrainResult> r = train(*s, options);
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_EQ(r->samplesPng, options.outDir + "/samples.png");
  // 2 x 2 tiles of 3 wide, 2 high, each pixel a block of `scale` pixels,
  // 1-px gaps, under a title band; RGB.
  GridLayout g = titledImageGridLayout(4, 2, 3, "test, step 1");
  ASSERT_EQ(g.columns, 2);
  Result<PngPixels> plot = readPng(r->samplesPng);
  ASSERT_TRUE(plot.ok()) << plot.message();
  EXPECT_EQ(plot->shape.width, g.width);
  EXPECT_EQ(plot->shape.height, g.height);
  EXPECT_EQ(plot->shape.channels, 3);
  Result<Dataset> real =
      loadRealData(DataConfig::fromSpec(*s->root().data()), 4, 18, t.seed);
  ASSERT_TRUE(real.ok()) << real.message();
  auto at = [&](int64_t px, int64_t py, int c) {
    return plot->values[size_t((py * g.width + px) * 3 + c)];
  };
  for (int k = 0; k < 4; ++k) {
    int64_t x0 = g.left + (k % 2) * (3 * g.scale + 1),
            y0 = g.top + (k / 2) * (2 * g.scale + 1);
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 3; ++x)
        for (int c = 0; c < 3; ++c)
          EXPECT_EQ(at(x0 + x * g.scale + g.scale / 2,
                       y0 + y * g.scale + g.scale / 2, c),
                    real->values[size_t(k * 18 + (y * 3 + x) * 3 + c)])
              << "tile " << k << " pixel (" << y << ", " << x << ")";
  }
  // The gap column between the tiles is white.
  for (int c = 0; c < 3; ++c)
    EXPECT_EQ(at(g.left + 3 * g.scale, g.top, c), 1.0);
}

TEST(Train, GridPlotNeedsImageData) {
  TestArtifact t = pullArtifact(schema::Precision::F64, 2, 2);
  t.plot = schema::PlotKind::Grid;
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  TempDir dir;
  TrainOptions options;
  options.outDir = dir.path.string();
  Result<TrainResult> r = train(*s, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(r.message(), "test: plot = grid needs image data (idx, images, "
                         "or an npy of shape (N, H, W[, C])); gaussian_grid "
                         "has flat rows of 2 values");
  EXPECT_FALSE(fs::exists(dir.path / "samples.npy"));
}

TEST(Train, GridPlotNeedsMatchingImageShape) {
  TestArtifact t = pullArtifact(schema::Precision::F64, 2, 4);
  t.plot = schema::PlotKind::Grid;
  t.imageH = 3;
  t.imageW = 3;
  t.imageC = 1;
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  TempDir dir;
  TrainOptions options;
  options.outDir = dir.path.string();
  Result<TrainResult> r = train(*s, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "test: plot = grid: gaussian_grid has images of "
                         "3x3x1 (H x W x C) but rows of 4 values");
}

TEST(Train, DivergenceStopsWithAClearError) {
  // lr 3 makes Z - X grow by |1 - 3| = 2 each step; the loss overflows.
  TestArtifact t = pullArtifact(schema::Precision::F32, 4, 2);
  t.lr = 3;
  t.steps = 400;
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  TempDir dir;
  TrainOptions options;
  options.outDir = dir.path.string();
  Result<TrainResult> r = train(*s, options);
  ASSERT_FALSE(r.ok());
  // The step where 2^t overflows float32, and what to do about it; the
  // hand-built artifact records no command results, so no command is named.
  EXPECT_EQ(r.message(), "test: step 65: the loss is +infinity (lower the "
                         "learning rate or lambda, or use float64)");
  EXPECT_FALSE(fs::exists(dir.path / "samples.npy"));
}

TEST(Stats, MedianAndPeakRss) {
  EXPECT_EQ(median({}), 0);
  EXPECT_EQ(median({3, 1, 2}), 2);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_GT(peakRssBytes(), 1 << 20);
}

} // namespace
