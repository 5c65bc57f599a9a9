//===- RollLayers.cpp - runs of identical layers as repeated blocks -------===//
//
// A deep spec written out layer by layer (dense, relu, dense, relu, …) has
// the same per-pair code many times over, and LLVM's optimiser and register
// allocator take time superlinear in the length of straight-line code. A
// run of k identical groups of layers (same ops, same attributes) computes
// exactly what gantk.repeat k { group } computes, whose pair rule is one
// loop: rolling such runs makes compile time independent of depth. Short
// networks stay as written (their straight-line code is what the kernels
// are tuned on).
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_ROLLLAYERSPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {

/// The longest period of a group that the pass looks for.
constexpr int64_t kMaxPeriod = 8;

/// Whether two layers compute the same rule: same op and attributes, and no
/// region (a repeated block is left alone).
bool sameLayer(Operation *a, Operation *b) {
  return a->getName() == b->getName() &&
         a->getAttrDictionary() == b->getAttrDictionary() &&
         a->getNumRegions() == 0 && b->getNumRegions() == 0;
}

/// The layers of one chain, first to last: each reads the one before and
/// is its only reader.
using Chain = SmallVector<Operation *>;

SmallVector<Chain> chains(Block &block) {
  SmallVector<Chain> out;
  for (Operation &op : block) {
    if (!isa<LayerOpInterface>(op))
      continue;
    Operation *previous = op.getOperand(0).getDefiningOp();
    bool continues = !out.empty() && previous == out.back().back() &&
                     previous->getResult(0).hasOneUse();
    if (!continues)
      out.emplace_back();
    out.back().push_back(&op);
  }
  return out;
}

struct RollLayersPass : public gantk::impl::RollLayersPassBase<RollLayersPass> {
  using RollLayersPassBase::RollLayersPassBase;

  void runOnOperation() override {
    SmallVector<Block *> blocks;
    getOperation().walk([&](func::FuncOp fn) {
      for (Block &block : fn.getBody())
        blocks.push_back(&block);
    });
    for (Block *block : blocks)
      for (Chain &chain : chains(*block))
        rollChain(chain);
  }

  /// Rolls the runs of `chain`, left to right, each the longest run of
  /// identical groups starting there.
  void rollChain(const Chain &chain) {
    int64_t size = chain.size();
    for (int64_t i = 0; i < size;) {
      int64_t bestPeriod = 0, bestCount = 0;
      for (int64_t period = 1; period <= kMaxPeriod && i + 2 * period <= size;
           ++period) {
        int64_t count = 1;
        while (i + (count + 1) * period <= size &&
               llvm::all_of(llvm::seq<int64_t>(0, period), [&](int64_t k) {
                 return sameLayer(chain[i + count * period + k], chain[i + k]);
               }))
          ++count;
        if (count >= 2 && count * period > bestCount * bestPeriod) {
          bestPeriod = period;
          bestCount = count;
        }
      }
      if (bestCount * bestPeriod < minLayers) {
        ++i;
        continue;
      }
      roll(ArrayRef<Operation *>(chain).slice(i, bestCount * bestPeriod),
           bestPeriod, bestCount);
      i += bestCount * bestPeriod;
    }
  }

  /// run = count groups of `period` identical layers → gantk.repeat.
  void roll(ArrayRef<Operation *> run, int64_t period, int64_t count) {
    Operation *first = run.front(), *last = run.back();
    Value input = first->getOperand(0);
    OpBuilder b(first);
    auto repeat = RepeatOp::create(b, first->getLoc(), input,
                                   b.getI64IntegerAttr(count));
    Block *body = b.createBlock(&repeat.getBody(), {}, {input.getType()},
                                {first->getLoc()});
    IRMapping map;
    map.map(input, body->getArgument(0));
    for (Operation *layer : run.take_front(period))
      b.clone(*layer, map);
    YieldOp::create(b, last->getLoc(),
                    ValueRange{map.lookup(run[period - 1]->getResult(0))});
    last->getResult(0).replaceAllUsesWith(repeat.getResult());
    for (Operation *layer : llvm::reverse(run))
      layer->erase();
  }
};
} // namespace
