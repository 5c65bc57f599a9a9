//===- MatrixFreeTest.cpp - Krylov without a stored K, and row tiles ------===//
//
// The matrix-free plan run by a Session on artifacts built here:
//   * Krylov with a KernelOperator (K remade tile by tile by a GEMM and the
//     recursion kernel of TestKernels.c for every product) against
//     runKrylov on K stored densely, built in the test from the same points
//     with the same function, and against the closed form exp(−λK) Y by
//     LAPACKE_dsyev;
//   * RowTiles (Gemm, row kernel, Gemm per tile) against naive loops and
//     the same commands run untiled.
//
//===----------------------------------------------------------------------===//

#include "TestArtifact.h"
#include "TestNumerics.h"

#include "gantk/runtime/Krylov.h"
#include "gantk/runtime/Session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lapacke.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace gantk;
using gantk::test::TestArtifact;

namespace {
using test::Layout;
using test::relativeError;

std::unique_ptr<Session> makeSession(const TestArtifact &t) {
  Result<Artifact> a = t.load();
  EXPECT_TRUE(a.ok()) << a.message();
  if (!a.ok())
    return nullptr;
  SessionOptions options;
  options.threads = 2;
  Result<std::unique_ptr<Session>> s = Session::create(a.take(), options);
  EXPECT_TRUE(s.ok()) << s.message();
  return s.ok() ? s.take() : nullptr;
}

//===----------------------------------------------------------------------===//
// Krylov with a KernelOperator
//===----------------------------------------------------------------------===//

constexpr int64_t kN = 37, kDim = 8;
constexpr double kAlpha = 0.5, kLambda = 0.02;

/// Points, the recursion's diagonal vector and the start blocks.
struct OperatorData {
  std::vector<double> s, v, rhs, cotangent;
};

OperatorData makeData(int64_t columns) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  OperatorData d;
  d.s.resize(size_t(kN * kDim));
  for (double &x : d.s)
    x = normal(rng);
  // The recursion's diagonal is the Gram diagonal α‖S_i‖², as the compiler
  // passes it (gram_diag): the runtime writes it into the tile's G_ii.
  for (int64_t i = 0; i < kN; ++i) {
    double norm = 0;
    for (int64_t j = 0; j < kDim; ++j)
      norm += d.s[size_t(i * kDim + j)] * d.s[size_t(i * kDim + j)];
    d.v.push_back(kAlpha * norm);
  }
  d.rhs.resize(size_t(kN * columns));
  d.cotangent.resize(size_t(kN * columns));
  for (double &x : d.rhs)
    x = normal(rng);
  for (double &x : d.cotangent)
    x = normal(rng);
  return d;
}

/// K + c·tr(K)·I, whole and symmetric, by the recursion's formula on the
/// Gram matrix α S Sᵀ (plain loops).
std::vector<double> denseOperator(const OperatorData &d, double traceScale) {
  std::vector<double> k(size_t(kN * kN));
  double trace = 0;
  for (int64_t i = 0; i < kN; ++i)
    for (int64_t j = 0; j < kN; ++j) {
      double g = 0;
      for (int64_t l = 0; l < kDim; ++l)
        g += d.s[size_t(i * kDim + l)] * d.s[size_t(j * kDim + l)];
      g *= kAlpha;
      k[size_t(i * kN + j)] =
          g + 0.5 * std::sqrt(d.v[size_t(i)] * d.v[size_t(j)]) + g * g;
      if (i == j)
        trace += k[size_t(i * kN + j)];
    }
  for (int64_t i = 0; i < kN; ++i)
    k[size_t(i * kN + i)] += traceScale * trace;
  return k;
}

