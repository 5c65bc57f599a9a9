//===- Artifact.cpp - Loading and verifying gantk artifacts --------------===//

#include "gantk/runtime/Artifact.h"
#include "DenseOverRanks.h"
#include "gantk/runtime/Commands.h"
#include "gantk/runtime/FileIO.h"
#include "gantk/runtime/Sha256.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <sstream>

using namespace gantk;
namespace fbs = gantk::schema;

int64_t gantk::syevdMinWork(int64_t n) { return 1 + 6 * n + 2 * n * n; }
int64_t gantk::syevdMinIWork(int64_t n) { return 3 + 5 * n; }

namespace {

/// The product of `factors`, or false when it does not fit in 64 bits: every
/// size the verifier derives from the artifact's counts goes through this,
/// so that a product that wraps to a small number cannot pass a bounds check.
bool checkedProduct(const std::vector<uint64_t> &factors, uint64_t &out) {
  out = 1;
  for (uint64_t f : factors)
    if (__builtin_mul_overflow(out, f, &out))
      return false;
  return true;
}

/// Whether the elements of `v` (absent: true) are aligned for 8-byte reads.
/// FlatBuffers 2.0.8's verifier checks a vector's length and the alignment
/// of its length prefix, not of its elements: a crafted [ulong] or [View]
/// can start 4 bytes off, and reading it is undefined behaviour. (The
/// artifact's bytes are held in operator new's memory, 16-byte aligned.)
template <typename T> bool alignedElements(const flatbuffers::Vector<T> *v) {
  return !v || reinterpret_cast<uintptr_t>(v->Data()) % 8 == 0;
}

/// Collects the first semantic problem of an artifact.
class Checker {
public:
  Checker(const fbs::Artifact &root, const std::string &name)
      : root(root), name(name),
        elemSize(root.precision() == fbs::Precision::F64 ? 8 : 4) {}

  Status run();

private:
  Error fail(const std::string &what) const {
    return makeError(ErrorCode::DataLoss, name + ": invalid artifact: " + what);
  }
  Status checkView(const fbs::View *view, const std::string &what,
                   size_t elementBytes) const;
  Status checkViewAtLeast(const fbs::View *view, const std::string &what,
                          uint64_t elements) const;
  /// `self`: the index of the command (or of the RowTiles whose body holds
  /// it); `tiles`: the Gemm is in that RowTiles body (A and C row-indexed).
  Status checkGemm(const fbs::Gemm &gemm, const std::string &where,
                   int64_t self, const fbs::RowTiles *tiles = nullptr) const;
  Status checkSyevd(const fbs::Syevd &syevd, const std::string &where) const;
  Status checkKrylov(const fbs::Krylov &krylov, const std::string &where) const;
  Status checkDenseRanks(const fbs::DenseRanks &dense,
                         const std::string &where) const;
  Status checkTileRanks(const flatbuffers::Vector<int32_t> *ranks,
                        int64_t tiles, const std::string &what,
                        int64_t *most) const;
  Status checkKernelOperator(const fbs::KernelOperator &op, int64_t n,
                             const std::string &where) const;
  Status checkDispatch(const fbs::Dispatch &dispatch,
                       const std::string &where) const;
  /// Kernel argument offsets inside the arena; `what` + index names one.
  Status checkArgs(const flatbuffers::Vector<uint64_t> *args,
                   const std::string &what) const;
  Status checkRowTiles(const fbs::RowTiles &rowTiles, const std::string &where,
                       int64_t self) const;
  Status checkData() const;

  const fbs::Artifact &root;
  const std::string &name;
  size_t elemSize;
};

} // namespace

Status Checker::checkView(const fbs::View *view, const std::string &what,
                          size_t elementBytes) const {
  if (!view)
    return fail(what + " view is missing");
  uint64_t arena = root.arena_bytes();
  uint64_t offset = view->offset(), elements = view->elements();
  // Reject before multiplying so a huge element count cannot wrap around.
  if (elements > arena / elementBytes ||
      offset > arena - elements * elementBytes) {
    std::ostringstream os;
    os << what << " view [offset " << offset << ", " << elements
       << " elements of " << elementBytes << " bytes] lies outside the arena ("
       << arena << " bytes)";
    return fail(os.str());
  }
  if (offset % elementBytes != 0) {
    std::ostringstream os;
    os << what << " view offset " << offset << " is not a multiple of the "
       << elementBytes << "-byte element size";
    return fail(os.str());
  }
  return {};
}

Status Checker::checkViewAtLeast(const fbs::View *view, const std::string &what,
                                 uint64_t elements) const {
  if (Status s = checkView(view, what, elemSize); !s.ok())
    return s;
  if (view->elements() < elements) {
    std::ostringstream os;
    os << what << " view holds " << view->elements() << " elements, needs "
       << elements;
    return fail(os.str());
  }
  return {};
}

