//===- Krylov.h - exp(−λK) actions and gradients by block Lanczos -*- C++ -*-===//

#ifndef GANTK_RUNTIME_KRYLOV_H
#define GANTK_RUNTIME_KRYLOV_H

#include "gantk/runtime/Result.h"

#include "artifact_generated.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace gantk {

class ThreadPool;

/// Where the arena views of one Krylov command point.
template <typename T> struct KrylovBuffers {
  /// n × n, symmetric, row-major, upper triangle read; null for a
  /// matrix-free command (KernelOperatorPlan).
  const T *kernel = nullptr;
  const T *rhs = nullptr;       ///< n × columns
  const T *cotangent = nullptr; ///< n × columns (Gradient only)
  T *basis = nullptr;           ///< width·(maxBlocks + 1) vectors of n
  T *block = nullptr;           ///< width vectors of n
  T *out = nullptr;             ///< n × columns (Action only)
  T *factorA = nullptr;         ///< n × rank (Gradient only)
  T *factorB = nullptr;         ///< n × rank (Gradient only)
};

struct KrylovProblem {
  /// The start block is [Y, cotangent] and the factors of dL/dK are made.
  bool gradient = false;
  /// With gradient: the value U too, from the same run, and the
  /// cotangent is dU = cotangent + cotangentScale · U (schema ValueGradient).
  bool value = false;
  double cotangentScale = 0;
  int64_t n = 0, columns = 0, maxBlocks = 0, rank = 0;
  double lambda = 1, tol = 1e-6;
};

/// What the iteration reached.
struct KrylovStats {
  int64_t dimension = 0;  ///< size of the projected problem
  /// Products with K, each of a block of the run's width (columns, or
  /// twice that for the gradient).
  int64_t products = 0;
  double estimate = 0;    ///< relative change of the last step
  /// The extreme Ritz values (eigenvalues of the projection): estimates of
  /// K's smallest and largest eigenvalues seen from the start block.
  double smallest = 0, largest = 0;
};

/// The problem of a Krylov command.
inline KrylovProblem krylovProblem(const schema::Krylov &k) {
  KrylovProblem p;
  p.gradient = k.mode() != schema::KrylovMode::Action;
  p.value = k.mode() == schema::KrylovMode::ValueGradient;
  p.cotangentScale = k.cotangent_scale();
  p.n = k.n();
  p.columns = k.columns();
  p.maxBlocks = k.max_blocks();
  p.rank = k.rank();
  p.lambda = k.lambda();
  p.tol = k.tol();
  return p;
}

/// The buffers of a Krylov command in an arena at address `base` (host or
/// device).
template <typename T>
KrylovBuffers<T> krylovBuffers(const schema::Krylov &k, uintptr_t base) {
  auto at = [&](const schema::View *v) {
    return reinterpret_cast<T *>(base + v->offset());
  };
  KrylovBuffers<T> b;
  // A matrix-free command stores no K: its `kernel` view may be absent.
  if (!k.operator_())
    b.kernel = at(k.kernel());
  b.rhs = at(k.rhs());
  b.basis = at(k.basis());
  b.block = at(k.block());
  if (k.mode() != schema::KrylovMode::Action) {
    b.cotangent = at(k.cotangent());
    b.factorA = at(k.factor_a());
    b.factorB = at(k.factor_b());
  }
  if (k.mode() != schema::KrylovMode::Gradient)
    b.out = at(k.out());
  return b;
}

/// K of a matrix-free Krylov command (schema::KernelOperator) on host
/// buffers: K's rows are remade in `tile`, one row tile at a time, for every
/// product K·V.
template <typename T> struct KernelOperatorPlan {
  const T *points = nullptr; ///< S, n × dim, row-major
  int64_t dim = 0;
  double gramAlpha = 1;
  /// false: the recursion makes the tile's rows from the points itself.
  bool gram = true;
  double traceScale = 0; ///< the operator is K + traceScale·tr(K)·I
  /// With gram: the Gram diagonal the recursion reads (α‖S_i‖², n). The
  /// tile's Gram rows take it as their diagonal entries, so that a pair
  /// (i, i) sees exactly its own diagonal, as with a stored G (the GEMM's
  /// G_ii may differ from it in the last bits, and arccos-type layers turn
  /// a correlation of 1 − ε into an error of √ε).
  const T *gramDiag = nullptr;
  int64_t tileRows = 0;
  /// tileRows × n, leading dimension n; with `keep`, one such tile per row
  /// tile this rank owns, in tile order.
  T *tile = nullptr;
  /// Turns the Gram rows [r0, r1) held in `rows` (tileRows × n) into
  /// K[i, j ≥ i] (the generated recursion kernel; the caller owns its
  /// arguments and threads).
  std::function<void(T *rows, int64_t r0, int64_t r1)> recursion;
  /// The threads that split the tiles' products (null: the caller's alone;
  /// the session's pool, since BLAS itself runs single-threaded there).
  ThreadPool *pool = nullptr;

  /// Over MPI ranks: the rank that makes each row tile (null: this process
  /// makes them all) and this process's rank.
  const int32_t *tileRanks = nullptr;
  int rank = 0;
  /// Keep this rank's tiles for the step: the first product makes them and
  /// sets *made, later products only read them (the owner resets *made at
  /// every step).
  bool keep = false;
  bool *made = nullptr;
  /// Sums every rank's part of a product (n × width) and of tr(K) over the
  /// ranks, the same bits on each (Communicator::sum).
  std::function<Status(T *product, int64_t count, double &trace)> sumOverRanks;
};

