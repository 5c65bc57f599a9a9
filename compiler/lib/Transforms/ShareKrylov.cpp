//===- ShareKrylov.cpp - one Lanczos run for the value and the gradient ---===//
//
// The Krylov step runs krylov_expm on Y, then krylov_expm_grad on
// [Y, dU] with dU = loss_grad(U, Y): two Lanczos processes, the second of
// which cannot start before the first ends. For the squared loss
// dU = scale · (1 − Y) + scale · U is affine in U, and U's projection lies
// in the Krylov space of Y; so the block space of [Y, scale · (1 − Y)]
// holds dU, and one run from that block gives U and dL/dK's factors
// (gantk.krylov_expm_value_grad; runtime/src/Krylov.cpp's ValueGradient).
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_SHAREKRYLOVPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {

struct ShareKrylovPass
    : public gantk::impl::ShareKrylovPassBase<ShareKrylovPass> {
  void runOnOperation() override {
    SmallVector<KrylovExpmGradOp> grads;
    getOperation().walk([&](KrylovExpmGradOp op) { grads.push_back(op); });
    for (KrylovExpmGradOp grad : grads)
      share(grad);
  }

  /// krylov_expm_grad(K, Y, loss_grad(krylov_expm(K, Y), Y)) with the same
  /// solver settings, the loss squared and its gradient read only here.
  void share(KrylovExpmGradOp grad) {
    auto lossGrad = grad.getCotangent().getDefiningOp<LossGradOp>();
    if (!lossGrad || lossGrad.getKind() != Loss::Squared ||
        !lossGrad->hasOneUse() || lossGrad.getLabels() != grad.getRhs())
      return;
    auto action = lossGrad.getAction().getDefiningOp<KrylovExpmOp>();
    if (!action || action.getKernel() != grad.getKernel() ||
        action.getRhs() != grad.getRhs() ||
        action.getLambda() != grad.getLambda() ||
        action.getTol() != grad.getTol() ||
        action.getMaxIter() != grad.getMaxIter())
      return;
    OpBuilder b(action);
    Location loc = grad.getLoc();
    Value constant = LossGradConstOp::create(
        b, loc, action.getRhs().getType(), action.getRhs(),
        lossGrad.getKindAttr(), lossGrad.getScaleAttr());
    auto shared = KrylovExpmValueGradOp::create(
        b, loc, action.getType(), grad.getFactorA().getType(),
        grad.getFactorB().getType(), action.getKernel(), action.getRhs(),
        constant, action.getLambdaAttr(), action.getTolAttr(),
        action.getMaxIterAttr(), lossGrad.getScaleAttr());
    grad.getFactorA().replaceAllUsesWith(shared.getFactorA());
    grad.getFactorB().replaceAllUsesWith(shared.getFactorB());
    grad.erase();
    lossGrad.erase();
    action.getResult().replaceAllUsesWith(shared.getResult());
    action.erase();
  }
};

} // namespace