/// exp(−λK) Y by a full eigendecomposition (Y n × columns).
std::vector<double> closedFormAction(std::vector<double> k,
                                     const std::vector<double> &y,
                                     int64_t columns) {
  std::vector<double> mu(static_cast<size_t>(kN));
  EXPECT_EQ(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', lapack_int(kN),
                          k.data(), lapack_int(kN), mu.data()),
            0);
  std::vector<double> out(size_t(kN * columns), 0);
  for (int64_t c = 0; c < columns; ++c)
    for (int64_t q = 0; q < kN; ++q) {
      double b = 0; // (Qᵀ y)_q
      for (int64_t i = 0; i < kN; ++i)
        b += k[size_t(i * kN + q)] * y[size_t(i * columns + c)];
      b *= std::exp(-kLambda * mu[size_t(q)]);
      for (int64_t i = 0; i < kN; ++i)
        out[size_t(i * columns + c)] += k[size_t(i * kN + q)] * b;
    }
  return out;
}

/// A Bᵀ of two n × rank factors.
std::vector<double> outerProduct(const std::vector<double> &a,
                                 const std::vector<double> &b, int64_t rank) {
  std::vector<double> out(size_t(kN * kN), 0);
  for (int64_t i = 0; i < kN; ++i)
    for (int64_t j = 0; j < kN; ++j)
      for (int64_t r = 0; r < rank; ++r)
        out[size_t(i * kN + j)] +=
            a[size_t(i * rank + r)] * b[size_t(j * rank + r)];
  return out;
}

struct OperatorCase {
  bool gradient;
  int64_t tileRows;
  double traceScale;
  bool parallel; ///< the recursion kernel's flag
  schema::Precision precision = schema::Precision::F64;
};

std::ostream &operator<<(std::ostream &os, const OperatorCase &c) {
  return os << (c.gradient ? "gradient" : "action") << " tile_rows "
            << c.tileRows << " trace_scale " << c.traceScale
            << (c.parallel ? "" : " serial")
            << (c.precision == schema::Precision::F32 ? " f32" : " f64");
}

/// What a matrix-free Krylov command wrote.
struct OperatorRun {
  std::vector<double> out, factorA, factorB, stats;
};

OperatorRun runMatrixFree(const OperatorCase &c, const OperatorData &d,
                          int64_t columns, int64_t rank) {
  bool f32 = c.precision == schema::Precision::F32;
  int64_t width = c.gradient ? 2 * columns : columns, maxBlocks = kN;
  Layout layout;
  layout.elementBytes = f32 ? 4 : 8;
  test::KrylovDesc k;
  k.mode = c.gradient ? schema::KrylovMode::Gradient
                      : schema::KrylovMode::Action;
  k.n = kN;
  k.columns = columns;
  k.lambda = kLambda;
  k.tol = 1e-14;
  k.maxBlocks = maxBlocks;
  k.rank = rank;
  k.rhs = layout.add(uint64_t(kN * columns));
  k.cotangent = layout.add(uint64_t(kN * columns));
  k.basis = layout.add(uint64_t(kN * width * (maxBlocks + 1)));
  k.block = layout.add(uint64_t(kN * width));
  k.out = layout.add(uint64_t(kN * columns));
  k.factorA = layout.add(uint64_t(kN * rank));
  k.factorB = layout.add(uint64_t(kN * rank));
  k.stats = layout.add(2);
  test::KernelOperatorDesc op;
  op.points = layout.add(uint64_t(kN * kDim));
  op.dim = kDim;
  op.gramAlpha = kAlpha;
  op.recursion = 0;
  op.tileRows = c.tileRows;
  // Rows before a tile, where the rebased tile address points: the
  // recursion of rows [r0, r1) must leave them alone.
  schema::View guard = layout.add(uint64_t(kN * kN));
  op.tile = layout.add(uint64_t(c.tileRows * kN));
  op.traceScale = c.traceScale;
  schema::View v = layout.add(kN), n = layout.add(1);
  op.args = {op.tile.offset(), v.offset(), n.offset()};
  k.op = op;

  TestArtifact t;
  t.precision = c.precision;
  t.krylovs.push_back(k);
  t.kernels = {{f32 ? "gantk_test_recursion_f32" : "gantk_test_recursion_f64",
                c.parallel}};
  t.code = test::testKernelBlob();
  t.arenaBytes = layout.bytes;
  OperatorRun run;
  std::unique_ptr<Session> s = makeSession(t);
  if (!s)
    return run;
  double nValue = double(kN);
  EXPECT_TRUE(s->writeView(op.points, d.s.data(), d.s.size()).ok());
  EXPECT_TRUE(s->writeView(v, d.v.data(), d.v.size()).ok());
  EXPECT_TRUE(s->writeView(n, &nValue, 1).ok());
  EXPECT_TRUE(s->writeView(k.rhs, d.rhs.data(), d.rhs.size()).ok());
  EXPECT_TRUE(
      s->writeView(k.cotangent, d.cotangent.data(), d.cotangent.size()).ok());
  std::vector<double> sentinel(guard.elements(), 7.0);
  EXPECT_TRUE(s->writeView(guard, sentinel.data(), sentinel.size()).ok());
  Status st = s->step();
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(s->readView(guard), sentinel) << "a write before the tile";
  run.out = s->readView(k.out);
  run.factorA = s->readView(k.factorA);
  run.factorB = s->readView(k.factorB);
  run.stats = s->readView(k.stats);
  return run;
}