Status Checker::checkGemm(const fbs::Gemm &g, const std::string &where,
                          int64_t self, const fbs::RowTiles *tiles) const {
  if (g.m() <= 0 || g.n() <= 0 || g.k() <= 0)
    return fail(where + ": gemm dimensions must be positive (m=" +
                std::to_string(g.m()) + ", n=" + std::to_string(g.n()) +
                ", k=" + std::to_string(g.k()) + ")");
  if (g.m() > INT_MAX || g.n() > INT_MAX || g.k() > INT_MAX ||
      g.lda() > INT_MAX || g.ldb() > INT_MAX || g.ldc() > INT_MAX)
    return fail(where + ": gemm dimension exceeds the BLAS integer range");
  if (tiles && g.trans_a())
    return fail(where + ": a gemm in row tiles cannot transpose A");
  if (tiles && g.m() != tiles->rows())
    return fail(where + ": gemm m=" + std::to_string(g.m()) +
                " in row tiles of " + std::to_string(tiles->rows()) + " rows");
  // Row-major: an r x c operand with leading dimension ld needs ld >= c and
  // (r-1)*ld + c elements. In row tiles, a row-indexed operand that is a
  // tile buffer holds tile_rows rows of ld.
  auto operand = [&](const fbs::View *v, const char *label, int64_t rows,
                     int64_t cols, int64_t ld, bool rowIndexed) -> Status {
    std::string what = where + ": gemm operand " + label;
    if (ld < cols)
      return fail(what + " leading dimension " + std::to_string(ld) +
                  " is smaller than its " + std::to_string(cols) + " columns");
    if (const fbs::View *tile =
            rowIndexed && tiles && v ? rowTileBuffer(*tiles, v->offset())
                                     : nullptr) {
      if (uint64_t(ld) > tile->elements() / uint64_t(tiles->tile_rows()))
        return fail(what + " is a tile of " +
                    std::to_string(tile->elements()) +
                    " elements, too small for " +
                    std::to_string(tiles->tile_rows()) +
                    " rows of leading dimension " + std::to_string(ld));
      return {};
    }
    return checkViewAtLeast(v, what, uint64_t(rows - 1) * ld + cols);
  };
  int64_t aRows = g.trans_a() ? g.k() : g.m(),
          aCols = g.trans_a() ? g.m() : g.k();
  int64_t bRows = g.trans_b() ? g.n() : g.k(),
          bCols = g.trans_b() ? g.k() : g.n();
  if (Status s = operand(g.a(), "A", aRows, aCols, g.lda(), true); !s.ok())
    return s;
  if (Status s = operand(g.b(), "B", bRows, bCols, g.ldb(), false); !s.ok())
    return s;
  if (int64_t from = g.live_k_from(); from != -1) {
    const fbs::Krylov *krylov =
        from >= 0 && from < self
            ? root.commands()->Get(uint32_t(from))->command_as_Krylov()
            : nullptr;
    if (!krylov || krylov->mode() == fbs::KrylovMode::Action)
      return fail(where + ": gemm live_k_from " + std::to_string(from) +
                  " is not an earlier Krylov command with factors");
  }
  if (int64_t from = g.a_symmetric_from();
      from != -1 &&
      (tiles || g.trans_a() || g.trans_b() || g.live_k_from() != -1 ||
       from < 0 || from + g.m() != g.k()))
    return fail(where + ": gemm a_symmetric_from " + std::to_string(from) +
                " is not the start of A's last m = " + std::to_string(g.m()) +
                " of k = " + std::to_string(g.k()) +
                " columns (A and B not transposed, not in row tiles, no "
                "live_k_from)");
  if (g.c_upper_only() && g.n() < g.m())
    return fail(where + ": gemm c_upper_only with C " + std::to_string(g.m()) +
                "x" + std::to_string(g.n()) +
                ", which has no square block in its last columns");
  return operand(g.c(), "C", g.m(), g.n(), g.ldc(), true);
}

Status Checker::checkSyevd(const fbs::Syevd &e,
                           const std::string &where) const {
  int64_t n = e.n();
  if (n <= 0 || n > 30000)
    return fail(where + ": syevd order n=" + std::to_string(n) +
                " is out of range (1..30000)");
  if (e.lwork() < syevdMinWork(n))
    return fail(where + ": syevd lwork " + std::to_string(e.lwork()) +
                " is below the LAPACK minimum 1+6n+2n^2 = " +
                std::to_string(syevdMinWork(n)));
  if (e.liwork() < syevdMinIWork(n))
    return fail(where + ": syevd liwork " + std::to_string(e.liwork()) +
                " is below the LAPACK minimum 3+5n = " +
                std::to_string(syevdMinIWork(n)));
  if (e.lwork() > INT_MAX || e.liwork() > INT_MAX)
    return fail(where + ": syevd workspace exceeds the LAPACK integer range");
  if (Status s = checkViewAtLeast(e.a(), where + ": syevd a", uint64_t(n) * n);
      !s.ok())
    return s;
  if (Status s = checkViewAtLeast(e.w(), where + ": syevd w", n); !s.ok())
    return s;
  if (Status s = checkViewAtLeast(e.work(), where + ": syevd work", e.lwork());
      !s.ok())
    return s;
  // iwork counts 32-bit integers, whatever the precision.
  if (Status s = checkView(e.iwork(), where + ": syevd iwork", 4); !s.ok())
    return s;
  if (e.iwork()->elements() < uint64_t(e.liwork()))
    return fail(where + ": syevd iwork view holds " +
                std::to_string(e.iwork()->elements()) + " integers, needs " +
                std::to_string(e.liwork()));
  return {};
}

Status Checker::checkDispatch(const fbs::Dispatch &d,
                              const std::string &where) const {
  uint32_t numKernels = root.kernels() ? root.kernels()->size() : 0;
  if (d.kernel() >= numKernels)
    return fail(where + ": dispatch of kernel " + std::to_string(d.kernel()) +
                " but the artifact declares " + std::to_string(numKernels) +
                " kernels");
  if (d.range() < 0)
    return fail(where + ": dispatch range " + std::to_string(d.range()) +
                " is negative");
  return checkArgs(d.args(), where + ": dispatch argument ");
}

