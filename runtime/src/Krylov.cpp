//===- Krylov.cpp - exp(−λK) actions and gradients by block Lanczos -------===//
//
// A symmetric block Lanczos process with full reorthogonalisation builds an
// orthonormal basis V of span{X, KX, K²X, …} for the start block X and the
// projection T = Vᵀ K V. Then
//   exp(−λK) X ≈ V exp(−λT) Vᵀ X                       (the action), and
//   dL/dK ≈ V (W (F ∘ ½Σ_c(â_c b̂_cᵀ + b̂_c â_cᵀ)) Wᵀ) Vᵀ    (the gradient)
// with T = W diag(θ) Wᵀ, F the divided differences of exp(−λ max(θ, 0)), and
// â, b̂ the cotangent and right-hand side in the eigenbasis of T: the
// Daleckii–Krein formula of the dense path restricted to the Krylov space,
// whose start block [Y, dL/dU] makes it converge to the same matrix. The
// small symmetric core is factored once more to hand back the gradient as
// two n × rank factors; its numerical rank is small on NTK matrices.
//
// The iteration stops when the projected solution changes by less than
// `tol` relative (an a-posteriori estimate of the error).
//
//===----------------------------------------------------------------------===//

#include "gantk/runtime/Krylov.h"
#include "Blas.h"
#include "gantk/runtime/SymmetricProduct.h"

#include <cblas.h>
#include <lapacke.h>

#include <algorithm>
#include <limits>
#include <cmath>
#include <numeric>
#include <sstream>
#include <vector>

namespace gantk {

namespace {

using blas::gemm;
using blas::symv;

/// y = alpha op(A) x + beta y with A row-major m × n.
void gemv(bool trans, int64_t m, int64_t n, double alpha, const float *a,
          int64_t lda, const float *x, int64_t incx, double beta, float *y,
          int64_t incy) {
  cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, int(m), int(n),
              float(alpha), a, int(lda), x, int(incx), float(beta), y,
              int(incy));
}
void gemv(bool trans, int64_t m, int64_t n, double alpha, const double *a,
          int64_t lda, const double *x, int64_t incx, double beta, double *y,
          int64_t incy) {
  cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, int(m), int(n),
              alpha, a, int(lda), x, int(incx), beta, y, int(incy));
}

/// C += B·A with A (n × n) symmetric, its upper triangle read, and B and
/// C m × n (right side).
void symmUpperRight(int64_t m, int64_t n, const float *a, int64_t lda,
                    const float *b, int64_t ldb, float *c, int64_t ldc) {
  cblas_ssymm(CblasRowMajor, CblasRight, CblasUpper, int(m), int(n), 1.0f, a,
              int(lda), b, int(ldb), 1.0f, c, int(ldc));
}
void symmUpperRight(int64_t m, int64_t n, const double *a, int64_t lda,
                    const double *b, int64_t ldb, double *c, int64_t ldc) {
  cblas_dsymm(CblasRowMajor, CblasRight, CblasUpper, int(m), int(n), 1.0, a,
              int(lda), b, int(ldb), 1.0, c, int(ldc));
}

/// Symmetric eigendecomposition of a small dense matrix (row-major, m × m):
/// on return `a` holds eigenvectors as columns, `w` ascending eigenvalues.
bool eigh(std::vector<double> &a, std::vector<double> &w, int64_t m) {
  w.assign(size_t(m), 0);
  return LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', lapack_int(m), a.data(),
                        lapack_int(m), w.data()) == 0;
}

