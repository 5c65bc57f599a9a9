//===- OutlineKernels.cpp - elementwise work as loop-nest kernels ---------===//
//
// Each elementwise or per-pair op becomes a private function on memrefs
//   @k(operands..., results..., %begin: index, %end: index)
// whose outer loop runs over rows [begin, end): the runtime spreads rows over
// threads on the CPU (and the same loop nest maps to GPU blocks). The op is
// replaced by gantk.dispatch of that function.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "MapKernels.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

#include <cmath>

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_OUTLINEKERNELSPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {

/// out[r + a, c + b] = in[r' + b, c' + a] for a, b < 8 (in at {r', c'}, out
/// at {r, c}): eight vector loads of 8 elements, the transpose in three
/// rounds of two-input shuffles (interleave, pairs, halves: what x86 does in
/// registers), eight vector stores. LLVM left the element-wise copy scalar,
/// a cache miss per column read (gram_blocks at n = 2048, f32: 8.2–8.8 →
/// 3.2–3.4 ms).
void transposeBlock(KernelBody &k, Value in, ArrayRef<Value> from, Value out,
                    ArrayRef<Value> to) {
  constexpr int64_t width = 8;
  auto type = VectorType::get({width}, k.element);
  SmallVector<Value, width> v;
  for (int64_t a = 0; a < width; ++a)
    v.push_back(vector::LoadOp::create(k.b, k.loc, type, in,
                                       {k.addIndex(from[0], a), from[1]}));
  // One round: results 2p and 2p + 1 shuffle the p-th pair of inputs with
  // the low and the high mask.
  auto round = [&](ArrayRef<std::pair<int, int>> inputs, ArrayRef<int64_t> low,
                   ArrayRef<int64_t> high) {
    SmallVector<Value, width> next;
    for (auto [x, y] : inputs)
      for (ArrayRef<int64_t> mask : {low, high})
        next.push_back(vector::ShuffleOp::create(k.b, k.loc, v[x], v[y], mask));
    v = next;
  };
  // Interleave the rows pairwise (rows 0 1 → 0 8 1 9 4 12 5 13, …).
  round({{0, 1}, {2, 3}, {4, 5}, {6, 7}}, {0, 8, 1, 9, 4, 12, 5, 13},
        {2, 10, 3, 11, 6, 14, 7, 15});
  // Then pairs of those (0, 2), (1, 3), (4, 6), (5, 7).
  round({{0, 2}, {1, 3}, {4, 6}, {5, 7}}, {0, 1, 8, 9, 4, 5, 12, 13},
        {2, 3, 10, 11, 6, 7, 14, 15});
  // Then the 4-element halves: row a of the result.
  SmallVector<Value, width> rowsOut(width);
  for (int64_t a = 0; a < 4; ++a) {
    rowsOut[a] = vector::ShuffleOp::create(k.b, k.loc, v[a], v[a + 4],
                                           {0, 1, 2, 3, 8, 9, 10, 11});
    rowsOut[a + 4] = vector::ShuffleOp::create(k.b, k.loc, v[a], v[a + 4],
                                               {4, 5, 6, 7, 12, 13, 14, 15});
  }
  for (int64_t a = 0; a < width; ++a)
    vector::StoreOp::create(k.b, k.loc, rowsOut[a], out,
                            {k.addIndex(to[0], a), to[1]});
}

/// Inlines a per-pair body on the given scalars and returns what it yields.
/// Its scratch buffers (the tapes of repeated layers) are allocated once at
/// the kernel's entry, not once per pair.
SmallVector<Value> inlinePairBody(KernelBody &k, Block &body, ValueRange in) {
  IRMapping map;
  map.map(body.getArguments(), in);
  for (Operation &op : body.without_terminator()) {
    if (isa<memref::AllocaOp>(op)) {
      OpBuilder::InsertionGuard guard(k.b);
      k.b.setInsertionPointToStart(k.entry);
      k.b.clone(op, map);
      continue;
    }
    k.b.clone(op, map);
  }
  SmallVector<Value> out;
  for (Value v : body.getTerminator()->getOperands())
    out.push_back(map.lookup(v));
  return out;
}

/// A generator activation of x (tanh and the sigmoid from exp, which
/// every target lowers).
Value activate(ScalarBuilder &s, StringRef act, Value x) {
  if (act == "relu")
    return s.max(x, s.c(0));
  if (act == "tanh") // 1 − 2 / (e^{2x} + 1): ±1 where e^{2x} overflows or is 0
    return s.sub(s.c(1), s.div(s.c(2), s.add(s.exp(s.mul(s.c(2), x)), s.c(1))));
  if (act == "sigmoid")
    return s.div(s.c(1), s.add(s.c(1), s.exp(s.neg(x))));
  return x;
}

/// act'(x) from a = act(x).
Value activationSlope(ScalarBuilder &s, StringRef act, Value a) {
  if (act == "relu")
    return s.select(s.cmp(arith::CmpFPredicate::OGT, a, s.c(0)), s.c(1),
                    s.c(0));
  if (act == "tanh")
    return s.sub(s.c(1), s.mul(a, a));
  if (act == "sigmoid")
    return s.mul(a, s.sub(s.c(1), a));
  return s.c(1);
}

/// True when `op` is the last reader of `v`, which owns its buffer (the
/// result of a compute op, not an argument or a view): the op may then
/// overwrite it.
bool lastReader(Value v, Operation *op) {
  Operation *def = v.getDefiningOp();
  // A value from outside a row_tiles body is whole, not this tile's.
  if (!def || isa<StackOp, tensor::ExtractSliceOp>(def) ||
      def->getBlock() != op->getBlock())
    return false;
  return llvm::all_of(v.getUsers(), [&](Operation *user) {
    return user == op || user->isBeforeInBlock(op);
  });
}

/// K[i, j] = body(G[i, j], v_i, v_j) for j >= i (K symmetric) on the rows
/// [begin, end) — of the whole matrix, or of the row tile a matrix-free
/// operator passes (it rebases the pointer so that row indices stay global).
/// With a c × c corner (arguments g, v, corner, out) row i copies the
/// corner's j in [i, c) and runs the body from max(i, c) on: a real row's
/// pairs with the other real rows were made once, before the first step.
BodyFn pairwiseBody(Block *pairBody, bool inPlace, bool withCorner = false) {
  return [pairBody, inPlace, withCorner](KernelBody &k, ScalarBuilder &s) {
    Value g = k.args[0], v = k.args[1];
    Value corner = withCorner ? k.args[2] : Value();
    Value out = inPlace ? g : k.args[withCorner ? 3 : 2];
    k.loop(k.begin, k.end, [&](Value i) {
      Value vi = k.load(v, i);
      Value first = i;
      if (corner) {
        Value c = k.index(k.dim(corner, 0));
        k.loop(i, c,
               [&](Value j) { k.store(k.load(corner, {i, j}), out, {i, j}); });
        first = k.max(i, c);
      }
      k.markPairs(k.loop(first, k.index(k.dim(g, 1)), [&](Value j) {
        Value r = inlinePairBody(k, *pairBody,
                                 {k.load(g, {i, j}), vi, k.load(v, j)})[0];
        k.store(r, out, {i, j});
      }));
    });
  };
}

/// How a pairwise_grad's operands hold its R rows [offset, offset + R) of
/// N: G and the cotangent each come as all N rows or as just the R rows,
/// and a recomputed row block of the cotangent can take dG in place (one
/// pointer, so the loop still vectorises).
struct GradRows {
  int64_t offset, range;
  bool gramRows, cotangentRows, inPlace;

  explicit GradRows(PairwiseGradOp grad)
      : offset(grad.getRowOffset()),
        range(grad.getGramGrad().getType().getDimSize(0)) {
    int64_t n = grad.getGram().getType().getDimSize(1);
    gramRows = grad.getGram().getType().getDimSize(0) == range && range != n;
    cotangentRows =
        grad.getCotangent().getType().getDimSize(0) == range && range != n;
    inPlace = cotangentRows && lastReader(grad.getCotangent(), grad);
  }
};

/// Row i of pairwise_grad (arguments g, v, c, dg, dv): dG[i, j] and
/// dv_i = 2 Σ_j ∂/∂q11 over the pairs j of the whole row, or, with
/// `foldPairs`, over the real columns [0, o) and j >= o + i only, each
/// pair's q22-adjoint stored over the G entry it read (see
/// outlineSymmetricGrad).
BodyFn pairwiseGradBody(Block *pairBody, GradRows rows, bool foldPairs) {
  return [pairBody, rows, foldPairs](KernelBody &k, ScalarBuilder &s) {
    Value g = k.args[0], v = k.args[1], c = k.args[2],
          dg = rows.inPlace ? c : k.args[3], dv = k.args[4];
    k.loop(k.begin, k.end, [&](Value i) {
      // Local row i is row i + offset of the whole matrix.
      Value gi = k.addIndex(i, rows.offset);
      Value gRow = rows.gramRows ? i : gi;
      Value cRow = rows.cotangentRows ? i : gi;
      Value vi = k.load(v, gi);
      auto pairs = [&](Value first, Value last, Value init, bool keepQ22) {
        scf::ForOp loop =
            k.reduceLoop(first, last, init, [&](Value j, Value a) {
              SmallVector<Value> d =
                  inlinePairBody(k, *pairBody,
                                 {k.load(g, {gRow, j}), vi, k.load(v, j),
                                  k.load(c, {cRow, j})});
              k.store(d[0], dg, {i, j});
              if (keepQ22)
                k.store(d[2], g, {gRow, j});
              return s.addReassoc(a, d[1]);
            });
        k.markPairs(loop);
        return loop.getResult(0);
      };
      Value zero = k.index(0), n = k.index(k.dim(g, 1));
      Value sum = s.c(0);
      if (foldPairs) {
        sum = pairs(zero, k.index(rows.offset), sum, false);
        sum = pairs(gi, n, sum, true);
      } else {
        sum = pairs(zero, n, sum, false);
      }
      k.store(s.mul(s.c(2), sum), dv, i);
    });
  };
}

class Outliner {
public:
  Outliner(ModuleOp module) : kernels(module) {}

  LogicalResult run(func::FuncOp fn) {
    SmallVector<DispatchOp> symmetric;
    if (failed(outlineMapKernels(kernels, fn, symmetric)))
      return failure();
    // Before the per-pair ops below become dispatches: how they read G.
    markUpperOnlyGramRows(fn);
    for (DispatchOp dispatch : symmetric)
      if (readsLowerTriangle(dispatch.getResult(0)))
        mirrorUpperTriangle(
            dispatch.getResult(0),
            cast<FloatType>(getElementTypeOrSelf(dispatch.getResult(0).getType())));
    SmallVector<Operation *> ops;
    fn.walk([&](Operation *op) {
      if (isa<PairwiseOp, PairwiseGradOp, DiagOp, GramDiagOp, GramBlocksOp,
              AddDiagOp, SetRowDiagOp, AddTraceDiagOp, AddFactorTraceOp,
              ExpScaleOp, DaleckiiKreinOp, LabelsOp, LossOp, LossGradOp,
              LossGradConstOp, LossSumOp, AddOp, AvgPoolOp, AvgPoolTransposeOp,
              BiasActOp, ActGradOp, ColumnSumOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops)
      if (failed(outline(op)))
        return failure();
    fn.walk([&](KernelOperatorOp op) { outlineRecursion(op); });
    return success();
  }

private:
  /// A matrix-free operator keeps its op (the runtime drives the tiles) and
  /// gets its per-pair body as a kernel on the virtual N × N matrix: the
  /// in-place pairwise kernel, run on one row tile at a time.
  void outlineRecursion(KernelOperatorOp op) {
    if (op.getRecursion())
      return; // on maps: outlined with the map kernels
    auto element = op.getType().getElementType();
    int64_t n = op.getType().getSize();
    auto matrix = RankedTensorType::get({n, n}, element);
    func::FuncOp fn =
        kernels.create("recursion_kernel", op.getLoc(), element,
                     {matrix, op.getDiag().getType()},
                     pairwiseBody(&op.getBody().front(), /*inPlace=*/true));
    op.setRecursionAttr(FlatSymbolRefAttr::get(fn));
    op.getBody().getBlocks().clear();
  }

  LogicalResult outline(Operation *op) {
    auto element = cast<FloatType>(
        cast<ShapedType>(op->getResult(0).getType()).getElementType());
    // Rows of the first operand (labels have none: their result).
    Value shaped = op->getNumOperands() ? op->getOperand(0) : op->getResult(0);
    auto shapedType = cast<ShapedType>(shaped.getType());
    int64_t n = shapedType.getRank() ? shapedType.getDimSize(0) : 1;
    // range, parallel, tied operand per result, body
    int64_t range = n;
    bool parallel = true;
    SmallVector<int64_t> tied(op->getNumResults(), -1);
    bool inPlace = false, symmetric = false;
    // [operand, byte offset]: that operand lives inside the result.
    SmallVector<int64_t> operandInside;
    BodyFn body;
    // The loop nests below load and store one number per pair.
    if (auto pairwise = dyn_cast<PairwiseOp>(op);
        pairwise && pairwise.getPairType() != element)
      return op->emitOpError("per-pair values of type ")
             << pairwise.getPairType() << " have no kernel lowering yet";
    if (auto grad = dyn_cast<PairwiseGradOp>(op);
        grad && grad.getPairType() != element)
      return op->emitOpError("per-pair values of type ")
             << grad.getPairType() << " have no kernel lowering yet";

    if (auto pairwise = dyn_cast<PairwiseOp>(op)) {
      Block *pairBody = &pairwise.getBody().front();
      // K may overwrite G when nothing reads G afterwards (the Krylov path
      // recomputes the rows its backward needs): one N × N buffer less.
      inPlace = lastReader(pairwise.getGram(), op);
      if (inPlace)
        tied[0] = 0;
      // K is symmetric: only j >= i is computed here, and a mirror kernel
      // copies the upper triangle to the lower one afterwards (half the
      // pairs).
      symmetric = true;
      body = pairwiseBody(pairBody, inPlace, bool(pairwise.getCorner()));
    } else if (auto gramDiag = dyn_cast<GramDiagOp>(op)) {
      double alpha = gramDiag.getAlpha().convertToDouble();
      body = [alpha](KernelBody &k, ScalarBuilder &s) {
        Value points = k.args[0], out = k.args[1];
        k.loop(k.begin, k.end, [&](Value i) {
          Value sum = k.reduce(k.index(0), k.index(k.dim(points, 1)), s.c(0),
                               [&](Value c, Value acc) {
                                 Value x = k.load(points, {i, c});
                                 return s.addReassoc(acc, s.mul(x, x));
                               });
          k.store(s.mul(s.c(alpha), sum), out, i);
        });
      };
    } else if (auto grad = dyn_cast<PairwiseGradOp>(op);
               grad && foldsSymmetricPairs(grad)) {
      outlineSymmetricGrad(grad, element);
      return success();
    } else if (auto grad = dyn_cast<PairwiseGradOp>(op)) {
      // dG gets its own buffer (unless it can take the cotangent rows'):
      // writing over the cotangent would be correct but makes LLVM's
      // vectoriser fall back to scalar code (it cannot prove the exact
      // overlap safe), and the backward is below the eigensolver's peak
      // anyway.
      GradRows rows(grad);
      range = rows.range;
      inPlace = rows.inPlace;
      if (inPlace)
        tied[0] = 2;
      body = pairwiseGradBody(&grad.getBody().front(), rows,
                              /*foldPairs=*/false);
    } else if (isa<AvgPoolOp, AvgPoolTransposeOp>(op)) {
      // Row i's image, pooled (or the pool's transpose: spread back).
      bool transpose = isa<AvgPoolTransposeOp>(op);
      auto image = op->getAttrOfType<DenseI64ArrayAttr>("image").asArrayRef();
      std::string error;
      WindowGeometry g = *WindowGeometry::get(
          image.take_front(2),
          op->getAttrOfType<DenseI64ArrayAttr>("window").asArrayRef(),
          op->getAttrOfType<DenseI64ArrayAttr>("stride").asArrayRef(),
          op->getAttrOfType<PaddingAttr>("padding").getValue(), error);
      int64_t channels = image[2], width = image[1], pooledWidth = g.cols.out;
      body = [g, transpose, channels, width, pooledWidth](KernelBody &k,
                                                          ScalarBuilder &s) {
        Value in = k.args[0], out = k.args[1];
        Value share = s.c(1.0 / double(g.taps()));
        auto at = [&](Value h, Value w, int64_t w0, Value c) {
          return k.addIndex(k.mulIndex(k.addIndex(k.mulIndex(h, w0), w),
                                       channels),
                            c);
        };
        k.loop(k.begin, k.end, [&](Value i) {
          k.positionLoop(k.index(0), k.index(k.dim(out, 1)), [&](Value p) {
            k.store(s.c(0), out, {i, p});
          });
          forWindowTaps(k, g, [&](Value h, Value w, Value sh, Value sw) {
            k.positionLoop(k.index(0), k.index(channels), [&](Value c) {
              Value pooled = at(h, w, pooledWidth, c);
              Value full = at(sh, sw, width, c);
              Value from = transpose ? pooled : full;
              Value to = transpose ? full : pooled;
              Value sum = s.add(k.load(out, {i, to}),
                                s.mul(share, k.load(in, {i, from})));
              k.store(sum, out, {i, to});
            });
          });
        });
      };
    } else if (auto blocks = dyn_cast<GramBlocksOp>(op)) {
      // The Z rows already lie in G's last m rows (gantk.operand_inside:
      // the memory plan places them there, as a stack's operands): the
      // kernel writes the real rows, the corner row and then the row's
      // column of the Z rows (G is symmetric).
      int64_t real = blocks.getCorner().getType().getDimSize(0);
      range = real;
      bool diagonalOnly = blocks.getCornerDiagonalOnly();
      // One outer loop over tiles of 32 rows (one GPU thread each): the
      // corner rows (or their diagonal), then the transposed block in
      // 32 × 32 tiles, so that the column reads of the Z rows stay in cache
      // (as the mirror kernel); within a tile, 8 × 8 blocks go through
      // vector registers (transposeBlock), the edges element by element.
      body = [diagonalOnly](KernelBody &k, ScalarBuilder &) {
        Value corner = k.args[0], rows = k.args[1], out = k.args[2];
        int64_t real = k.dim(corner, 0), all = k.dim(out, 1);
        Value n = k.index(real), total = k.index(all);
        constexpr int64_t tile = 32, block = 8;
        // The columns [n, vectorEnd) come in whole blocks.
        Value vectorEnd = k.index(real + (all - real) / block * block);
        auto copyOne = [&](Value i, Value j) {
          Value zRow = arith::SubIOp::create(k.b, k.loc, j, n);
          k.store(k.load(rows, {zRow, i}), out, {i, j});
        };
        k.loop(k.begin, k.end, [&](Value ib) {
          Value iEnd = k.min(k.addIndex(ib, tile), k.end);
          k.loop(ib, iEnd, [&](Value i) {
            if (diagonalOnly) {
              k.store(k.load(corner, {i, i}), out, {i, i});
              return;
            }
            k.loop(k.index(0), n, [&](Value j) {
              k.store(k.load(corner, {i, j}), out, {i, j});
            });
          });
          // The tile's rows [ib, iBlocks) in whole blocks, [iBlocks, iEnd)
          // one by one.
          Value rest = arith::RemUIOp::create(
              k.b, k.loc, arith::SubIOp::create(k.b, k.loc, iEnd, ib),
              k.index(block));
          Value iBlocks = arith::SubIOp::create(k.b, k.loc, iEnd, rest);
          k.loop(
              n, vectorEnd,
              [&](Value jb) {
                Value jEnd = k.min(k.addIndex(jb, tile), vectorEnd);
                k.loop(
                    ib, iBlocks,
                    [&](Value i) {
                      k.loop(
                          jb, jEnd,
                          [&](Value j) {
                            Value zRow =
                                arith::SubIOp::create(k.b, k.loc, j, n);
                            transposeBlock(k, rows, {zRow, i}, out, {i, j});
                          },
                          block);
                    },
                    block);
              },
              tile);
          k.loop(iBlocks, iEnd, [&](Value i) {
            k.loop(n, vectorEnd, [&](Value j) { copyOne(i, j); });
          });
          k.loop(ib, iEnd, [&](Value i) {
            k.loop(vectorEnd, total, [&](Value j) { copyOne(i, j); });
          });
        }, tile);
      };
      int64_t rowBytes = blocks.getType().getDimSize(1) *
                         element.getWidth() / 8;
      operandInside = {1, real * rowBytes};
    } else if (isa<DiagOp>(op)) {
      body = [](KernelBody &k, ScalarBuilder &) {
        k.loop(k.begin, k.end,
               [&](Value i) { k.store(k.load(k.args[0], {i, i}), k.args[1], i); });
      };
    } else if (auto setDiag = dyn_cast<SetRowDiagOp>(op)) {
      // Only the diagonal changes; a copy first when not in place.
      tied[0] = 0;
      inPlace = lastReader(setDiag.getInput(), op);
      int64_t offset = setDiag.getRowOffset();
      int64_t n = setDiag.getType().getDimSize(1);
      body = [offset, n, inPlace](KernelBody &k, ScalarBuilder &) {
        Value a = k.args[0], v = k.args[1], out = inPlace ? a : k.args[2];
        k.loop(k.begin, k.end, [&](Value i) {
          if (!inPlace)
            k.loop(k.index(0), k.index(n),
                   [&](Value j) { k.store(k.load(a, {i, j}), out, {i, j}); });
          Value column = k.addIndex(i, offset);
          k.store(k.load(v, column), out, {i, column});
        });
      };
    } else if (auto addDiag = dyn_cast<AddDiagOp>(op)) {
      tied[0] = 0;
      // In place only the diagonal changes: no pass over the whole matrix.
      inPlace = lastReader(addDiag.getInput(), op);
      int64_t offset = addDiag.getRowOffset();
      body = [offset, inPlace](KernelBody &k, ScalarBuilder &s) {
        Value a = k.args[0], v = k.args[1], out = inPlace ? a : k.args[2];
        k.loop(k.begin, k.end, [&](Value i) {
          k.addAtColumn(a, out, i, k.addIndex(i, offset), k.load(v, i));
        });
      };
    } else if (auto shift = dyn_cast<AddTraceDiagOp>(op)) {
      // The trace needs every row first: one serial pass.
      range = 1;
      parallel = false;
      tied[0] = 0;
      inPlace = lastReader(shift.getInput(), op);
      double scale = shift.getScale().convertToDouble();
      body = [scale, n, inPlace](KernelBody &k, ScalarBuilder &s) {
        Value a = k.args[0], out = inPlace ? a : k.args[1];
        Value trace = k.reduce(k.index(0), k.index(n), s.c(0),
                               [&](Value i, Value acc) {
                                 return s.add(acc, k.load(a, {i, i}));
                               });
        Value shiftBy = s.mul(s.c(scale), trace);
        k.loop(k.index(0), k.index(n),
               [&](Value i) { k.addAtColumn(a, out, i, i, shiftBy); });
      };
    } else if (auto shift = dyn_cast<AddFactorTraceOp>(op)) {
      // tr(A Bᵀ) needs every row of the factors: each row range sums it
      // (O(N·rank)), so the rows can run in parallel and in row tiles. The
      // sum may be reassociated, so that it runs on vectors: a chain of
      // scalar adds made the kernel 0.26 ms of a 15 ms step at n = 512.
      tied[0] = 0;
      inPlace = lastReader(shift.getInput(), op);
      double scale = shift.getScale().convertToDouble();
      int64_t offset = shift.getRowOffset();
      body = [scale, offset, inPlace](KernelBody &k, ScalarBuilder &s) {
        Value m = k.args[0], a = k.args[1], bm = k.args[2],
              out = inPlace ? m : k.args[3];
        int64_t cols = k.dim(m, 1), rank = k.dim(a, 1);
        Value trace = k.reduce(
            k.index(0), k.index(cols), s.c(0), [&](Value i, Value acc) {
              return k.reduce(k.index(0), k.index(rank), acc,
                              [&](Value c, Value acc2) {
                                return s.addReassoc(
                                    acc2, s.mul(k.load(a, {i, c}),
                                                k.load(bm, {i, c})));
                              });
            });
        Value shiftBy = s.mul(s.c(scale), trace);
        k.loop(k.begin, k.end, [&](Value i) {
          k.addAtColumn(m, out, i, k.addIndex(i, offset), shiftBy);
        });
      };
    } else if (auto scale = dyn_cast<ExpScaleOp>(op)) {
      double lambda = scale.getLambda().convertToDouble();
      body = [lambda](KernelBody &k, ScalarBuilder &s) {
        Value mu = k.args[0], rhs = k.args[1], out = k.args[2];
        k.loop(k.begin, k.end, [&](Value i) {
          Value f = s.exp(s.mul(s.c(-lambda), s.max(k.load(mu, i), s.c(0))));
          k.loop(k.index(0), k.index(k.dim(rhs, 1)), [&](Value c) {
            k.store(s.mul(f, k.load(rhs, {i, c})), out, {i, c});
          });
        });
      };
    } else if (auto dk = dyn_cast<DaleckiiKreinOp>(op)) {
      double lambda = dk.getLambda().convertToDouble();
      body = [lambda](KernelBody &k, ScalarBuilder &s) {
        Value mu = k.args[0], a = k.args[1], bm = k.args[2], out = k.args[3];
        int64_t cols = k.dim(a, 1), n = k.dim(out, 1);
        k.loop(k.begin, k.end, [&](Value i) {
          Value mi = s.max(k.load(mu, i), s.c(0));
          k.loop(k.index(0), k.index(n), [&](Value j) {
            Value mj = s.max(k.load(mu, j), s.c(0));
            // F = −λ e^{−λ min(μi, μj)} g(λ|μi − μj|), g(x) = −expm1(−x)/x,
            // g(0) = 1: stable for close and for far-apart eigenvalues.
            Value x = s.mul(s.c(lambda), s.abs(s.sub(mi, mj)));
            Value tiny = s.cmp(arith::CmpFPredicate::OLT, x, s.c(1e-12));
            Value g = s.select(
                tiny, s.sub(s.c(1), s.mul(s.c(0.5), x)),
                s.div(s.neg(s.expm1(s.neg(x))), s.max(x, s.c(1e-300))));
            Value f = s.mul(s.mul(s.c(-lambda),
                                  s.exp(s.mul(s.c(-lambda), s.min(mi, mj)))),
                            g);
            Value sum = s.c(0);
            for (int64_t c = 0; c < cols; ++c) {
              Value cc = k.index(c);
              sum = s.add(sum, s.add(s.mul(k.load(a, {i, cc}), k.load(bm, {j, cc})),
                                     s.mul(k.load(bm, {i, cc}), k.load(a, {j, cc}))));
            }
            k.store(s.mul(f, s.mul(s.c(0.5), sum)), out, {i, j});
          });
        });
      };
    } else if (auto labels = dyn_cast<LabelsOp>(op)) {
      int64_t numReal = labels.getNumReal();
      int64_t cols = labels.getType().getDimSize(1);
      body = [numReal, cols](KernelBody &k, ScalarBuilder &s) {
        Value out = k.args[0];
        k.loop(k.begin, k.end, [&](Value i) {
          Value real = arith::CmpIOp::create(k.b, k.loc, arith::CmpIPredicate::slt,
                                             i, k.index(numReal));
          Value y = s.select(real, s.c(1), s.c(0));
          if (cols == 1) {
            k.store(y, out, {i, k.index(0)});
          } else { // one-hot: real = [0, 1], generated = [1, 0]
            k.store(s.sub(s.c(1), y), out, {i, k.index(0)});
            k.store(y, out, {i, k.index(1)});
          }
        });
      };
    } else if (auto loss = dyn_cast<LossOp>(op)) {
      range = 1;
      parallel = false;
      bool squared = loss.getKind() == Loss::Squared;
      body = [squared, n](KernelBody &k, ScalarBuilder &s) {
        Value u = k.args[0], y = k.args[1], out = k.args[2];
        Value zero = k.index(0), one = k.index(1);
        Value total = k.reduce(zero, k.index(n), s.c(0), [&](Value i, Value acc) {
          if (squared) { // r = (1 − y) + u
            Value r = s.add(s.sub(s.c(1), k.load(y, {i, zero})), k.load(u, {i, zero}));
            return s.add(acc, s.mul(r, r));
          }
          // z = F_i0 − F_i1 with F = Y − U; softplus(z) computed stably.
          Value z = s.sub(s.sub(k.load(y, {i, zero}), k.load(u, {i, zero})),
                          s.sub(k.load(y, {i, one}), k.load(u, {i, one})));
          Value sp = s.add(s.max(z, s.c(0)),
                           s.log1p(s.exp(s.neg(s.abs(z)))));
          return s.add(acc, sp);
        });
        k.store(s.mul(s.c(squared ? 0.5 : 1.0 / n), total), out, {});
      };
    } else if (auto sum = dyn_cast<LossSumOp>(op)) {
      range = 1;
      parallel = false;
      SmallVector<double> weights(sum.getWeights());
      body = [weights](KernelBody &k, ScalarBuilder &s) {
        Value total = s.c(0);
        for (size_t i = 0; i < weights.size(); ++i)
          total = s.add(total, s.mul(s.c(weights[i]), k.load(k.args[i], {})));
        k.store(total, k.args[weights.size()], {});
      };
    } else if (isa<AddOp>(op)) {
      body = [](KernelBody &k, ScalarBuilder &s) {
        Value lhs = k.args[0], rhs = k.args[1], out = k.args[2];
        Value cols = k.index(k.dim(lhs, 1));
        k.loop(k.begin, k.end, [&](Value i) {
          k.loop(k.index(0), cols, [&](Value j) {
            k.store(s.add(k.load(lhs, {i, j}), k.load(rhs, {i, j})), out,
                    {i, j});
          });
        });
      };
    } else if (auto biasAct = dyn_cast<BiasActOp>(op)) {
      std::string act = biasAct.getActivation().str();
      body = [act](KernelBody &k, ScalarBuilder &s) {
        Value h = k.args[0], bias = k.args[1], out = k.args[2];
        Value zero = k.index(0);
        k.loop(k.begin, k.end, [&](Value i) {
          k.loop(zero, k.index(k.dim(h, 1)), [&](Value j) {
            Value x = s.add(k.load(h, {i, j}), k.load(bias, {zero, j}));
            k.store(activate(s, act, x), out, {i, j});
          });
        });
      };
    } else if (auto actGrad = dyn_cast<ActGradOp>(op)) {
      std::string act = actGrad.getActivation().str();
      body = [act](KernelBody &k, ScalarBuilder &s) {
        Value a = k.args[0], da = k.args[1], out = k.args[2];
        k.loop(k.begin, k.end, [&](Value i) {
          k.loop(k.index(0), k.index(k.dim(a, 1)), [&](Value j) {
            k.store(s.mul(activationSlope(s, act, k.load(a, {i, j})),
                          k.load(da, {i, j})),
                    out, {i, j});
          });
        });
      };
    } else if (isa<ColumnSumOp>(op)) {
      range = shapedType.getDimSize(1); // one column per index
      body = [](KernelBody &k, ScalarBuilder &s) {
        Value in = k.args[0], out = k.args[1];
        k.loop(k.begin, k.end, [&](Value j) {
          Value sum = k.reduce(k.index(0), k.index(k.dim(in, 0)), s.c(0),
                               [&](Value i, Value acc) {
                                 return s.add(acc, k.load(in, {i, j}));
                               });
          k.store(sum, out, {k.index(0), j});
        });
      };
    } else if (auto constant = dyn_cast<LossGradConstOp>(op)) {
      // The squared loss's cotangent without its U term: scale·(1 − y).
      double scale = constant.getScale().convertToDouble();
      body = [scale](KernelBody &k, ScalarBuilder &s) {
        Value y = k.args[0], out = k.args[1], zero = k.index(0);
        k.loop(k.begin, k.end, [&](Value i) {
          k.store(s.mul(s.c(scale), s.sub(s.c(1), k.load(y, {i, zero}))), out,
                  {i, zero});
        });
      };
    } else if (auto lossGrad = dyn_cast<LossGradOp>(op)) {
      bool squared = lossGrad.getKind() == Loss::Squared;
      // Its weight in the step's loss (gantk.loss_sum), 1 for the loss alone.
      double scale = lossGrad.getScale().convertToDouble();
      body = [squared, n, scale](KernelBody &k, ScalarBuilder &s) {
        Value u = k.args[0], y = k.args[1], out = k.args[2];
        Value zero = k.index(0), one = k.index(1);
        auto scaled = [&](Value v) { return scale == 1 ? v : s.mul(s.c(scale), v); };
        k.loop(k.begin, k.end, [&](Value i) {
          if (squared) {
            k.store(scaled(s.add(s.sub(s.c(1), k.load(y, {i, zero})),
                                 k.load(u, {i, zero}))),
                    out, {i, zero});
            return;
          }
          // dL/dz = σ(z)/N; dU_0 = −dL/dF_0 = −σ/N, dU_1 = +σ/N.
          Value z = s.sub(s.sub(k.load(y, {i, zero}), k.load(u, {i, zero})),
                          s.sub(k.load(y, {i, one}), k.load(u, {i, one})));
          Value sigma = s.div(s.c(1), s.add(s.c(1), s.exp(s.neg(z))));
          Value g = scaled(s.mul(sigma, s.c(1.0 / n)));
          k.store(s.neg(g), out, {i, zero});
          k.store(g, out, {i, one});
        });
      };
    }
    DispatchOp dispatch =
        emit(op, element, range, parallel, tied, inPlace, body);
    if (!operandInside.empty())
      dispatch->setAttr(kOperandInsideAttrName,
                        DenseI64ArrayAttr::get(op->getContext(), operandInside));
    if (symmetric && readsLowerTriangle(dispatch.getResult(0)))
      mirrorUpperTriangle(dispatch.getResult(0), element);
    return success();
  }

  /// Whether the adjoint's rows are the last ones, so that the pairs of
  /// two of them come twice, and G may be overwritten (its last reader).
  /// Not in a row_tiles body: the runtime runs it on one tile of the rows
  /// at a time, and the fold needs them all.
  static bool foldsSymmetricPairs(PairwiseGradOp grad) {
    GradRows rows(grad);
    return rows.offset + rows.range == grad.getGram().getType().getDimSize(1) &&
           !grad->getParentOfType<RowTilesOp>() &&
           lastReader(grad.getGram(), grad);
  }

  /// The Gram's Z rows, Z Sᵀ (m × (n + m)), whose last m columns Z Zᵀ every
  /// reader of the Gram takes by the upper triangle: gram_blocks (the Z
  /// rows' real columns), diag, the pairwise kernel (j >= i) and the
  /// backward's folded pairs (the real columns, then j >= i). The runtime's
  /// ?syrk of Z Zᵀ then need not be mirrored (`upper_only`).
  static void markUpperOnlyGramRows(func::FuncOp fn) {
    fn.walk([](GemmOp gemm) {
      auto type = cast<RankedTensorType>(gemm.getType());
      if (!gemm->hasOneUse() || type.getDimSize(1) < type.getDimSize(0))
        return;
      OpOperand &use = *gemm->use_begin();
      auto blocks = dyn_cast<GramBlocksOp>(use.getOwner());
      if (!blocks || use.get() != blocks.getRows())
        return;
      Value gram = blocks.getResult();
      for (Operation *user : gram.getUsers()) {
        auto pairwise = dyn_cast<PairwiseOp>(user);
        auto grad = dyn_cast<PairwiseGradOp>(user);
        bool upper =
            isa<DiagOp>(user) || (pairwise && pairwise.getGram() == gram) ||
            (grad && grad.getGram() == gram && foldsSymmetricPairs(grad));
        if (!upper)
          return;
      }
      gemm.setUpperOnly(true);
    });
  }

  /// The GEMMs that take dG (R × (o + R)) as their A, directly or through
  /// add_diag (which adds on the block's diagonal only), when those are all
  /// that read it: they can take the R × R block's upper triangle alone
  /// (?symm), and the fold need not mirror it. Empty when anything else
  /// reads dG.
  static SmallVector<GemmOp> upperTriangleReaders(Value dg, int64_t offset,
                                                  int64_t range) {
    auto type = cast<RankedTensorType>(dg.getType());
    if (type.getDimSize(0) != range || type.getDimSize(1) != offset + range)
      return {};
    SmallVector<GemmOp> gemms;
    SmallVector<Value> values{dg};
    while (!values.empty()) {
      Value v = values.pop_back_val();
      for (OpOperand &use : v.getUses()) {
        Operation *user = use.getOwner();
        if (auto addDiag = dyn_cast<AddDiagOp>(user);
            addDiag && use.getOperandNumber() == 0 &&
            addDiag.getRowOffset() == offset) {
          values.push_back(addDiag.getResult());
          continue;
        }
        auto gemm = dyn_cast<GemmOp>(user);
        if (!gemm || use.getOperandNumber() != 0 || gemm.getTransA() ||
            gemm.getTransB() || gemm.getB() == v)
          return {};
        gemms.push_back(gemm);
      }
    }
    return gemms;
  }

  /// pairwise_grad on its last R rows [o, N) of N: the pairs (i, j) and
  /// (j, i) of two of those rows give the same dG (the body is symmetric
  /// under q11 <-> q22, and G and the cotangent are symmetric), and the
  /// q22-adjoint of one is the q11-adjoint of the other. So row i runs the
  /// body on the real columns [0, o) and on j >= o + i only: a quarter
  /// fewer pairs at R = N/2. It stores each pair's q22-adjoint over the G
  /// entry it has just read (G is not read again), and a second kernel
  /// adds those into dv of the other row and mirrors dG's R × R block,
  /// unless only GEMMs read dG: they read the block's upper triangle
  /// (a_symmetric_from).
  void outlineSymmetricGrad(PairwiseGradOp grad, FloatType element) {
    GradRows rows(grad);
    int64_t offset = rows.offset, range = rows.range;
    bool gramRows = rows.gramRows;
    SmallVector<GemmOp> gemms =
        upperTriangleReaders(grad.getGramGrad(), offset, range);
    bool mirror = gemms.empty();
    for (GemmOp gemm : gemms)
      gemm.setASymmetricFrom(offset);
    // Results: dG (over the cotangent rows when they are the last read),
    // dv, and the q22-adjoints over G.
    SmallVector<int64_t> tied = {rows.inPlace ? 2 : -1, -1, 0};
    SmallVector<Type> resultTypes(grad->getResultTypes());
    resultTypes.push_back(grad.getGram().getType());
    BodyFn pairs =
        pairwiseGradBody(&grad.getBody().front(), rows, /*foldPairs=*/true);
    DispatchOp first = kernels.dispatch(
        grad, grad->getName().stripDialect(), element, grad->getOperands(),
        resultTypes, range, /*parallel=*/true, pairs, tied, /*inPlace=*/true);

    // Row i of the block (in tiles of 32 rows): dv_i gets twice the
    // q22-adjoints its pairs with the rows l < i left in row l of G, and,
    // with `mirror`, dG[i, o + l] = dG[l, o + i] for l < i (read in
    // 32 × 32 tiles). A tile writes its own rows only, below the block's
    // diagonal, and reads rows above it: no races.
    constexpr int64_t tile = 32;
    BodyFn fold = [offset, gramRows, mirror](KernelBody &k, ScalarBuilder &s) {
      Value dg = k.args[0], dv = k.args[1], q22 = k.args[2];
      k.loop(
          k.begin, k.end,
          [&](Value ib) {
            Value iEnd = k.min(k.addIndex(ib, tile), k.end);
            k.loop(k.index(0), iEnd, [&](Value l) {
              Value row = gramRows ? l : k.addIndex(l, offset);
              k.loop(k.max(ib, k.addIndex(l, 1)), iEnd, [&](Value i) {
                Value term = k.load(q22, {row, k.addIndex(i, offset)});
                k.store(s.add(k.load(dv, i), s.mul(s.c(2), term)), dv, i);
              });
            });
            if (!mirror)
              return;
            k.loop(
                k.index(0), iEnd,
                [&](Value lb) {
                  k.loop(ib, iEnd, [&](Value i) {
                    Value lEnd = k.min(k.addIndex(lb, tile), i);
                    k.loop(lb, lEnd, [&](Value l) {
                      k.store(k.load(dg, {l, k.addIndex(i, offset)}), dg,
                              {i, k.addIndex(l, offset)});
                    });
                  });
                },
                tile);
          },
          tile);
    };
    DispatchOp folded = kernels.dispatch(
        grad, "pairwise_grad_fold", element, first.getResults(),
        {resultTypes[0], resultTypes[1]}, range, /*parallel=*/true, fold,
        /*tied=*/{0, 1}, /*inPlace=*/true);
    grad->replaceAllUsesWith(folded.getResults());
    grad->erase();
  }

  DispatchOp emit(Operation *op, FloatType element, int64_t range,
                  bool parallel, ArrayRef<int64_t> tied, bool inPlace,
                  const BodyFn &body) {
    DispatchOp dispatch = kernels.dispatch(
        op, op->getName().stripDialect(), element, op->getOperands(),
        op->getResultTypes(), range, parallel, body, tied, inPlace);
    op->replaceAllUsesWith(dispatch.getResults());
    op->erase();
    return dispatch;
  }

  /// Whether anything reads below the diagonal of the symmetric `k`: the
  /// eigensolver, the Krylov products and a pairwise op given `k` as its
  /// corner (outlined after it: ops go in program order) read the upper
  /// triangle only, and the trace shift the diagonal, so the mirror is
  /// needed only where K leaves the step (the kernel entry) or meets a
  /// general op.
  static bool readsLowerTriangle(Value k) {
    for (Operation *user : k.getUsers()) {
      if (isa<EighOp, KrylovExpmOp, KrylovExpmGradOp, KrylovExpmValueGradOp>(
              user))
        continue;
      if (auto pairwise = dyn_cast<PairwiseOp>(user);
          pairwise && pairwise.getCorner() == k && pairwise.getGram() != k)
        continue;
      if (auto shift = dyn_cast<AddTraceDiagOp>(user))
        if (!readsLowerTriangle(shift.getResult()))
          continue;
      return true;
    }
    return false;
  }

  /// m[i][j] = m[j][i] for j < i, in place, in 32 × 32 tiles so that the
  /// column reads stay in cache. Row ranges write disjoint rows and read
  /// only the upper triangle, so threads cannot race.
  void mirrorUpperTriangle(Value upper, FloatType element) {
    auto type = cast<RankedTensorType>(upper.getType());
    Operation *producer = upper.getDefiningOp();
    constexpr int64_t tile = 32;
    func::FuncOp fn = kernels.create(
        "mirror_kernel", producer->getLoc(), element, {type, type},
        [](KernelBody &k, ScalarBuilder &) {
          Value m = k.args[0];
          k.loop(k.begin, k.end, [&](Value ib) {
            Value iEnd = k.min(k.addIndex(ib, tile), k.end);
            k.loop(k.index(0), iEnd, [&](Value jb) {
              k.loop(ib, iEnd, [&](Value i) {
                Value jEnd = k.min(k.addIndex(jb, tile), i);
                k.loop(jb, jEnd, [&](Value j) {
                  k.store(k.load(m, {j, i}), m, {i, j});
                });
              });
            }, tile);
          }, tile);
        });
    OpBuilder at(producer->getContext());
    at.setInsertionPointAfter(producer);
    auto mirror = DispatchOp::create(
        at, producer->getLoc(), TypeRange{type}, SymbolRefAttr::get(fn),
        ValueRange{upper}, at.getI64IntegerAttr(type.getDimSize(0)),
        at.getBoolAttr(true), at.getDenseI64ArrayAttr({0}), at.getUnitAttr());
    upper.replaceAllUsesExcept(mirror.getResult(0), mirror);
  }

  KernelFactory kernels;
};

struct OutlineKernelsPass
    : public gantk::impl::OutlineKernelsPassBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Outliner outliner(module);
    SmallVector<func::FuncOp> entries;
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn->hasAttr(kKernelAttrName))
        entries.push_back(fn);
    for (func::FuncOp fn : entries)
      if (failed(outliner.run(fn)))
        return signalPassFailure();
  }
};
} // namespace
