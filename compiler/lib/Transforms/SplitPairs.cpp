//===- SplitPairs.cpp - the real–real block of K, made once ---------------===//
//
// K = pairwise(G, v) on G = gram_blocks(α X Xᵀ, α Z Sᵀ): the pairs of two
// real rows read only the real–real Gram block and the real rows' diagonal,
// which depend on X alone. Those n × n pairs become a pairwise op of their
// own on the block (gantk-hoist-invariants then runs it once, before the
// first step, and the memory plan keeps it), and K takes it as its corner:
// a step runs the body on the pairs that involve a generated row only, a
// quarter fewer at m = n. G's real–real block is then read on its diagonal
// alone, and gram_blocks copies no more of it.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_SPLITPAIRSPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {
struct SplitPairsPass : public gantk::impl::SplitPairsPassBase<SplitPairsPass> {
  void runOnOperation() override {
    SmallVector<PairwiseOp> pairs;
    getOperation().walk([&](PairwiseOp op) {
      auto blocks = op.getGram().getDefiningOp<GramBlocksOp>();
      auto diag = op.getDiag().getDefiningOp<DiagOp>();
      if (blocks && diag && diag.getInput() == op.getGram() &&
          !op.getCorner() && op.getPairType() == op.getType().getElementType())
        pairs.push_back(op);
    });
    for (PairwiseOp op : pairs)
      split(op);
    getOperation().walk([](GramBlocksOp blocks) {
      if (readsCornerDiagonalOnly(blocks))
        blocks.setCornerDiagonalOnly(true);
    });
  }

  /// Whether every reader of G reads no entry of its real–real block but
  /// the diagonal: the diagonal, a pairwise op given the block's pairs as
  /// its corner, and the adjoint's rows of the generated points.
  static bool readsCornerDiagonalOnly(GramBlocksOp blocks) {
    int64_t n = blocks.getCorner().getType().getDimSize(0);
    return llvm::all_of(blocks->getUsers(), [&](Operation *user) {
      if (isa<DiagOp>(user))
        return true;
      if (auto pairwise = dyn_cast<PairwiseOp>(user))
        return pairwise.getGram() == blocks.getResult() &&
               pairwise.getCorner() &&
               cast<RankedTensorType>(pairwise.getCorner().getType())
                       .getDimSize(0) == n;
      if (auto grad = dyn_cast<PairwiseGradOp>(user))
        return grad.getGram() == blocks.getResult() &&
               grad.getGram().getType().getDimSize(0) ==
                   grad.getGram().getType().getDimSize(1) &&
               static_cast<int64_t>(grad.getRowOffset()) >= n;
      return false;
    });
  }

  static void split(PairwiseOp op) {
    auto blocks = op.getGram().getDefiningOp<GramBlocksOp>();
    Value corner = blocks.getCorner();
    auto cornerType = cast<RankedTensorType>(corner.getType());
    int64_t n = cornerType.getDimSize(0);
    // Before gram_blocks, which also reads the block: the corner's pairwise
    // kernel must not take the block's buffer in place (a step reads it).
    OpBuilder b(blocks);
    Location loc = op.getLoc();
    auto vectorType = RankedTensorType::get({n}, cornerType.getElementType());
    Value cornerDiag = DiagOp::create(b, loc, vectorType, corner);
    auto cornerPairs = PairwiseOp::create(b, loc, cornerType, corner,
                                          cornerDiag, /*corner=*/Value());
    IRMapping mapping;
    op.getBody().cloneInto(&cornerPairs.getBody(), mapping);
    op.getCornerMutable().assign(cornerPairs.getResult());
  }
};
} // namespace