Status Checker::checkArgs(const flatbuffers::Vector<uint64_t> *args,
                          const std::string &what) const {
  if (!alignedElements(args))
    return fail(what + "offsets are not 8-byte aligned in the file");
  if (args)
    for (uint32_t i = 0; i < args->size(); ++i)
      if (args->Get(i) >= root.arena_bytes())
        return fail(what + std::to_string(i) + " offset " +
                    std::to_string(args->Get(i)) + " lies outside the arena (" +
                    std::to_string(root.arena_bytes()) + " bytes)");
  return {};
}

/// `ranks` (when set) names, for each of `tiles` row tiles, a rank below
/// the artifact's `ranks`, and is set exactly when the step is split. The
/// most tiles one rank owns goes to `most`.
Status Checker::checkTileRanks(const flatbuffers::Vector<int32_t> *ranks,
                               int64_t tiles, const std::string &what,
                               int64_t *most) const {
  int32_t world = root.ranks();
  if (!ranks) {
    if (world > 1)
      return fail(what + " has no tile_ranks in a step over " +
                  std::to_string(world) + " ranks");
    return {};
  }
  if (world <= 1)
    return fail(what + " has tile_ranks in a step of one process");
  if (int64_t(ranks->size()) != tiles)
    return fail(what + " tile_ranks has " + std::to_string(ranks->size()) +
                " entries for " + std::to_string(tiles) + " row tiles");
  std::vector<int64_t> owned(size_t(world), 0);
  for (int32_t r : *ranks) {
    if (r < 0 || r >= world)
      return fail(what + " tile_ranks names rank " + std::to_string(r) +
                  " in a step over " + std::to_string(world) + " ranks");
    ++owned[size_t(r)];
  }
  if (most)
    *most = *std::max_element(owned.begin(), owned.end());
  return {};
}

Status Checker::checkRowTiles(const fbs::RowTiles &r, const std::string &where,
                              int64_t self) const {
  if (r.rows() <= 0 || r.tile_rows() <= 0)
    return fail(where + ": row tiles need positive rows and tile_rows (got " +
                std::to_string(r.rows()) + ", " +
                std::to_string(r.tile_rows()) + ")");
  if (r.rows() > INT_MAX || r.tile_rows() > INT_MAX)
    return fail(where + ": row tiles exceed the BLAS integer range");
  // A body reads its rows from tile buffers, or (the dense plan over
  // ranks on maps) only from a rank-tiled value.
  if (!r.tiles() ||
      (r.tiles()->size() == 0 && (!r.rank_tiled() || !r.rank_tiled()->size())))
    return fail(where + ": row tiles without tile buffers");
  if (!alignedElements(r.tiles()))
    return fail(where + ": row tile buffers are not 8-byte aligned in the "
                        "file");
  for (uint32_t i = 0; i < r.tiles()->size(); ++i) {
    const fbs::View *tile = r.tiles()->Get(i);
    std::string what = where + ": row tile buffer " + std::to_string(i);
    if (Status s = checkView(tile, what, elemSize); !s.ok())
      return s;
    if (tile->elements() == 0 || tile->elements() % uint64_t(r.tile_rows()))
      return fail(what + " holds " + std::to_string(tile->elements()) +
                  " elements, not a positive multiple of tile_rows " +
                  std::to_string(r.tile_rows()));
  }
  if (Status s = checkTileRanks(r.tile_ranks(),
                                (r.rows() + r.tile_rows() - 1) / r.tile_rows(),
                                where + ": row tiles", nullptr);
      !s.ok())
    return s;
  if (r.rank_tiled()) {
    if (!r.tile_ranks())
      return fail(where + ": row tiles read rank-tiled values without "
                          "tile_ranks");
    int64_t tiles = (r.rows() + r.tile_rows() - 1) / r.tile_rows();
    int64_t slots = (tiles + root.ranks() - 1) / std::max(1, root.ranks());
    for (const fbs::View *v : *r.rank_tiled()) {
      std::string what = where + ": rank-tiled value";
      if (Status s = checkView(v, what, elemSize); !s.ok())
        return s;
      if (root.ranks() <= 1 || v->elements() == 0 ||
          v->elements() % uint64_t(slots * r.tile_rows()) != 0)
        return fail(what + " holds " + std::to_string(v->elements()) +
                    " elements, not rows of " + std::to_string(slots) +
                    " slots of " + std::to_string(r.tile_rows()) + " rows");
    }
  }
  if (!r.body() || r.body()->size() == 0)
    return fail(where + ": row tiles with an empty body");
  for (uint32_t i = 0; i < r.body()->size(); ++i) {
    const fbs::CommandEntry *entry = r.body()->Get(i);
    std::string at = where + ": body command " + std::to_string(i);
    if (entry->label())
      at += " (" + entry->label()->str() + ")";
    auto onlyGemmAndDispatch = [&]() -> Status {
      return fail(at + ": a row tiles body holds only gemm and dispatch "
                       "commands");
    };
    Status s = visitCommand(
        *entry,
        Overloaded{[&](const fbs::Gemm &g) {
                     return checkGemm(g, at, self, &r);
                   },
                   [&](const fbs::Dispatch &d) -> Status {
                     if (Status checked = checkDispatch(d, at); !checked.ok())
                       return checked;
                     if (d.range() != r.rows())
                       return fail(at + ": dispatch range " +
                                   std::to_string(d.range()) +
                                   " in row tiles of " +
                                   std::to_string(r.rows()) + " rows");
                     return {};
                   },
                   [&](const fbs::RowTiles &) -> Status {
                     return fail(at + ": row tiles cannot be nested");
                   },
                   [&](const fbs::Syevd &) { return onlyGemmAndDispatch(); },
                   [&](const fbs::Krylov &) { return onlyGemmAndDispatch(); },
                   [&](const fbs::DenseRanks &) {
                     return onlyGemmAndDispatch();
                   },
                   [&](UnknownCommand) { return onlyGemmAndDispatch(); }});
    if (!s.ok())
      return s;
  }
  return {};
}