/// The CPU backend: BLAS on host buffers. It keeps each vector of the
/// basis and of the block contiguous (vector k of the basis at basis + k·n,
/// of the block at block + k·n), not row-major: Gram–Schmidt then streams
/// whole vectors by ?gemv and a product reads and writes them in place,
/// where rows of `capacity` mostly unused columns cost a cache line per row
/// on every pass (bench/README.md, "The Krylov basis vector by vector").
/// The buffers are this backend's own: nothing else reads them.
template <typename T> class HostBackend : public KrylovBackend<T> {
public:
  HostBackend(const KrylovProblem &p, const KrylovBuffers<T> &b,
              ThreadPool *pool)
      : b(b), pool(pool), n(p.n), columns(p.columns),
        width(p.gradient ? 2 * p.columns : p.columns) {}

  Status start() override {
    // The basis is not cleared: BlockLanczos stores every vector (a dead
    // one as zeros) before anything reads it.
    for (int64_t j = 0; j < width; ++j) {
      const T *from = j < columns ? b.rhs + j : b.cotangent + (j - columns);
      T *to = blockVector(j);
      for (int64_t i = 0; i < n; ++i)
        to[i] = from[i * columns];
    }
    return {};
  }

  Status applyKernel(int64_t col) override {
    // Symmetric matvecs reading K's upper triangle only (the compiler
    // leaves the lower one unwritten): two vectors at a time read K once
    // (symmetricProductPair), an odd last one by ?symv. Both beat
    // ?gemm/?symm for so few vectors (N = 8192, f32, two threads:
    // 2 × ?symv 12 ms, ?gemm 36 ms).
    for (int64_t c = 0; c < width; c += 2) {
      if (c + 1 < width)
        symmetricProductPair(n, b.kernel, basisVector(col + c),
                             basisVector(col + c + 1), blockVector(c),
                             blockVector(c + 1), pool, scratch);
      else
        symv(n, b.kernel, basisVector(col + c), blockVector(c));
    }
    return {};
  }

  Status orthogonalise(int64_t cols, int64_t j, int64_t w,
                       std::vector<double> &h) override {
    // Vector by vector, the basis's first `cols` vectors as a cols × n
    // row-major matrix: two ?gemv each (a ?gemm of so few columns spends
    // more on packing than on the product).
    h.assign(size_t(cols * w), 0);
    hT.resize(size_t(cols));
    for (int64_t c = 0; c < w; ++c) {
      T *x = blockVector(j + c);
      gemv(false, cols, n, 1.0, b.basis, n, x, 1, 0.0, hT.data(), 1);
      gemv(true, cols, n, -1.0, b.basis, n, hT.data(), 1, 1.0, x, 1);
      for (int64_t k = 0; k < cols; ++k)
        h[size_t(k * w + c)] = double(hT[size_t(k)]);
    }
    return {};
  }

  Status columnNorm(int64_t j, double &norm) override {
    const T *x = blockVector(j);
    norm = 0;
    for (int64_t i = 0; i < n; ++i)
      norm += double(x[i]) * double(x[i]);
    norm = std::sqrt(norm);
    return {};
  }

  Status storeColumn(int64_t j, int64_t at, double scale) override {
    const T *x = blockVector(j);
    T *v = basisVector(at);
    for (int64_t i = 0; i < n; ++i)
      v[i] = T(double(x[i]) * scale);
    return {};
  }

  Status combine(int64_t m, const std::vector<double> &coeff, int64_t cols,
                 KrylovOutput which) override {
    std::vector<T> c(coeff.begin(), coeff.end());
    T *dest = which == KrylovOutput::Action    ? b.out
              : which == KrylovOutput::FactorA ? b.factorA
                                               : b.factorB;
    // dest (n × cols, row-major: the outputs are other commands' inputs)
    // = (the first m basis vectors)ᵀ · coeff.
    blas::gemm(pool, true, false, n, cols, m, 1.0, b.basis, n, c.data(), cols,
               0.0, dest, cols);
    return {};
  }

protected:
  T *basisVector(int64_t k) const { return b.basis + k * n; }
  T *blockVector(int64_t j) const { return b.block + j * n; }

  KrylovBuffers<T> b;
  ThreadPool *pool;
  int64_t n, columns, width;

private:
  std::vector<T> scratch, hT;
};

} // namespace

double expDividedDifference(double lambda, double a, double b) {
  a = std::max(a, 0.0);
  b = std::max(b, 0.0);
  double x = lambda * std::abs(a - b);
  double g = x < 1e-12 ? 1 - 0.5 * x : -std::expm1(-x) / x;
  return -lambda * std::exp(-lambda * std::min(a, b)) * g;
}

template <typename T>
void makeKernelRows(const KernelOperatorPlan<T> &plan, int64_t n, T *tile,
                    int64_t r0, int64_t r1) {
  // tile[0:m, r0:n] = α S[r0:r1] S[r0:n]ᵀ
  if (plan.gram) {
    const T *s = plan.points;
    gemm(plan.pool, false, true, r1 - r0, n - r0, plan.dim, plan.gramAlpha,
         s + r0 * plan.dim, plan.dim, s + r0 * plan.dim, plan.dim, 0.0,
         tile + r0, n);
    if (plan.gramDiag)
      for (int64_t i = r0; i < r1; ++i)
        tile[(i - r0) * n + i] = plan.gramDiag[i];
  }
  plan.recursion(tile, r0, r1);
}

