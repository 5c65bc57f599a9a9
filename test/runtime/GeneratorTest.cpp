//===- GeneratorTest.cpp - GA-NTKg's host side: shapes, draws, forward ----===//
//
// The compiled forward and backward are checked in test/unit/GradientTest.cpp
// (against this forward and against finite differences); here the host
// functions themselves, against values worked out by hand.
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Generator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

using namespace gantk;
using ::testing::HasSubstr;

namespace {

GeneratorShape shapeOf(std::vector<int64_t> widths,
                       std::vector<std::string> activations) {
  Result<GeneratorShape> s =
      GeneratorShape::make(std::move(widths), std::move(activations));
  EXPECT_TRUE(s.ok()) << s.message();
  return s.ok() ? *s : GeneratorShape();
}

TEST(Generator, ParamCountIsWeightsAndBiases) {
  EXPECT_EQ(shapeOf({3, 8, 5, 2}, {"relu", "tanh", "sigmoid"}).paramCount(),
            4 * 8 + 9 * 5 + 6 * 2);
}

TEST(Generator, ShapeErrors) {
  auto error = [](std::vector<int64_t> w, std::vector<std::string> a) {
    Result<GeneratorShape> s = GeneratorShape::make(std::move(w), std::move(a));
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string() : s.message();
  };
  EXPECT_THAT(error({3}, {}), HasSubstr("at least one layer"));
  EXPECT_THAT(error({3, 2}, {"relu", "relu"}),
              HasSubstr("one activation per layer"));
  EXPECT_THAT(error({3, 0}, {"relu"}), HasSubstr("a generator width is 0"));
  EXPECT_THAT(error({3, 65537}, {"relu"}), HasSubstr("outside [1, 65536]"));
  EXPECT_THAT(error({3, 2}, {"gelu"}),
              HasSubstr("unknown generator activation 'gelu'"));
}

// Two layers on two latent rows, every activation, computed by hand:
// layer 1: 2 -> 3 (relu), layer 2: 3 -> 2 (identity / tanh / sigmoid).
TEST(Generator, ForwardMatchesHandComputation) {
  std::vector<double> theta = {1,    -1,   0.5,  // W1 row 0
                               2,    0.5,  -1,   // W1 row 1
                               0.1,  0.2,  -0.3, // b1
                               1,    0,          // W2 row 0
                               -1,   2,          // W2 row 1
                               0.5,  1,          // W2 row 2
                               0.05, -0.05};     // b2
  std::vector<double> e = {1, 2, -1, 0.5};
  // Row 0: h1 = [1+4+.1, -1+1+.2, .5-2-.3] = [5.1, .2, -1.8] -> relu
  //        [5.1, .2, 0]; h2 = [5.1 - .2 + .05, .4 - .05] = [4.95, .35].
  // Row 1: h1 = [-1+1+.1, 1+.25+.2, -.5-.5-.3] = [.1, 1.45, -1.3] -> relu
  //        [.1, 1.45, 0]; h2 = [.1 - 1.45 + .05, 2.9 - .05] = [-1.3, 2.85].
  std::vector<double> pre = {4.95, 0.35, -1.3, 2.85};
  for (const char *act : {"identity", "tanh", "sigmoid"}) {
    std::vector<double> z =
        generate(shapeOf({2, 3, 2}, {"relu", act}), theta, e, 2);
    ASSERT_EQ(z.size(), 4u);
    for (size_t i = 0; i < 4; ++i) {
      double x = pre[i];
      double want = std::string(act) == "tanh"      ? std::tanh(x)
                    : std::string(act) == "sigmoid" ? 1 / (1 + std::exp(-x))
                                                    : x;
      EXPECT_NEAR(z[i], want, 1e-14) << act << " " << i;
    }
  }
}

TEST(Generator, LatentRowsArePerStepStandardNormal) {
  EXPECT_EQ(latentRows(3, 5, 4, 2), latentRows(3, 5, 4, 2));
  EXPECT_NE(latentRows(3, 5, 4, 2), latentRows(3, 6, 4, 2));
  EXPECT_NE(latentRows(3, 5, 4, 2), latentRows(4, 5, 4, 2));
  // Step 0 (gantk sample's) is none a run draws, and the streams of
  // neighbouring steps are not shifted copies of each other.
  std::vector<double> a = latentRows(0, 1, 1000, 1),
                      b = latentRows(0, 2, 1000, 1);
  double dot = 0;
  for (size_t i = 0; i < a.size(); ++i)
    dot += a[i] * b[i];
  EXPECT_LT(std::abs(dot) / 1000, 0.15);
  std::vector<double> many = latentRows(9, 1, 50000, 2);
  double mean = 0, square = 0;
  for (double v : many) {
    mean += v;
    square += v * v;
  }
  mean /= double(many.size());
  square /= double(many.size());
  EXPECT_NEAR(mean, 0, 0.02);
  EXPECT_NEAR(square, 1, 0.03);
}

TEST(Generator, InitialParamsHaveTheirScale) {
  // Weights N(0, 2/fan_in) after relu, N(0, 1/fan_in) otherwise; b = 0.
  GeneratorShape shape = shapeOf({100, 200, 50}, {"relu", "sigmoid"});
  std::vector<double> theta = initialParams(shape, 7);
  ASSERT_EQ(int64_t(theta.size()), shape.paramCount());
  auto variance = [&](size_t from, size_t count) {
    double s = 0;
    for (size_t i = from; i < from + count; ++i)
      s += theta[i] * theta[i];
    return s / double(count);
  };
  size_t w1 = 100 * 200, b1 = 200, w2 = 200 * 50;
  EXPECT_NEAR(variance(0, w1), 2.0 / 100, 0.05 * 2.0 / 100);
  EXPECT_EQ(variance(w1, b1), 0);
  EXPECT_NEAR(variance(w1 + b1, w2), 1.0 / 200, 0.05 * 1.0 / 200);
  EXPECT_EQ(variance(w1 + b1 + w2, 50), 0);
  EXPECT_EQ(theta, initialParams(shape, 7));
  EXPECT_NE(theta, initialParams(shape, 8));
}

} // namespace
