//===- DenseOverRanks.cpp - The dense eigensolver over MPI ranks ----------===//
//
// ScaLAPACK (Debian's libscalapack-openmpi) on a 1 × P BLACS grid over
// MPI_COMM_WORLD, created once per process. Every buffer is used in place:
// a rank's tiles of rows, row-major with leading dimension n, are the
// transpose's columns as ScaLAPACK stores them, with square blocks of
// tileRows. The reductions the formulas need (traces, Qᵀy) go through the
// Communicator, so that every rank gets the same bits.
//
//===----------------------------------------------------------------------===//

#include "DenseOverRanks.h"

#include "gantk/runtime/Comm.h"
#include "gantk/runtime/Krylov.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>

#ifdef GANTK_HAVE_SCALAPACK
#include <cblas.h>

#include <cstddef>

// Debian ships no C header for ScaLAPACK or BLACS: the prototypes of the
// entry points used here (`nm -D libscalapack-openmpi.so`). pssyevd_ and
// pdsyevd_ are Fortran, with the hidden lengths of their CHARACTER
// arguments last; PBLAS (p?gemm_) and p?gemr2d_ are C.
extern "C" {
void Cblacs_get(int context, int what, int *value);
void Cblacs_gridinit(int *context, const char *order, int rows, int cols);
void Cblacs_gridinfo(int context, int *rows, int *cols, int *row, int *col);
void descinit_(int *desc, const int *m, const int *n, const int *mb,
               const int *nb, const int *rowSource, const int *colSource,
               const int *context, const int *lld, int *info);
void pssyevd_(const char *jobz, const char *uplo, const int *n, float *a,
              const int *ia, const int *ja, const int *desca, float *w,
              float *z, const int *iz, const int *jz, const int *descz,
              float *work, const int *lwork, int *iwork, const int *liwork,
              int *info, size_t jobzLength, size_t uploLength);
void pdsyevd_(const char *jobz, const char *uplo, const int *n, double *a,
              const int *ia, const int *ja, const int *desca, double *w,
              double *z, const int *iz, const int *jz, const int *descz,
              double *work, const int *lwork, int *iwork, const int *liwork,
              int *info, size_t jobzLength, size_t uploLength);
void psgemm_(const char *transa, const char *transb, const int *m, const int *n,
             const int *k, const float *alpha, const float *a, const int *ia,
             const int *ja, const int *desca, const float *b, const int *ib,
             const int *jb, const int *descb, const float *beta, float *c,
             const int *ic, const int *jc, const int *descc);
void pdgemm_(const char *transa, const char *transb, const int *m, const int *n,
             const int *k, const double *alpha, const double *a, const int *ia,
             const int *ja, const int *desca, const double *b, const int *ib,
             const int *jb, const int *descb, const double *beta, double *c,
             const int *ic, const int *jc, const int *descc);
void psgemr2d_(const int *m, const int *n, const float *a, const int *ia,
               const int *ja, const int *desca, float *b, const int *ib,
               const int *jb, const int *descb, const int *context);
void pdgemr2d_(const int *m, const int *n, const double *a, const int *ia,
               const int *ja, const int *desca, double *b, const int *ib,
               const int *jb, const int *descb, const int *context);
}
#endif

