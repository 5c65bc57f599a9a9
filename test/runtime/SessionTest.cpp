//===- SessionTest.cpp - Executing commands -------------------------------===//
//
// Gemm, syevd and kernel dispatch checked against closed forms and naive
// loops, in both precisions, and the C API over the same artifacts.
//
//===----------------------------------------------------------------------===//

#include "TestArtifact.h"

#include "gantk/runtime/Session.h"
#include "gantk/runtime/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <thread>
#include <unistd.h>

using namespace gantk;
using gantk::test::TestArtifact;
using ::testing::HasSubstr;

namespace {

std::unique_ptr<Session> makeSession(const TestArtifact &t, int threads = 2) {
  Result<Artifact> a = t.load();
  EXPECT_TRUE(a.ok()) << a.message();
  if (!a.ok())
    return nullptr;
  SessionOptions options;
  options.threads = threads;
  Result<std::unique_ptr<Session>> s = Session::create(a.take(), options);
  EXPECT_TRUE(s.ok()) << s.message();
  return s.ok() ? s.take() : nullptr;
}

/// Row-major C = alpha op(A) op(B) + beta C, the plain triple loop.
std::vector<double> naiveGemm(bool ta, bool tb, int m, int n, int k,
                              double alpha, const std::vector<double> &a,
                              int lda, const std::vector<double> &b, int ldb,
                              double beta, std::vector<double> c, int ldc) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double sum = 0;
      for (int p = 0; p < k; ++p)
        sum += (ta ? a[p * lda + i] : a[i * lda + p]) *
               (tb ? b[j * ldb + p] : b[p * ldb + j]);
      c[i * ldc + j] = alpha * sum + beta * c[i * ldc + j];
    }
  return c;
}

class GemmTest : public ::testing::TestWithParam<
                     std::tuple<schema::Precision, bool, bool>> {};

TEST_P(GemmTest, MatchesNaiveLoop) {
  auto [precision, ta, tb] = GetParam();
  const int m = 3, n = 4, k = 5;
  // Padded leading dimensions exercise the ld arguments.
  int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 1;
  int aRows = ta ? k : m, bRows = tb ? n : k;
  TestArtifact t;
  t.precision = precision;
  t.real = {0, 1};
  t.fake = {64, 1};
  t.loss = {128, 1};
  t.grad = {192, 1};
  schema::View a(256, uint64_t(aRows * lda)), b(1024, uint64_t(bRows * ldb)),
      c(2048, uint64_t(m * ldc));
  test::GemmDesc g;
  g.transA = ta;
  g.transB = tb;
  g.m = m;
  g.n = n;
  g.k = k;
  g.alpha = 0.5;
  g.beta = -2.0;
  g.a = a;
  g.b = b;
  g.c = c;
  g.lda = lda;
  g.ldb = ldb;
  g.ldc = ldc;
  t.gemms.push_back(g);
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);

  std::vector<double> av(a.elements()), bv(b.elements()), cv(c.elements());
  for (size_t i = 0; i < av.size(); ++i)
    av[i] = double(int(i * 7 % 11) - 5) / 4;
  for (size_t i = 0; i < bv.size(); ++i)
    bv[i] = double(int(i * 5 % 13) - 6) / 8;
  for (size_t i = 0; i < cv.size(); ++i)
    cv[i] = double(i % 3);
  ASSERT_TRUE(s->writeView(a, av.data(), av.size()).ok());
  ASSERT_TRUE(s->writeView(b, bv.data(), bv.size()).ok());
  ASSERT_TRUE(s->writeView(c, cv.data(), cv.size()).ok());
  ASSERT_TRUE(s->step().ok());
  std::vector<double> expected =
      naiveGemm(ta, tb, m, n, k, 0.5, av, lda, bv, ldb, -2.0, cv, ldc);
  std::vector<double> got = s->readView(c);
  // Inputs are exact binary fractions: float32 sums of 5 products are exact.
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      EXPECT_DOUBLE_EQ(got[i * ldc + j], expected[i * ldc + j])
          << "C[" << i << "][" << j << "]";
  // Padding columns are untouched.
  for (int i = 0; i < m; ++i)
    EXPECT_EQ(got[i * ldc + n], cv[i * ldc + n]);
}