Status Checker::checkKernelOperator(const fbs::KernelOperator &op, int64_t n,
                                    const std::string &where) const {
  std::string what = where + ": Krylov operator";
  if (op.dim() <= 0 || op.tile_rows() <= 0)
    return fail(what + " dim and tile_rows must be positive (got " +
                std::to_string(op.dim()) + ", " +
                std::to_string(op.tile_rows()) + ")");
  // Every size below goes to BLAS as an int; bounded so, the products
  // below cannot overflow.
  if (n > INT_MAX || op.dim() > INT_MAX || op.tile_rows() > INT_MAX)
    return fail(what + " exceeds the BLAS integer range");
  if (Status s = checkViewAtLeast(op.points(), what + " points",
                                  uint64_t(n) * uint64_t(op.dim()));
      !s.ok())
    return s;
  int64_t kept = 1;
  if (Status s = checkTileRanks(op.tile_ranks(),
                                (n + op.tile_rows() - 1) / op.tile_rows(), what,
                                &kept);
      !s.ok())
    return s;
  if (op.keep_tiles() && !op.tile_ranks())
    return fail(what + " keeps tiles without tile_ranks");
  if (!op.keep_tiles())
    kept = 1;
  // kept ≤ ceil(n / tile_rows) and n, tile_rows ≤ INT_MAX: no overflow.
  if (Status s = checkViewAtLeast(op.tile(), what + " tile",
                                  uint64_t(kept) * uint64_t(op.tile_rows()) *
                                      uint64_t(n));
      !s.ok())
    return s;
  uint32_t numKernels = root.kernels() ? root.kernels()->size() : 0;
  if (op.recursion() >= numKernels)
    return fail(what + " recursion is kernel " +
                std::to_string(op.recursion()) + " but the artifact declares " +
                std::to_string(numKernels) + " kernels");
  if (Status s = checkArgs(op.args(), what + " argument "); !s.ok())
    return s;
  uint32_t tileArgs = 0;
  if (op.args())
    for (uint64_t offset : *op.args())
      tileArgs += offset == op.tile()->offset();
  if (tileArgs != 1)
    return fail(what + ": " + std::to_string(tileArgs) +
                " recursion arguments are the tile (offset " +
                std::to_string(op.tile()->offset()) + "), expected exactly 1");
  return {};
}

Status Checker::checkKrylov(const fbs::Krylov &k,
                            const std::string &where) const {
  if (k.mode() > fbs::KrylovMode::MAX)
    return fail(where + ": unknown Krylov mode " +
                std::to_string(int(k.mode())));
  bool gradient = k.mode() != fbs::KrylovMode::Action;
  bool value = k.mode() != fbs::KrylovMode::Gradient;
  if (!std::isfinite(k.cotangent_scale()))
    return fail(where + ": Krylov cotangent_scale is not finite");
  if (k.n() <= 0 || k.columns() <= 0 || k.max_blocks() <= 0 ||
      (gradient && k.rank() <= 0))
    return fail(where + ": Krylov sizes must be positive");
  if (!(k.lambda() > 0) || !(k.tol() > 0))
    return fail(where + ": Krylov lambda and tol must be positive");
  // The sizes go to BLAS as ints (runtime/src/Krylov.cpp).
  if (k.n() > INT_MAX || k.columns() > INT_MAX || k.max_blocks() > INT_MAX ||
      k.rank() > INT_MAX)
    return fail(where + ": Krylov sizes exceed the BLAS integer range");
  uint64_t n = uint64_t(k.n()), c = uint64_t(k.columns());
  uint64_t width = gradient ? 2 * c : c;
  uint64_t rank = gradient ? uint64_t(k.rank()) : 0;
  struct {
    const fbs::View *view;
    const char *what;
    std::vector<uint64_t> size;
    bool used;
  } views[] = {
      {k.kernel(), "kernel", {n, n}, !k.operator_()}, // not stored if set
      {k.rhs(), "rhs", {n, c}, true},
      {k.cotangent(), "cotangent", {n, c}, gradient},
      {k.basis(), "basis", {n, width, uint64_t(k.max_blocks()) + 1}, true},
      {k.block(), "block", {n, width}, true},
      {k.out(), "out", {n, c}, value},
      {k.factor_a(), "factor_a", {n, rank}, gradient},
      {k.factor_b(), "factor_b", {n, rank}, gradient},
      {k.stats(), "stats", {2}, true}};
  for (auto &v : views) {
    if (!v.used)
      continue;
    uint64_t elements;
    if (!checkedProduct(v.size, elements))
      return fail(where + ": Krylov " + v.what +
                  " size overflows 64 bits (n = " + std::to_string(k.n()) +
                  ", columns = " + std::to_string(k.columns()) +
                  ", max_blocks = " + std::to_string(k.max_blocks()) +
                  ", rank = " + std::to_string(k.rank()) + ")");
    if (Status s = checkViewAtLeast(v.view, where + ": Krylov " + v.what,
                                    elements);
        !s.ok())
      return s;
  }
  if (k.operator_())
    return checkKernelOperator(*k.operator_(), k.n(), where);
  return {};
}