namespace gantk {

int64_t RankRows::ownedTiles() const {
  int64_t t = tiles();
  return t / ranks + (rank < t % ranks ? 1 : 0);
}

int64_t RankRows::maxOwnedTiles() const {
  return (tiles() + ranks - 1) / ranks;
}

int64_t RankRows::ownedRows() const {
  int64_t owned = ownedTiles();
  if (owned == 0)
    return 0;
  int64_t lastTile = (owned - 1) * ranks + rank;
  return (owned - 1) * tileRows +
         std::min(tileRows, rows - lastTile * tileRows);
}

namespace {

/// p?syevd's workspace on rank q of the 1 × P grid: its documented minimum
/// max(1 + 6N + 2·NP·NQ, 3N + max(NB(NP + 1), 3NB)) + 2N, and no less than
/// what its back-transformation p?ormtr asks of the part after the first
/// 2N (max(NB(NB − 1)/2, (NQ + NP)NB) + NB²), which the documented minimum
/// does not cover on a rank with few columns and which p?ormtr would only
/// report to stderr.
int64_t syevdWork(int64_t n, int64_t nb, int q, int ranks) {
  int64_t np = n, nq = RankRows{n, nb, q, ranks}.ownedRows();
  int64_t documented = std::max(1 + 6 * n + 2 * np * nq,
                                3 * n + std::max(nb * (np + 1), 3 * nb)) +
                       2 * n;
  int64_t ormtr = 2 * n + std::max(nb * (nb - 1) / 2, (nq + np) * nb) + nb * nb;
  return std::max(documented, ormtr);
}

int64_t syevdWork(int64_t n, int64_t nb, int ranks) {
  int64_t most = 1;
  for (int q = 0; q < ranks; ++q)
    most = std::max(most, syevdWork(n, nb, q, ranks));
  return most;
}

/// Elements of one matrix in the RankRows layout on every rank.
int64_t slotsElements(const RankRows &layout, int64_t n) {
  return layout.maxOwnedTiles() * layout.tileRows * n;
}

} // namespace

DenseOverRanksWork denseOverRanksWork(int64_t n, int64_t tileRows, int ranks) {
  DenseOverRanksWork work;
  if (n < 1 || tileRows < 1 || ranks < 1)
    return work;
  RankRows layout{n, tileRows, 0, ranks};
  work.work = syevdWork(n, tileRows, ranks) + 2 * slotsElements(layout, n);
  work.iwork = 7 * n + 8 * int64_t(ranks) + 2;
  return work;
}

#ifdef GANTK_HAVE_SCALAPACK

namespace {

/// The global row of this rank's local row l.
int64_t globalRow(const RankRows &layout, int64_t l) {
  return (l / layout.tileRows * layout.ranks + layout.rank) * layout.tileRows +
         l % layout.tileRows;
}

Status checkLayout(Communicator &comm, const RankRows &layout,
                   const char *what) {
  std::string where = std::string(what) + ": ";
  if (layout.ranks != comm.size() || layout.rank != comm.rank())
    return makeError(
        ErrorCode::InvalidArgument,
        where + "the layout is for rank " + std::to_string(layout.rank) +
            " of " + std::to_string(layout.ranks) + ", this is rank " +
            std::to_string(comm.rank()) + " of " + std::to_string(comm.size()));
  if (layout.rows < 1 || layout.tileRows < 1)
    return makeError(ErrorCode::InvalidArgument,
                     where + "a " + std::to_string(layout.rows) +
                         "-row matrix in tiles of " +
                         std::to_string(layout.tileRows) +
                         " rows (both must be at least 1)");
  // ScaLAPACK indexes a rank's buffer with 32-bit ints.
  int64_t local = layout.maxOwnedTiles() * layout.tileRows * layout.rows;
  if (layout.rows > INT_MAX || local > INT_MAX)
    return makeError(ErrorCode::InvalidArgument,
                     where + "a " + std::to_string(layout.rows) +
                         "-row matrix puts " + std::to_string(local) +
                         " elements on one rank: more than ScaLAPACK's "
                         "32-bit indices reach (use more ranks)");
  return {};
}

/// The 1 × P BLACS grid over MPI_COMM_WORLD (rank r is process column r),
/// made the first time and kept: every step factors on it.
Result<int> blacsGrid(Communicator &comm, const char *what) {
  static int context = -1, gridRanks = 0;
  int ranks = comm.size();
  if (context < 0) {
    int system = 0;
    // The default system context: MPI_COMM_WORLD, which Communicator::world
    // has initialised under mpirun.
    Cblacs_get(-1, 0, &system);
    int grid = system;
    Cblacs_gridinit(&grid, "Row", 1, ranks);
    int rows = 0, cols = 0, row = -1, col = -1;
    Cblacs_gridinfo(grid, &rows, &cols, &row, &col);
    if (rows != 1 || cols != ranks || row != 0 || col != comm.rank())
      return makeError(ErrorCode::Internal,
                       std::string(what) + ": the BLACS grid is " +
                           std::to_string(rows) + " × " + std::to_string(cols) +
                           " with this process at (" + std::to_string(row) +
                           ", " + std::to_string(col) + "), expected 1 × " +
                           std::to_string(ranks) + " at (0, " +
                           std::to_string(comm.rank()) + ")");
    context = grid;
    gridRanks = ranks;
  }
  if (gridRanks != ranks)
    return makeError(ErrorCode::Internal,
                     std::string(what) + ": the BLACS grid was made for " +
                         std::to_string(gridRanks) + " ranks, the world has " +
                         std::to_string(ranks));
  return context;
}

struct Descriptor {
  int d[9] = {};
};

/// An m × cols matrix (column-major, ScaLAPACK's view) in blocks of nb
/// columns dealt over the grid's columns, leading dimension m.
Result<Descriptor> describe(int context, int64_t m, int64_t cols, int64_t nb,
                            const char *what) {
  Descriptor desc;
  int rows = int(m), columns = int(cols), block = int(nb), zero = 0,
      lld = std::max(1, rows), info = 0;
  descinit_(desc.d, &rows, &columns, &block, &block, &zero, &zero, &context,
            &lld, &info);
  if (info != 0)
    return makeError(ErrorCode::Internal,
                     std::string(what) + ": ScaLAPACK descinit failed (info " +
                         std::to_string(info) + ") for a " + std::to_string(m) +
                         " × " + std::to_string(cols) +
                         " matrix in blocks of " + std::to_string(nb));
  return desc;
}

// Typed entry points: one name for float and double.
constexpr int kOne = 1;

void syevd(int n, float *a, const int *desc, float *w, float *z, float *work,
           int lwork, int *iwork, int liwork, int *info) {
  pssyevd_("V", "L", &n, a, &kOne, &kOne, desc, w, z, &kOne, &kOne, desc, work,
           &lwork, iwork, &liwork, info, 1, 1);
}
void syevd(int n, double *a, const int *desc, double *w, double *z,
           double *work, int lwork, int *iwork, int liwork, int *info) {
  pdsyevd_("V", "L", &n, a, &kOne, &kOne, desc, w, z, &kOne, &kOne, desc, work,
           &lwork, iwork, &liwork, info, 1, 1);
}

/// C = op(A) op(B) of n × n matrices that share one descriptor.
void gemm(bool tb, int n, const float *a, const float *b, float *c,
          const int *desc) {
  float one = 1, zero = 0;
  psgemm_("N", tb ? "T" : "N", &n, &n, &n, &one, a, &kOne, &kOne, desc, b,
          &kOne, &kOne, desc, &zero, c, &kOne, &kOne, desc);
}
void gemm(bool tb, int n, const double *a, const double *b, double *c,
          const int *desc) {
  double one = 1, zero = 0;
  pdgemm_("N", tb ? "T" : "N", &n, &n, &n, &one, a, &kOne, &kOne, desc, b,
          &kOne, &kOne, desc, &zero, c, &kOne, &kOne, desc);
}

void gemr2d(int m, int n, const float *a, int ja, const int *desca, float *b,
            const int *descb, int context) {
  psgemr2d_(&m, &n, a, &kOne, &ja, desca, b, &kOne, &kOne, descb, &context);
}
void gemr2d(int m, int n, const double *a, int ja, const int *desca, double *b,
            const int *descb, int context) {
  pdgemr2d_(&m, &n, a, &kOne, &ja, desca, b, &kOne, &kOne, descb, &context);
}

float dot(int64_t n, const float *x, const float *y, int64_t incy) {
  return cblas_sdot(int(n), x, 1, y, int(incy));
}
double dot(int64_t n, const double *x, const double *y, int64_t incy) {
  return cblas_ddot(int(n), x, 1, y, int(incy));
}
void axpy(int64_t n, float alpha, const float *x, float *y, int64_t incy) {
  cblas_saxpy(int(n), alpha, x, 1, y, int(incy));
}
void axpy(int64_t n, double alpha, const double *x, double *y, int64_t incy) {
  cblas_daxpy(int(n), alpha, x, 1, y, int(incy));
}

/// tr of an n × n matrix held as `layout`'s rows: this rank's diagonal
/// entries, summed over the ranks.
template <typename T>
Result<T> traceOverRanks(Communicator &comm, const RankRows &layout,
                         const T *matrix) {
  T trace = 0;
  for (int64_t l = 0; l < layout.ownedRows(); ++l)
    trace += matrix[l * layout.rows + globalRow(layout, l)];
  if (Status s = comm.sum(&trace, 1); !s.ok())
    return s.error();
  return trace;
}

template <typename T> const char *syevdName() {
  return sizeof(T) == sizeof(float) ? "pssyevd" : "pdsyevd";
}

} // namespace

template <typename T>
Status eighOverRanks(Communicator &comm, const RankRows &layout,
                     double traceShift, T *k, T *vectors, T *values, T *work,
                     int64_t workElements, int *iwork, int64_t iworkElements) {
  const char *what = "dense eigensolver over ranks";
  if (Status s = checkLayout(comm, layout, what); !s.ok())
    return s;
  Result<int> grid = blacsGrid(comm, what);
  if (!grid.ok())
    return grid.status();
  int64_t n = layout.rows;
  int64_t local = layout.ownedRows();

  Result<Descriptor> desc = describe(*grid, n, n, layout.tileRows, what);
  if (!desc.ok())
    return desc.status();
  int64_t needed = syevdWork(n, layout.tileRows, layout.ranks);
  if (workElements < needed || iworkElements < 7 * n + 8 * layout.ranks + 2)
    return makeError(ErrorCode::InvalidArgument,
                     std::string(what) + ": " + syevdName<T>() + " needs " +
                         std::to_string(needed) + " elements of work and " +
                         std::to_string(7 * n + 8 * layout.ranks + 2) +
                         " of iwork for n = " + std::to_string(n) +
                         " in tiles of " + std::to_string(layout.tileRows) +
                         " over " + std::to_string(layout.ranks) +
                         " ranks, given " + std::to_string(workElements) +
                         " and " + std::to_string(iworkElements));
  // K += traceShift · tr(K) · I.
  if (traceShift != 0) {
    Result<T> trace = traceOverRanks(comm, layout, k);
    if (!trace.ok())
      return trace.status();
    for (int64_t l = 0; l < local; ++l)
      k[l * n + globalRow(layout, l)] += T(traceShift) * *trace;
  }

  int lwork = int(std::min<int64_t>(workElements, INT_MAX));
  int liwork = int(std::min<int64_t>(iworkElements, INT_MAX));

  // What this ScaLAPACK asks for itself; the ranks agree on the verdict so
  // that none is left alone in p?syevd's collectives.
  T queried = 0;
  int queriedInt = 0, info = 0;
  syevd(int(n), k, desc->d, values, vectors, &queried, -1, &queriedInt, liwork,
        &info);
  if (info != 0)
    return makeError(ErrorCode::Internal, std::string(what) + ": ScaLAPACK " +
                                              syevdName<T>() +
                                              " workspace query failed (info " +
                                              std::to_string(info) + ")");
  auto askedWork = int64_t(std::ceil(double(queried)));
  T tooSmall = askedWork > lwork || queriedInt > liwork ? 1 : 0;
  if (Status s = comm.sum(&tooSmall, 1); !s.ok())
    return s;
  if (tooSmall > 0)
    return makeError(ErrorCode::ResourceExhausted,
                     comm.who() + what + ": ScaLAPACK " + syevdName<T>() +
                         " asks for " + std::to_string(askedWork) +
                         " elements of work and " + std::to_string(queriedInt) +
                         " of iwork here, and some rank for more than the " +
                         std::to_string(lwork) + " and " +
                         std::to_string(liwork) + " given");

  syevd(int(n), k, desc->d, values, vectors, work, lwork, iwork, liwork, &info);
  if (info != 0)
    return makeError(ErrorCode::Internal,
                     std::string(what) + ": ScaLAPACK " + syevdName<T>() +
                         " failed (info " + std::to_string(info) +
                         (info > 0 ? ": an eigenvalue did not converge)"
                                   : ": an invalid argument)"));
  // Every rank holds the eigenvalues, but only rank 0 computes them when K
  // is one tile (n ≤ tileRows): its copy is the one.
  return comm.broadcast(values, n * int64_t(sizeof(T)), 0);
}

template <typename T>
Status expActionOverRanks(Communicator &comm, const RankRows &layout,
                          const T *vectors, const T *values, double lambda,
                          const T *y, int64_t cols, T *u) {
  if (Status s = checkLayout(comm, layout, "exp action over ranks"); !s.ok())
    return s;
  int64_t n = layout.rows;
  int64_t local = layout.ownedRows();
  std::fill(u, u + n * cols, T(0));
  // This rank's eigenvectors' terms q_j e_jᵀ, e_j = exp(−λ max(μ_j, 0)) q_jᵀy.
  for (int64_t l = 0; l < local; ++l) {
    const T *q = vectors + l * n;
    T mu = values[globalRow(layout, l)];
    T f = std::exp(T(-lambda) * std::max(mu, T(0)));
    for (int64_t c = 0; c < cols; ++c)
      axpy(n, f * dot(n, q, y + c, cols), q, u + c, cols);
  }
  return comm.sum(u, n * cols);
}

template <typename T>
Status expActionGradRowsOverRanks(Communicator &comm, const RankRows &layout,
                                  const T *vectors, const T *values,
                                  double lambda, const T *y, const T *g,
                                  int64_t cols, double traceShift, int64_t r0,
                                  int64_t outRows, int64_t outTileRows, T *out,
                                  T *work, int64_t workElements) {
  const char *what = "dense gradient over ranks";
  if (Status s = checkLayout(comm, layout, what); !s.ok())
    return s;
  int64_t n = layout.rows;
  if (r0 < 0 || outRows < 0 || r0 + outRows > n || outTileRows < 1)
    return makeError(ErrorCode::InvalidArgument,
                     std::string(what) + ": rows [" + std::to_string(r0) +
                         ", " + std::to_string(r0 + outRows) +
                         ") in tiles of " + std::to_string(outTileRows) +
                         " of a " + std::to_string(n) + "-row matrix");
  int64_t slots = slotsElements(layout, n);
  int64_t needed = 2 * slots + 2 * n * cols;
  if (workElements < needed)
    return makeError(ErrorCode::InvalidArgument,
                     std::string(what) + ": needs " + std::to_string(needed) +
                         " elements of work for n = " + std::to_string(n) +
                         " and " + std::to_string(cols) + " columns, given " +
                         std::to_string(workElements));
  Result<int> grid = blacsGrid(comm, what);
  if (!grid.ok())
    return grid.status();
  Result<Descriptor> desc = describe(*grid, n, n, layout.tileRows, what);
  if (!desc.ok())
    return desc.status();
  int64_t local = layout.ownedRows();

  // The two matrices first; a = Qᵀg and b = Qᵀy (n × cols each, every
  // eigenvector's row, summed over the ranks) in p?syevd's part of work.
  T *m = work, *product = work + slots, *a = work + 2 * slots,
    *b = a + n * cols;
  std::fill(a, a + 2 * n * cols, T(0));
  for (int64_t l = 0; l < local; ++l) {
    const T *q = vectors + l * n;
    int64_t j = globalRow(layout, l);
    for (int64_t c = 0; c < cols; ++c) {
      a[j * cols + c] = dot(n, q, g + c, cols);
      b[j * cols + c] = dot(n, q, y + c, cols);
    }
  }
  if (Status s = comm.sum(a, 2 * n * cols); !s.ok())
    return s;

  // This rank's columns j of M (its rows: M is symmetric to the bit), as
  // daleckii_krein computes them.
  for (int64_t l = 0; l < local; ++l) {
    int64_t j = globalRow(layout, l);
    T *column = m + l * n;
    for (int64_t i = 0; i < n; ++i) {
      T f =
          T(expDividedDifference(lambda, double(values[i]), double(values[j])));
      T sum = 0;
      for (int64_t c = 0; c < cols; ++c)
        sum += a[i * cols + c] * b[j * cols + c] +
               b[i * cols + c] * a[j * cols + c];
      column[i] = f * (T(0.5) * sum);
    }
  }

  // D = (Q M) Qᵀ into m's place. Column j of ScaLAPACK's Q is the
  // eigenvector j: the rank's rows of Qᵀ, as stored.
  gemm(false, int(n), vectors, m, product, desc->d);
  gemm(true, int(n), product, vectors, m, desc->d);

  T shiftBy = 0;
  if (traceShift != 0) {
    Result<T> trace = traceOverRanks(comm, layout, m);
    if (!trace.ok())
      return trace.status();
    shiftBy = T(traceShift) * *trace;
  }

  if (outRows == 0)
    return {};
  // Rows [r0, r0 + outRows) of D are columns r0 + 1 … of its transpose as
  // ScaLAPACK stores it: redealt in tiles of outTileRows.
  Result<Descriptor> outDesc = describe(*grid, n, outRows, outTileRows, what);
  if (!outDesc.ok())
    return outDesc.status();
  gemr2d(int(n), int(outRows), m, int(r0 + 1), desc->d, out, outDesc->d, *grid);
  if (traceShift != 0) {
    RankRows outLayout{outRows, outTileRows, layout.rank, layout.ranks};
    for (int64_t l = 0; l < outLayout.ownedRows(); ++l)
      out[l * n + r0 + globalRow(outLayout, l)] += shiftBy;
  }
  return {};
}

#else // !GANTK_HAVE_SCALAPACK

namespace {

Status unavailable(const char *what) {
  return makeError(ErrorCode::FailedPrecondition,
                   std::string(what) +
                       ": this gantk was built without MPI/ScaLAPACK "
                       "(install libopenmpi-dev and libscalapack-openmpi-dev, "
                       "e.g. by scripts/setup, and rebuild)");
}

} // namespace

template <typename T>
Status eighOverRanks(Communicator &, const RankRows &, double, T *, T *, T *,
                     T *, int64_t, int *, int64_t) {
  return unavailable("dense eigensolver over ranks");
}

template <typename T>
Status expActionOverRanks(Communicator &, const RankRows &, const T *,
                          const T *, double, const T *, int64_t, T *) {
  return unavailable("exp action over ranks");
}

template <typename T>
Status expActionGradRowsOverRanks(Communicator &, const RankRows &, const T *,
                                  const T *, double, const T *, const T *,
                                  int64_t, double, int64_t, int64_t, int64_t,
                                  T *, T *, int64_t) {
  return unavailable("dense gradient over ranks");
}

#endif // GANTK_HAVE_SCALAPACK

#define GANTK_INSTANTIATE(T)                                                   \
  template Status eighOverRanks<T>(Communicator &, const RankRows &, double,   \
                                   T *, T *, T *, T *, int64_t, int *,         \
                                   int64_t);                                   \
  template Status expActionOverRanks<T>(Communicator &, const RankRows &,      \
                                        const T *, const T *, double,          \
                                        const T *, int64_t, T *);              \
  template Status expActionGradRowsOverRanks<T>(                               \
      Communicator &, const RankRows &, const T *, const T *, double,          \
      const T *, const T *, int64_t, double, int64_t, int64_t, int64_t, T *,   \
      T *, int64_t);
GANTK_INSTANTIATE(float)
GANTK_INSTANTIATE(double)
#undef GANTK_INSTANTIATE

} // namespace gantk