/// a_symmetric_from = o: A's last m columns are a symmetric block of which
/// only the upper triangle is read (the lower one holds NaN here), so C is
/// the naive product with the block mirrored. Large enough (m·m·n ≥ 2²¹)
/// that ?symm is split over the session's two threads by rows, with
/// o = 40 (?gemm over the first columns, then ?symm) and o = 0 (?symm
/// alone, with C's beta).
class SymmetricBlockGemmTest
    : public ::testing::TestWithParam<std::tuple<schema::Precision, int>> {};

TEST_P(SymmetricBlockGemmTest, ReadsTheBlocksUpperTriangle) {
  auto [precision, o] = GetParam();
  const int m = 128, n = 160, k = o + m;
  int lda = k + 1, ldb = n + 2, ldc = n + 1;
  test::Layout layout;
  layout.elementBytes = precision == schema::Precision::F32 ? 4 : 8;
  test::GemmDesc g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.alpha = 0.5;
  g.beta = -2.0;
  g.a = layout.add(uint64_t(m * lda));
  g.b = layout.add(uint64_t(k * ldb));
  g.c = layout.add(uint64_t(m * ldc));
  g.lda = lda;
  g.ldb = ldb;
  g.ldc = ldc;
  g.aSymmetricFrom = o;
  TestArtifact t;
  t.precision = precision;
  t.gemms.push_back(g);
  t.arenaBytes = layout.bytes;
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);

  // Multiples of 1/8 and 1/4 in [-1, 1]: every sum below is exact in f32.
  test::SymmetricBlockA a =
      test::symmetricBlockA(m, lda, o, [](int64_t r, int64_t c) {
        return double((r * 31 + c * 7) % 17 - 8) / 8;
      });
  std::vector<double> bv(g.b.elements()), cv(g.c.elements());
  for (size_t i = 0; i < bv.size(); ++i)
    bv[i] = double(int(i * 5 % 9) - 4) / 4;
  for (size_t i = 0; i < cv.size(); ++i)
    cv[i] = double(i % 3);
  ASSERT_TRUE(s->writeView(g.a, a.stored.data(), a.stored.size()).ok());
  ASSERT_TRUE(s->writeView(g.b, bv.data(), bv.size()).ok());
  ASSERT_TRUE(s->writeView(g.c, cv.data(), cv.size()).ok());
  ASSERT_TRUE(s->step().ok());
  std::vector<double> expected = naiveGemm(false, false, m, n, k, 0.5, a.full,
                                           lda, bv, ldb, -2.0, cv, ldc);
  std::vector<double> got = s->readView(g.c);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      ASSERT_EQ(got[size_t(i * ldc + j)], expected[size_t(i * ldc + j)])
          << "C[" << i << "][" << j << "]";
}

INSTANTIATE_TEST_SUITE_P(
    PrecisionsAndOffsets, SymmetricBlockGemmTest,
    ::testing::Combine(::testing::Values(schema::Precision::F64,
                                         schema::Precision::F32),
                       ::testing::Values(40, 0)));