Status Checker::checkDenseRanks(const fbs::DenseRanks &d,
                                const std::string &where) const {
  std::string what = where + ": dense over ranks";
  int64_t ranks = root.ranks();
  if (ranks <= 1)
    return fail(what + " in an artifact compiled for one process");
  if (d.n() <= 0 || d.tile_rows() <= 0 || d.n() > INT_MAX ||
      d.tile_rows() > INT_MAX)
    return fail(what + ": n and tile_rows must be positive ints (got " +
                std::to_string(d.n()) + ", " + std::to_string(d.tile_rows()) +
                ")");
  uint64_t n = uint64_t(d.n());
  // Rows of the most tiles one rank holds (tile t on rank t mod P), ≤ n + T.
  auto slotRows = [&](int64_t rows, int64_t tileRows) {
    int64_t tiles = (rows + tileRows - 1) / tileRows;
    return uint64_t((tiles + ranks - 1) / ranks) * uint64_t(tileRows);
  };
  uint64_t local = slotRows(d.n(), d.tile_rows()) * n;
  if (Status s = checkViewAtLeast(d.vectors(), what + " vectors", local);
      !s.ok())
    return s;
  if (Status s = checkViewAtLeast(d.values(), what + " values", n); !s.ok())
    return s;
  if (d.mode() == fbs::DenseRanksMode::Factor) {
    const fbs::KernelOperator *op = d.operator_();
    if (!op)
      return fail(what + " factor without its kernel operator");
    if (Status s = checkKernelOperator(*op, d.n(), where); !s.ok())
      return s;
    bool cyclic = op->keep_tiles() && op->tile_rows() == d.tile_rows() &&
                  op->tile_ranks();
    for (uint32_t t = 0; cyclic && t < op->tile_ranks()->size(); ++t)
      cyclic = op->tile_ranks()->Get(t) == int32_t(t % uint32_t(ranks));
    if (!cyclic)
      return fail(what + " factor needs the operator's kept row tiles of " +
                  std::to_string(d.tile_rows()) +
                  " rows, tile t on rank t mod " + std::to_string(ranks));
    DenseOverRanksWork need =
        denseOverRanksWork(d.n(), d.tile_rows(), int(ranks));
    if (Status s =
            checkViewAtLeast(d.work(), what + " work", uint64_t(need.work));
        !s.ok())
      return s;
    if (Status s = checkView(d.iwork(), what + " iwork", 4); !s.ok())
      return s;
    if (d.iwork()->elements() < uint64_t(need.iwork))
      return fail(what + " iwork holds " +
                  std::to_string(d.iwork()->elements()) + " integers, needs " +
                  std::to_string(need.iwork));
    return {};
  }
  if (d.columns() <= 0 || d.columns() > INT_MAX || !(d.lambda() > 0))
    return fail(what + ": columns and lambda must be positive");
  uint64_t block = n * uint64_t(d.columns());
  if (Status s = checkViewAtLeast(d.rhs(), what + " rhs", block); !s.ok())
    return s;
  if (d.mode() == fbs::DenseRanksMode::Action)
    return checkViewAtLeast(d.out(), what + " out", block);
  if (d.mode() != fbs::DenseRanksMode::GradientRows)
    return fail(what + ": unknown mode " + std::to_string(int(d.mode())));
  if (Status s = checkViewAtLeast(d.cotangent(), what + " cotangent", block);
      !s.ok())
    return s;
  if (d.rows() <= 0 || d.row_offset() < 0 ||
      d.rows() > d.n() - d.row_offset() || d.out_tile_rows() <= 0 ||
      d.out_tile_rows() > INT_MAX)
    return fail(what + ": rows [" + std::to_string(d.row_offset()) + ", +" +
                std::to_string(d.rows()) + ") in tiles of " +
                std::to_string(d.out_tile_rows()) + " do not fit " +
                std::to_string(d.n()) + " points");
  if (Status s = checkViewAtLeast(d.out(), what + " out",
                                  slotRows(d.rows(), d.out_tile_rows()) * n);
      !s.ok())
    return s;
  return checkViewAtLeast(
      d.work(), what + " work",
      uint64_t(denseOverRanksWork(d.n(), d.tile_rows(), int(ranks)).work));
}

