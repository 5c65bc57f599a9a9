//===- GradientTest.cpp - loss, gradient and exp action, independently ----===//
//
// Compiles small float64 specs through the whole pipeline and checks:
//  * dL/dZ against central finite differences of the compiled loss;
//  * the loss against a dense reference of exp(−λK) y (Taylor series with
//    scaling and squaring, no eigendecomposition) on the compiled kernel.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Compilation.h"
#include "gantk/Frontend/MLIRGen.h"
#include "gantk/Frontend/Parser.h"
#include "gantk/runtime/Artifact.h"
#include "gantk/runtime/Session.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <sstream>

using namespace gantk;

namespace {

constexpr int64_t kReal = 5, kFake = 4, kDim = 3;

std::string specText(const std::string &layers, const std::string &objective) {
  return "data {\n  real = gaussian_grid(size: 2, spacing: 1, std: 0.1)\n"
         "  n = 5\n  m = 4\n}\ndiscriminator {\n" +
         layers + "}\nobjective {\n" + objective +
         "}\ntrain {\n  precision = f64\n}\n";
}

std::unique_ptr<Session> compile(const std::string &text, EntryKind entry,
                                 GraphShape shape) {
  std::ostringstream errs;
  std::optional<ast::Module> spec = parseSpec(text, "test.gantk", errs);
  EXPECT_TRUE(spec) << errs.str();
  if (!spec)
    return nullptr;
  CompilerContext context;
  auto graph = buildModule(context.get(), *spec, shape, entry);
  EXPECT_TRUE(graph);
  if (!graph)
    return nullptr;
  auto bytes = compileModule(*graph, CompileOptions());
  EXPECT_TRUE(bytes);
  if (!bytes)
    return nullptr;
  Result<Artifact> artifact = Artifact::loadBytes(std::move(*bytes), "test");
  EXPECT_TRUE(artifact.ok()) << artifact.message();
  Result<std::unique_ptr<Session>> session = Session::create(artifact.take());
  EXPECT_TRUE(session.ok()) << session.message();
  return session.ok() ? session.take() : nullptr;
}

std::vector<double> randomMatrix(int64_t rows, uint64_t seed,
                                 int64_t dim = kDim) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> m(rows * dim);
  for (double &v : m)
    v = u(rng);
  return m;
}

double lossAt(Session &s, const std::vector<double> &z) {
  EXPECT_TRUE(s.setFake(z.data(), z.size()).ok());
  EXPECT_TRUE(s.step().ok());
  return s.loss();
}

struct Case {
  const char *name;
  const char *layers;
  const char *objective;
};

class FiniteDifferences : public ::testing::TestWithParam<Case> {};

/// `grad` (the gradient of `loss` at x) against central differences of
/// `loss`, coordinate by coordinate, relative to the gradient's largest
/// entry.
void expectCentralDifferences(
    const std::function<double(const std::vector<double> &)> &loss,
    const std::vector<double> &x, const std::vector<double> &grad,
    const std::string &name) {
  ASSERT_EQ(grad.size(), x.size()) << name;
  double h = 1e-5, worst = 0, scale = 0;
  for (double g : grad)
    scale = std::max(scale, std::abs(g));
  ASSERT_GT(scale, 1e-8) << "degenerate case: zero gradient";
  for (size_t i = 0; i < x.size(); ++i) {
    std::vector<double> plus = x, minus = x;
    plus[i] += h;
    minus[i] -= h;
    double fd = (loss(plus) - loss(minus)) / (2 * h);
    worst = std::max(worst, std::abs(fd - grad[i]) / scale);
  }
  std::ostringstream shown;
  shown << worst;
  ::testing::Test::RecordProperty("max_relative_error", shown.str());
  EXPECT_LE(worst, 1e-6) << name;
}

/// dL/dZ of the session at z against central differences of its loss.
void expectCentralDifferences(Session &session, const std::vector<double> &z,
                              const std::string &name) {
  lossAt(session, z);
  expectCentralDifferences(
      [&](const std::vector<double> &at) { return lossAt(session, at); }, z,
      session.grad(), name);
}

// Central differences in float64 with h = 1e-5 have truncation error
// O(h²·L''') ≈ 1e-10 relative here, far below the 1e-6 bound.
TEST_P(FiniteDifferences, GradientMatchesCentralDifferences) {
  const Case &c = GetParam();
  auto session = compile(specText(c.layers, c.objective), EntryKind::Step,
                         {kReal, kFake, kDim});
  ASSERT_TRUE(session);
  std::vector<double> x = randomMatrix(kReal, 1), z = randomMatrix(kFake, 2);
  ASSERT_TRUE(session->setReal(x.data(), x.size()).ok());
  expectCentralDifferences(*session, z, c.name);
}