/// dL/dK = A Bᵀ from a Krylov command's factors, once with live_k_from
/// (the first `dimension` columns only) and once with all `rank`: the same
/// matrix, and the Krylov space is small enough that columns were skipped.
/// K = I + 2 u uᵀ + 3 w wᵀ has three eigenvalues, so the block [y, g] spans
/// at most 6 dimensions of the 16.
TEST(Gemm, LiveColumnsOfKrylovFactors) {
  for (schema::Precision precision :
       {schema::Precision::F64, schema::Precision::F32}) {
    const int64_t n = 16, rank = n, maxBlocks = 8;
    test::Layout layout;
    layout.elementBytes = precision == schema::Precision::F32 ? 4 : 8;
    test::KrylovDesc k;
    k.mode = schema::KrylovMode::Gradient;
    k.n = n;
    k.columns = 1;
    k.lambda = 0.5;
    k.tol = 1e-12;
    k.maxBlocks = maxBlocks;
    k.rank = rank;
    k.kernel = layout.add(n * n);
    k.rhs = layout.add(n);
    k.cotangent = layout.add(n);
    k.basis = layout.add(n * 2 * (maxBlocks + 1));
    k.block = layout.add(n * 2);
    k.out = layout.add(n);
    k.factorA = layout.add(n * rank);
    k.factorB = layout.add(n * rank);
    k.stats = layout.add(2);
    test::GemmDesc live;
    live.transB = true;
    live.m = live.n = n;
    live.k = rank;
    live.a = k.factorA;
    live.b = k.factorB;
    live.c = layout.add(n * n);
    live.lda = live.ldb = rank;
    live.ldc = n;
    live.liveKFrom = 0;
    test::GemmDesc all = live;
    all.c = layout.add(n * n);
    all.liveKFrom = -1;

    TestArtifact t;
    t.precision = precision;
    t.krylovs.push_back(k);
    t.gemms = {live, all};
    t.order = {{schema::Command::Krylov, 0},
               {schema::Command::Gemm, 0},
               {schema::Command::Gemm, 1}};
    t.arenaBytes = layout.bytes;
    std::unique_ptr<Session> s = makeSession(t);
    ASSERT_TRUE(s);
    std::vector<double> kv(size_t(n * n)), y(static_cast<size_t>(n)),
        g(static_cast<size_t>(n));
    double norm = std::sqrt(double(n));
    for (int64_t i = 0; i < n; ++i) {
      double ui = 1 / norm, wi = (i % 2 ? 1 : -1) / norm; // u ⊥ w
      for (int64_t j = 0; j < n; ++j) {
        double uj = 1 / norm, wj = (j % 2 ? 1 : -1) / norm;
        kv[size_t(i * n + j)] = (i == j) + 2 * ui * uj + 3 * wi * wj;
      }
      y[size_t(i)] = std::sin(double(i + 1));
      g[size_t(i)] = std::cos(double(3 * i));
    }
    ASSERT_TRUE(s->writeView(*k.kernel, kv.data(), kv.size()).ok());
    ASSERT_TRUE(s->writeView(k.rhs, y.data(), y.size()).ok());
    ASSERT_TRUE(s->writeView(k.cotangent, g.data(), g.size()).ok());
    Status st = s->step();
    ASSERT_TRUE(st.ok()) << st.message();
    std::vector<double> stats = s->readView(k.stats);
    EXPECT_GE(stats[0], 2);
    EXPECT_LE(stats[0], 6) << "the Krylov space of [y, g] under 3 eigenvalues";
    std::vector<double> a = s->readView(live.c), b = s->readView(all.c);
    double largest = 0, diff = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      largest = std::max(largest, std::abs(b[i]));
      diff = std::max(diff, std::abs(a[i] - b[i]));
    }
    EXPECT_GT(largest, 0);
    EXPECT_LE(diff,
              (precision == schema::Precision::F32 ? 1e-6 : 1e-14) * largest);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllTransposes, GemmTest,
    ::testing::Combine(::testing::Values(schema::Precision::F32,
                                         schema::Precision::F64),
                       ::testing::Bool(), ::testing::Bool()));

