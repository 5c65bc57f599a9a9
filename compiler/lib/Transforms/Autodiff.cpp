//===- Autodiff.cpp - reverse-mode gradient of the GA-NTK loss ------------===//
//
// Two levels of reverse mode:
//  * graph level: per-op adjoint rules over the gantk ops of the loss
//    function, walked in reverse program order;
//  * scalar level: the body of gantk.pairwise (the fused layer recursion) is
//    differentiated op by op into the body of gantk.pairwise_grad, which
//    first recomputes the forward values, so nothing per layer is stored.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"
#include "gantk/Compiler/ScalarBuilder.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_AUTODIFFPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {

//===----------------------------------------------------------------------===//
// Scalar reverse mode
//===----------------------------------------------------------------------===//

/// Builds the adjoint of a straight-line scalar body: the forward ops are
/// cloned (recomputation), then visited in reverse, each contributing to the
/// adjoints of its operands. Rules follow NTK_SPEC's conventions for the
/// singular points: d√u = 0 for u ≤ 1e-30 and a safe atan2 denominator.
class ScalarAdjoint {
public:
  ScalarAdjoint(OpBuilder &b, Location loc, FloatType type)
      : s(b, loc, type) {}

  LogicalResult build(Block &forward, ValueRange inputs, Value seed,
                      SmallVectorImpl<Value> &inputAdjoints) {
    IRMapping map;
    map.map(forward.getArguments(), inputs);
    SmallVector<Operation *> cloned;
    OpBuilder &b = builder();
    for (Operation &op : forward.without_terminator())
      cloned.push_back(b.clone(op, map));
    Value output = map.lookup(forward.getTerminator()->getOperand(0));
    accumulate(output, seed);
    for (Operation *op : llvm::reverse(cloned)) {
      if (op->getNumResults() != 1)
        return op->emitOpError("has no scalar adjoint rule"), failure();
      Value adj = adjoints.lookup(op->getResult(0));
      if (!adj)
        continue;
      if (failed(propagate(op, adj)))
        return failure();
    }
    for (Value in : inputs) {
      Value adj = adjoints.lookup(in);
      inputAdjoints.push_back(adj ? adj : s.c(0));
    }
    return success();
  }

private:
  OpBuilder &builder() { return builderRef; }

  void accumulate(Value v, Value contribution) {
    Value &slot = adjoints[v];
    slot = slot ? s.add(slot, contribution) : contribution;
  }

  LogicalResult propagate(Operation *op, Value adj) {
    using arith::CmpFPredicate;
    Value r = op->getResult(0);
    if (isa<arith::ConstantOp>(op))
      return success();
    if (isa<arith::AddFOp>(op)) {
      accumulate(op->getOperand(0), adj);
      accumulate(op->getOperand(1), adj);
      return success();
    }
    if (isa<arith::SubFOp>(op)) {
      accumulate(op->getOperand(0), adj);
      accumulate(op->getOperand(1), s.neg(adj));
      return success();
    }
    if (isa<arith::NegFOp>(op)) {
      accumulate(op->getOperand(0), s.neg(adj));
      return success();
    }
    if (isa<arith::MulFOp>(op)) {
      Value x = op->getOperand(0), y = op->getOperand(1);
      accumulate(x, s.mul(adj, y));
      accumulate(y, s.mul(adj, x));
      return success();
    }
    if (isa<arith::DivFOp>(op)) {
      Value x = op->getOperand(0), y = op->getOperand(1);
      Value dx = s.div(adj, y);
      accumulate(x, dx);
      accumulate(y, s.neg(s.mul(dx, r)));
      return success();
    }
    if (isa<arith::MaximumFOp, arith::MinimumFOp>(op)) {
      Value x = op->getOperand(0), y = op->getOperand(1);
      auto pred = isa<arith::MaximumFOp>(op) ? CmpFPredicate::OGE
                                             : CmpFPredicate::OLE;
      Value xWins = s.cmp(pred, x, y);
      Value zero = s.c(0);
      accumulate(x, s.select(xWins, adj, zero));
      accumulate(y, s.select(xWins, zero, adj));
      return success();
    }
    if (isa<math::SqrtOp>(op)) {
      Value u = op->getOperand(0);
      Value live = s.cmp(CmpFPredicate::OGT, u, s.c(1e-30));
      accumulate(u, s.select(live, s.div(s.mul(s.c(0.5), adj), r), s.c(0)));
      return success();
    }
    if (isa<math::Atan2Op>(op)) {
      Value y = op->getOperand(0), x = op->getOperand(1);
      Value den = s.max(s.add(s.mul(x, x), s.mul(y, y)), s.c(1e-30));
      Value scaled = s.div(adj, den);
      accumulate(y, s.mul(scaled, x));
      accumulate(x, s.neg(s.mul(scaled, y)));
      return success();
    }
    if (isa<math::ErfOp>(op)) {
      Value x = op->getOperand(0);
      Value g = s.mul(s.c(2 / std::sqrt(M_PI)), s.exp(s.neg(s.mul(x, x))));
      accumulate(x, s.mul(adj, g));
      return success();
    }
    if (isa<math::ExpOp>(op)) {
      accumulate(op->getOperand(0), s.mul(adj, r));
      return success();
    }
    return op->emitOpError("has no scalar adjoint rule"), failure();
  }

