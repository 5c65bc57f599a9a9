//===- MatrixFree.cpp - K applied, never stored ---------------------------===//
//
// The last plan for a memory budget that cannot hold one N × N matrix. On
// the Krylov path with recomputed rows the step has two N²-sized things:
//   forward   K = [add_trace_diag] pairwise(α S Sᵀ, diag), read only by the
//             Krylov actions, which need K·V and nothing else;
//   backward  the R × N rows of G and dL/dK, each row needed only for the
//             same row of the gradient.
// The first becomes a gantk.kernel_operator (the runtime makes K in row
// tiles inside every product), the second a gantk.row_tiles region, so
// neither is ever whole: memory is O(N·(d + rank + tile_rows)).
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_MATRIXFREEPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {

int64_t rowsOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getDimSize(0);
}

/// G = α S Sᵀ.
GemmOp gramOf(Value v) {
  auto gram = v.getDefiningOp<GemmOp>();
  return gram && gram.isGram() ? gram : nullptr;
}

struct MatrixFreePass : public gantk::impl::MatrixFreePassBase<MatrixFreePass> {
  using MatrixFreePassBase::MatrixFreePassBase;

  void runOnOperation() override {
    SmallVector<Operation *> krylovOps;
    getOperation().walk([&](Operation *op) {
      if (isa<KrylovExpmOp, KrylovExpmGradOp>(op))
        krylovOps.push_back(op);
    });
    if (krylovOps.empty()) {
      getOperation().emitError("matrix-free needs the Krylov solver: the "
                               "dense eigensolver needs K stored");
      return signalPassFailure();
    }
    for (Operation *op : krylovOps)
      if (failed(makeOperator(op)))
        return signalPassFailure();
    SmallVector<PairwiseGradOp> grads;
    getOperation().walk([&](PairwiseGradOp op) { grads.push_back(op); });
    for (PairwiseGradOp grad : grads)
      if (failed(tileBackward(grad)))
        return signalPassFailure();
    for (Operation *op : llvm::reverse(dead))
      if (op->use_empty())
        op->erase();
  }

  /// Krylov kernel operand [add_trace_diag](pairwise(α S Sᵀ, diag(α S Sᵀ)))
  /// → gantk.kernel_operator(S, gram_diag(S)).
  LogicalResult makeOperator(Operation *krylov) {
    Value kernel = krylov->getOperand(0);
    if (auto made = operators.lookup(kernel)) {
      krylov->setOperand(0, made);
      return success();
    }
    double traceScale = 0;
    auto shift = kernel.getDefiningOp<AddTraceDiagOp>();
    if (shift)
      traceScale = shift.getScale().convertToDouble();
    auto pairwise = (shift ? shift.getInput() : kernel)
                        .getDefiningOp<PairwiseOp>();
    auto diag = pairwise ? pairwise.getDiag().getDefiningOp<DiagOp>() : nullptr;
    if (pairwise && isa<RankedTensorType>(pairwise.getPairType()))
      return makeMapOperator(krylov, kernel, pairwise, diag, traceScale, shift);
    // (A corner of given pairs comes after this pass: gantk-split-pairs.)
    GemmOp gram = pairwise && !pairwise.getCorner() ? gramOf(pairwise.getGram())
                                                    : nullptr;
    if (!gram || !diag || diag.getInput() != gram.getResult())
      return krylov->emitOpError("matrix-free needs the kernel as the per-pair "
                                 "recursion of a Gram matrix S Sᵀ");
    // Every reader of K and of G must go: the backward reads rows that
    // gantk-lower-to-library{recompute-rows} recomputed.
    for (Value v : {kernel, Value(pairwise.getResult()), Value(gram.getResult())})
      for (Operation *user : v.getUsers())
        if (!isa<KrylovExpmOp, KrylovExpmGradOp, AddTraceDiagOp, PairwiseOp,
                 DiagOp>(user))
          return user->emitOpError("reads the kernel matrix, which the "
                                   "matrix-free plan never stores");

    OpBuilder b(pairwise);
    Location loc = pairwise.getLoc();
    Value s = gram.getA();
    double alpha = gram.getAlpha().convertToDouble();
    auto gramDiag = GramDiagOp::create(b, loc, diag.getType(), s,
                                       b.getF64FloatAttr(alpha));
    diag.replaceAllUsesWith(gramDiag.getResult());
    auto element = cast<FloatType>(pairwise.getType().getElementType());
    int64_t n = rowsOf(s);
    auto op = KernelOperatorOp::create(
        b, loc, OperatorType::get(b.getContext(), n, element), s, gramDiag,
        ValueRange(), b.getF64FloatAttr(alpha), b.getF64FloatAttr(traceScale),
        b.getI64IntegerAttr(std::min<int64_t>(tileRows, n)),
        FlatSymbolRefAttr(), DenseI32ArrayAttr(), UnitAttr());
    IRMapping map;
    pairwise.getBody().cloneInto(&op.getBody(), map);
    operators[kernel] = op;
    krylov->setOperand(0, op);
    for (Operation *d : {gram.getOperation(), diag.getOperation(),
                         pairwise.getOperation(), shift.getOperation()})
      if (d && !llvm::is_contained(dead, d))
        dead.push_back(d);
    return success();
  }