class MatrixFreeKrylov : public ::testing::TestWithParam<OperatorCase> {};

// Action (two columns) and gradient (one column, rank n so nothing is
// truncated) with tol at the rounding floor, so that both runs are exact to
// rounding whatever the order of their K·V sums (K has full rank at dim 8;
// both stop at dimension 26 in f64). Measured relative errors in f64:
// action 1.2e-15 to 2.0e-15 against runKrylov on the stored K and 1.7e-15
// to 1.9e-15 against the closed form; gradient (A Bᵀ) 2.4e-15 to 3.4e-15.
// f32 (tolerance floor 3.8e-6, dimension 16): 1.3e-7 (action) and 1.5e-7
// (gradient) against the f64 results on the stored K.
TEST_P(MatrixFreeKrylov, MatchesStoredKernel) {
  const OperatorCase c = GetParam();
  bool f32 = c.precision == schema::Precision::F32;
  const int64_t columns = c.gradient ? 1 : 2, rank = kN;
  OperatorData d = makeData(columns);
  OperatorRun run = runMatrixFree(c, d, columns, rank);
  ASSERT_EQ(run.stats.size(), 2u);
  EXPECT_GT(run.stats[0], 0);

  // The reference: the same iteration on K stored whole.
  std::vector<double> k = denseOperator(d, c.traceScale);
  int64_t width = c.gradient ? 2 * columns : columns;
  KrylovProblem problem;
  problem.gradient = c.gradient;
  problem.n = kN;
  problem.columns = columns;
  problem.maxBlocks = kN;
  problem.rank = rank;
  problem.lambda = kLambda;
  problem.tol = 1e-14;
  std::vector<double> basis(size_t(kN * width * (kN + 1))),
      block(size_t(kN * width)), out(size_t(kN * columns)),
      fa(size_t(kN * rank)), fb(size_t(kN * rank));
  KrylovBuffers<double> buffers;
  buffers.kernel = k.data();
  buffers.rhs = d.rhs.data();
  buffers.cotangent = d.cotangent.data();
  buffers.basis = basis.data();
  buffers.block = block.data();
  buffers.out = out.data();
  buffers.factorA = fa.data();
  buffers.factorB = fb.data();
  Result<KrylovStats> stats = runKrylov(problem, buffers);
  ASSERT_TRUE(stats.ok()) << stats.message();

  double bound = f32 ? 1e-5 : 1e-12;
  if (!c.gradient) {
    EXPECT_LE(relativeError(run.out, out), bound);
    EXPECT_LE(relativeError(run.out, closedFormAction(k, d.rhs, columns)),
              bound);
  } else {
    EXPECT_LE(relativeError(outerProduct(run.factorA, run.factorB, rank),
                            outerProduct(fa, fb, rank)),
              bound);
  }
}

