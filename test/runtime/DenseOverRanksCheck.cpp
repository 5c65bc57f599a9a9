//===- DenseOverRanksCheck.cpp - The dense eigensolver over MPI ranks -----===//
//
// Run under `mpirun -n P` (test/MPI/dense-over-ranks.test): every rank
// builds the same random symmetric positive definite K (fixed seeds), keeps
// its row tiles, and calls eighOverRanks, expActionOverRanks and
// expActionGradRowsOverRanks. Rank by rank the results are compared with a
// one-process reference computed here on the whole K with LAPACKE_dsyevd
// and plain loops:
//   values  the eigenvalues of K + s·tr(K)·I,
//   u       exp(−λ max(K_s, 0)) y,
//   grad    dL/dK = Q M Qᵀ + s·tr(Q M Qᵀ)·I for L = ⟨g, u⟩, all rows and a
//           range of rows redealt in other tiles;
// and, in double, ⟨dL/dK, E⟩ against central differences of L(K ± hE)
// along a random symmetric E, which checks the formula itself. Errors are
// max |x − ref| / max |ref|; values and u must also hold the same bits on
// every rank. Prints one line per case (the largest error over the ranks)
// and "dense-over-ranks-check: ok" or exits 1.
//
//===----------------------------------------------------------------------===//

#include "DenseOverRanks.h"
#include "gantk/runtime/Comm.h"

#include <lapacke.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <random>
#include <string>
#include <vector>

using namespace gantk;

namespace {

using Matrix = std::vector<double>;

struct Case {
  int64_t n, tileRows, cols;
  double lambda, traceShift;
  int64_t r0, outRows, outTileRows; // the redealt range of gradient rows
};

/// The one-process dense plan on the whole K, in double.
struct Reference {
  Matrix values, u, grad;
};

Reference reference(const Matrix &k, const Matrix &y, const Matrix &g,
                    int64_t n, int64_t cols, double lambda, double shift,
                    bool withGradient) {
  Matrix q = k;
  double trace = 0;
  for (int64_t i = 0; i < n; ++i)
    trace += q[i * n + i];
  for (int64_t i = 0; i < n; ++i)
    q[i * n + i] += shift * trace;
  Reference ref;
  ref.values.assign(n, 0);
  if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'L', int(n), q.data(), int(n),
                     ref.values.data()) != 0) {
    std::fprintf(stderr, "LAPACKE_dsyevd failed\n");
    std::exit(2);
  }
  // q's column j is the eigenvector j.
  Matrix a(n * cols, 0), b(n * cols, 0);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t i = 0; i < n; ++i) {
        a[j * cols + c] += q[i * n + j] * g[i * cols + c];
        b[j * cols + c] += q[i * n + j] * y[i * cols + c];
      }
  ref.u.assign(n * cols, 0);
  for (int64_t j = 0; j < n; ++j) {
    double f = std::exp(-lambda * std::max(ref.values[j], 0.0));
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t i = 0; i < n; ++i)
        ref.u[i * cols + c] += q[i * n + j] * f * b[j * cols + c];
  }
  if (!withGradient)
    return ref;
  Matrix m(n * n), qm(n * n, 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double mi = std::max(ref.values[i], 0.0),
             mj = std::max(ref.values[j], 0.0);
      double x = lambda * std::abs(mi - mj);
      double gx = x < 1e-12 ? 1 - 0.5 * x : -std::expm1(-x) / x;
      double sum = 0;
      for (int64_t c = 0; c < cols; ++c)
        sum += a[i * cols + c] * b[j * cols + c] +
               b[i * cols + c] * a[j * cols + c];
      m[i * n + j] =
          -lambda * std::exp(-lambda * std::min(mi, mj)) * gx * 0.5 * sum;
    }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t l = 0; l < n; ++l)
      for (int64_t j = 0; j < n; ++j)
        qm[i * n + j] += q[i * n + l] * m[l * n + j];
  ref.grad.assign(n * n, 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t l = 0; l < n; ++l)
        sum += qm[i * n + l] * q[j * n + l];
      ref.grad[i * n + j] = sum;
    }
  double gradTrace = 0;
  for (int64_t i = 0; i < n; ++i)
    gradTrace += ref.grad[i * n + i];
  for (int64_t i = 0; i < n; ++i)
    ref.grad[i * n + i] += shift * gradTrace;
  return ref;
}

double loss(const Matrix &k, const Matrix &y, const Matrix &g, int64_t n,
            int64_t cols, double lambda, double shift) {
  Reference ref = reference(k, y, g, n, cols, lambda, shift, false);
  double sum = 0;
  for (int64_t i = 0; i < n * cols; ++i)
    sum += g[i] * ref.u[i];
  return sum;
}

/// The global row of local row l (tiles of `tile` rows, tile t to rank
/// t mod ranks).
int64_t globalRow(int64_t l, int64_t tile, int rank, int ranks) {
  return (l / tile * ranks + rank) * tile + l % tile;
}