  ScalarBuilder s;
  OpBuilder &builderRef = s.builder();
  llvm::DenseMap<Value, Value> adjoints;
};

//===----------------------------------------------------------------------===//
// Graph level
//===----------------------------------------------------------------------===//

struct GraphAdjoint {
  explicit GraphAdjoint(OpBuilder &b) : b(b) {}

  OpBuilder &b;
  llvm::DenseMap<Value, Value> adjoints;
  /// dG of a gram op is consumed at its points' stack op, which knows which
  /// rows are wanted.
  llvm::DenseMap<Value, std::pair<Value, Value>> pendingGram;

  LogicalResult visit(Operation *op) {
    Location loc = op->getLoc();
    if (auto loss = dyn_cast<LossOp>(op)) {
      if (!loss.getLabels().getDefiningOp<LabelsOp>())
        return op->emitOpError("labels must come from gantk.labels to be "
                               "differentiated"),
               failure();
      adjoints[loss.getAction()] =
          LossGradOp::create(b, loc, loss.getAction().getType(),
                             loss.getAction(), loss.getLabels(),
                             loss.getKindAttr());
      return success();
    }
    Value adj;
    if (op->getNumResults() == 1)
      adj = adjoints.lookup(op->getResult(0));
    if (auto expm = dyn_cast<ExpmActionOp>(op)) {
      if (!adj)
        return success();
      // Only the kernel gets an adjoint: the right-hand side must be the
      // constant labels, or the gradient would silently miss a path.
      if (!expm.getRhs().getDefiningOp<LabelsOp>())
        return op->emitOpError("right-hand side must come from gantk.labels "
                               "to be differentiated"),
               failure();
      adjoints[expm.getKernel()] = ExpmActionGradOp::create(
          b, loc, expm.getKernel().getType(), expm.getKernel(), expm.getRhs(),
          adj, expm.getLambdaAttr(), expm.getEigRegAttr(),
          expm.getSolverAttr(), expm.getTolAttr(), expm.getMaxIterAttr());
      return success();
    }
    if (auto pairwise = dyn_cast<PairwiseOp>(op)) {
      if (!adj)
        return success();
      auto grad = PairwiseGradOp::create(
          b, loc, pairwise.getGram().getType(), pairwise.getDiag().getType(),
          pairwise.getGram(), pairwise.getDiag(), adj);
      auto element =
          cast<FloatType>(pairwise.getGram().getType().getElementType());
      OpBuilder::InsertionGuard guard(b);
      Block *body = b.createBlock(&grad.getBody(), {},
                                  {element, element, element, element},
                                  {loc, loc, loc, loc});
      ScalarAdjoint scalar(b, loc, element);
      SmallVector<Value> inputAdjoints;
      if (failed(scalar.build(pairwise.getBody().front(),
                              body->getArguments().take_front(3),
                              body->getArgument(3), inputAdjoints)))
        return failure();
      YieldOp::create(b, loc, inputAdjoints);
      adjoints[pairwise.getGram()] = grad.getGramGrad();
      adjoints[pairwise.getDiag()] = grad.getDiagGrad();
      return success();
    }
    if (auto diag = dyn_cast<DiagOp>(op)) {
      if (!adj)
        return success();
      Value &gramAdj = adjoints[diag.getInput()];
      if (!gramAdj)
        return op->emitOpError("diagonal used without its matrix"), failure();
      gramAdj = AddDiagOp::create(b, loc, gramAdj.getType(), gramAdj, adj);
      return success();
    }
    if (auto gram = dyn_cast<GramOp>(op)) {
      if (adj)
        pendingGram[gram.getPoints()] = {gram.getPoints(), adj};
      return success();
    }
    if (auto stack = dyn_cast<StackOp>(op)) {
      auto it = pendingGram.find(stack.getResult());
      if (it == pendingGram.end())
        return success();
      auto fakeType = stack.getFake().getType();
      int64_t numReal =
          cast<RankedTensorType>(stack.getReal().getType()).getDimSize(0);
      adjoints[stack.getFake()] = GramGradOp::create(
          b, loc, fakeType, it->second.first, it->second.second,
          b.getI64IntegerAttr(numReal));
      return success();
    }
    if (isa<LabelsOp, func::ReturnOp>(op))
      return success();
    if (adj || llvm::any_of(op->getResults(),
                            [&](Value v) { return adjoints.count(v); }))
      return op->emitOpError("has no adjoint rule"), failure();
    return success();
  }
};