template <typename T>
void makeOwnedKernelRows(const KernelOperatorPlan<T> &plan, int64_t n) {
  int64_t slot = 0;
  for (int64_t r0 = 0, t = 0; r0 < n; r0 += plan.tileRows, ++t)
    if (!plan.tileRanks || plan.tileRanks[t] == plan.rank)
      makeKernelRows(plan, n, plan.tile + slot++ * plan.tileRows * n, r0,
                     std::min(n, r0 + plan.tileRows));
}

template void makeKernelRows<float>(const KernelOperatorPlan<float> &, int64_t,
                                    float *, int64_t, int64_t);
template void makeKernelRows<double>(const KernelOperatorPlan<double> &,
                                     int64_t, double *, int64_t, int64_t);
template void makeOwnedKernelRows<float>(const KernelOperatorPlan<float> &,
                                         int64_t);
template void makeOwnedKernelRows<double>(const KernelOperatorPlan<double> &,
                                          int64_t);

namespace {

/// The CPU backend without a stored K: every product remakes K's rows tile
/// by tile (Gram rows by GEMM, then the recursion kernel), so only one
/// tile_rows × n tile of K exists at a time. K is symmetric, so a tile
/// starts at its diagonal column: its diagonal block and the rectangle right
/// of it are used once as stored and once transposed. Over MPI ranks each
/// rank makes its own tiles (kept for the step when the plan says so) and
/// the ranks' parts of the product are summed.
template <typename T> class MatrixFreeBackend final : public HostBackend<T> {
public:
  MatrixFreeBackend(const KrylovProblem &p, const KrylovBuffers<T> &b,
                    const KernelOperatorPlan<T> &plan)
      : HostBackend<T>(p, b, plan.pool), plan(plan) {}

  Status applyKernel(int64_t col) override {
    const int64_t n = this->n, width = this->width;
    // Vᵀ and blockᵀ: width × n, row-major (HostBackend's vectors), so that
    // block[r0:r1] += K[r0:r1, :]·V is blockᵀ[:, r0:r1] += Vᵀ·K[:, r0:r1].
    const T *v = this->basisVector(col);
    T *block = this->blockVector(0);
    std::fill(block, block + n * width, T(0));
    double trace = 0;
    bool make = !plan.keep || !*plan.made;
    int64_t slot = 0; // this rank's tiles so far (kept tiles' places)
    for (int64_t r0 = 0, t = 0; r0 < n; r0 += plan.tileRows, ++t) {
      if (plan.tileRanks && plan.tileRanks[t] != plan.rank)
        continue; // another rank's tile
      int64_t r1 = std::min(n, r0 + plan.tileRows), m = r1 - r0;
      T *tile = plan.tile + (plan.keep ? slot++ * plan.tileRows * n : 0);
      if (make)
        makeKernelRows(plan, n, tile, r0, r1);
      for (int64_t i = r0; i < r1; ++i)
        trace += double(tile[(i - r0) * n + i]);
      // Diagonal block: only its upper triangle is K (the rest is Gram).
      symmUpperRight(width, m, tile + r0, n, v + r0, n, block + r0, n);
      if (r1 < n) {
        const T *rect = tile + r1; // K[r0:r1, r1:n]
        // block[r0:r1] += rect·V[r1:n] and block[r1:n] += rectᵀ·V[r0:r1].
        gemm(plan.pool, false, true, width, m, n - r1, 1.0, v + r1, n, rect, n,
             1.0, block + r0, n);
        gemm(plan.pool, false, false, width, n - r1, m, 1.0, v + r0, n, rect,
             n, 1.0, block + r1, n);
      }
    }
    if (plan.keep)
      *plan.made = true;
    if (plan.sumOverRanks)
      if (Status summed = plan.sumOverRanks(block, n * width, trace);
          !summed.ok())
        return summed;
    if (plan.traceScale != 0) {
      double shift = plan.traceScale * trace;
      for (int64_t i = 0; i < n * width; ++i)
        block[i] += T(shift * double(v[i]));
    }
    return {};
  }

private:
  KernelOperatorPlan<T> plan;
};

/// Block Lanczos on a backend: the basis grows block by block; T, the
/// projection, stays on the host.
template <typename T> class BlockLanczos {
public:
  BlockLanczos(const KrylovProblem &p, KrylovBackend<T> &backend,
               int64_t width)
      : backend(backend), width(width), capacity(width * (p.maxBlocks + 1)) {}

  /// Orthonormalises the start block into the first basis block; R holds
  /// the coefficients (X = V₀ R). Columns that are (numerically) in the span
  /// of earlier ones stay zero.
  Status start() {
    r.assign(size_t(width * width), 0);
    if (Status s = backend.start(); !s.ok())
      return s;
    bool any = false;
    if (Status s = orthonormaliseBlock(0, r.data(), any); !s.ok())
      return s;
    dimension = width;
    return {};
  }

  /// Computes T's columns for the last block and appends K·(last block),
  /// orthogonalised against the whole basis, as a new block. `grew` is
  /// false when nothing new remains (the space is invariant) or it is full.
  Status extend(bool &grew) {
    grew = false;
    int64_t last = dimension - width;
    if (Status s = backend.applyKernel(last); !s.ok())
      return s;
    // Two passes of classical Gram–Schmidt against the whole basis; the
    // sum of both passes' coefficients is T's new columns.
    std::vector<double> h, hSum(size_t(dimension * width), 0);
    for (int pass = 0; pass < 2; ++pass) {
      if (Status s = backend.orthogonalise(dimension, 0, width, h); !s.ok())
        return s;
      for (size_t i = 0; i < h.size(); ++i)
        hSum[i] += h[i];
    }
    // T(:, last:last+width) = H; inside the diagonal block the two
    // rounded estimates of each symmetric pair are averaged.
    for (int64_t i = 0; i < dimension; ++i)
      for (int64_t j = 0; j < width; ++j) {
        double v = hSum[size_t(i * width + j)];
        if (i >= last)
          v = 0.5 * (v + hSum[size_t((last + j) * width + (i - last))]);
        setT(i, last + j, v);
        setT(last + j, i, v);
      }
    if (dimension + width > capacity)
      return {};
    std::vector<double> next(size_t(width * width), 0);
    if (Status s = orthonormaliseBlock(dimension, next.data(), grew); !s.ok())
      return s;
    if (grew)
      dimension += width;
    return {};
  }

  /// T restricted to the first m basis vectors.
  std::vector<double> projection(int64_t m) const {
    std::vector<double> t(size_t(m * m));
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < m; ++j)
        t[size_t(i * m + j)] = tFull[size_t(i * tStride + j)];
    return t;
  }