template <typename T> struct Kind;
template <> struct Kind<double> {
  static constexpr const char *name = "f64";
  // values, u, gradient rows against the reference; ⟨grad, E⟩ against
  // central differences.
  static constexpr double tol[4] = {1e-12, 1e-12, 1e-10, 1e-7};
};
template <> struct Kind<float> {
  static constexpr const char *name = "f32";
  static constexpr double tol[4] = {1e-5, 1e-5, 1e-5, 0};
};

/// The largest of every rank's x, on every rank.
double maxOverRanks(Communicator &comm, double x) {
  std::vector<uint8_t> all;
  if (!comm.gather(&x, sizeof x, &all).ok())
    std::exit(2);
  if (comm.root())
    for (size_t at = 0; at + sizeof x <= all.size(); at += sizeof x) {
      double other;
      std::memcpy(&other, all.data() + at, sizeof x);
      x = std::max(x, other);
    }
  if (!comm.broadcast(&x, sizeof x).ok())
    std::exit(2);
  return x;
}

/// Whether rank 0's data[0:count] has the bits of every rank's.
template <typename T>
bool sameOnEveryRank(Communicator &comm, const T *data, int64_t count) {
  std::vector<T> root(data, data + count);
  if (!comm.broadcast(root.data(), count * int64_t(sizeof(T))).ok())
    std::exit(2);
  double differs =
      std::memcmp(root.data(), data, size_t(count) * sizeof(T)) != 0;
  return maxOverRanks(comm, differs) == 0;
}

template <typename T> bool runCase(Communicator &comm, const Case &c) {
  int rank = comm.rank(), ranks = comm.size();
  int64_t n = c.n, cols = c.cols;
  std::mt19937_64 rng(1234 + uint64_t(n) * 7 + uint64_t(cols));
  std::normal_distribution<double> normal;
  // K = B Bᵀ / n + 0.05 I, rounded to T: the reference factors the same K.
  Matrix b(n * n), k(n * n, 0), y(n * cols), g(n * cols), e(n * n);
  for (double &x : b)
    x = normal(rng);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      double sum = 0;
      for (int64_t l = 0; l < n; ++l)
        sum += b[i * n + l] * b[j * n + l];
      sum = double(T(sum / double(n) + (i == j ? 0.05 : 0)));
      k[i * n + j] = k[j * n + i] = sum;
    }
  for (double &x : y)
    x = double(T(normal(rng)));
  for (double &x : g)
    x = double(T(normal(rng)));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j <= i; ++j)
      e[i * n + j] = e[j * n + i] = normal(rng);

  RankRows layout{n, c.tileRows, rank, ranks};
  int64_t slots = layout.maxOwnedTiles() * c.tileRows;
  int64_t local = std::min(slots, [&] {
    int64_t rows = 0;
    for (int64_t l = 0; l < slots; ++l)
      rows += globalRow(l, c.tileRows, rank, ranks) < n;
    return rows;
  }());
  std::vector<T> kLocal(slots * n, T(0)), vectors(slots * n, T(0)), values(n),
      yT(y.begin(), y.end()), gT(g.begin(), g.end()), u(n * cols);
  for (int64_t l = 0; l < local; ++l)
    for (int64_t j = 0; j < n; ++j)
      kLocal[l * n + j] = T(k[globalRow(l, c.tileRows, rank, ranks) * n + j]);
  DenseOverRanksWork size = denseOverRanksWork(n, c.tileRows, ranks);
  std::vector<T> work(size.work);
  std::vector<int> iwork(size.iwork);

  // Too little work is an error on every rank, not a crash.
  std::vector<T> scratch = kLocal;
  Status small = eighOverRanks<T>(comm, layout, c.traceShift, scratch.data(),
                                  vectors.data(), values.data(), work.data(),
                                  10, iwork.data(), size.iwork);
  if (small.ok()) {
    std::fprintf(stderr, "eighOverRanks accepted too little work\n");
    return false;
  }

  auto fail = [&](const Status &s) {
    std::fprintf(stderr, "%s%s\n", comm.who().c_str(), s.message().c_str());
    return false;
  };
  if (Status s = eighOverRanks<T>(comm, layout, c.traceShift, kLocal.data(),
                                  vectors.data(), values.data(), work.data(),
                                  size.work, iwork.data(), size.iwork);
      !s.ok())
    return fail(s);
  if (Status s =
          expActionOverRanks<T>(comm, layout, vectors.data(), values.data(),
                                c.lambda, yT.data(), cols, u.data());
      !s.ok())
    return fail(s);
  // All rows of the gradient in K's own tiles, then a range in others.
  std::vector<T> grad(slots * n, T(0));
  if (Status s = expActionGradRowsOverRanks<T>(
          comm, layout, vectors.data(), values.data(), c.lambda, yT.data(),
          gT.data(), cols, c.traceShift, 0, n, c.tileRows, grad.data(),
          work.data(), size.work);
      !s.ok())
    return fail(s);
  RankRows outLayout{c.outRows, c.outTileRows, rank, ranks};
  int64_t outSlots = outLayout.maxOwnedTiles() * c.outTileRows;
  std::vector<T> rows(outSlots * n, T(0));
  if (Status s = expActionGradRowsOverRanks<T>(
          comm, layout, vectors.data(), values.data(), c.lambda, yT.data(),
          gT.data(), cols, c.traceShift, c.r0, c.outRows, c.outTileRows,
          rows.data(), work.data(), size.work);
      !s.ok())
    return fail(s);

  Reference ref = reference(k, y, g, n, cols, c.lambda, c.traceShift, true);
  auto maxAbs = [](const Matrix &x) {
    double m = 0;
    for (double v : x)
      m = std::max(m, std::abs(v));
    return m;
  };
  double err[4] = {0, 0, 0, 0};
  for (int64_t i = 0; i < n; ++i)
    err[0] = std::max(err[0], std::abs(values[i] - ref.values[i]));
  err[0] /= maxAbs(ref.values);
  for (int64_t i = 0; i < n * cols; ++i)
    err[1] = std::max(err[1], std::abs(u[i] - ref.u[i]));
  err[1] /= maxAbs(ref.u);
  double gradScale = maxAbs(ref.grad);
  for (int64_t l = 0; l < local; ++l) {
    int64_t i = globalRow(l, c.tileRows, rank, ranks);
    for (int64_t j = 0; j < n; ++j)
      err[2] =
          std::max(err[2], std::abs(grad[l * n + j] - ref.grad[i * n + j]));
  }
  for (int64_t l = 0; l < outSlots; ++l) {
    int64_t i = globalRow(l, c.outTileRows, rank, ranks);
    if (i >= c.outRows)
      continue;
    for (int64_t j = 0; j < n; ++j)
      err[2] = std::max(
          err[2], std::abs(rows[l * n + j] - ref.grad[(c.r0 + i) * n + j]));
  }
  err[2] /= gradScale;

  // ⟨dL/dK, E⟩ from the ranks' rows against (L(K + hE) − L(K − hE)) / 2h.
  if (Kind<T>::tol[3] > 0) {
    double inner = 0;
    for (int64_t l = 0; l < local; ++l) {
      int64_t i = globalRow(l, c.tileRows, rank, ranks);
      for (int64_t j = 0; j < n; ++j)
        inner += double(grad[l * n + j]) * e[i * n + j];
    }
    if (!comm.sum(&inner, 1).ok())
      std::exit(2);
    double h = 1e-5;
    Matrix plus = k, minus = k;
    for (int64_t i = 0; i < n * n; ++i) {
      plus[i] += h * e[i];
      minus[i] -= h * e[i];
    }
    double fd = (loss(plus, y, g, n, cols, c.lambda, c.traceShift) -
                 loss(minus, y, g, n, cols, c.lambda, c.traceShift)) /
                (2 * h);
    err[3] = std::abs(inner - fd) / std::abs(fd);
  }

  bool same = sameOnEveryRank(comm, values.data(), n) &&
              sameOnEveryRank(comm, u.data(), n * cols);
  bool ok = same;
  for (int i = 0; i < 4; ++i) {
    err[i] = maxOverRanks(comm, err[i]);
    ok = ok && err[i] <= Kind<T>::tol[i];
  }
  if (comm.root())
    std::printf("%s n=%lld tile=%lld cols=%lld P=%d: values %.2e u %.2e "
                "grad %.2e fd %.2e same-bits %s%s\n",
                Kind<T>::name, (long long)n, (long long)c.tileRows,
                (long long)cols, ranks, err[0], err[1], err[2], err[3],
                same ? "yes" : "no", ok ? "" : "  FAILED");
  return ok;
}

} // namespace

