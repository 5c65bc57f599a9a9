//===- FuseRecursion.cpp - one per-pair program for all layers ------------===//

#include "gantk/Compiler/Passes.h"
#include "gantk/Compiler/Recursion.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_FUSERECURSIONPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {

/// Collects the layer ops from `input` to `state`, first layer first.
FailureOr<SmallVector<Operation *>> collectChain(Operation *readout,
                                                 Value state,
                                                 InputOp &input) {
  SmallVector<Operation *> layers;
  while (Operation *def = state.getDefiningOp()) {
    if (auto in = dyn_cast<InputOp>(def)) {
      input = in;
      std::reverse(layers.begin(), layers.end());
      return layers;
    }
    if (!isa<DenseOp, ABReluOp, ErfOp>(def))
      break;
    layers.push_back(def);
    state = def->getOperand(0);
  }
  return readout->emitOpError("kernel state does not come from gantk.input "
                              "through layer ops"),
         failure();
}

struct FuseRecursionPass
    : public gantk::impl::FuseRecursionPassBase<FuseRecursionPass> {
  void runOnOperation() override {
    SmallVector<Operation *> readouts;
    getOperation().walk([&](Operation *op) {
      if (isa<NtkOp, NngpOp>(op))
        readouts.push_back(op);
    });
    // One Gram matrix and diagonal per input, shared by all readouts.
    llvm::DenseMap<Operation *, std::pair<Value, Value>> gramOf;
    for (Operation *readout : readouts) {
      InputOp input;
      auto chain = collectChain(readout, readout->getOperand(0), input);
      if (failed(chain))
        return signalPassFailure();
      OpBuilder b(readout);
      Location loc = readout->getLoc();
      auto matrixType = cast<RankedTensorType>(readout->getResult(0).getType());
      auto element = cast<FloatType>(matrixType.getElementType());
      auto &[gram, diag] = gramOf[input];
      if (!gram) {
        OpBuilder atInput(input);
        gram = GramOp::create(atInput, input.getLoc(), matrixType,
                              input.getPoints());
        diag = DiagOp::create(
            atInput, input.getLoc(),
            RankedTensorType::get({matrixType.getDimSize(0)}, element), gram);
      }
      auto pairwise = PairwiseOp::create(b, loc, matrixType, gram, diag);
      Block *body = b.createBlock(&pairwise.getBody(), {},
                                  {element, element, element},
                                  {loc, loc, loc});
      ScalarBuilder s(b, loc, element);
      PairState state{body->getArgument(0), body->getArgument(1),
                      body->getArgument(2), Value()};
      for (Operation *layer : *chain)
        state = applyLayer(s, layer, state);
      // gantk.ntk verifies that a dense layer precedes it, so Θ exists.
      Value yielded = isa<NtkOp>(readout) ? state.ntk : state.nngp;
      YieldOp::create(b, loc, ValueRange{yielded});
      readout->getResult(0).replaceAllUsesWith(pairwise.getResult());
      readout->erase();
    }
    // The layer chains are dead now.
    SmallVector<Operation *> dead;
    getOperation().walk([&](Operation *op) {
      if (isa<InputOp, DenseOp, ABReluOp, ErfOp>(op))
        dead.push_back(op);
    });
    for (Operation *op : llvm::reverse(dead))
      if (op->use_empty())
        op->erase();
  }
};
} // namespace