/// 17 × [dense(w_std: 1 + 0.02 i, b_std: 0.1), relu | sin | abs] → dense:
/// 35 layers that all differ, which run as a loop over the layers (more
/// than 32) with one switch case per layer.
std::string deepHeterogeneous() {
  std::string layers;
  const char *activations[] = {"relu", "sin(a: 1, b: 0.7, c: 0.2)", "abs"};
  for (int i = 0; i < 17; ++i)
    layers += "  dense(w_std: " + std::to_string(1 + 0.02 * i) +
              ", b_std: 0.1)\n  " + activations[i % 3] + "\n";
  return layers + "  dense\n";
}
const std::string kDeep = deepHeterogeneous();

const char *kFntk = "  dense(w_std: 1.2, b_std: 0.3)\n  relu\n"
                    "  dense(w_std: 1.2, b_std: 0.3)\n  relu\n"
                    "  dense(w_std: 1.2, b_std: 0.3)\n";

INSTANTIATE_TEST_SUITE_P(
    Architectures, FiniteDifferences,
    ::testing::Values(
        Case{"relu_squared", kFntk, "  lambda = 0.5\n  loss = squared\n"},
        Case{"relu_xent", kFntk, "  lambda = 2\n  loss = cross_entropy\n"},
        Case{"relu_eigreg", kFntk,
             "  lambda = 0.5\n  loss = squared\n  eig_reg = 1e-3\n"},
        Case{"relu_stiff", kFntk, "  lambda = 50\n  loss = squared\n"},
        Case{"leaky_abs",
             "  dense(w_std: 1.1, b_std: 0.2)\n  leaky_relu(alpha: 0.2)\n"
             "  dense(w_std: 1.3)\n  abs\n  dense\n",
             "  lambda = 1\n  loss = squared\n"},
        Case{"krylov_squared", kFntk,
             "  lambda = 0.5\n  solver = krylov\n  tol = 1e-12\n"},
        Case{"krylov_xent_eigreg", kFntk,
             "  lambda = 2\n  loss = cross_entropy\n  eig_reg = 1e-3\n"
             "  solver = krylov\n  tol = 1e-12\n"},
        Case{"krylov_stiff", kFntk,
             "  lambda = 50\n  solver = krylov\n  tol = 1e-12\n"},
        Case{"erf",
             "  dense(w_std: 1.2, b_std: 0.3)\n  erf(a: 0.7, b: 1.3, c: 0.2)\n"
             "  dense(w_std: 1.1, b_std: 0.1)\n",
             "  lambda = 1000 normalized\n  loss = squared\n"},
        Case{"gelu",
             "  dense(w_std: 1.4, b_std: 0.1)\n  gelu\n"
             "  dense(w_std: 1.2, b_std: 0.2)\n  gelu\n  dense\n",
             "  lambda = 1000 normalized\n  loss = squared\n"},
        Case{"sin",
             "  dense(w_std: 1.1, b_std: 0.2)\n  sin(a: 0.8, b: 1.5, c: 0.3)\n"
             "  dense(w_std: 1.3, b_std: 0.1)\n",
             "  lambda = 1000 normalized\n  loss = cross_entropy\n"},
        // A repeated body is a loop in the per-pair program; its backward
        // re-reads each iteration's state from a tape.
        Case{"repeat",
             "  repeat(3) {\n    dense(w_std: 1.2, b_std: 0.3)\n    relu\n"
             "  }\n  dense(w_std: 1.2, b_std: 0.3)\n",
             "  lambda = 0.5\n  loss = squared\n"},
        Case{"deep_heterogeneous", kDeep.c_str(),
             "  lambda = 1\n  loss = squared\n"},
        Case{"repeat_nested_krylov",
             "  dense(w_std: 1.1, b_std: 0.2)\n  repeat(2) {\n"
             "    erf(a: 0.7, b: 1.3, c: 0.2)\n    repeat(2) {\n"
             "      dense(w_std: 1.2, b_std: 0.3)\n    }\n  }\n  dense\n",
             "  lambda = 2\n  solver = krylov\n  tol = 1e-12\n"}),
    [](const auto &info) { return std::string(info.param.name); });

/// A discriminator on images: the real and generated rows are H × W × C
/// images, and the per-pair program runs on maps over positions.
struct ImageCase {
  const char *name;
  const char *layers;
  const char *objective;
  int64_t h, w, c;
};

class ImageFiniteDifferences : public ::testing::TestWithParam<ImageCase> {};

// As above, through the map kernels: windows, their transposes, the mean of
// flatten, and the backward's row accumulation of dL/dS.
TEST_P(ImageFiniteDifferences, GradientMatchesCentralDifferences) {
  const ImageCase &c = GetParam();
  int64_t dim = c.h * c.w * c.c;
  auto session = compile(specText(c.layers, c.objective), EntryKind::Step,
                         {kReal, kFake, dim, {c.h, c.w, c.c}});
  ASSERT_TRUE(session);
  std::vector<double> x = randomMatrix(kReal, 5, dim),
                      z = randomMatrix(kFake, 6, dim);
  ASSERT_TRUE(session->setReal(x.data(), x.size()).ok());
  expectCentralDifferences(*session, z, c.name);
}