INSTANTIATE_TEST_SUITE_P(
    TilesAndShifts, MatrixFreeKrylov,
    ::testing::Values(
        // 37 rows: tiles of 8 leave a last tile of 5.
        OperatorCase{false, 8, 0, true}, OperatorCase{false, 8, 0.01, true},
        OperatorCase{false, 1, 0.01, false}, // one row per tile, serial
        OperatorCase{false, 37, 0.01, true}, // one tile, exactly n
        OperatorCase{false, 50, 0, true},    // tile_rows > n
        OperatorCase{true, 8, 0, true}, OperatorCase{true, 8, 0.01, true},
        OperatorCase{true, 5, 0.01, false}, OperatorCase{true, 50, 0.01, true},
        OperatorCase{false, 8, 0.01, true, schema::Precision::F32},
        OperatorCase{true, 8, 0.01, true, schema::Precision::F32}));

//===----------------------------------------------------------------------===//
// RowTiles
//===----------------------------------------------------------------------===//

constexpr int64_t kRows = 37, kIn = 3, kHidden = 5, kOut = 4;
/// Padded leading dimensions: a whole value is entered at row t with them.
constexpr int64_t kLdX = kIn + 1, kLdY = kOut + 2;
constexpr double kAlpha2 = 0.5;

/// Y = α₂ f(X W₁) W₂ with f the row kernel gantk_test_rows, as plain loops.
std::vector<double> naiveRows(const std::vector<double> &x,
                              const std::vector<double> &w1,
                              const std::vector<double> &w2) {
  std::vector<double> y(size_t(kRows * kLdY), 0);
  for (int64_t i = 0; i < kRows; ++i) {
    double h[kHidden];
    for (int64_t j = 0; j < kHidden; ++j) {
      double sum = 0;
      for (int64_t l = 0; l < kIn; ++l)
        sum += x[size_t(i * kLdX + l)] * w1[size_t(l * kHidden + j)];
      h[j] = 0.5 * sum * sum + double(i) + 0.25 * double(j);
    }
    for (int64_t j = 0; j < kOut; ++j) {
      double sum = 0;
      for (int64_t l = 0; l < kHidden; ++l)
        sum += h[l] * w2[size_t(l * kOut + j)];
      y[size_t(i * kLdY + j)] = kAlpha2 * sum;
    }
  }
  return y;
}

/// The inputs and output of a rows test in one arena.
struct RowsLayout {
  schema::View x, w1, w2, y, width, hidden;
};

struct RowsCase {
  int64_t tileRows;
  bool parallel;
};

std::ostream &operator<<(std::ostream &os, const RowsCase &c) {
  return os << "tile_rows " << c.tileRows << (c.parallel ? "" : " serial");
}

/// The three commands of the test; `h` is the tile or the whole hidden
/// value.
std::vector<test::BodyCommand> rowsCommands(const RowsLayout &l,
                                            const schema::View &h) {
  std::vector<test::BodyCommand> body(3);
  test::GemmDesc &g1 = body[0].gemm;
  g1.m = kRows;
  g1.n = kHidden;
  g1.k = kIn;
  g1.a = l.x;
  g1.lda = kLdX;
  g1.b = l.w1;
  g1.ldb = kHidden;
  g1.c = h;
  g1.ldc = kHidden;
  body[1].type = schema::Command::Dispatch;
  body[1].dispatch = {0, {h.offset(), l.width.offset()}, kRows};
  test::GemmDesc &g2 = body[2].gemm;
  g2.m = kRows;
  g2.n = kOut;
  g2.k = kHidden;
  g2.alpha = kAlpha2;
  g2.a = h;
  g2.lda = kHidden;
  g2.b = l.w2;
  g2.ldb = kOut;
  g2.c = l.y;
  g2.ldc = kLdY;
  return body;
}