  int64_t dimension = 0;
  std::vector<double> r; ///< start block = V₀ R

private:
  void setT(int64_t i, int64_t j, double v) {
    if (tFull.empty()) {
      tStride = capacity;
      tFull.assign(size_t(capacity * capacity), 0);
    }
    tFull[size_t(i * tStride + j)] = v;
  }

  /// Orthonormalises the block column by column against the basis columns
  /// before `at` and its own earlier columns, writing basis columns
  /// [at, at + width) and the in-block coefficients to `coeff` (width ×
  /// width, upper triangular). `any` is false if every column vanished.
  Status orthonormaliseBlock(int64_t at, double *coeff, bool &any) {
    any = false;
    std::vector<double> h;
    for (int64_t j = 0; j < width; ++j) {
      double norm0 = 0, norm = 0;
      if (Status s = backend.columnNorm(j, norm0); !s.ok())
        return s;
      // Classical Gram–Schmidt twice against every earlier column: enough
      // to keep the basis orthogonal to rounding ("twice is enough").
      int64_t cols = at + j;
      if (cols > 0)
        for (int pass = 0; pass < 2; ++pass) {
          if (Status s = backend.orthogonalise(cols, j, 1, h); !s.ok())
            return s;
          for (int64_t k = at; k < cols; ++k)
            coeff[(k - at) * width + j] += h[size_t(k)];
        }
      if (Status s = backend.columnNorm(j, norm); !s.ok())
        return s;
      // A column that lost all but rounding noise carries no new direction.
      bool alive = norm > 1e3 * std::numeric_limits<T>::epsilon() * norm0 &&
                   norm > 0;
      coeff[j * width + j] = alive ? norm : 0;
      if (Status s = backend.storeColumn(j, at + j, alive ? 1 / norm : 0);
          !s.ok())
        return s;
      any |= alive;
    }
    return {};
  }

