//===- DistributeRows.cpp - the matrix-free step's row tiles over ranks ---===//
//
// The matrix-free plan already makes K, and the backward's rows, one row
// tile at a time, and each tile depends only on the points: so P processes
// can share one step by tiles. Each rank makes the tiles assigned to it;
// the runtime sums the ranks' parts of every K·V product and of the rows
// the backward yields (docs/distributed.md). This pass decides the
// assignment, once, so that the memory plan (with kept tiles, the most
// tiles one rank owns) and the runtime agree on it.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_DISTRIBUTEROWSPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {

/// The rank of each of `tiles` row tiles over `ranks` ranks, in a zigzag:
/// rounds of P tiles go 0 … P−1, then P−1 … 0. Counts differ by at most
/// one, and since the upper triangle's tiles shrink down the rows, each
/// round's largest tile goes alternately to the first and the last rank.
SmallVector<int32_t> zigzag(int64_t tiles, int64_t ranks) {
  SmallVector<int32_t> owner(tiles);
  for (int64_t t = 0; t < tiles; ++t) {
    int64_t round = t / ranks, at = t % ranks;
    owner[t] = int32_t(round % 2 == 0 ? at : ranks - 1 - at);
  }
  return owner;
}

/// Tile t to rank t mod P: ScaLAPACK's block-cyclic rows.
SmallVector<int32_t> cyclic(int64_t tiles, int64_t ranks) {
  SmallVector<int32_t> owner(tiles);
  for (int64_t t = 0; t < tiles; ++t)
    owner[t] = int32_t(t % ranks);
  return owner;
}

struct DistributeRowsPass
    : public gantk::impl::DistributeRowsPassBase<DistributeRowsPass> {
  using DistributeRowsPassBase::DistributeRowsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t ranks = this->ranks; // the option's value
    if (ranks < 1 || ranks > kMaxRanks) {
      module.emitError() << "ranks must be between 1 and " << kMaxRanks
                         << ", got " << ranks;
      return signalPassFailure();
    }
    Builder b(module.getContext());
    auto deal = [&](int64_t tiles) {
      return b.getDenseI32ArrayAttr(this->cyclic ? ::cyclic(tiles, ranks)
                                                 : zigzag(tiles, ranks));
    };
    int64_t operators = 0;
    module.walk([&](KernelOperatorOp op) {
      ++operators;
      op.setTileRanksAttr(deal(op.getNumTiles()));
      if (keepTiles)
        op.setKeepTiles(true);
    });
    module.walk([&](RowTilesOp op) {
      int64_t rows = int64_t(op.getRows()), tile = int64_t(op.getTileRows());
      op.setTileRanksAttr(deal((rows + tile - 1) / tile));
    });
    bool step = false;
    module.walk([&](Operation *op) {
      step |= isa<KrylovExpmOp, KrylovExpmGradOp, EighOp>(op);
    });
    if (step && operators == 0) {
      module.emitError()
          << "a step over " << ranks
          << " ranks needs the matrix-free Krylov plan (K made by row "
             "tiles); this module stores K whole or factors it densely";
      return signalPassFailure();
    }
    module->setAttr(kRanksAttrName, b.getI64IntegerAttr(ranks));
  }
};

} // namespace