/// The Gram-shaped products a step makes, each against the naive loop:
/// S Sᵀ (whole: ?syrk and a mirror), S[r0:N] Sᵀ (a step's generated rows
/// against all points: ?gemm for the first r0 columns, ?syrk for the
/// symmetric m × m block) and S[0:m] Sᵀ (no shortcut applies). With
/// c_upper_only the first two leave the block's lower triangle as it was.
class GramProductTest : public ::testing::TestWithParam<schema::Precision> {
protected:
  /// For each (r0, m): C = 0.25 S[r0:r0+m] Sᵀ, S of `rows` rows and k
  /// columns (rows k + 1 apart), C's rows `rows` + 1 apart (the padding
  /// must stay 3).
  void check(int rows, int k, const std::vector<std::pair<int, int>> &shapes,
             bool upperOnly = false) {
    const int ld = k + 1;
    size_t es = GetParam() == schema::Precision::F64 ? 8 : 4;
    TestArtifact t;
    t.precision = GetParam();
    schema::View s(256, uint64_t(rows * ld));
    uint64_t next = s.offset() + s.elements() * es;
    std::vector<schema::View> cs;
    for (auto [r0, m] : shapes) {
      next = (next + 255) / 256 * 256;
      cs.emplace_back(next, uint64_t(m * (rows + 1)));
      next += cs.back().elements() * es;
      test::GemmDesc g;
      g.transA = false;
      g.transB = true;
      g.m = m;
      g.n = rows;
      g.k = k;
      g.alpha = 0.25;
      g.beta = 0;
      g.a = schema::View(s.offset() + uint64_t(r0 * ld) * es, uint64_t(m * ld));
      g.b = s;
      g.c = cs.back();
      g.lda = g.ldb = ld;
      g.ldc = rows + 1;
      g.cUpperOnly = upperOnly;
      t.gemms.push_back(g);
    }
    t.arenaBytes = next;
    std::unique_ptr<Session> session = makeSession(t);
    ASSERT_TRUE(session);
    std::vector<double> sv(s.elements());
    for (size_t i = 0; i < sv.size(); ++i)
      sv[i] = double(int(i * 7 % 11) - 5) / 4;
    ASSERT_TRUE(session->writeView(s, sv.data(), sv.size()).ok());
    for (const schema::View &c : cs) {
      std::vector<double> cv(c.elements(), 3.0);
      ASSERT_TRUE(session->writeView(c, cv.data(), cv.size()).ok());
    }
    ASSERT_TRUE(session->step().ok());
    for (size_t q = 0; q < shapes.size(); ++q) {
      auto [r0, m] = shapes[q];
      std::vector<double> a(sv.begin() + r0 * ld, sv.end());
      std::vector<double> expected =
          naiveGemm(false, true, m, rows, k, 0.25, a, ld, sv, ld, 0,
                    std::vector<double>(cs[q].elements(), 3.0), rows + 1);
      std::vector<double> got = session->readView(cs[q]);
      for (int i = 0; i < m; ++i) {
        for (int j = 0; j < rows; ++j)
          // C's last m columns are the symmetric block A Aᵀ (A the last
          // rows of S); with c_upper_only its lower triangle is unwritten.
          if (upperOnly && j >= rows - m && j < rows - m + i)
            EXPECT_EQ(got[i * (rows + 1) + j], 3.0)
                << "rows from " << r0 << ": C[" << i << "][" << j
                << "] below the block's diagonal";
          else
            EXPECT_DOUBLE_EQ(got[i * (rows + 1) + j],
                             expected[i * (rows + 1) + j])
                << "rows from " << r0 << ": C[" << i << "][" << j << "]";
        EXPECT_EQ(got[i * (rows + 1) + rows], 3.0) << "padding of row " << i;
      }
    }
  }
};

TEST_P(GramProductTest, MatchesNaiveLoop) {
  // Row offsets of A inside S: 0 (A = S), 3 (the last 4 rows), 0 with 4
  // rows (the first ones).
  check(7, 5, {{0, 7}, {3, 4}, {0, 4}});
}

/// The mirror of the symmetric block in 64 × 64 tiles, over more than one
/// tile: 150 rows (A = S: one whole tile below the diagonal, partial tiles
/// after it) and the last 140 of them (the m × m block one row offset from
/// the tiles' grid of C).
TEST_P(GramProductTest, MirrorsWholeTilesAndEdges) {
  check(150, 3, {{0, 150}, {10, 140}});
}

/// With c_upper_only, S Sᵀ and S[10:150] Sᵀ by ?syrk without the mirror.
TEST_P(GramProductTest, LeavesTheLowerTriangleWithUpperOnly) {
  check(150, 3, {{0, 150}, {10, 140}}, /*upperOnly=*/true);
}

INSTANTIATE_TEST_SUITE_P(BothPrecisions, GramProductTest,
                         ::testing::Values(schema::Precision::F32,
                                           schema::Precision::F64));

