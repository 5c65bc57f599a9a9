//===- Generator.cpp - GA-NTKg's generator on the host --------------------===//

#include "gantk/runtime/Generator.h"
#include "gantk/runtime/Random.h"

#include <algorithm>
#include <cmath>
#include <random>

using namespace gantk;

namespace {
constexpr int64_t kMaxWidth = 1 << 16;

double activate(const std::string &act, double x) {
  if (act == "relu")
    return x > 0 ? x : 0;
  if (act == "tanh")
    return std::tanh(x);
  if (act == "sigmoid")
    return 1 / (1 + std::exp(-x));
  return x;
}
} // namespace

int64_t GeneratorShape::paramCount() const {
  int64_t total = 0;
  for (size_t k = 0; k + 1 < widths.size(); ++k)
    total += (widths[k] + 1) * widths[k + 1];
  return total;
}

Result<GeneratorShape> GeneratorShape::make(std::vector<int64_t> widths,
                                            std::vector<std::string> acts) {
  if (widths.size() < 2 || acts.size() + 1 != widths.size())
    return makeError(ErrorCode::InvalidArgument,
                     "a generator needs at least one layer and one activation "
                     "per layer (got " +
                         std::to_string(widths.size()) + " widths and " +
                         std::to_string(acts.size()) + " activations)");
  for (int64_t w : widths)
    if (w < 1 || w > kMaxWidth)
      return makeError(ErrorCode::InvalidArgument,
                       "a generator width is " + std::to_string(w) +
                           ", outside [1, " + std::to_string(kMaxWidth) + "]");
  for (const std::string &a : acts)
    if (a != "identity" && a != "relu" && a != "tanh" && a != "sigmoid")
      return makeError(ErrorCode::InvalidArgument,
                       "unknown generator activation '" + a + "'");
  return GeneratorShape{std::move(widths), std::move(acts)};
}

std::vector<double> gantk::initialParams(const GeneratorShape &shape,
                                         uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> theta;
  theta.reserve(size_t(shape.paramCount()));
  for (size_t k = 0; k + 1 < shape.widths.size(); ++k) {
    int64_t in = shape.widths[k], out = shape.widths[k + 1];
    double gain = shape.activations[k] == "relu" ? 2 : 1;
    std::normal_distribution<double> w(0.0, std::sqrt(gain / double(in)));
    for (int64_t i = 0; i < in * out; ++i)
      theta.push_back(w(rng));
    theta.insert(theta.end(), size_t(out), 0.0);
  }
  return theta;
}

std::vector<double> gantk::latentRows(uint64_t seed, int64_t step, int64_t rows,
                                      int64_t latent) {
  // Independent streams per step.
  std::mt19937_64 rng(mixBits(seed + 0x9e3779b97f4a7c15ull * uint64_t(step)));
  std::normal_distribution<double> dist(0.0, 1.0);
  std::vector<double> e(size_t(rows * latent));
  for (double &v : e)
    v = dist(rng);
  return e;
}

std::vector<double> gantk::generate(const GeneratorShape &shape,
                                    const std::vector<double> &params,
                                    const std::vector<double> &latent,
                                    int64_t rows) {
  std::vector<double> a = latent, next;
  size_t offset = 0;
  for (size_t k = 0; k + 1 < shape.widths.size(); ++k) {
    int64_t in = shape.widths[k], out = shape.widths[k + 1];
    const double *w = params.data() + offset, *b = w + in * out;
    offset += size_t((in + 1) * out);
    next.assign(size_t(rows * out), 0.0);
    for (int64_t r = 0; r < rows; ++r) {
      double *h = &next[size_t(r * out)];
      std::copy(b, b + out, h);
      for (int64_t i = 0; i < in; ++i) {
        double x = a[size_t(r * in + i)];
        for (int64_t j = 0; j < out; ++j)
          h[j] += x * w[i * out + j];
      }
      for (int64_t j = 0; j < out; ++j)
        h[j] = activate(shape.activations[k], h[j]);
    }
    a.swap(next);
  }
  return a;
}