const char *kConv =
    "  conv(kernel: [3, 3], stride: [2, 2], padding: same, w_std: 1.3, "
    "b_std: 0.2)\n  relu\n"
    "  conv(kernel: [2, 2], w_std: 1.2, b_std: 0.1)\n  relu\n"
    "  flatten\n  dense(w_std: 1.1, b_std: 0.1)\n";

INSTANTIATE_TEST_SUITE_P(
    Convolutions, ImageFiniteDifferences,
    ::testing::Values(
        ImageCase{"same_stride2", kConv, "  lambda = 2\n", 6, 6, 2},
        ImageCase{"circular_gelu_xent",
                  "  conv(kernel: [3, 3], padding: circular, w_std: 1.4, "
                  "b_std: 0.1)\n  gelu\n  flatten\n  dense(w_std: 1.2)\n",
                  "  lambda = 2\n  loss = cross_entropy\n", 5, 5, 1},
        ImageCase{"valid_dense_erf",
                  "  conv(kernel: [2, 2], w_std: 1.2, b_std: 0.3)\n"
                  "  dense(w_std: 1.1, b_std: 0.2)\n"
                  "  erf(a: 0.7, b: 1.3, c: 0.2)\n  flatten\n  dense\n",
                  "  lambda = 3\n", 5, 4, 3},
        ImageCase{"avg_pool",
                  "  avg_pool(window: [2, 2], padding: same)\n"
                  "  conv(kernel: [3, 3], padding: same, w_std: 1.4, "
                  "b_std: 0.1)\n  relu\n  flatten\n  dense(w_std: 1.1)\n",
                  "  lambda = 2\n", 5, 6, 2},
        ImageCase{"krylov", kConv,
                  "  lambda = 2\n  solver = krylov\n  tol = 1e-12\n", 6, 6,
                  2}),
    [](const auto &info) { return std::string(info.param.name); });

/// exp(A) y by scaling and squaring of a Taylor series: independent of the
/// eigendecomposition the compiled step uses.
std::vector<double> denseExpAction(std::vector<double> a, int64_t n,
                                   const std::vector<double> &y) {
  double norm = 0;
  for (int64_t i = 0; i < n; ++i) {
    double row = 0;
    for (int64_t j = 0; j < n; ++j)
      row += std::abs(a[i * n + j]);
    norm = std::max(norm, row);
  }
  int squarings = std::max(0, int(std::ceil(std::log2(norm))) + 1);
  for (double &v : a)
    v /= std::ldexp(1.0, squarings);
  auto matmul = [n](const std::vector<double> &p, const std::vector<double> &q) {
    std::vector<double> r(n * n, 0);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t k = 0; k < n; ++k)
        for (int64_t j = 0; j < n; ++j)
          r[i * n + j] += p[i * n + k] * q[k * n + j];
    return r;
  };
  std::vector<double> e(n * n, 0), term(n * n, 0);
  for (int64_t i = 0; i < n; ++i)
    e[i * n + i] = term[i * n + i] = 1;
  for (int k = 1; k < 30; ++k) {
    term = matmul(term, a);
    for (double &v : term)
      v /= k;
    for (int64_t i = 0; i < n * n; ++i)
      e[i] += term[i];
  }
  for (int s = 0; s < squarings; ++s)
    e = matmul(e, e);
  std::vector<double> out(n, 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      out[i] += e[i * n + j] * y[j];
  return out;
}

// The compiled loss ½‖(1 − y) + exp(−λK) y‖² equals the dense reference on
// the compiled kernel, for β = λ·λmax(K) from about 1 to 1e3.
TEST(ExpAction, LossMatchesDenseReference) {
  std::vector<double> x = randomMatrix(kReal, 3), z = randomMatrix(kFake, 4);
  int64_t n = kReal + kFake;
  auto kernel = compile(specText(kFntk, "  lambda = 1\n"), EntryKind::Kernel,
                        {n, 0, kDim});
  ASSERT_TRUE(kernel);
  std::vector<double> s = x;
  s.insert(s.end(), z.begin(), z.end());
  ASSERT_TRUE(kernel->setReal(s.data(), s.size()).ok());
  ASSERT_TRUE(kernel->step().ok());
  std::vector<double> k = kernel->readView(*kernel->root().ntk());
  double trace = 0;
  for (int64_t i = 0; i < n; ++i)
    trace += k[i * n + i];

  for (double lambda : {0.05, 1.0, 20.0}) {
    std::ostringstream objective;
    objective << "  lambda = " << lambda << "\n  loss = squared\n";
    auto step = compile(specText(kFntk, objective.str()), EntryKind::Step,
                        {kReal, kFake, kDim});
    ASSERT_TRUE(step);
    ASSERT_TRUE(step->setReal(x.data(), x.size()).ok());
    double loss = lossAt(*step, z);

    std::vector<double> minusLambdaK = k, y(n, 0);
    for (double &v : minusLambdaK)
      v *= -lambda;
    for (int64_t i = 0; i < kReal; ++i)
      y[i] = 1;
    std::vector<double> u = denseExpAction(minusLambdaK, n, y);
    double expected = 0;
    for (int64_t i = 0; i < n; ++i)
      expected += 0.5 * std::pow(1 - y[i] + u[i], 2);
    EXPECT_NEAR(loss, expected, 1e-10 * std::abs(expected))
        << "lambda " << lambda << ", lambda * tr K " << lambda * trace;
  }
}