/// One syevd of order n at fixed offsets.
TestArtifact syevdArtifact(schema::Precision precision, int64_t n) {
  TestArtifact t;
  t.precision = precision;
  int64_t lwork = syevdMinWork(n), liwork = syevdMinIWork(n);
  size_t es = precision == schema::Precision::F64 ? 8 : 4;
  uint64_t aOff = 256, wOff = aOff + 64 * 64, workOff = wOff + 64 * 64;
  uint64_t iworkOff = workOff + uint64_t(lwork) * es;
  iworkOff = (iworkOff + 63) / 64 * 64;
  t.arenaBytes = iworkOff + uint64_t(liwork) * 4;
  t.syevds.push_back({n,
                      {aOff, uint64_t(n * n)},
                      {wOff, uint64_t(n)},
                      {workOff, uint64_t(lwork)},
                      {iworkOff, uint64_t(liwork)},
                      lwork,
                      liwork});
  return t;
}

class SyevdTest : public ::testing::TestWithParam<schema::Precision> {
protected:
  double tol() const {
    return GetParam() == schema::Precision::F64 ? 1e-12 : 1e-5;
  }
};

TEST_P(SyevdTest, TwoByTwoClosedForm) {
  // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors
  // (1, -1)/sqrt2 and (1, 1)/sqrt2.
  TestArtifact t = syevdArtifact(GetParam(), 2);
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  const schema::Syevd &e = *s->root().commands()->Get(0)->command_as_Syevd();
  std::vector<double> a = {2, 1, 1, 2};
  ASSERT_TRUE(s->writeView(*e.a(), a.data(), a.size()).ok());
  ASSERT_TRUE(s->step().ok());
  std::vector<double> w = s->readView(*e.w());
  EXPECT_NEAR(w[0], 1.0, tol());
  EXPECT_NEAR(w[1], 3.0, tol());
  // Column-major eigenvectors: the row-major view's row i is vector i.
  std::vector<double> q = s->readView(*e.a());
  double r = 1 / std::sqrt(2.0);
  EXPECT_NEAR(std::fabs(q[0]), r, tol());
  EXPECT_NEAR(q[0] + q[1], 0.0, tol()); // (1, -1) direction
  EXPECT_NEAR(std::fabs(q[2]), r, tol());
  EXPECT_NEAR(q[2] - q[3], 0.0, tol()); // (1, 1) direction
}

TEST_P(SyevdTest, RotatedDiagonal) {
  // A = R diag(5, 1, 2) R^T with R a rotation by 0.3 about the third axis:
  // eigenvalues 1, 2, 5 and eigenvectors the matching columns of R.
  TestArtifact t = syevdArtifact(GetParam(), 3);
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  double c = std::cos(0.3), sn = std::sin(0.3);
  double rot[3][3] = {{c, -sn, 0}, {sn, c, 0}, {0, 0, 1}};
  double d[3] = {5, 1, 2};
  std::vector<double> a(9, 0.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int p = 0; p < 3; ++p)
        a[i * 3 + j] += rot[i][p] * d[p] * rot[j][p];
  const schema::Syevd &e = *s->root().commands()->Get(0)->command_as_Syevd();
  ASSERT_TRUE(s->writeView(*e.a(), a.data(), a.size()).ok());
  ASSERT_TRUE(s->step().ok());
  std::vector<double> w = s->readView(*e.w());
  EXPECT_NEAR(w[0], 1.0, tol() * 5);
  EXPECT_NEAR(w[1], 2.0, tol() * 5);
  EXPECT_NEAR(w[2], 5.0, tol() * 5);
  std::vector<double> q = s->readView(*e.a());
  int column[3] = {1, 2, 0}; // eigenvalue order 1, 2, 5
  for (int i = 0; i < 3; ++i) {
    double dot = 0;
    for (int j = 0; j < 3; ++j)
      dot += q[i * 3 + j] * rot[j][column[i]];
    EXPECT_NEAR(std::fabs(dot), 1.0, tol() * 5) << "eigenvector " << i;
  }
}

