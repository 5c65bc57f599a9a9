//===- HoistInvariants.cpp - what depends on the real data only -----------===//
//
// A GA-NTK step reads the real rows X and the generated rows Z, and only Z
// changes between steps. An op whose operands are X, or results of such
// ops, computes the same bytes at every step: it is marked
// `gantk.invariant`, the artifact records its command as `once`, the
// runtime runs it once after X is set, and the memory plan keeps its
// results for the whole run (gantk-plan-memory pins them).
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_HOISTINVARIANTSPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {
struct HoistInvariantsPass
    : public gantk::impl::HoistInvariantsPassBase<HoistInvariantsPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (!fn->hasAttr(kKernelAttrName) && !fn.isExternal())
        mark(fn);
  }

  /// The real rows are the first operand of the step's stack; a function
  /// without one (the kernel entry) has nothing to hoist.
  static void mark(func::FuncOp fn) {
    Block &block = fn.getBody().front();
    StackOp stack;
    for (auto op : block.getOps<StackOp>())
      stack = op;
    if (!stack || !isa<BlockArgument>(stack.getReal()))
      return;
    // A value a step command overwrites in place must be made anew at every
    // step: its producer stays in the step (and so does what depends on it).
    llvm::DenseSet<Operation *> excluded;
    while (true) {
      llvm::DenseSet<Operation *> marked = invariantOps(block, stack, excluded);
      bool changed = false;
      for (Operation &op : block) {
        auto dispatch = dyn_cast<DispatchOp>(op);
        if (!dispatch || !dispatch.getInPlace() || marked.contains(&op))
          continue;
        for (int64_t t : dispatch.getTied())
          if (t >= 0)
            if (Operation *def = op.getOperand(t).getDefiningOp();
                def && marked.contains(def))
              changed |= excluded.insert(def).second;
      }
      if (changed)
        continue;
      for (Operation *op : marked)
        op->setAttr(kInvariantAttrName, UnitAttr::get(op->getContext()));
      return;
    }
  }

  /// The ops whose operands are all X or results of such ops (but not the
  /// excluded ones): pure library ops and dispatches of generated kernels.
  static llvm::DenseSet<Operation *>
  invariantOps(Block &block, StackOp stack,
               const llvm::DenseSet<Operation *> &excluded) {
    llvm::DenseSet<Value> invariant{stack.getReal()};
    llvm::DenseSet<Operation *> ops;
    for (Operation &op : block) {
      if (isa<StackOp, func::ReturnOp>(op) || op.getNumResults() == 0 ||
          excluded.contains(&op))
        continue;
      if (!isa<DispatchOp>(op) && !isMemoryEffectFree(&op))
        continue;
      // A body that reads values from around it (gantk.row_tiles) depends
      // on more than its operands.
      if (op.getNumRegions() && !op.hasTrait<OpTrait::IsIsolatedFromAbove>())
        continue;
      if (!llvm::all_of(op.getOperands(),
                        [&](Value v) { return invariant.contains(v); }))
        continue;
      // A kernel that writes into its operand may consume an invariant
      // buffer only if nothing else reads it: skipped at later steps, it
      // must not leave changed bytes for a step command to read.
      if (auto dispatch = dyn_cast<DispatchOp>(op);
          dispatch && dispatch.getInPlace() &&
          llvm::any_of(dispatch.getTied(), [&](int64_t t) {
            return t >= 0 && !op.getOperand(t).hasOneUse();
          }))
        continue;
      ops.insert(&op);
      for (Value r : op.getResults())
        invariant.insert(r);
    }
    return ops;
  }
};
} // namespace