/// Y of one step of `t` after writing the inputs. When `tiled`, `hidden`,
/// right before the tile in the arena, is unused: a row kernel that ran
/// outside its tile (passed as the tile's address minus t rows) would write
/// there.
std::vector<double> runRows(const TestArtifact &t, const RowsLayout &l,
                            const std::vector<double> &x,
                            const std::vector<double> &w1,
                            const std::vector<double> &w2, bool tiled) {
  std::unique_ptr<Session> s = makeSession(t);
  if (!s)
    return {};
  double width = double(kHidden);
  EXPECT_TRUE(s->writeView(l.x, x.data(), x.size()).ok());
  EXPECT_TRUE(s->writeView(l.w1, w1.data(), w1.size()).ok());
  EXPECT_TRUE(s->writeView(l.w2, w2.data(), w2.size()).ok());
  EXPECT_TRUE(s->writeView(l.width, &width, 1).ok());
  std::vector<double> sentinel(l.hidden.elements(), 7.0);
  EXPECT_TRUE(s->writeView(l.hidden, sentinel.data(), sentinel.size()).ok());
  s->setProfiling(true);
  Status st = s->step();
  EXPECT_TRUE(st.ok()) << st.message();
  if (tiled) {
    EXPECT_EQ(s->readView(l.hidden), sentinel) << "a write before the tile";
    // Profiling times top-level commands: the RowTiles as one.
    EXPECT_EQ(s->commandTimes().size(), 1u);
  }
  return s->readView(l.y);
}

class RowTilesTest : public ::testing::TestWithParam<RowsCase> {};

TEST_P(RowTilesTest, MatchesUntiledCommands) {
  const RowsCase c = GetParam();
  Layout layout;
  RowsLayout l;
  l.x = layout.add(uint64_t(kRows * kLdX));
  l.w1 = layout.add(uint64_t(kIn * kHidden));
  l.w2 = layout.add(uint64_t(kHidden * kOut));
  l.y = layout.add(uint64_t(kRows * kLdY));
  l.width = layout.add(1);
  l.hidden = layout.add(uint64_t(kRows * kHidden)); // untiled only
  schema::View tile = layout.add(uint64_t(c.tileRows * kHidden));

  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> uniform(-1, 1);
  std::vector<double> x(l.x.elements()), w1(l.w1.elements()),
      w2(l.w2.elements());
  for (std::vector<double> *v : {&x, &w1, &w2})
    for (double &e : *v)
      e = uniform(rng);
  std::vector<double> expected = naiveRows(x, w1, w2);
  for (int64_t i = 0; i < kRows; ++i) // X's padding must not be read
    x[size_t(i * kLdX + kIn)] = std::nan("");

  TestArtifact tiled;
  tiled.kernels = {{"gantk_test_rows", c.parallel}};
  tiled.code = test::testKernelBlob();
  tiled.arenaBytes = layout.bytes;
  test::RowTilesDesc r;
  r.rows = kRows;
  r.tileRows = c.tileRows;
  r.tiles = {tile};
  r.body = rowsCommands(l, tile);
  tiled.rowTiles.push_back(r);
  std::vector<double> got = runRows(tiled, l, x, w1, w2, true);

  // The same commands on the whole hidden value, one after another.
  TestArtifact untiled = tiled;
  untiled.rowTiles.clear();
  std::vector<test::BodyCommand> whole = rowsCommands(l, l.hidden);
  untiled.gemms = {whole[0].gemm, whole[2].gemm};
  untiled.dispatches = {whole[1].dispatch};
  untiled.order = {{schema::Command::Gemm, 0},
                   {schema::Command::Dispatch, 0},
                   {schema::Command::Gemm, 1}};
  std::vector<double> reference = runRows(untiled, l, x, w1, w2, false);

  ASSERT_EQ(got.size(), expected.size());
  ASSERT_EQ(reference.size(), expected.size());
  for (int64_t i = 0; i < kRows; ++i)
    for (int64_t j = 0; j < kLdY; ++j) {
      size_t at = size_t(i * kLdY + j);
      double scale = std::max(1.0, std::abs(expected[at]));
      EXPECT_NEAR(got[at], expected[at], 1e-12 * scale)
          << "Y[" << i << "][" << j << "]";
      EXPECT_NEAR(got[at], reference[at], 1e-12 * scale)
          << "Y[" << i << "][" << j << "]";
    }
}

INSTANTIATE_TEST_SUITE_P(Tiles, RowTilesTest,
                         ::testing::Values(RowsCase{8, true},
                                           RowsCase{8, false},
                                           RowsCase{1, true},
                                           RowsCase{37, true},
                                           RowsCase{50, false}));

} // namespace