TEST_P(SyevdTest, ReportsNonConvergence) {
  TestArtifact t = syevdArtifact(GetParam(), 2);
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  const schema::Syevd &e = *s->root().commands()->Get(0)->command_as_Syevd();
  std::vector<double> a = {NAN, 1, 1, 2};
  ASSERT_TRUE(s->writeView(*e.a(), a.data(), a.size()).ok());
  Status st = s->step();
  // LAPACK either fails to converge or propagates the NaN; it must not crash.
  if (!st.ok()) {
    EXPECT_THAT(st.message(), HasSubstr("command 0 (eigh): ?syevd failed"));
  }
}

INSTANTIATE_TEST_SUITE_P(BothPrecisions, SyevdTest,
                         ::testing::Values(schema::Precision::F32,
                                           schema::Precision::F64));

TEST(Dispatch, ParallelKernelCoversRangeOnce) {
  TestArtifact t;
  const int64_t range = 1000;
  t.arenaBytes = 256 + range * 4;
  t.kernels = {{"gantk_test_cover", true}};
  t.code = test::testKernelBlob();
  t.dispatches.push_back({0, {256}, range});
  t.dispatches.push_back({0, {256}, range});
  std::unique_ptr<Session> s = makeSession(t, 4);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->threads(), 4);
  ASSERT_TRUE(s->step().ok());
  const int32_t *counts = reinterpret_cast<int32_t *>(s->arena() + 256);
  for (int64_t i = 0; i < range; ++i)
    ASSERT_EQ(counts[i], 2) << "element " << i;
}

TEST(Dispatch, OnceCommandsRunAtTheFirstStepAfterX) {
  // Two counting dispatches, the first marked `once` (it depends on X
  // only): it runs at the first step, is skipped while X stays, and runs
  // again at the first step after X is written again.
  TestArtifact t;
  const int64_t range = 8;
  t.arenaBytes = 512 + range * 8;
  t.kernels = {{"gantk_test_cover", true}};
  t.code = test::testKernelBlob();
  t.dispatches.push_back({0, {256}, range, /*once=*/true});
  t.dispatches.push_back({0, {512}, range});
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  const int32_t *once = reinterpret_cast<int32_t *>(s->arena() + 256);
  const int32_t *every = reinterpret_cast<int32_t *>(s->arena() + 512);
  for (int step = 0; step < 3; ++step)
    ASSERT_TRUE(s->step().ok());
  EXPECT_EQ(once[0], 1);
  EXPECT_EQ(every[0], 3);
  double x = 0.5;
  ASSERT_TRUE(s->setReal(&x, 1).ok());
  ASSERT_TRUE(s->step().ok());
  ASSERT_TRUE(s->step().ok());
  EXPECT_EQ(once[range - 1], 2);
  EXPECT_EQ(every[range - 1], 5);
}

TEST(Dispatch, SerialKernelComputesAxpy) {
  TestArtifact t;
  t.kernels = {{"gantk_test_axpy", false}};
  t.code = test::testKernelBlob();
  t.dispatches.push_back({0, {256, 512}, 3});
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  std::vector<double> x = {1, 2, 3}, y = {10, 20, 30};
  ASSERT_TRUE(s->writeView(schema::View(256, 3), x.data(), 3).ok());
  ASSERT_TRUE(s->writeView(schema::View(512, 3), y.data(), 3).ok());
  ASSERT_TRUE(s->step().ok());
  EXPECT_EQ(s->readView(schema::View(512, 3)),
            (std::vector<double>{12, 24, 36}));
}

TEST(Dispatch, TwoSessionsLoadTheirOwnCode) {
  // Each session dlopens its own anonymous file; a second session created
  // after the first is gone must not reuse a stale handle.
  TestArtifact t;
  t.kernels = {{"gantk_test_axpy", false}};
  t.code = test::testKernelBlob();
  t.dispatches.push_back({0, {256, 512}, 1});
  for (int round = 0; round < 2; ++round) {
    std::unique_ptr<Session> s = makeSession(t);
    ASSERT_TRUE(s);
    double x = 1, y = round;
    ASSERT_TRUE(s->writeView(schema::View(256, 1), &x, 1).ok());
    ASSERT_TRUE(s->writeView(schema::View(512, 1), &y, 1).ok());
    ASSERT_TRUE(s->step().ok());
    EXPECT_EQ(s->readView(schema::View(512, 1))[0], 2.0 + round);
  }
}

