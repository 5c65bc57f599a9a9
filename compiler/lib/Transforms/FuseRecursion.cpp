//===- FuseRecursion.cpp - one per-pair program for all layers ------------===//
//
// The layer recursion is elementwise per pair once the input Gram matrix is
// known, so the chain input → layers → readout becomes one gantk.pairwise
// whose body is every layer's pair rule (LayerOpInterface) in order.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_FUSERECURSIONPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {

/// Collects the layers from `input` to `state`, first layer first.
FailureOr<SmallVector<LayerOpInterface>>
collectChain(Operation *readout, Value state, InputOp &input) {
  SmallVector<LayerOpInterface> layers;
  while (Operation *def = state.getDefiningOp()) {
    if (auto in = dyn_cast<InputOp>(def)) {
      input = in;
      std::reverse(layers.begin(), layers.end());
      return layers;
    }
    auto layer = dyn_cast<LayerOpInterface>(def);
    if (!layer)
      break;
    layers.push_back(layer);
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
    SmallVector<Operation *> chains;
    for (Operation *readout : readouts) {
      InputOp input;
      auto chain = collectChain(readout, readout->getOperand(0), input);
      if (failed(chain))
        return signalPassFailure();
      OpBuilder b(readout);
      Location loc = readout->getLoc();
      auto matrixType = cast<RankedTensorType>(readout->getResult(0).getType());
      auto &[gram, diag] = gramOf[input];
      if (!gram) {
        OpBuilder atInput(input);
        gram = GramOp::create(atInput, input.getLoc(), matrixType,
                              input.getPoints());
        diag = DiagOp::create(atInput, input.getLoc(),
                              RankedTensorType::get({matrixType.getDimSize(0)},
                                                    matrixType.getElementType()),
                              gram);
      }
      auto pairwise = PairwiseOp::create(b, loc, matrixType, gram, diag);
      Type pairType = pairwise.getPairType();
      Block *body = b.createBlock(&pairwise.getBody(), {},
                                  {pairType, pairType, pairType},
                                  {loc, loc, loc});
      ScalarBuilder s(b, loc, pairType);
      // Θ = 0 at the input: the rules fold it away.
      PairState state{body->getArgument(0), Value(), body->getArgument(1),
                      body->getArgument(2)};
      for (LayerOpInterface layer : *chain)
        state = layer.buildPairRule(s, state);
      // gantk.ntk verifies that an affine layer precedes it, so Θ exists.
      Value yielded = isa<NtkOp>(readout) ? state.ntk : state.nngp;
      YieldOp::create(b, loc, ValueRange{yielded});
      readout->getResult(0).replaceAllUsesWith(pairwise.getResult());
      readout->erase();
      chains.push_back(input);
      for (LayerOpInterface layer : *chain)
        chains.push_back(layer);
    }
    // The chains are dead now, last layer first (a chain may feed several
    // readouts).
    llvm::SetVector<Operation *> dead(chains.begin(), chains.end());
    for (Operation *op : llvm::reverse(dead.getArrayRef()))
      if (op->use_empty())
        op->erase();
  }
};
} // namespace