  KrylovBackend<T> &backend;
  int64_t width, capacity;
  std::vector<double> tFull;
  int64_t tStride = 0;
};

/// exp(−λT) applied to the start block's coefficients [R; 0]: m × width.
/// Wᵀ [R; 0] (m × width): the start block's coefficients in the
/// eigenbasis W of T (eigenvectors as the columns of the row-major m × m
/// `vectors`); only the first `width` rows of [R; 0] are nonzero.
std::vector<double> eigenbasisCoefficients(const std::vector<double> &vectors,
                                           int64_t m,
                                           const std::vector<double> &r,
                                           int64_t width) {
  std::vector<double> out(size_t(m * width));
  gemm(true, false, m, width, width, 1.0, vectors.data(), m, r.data(), width,
       0.0, out.data(), width);
  return out;
}

/// exp(−λT) [R; 0] scaled by exp(+λ·shift), shift = max(θ_min, 0): the
/// scaled values cannot all underflow, so the convergence test stays
/// meaningful when the action itself is below the smallest double.
std::vector<double> projectedAction(const std::vector<double> &t, int64_t m,
                                    const std::vector<double> &r,
                                    int64_t width, double lambda,
                                    std::vector<double> &vectors,
                                    std::vector<double> &values, double &shift,
                                    bool &ok) {
  vectors = t;
  ok = eigh(vectors, values, m);
  std::vector<double> out(size_t(m * width), 0);
  if (!ok)
    return out;
  shift = std::max(values.front(), 0.0);
  // out = W diag(f(θ) / f(shift)) Wᵀ [R; 0]
  std::vector<double> coeff = eigenbasisCoefficients(vectors, m, r, width);
  for (int64_t k = 0; k < m; ++k) {
    double f = std::exp(-lambda * (std::max(values[size_t(k)], 0.0) - shift));
    for (int64_t c = 0; c < width; ++c)
      coeff[size_t(k * width + c)] *= f;
  }
  gemm(false, false, m, width, m, 1.0, vectors.data(), m, coeff.data(), width,
       0.0, out.data(), width);
  return out;
}

/// ValueGradient: exp(−λ(T − shift)) Vᵀ dU (m × c), dU = cotangent + s·U in
/// the basis: Vᵀ dU = [R; 0](:, c + col) + s·e^{−λ shift}·current(:, col),
/// in T's eigenbasis W: â = Wᵀ[R; 0](:, c + col) + s·e^{−λθ}·b̂.
std::vector<double> cotangentAction(const std::vector<double> &vectors,
                                    const std::vector<double> &values,
                                    int64_t m, const std::vector<double> &r,
                                    const KrylovProblem &p, double shift) {
  int64_t c = p.columns, width = 2 * c;
  std::vector<double> coeff = eigenbasisCoefficients(vectors, m, r, width);
  std::vector<double> a(size_t(m * c));
  for (int64_t k = 0; k < m; ++k) {
    double theta = std::max(values[size_t(k)], 0.0);
    double f = std::exp(-p.lambda * theta);
    double fs = std::exp(-p.lambda * (theta - shift));
    for (int64_t col = 0; col < c; ++col)
      a[size_t(k * c + col)] =
          fs * (coeff[size_t(k * width + c + col)] +
                p.cotangentScale * f * coeff[size_t(k * width + col)]);
  }
  std::vector<double> out(size_t(m * c));
  gemm(false, false, m, c, m, 1.0, vectors.data(), m, a.data(), c, 0.0,
       out.data(), c);
  return out;
}

double relativeChange(const std::vector<double> &now,
                      const std::vector<double> &before) {
  // `before` has fewer rows: compare on the common rows, count the new ones.
  double diff = 0, norm = 0;
  for (size_t i = 0; i < now.size(); ++i) {
    double prev = i < before.size() ? before[i] : 0;
    diff += (now[i] - prev) * (now[i] - prev);
    norm += now[i] * now[i];
  }
  // Both zero: the start block itself is zero, and so is the answer.
  return norm > 0 ? std::sqrt(diff / norm) : (diff > 0 ? 1 : 0);
}

} // namespace

