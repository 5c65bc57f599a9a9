//===- DenseOverRanks.cpp - the dense solver on K's row tiles over ranks --===//
//
// A step split over ranks with `solver = dense`. The matrix-free plan
// already makes K by row tiles, each rank its own (kept for the step, tile t
// on rank t mod P after gantk-distribute-rows{cyclic}): that is ScaLAPACK's
// block-cyclic layout, so the ranks can factor K together without moving
// it. This pass swaps the Krylov solver for the dense one:
//   krylov_expm(K, Y)            → expm_ranks(eigh_ranks(K), Y)
//   krylov_expm_grad(K, Y, dU)   → (gone)
//   row_tiles { A[rows] Bᵀ [+ add_factor_trace] … }
//                                → expm_grad_rows_ranks(eigh_ranks(K), Y, dU)
//                                  read by the row tiles directly
// so the eigendecomposition is computed once per step and the backward's
// rows of dL/dK are exact (no rank cut), each rank forming those of its
// own backward tiles.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_DENSEOVERRANKSPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {

struct DenseOverRanksPass
    : public gantk::impl::DenseOverRanksPassBase<DenseOverRanksPass> {
  void runOnOperation() override {
    SmallVector<Operation *> krylovOps;
    getOperation().walk([&](Operation *op) {
      if (isa<KrylovExpmOp, KrylovExpmGradOp>(op))
        krylovOps.push_back(op);
    });
    if (krylovOps.empty()) {
      getOperation().emitError("the dense plan over ranks needs the step's "
                               "exponential action on a kernel operator");
      return signalPassFailure();
    }
    for (Operation *op : krylovOps) {
      LogicalResult done = success();
      if (auto action = dyn_cast<KrylovExpmOp>(op))
        done = replaceAction(action);
      else
        done = replaceGradient(cast<KrylovExpmGradOp>(op));
      if (failed(done))
        return signalPassFailure();
    }
  }

  /// The one eigendecomposition of `kernel`, made right after the operator.
  FailureOr<EighRanksOp> eighOf(Operation *user, Value kernel) {
    auto op = kernel.getDefiningOp<KernelOperatorOp>();
    if (!op || !op.getTileRanks() || !op.getKeepTiles())
      return user->emitOpError("the dense plan over ranks needs K as a kernel "
                               "operator that keeps its row tiles "
                               "(gantk-distribute-rows)");
    if (auto it = eighs.find(op); it != eighs.end())
      return it->second;
    OpBuilder b(op->getContext());
    b.setInsertionPointAfter(op);
    int64_t n = op.getType().getSize();
    Type element = op.getType().getElementType();
    auto eigh = EighRanksOp::create(
        b, op.getLoc(), RankedTensorType::get({n, n}, element),
        RankedTensorType::get({n}, element), kernel);
    if (failed(eigh.verify()))
      return failure();
    eighs[op] = eigh;
    return eigh;
  }

  LogicalResult replaceAction(KrylovExpmOp action) {
    FailureOr<EighRanksOp> eigh = eighOf(action, action.getKernel());
    if (failed(eigh))
      return failure();
    OpBuilder b(action);
    Value u = ExpmRanksOp::create(b, action.getLoc(), action.getType(),
                                  eigh->getVectors(), eigh->getValues(),
                                  action.getRhs(), action.getLambdaAttr());
    action.replaceAllUsesWith(u);
    action.erase();
    return success();
  }

  /// Every reader of the factors is a row slice of A whose product with Bᵀ
  /// (and its add_factor_trace) makes a row tile's dL/dK rows: those rows
  /// now come from expm_grad_rows_ranks, made before the row tiles.
  LogicalResult replaceGradient(KrylovExpmGradOp grad) {
    FailureOr<EighRanksOp> eigh = eighOf(grad, grad.getKernel());
    if (failed(eigh))
      return failure();
    // add_factor_trace reads the factors too; it goes with its product.
    SmallVector<Operation *> slices;
    for (Operation *user : grad.getFactorA().getUsers())
      if (!isa<AddFactorTraceOp>(user))
        slices.push_back(user);
    for (Operation *user : slices) {
      auto slice = dyn_cast<tensor::ExtractSliceOp>(user);
      auto product = slice && slice->hasOneUse()
                         ? dyn_cast<GemmOp>(*slice->getUsers().begin())
                         : nullptr;
      auto tiles = product ? product->getParentOfType<RowTilesOp>() : nullptr;
      if (!product || product.getB() != grad.getFactorB() ||
          product.getTransA() || !product.getTransB() || !tiles ||
          !tiles.getTileRanks() || !product->hasOneUse())
        return user->emitOpError("the dense plan over ranks needs the "
                                 "gradient's factors read only as the row "
                                 "tiles' dL/dK rows A[rows] Bᵀ");
      Value rows = product.getResult();
      double traceScale = 0;
      auto trace = dyn_cast<AddFactorTraceOp>(*product->getUsers().begin());
      if (trace) {
        traceScale = trace.getScale().convertToDouble();
        rows = trace.getResult();
      }
      OpBuilder b(tiles);
      Value made = ExpmGradRowsRanksOp::create(
          b, grad.getLoc(), rows.getType(), eigh->getVectors(),
          eigh->getValues(), grad.getRhs(), grad.getCotangent(),
          grad.getLambdaAttr(), b.getF64FloatAttr(traceScale),
          b.getI64IntegerAttr(slice.getStaticOffsets()[0]),
          tiles.getTileRowsAttr(), tiles.getTileRanksAttr());
      rows.replaceAllUsesWith(made);
      if (trace)
        trace.erase();
      product.erase();
      slice.erase();
    }
    if (!grad.getFactorA().use_empty() || !grad.getFactorB().use_empty())
      return grad.emitOpError("the dense plan over ranks needs the factors "
                              "read only by the row tiles' dL/dK rows");
    grad.erase();
    return success();
  }

  llvm::DenseMap<Operation *, EighRanksOp> eighs; // operator -> its eigh
};

} // namespace
