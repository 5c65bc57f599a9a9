//===- PlanMemory.cpp - one arena, static offsets -------------------------===//
//
// The graph is static, so the peak memory of a step is known exactly before
// it runs. Every tensor of the entry function gets a byte offset in one arena:
// program order gives each value a live interval, and a first-fit allocator
// packs the intervals. Aliases cost nothing: the stack operands live inside
// the stack, a row slice inside its source, a tied result in its operand's
// buffer when that operand dies at the op.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/MemoryPlan.h"
#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"

#include <map>

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {

int64_t alignUp(int64_t v) {
  return (v + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
}

int64_t byteSize(Type t) {
  auto shaped = cast<ShapedType>(t);
  return shaped.getNumElements() * shaped.getElementTypeBitWidth() / 8;
}

/// First-fit allocator over [0, ∞) that remembers the high-water mark.
class Arena {
public:
  int64_t allocate(int64_t bytes) {
    bytes = alignUp(std::max<int64_t>(bytes, 1));
    int64_t offset = 0;
    for (auto [start, size] : live) {
      if (start - offset >= bytes)
        break;
      offset = std::max(offset, start + size);
    }
    live.emplace(offset, bytes);
    highWater = std::max(highWater, offset + bytes);
    return offset;
  }
  void release(int64_t offset) {
    auto it = live.find(offset);
    assert(it != live.end() && "releasing a buffer twice");
    live.erase(it);
  }
  int64_t liveBytes() const {
    int64_t sum = 0;
    for (auto [start, size] : live)
      sum += size;
    return sum;
  }
  int64_t highWater = 0;

private:
  std::map<int64_t, int64_t> live; // offset -> aligned size
};

struct Buffer {
  int64_t offset = -1;
  Value owner;       // the value whose buffer this is (root of aliases)
  int64_t lastUse = -1;
};

struct PlanMemoryPass : public gantk::impl::PlanMemoryPassBase<PlanMemoryPass> {
  using PlanMemoryPassBase::PlanMemoryPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp fn;
    for (auto f : module.getOps<func::FuncOp>()) {
      if (f->hasAttr(kKernelAttrName))
        continue;
      if (entry.empty() ? fn == nullptr : f.getSymName() == entry) {
        if (!entry.empty() || !fn)
          fn = f;
      } else if (entry.empty()) {
        module.emitError("several entry functions; pass entry=<name>");
        return signalPassFailure();
      }
    }
    if (!fn) {
      module.emitError("no entry function to plan");
      return signalPassFailure();
    }
    if (failed(plan(fn)))
      signalPassFailure();
  }

  /// The value whose buffer `v` lives in.
  Value root(Value v) {
    while (true) {
      auto it = aliasOf.find(v);
      if (it == aliasOf.end())
        return v;
      v = it->second.first;
    }
  }
  /// Byte offset of `v` inside its root's buffer.
  int64_t offsetInRoot(Value v) {
    int64_t off = 0;
    while (true) {
      auto it = aliasOf.find(v);
      if (it == aliasOf.end())
        return off;
      off += it->second.second;
      v = it->second.first;
    }
  }

  /// Bytes of each workspace a library op needs, in the order the artifact
  /// writer reads their offsets from `gantk.scratch`.
  static SmallVector<int64_t> scratchBytes(Operation &op) {
    auto elementBytes = [](Value v) {
      return int64_t(cast<ShapedType>(v.getType()).getElementTypeBitWidth() /
                     8);
    };
    if (auto eigh = dyn_cast<EighOp>(op)) {
      int64_t n = eigh.getInput().getType().getDimSize(0);
      return {syevdWorkElements(n) * elementBytes(eigh.getInput()),
              syevdIWorkElements(n) * 4};
    }
    // Krylov: the basis, one block, and the two statistics.
    auto krylov = [&](Value kernel, int64_t width,
                      int64_t maxBlocks) -> SmallVector<int64_t> {
      int64_t n = cast<ShapedType>(kernel.getType()).getDimSize(0);
      int64_t e = elementBytes(kernel);
      return {krylovBasisElements(n, width, maxBlocks) * e, n * width * e,
              2 * e};
    };
    auto columns = [](Value v) {
      return cast<ShapedType>(v.getType()).getDimSize(1);
    };
    if (auto k = dyn_cast<KrylovExpmOp>(op))
      return krylov(k.getKernel(), columns(k.getRhs()), k.getMaxIter());
    if (auto k = dyn_cast<KrylovExpmGradOp>(op))
      return krylov(k.getKernel(), 2 * columns(k.getRhs()), k.getMaxIter());
    return {};
  }

  LogicalResult plan(func::FuncOp fn) {
    Block &block = fn.getBody().front();
    OpBuilder b(fn.getContext());

    // Aliases: stack operands inside the stack, row slices inside the source.
    for (Operation &op : block) {
      if (auto stack = dyn_cast<StackOp>(op)) {
        if (!isa<BlockArgument>(stack.getReal()) ||
            !isa<BlockArgument>(stack.getFake()))
          return stack.emitOpError("memory plan needs function arguments as "
                                   "stack operands");
        aliasOf[stack.getReal()] = {stack.getResult(), 0};
        aliasOf[stack.getFake()] = {stack.getResult(),
                                    byteSize(stack.getReal().getType())};
      } else if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
        auto src = slice.getSourceType();
        if (!slice.hasUnitStride() || src.getRank() != 2 ||
            slice.getStaticSizes()[1] != src.getDimSize(1) ||
            slice.getStaticOffsets()[1] != 0 || ShapedType::isDynamicShape(
                                                    slice.getStaticOffsets()))
          return slice.emitOpError("memory plan supports static row slices "
                                   "only");
        int64_t rowBytes = byteSize(src) / src.getDimSize(0);
        aliasOf[slice.getResult()] = {slice.getSource(),
                                      slice.getStaticOffsets()[0] * rowBytes};
      }
    }

    // Last use of every root, in program order; returned values live to the
    // end.
    llvm::DenseMap<Operation *, int64_t> order;
    int64_t index = 0;
    for (Operation &op : block)
      order[&op] = index++;
    llvm::DenseMap<Value, int64_t> lastUse;
    auto touch = [&](Value v, int64_t at) {
      Value r = root(v);
      lastUse[r] = std::max(lastUse.lookup(r), at);
    };
    for (Operation &op : block)
      for (Value operand : op.getOperands())
        touch(operand, isa<func::ReturnOp>(op) ? INT64_MAX : order[&op]);

    Arena arena;
    llvm::DenseMap<Value, int64_t> offsets; // root -> arena offset
    std::string peakOp;
    int64_t peakLive = 0;
    auto notePeak = [&](Operation &op) {
      if (arena.liveBytes() > peakLive) {
        peakLive = arena.liveBytes();
        peakOp = op.getName().getStringRef().str();
        if (auto d = dyn_cast<DispatchOp>(op))
          peakOp += " @" + d.getKernel().str();
      }
    };
    auto allocate = [&](Value v) {
      int64_t off = arena.allocate(byteSize(v.getType()));
      offsets[v] = off;
      return off;
    };
    auto release = [&](Value r) { arena.release(offsets.lookup(r)); };

    // Arguments are live from the start: place them, and the stacks that
    // hold them, before anything else.
    for (Operation &op : block)
      if (auto stack = dyn_cast<StackOp>(op))
        allocate(stack.getResult());
    for (BlockArgument arg : block.getArguments())
      if (!aliasOf.count(arg))
        allocate(arg);

    for (Operation &op : block) {
      int64_t at = order[&op];
      if (isa<StackOp, tensor::ExtractSliceOp, func::ReturnOp>(op))
        continue;
      SmallVector<int64_t> resultOffsets;
      SmallVector<Value> dying;
      for (Value operand : op.getOperands())
        if (lastUse.lookup(root(operand)) == at && offsets.count(root(operand)) &&
            !llvm::is_contained(dying, root(operand)))
          dying.push_back(root(operand));

      // Which operand each result may reuse in place.
      SmallVector<int64_t> tied(op.getNumResults(), -1);
      if (auto d = dyn_cast<DispatchOp>(op))
        tied.assign(d.getTied().begin(), d.getTied().end());
      if (isa<EighOp>(op))
        tied[0] = 0; // LAPACK overwrites its input with the eigenvectors

      for (auto [r, result] : llvm::enumerate(op.getResults())) {
        Value operand = tied[r] >= 0 ? op.getOperand(tied[r]) : Value();
        if (operand && root(operand) == operand &&
            llvm::is_contained(dying, operand)) {
          offsets[result] = offsets.lookup(operand);
          llvm::erase(dying, operand);
          resultOffsets.push_back(offsets[result]);
          continue;
        }
        if (isa<EighOp>(op) && r == 0)
          return op.emitOpError("input is used after the eigendecomposition; "
                                "the in-place solver would clobber it");
        if (tied[r] >= 0 && op.hasAttr("in_place"))
          return op.emitOpError("in-place kernel needs operand ")
                 << tied[r] << "'s buffer, which is still read later";
        resultOffsets.push_back(allocate(result));
      }
      // Library calls' workspaces live for the call only.
      SmallVector<int64_t> scratch = scratchBytes(op);
      SmallVector<int64_t> scratchOffsets;
      for (int64_t bytes : scratch)
        scratchOffsets.push_back(arena.allocate(bytes));
      notePeak(op);
      if (!scratch.empty())
        op.setAttr("gantk.scratch", b.getDenseI64ArrayAttr(scratchOffsets));
      for (int64_t off : scratchOffsets)
        arena.release(off);
      op.setAttr("gantk.offsets", b.getDenseI64ArrayAttr(resultOffsets));
      for (Value r : dying)
        release(r);
      // Results nobody reads (none in practice) are freed at once.
      for (Value result : op.getResults())
        if (!lastUse.count(result) && offsets.count(result) &&
            root(result) == result)
          release(result);
    }

    // Offsets of every argument and of every aliasing value, for the writer.
    SmallVector<int64_t> argOffsets;
    for (BlockArgument arg : block.getArguments())
      argOffsets.push_back(offsets.lookup(root(arg)) + offsetInRoot(arg));
    fn->setAttr("gantk.arg_offsets", b.getDenseI64ArrayAttr(argOffsets));
    for (Operation &op : block)
      if (isa<StackOp, tensor::ExtractSliceOp>(op)) {
        Value r = op.getResult(0);
        op.setAttr("gantk.offsets",
                   b.getDenseI64ArrayAttr(
                       {offsets.lookup(root(r)) + offsetInRoot(r)}));
      }

    ModuleOp module = fn->getParentOfType<ModuleOp>();
    module->setAttr("gantk.arena_bytes", b.getI64IntegerAttr(arena.highWater));
    module->setAttr("gantk.peak_op", b.getStringAttr(peakOp));
    module->setAttr("gantk.entry", b.getStringAttr(fn.getSymName()));
    return success();
  }

  llvm::DenseMap<Value, std::pair<Value, int64_t>> aliasOf;
};
} // namespace