Status Checker::checkData() const {
  const fbs::DataSpec *data = root.data();
  if (!data)
    return fail("the data block is missing");
  switch (data->kind()) {
  case fbs::DataKind::GaussianGrid:
  case fbs::DataKind::GaussianRing:
    if (data->size() <= 0)
      return fail("synthetic data needs a positive size");
    if (!(data->std() >= 0))
      return fail("synthetic data needs a non-negative std");
    break;
  case fbs::DataKind::Npy:
  case fbs::DataKind::Idx:
  case fbs::DataKind::Images:
    if (!data->path() || data->path()->size() == 0)
      return fail("file data needs a path");
    break;
  default:
    return fail("unknown data kind " + std::to_string(int(data->kind())));
  }
  if (data->scale() != fbs::Scale::None && data->scale() != fbs::Scale::Unit)
    return fail("unknown data scale " + std::to_string(int(data->scale())));
  if (data->image_h() < 0 || data->image_w() < 0 || data->image_c() < 0)
    return fail("negative image dimensions");
  // The runtime multiplies the image shape (the grid plot, the data
  // loader's comparisons): its product must fit in int64. Whether it
  // matches dim is train()'s check (checkImageGrid), with its own message.
  int64_t h = data->image_h(), w = data->image_w(), c = data->image_c(), hwc;
  if (__builtin_mul_overflow(h, w, &hwc) || __builtin_mul_overflow(hwc, c, &hwc))
    return fail("the data's image shape " + std::to_string(h) + "x" +
                std::to_string(w) + "x" + std::to_string(c) +
                " (H x W x C) overflows 64 bits");
  return {};
}

Status Checker::run() {
  if (root.precision() != fbs::Precision::F32 &&
      root.precision() != fbs::Precision::F64)
    return fail("unknown precision " + std::to_string(int(root.precision())));
  bool kernelEntry = root.entry() == fbs::EntryKind::Kernel;
  if (root.n_real() <= 0 || root.n_fake() < (kernelEntry ? 0 : 1) ||
      root.dim() <= 0)
    return fail("n_real, n_fake and dim must be positive (got " +
                std::to_string(root.n_real()) + ", " +
                std::to_string(root.n_fake()) + ", " +
                std::to_string(root.dim()) + ")");
  if (root.arena_bytes() == 0)
    return fail("arena_bytes is zero");
  if (root.ranks() < 1 || root.ranks() > 65536)
    return fail("ranks must be between 1 and 65536 (got " +
                std::to_string(root.ranks()) + ")");

  // X, Z and (kernel entries) N x N: products checked, so that shapes
  // whose product wraps cannot match a small view.
  uint64_t realElems, fakeElems, pairElems;
  if (!checkedProduct({uint64_t(root.n_real()), uint64_t(root.dim())},
                      realElems) ||
      !checkedProduct({uint64_t(root.n_fake()), uint64_t(root.dim())},
                      fakeElems) ||
      !checkedProduct({uint64_t(root.n_real()), uint64_t(root.n_real())},
                      pairElems))
    return fail("n_real, n_fake and dim (" + std::to_string(root.n_real()) +
                ", " + std::to_string(root.n_fake()) + ", " +
                std::to_string(root.dim()) + ") give sizes that overflow 64 "
                "bits");
  // GA-NTKg: the latent rows and θ are views too, and grad is dL/dθ.
  const fbs::Generator *generator = root.generator();
  uint64_t latentElems = 0, paramElems = 0;
  if (generator) {
    if (kernelEntry)
      return fail("a kernel entry has no generator");
    Result<GeneratorShape> shape = generatorShape(root);
    if (!shape.ok())
      return fail("generator: " + shape.message());
    if (shape->outputs() != root.dim())
      return fail("generator: its last width " +
                  std::to_string(shape->outputs()) + " is not dim " +
                  std::to_string(root.dim()));
    // Widths ≤ 65536 each; the layer count is bounded by the file's size.
    if (!checkedProduct({uint64_t(root.n_fake()), uint64_t(shape->latent())},
                        latentElems))
      return fail("generator: the latent rows overflow 64 bits");
    paramElems = uint64_t(shape->paramCount());
    if (Status s = checkView(generator->latent(), "generator latent", elemSize);
        !s.ok())
      return s;
    if (Status s = checkView(generator->params(), "generator params", elemSize);
        !s.ok())
      return s;
    if (generator->latent()->elements() != latentElems ||
        generator->params()->elements() != paramElems)
      return fail("generator: the latent and params views hold " +
                  std::to_string(generator->latent()->elements()) + " and " +
                  std::to_string(generator->params()->elements()) +
                  " elements, expected " + std::to_string(latentElems) +
                  " and " + std::to_string(paramElems));
  }
  struct {
    const fbs::View *view;
    const char *what;
    uint64_t elements;
  } fixed[] = {{root.real(), "real", realElems},
               {root.fake(), "fake", fakeElems},
               {root.loss(), "loss", kernelEntry ? 0u : 1u},
               {root.grad(), "grad", generator ? paramElems : fakeElems},
               {root.ntk(), "ntk", kernelEntry ? pairElems : 0},
               {root.nngp(), "nngp", kernelEntry ? pairElems : 0}};
  for (auto &f : fixed) {
    if (f.elements == 0 && (!f.view || f.view->elements() == 0))
      continue; // not part of this entry kind
    if (Status s = checkView(f.view, f.what, elemSize); !s.ok())
      return s;
    if (f.view->elements() != f.elements)
      return fail(std::string(f.what) + " view holds " +
                  std::to_string(f.view->elements()) + " elements, expected " +
                  std::to_string(f.elements));
  }

  if (root.kernels())
    for (uint32_t i = 0; i < root.kernels()->size(); ++i) {
      const fbs::Kernel *k = root.kernels()->Get(i);
      if (!k->name() || k->name()->size() == 0)
        return fail("kernel " + std::to_string(i) + " has no name");
    }
  bool hasCpuCode = false;
  if (root.code())
    for (const fbs::CodeObject *c : *root.code())
      if (c->target() && c->target()->str() == kCpuTarget)
        hasCpuCode = c->blob() && c->blob()->size() > 0;
  if (root.kernels() && root.kernels()->size() > 0 && !hasCpuCode)
    return fail(std::string("no non-empty code object for target '") +
                kCpuTarget + "'");

  if (!root.commands())
    return fail("the command list is missing");
  for (uint32_t i = 0; i < root.commands()->size(); ++i) {
    const fbs::CommandEntry *entry = root.commands()->Get(i);
    std::string where = "command " + std::to_string(i);
    if (entry->label())
      where += " (" + entry->label()->str() + ")";
    Status s = visitCommand(
        *entry,
        Overloaded{
            [&](const fbs::Gemm &g) { return checkGemm(g, where, i); },
            [&](const fbs::Syevd &e) { return checkSyevd(e, where); },
            [&](const fbs::Dispatch &d) { return checkDispatch(d, where); },
            [&](const fbs::Krylov &k) { return checkKrylov(k, where); },
            [&](const fbs::RowTiles &r) { return checkRowTiles(r, where, i); },
            [&](const fbs::DenseRanks &d) { return checkDenseRanks(d, where); },
            [&](UnknownCommand) -> Status {
              return fail(where + ": unknown or missing command type");
            }});
    if (!s.ok())
      return s;
    if (entry->results())
      for (uint32_t r = 0; r < entry->results()->size(); ++r)
        if (Status s = checkView(entry->results()->Get(r),
                                 where + ": result " + std::to_string(r),
                                 elemSize);
            !s.ok())
          return s;
  }

  if (Status s = checkData(); !s.ok())
    return s;
  const fbs::TrainSpec *train = root.train();
  if (!train)
    return fail("the train block is missing");
  if (train->optimizer() != fbs::OptimizerKind::GD &&
      train->optimizer() != fbs::OptimizerKind::Adam)
    return fail("unknown optimizer " + std::to_string(int(train->optimizer())));
  if (train->init() != fbs::InitKind::Uniform &&
      train->init() != fbs::InitKind::Normal)
    return fail("unknown init " + std::to_string(int(train->init())));
  if (train->steps() < 0)
    return fail("negative step count");
  if (train->clip() && !(train->clip_lo() <= train->clip_hi()))
    return fail("clip_lo is greater than clip_hi");
  if (train->real_rows() != 0 || train->fake_rows() != 0 || train->epoch()) {
    // Batch-wise: the whole X and Z hold at least the step's rows, and the
    // runtime allocates them (their products checked like the step's).
    uint64_t wholeX, wholeZ;
    if (kernelEntry || train->real_rows() < root.n_real() ||
        train->fake_rows() < root.n_fake() ||
        !checkedProduct({uint64_t(train->real_rows()), uint64_t(root.dim()),
                         8},
                        wholeX) ||
        !checkedProduct({uint64_t(train->fake_rows()), uint64_t(root.dim()),
                         8},
                        wholeZ))
      return fail("batch-wise rows: real_rows " +
                  std::to_string(train->real_rows()) + " and fake_rows " +
                  std::to_string(train->fake_rows()) +
                  " must hold the step's " + std::to_string(root.n_real()) +
                  " and " + std::to_string(root.n_fake()) +
                  " rows of a training step");
  }
  if (!root.output())
    return fail("the output block is missing");
  fbs::PlotKind plot = root.output()->plot();
  if (plot != fbs::PlotKind::None && plot != fbs::PlotKind::Scatter &&
      plot != fbs::PlotKind::Grid)
    return fail("unknown plot kind " + std::to_string(int(plot)));
  return {};
}