  /// The same for pairs that carry maps: their Gram is never stored (the
  /// map kernels compute each pair's map from the points), so it and its
  /// diagonal stay; the operator's recursion is a map kernel that
  /// gantk-outline-kernels makes.
  LogicalResult makeMapOperator(Operation *krylov, Value kernel,
                                PairwiseOp pairwise, DiagOp diag,
                                double traceScale, AddTraceDiagOp shift) {
    auto gram = pairwise.getGram().getDefiningOp<GramOp>();
    if (!gram || !diag || diag.getInput() != gram.getResult())
      return krylov->emitOpError("matrix-free needs the kernel as the per-pair "
                                 "recursion of the map Gram of the points");
    for (Value v : {kernel, Value(pairwise.getResult())})
      for (Operation *user : v.getUsers())
        if (!isa<KrylovExpmOp, KrylovExpmGradOp, AddTraceDiagOp>(user))
          return user->emitOpError("reads the kernel matrix, which the "
                                   "matrix-free plan never stores");
    OpBuilder b(pairwise);
    Value s = gram.getPoints();
    int64_t n = rowsOf(s);
    auto element = cast<FloatType>(pairwise.getType().getElementType());
    auto op = KernelOperatorOp::create(
        b, pairwise.getLoc(), OperatorType::get(b.getContext(), n, element), s,
        diag, ValueRange(), b.getF64FloatAttr(0), b.getF64FloatAttr(traceScale),
        b.getI64IntegerAttr(std::min<int64_t>(tileRows, n)),
        FlatSymbolRefAttr(), DenseI32ArrayAttr(), UnitAttr());
    IRMapping map;
    pairwise.getBody().cloneInto(&op.getBody(), map);
    operators[kernel] = op;
    krylov->setOperand(0, op);
    for (Operation *d : {pairwise.getOperation(), shift.getOperation()})
      if (d && !llvm::is_contained(dead, d))
        dead.push_back(d);
    return success();
  }

  /// The backward rows: G rows, dL/dK rows [+ trace term], pairwise_grad,
  /// add_diag and dZ = dG·S, moved into one gantk.row_tiles.
  LogicalResult tileBackward(PairwiseGradOp grad) {
    int64_t rows = rowsOf(grad.getGramGrad());
    // A map Gram is never stored: its rows need no recomputing.
    bool maps = bool(grad.getGram().getDefiningOp<GramOp>());
    if (!maps && rowsOf(grad.getGram()) != rows)
      return grad.emitOpError("matrix-free needs the backward on recomputed "
                              "rows (gantk-lower-to-library{recompute-rows})");
    // G rows = set_row_diag(α S[rows] Sᵀ, diag).
    auto setDiag = grad.getGram().getDefiningOp<SetRowDiagOp>();
    auto gramRows =
        (setDiag ? setDiag.getInput() : grad.getGram()).getDefiningOp<GemmOp>();
    auto trace = grad.getCotangent().getDefiningOp<AddFactorTraceOp>();
    auto cotangentRows =
        (trace ? trace.getInput() : grad.getCotangent()).getDefiningOp<GemmOp>();
    auto single = [](Value v) -> Operation * {
      return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
    };
    auto addDiag = dyn_cast_or_null<AddDiagOp>(single(grad.getGramGrad()));
    Operation *dz = nullptr;
    if (addDiag && maps)
      dz = dyn_cast_or_null<GramGradOp>(single(addDiag.getResult()));
    else if (addDiag)
      dz = dyn_cast_or_null<GemmOp>(single(addDiag.getResult()));
    if ((!gramRows && !maps) || !cotangentRows || !addDiag || !dz ||
        addDiag.getDiag() != grad.getDiagGrad() || !grad.getDiagGrad().hasOneUse())
      return grad.emitOpError("matrix-free: unexpected backward structure");

    SmallVector<Operation *> body;
    if (gramRows)
      body.push_back(gramRows);
    if (setDiag)
      body.push_back(setDiag);
    body.push_back(cotangentRows);
    if (trace)
      body.push_back(trace);
    body.append({grad, addDiag, dz});
    OpBuilder b(dz);
    auto tiles = RowTilesOp::create(
        b, dz->getLoc(), dz->getResultTypes(), b.getI64IntegerAttr(rows),
        b.getI64IntegerAttr(std::min<int64_t>(tileRows, rows)),
        DenseI32ArrayAttr());
    dz->getResult(0).replaceAllUsesWith(tiles.getResult(0));
    Block *block = new Block();
    tiles.getBody().push_back(block);
    for (Operation *op : body)
      op->moveBefore(block, block->end());
    b.setInsertionPointToEnd(block);
    YieldOp::create(b, dz->getLoc(), dz->getResults());
    return success();
  }

  llvm::DenseMap<Value, Value> operators; // kernel value -> its operator
  SmallVector<Operation *> dead;
};
} // namespace