template <typename T>
std::unique_ptr<KrylovBackend<T>>
makeHostKrylovBackend(const KrylovProblem &problem,
                      const KrylovBuffers<T> &buffers, ThreadPool *pool) {
  return std::make_unique<HostBackend<T>>(problem, buffers, pool);
}

template <typename T>
std::unique_ptr<KrylovBackend<T>>
makeMatrixFreeKrylovBackend(const KrylovProblem &problem,
                            const KrylovBuffers<T> &buffers,
                            const KernelOperatorPlan<T> &plan) {
  return std::make_unique<MatrixFreeBackend<T>>(problem, buffers, plan);
}

template <typename T>
Result<KrylovStats> runKrylov(const KrylovProblem &p,
                              KrylovBackend<T> &backend) {
  int64_t c = p.columns;
  int64_t width = p.gradient ? 2 * c : c;
  BlockLanczos<T> lanczos(p, backend, width);

  // Start block: Y, or [Y, dL/dU] for the gradient.
  if (Status s = lanczos.start(); !s.ok())
    return s.error();

  // Below a few dozen rounding units the estimate only measures rounding
  // noise (f32: 3.8e-6): the tolerance is raised to that floor.
  double tol = std::max(p.tol, 32 * double(std::numeric_limits<T>::epsilon()));
  std::vector<double> previous, current, vectors, values;
  // ValueGradient: exp(−λ(T − shift)) Vᵀ dU as well, whose change is
  // tested too (dU moves with the projected U).
  std::vector<double> previousDu, currentDu;
  double shift = 0, previousShift = 0;
  KrylovStats stats;
  bool converged = false, ok = true;
  for (int64_t block = 0; block < p.maxBlocks && !converged; ++block) {
    // T is complete for every block but a newly appended one.
    bool grew = false;
    if (Status s = lanczos.extend(grew); !s.ok())
      return s.error();
    ++stats.products;
    int64_t m = grew ? lanczos.dimension - width : lanczos.dimension;
    std::vector<double> t = lanczos.projection(m);
    current = projectedAction(t, m, lanczos.r, width, p.lambda, vectors,
                              values, shift, ok);
    if (!ok)
      return makeError(ErrorCode::Internal,
                       "Krylov: the projected eigenproblem failed");
    stats.dimension = m;
    stats.smallest = values.front();
    stats.largest = values.back();
    if (!previous.empty()) {
      double rescale = std::exp(-p.lambda * (previousShift - shift));
      for (double &v : previous)
        v *= rescale;
      for (double &v : previousDu)
        v *= rescale;
    }
    stats.estimate = previous.empty() ? 1.0
                                      : relativeChange(current, previous);
    if (p.value) {
      currentDu = cotangentAction(vectors, values, m, lanczos.r, p, shift);
      if (!previousDu.empty())
        stats.estimate =
            std::max(stats.estimate, relativeChange(currentDu, previousDu));
      previousDu.assign(size_t((m + width) * c), 0);
      std::copy(currentDu.begin(), currentDu.end(), previousDu.begin());
    }
    converged = !grew || (!previous.empty() && stats.estimate <= tol);
    // Keep this solution, padded to the next size, at the next shift's
    // scale (Ritz values only decrease, so the factor is at most 1).
    previous.assign(size_t((m + width) * width), 0);
    std::copy(current.begin(), current.end(), previous.begin());
    previousShift = shift;
    if (!grew)
      break;
  }
  if (!converged) {
    std::ostringstream os;
    os << "Krylov exp action did not reach tolerance " << tol << " in "
       << p.maxBlocks << " blocks (estimate " << stats.estimate
       << "); raise the objective's max_iter or tol, or lower lambda";
    return makeError(ErrorCode::FailedPrecondition, os.str());
  }
  int64_t m = stats.dimension;

  if (!p.gradient || p.value) {
    // out = V · current · exp(−λ·shift) (the first c columns are
    // exp(−λK) Y).
    double scale = std::exp(-p.lambda * shift);
    std::vector<double> coeff(size_t(m * c));
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < c; ++j)
        coeff[size_t(i * c + j)] = current[size_t(i * width + j)] * scale;
    if (Status s = backend.combine(m, coeff, c, KrylovOutput::Action); !s.ok())
      return s.error();
    if (!p.gradient)
      return stats;
  }

  // Gradient: in T's eigenbasis, â = Wᵀ Vᵀ g, b̂ = Wᵀ Vᵀ y (Vᵀ X = [R; 0]):
  // columns c + col and col of the start block's coefficients. With the
  // value, g = cotangent + s·U: â gains s·e^{−λθ}·b̂ (U = V W e^{−λΘ} b̂).
  std::vector<double> coeff =
      eigenbasisCoefficients(vectors, m, lanczos.r, width);
  if (p.value)
    for (int64_t k = 0; k < m; ++k) {
      double f = p.cotangentScale *
                 std::exp(-p.lambda * std::max(values[size_t(k)], 0.0));
      for (int64_t col = 0; col < c; ++col)
        coeff[size_t(k * width + c + col)] +=
            f * coeff[size_t(k * width + col)];
    }
  std::vector<double> core(size_t(m * m), 0); // F ∘ ½Σ(â b̂ᵀ + b̂ âᵀ)
  for (int64_t col = 0; col < c; ++col)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < m; ++j) {
        double ai = coeff[size_t(i * width + c + col)],
               aj = coeff[size_t(j * width + c + col)],
               bi = coeff[size_t(i * width + col)],
               bj = coeff[size_t(j * width + col)];
        core[size_t(i * m + j)] += 0.5 * (ai * bj + bi * aj);
      }
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < m; ++j)
      core[size_t(i * m + j)] *=
          expDividedDifference(p.lambda, values[size_t(i)], values[size_t(j)]);
  // S = W core Wᵀ, then S = P diag(s) Pᵀ; keep the `rank` largest |s|.
  std::vector<double> tmp(size_t(m * m)), s(size_t(m * m));
  gemm(false, false, m, m, m, 1.0, vectors.data(), m, core.data(), m, 0.0,
       tmp.data(), m);
  gemm(false, true, m, m, m, 1.0, tmp.data(), m, vectors.data(), m, 0.0,
       s.data(), m);
  std::vector<double> sv;
  if (!eigh(s, sv, m))
    return makeError(ErrorCode::Internal,
                     "Krylov: the gradient's core eigenproblem failed");
  std::vector<int64_t> order(static_cast<size_t>(m));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b2) {
    return std::abs(sv[size_t(a)]) > std::abs(sv[size_t(b2)]);
  });
  int64_t keep = std::min(m, p.rank);
  // factor_b = V P_keep, factor_a = factor_b diag(s_keep); unused columns 0.
  std::vector<double> pk(size_t(m * p.rank), 0), pks(size_t(m * p.rank), 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t k = 0; k < keep; ++k) {
      double v = s[size_t(i * m + order[size_t(k)])];
      pk[size_t(i * p.rank + k)] = v;
      pks[size_t(i * p.rank + k)] = v * sv[size_t(order[size_t(k)])];
    }
  if (Status st = backend.combine(m, pk, p.rank, KrylovOutput::FactorB);
      !st.ok())
    return st.error();
  if (Status st = backend.combine(m, pks, p.rank, KrylovOutput::FactorA);
      !st.ok())
    return st.error();
  return stats;
}

template std::unique_ptr<KrylovBackend<float>>
makeHostKrylovBackend<float>(const KrylovProblem &,
                             const KrylovBuffers<float> &, ThreadPool *);
template std::unique_ptr<KrylovBackend<double>>
makeHostKrylovBackend<double>(const KrylovProblem &,
                              const KrylovBuffers<double> &, ThreadPool *);
template std::unique_ptr<KrylovBackend<float>>
makeMatrixFreeKrylovBackend<float>(const KrylovProblem &,
                                   const KrylovBuffers<float> &,
                                   const KernelOperatorPlan<float> &);
template std::unique_ptr<KrylovBackend<double>>
makeMatrixFreeKrylovBackend<double>(const KrylovProblem &,
                                    const KrylovBuffers<double> &,
                                    const KernelOperatorPlan<double> &);
template Result<KrylovStats> runKrylov<float>(const KrylovProblem &,
                                              KrylovBackend<float> &);
template Result<KrylovStats> runKrylov<double>(const KrylovProblem &,
                                               KrylovBackend<double> &);

} // namespace gantk