struct AutodiffPass : public gantk::impl::AutodiffPassBase<AutodiffPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> targets;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn->hasAttr("gantk.differentiate"))
        targets.push_back(fn);
    for (func::FuncOp fn : targets)
      if (failed(differentiate(fn)))
        return signalPassFailure();
  }

  LogicalResult differentiate(func::FuncOp fn) {
    if (fn.getNumResults() != 1 || fn.getNumArguments() < 1 ||
        !fn.getBody().hasOneBlock())
      return fn.emitOpError("gantk.differentiate needs one block, one loss "
                            "result and the variable as the last argument");
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    if (!ret.getOperand(0).getDefiningOp<LossOp>())
      return fn.emitOpError("differentiated result must come from gantk.loss");

    OpBuilder b(fn);
    b.setInsertionPointAfter(fn);
    auto grad = cast<func::FuncOp>(b.clone(*fn));
    grad.setSymName((fn.getSymName() + "_grad").str());
    grad->removeAttr("gantk.differentiate");
    Block &block = grad.getBody().front();
    auto gradRet = cast<func::ReturnOp>(block.getTerminator());
    Value variable = block.getArguments().back();

    b.setInsertionPoint(gradRet);
    GraphAdjoint graph(b);
    SmallVector<Operation *> ops;
    for (Operation &op : block)
      ops.push_back(&op);
    for (Operation *op : llvm::reverse(ops))
      if (failed(graph.visit(op)))
        return failure();
    Value dVariable = graph.adjoints.lookup(variable);
    if (!dVariable)
      return fn.emitOpError("the loss does not depend on the last argument");

    SmallVector<Value> results{gradRet.getOperand(0), dVariable};
    func::ReturnOp::create(b, gradRet.getLoc(), results);
    gradRet.erase();
    grad.setFunctionType(b.getFunctionType(
        grad.getArgumentTypes(), ValueRange(results).getTypes()));
    // The gradient function returns the loss too: the primal is redundant.
    fn.erase();
    return success();
  }
};
} // namespace