int main(int argc, char **argv) {
  Result<Communicator *> world = Communicator::world();
  if (!world.ok()) {
    std::fprintf(stderr, "%s\n", world.message().c_str());
    return 2;
  }
  Communicator &comm = **world;
  const Case cases[] = {
      // n, tileRows, cols, λ, traceShift, r0, outRows, outTileRows
      {89, 8, 1, 0.7, 1e-3, 13, 40, 3},
      {50, 5, 2, 1.3, 1e-3, 0, 50, 7},
      {50, 5, 1, 0.4, 0, 49, 1, 4},
      // Fewer tiles than ranks, and K in one tile.
      {10, 8, 2, 0.9, 1e-3, 2, 7, 2},
      {7, 8, 1, 0.9, 1e-3, 0, 7, 8},
  };
  // `dense-over-ranks-check N TILEROWS COLS`: that case alone.
  std::vector<Case> run(std::begin(cases), std::end(cases));
  if (argc == 4) {
    int64_t n = std::atoll(argv[1]), tileRows = std::atoll(argv[2]);
    run = {{n, tileRows, std::atoll(argv[3]), 0.8, 1e-3, n / 3, n / 2, 3}};
  }
  bool ok = true;
  for (const Case &c : run) {
    ok = runCase<double>(comm, c) && ok;
    ok = runCase<float>(comm, c) && ok;
  }
  if (comm.root())
    std::printf("dense-over-ranks-check: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