Result<Artifact> Artifact::loadBytes(std::vector<uint8_t> bytes,
                                     std::string name) {
  auto corrupt = [&](const std::string &what) {
    return makeError(ErrorCode::DataLoss, name + ": " + what);
  };
  if (bytes.size() < 8)
    return corrupt("not a gantk artifact (only " +
                   std::to_string(bytes.size()) + " bytes)");
  if (!fbs::ArtifactBufferHasIdentifier(bytes.data())) {
    std::string id(reinterpret_cast<const char *>(bytes.data()) + 4, 4);
    for (char &c : id)
      if (c < 32 || c > 126)
        c = '?';
    return corrupt("not a gantk artifact (file identifier '" + id +
                   "', expected '" + fbs::ArtifactIdentifier() + "')");
  }
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  if (!fbs::VerifyArtifactBuffer(verifier))
    return corrupt("corrupt or truncated artifact (FlatBuffers verification "
                   "failed)");
  const fbs::Artifact *root = fbs::GetArtifact(bytes.data());
  if (root->format_version() != kArtifactFormatVersion)
    return corrupt(
        "unsupported artifact format_version " +
        std::to_string(root->format_version()) + " (this runtime reads " +
        std::to_string(kArtifactFormatVersion) + "); recompile the spec");
  if (Status s = Checker(*root, name).run(); !s.ok())
    return s.error();
  return Artifact(std::move(bytes), std::move(name));
}

std::vector<uint8_t> gantk::sealArtifact(std::vector<uint8_t> buffer) {
  Digest digest = sha256(buffer.data(), buffer.size());
  buffer.insert(buffer.end(), kDigestTag, kDigestTag + 8);
  buffer.insert(buffer.end(), digest.begin(), digest.end());
  return buffer;
}

std::string Artifact::digest() const {
  return toHex(sha256(bytes.data(), bytes.size()));
}

