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

/// The type of one pair's values in front of `layer`.
Type pairTypeBefore(LayerOpInterface layer) {
  return cast<KernelType>(layer->getOperand(0).getType()).getPairType();
}

/// The rules of `layers` one after the other, as straight-line code; each
/// rule is built on its own input's pair type (maps shrink through convs
/// and become numbers at flatten).
PairState chainRules(OpBuilder &b, Location loc,
                     ArrayRef<LayerOpInterface> layers, PairState state) {
  for (LayerOpInterface layer : layers) {
    ScalarBuilder s(b, loc, pairTypeBefore(layer));
    state = layer.buildPairRule(s, state);
  }
  return state;
}

/// Whether every layer keeps the pair type (a loop over them carries one
/// state type).
bool keepsPairType(ArrayRef<LayerOpInterface> layers) {
  return llvm::all_of(layers, [](LayerOpInterface layer) {
    return layer->getOperand(0).getType() == layer->getResult(0).getType();
  });
}

/// The rules of `layers` as a loop over the layers whose body picks layer
/// l's rule by a switch: code grows with the layers, but each rule is a
/// block of its own, so LLVM's time stays linear in their number.
PairState loopOverLayers(ScalarBuilder &s, ArrayRef<LayerOpInterface> layers,
                         PairState in) {
  OpBuilder &b = s.builder();
  Location loc = s.getLoc();
  Type pair = in.getType();
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  SmallVector<Value> init{in.nngp, in.ntk ? in.ntk : s.c(0), in.varI,
                          in.varJ};
  auto loop = scf::ForOp::create(b, loc, index(0), index(layers.size()),
                                 index(1), init);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  ValueRange state = loop.getRegionIterArgs();
  auto pick = scf::IndexSwitchOp::create(
      b, loc, TypeRange{pair, pair, pair, pair}, loop.getInductionVar(),
      llvm::to_vector(llvm::seq<int64_t>(0, layers.size())), layers.size());
  for (auto [l, layer] : llvm::enumerate(layers)) {
    b.setInsertionPointToEnd(&pick.getCaseRegions()[l].emplaceBlock());
    PairState out = LayerOpInterface(layer).buildPairRule(
        s, PairState{state[0], state[1], state[2], state[3]});
    scf::YieldOp::create(b, loc,
                         ValueRange{out.nngp, out.ntk, out.varI, out.varJ});
  }
  // The default case is never taken: l < number of layers.
  b.setInsertionPointToEnd(&pick.getDefaultRegion().emplaceBlock());
  scf::YieldOp::create(b, loc, state);
  b.setInsertionPointAfter(pick);
  scf::YieldOp::create(b, loc, pick.getResults());
  return PairState{loop.getResult(0), loop.getResult(1), loop.getResult(2),
                   loop.getResult(3)};
}

struct FuseRecursionPass
    : public gantk::impl::FuseRecursionPassBase<FuseRecursionPass> {
  using FuseRecursionPassBase::FuseRecursionPassBase;

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
        // Images: a map over positions per pair and per point.
        int64_t n = matrixType.getDimSize(0);
        SmallVector<int64_t> pairShape{n, n}, pointShape{n};
        llvm::append_range(pairShape, input.getType().getSpatial());
        llvm::append_range(pointShape, input.getType().getSpatial());
        Type element = matrixType.getElementType();
        OpBuilder atInput(input);
        gram = GramOp::create(atInput, input.getLoc(),
                              RankedTensorType::get(pairShape, element),
                              input.getPoints());
        diag = DiagOp::create(atInput, input.getLoc(),
                              RankedTensorType::get(pointShape, element), gram);
      }
      auto pairwise = PairwiseOp::create(b, loc, matrixType, gram, diag,
                                         /*corner=*/Value());
      Type pairType = pairwise.getPairType();
      Block *body = b.createBlock(&pairwise.getBody(), {},
                                  {pairType, pairType, pairType},
                                  {loc, loc, loc});
      // Θ = 0 at the input: the rules fold it away.
      PairState state{body->getArgument(0), Value(), body->getArgument(1),
                      body->getArgument(2)};
      if (int64_t(chain->size()) > loopFromLayers && keepsPairType(*chain)) {
        ScalarBuilder s(b, loc, pairType);
        state = loopOverLayers(s, *chain, state);
      } else {
        state = chainRules(b, loc, *chain, state);
      }
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
