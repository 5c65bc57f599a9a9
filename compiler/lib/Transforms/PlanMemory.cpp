//===- PlanMemory.cpp - one arena, static offsets -------------------------===//
//
// The graph is static, so the peak memory of a step is known exactly before
// it runs. Every tensor of the entry function gets a byte offset in one arena:
// program order gives each value a live interval, and greedy placement packs
// the intervals (see placeIntervals). Aliases cost nothing: the stack operands live inside
// the stack, a row slice inside its source, a tied result in its operand's
// buffer when that operand dies at the op.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/MemoryPlan.h"
#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"

#include <numeric>

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

/// Every value's bytes fit in 2^62, checked without overflow: beyond that
/// no machine holds the step, and the plan's own sums would wrap.
LogicalResult checkSizes(func::FuncOp fn) {
  auto fits = [](ShapedType shaped) {
    uint64_t bytes = std::max<uint64_t>(shaped.getElementTypeBitWidth() / 8, 1);
    for (int64_t d : shaped.getShape())
      if (d < 0 || __builtin_mul_overflow(bytes, uint64_t(d), &bytes) ||
          bytes > (uint64_t(1) << 62))
        return false;
    return true;
  };
  for (BlockArgument arg : fn.getArguments())
    if (auto shaped = dyn_cast<ShapedType>(arg.getType());
        shaped && shaped.hasStaticShape() && !fits(shaped))
      return fn.emitError("argument ")
             << arg.getArgNumber() << " (" << shaped
             << ") needs more than 2^62 bytes: no machine holds this step "
                "(lower n)";
  WalkResult walk = fn.walk([&](Operation *op) {
    for (Type t : op->getResultTypes())
      if (auto shaped = dyn_cast<ShapedType>(t);
          shaped && shaped.hasStaticShape() && !fits(shaped)) {
        op->emitError("the step needs a ")
            << shaped
            << ", more than 2^62 bytes: no machine holds it (lower n)";
        return WalkResult::interrupt();
      }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

/// Bytes of `v`'s buffer: a matrix-free operator holds one row tile of K
/// (or its kept tiles); over ranks, Qᵀ and the rows of dL/dK only this
/// rank's row tiles.
int64_t valueBytes(Value v) {
  auto elementBytes = [](Type t) {
    return int64_t(getElementTypeOrSelf(t).getIntOrFloatBitWidth() / 8);
  };
  if (auto op = v.getDefiningOp<KernelOperatorOp>())
    return op.getTileElements() * op.getType().getElementType().getWidth() / 8;
  if (auto eigh = v.getDefiningOp<EighRanksOp>();
      eigh && v == eigh.getVectors())
    return eigh.getVectorsElements() * elementBytes(v.getType());
  if (auto rows = v.getDefiningOp<ExpmGradRowsRanksOp>())
    return rows.getLocalElements() * elementBytes(v.getType());
  return byteSize(v.getType());
}

/// The values an op reads: its operands, and for a gantk.row_tiles the
/// values from outside that its body reads.
/// Ops that place values in other values' buffers and run nothing.
bool isViewOp(Operation &op) {
  return isa<StackOp, tensor::ExtractSliceOp, ParamViewOp, ConcatOp,
             func::ReturnOp>(op);
}

SmallVector<Value> readValues(Operation &op) {
  SmallVector<Value> values(op.getOperands());
  if (auto tiles = dyn_cast<RowTilesOp>(op))
    tiles.getBody().walk([&](Operation *inner) {
      for (Value v : inner->getOperands())
        if (!tiles->isProperAncestor(v.getParentBlock()->getParentOp()) &&
            v.getParentRegion() != &tiles.getBody() &&
            !llvm::is_contained(values, v))
          values.push_back(v);
    });
  return values;
}

/// A buffer of the step: `bytes` live from op `start` to op `end`
/// (program order, inclusive).
struct Interval {
  int64_t bytes, start, end;
  int64_t offset = -1;
};

/// Places every interval at the lowest offset where it overlaps no placed
/// interval that is live at the same time, taking them in `order`; returns
/// the arena size.
int64_t place(std::vector<Interval> &intervals,
              const std::vector<size_t> &order) {
  int64_t high = 0;
  std::vector<const Interval *> placed;
  for (size_t i : order) {
    Interval &it = intervals[i];
    std::vector<std::pair<int64_t, int64_t>> taken; // [offset, offset+bytes)
    for (const Interval *p : placed)
      if (p->start <= it.end && it.start <= p->end)
        taken.emplace_back(p->offset, p->offset + p->bytes);
    llvm::sort(taken);
    int64_t offset = 0;
    for (auto [lo, hi] : taken) {
      if (lo - offset >= it.bytes)
        break;
      offset = std::max(offset, hi);
    }
    it.offset = offset;
    high = std::max(high, offset + it.bytes);
    placed.push_back(&it);
  }
  return high;
}

/// Offline placement: the better of two greedy orders — by start (what an
/// allocator running in program order does) and largest first (big
/// buffers first leave fewer holes too small for them). Largest first
/// avoids cliffs such as three N/2 × N row buffers that fit into a dead
/// N × N kernel's space only if no small buffer was put there first.
int64_t placeIntervals(std::vector<Interval> &intervals) {
  std::vector<size_t> byStart(intervals.size()), bySize;
  std::iota(byStart.begin(), byStart.end(), 0);
  bySize = byStart;
  llvm::stable_sort(bySize, [&](size_t a, size_t b) {
    return intervals[a].bytes > intervals[b].bytes;
  });
  std::vector<Interval> sized = intervals;
  int64_t inOrder = place(intervals, byStart);
  int64_t largestFirst = place(sized, bySize);
  if (largestFirst < inOrder) {
    intervals = std::move(sized);
    return largestFirst;
  }
  return inOrder;
}

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
    // Over ranks: p?syevd's workspaces; the gradient's two matrices.
    auto denseWork = [&](EighRanksOp eigh) {
      KernelOperatorOp k = eigh.getOperator();
      return denseRanksWorkElements(k.getType().getSize(), k.getTileRows(),
                                    k.getKeptTiles()) *
             elementBytes(eigh.getVectors());
    };
    if (auto eigh = dyn_cast<EighRanksOp>(op)) {
      int64_t ranks = eigh->getParentOfType<ModuleOp>()
                          ->getAttrOfType<IntegerAttr>(kRanksAttrName)
                          .getInt();
      int64_t n = eigh.getOperator().getType().getSize();
      return {denseWork(eigh), denseRanksIWorkElements(n, ranks) * 4};
    }
    if (auto rows = dyn_cast<ExpmGradRowsRanksOp>(op))
      return {denseWork(rows.getVectors().getDefiningOp<EighRanksOp>())};
    // Krylov: the basis, one block, and the two statistics.
    auto krylov = [&](Value kernel, int64_t width,
                      int64_t maxBlocks) -> SmallVector<int64_t> {
      int64_t n = kernelSize(kernel);
      int64_t e = elementBytes(op.getOperand(1));
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
    if (auto k = dyn_cast<KrylovExpmValueGradOp>(op))
      return krylov(k.getKernel(), 2 * columns(k.getRhs()), k.getMaxIter());
    return {};
  }

  LogicalResult plan(func::FuncOp fn) {
    if (failed(checkSizes(fn)))
      return failure();
    Block &block = fn.getBody().front();
    OpBuilder b(fn.getContext());

    // Aliases: stack operands inside the stack, row slices inside the source.
    // A value an op of the step makes, and not yet placed in another, may be
    // made inside a larger buffer instead of in its own.
    auto placeable = [&](Value v) {
      Operation *def = v.getDefiningOp();
      return def && def->getBlock() == &block && !aliasOf.count(v) &&
             !isa<StackOp, ConcatOp>(def);
    };
    for (Operation &op : block) {
      if (auto stack = dyn_cast<StackOp>(op)) {
        // X is an argument; Z an argument or made by the step (a
        // generator's output), which then writes it into the stack.
        if (!isa<BlockArgument>(stack.getReal()) ||
            !(isa<BlockArgument>(stack.getFake()) ||
              placeable(stack.getFake())))
          return stack.emitOpError("memory plan needs the real rows as a "
                                   "function argument and the generated rows "
                                   "as one or made by the step");
        aliasOf[stack.getReal()] = {stack.getResult(), 0};
        aliasOf[stack.getFake()] = {stack.getResult(),
                                    byteSize(stack.getReal().getType())};
      } else if (auto view = dyn_cast<ParamViewOp>(op)) {
        int64_t elementBytes =
            cast<ShapedType>(view.getType()).getElementTypeBitWidth() / 8;
        aliasOf[view.getResult()] = {
            view.getParams(), view.getOffsetAttr().getInt() * elementBytes};
      } else if (auto concat = dyn_cast<ConcatOp>(op)) {
        // Each piece is made in its place in the result, by an op of the
        // step that makes nothing else there.
        int64_t at = 0;
        for (Value piece : concat.getPieces()) {
          if (!placeable(piece) ||
              piece.getDefiningOp()->getNumResults() != 1 ||
              !piece.hasOneUse())
            return concat.emitOpError("memory plan needs each piece made by "
                                      "an op of the step for this concat "
                                      "alone");
          aliasOf[piece] = {concat.getResult(), at};
          at += byteSize(piece.getType());
        }
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
      } else if (auto inside = op.getAttrOfType<DenseI64ArrayAttr>(
                     kOperandInsideAttrName)) {
        // An operand made to live inside the result (gram_blocks' Z rows):
        // the result's buffer begins where that operand is made.
        Value operand = inside.size() == 2 && inside[0] >= 0 &&
                                inside[0] < int64_t(op.getNumOperands())
                            ? op.getOperand(inside[0])
                            : Value();
        if (!operand || !placeable(operand) || op.getNumResults() != 1 ||
            inside[1] < 0 ||
            inside[1] + byteSize(operand.getType()) >
                byteSize(op.getResult(0).getType()))
          return op.emitOpError("gantk.operand_inside needs an operand made "
                                "by an op of the step that fits in the "
                                "result");
        aliasOf[operand] = {op.getResult(0), inside[1]};
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
      for (Value operand : readValues(op))
        touch(operand, isa<func::ReturnOp>(op) ? INT64_MAX : order[&op]);

    // Which buffer every root lives in; buffers become intervals of
    // program order, placed once the walk knows them all.
    std::vector<Interval> buffers;
    llvm::DenseMap<Value, size_t> bufferOf; // root -> buffer
    int64_t last = index; // past the last op: returned values live to here
    auto newBuffer = [&](int64_t bytes, int64_t start, int64_t end) {
      buffers.push_back({alignUp(std::max<int64_t>(bytes, 1)), start, end});
      return buffers.size() - 1;
    };
    // What depends on X only (gantk-hoist-invariants) is computed once and
    // read at every later step: its buffers live from the start to the end
    // and share their bytes with nothing.
    auto isInvariant = [](Value r) {
      Operation *def = r.getDefiningOp();
      return def && def->hasAttr(kInvariantAttrName);
    };
    auto allocate = [&](Value v, int64_t at) {
      bufferOf[v] = newBuffer(valueBytes(v), isInvariant(v) ? -1 : at, last);
    };
    auto release = [&](Value r, int64_t at) { buffers[bufferOf[r]].end = at; };

    // Arguments are live from the start: place them, and the stacks that
    // hold them, before anything else.
    for (Operation &op : block)
      if (auto stack = dyn_cast<StackOp>(op))
        allocate(stack.getResult(), -1);
    for (BlockArgument arg : block.getArguments())
      if (!aliasOf.count(arg))
        allocate(arg, -1);

    // Per op: its workspaces (buffers live for the call only).
    llvm::DenseMap<Operation *, SmallVector<size_t>> scratchOf;
    for (Operation &op : block) {
      int64_t at = order[&op];
      if (isViewOp(op))
        continue;
      // The arguments (X, Z and their stack) outlive the step: the runtime
      // sets X once and keeps it for every step.
      // An invariant buffer is only taken over by an invariant op (which
      // runs once too).
      bool invariantOp = op.hasAttr(kInvariantAttrName);
      auto pinned = [&](Value r) {
        return isa<BlockArgument>(r) || r.getDefiningOp<StackOp>() ||
               (isInvariant(r) && !invariantOp);
      };
      SmallVector<Value> dying;
      for (Value operand : readValues(op))
        if (lastUse.lookup(root(operand)) == at &&
            bufferOf.count(root(operand)) && !pinned(root(operand)) &&
            !llvm::is_contained(dying, root(operand)))
          dying.push_back(root(operand));

      // Which operand each result may reuse in place.
      SmallVector<int64_t> tied(op.getNumResults(), -1);
      if (auto d = dyn_cast<DispatchOp>(op))
        tied.assign(d.getTied().begin(), d.getTied().end());
      if (isa<EighOp>(op))
        tied[0] = 0; // LAPACK overwrites its input with the eigenvectors

      for (auto [r, result] : llvm::enumerate(op.getResults())) {
        // A value that lives inside a later one: that one's buffer begins
        // here (and is not allocated again when it is made).
        if (Value whole = root(result); whole != result) {
          if (!bufferOf.count(whole))
            allocate(whole, at);
          continue;
        }
        if (bufferOf.count(result))
          continue;
        Value operand = tied[r] >= 0 ? op.getOperand(tied[r]) : Value();
        if (operand && root(operand) == operand &&
            llvm::is_contained(dying, operand)) {
          // The result takes over the operand's buffer and its lifetime.
          bufferOf[result] = bufferOf.lookup(operand);
          buffers[bufferOf[result]].end = last;
          llvm::erase(dying, operand);
          continue;
        }
        if (isa<EighOp>(op) && r == 0)
          return op.emitOpError("input is used after the eigendecomposition; "
                                "the in-place solver would clobber it");
        if (tied[r] >= 0 && op.hasAttr("in_place"))
          return op.emitOpError("in-place kernel needs operand ")
                 << tied[r] << "'s buffer, which is still read later";
        allocate(result, at);
      }
      if (auto tiles = dyn_cast<RowTilesOp>(op))
        if (failed(planTiles(tiles, at, bufferOf, newBuffer)))
          return failure();
      for (int64_t bytes : scratchBytes(op))
        scratchOf[&op].push_back(newBuffer(bytes, at, at));
      for (Value r : dying)
        release(r, at);
      // Results nobody reads (none in practice) are freed at once.
      for (Value result : op.getResults())
        if (!lastUse.count(result) && root(result) == result)
          release(result, at);
    }

    int64_t arenaBytes = placeIntervals(buffers);
    llvm::DenseMap<Value, int64_t> offsets; // root -> arena offset
    for (auto [v, i] : bufferOf)
      offsets[v] = buffers[i].offset;

    // The op where the most bytes are live: the plan's peak.
    std::string peakOp;
    int64_t peakLive = -1;
    for (Operation &op : block) {
      if (isViewOp(op))
        continue;
      int64_t at = order[&op], live = 0;
      for (const Interval &it : buffers)
        if (it.start <= at && at <= it.end)
          live += it.bytes;
      if (live > peakLive) {
        peakLive = live;
        peakOp = op.getName().getStringRef().str();
        if (auto d = dyn_cast<DispatchOp>(op))
          peakOp += " @" + d.getKernel().str();
      }
      SmallVector<int64_t> resultOffsets, scratchOffsets;
      for (Value result : op.getResults())
        resultOffsets.push_back(offsets.lookup(root(result)) +
                                offsetInRoot(result));
      for (size_t i : scratchOf.lookup(&op))
        scratchOffsets.push_back(buffers[i].offset);
      if (!scratchOffsets.empty())
        op.setAttr("gantk.scratch", b.getDenseI64ArrayAttr(scratchOffsets));
      op.setAttr("gantk.offsets", b.getDenseI64ArrayAttr(resultOffsets));
      if (auto tiles = dyn_cast<RowTilesOp>(op))
        for (Operation &inner : tiles.getBody().front().without_terminator()) {
          SmallVector<int64_t> innerOffsets;
          for (Value result : inner.getResults())
            innerOffsets.push_back(offsets.lookup(result));
          inner.setAttr("gantk.offsets", b.getDenseI64ArrayAttr(innerOffsets));
        }
    }

    // Offsets of every argument and of every aliasing value, for the writer.
    SmallVector<int64_t> argOffsets;
    for (BlockArgument arg : block.getArguments())
      argOffsets.push_back(offsets.lookup(root(arg)) + offsetInRoot(arg));
    fn->setAttr("gantk.arg_offsets", b.getDenseI64ArrayAttr(argOffsets));
    for (Operation &op : block)
      if (isa<StackOp, tensor::ExtractSliceOp, ParamViewOp, ConcatOp>(op)) {
        Value r = op.getResult(0);
        op.setAttr("gantk.offsets",
                   b.getDenseI64ArrayAttr(
                       {offsets.lookup(root(r)) + offsetInRoot(r)}));
      }

    ModuleOp module = fn->getParentOfType<ModuleOp>();
    module->setAttr("gantk.arena_bytes", b.getI64IntegerAttr(arenaBytes));
    module->setAttr("gantk.peak_op", b.getStringAttr(peakOp));
    module->setAttr("gantk.entry", b.getStringAttr(fn.getSymName()));
    return success();
  }

  /// Buffers of a gantk.row_tiles body, all live for the op at `at` only:
  /// what the body yields is the op's result; an R-row value is one tile of
  /// tile_rows rows; an in-place kernel writes into its tied operand.
  template <typename NewBuffer>
  LogicalResult planTiles(RowTilesOp tiles, int64_t at,
                          llvm::DenseMap<Value, size_t> &bufferOf,
                          NewBuffer &newBuffer) {
    Block &body = tiles.getBody().front();
    auto yield = cast<YieldOp>(body.getTerminator());
    for (Operation &inner : body.without_terminator()) {
      if (!isa<GemmOp, DispatchOp>(inner))
        return inner.emitOpError("cannot run in row tiles");
      SmallVector<int64_t> tied(inner.getNumResults(), -1);
      if (auto d = dyn_cast<DispatchOp>(inner); d && d.getInPlace())
        tied.assign(d.getTied().begin(), d.getTied().end());
      for (auto [r, result] : llvm::enumerate(inner.getResults())) {
        if (auto it = llvm::find(yield.getValues(), result);
            it != yield.getValues().end()) {
          bufferOf[result] = bufferOf.lookup(
              tiles.getResult(it - yield.getValues().begin()));
          continue;
        }
        if (tied[r] >= 0) {
          Value operand = inner.getOperand(tied[r]);
          if (operand.getParentRegion() != &tiles.getBody())
            return inner.emitOpError("in-place kernel in row tiles must "
                                     "write a value of the body");
          bufferOf[result] = bufferOf.lookup(operand);
          continue;
        }
        auto type = cast<ShapedType>(result.getType());
        bufferOf[result] = newBuffer(tiles.bufferElements(result) *
                                         type.getElementTypeBitWidth() / 8,
                                     at, at);
      }
    }
    return success();
  }

  llvm::DenseMap<Value, std::pair<Value, int64_t>> aliasOf;
};
} // namespace