TEST(Dispatch, MissingSymbolIsReported) {
  TestArtifact t;
  t.kernels = {{"no_such_kernel", false}};
  t.code = test::testKernelBlob();
  Result<Artifact> a = t.load();
  ASSERT_TRUE(a.ok()) << a.message();
  Result<std::unique_ptr<Session>> s = Session::create(a.take());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "test: kernel 'no_such_kernel' is not exported by the code object");
}

TEST(Dispatch, GarbageCodeObjectIsReported) {
  TestArtifact t;
  t.kernels = {{"gantk_test_axpy", false}};
  t.code = {1, 2, 3, 4, 5, 6, 7, 8};
  Result<Artifact> a = t.load();
  ASSERT_TRUE(a.ok()) << a.message();
  Result<std::unique_ptr<Session>> s = Session::create(a.take());
  ASSERT_FALSE(s.ok());
  // Refused by the ELF check, before the system loader sees it.
  EXPECT_EQ(s.message(),
            "test: invalid CPU code object: shorter than an ELF header");
}

TEST(Session, PrecisionConversionOfFixedViews) {
  TestArtifact t;
  t.precision = schema::Precision::F32;
  t.dim = 2;
  t.real = {0, 2};
  t.fake = {64, 2};
  t.grad = {192, 2};
  std::unique_ptr<Session> s = makeSession(t);
  ASSERT_TRUE(s);
  std::vector<double> z = {0.1, -3.5};
  ASSERT_TRUE(s->setFake(z.data(), 2).ok());
  const float *raw = reinterpret_cast<const float *>(s->arena() + 64);
  EXPECT_EQ(raw[0], 0.1f);
  EXPECT_EQ(raw[1], -3.5f);
  Status wrong = s->setFake(z.data(), 1);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.message(), "expected 2 values, got 1");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(s->arena()) % 64, 0u);
}

TEST(ThreadPool, CoversEveryRangeExactlyOnce) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    for (int64_t range : {0, 1, 2, 7, 64, 1001}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(range));
      for (int rep = 0; rep < 3; ++rep)
        pool.parallelFor(range, [&](int64_t b, int64_t e) {
          ASSERT_LE(0, b);
          ASSERT_LT(b, e);
          ASSERT_LE(e, range);
          for (int64_t i = b; i < e; ++i)
            hits[size_t(i)]++;
        });
      for (int64_t i = 0; i < range; ++i)
        ASSERT_EQ(hits[size_t(i)].load(), 3)
            << "threads " << threads << " range " << range << " i " << i;
    }
  }
}

// Workers spin for spinWindow after a dispatch, then sleep; the caller
// spins, then sleeps, while a worker finishes the last chunk. Both paths,
// with a slow chunk that outlasts the caller's spin and gaps shorter and
// longer than the workers' spin.
TEST(ThreadPool, DispatchesWhileSpinningAndAfterSleeping) {
  using std::chrono::microseconds;
  ThreadPool pool(3);
  const int64_t range = 12;
  for (microseconds gap : {microseconds(0), ThreadPool::spinWindow / 4,
                           3 * ThreadPool::spinWindow}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(range));
    const int reps = 8;
    for (int rep = 0; rep < reps; ++rep) {
      pool.parallelFor(range, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          if (i == range - 1 && rep % 2 == 0)
            std::this_thread::sleep_for(2 * ThreadPool::spinWindow);
          hits[size_t(i)]++;
        }
      });
      // Every chunk has returned when parallelFor does.
      for (int64_t i = 0; i < range; ++i)
        ASSERT_EQ(hits[size_t(i)].load(), rep + 1)
            << "gap " << gap.count() << " us, dispatch " << rep << ", i " << i;
      std::this_thread::sleep_for(gap);
    }
  }
}