Result<Artifact> Artifact::loadFile(const std::string &path,
                                    const std::string &expectDigest) {
  Result<std::vector<uint8_t>> file = readFile(path);
  if (!file.ok())
    return makeError(file.error().code,
                     file.message() + " (the artifact to run)");
  std::vector<uint8_t> &bytes = *file;
  // The digest first: a damaged or altered file is refused before any of
  // it is interpreted.
  size_t body = bytes.size() - std::min(bytes.size(), kDigestTrailerBytes);
  if (bytes.size() < kDigestTrailerBytes ||
      std::memcmp(bytes.data() + body, kDigestTag, 8) != 0) {
    bool flatbuffer = bytes.size() >= 8 &&
                      fbs::ArtifactBufferHasIdentifier(bytes.data());
    return makeError(ErrorCode::DataLoss,
                     path + (flatbuffer
                                 ? ": no SHA-256 trailer: truncated, or "
                                   "written by an older gantk (recompile "
                                   "the spec)"
                                 : ": not a gantk artifact (no SHA-256 "
                                   "trailer)"));
  }
  Digest stored;
  std::memcpy(stored.data(), bytes.data() + body + 8, stored.size());
  Digest actual = sha256(bytes.data(), body);
  if (actual != stored)
    return makeError(ErrorCode::DataLoss,
                     path + ": the artifact does not match its SHA-256 "
                            "(damaged or altered after it was written)");
  if (!expectDigest.empty() && toHex(actual) != expectDigest)
    return makeError(ErrorCode::InvalidArgument,
                     path + ": its SHA-256 is " + toHex(actual) +
                         ", not the expected " + expectDigest);
  bytes.resize(body);
  return loadBytes(std::move(bytes), path);
}

size_t Artifact::elementSize() const {
  return root().precision() == fbs::Precision::F64 ? 8 : 4;
}

const fbs::CodeObject *Artifact::cpuCode() const {
  if (!root().code())
    return nullptr;
  for (const fbs::CodeObject *c : *root().code())
    if (c->target() && c->target()->str() == kCpuTarget && c->blob())
      return c;
  return nullptr;
}

namespace {
/// The compute capability of a PTX target ("nvptx64-sm_90" -> 90), or -1.
int ptxTargetSm(const fbs::CodeObject *c) {
  if (!c->target() || !c->blob() || c->blob()->size() == 0)
    return -1;
  const std::string target = c->target()->str();
  const std::string prefix = kPtxTargetPrefix;
  if (target.compare(0, prefix.size(), prefix) != 0 ||
      target.size() == prefix.size() || target.size() > prefix.size() + 4)
    return -1;
  int sm = 0;
  for (size_t i = prefix.size(); i < target.size(); ++i) {
    if (target[i] < '0' || target[i] > '9')
      return -1;
    sm = sm * 10 + (target[i] - '0');
  }
  return sm;
}
} // namespace

bool Artifact::hasPtx() const {
  if (root().code())
    for (const fbs::CodeObject *c : *root().code())
      if (ptxTargetSm(c) >= 0)
        return true;
  return false;
}

bool Artifact::matrixFree() const {
  auto recomputesK =
      Overloaded{[](const fbs::Gemm &) { return false; },
                 [](const fbs::Syevd &) { return false; },
                 [](const fbs::Dispatch &) { return false; },
                 [](const fbs::Krylov &k) { return k.operator_() != nullptr; },
                 [](const fbs::RowTiles &) { return true; },
                 [](const fbs::DenseRanks &) { return true; },
                 [](UnknownCommand) { return false; }};
  for (const fbs::CommandEntry *entry : *root().commands())
    if (visitCommand(*entry, recomputesK))
      return true;
  return false;
}

Result<const fbs::CodeObject *> Artifact::ptxFor(int sm) const {
  const fbs::CodeObject *best = nullptr;
  int bestSm = -1;
  std::string targets;
  if (root().code())
    for (const fbs::CodeObject *c : *root().code()) {
      if (c->target())
        targets += (targets.empty() ? "" : ", ") + c->target()->str();
      int target = ptxTargetSm(c);
      if (target >= 0 && target <= sm && target > bestSm) {
        best = c;
        bestSm = target;
      }
    }
  if (best)
    return best;
  if (targets.empty())
    targets = "none";
  if (!hasPtx())
    return makeError(ErrorCode::FailedPrecondition,
                     name() + ": the artifact has no GPU code (code objects: " +
                         targets + "); compile it with --target=cuda");
  return makeError(ErrorCode::FailedPrecondition,
                   name() + ": no PTX this GPU can run: the device is sm_" +
                       std::to_string(sm) + ", the artifact has " + targets +
                       "; compile for an older sm");
}

Result<GeneratorShape> gantk::generatorShape(const fbs::Artifact &root) {
  const fbs::Generator *g = root.generator();
  if (!g)
    return makeError(ErrorCode::InvalidArgument,
                     "the artifact has no generator (its spec has no "
                     "'generator' block)");
  std::vector<int64_t> widths;
  if (g->widths())
    widths.assign(g->widths()->begin(), g->widths()->end());
  std::vector<std::string> acts;
  if (g->activations())
    for (fbs::Activation a : *g->activations()) {
      // The schema's names in lower case; an unknown value has none.
      std::string name = a >= fbs::Activation::MIN && a <= fbs::Activation::MAX
                             ? fbs::EnumNameActivation(a)
                             : "#" + std::to_string(int(a));
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return char(std::tolower(c)); });
      acts.push_back(name);
    }
  return GeneratorShape::make(std::move(widths), std::move(acts));
}