/// F(a, b) = (f(a) − f(b)) / (a − b) for f(μ) = e^{−λ max(μ, 0)}, written
/// as −λ e^{−λ min} g(λ|a − b|), g(x) = −expm1(−x)/x (g = 1 − x/2 below
/// 1e-12): stable for close and for far-apart eigenvalues. The
/// Daleckii–Krein weight of the gradient, as the dense plan's kernel
/// computes it.
double expDividedDifference(double lambda, double a, double b);

/// Rows [r0, r1) of K into `tile` ((r1 − r0) × n, leading dimension n):
/// K[i, j ≥ i], the Gram rows by GEMM then the recursion; the entries left
/// of the diagonal are not K.
template <typename T>
void makeKernelRows(const KernelOperatorPlan<T> &plan, int64_t n, T *tile,
                    int64_t r0, int64_t r1);

/// Every row tile of K this rank owns (all of them without tileRanks) into
/// plan.tile, one slot of tileRows × n after another, in tile order: the
/// kept tiles the dense plan over ranks factors.
template <typename T>
void makeOwnedKernelRows(const KernelOperatorPlan<T> &plan, int64_t n);

/// The plan of a Krylov command with `operator` in a host arena at `base`,
/// all but `recursion`.
template <typename T>
KernelOperatorPlan<T> kernelOperatorPlan(const schema::KernelOperator &op,
                                         uintptr_t base) {
  KernelOperatorPlan<T> plan;
  plan.points = reinterpret_cast<const T *>(base + op.points()->offset());
  plan.dim = op.dim();
  plan.gramAlpha = op.gram_alpha();
  plan.gram = op.gram();
  plan.traceScale = op.trace_scale();
  plan.tileRows = op.tile_rows();
  plan.tile = reinterpret_cast<T *>(base + op.tile()->offset());
  // The recursion's arguments are the tile, then the diagonal.
  if (op.gram() && op.args() && op.args()->size() > 1)
    plan.gramDiag = reinterpret_cast<const T *>(base + op.args()->Get(1));
  return plan;
}

/// Which n-row result KrylovBackend::combine writes.
enum class KrylovOutput { Action, FactorA, FactorB };

/// The O(n) work of block Lanczos on the n-row buffers of one command:
/// basis (capacity vectors of n, capacity = width·(maxBlocks + 1)) and
/// block (width vectors of n), width = columns (Action) or 2·columns
/// (Gradient); "column k" below is vector k. The algorithm keeps every
/// small matrix on the host in double; a backend owns where the buffers
/// live (host memory for the CPU, device memory for CUDA), how their
/// vectors lie in them (contiguous on the CPU, row-major n × capacity on
/// CUDA: nothing else reads them) and how K is applied.
template <typename T> class KrylovBackend {
public:
  virtual ~KrylovBackend() = default;
  /// block = rhs (Action) or [rhs, cotangent] (Gradient). The basis's
  /// vectors are each stored (storeColumn) before they are read.
  virtual Status start() = 0;
  /// block = K · basis[:, col : col + width).
  virtual Status applyKernel(int64_t col) = 0;
  /// For the block columns [j, j + w): h = basis[:, :cols]ᵀ · block[:, j:j+w)
  /// (cols × w, row-major, on the host), then
  /// block[:, j:j+w) −= basis[:, :cols] · h.
  virtual Status orthogonalise(int64_t cols, int64_t j, int64_t w,
                               std::vector<double> &h) = 0;
  /// norm = ‖block[:, j]‖₂.
  virtual Status columnNorm(int64_t j, double &norm) = 0;
  /// basis[:, at] = scale · block[:, j].
  virtual Status storeColumn(int64_t j, int64_t at, double scale) = 0;
  /// which = basis[:, :m] · coeff (coeff m × cols, row-major, on the host).
  virtual Status combine(int64_t m, const std::vector<double> &coeff,
                         int64_t cols, KrylovOutput which) = 0;
};

/// The CPU backend on host buffers (K·V reads K's upper triangle; a pair of
/// columns is one symmetricProductPair on `pool`'s threads, null: the
/// caller's alone).
template <typename T>
std::unique_ptr<KrylovBackend<T>>
makeHostKrylovBackend(const KrylovProblem &problem,
                      const KrylovBuffers<T> &buffers,
                      ThreadPool *pool = nullptr);

/// The CPU backend with K applied matrix-free (buffers.kernel unused).
template <typename T>
std::unique_ptr<KrylovBackend<T>>
makeMatrixFreeKrylovBackend(const KrylovProblem &problem,
                            const KrylovBuffers<T> &buffers,
                            const KernelOperatorPlan<T> &plan);

/// Runs one Krylov command. Fails with a clear message when the tolerance
/// is not reached within maxBlocks blocks.
template <typename T>
Result<KrylovStats> runKrylov(const KrylovProblem &problem,
                              KrylovBackend<T> &backend);

/// runKrylov on host buffers with a stored K.
template <typename T>
Result<KrylovStats> runKrylov(const KrylovProblem &problem,
                              const KrylovBuffers<T> &buffers,
                              ThreadPool *pool = nullptr) {
  return runKrylov(problem, *makeHostKrylovBackend(problem, buffers, pool));
}

/// runKrylov on host buffers with K applied matrix-free.
template <typename T>
Result<KrylovStats> runKrylov(const KrylovProblem &problem,
                              const KrylovBuffers<T> &buffers,
                              const KernelOperatorPlan<T> &plan) {
  return runKrylov(problem,
                   *makeMatrixFreeKrylovBackend(problem, buffers, plan));
}

} // namespace gantk

#endif // GANTK_RUNTIME_KRYLOV_H