TEST(ThreadPool, DefaultCountReadsEnvironment) {
  setenv("GANTK_NUM_THREADS", "3", 1);
  EXPECT_EQ(defaultThreadCount(), 3);
  setenv("GANTK_NUM_THREADS", "zero", 1);
  EXPECT_GE(defaultThreadCount(), 1);
  unsetenv("GANTK_NUM_THREADS");
}

/// A temporary file removed at scope exit.
struct TempFile {
  std::string path;
  explicit TempFile(const std::vector<uint8_t> &bytes) {
    char name[] = "/tmp/gantk-test-XXXXXX";
    int fd = mkstemp(name);
    path = name;
    EXPECT_EQ(write(fd, bytes.data(), bytes.size()), ssize_t(bytes.size()));
    close(fd);
  }
  ~TempFile() { std::remove(path.c_str()); }
};

TEST(CApi, RunsAStep) {
  // Z -> (L, G) through the pull kernel: L = 1/2 |Z - X|^2, G = Z - X.
  TestArtifact t;
  t.dim = 2;
  t.real = {0, 2};
  t.fake = {64, 2};
  t.loss = {128, 1};
  t.grad = {192, 2};
  t.kernels = {{"gantk_test_pull_f64", false}};
  t.code = test::testKernelBlob();
  t.dispatches.push_back({0, {0, 64, 192, 128}, 2});
  TempFile file(sealArtifact(t.build())); // as gantk compile writes it

  gantk_session_options_t options = {1};
  gantk_session_t *session = nullptr;
  gantk_status_t status =
      gantk_session_create_from_file(file.path.c_str(), &options, &session);
  ASSERT_EQ(status, nullptr) << gantk_status_message(status);
  int64_t nReal, nFake, dim;
  ASSERT_EQ(gantk_session_shape(session, &nReal, &nFake, &dim), nullptr);
  EXPECT_EQ(dim, 2);
  double x[2] = {1, 2}, z[2] = {4, -2}, loss = 0, grad[2];
  ASSERT_EQ(gantk_session_set_real(session, x, 2), nullptr);
  ASSERT_EQ(gantk_session_set_fake(session, z, 2), nullptr);
  ASSERT_EQ(gantk_session_step(session), nullptr);
  ASSERT_EQ(gantk_session_get_loss(session, &loss), nullptr);
  ASSERT_EQ(gantk_session_get_grad(session, grad, 2), nullptr);
  EXPECT_EQ(loss, 0.5 * (9 + 16));
  EXPECT_EQ(grad[0], 3);
  EXPECT_EQ(grad[1], -4);

  status = gantk_session_get_grad(session, grad, 1);
  EXPECT_EQ(gantk_status_code(status), GANTK_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(gantk_status_message(status),
               "expected room for 2 gradient values, got 1");
  gantk_status_free(status);
  gantk_session_destroy(session);
}

TEST(CApi, ReportsLoadErrors) {
  gantk_session_t *session = reinterpret_cast<gantk_session_t *>(1);
  gantk_status_t status = gantk_session_create_from_file(
      "/nonexistent.gantk-bin", nullptr, &session);
  EXPECT_EQ(session, nullptr);
  EXPECT_EQ(gantk_status_code(status), GANTK_STATUS_NOT_FOUND);
  EXPECT_THAT(gantk_status_message(status),
              HasSubstr("/nonexistent.gantk-bin"));
  gantk_status_free(status);

  TempFile garbage(std::vector<uint8_t>(64, 0xab));
  status =
      gantk_session_create_from_file(garbage.path.c_str(), nullptr, &session);
  EXPECT_EQ(gantk_status_code(status), GANTK_STATUS_DATA_LOSS);
  EXPECT_THAT(gantk_status_message(status), HasSubstr("not a gantk artifact"));
  gantk_status_free(status);

  status = gantk_session_step(nullptr);
  EXPECT_STREQ(gantk_status_message(status), "session must not be NULL");
  gantk_status_free(status);
  EXPECT_EQ(gantk_status_code(nullptr), GANTK_STATUS_OK);
  EXPECT_STREQ(gantk_status_message(nullptr), "OK");
}

} // namespace
