//===- AST.h - gantk DSL abstract syntax tree -------------------*- C++ -*-===//
//
// The AST of a .gantk spec. It has no MLIR in it: the front end's MLIRGen
// (frontend/lib/MLIRGen.cpp, library GantkFrontendMLIRGen) is the one bridge
// from this tree to the gantk dialect, and the compiler never sees it.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_FRONTEND_AST_H
#define GANTK_FRONTEND_AST_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gantk::ast {

/// A position in a spec file (1-based line and column).
struct Location {
  std::string file;
  int line = 0;
  int col = 0;
};

/// Where the real data comes from.
struct DataSource {
  enum class Kind { GaussianGrid, GaussianRing, Npy, Idx, Images };
  Kind kind = Kind::GaussianGrid;
  Location loc;
  std::string path;   // npy / idx file, images folder
  int64_t label = -1; // idx: keep one class only (-1: all)
  int64_t size = 5;   // grid: size x size modes; ring: number of modes
  double spacing = 1; // grid spacing; ring radius
  double std = 0.05;  // standard deviation of each mode
};

struct Data {
  Location loc;
  DataSource real;
  int64_t n = 0; // real rows used
  int64_t m = 0; // generated rows (defaults to n)
  enum class Scale { None, Unit } scale = Scale::Unit;
};

/// One layer of the discriminator, or a `repeat(k) { ... }` block of them.
/// The parser's layer table (Parser.cpp) gives each spec layer its gantk
/// dialect op and that op's attributes, so that the bridge to IR builds any
/// layer the same way.
/// A layer argument, and the op attribute it becomes: a number (an f64
/// attribute), a list of integers ([4, 4]: an i64 array) or a keyword
/// (same: the dialect's enum attribute of the argument's name).
struct LayerValue {
  enum class Kind { Number, Integers, Keyword };
  Kind kind = Kind::Number;
  double number = 0;
  std::vector<int64_t> integers;
  std::string keyword;

  static LayerValue ofNumber(double v) {
    LayerValue out;
    out.number = v;
    return out;
  }
  static LayerValue ofIntegers(std::vector<int64_t> v) {
    LayerValue out;
    out.kind = Kind::Integers;
    out.integers = std::move(v);
    return out;
  }
  static LayerValue ofKeyword(std::string v) {
    LayerValue out;
    out.kind = Kind::Keyword;
    out.keyword = std::move(v);
    return out;
  }
};

struct Layer {
  std::string name; // as the spec spells it: "dense", "leaky_relu", "repeat"
  Location loc;
  /// The arguments as given or defaulted, in the table's order (an ignored
  /// argument such as a dense width only when given).
  std::vector<std::pair<std::string, LayerValue>> args;
  /// The dialect op ("gantk.abrelu") and its attributes ({a, b}).
  std::string op;
  std::vector<std::pair<std::string, LayerValue>> attrs;
  /// An affine layer's output is Gaussian; a nonlinearity needs such an
  /// input (NTK_SPEC).
  bool affine = false;
  bool needsGaussianInput = false;
  /// A layer on the input images themselves (avg_pool), not on the kernel
  /// state: it must come first.
  bool onInput = false;
  /// repeat: the body runs `count` times (0 for a plain layer).
  int64_t count = 0;
  std::vector<Layer> body;
};

/// One discriminator: `discriminator { … }`, or one of several named ones
/// (`discriminator NAME(weight: w) { … }`, the multi-resolution objective:
/// the step's loss is Σ weight · loss of each).
struct Discriminator {
  std::string name; // empty for the one unnamed block
  double weight = 1;
  Location loc;
  std::vector<Layer> layers;
};

/// The generator of GA-NTKg (the paper's Eq. 6): the generated rows are
/// Z = G(E; θ) for a fresh latent E ~ N(0, I) of `latent` columns each
/// step, and θ is what the optimiser moves. Each dense layer maps to
/// `width` units and is followed by its activation (none: identity).
struct GeneratorLayer {
  enum class Activation { Identity, Relu, Tanh, Sigmoid };
  int64_t width = 0;
  Activation activation = Activation::Identity;
  Location loc; // the dense layer
};

/// The activation's name in specs, the dialect and the artifact.
inline const char *activationName(GeneratorLayer::Activation a) {
  switch (a) {
  case GeneratorLayer::Activation::Relu:
    return "relu";
  case GeneratorLayer::Activation::Tanh:
    return "tanh";
  case GeneratorLayer::Activation::Sigmoid:
    return "sigmoid";
  case GeneratorLayer::Activation::Identity:
    break;
  }
  return "identity";
}

struct Generator {
  Location loc;
  int64_t latent = 0;
  std::vector<GeneratorLayer> layers; // at least one
};

struct Objective {
  Location loc;
  double lambda = 1.0;
  bool normalized = false; // lambda = t / (N k) as Neural Tangents' predict
  /// `lambda = search(eps: e, start: s)`: the paper's Algorithm 1 picks λ
  /// from the data (doubling from s until the discriminator separates the
  /// real rows from noise within e); the driver resolves it into `lambda`
  /// before the step is built.
  bool lambdaSearch = false;
  double searchEps = 1e-3, searchStart = 1;
  enum class Loss { Squared, CrossEntropy } loss = Loss::Squared;
  double eigReg = 0.0; // K + eigReg * (tr K / N) I, eigenvalues clamped at 0
  /// How exp(−λK) y and its gradient are computed: a dense
  /// eigendecomposition, block Lanczos, or chosen by size (auto).
  enum class Solver { Auto, Dense, Krylov } solver = Solver::Auto;
  double tol = 1e-6;     // Krylov: relative a-posteriori error bound
  int64_t maxIter = 100; // Krylov: at most this many Lanczos blocks
  /// Batch-wise GA-NTK (the paper's Eq. 5): each step takes batch / 2 real
  /// and batch / 2 generated rows (0: every row, every step); with `epoch`
  /// the draws are shuffled passes over the rows.
  int64_t batch = 0;
  bool epoch = false;
  Location batchLoc;
};

struct Optimizer {
  enum class Kind { GD, Adam };
  Kind kind = Kind::GD;
  Location loc;
  double lr = 1.0;
  bool clip = false;
  double clipLo = 0, clipHi = 1;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

struct Train {
  Location loc;
  Optimizer optimizer;
  int64_t steps = 100;
  uint64_t seed = 0;
  enum class Precision { F32, F64 } precision = Precision::F64;
  enum class Init { Uniform, Normal } init = Init::Uniform;
  /// Bytes one step may use (0: no limit); the compiler picks the fastest
  /// plan that fits or says which budget would work.
  double memoryBudget = 0;
};

struct Output {
  Location loc;
  std::string dir = "out";
  enum class Plot { None, Scatter, Grid } plot = Plot::None;
  int64_t every = 10;
  /// Steps between checkpoints (0: none).
  int64_t checkpointEvery = 0;
};

/// A whole spec file.
struct Module {
  std::string file;
  Data data;
  std::vector<Discriminator> discriminators; // at least one
  std::optional<Generator> generator;        // GA-NTKg
  Objective objective;
  Train train;
  Output output;
};

} // namespace gantk::ast

#endif // GANTK_FRONTEND_AST_H
