//===- DenseOverRanks.h - The dense eigensolver over MPI ranks --*- C++ -*-===//
//
// The dense plan of a step split over P ranks (`solver = dense`,
// `--ranks P`): K is never whole on one rank. Its rows are dealt to the
// ranks in tiles of `tileRows` rows, tile t to rank t mod P, and each rank
// keeps its tiles one after another, row-major. As ScaLAPACK sees it
// (column-major) that buffer is Kᵀ = K on a 1 × P process grid with square
// blocks of tileRows: so ScaLAPACK's p?syevd factors K in place of LAPACK's
// ?syevd, and p?gemm forms dL/dK = Q M Qᵀ, with no copy into another layout.
//
// These functions mirror, over ranks, what the one-process dense plan does
// with ?syevd, GEMMs and the exp_scale / daleckii_krein kernels
// (LowerToLibrary.cpp), to the same formulas, so that the two agree to
// rounding.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_RUNTIME_DENSEOVERRANKS_H
#define GANTK_RUNTIME_DENSEOVERRANKS_H

#include "gantk/runtime/Result.h"

#include <cstdint>

namespace gantk {

class Communicator;

/// Which rows of an n-row matrix (or vector set) one rank holds: tiles of
/// `tileRows` rows, tile t to rank t mod `ranks`, stored one after another
/// (tile slots of tileRows rows each; only the matrix's last tile may be
/// short, its slot is not).
struct RankRows {
  int64_t rows = 0;     ///< rows of the whole matrix
  int64_t tileRows = 1; ///< rows per tile (ScaLAPACK's block size)
  int rank = 0, ranks = 1;

  int64_t tiles() const { return (rows + tileRows - 1) / tileRows; }
  /// Tiles this rank holds.
  int64_t ownedTiles() const;
  /// The most tiles any rank holds: the slots a buffer needs on every rank.
  int64_t maxOwnedTiles() const;
  /// Rows this rank holds (ScaLAPACK's NUMROC on a 1 × P grid): whole
  /// tiles, and the last tile's rows if it is its.
  int64_t ownedRows() const;
};

/// Elements of `work` (of the matrix's type) and of `iwork` that
/// denseOverRanks* needs on every rank for an n × n K in tiles of
/// tileRows over `ranks` ranks: p?syevd's workspace (its documented
/// minimum on this grid) and two slots-sized matrices for dL/dK. The
/// compiler reserves the same in the arena (gantk.eigh_ranks' scratch).
/// The gradient also keeps a = Qᵀg and b = Qᵀy (2·n·cols) in p?syevd's
/// part, which holds at least 8n + 1: enough for cols ≤ 4.
struct DenseOverRanksWork {
  int64_t work = 0;
  int64_t iwork = 0;
};
DenseOverRanksWork denseOverRanksWork(int64_t n, int64_t tileRows, int ranks);

/// On entry `k` holds this rank's rows of the symmetric K (RankRows{n,
/// tileRows} layout, leading dimension n); it is destroyed. On return
/// `vectors` (same layout) holds this rank's rows of Qᵀ: row j is the unit
/// eigenvector of `values[j]`, and `values` (n, ascending) is the same on
/// every rank. Before factoring, K's diagonal is shifted by
/// traceShift · tr(K) (tr summed over the ranks), as add_trace_diag does.
/// An error names the ScaLAPACK routine and its info, never aborts.
template <typename T>
Status eighOverRanks(Communicator &comm, const RankRows &layout,
                     double traceShift, T *k, T *vectors, T *values, T *work,
                     int64_t workElements, int *iwork, int64_t iworkElements);

/// u = Q diag(exp(−λ max(μ, 0))) Qᵀ y for y, u of n × cols (row-major,
/// the same on every rank): the one-process plan's Qᵀy, exp_scale and Q·e.
/// u holds the same bits on every rank.
template <typename T>
Status expActionOverRanks(Communicator &comm, const RankRows &layout,
                          const T *vectors, const T *values, double lambda,
                          const T *y, int64_t cols, T *u);

/// dL/dK = Q M Qᵀ + traceShift · tr(Q M Qᵀ) · I, where a = Qᵀ g, b = Qᵀ y
/// (n × cols) and M_ij = F_ij · ½ Σ_c (a_ic b_jc + b_ic a_jc) with
/// F_ij = −λ e^{−λ min(μi, μj)} g(λ|μi − μj|), g(x) = −expm1(−x)/x,
/// g(x) = 1 − x/2 for x < 1e-12, μ clamped at 0 (daleckii_krein's formula).
/// Writes rows [r0, r0 + outRows) of dL/dK into `out`, dealt as
/// RankRows{outRows, outTileRows} (tile k of those rows, rows r0 + k·T …,
/// to rank k mod P), leading dimension n: the rows the backward's row
/// tiles of this rank read.
template <typename T>
Status expActionGradRowsOverRanks(Communicator &comm, const RankRows &layout,
                                  const T *vectors, const T *values,
                                  double lambda, const T *y, const T *g,
                                  int64_t cols, double traceShift, int64_t r0,
                                  int64_t outRows, int64_t outTileRows, T *out,
                                  T *work, int64_t workElements);

} // namespace gantk

#endif // GANTK_RUNTIME_DENSEOVERRANKS_H