//===----------------------------------------------------------------------===//
// GA-NTKg: dL/dθ through the generator, and its forward against the host's
//===----------------------------------------------------------------------===//

struct GeneratorCase {
  const char *name;
  const char *generator; // the block's body
  const char *objective;
};

class GeneratorFiniteDifferences
    : public ::testing::TestWithParam<GeneratorCase> {};

// Central differences of the compiled loss over every coordinate of θ, in
// float64 (h = 1e-5), relative to dL/dθ's largest entry; and Z, which the
// compiled step writes, against the runtime's own float64 forward.
TEST_P(GeneratorFiniteDifferences, ThetaGradientMatchesCentralDifferences) {
  const GeneratorCase &c = GetParam();
  std::string text =
      "data {\n  real = gaussian_grid(size: 2, spacing: 1, std: 0.1)\n"
      "  n = 5\n  m = 4\n}\ngenerator(latent: 3) {\n" +
      std::string(c.generator) +
      "}\ndiscriminator {\n  dense(w_std: 1.5, b_std: 0.1)\n  erf\n"
      "  dense(w_std: 1.5, b_std: 0.1)\n}\nobjective {\n" +
      c.objective + "}\ntrain {\n  precision = f64\n}\n";
  auto session = compile(text, EntryKind::Step, {kReal, kFake, kDim});
  ASSERT_TRUE(session);
  const schema::Generator *gen = session->root().generator();
  ASSERT_TRUE(gen);
  Result<GeneratorShape> shape = generatorShape(session->root());
  ASSERT_TRUE(shape.ok()) << shape.message();
  std::vector<double> x = randomMatrix(kReal, 1);
  std::vector<double> e = latentRows(7, 1, kFake, shape->latent());
  std::vector<double> theta = initialParams(*shape, 11);
  for (size_t i = 0; i < theta.size(); ++i) // biases away from zero too
    theta[i] += 0.05 * std::sin(double(i));
  ASSERT_EQ(int64_t(theta.size()), shape->paramCount());
  ASSERT_TRUE(session->setReal(x.data(), x.size()).ok());
  ASSERT_TRUE(session->writeView(*gen->latent(), e.data(), e.size()).ok());
  auto lossAtTheta = [&](const std::vector<double> &t) {
    EXPECT_TRUE(session->writeView(*gen->params(), t.data(), t.size()).ok());
    EXPECT_TRUE(session->step().ok());
    return session->loss();
  };
  lossAtTheta(theta);
  std::vector<double> grad = session->grad();

  std::vector<double> z = session->readView(*session->root().fake());
  std::vector<double> host = generate(*shape, theta, e, kFake);
  ASSERT_EQ(z.size(), host.size());
  for (size_t i = 0; i < z.size(); ++i)
    EXPECT_NEAR(z[i], host[i], 1e-14) << c.name << " Z[" << i << "]";

  expectCentralDifferences(lossAtTheta, theta, grad, c.name);
}

INSTANTIATE_TEST_SUITE_P(
    Generators, GeneratorFiniteDifferences,
    ::testing::Values(
        GeneratorCase{"relu_tanh_sigmoid",
                      "  dense(6)\n  relu\n  dense(5)\n  tanh\n  dense(3)\n"
                      "  sigmoid\n",
                      "  lambda = 1\n"},
        GeneratorCase{"identity_output_cross_entropy",
                      "  dense(4)\n  tanh\n  dense(3)\n",
                      "  lambda = 2\n  loss = cross_entropy\n"},
        GeneratorCase{"krylov", "  dense(5)\n  sigmoid\n  dense(3)\n",
                      "  lambda = 1\n  solver = krylov\n  tol = 1e-12\n"}),
    [](const ::testing::TestParamInfo<GeneratorCase> &info) {
      return std::string(info.param.name);
    });

} // namespace
