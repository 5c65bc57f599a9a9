//===- VectorizePairs.cpp - per-pair loops on vectors of pairs ------------===//
//
// LLVM's loop vectoriser works on innermost loops. A kernel's loop over the
// pairs of a row is innermost while the per-pair body is straight-line code,
// and LLVM vectorises it well; a body with a loop of its own (the layers of
// a repeated block) hides the pairs from it, and the kernel would run one
// pair at a time. This pass runs such a loop on vectors of pairs instead:
// every value that depends on the pair becomes a vector of `lanes` of them
// (row elements j … j + lanes − 1 are contiguous), values that do not stay
// scalars and are broadcast where they meet, per-pair scratch (a tape)
// holds vectors, and a sum over the row is a vector sum reduced once. The
// pairs a whole vector does not cover run in the original loop.
//
// CPU only: on a GPU each thread runs one row's pairs one at a time, and a
// vector of pairs would only multiply its local memory.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"

#include <vector>

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_VECTORIZEPAIRSPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

namespace {

/// What depends on the pair in a pair loop, and the scratch it keeps.
struct PairValues {
  /// Values that differ from pair to pair.
  llvm::DenseSet<Value> varying;
  /// Allocas (outside the loop, used only inside it) that hold per-pair
  /// values: each pair needs its own copy.
  llvm::SetVector<Value> scratch;
  /// Allocas that sum over the row's pairs (acc[i] = acc[i] + term, read
  /// after the loop): each lane sums its own pairs, and the lanes are
  /// added into the original after the vector loop.
  llvm::SetVector<Value> rowSums;

  bool isWide(Value memref) const {
    return scratch.contains(memref) || rowSums.contains(memref);
  }
};

/// The memref an access goes to, and its indices.
std::pair<Value, ValueRange> access(Operation *op) {
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return {load.getMemRef(), load.getIndices()};
  auto store = cast<memref::StoreOp>(op);
  return {store.getMemRef(), store.getIndices()};
}

class PairLoop {
public:
  PairLoop(scf::ForOp loop, int64_t vectorBits, int64_t interleave)
      : loop(loop), vectorBits(vectorBits), interleave(interleave) {}

  /// Vectorises the loop, or leaves it alone when it is not of the shape
  /// the per-pair kernels have (then LLVM sees the original).
  void run() {
    if (!analyse())
      return;
    chooseLanes();
    emit();
  }

private:
  Value j() { return loop.getInductionVar(); }

  bool isVarying(Value v) { return values.varying.contains(v); }

  /// Propagates "depends on the pair" from j to a fixed point (loops carry
  /// values around, and tapes carry them from store to load).
  bool analyse() {
    std::optional<int64_t> step = getConstantIntValue(loop.getStep());
    if (!step || *step != 1 || loop.getNumRegionIterArgs() > 1)
      return false;
    values.varying.insert(j());
    if (loop.getNumRegionIterArgs() == 1) {
      // The sum over the row: acc + (per-pair term), nothing else.
      auto sum = loop.getBody()->getTerminator()->getOperand(0)
                     .getDefiningOp<arith::AddFOp>();
      Value acc = loop.getRegionIterArgs()[0];
      if (!sum || (sum.getLhs() != acc && sum.getRhs() != acc) ||
          !acc.hasOneUse())
        return false;
      element = acc.getType();
    }
    bool changed = true;
    while (changed) {
      changed = false;
      auto mark = [&](Value v) { changed |= values.varying.insert(v).second; };
      WalkResult walk = loop.getBody()->walk([&](Operation *op) {
        if (auto inner = dyn_cast<scf::ForOp>(op)) {
          // An iteration argument varies if its start or its update does.
          for (auto [init, arg, yielded, result] :
               llvm::zip(inner.getInitArgs(), inner.getRegionIterArgs(),
                         inner.getBody()->getTerminator()->getOperands(),
                         inner.getResults()))
            if (isVarying(init) || isVarying(yielded)) {
              mark(arg);
              mark(result);
            }
          return WalkResult::advance();
        }
        if (auto pick = dyn_cast<scf::IndexSwitchOp>(op)) {
          // A result varies if some case yields a varying value for it.
          for (Region &region : pick->getRegions())
            for (auto [yielded, result] :
                 llvm::zip(region.front().getTerminator()->getOperands(),
                           pick.getResults()))
              if (isVarying(yielded))
                mark(result);
          return WalkResult::advance();
        }
        if (isa<memref::StoreOp>(op)) {
          auto [memref, indices] = access(op);
          if (isVarying(op->getOperand(0)) && !values.isWide(memref) &&
              !llvm::any_of(indices, [&](Value i) { return isVarying(i); })) {
            if (isPrivateScratch(memref))
              values.scratch.insert(memref);
            else if (isRowSum(memref))
              values.rowSums.insert(memref);
            else
              return WalkResult::interrupt();
            changed = true;
          }
          return WalkResult::advance();
        }
        bool varies = llvm::any_of(op->getOperands(),
                                   [&](Value v) { return isVarying(v); });
        if (auto load = dyn_cast<memref::LoadOp>(op))
          varies |= values.isWide(load.getMemRef());
        if (varies)
          for (Value r : op->getResults())
            mark(r);
        return WalkResult::advance();
      });
      if (walk.wasInterrupted())
        return false;
    }
    return checkAccesses();
  }

  /// An alloca outside the loop that only the loop uses: scratch that each
  /// pair may have its own copy of.
  bool isPrivateScratch(Value memref) {
    auto alloca = memref.getDefiningOp<memref::AllocaOp>();
    return alloca && !loop->isAncestor(alloca) &&
           llvm::all_of(memref.getUsers(),
                        [&](Operation *user) { return loop->isAncestor(user); });
  }

  /// An alloca outside the loop that the loop only adds to: each of its
  /// loads inside feeds one addition stored back to the same element.
  bool isRowSum(Value memref) {
    auto alloca = memref.getDefiningOp<memref::AllocaOp>();
    if (!alloca || loop->isAncestor(alloca))
      return false;
    auto sumOfLoad = [&](memref::LoadOp load) -> memref::StoreOp {
      if (!load->hasOneUse())
        return nullptr;
      auto add = dyn_cast<arith::AddFOp>(*load->user_begin());
      if (!add || !add->hasOneUse())
        return nullptr;
      auto store = dyn_cast<memref::StoreOp>(*add->user_begin());
      if (!store || store.getMemRef() != memref ||
          store.getIndices() != load.getIndices())
        return nullptr;
      return store;
    };
    for (Operation *user : memref.getUsers()) {
      if (!loop->isAncestor(user))
        continue; // set before the loop, read after it
      if (auto load = dyn_cast<memref::LoadOp>(user)) {
        if (!sumOfLoad(load))
          return false;
        continue;
      }
      auto store = dyn_cast<memref::StoreOp>(user);
      auto add = store ? store.getValue().getDefiningOp<arith::AddFOp>()
                       : arith::AddFOp();
      if (!add)
        return false;
      bool fromLoad = llvm::any_of(add->getOperands(), [&](Value v) {
        auto load = v.getDefiningOp<memref::LoadOp>();
        return load && load.getMemRef() == memref && sumOfLoad(load) == store;
      });
      if (!fromLoad)
        return false;
    }
    return true;
  }

  /// Every use of j is the last index of a row access (element j of a
  /// row-major row), and the other indices do not vary; the per-pair
  /// values are floats (or their comparisons).
  bool checkAccesses() {
    for (Operation *user : j().getUsers()) {
      if (!isa<memref::LoadOp, memref::StoreOp>(user))
        return false;
      auto [memref, indices] = access(user);
      if (indices.empty() || indices.back() != j() ||
          llvm::any_of(indices.drop_back(),
                       [&](Value i) { return isVarying(i); }) ||
          (isa<memref::StoreOp>(user) && user->getOperand(0) == j()))
        return false;
      element = cast<MemRefType>(memref.getType()).getElementType();
    }
    bool ok = true;
    loop.getBody()->walk([&](Operation *op) {
      for (Value r : op->getResults())
        if (isVarying(r) && !isa<FloatType>(r.getType()) &&
            !r.getType().isInteger(1))
          ok = false;
      if (isa<memref::LoadOp, memref::StoreOp>(op)) {
        auto [memref, indices] = access(op);
        // Indices of scratch and of other rows must not vary.
        if (!llvm::is_contained(indices, j()) &&
            llvm::any_of(indices, [&](Value i) { return isVarying(i); }))
          ok = false;
      }
    });
    return ok && element && isa<FloatType>(element);
  }

  /// A vector of pairs spans `interleave` registers: LLVM splits each of
  /// its operations into one per register, so the pairs' chains of
  /// dependent operations run side by side, as the straight-line loops'
  /// interleaved vectors do. Not where each pair keeps maps on the stack
  /// (convolutions): their loops over positions already give the core
  /// independent work, and their scratch would grow as much.
  void chooseLanes() {
    int64_t bits = element.getIntOrFloatBitWidth();
    int64_t registerLanes = vectorBits / bits;
    int64_t scratchBytes = 0;
    for (Value memref : values.scratch) {
      auto type = cast<MemRefType>(memref.getType());
      scratchBytes += type.getNumElements() *
                      type.getElementType().getIntOrFloatBitWidth() / 8;
    }
    bool smallScratch =
        scratchBytes * registerLanes * interleave <= kSideBySideScratchBytes;
    vectorLanes = registerLanes * (smallScratch ? interleave : 1);
  }

  /// The most per-call scratch (bytes) that vectors spanning several
  /// registers may take: a tape of a few values per layer, well inside L1.
  static constexpr int64_t kSideBySideScratchBytes = 16 << 10;

  int64_t lanes() { return vectorLanes; }

  /// A new loop's body, emptied of the yield its builder adds without
  /// iteration arguments (the clone yields for itself).
  static Block *bodyOf(scf::ForOp loop) {
    Block *body = loop.getBody();
    if (!body->empty())
      body->getTerminator()->erase();
    return body;
  }

  Type onLanes(Type t) { return VectorType::get({lanes()}, t); }

  /// `v` as a vector of lanes: itself when it varies, else one splat of it
  /// made where `v` is defined (a constant splat for a constant), or at the
  /// top of the vector loop for a value from outside it; the same splat
  /// serves every use.
  Value lanesOf(OpBuilder &b, Value v) {
    if (isa<VectorType>(v.getType()))
      return v;
    Value &splat = splats[v];
    if (splat)
      return splat;
    OpBuilder at(b.getContext());
    Operation *def = v.getDefiningOp();
    auto arg = dyn_cast<BlockArgument>(v);
    if (def && wideLoop->isAncestor(def))
      at.setInsertionPointAfter(def);
    else if (arg && wideLoop->isAncestor(arg.getOwner()->getParentOp()))
      at.setInsertionPointToStart(arg.getOwner());
    else
      at.setInsertionPointToStart(wideLoop.getBody());
    auto type = cast<VectorType>(onLanes(v.getType()));
    FloatAttr value;
    if (matchPattern(v, m_Constant(&value)))
      splat = arith::ConstantOp::create(at, v.getLoc(), type,
                                        DenseElementsAttr::get(type, value));
    else
      splat = vector::BroadcastOp::create(at, v.getLoc(), type, v);
    return splat;
  }

  /// Clones `ops` for vectors of pairs.
  void cloneOnLanes(OpBuilder &b, llvm::iterator_range<Block::iterator> ops,
                    IRMapping &map) {
    for (Operation &op : ops) {
      Location loc = op.getLoc();
      if (auto inner = dyn_cast<scf::ForOp>(op)) {
        SmallVector<Value> init;
        for (auto [v, arg] :
             llvm::zip(inner.getInitArgs(), inner.getRegionIterArgs())) {
          Value mapped = map.lookupOrDefault(v);
          init.push_back(isVarying(arg) ? lanesOf(b, mapped) : mapped);
        }
        auto wide = scf::ForOp::create(b, loc, map.lookupOrDefault(inner.getLowerBound()),
                                       map.lookupOrDefault(inner.getUpperBound()),
                                       map.lookupOrDefault(inner.getStep()), init);
        wide->setDiscardableAttrs(inner->getDiscardableAttrDictionary());
        map.map(inner.getInductionVar(), wide.getInductionVar());
        map.map(inner.getRegionIterArgs(), wide.getRegionIterArgs());
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(bodyOf(wide));
        cloneOnLanes(b, inner.getBody()->without_terminator(), map);
        SmallVector<Value> yielded;
        for (auto [v, arg] :
             llvm::zip(inner.getBody()->getTerminator()->getOperands(),
                       inner.getRegionIterArgs())) {
          Value mapped = map.lookupOrDefault(v);
          yielded.push_back(isVarying(arg) ? lanesOf(b, mapped) : mapped);
        }
        scf::YieldOp::create(b, loc, yielded);
        map.map(inner.getResults(), wide.getResults());
        continue;
      }
      if (auto pick = dyn_cast<scf::IndexSwitchOp>(op)) {
        SmallVector<Type> types;
        for (Value r : pick.getResults())
          types.push_back(isVarying(r) ? onLanes(r.getType()) : r.getType());
        auto wide = scf::IndexSwitchOp::create(
            b, loc, types, map.lookupOrDefault(pick.getArg()), pick.getCases(),
            pick.getCases().size());
        for (auto [from, to] :
             llvm::zip(pick->getRegions(), wide->getRegions())) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToEnd(&to.emplaceBlock());
          cloneOnLanes(b, from.front().without_terminator(), map);
          SmallVector<Value> yielded;
          for (auto [v, r] : llvm::zip(from.front().getTerminator()->getOperands(),
                                       pick.getResults())) {
            Value mapped = map.lookupOrDefault(v);
            yielded.push_back(isVarying(r) ? lanesOf(b, mapped) : mapped);
          }
          scf::YieldOp::create(b, loc, yielded);
        }
        map.map(pick.getResults(), wide.getResults());
        continue;
      }
      if (auto load = dyn_cast<memref::LoadOp>(op)) {
        SmallVector<Value> indices;
        for (Value i : load.getIndices())
          indices.push_back(map.lookupOrDefault(i));
        Value memref = map.lookupOrDefault(load.getMemRef());
        if (load.getIndices().back() == j())
          map.map(load.getResult(),
                  vector::LoadOp::create(b, loc, onLanes(load.getType()),
                                         memref, indices));
        else
          map.map(load.getResult(),
                  memref::LoadOp::create(b, loc, memref, indices));
        continue;
      }
      if (auto store = dyn_cast<memref::StoreOp>(op)) {
        SmallVector<Value> indices;
        for (Value i : store.getIndices())
          indices.push_back(map.lookupOrDefault(i));
        Value memref = map.lookupOrDefault(store.getMemRef());
        Value value = map.lookupOrDefault(store.getValue());
        if (store.getIndices().back() == j())
          vector::StoreOp::create(b, loc, lanesOf(b, value), memref, indices);
        else
          memref::StoreOp::create(
              b, loc,
              values.isWide(store.getMemRef()) ? lanesOf(b, value) : value,
              memref, indices);
        continue;
      }
      if (!llvm::any_of(op.getResults(), [&](Value r) { return isVarying(r); })) {
        b.clone(op, map);
        continue;
      }
      // An elementwise op on per-pair values: the same op on vectors.
      OperationState state(loc, op.getName());
      for (Value v : op.getOperands())
        state.addOperands(lanesOf(b, map.lookupOrDefault(v)));
      state.addAttributes(op.getAttrs());
      for (Type t : op.getResultTypes())
        state.addTypes(onLanes(t));
      Operation *wide = b.create(state);
      map.map(op.getResults(), wide->getResults());
    }
  }

  /// for j in [lb, lb + whole vectors) step lanes: the body on vectors; the
  /// original loop then runs the rest.
  void emit() {
    OpBuilder b(loop);
    Location loc = loop.getLoc();
    auto index = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    Value lb = loop.getLowerBound(), ub = loop.getUpperBound();
    Value span = arith::SubIOp::create(b, loc, ub, lb);
    Value whole = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, span, index(lanes())),
        index(lanes()));
    Value end = arith::AddIOp::create(b, loc, lb, whole);

    IRMapping map;
    // Each pair of a vector gets its own scratch, each lane its own sums.
    SmallVector<Value> perLane(values.scratch.begin(), values.scratch.end());
    perLane.append(values.rowSums.begin(), values.rowSums.end());
    for (Value memref : perLane) {
      auto type = cast<MemRefType>(memref.getType());
      OpBuilder at(memref.getDefiningOp());
      map.map(memref,
              memref::AllocaOp::create(
                  at, loc,
                  MemRefType::get(type.getShape(),
                                  onLanes(type.getElementType()))));
    }
    // The lanes' sums start at zero.
    for (Value memref : values.rowSums) {
      auto type = cast<VectorType>(onLanes(
          cast<MemRefType>(memref.getType()).getElementType()));
      Value zero = arith::ConstantOp::create(
          b, loc, type,
          DenseElementsAttr::get(type, b.getFloatAttr(type.getElementType(), 0)));
      forElements(b, loc, memref, [&](ValueRange idx) {
        memref::StoreOp::create(b, loc, zero, map.lookup(memref), idx);
      });
    }
    SmallVector<Value> init;
    if (loop.getNumRegionIterArgs() == 1) {
      auto type = cast<VectorType>(onLanes(element));
      init.push_back(arith::ConstantOp::create(
          b, loc, type,
          DenseElementsAttr::get(type, b.getFloatAttr(element, 0))));
    }
    auto wide = scf::ForOp::create(b, loc, lb, end, index(lanes()), init);
    wideLoop = wide;
    map.map(j(), wide.getInductionVar());
    map.map(loop.getRegionIterArgs(), wide.getRegionIterArgs());
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(bodyOf(wide));
      cloneOnLanes(b, loop.getBody()->without_terminator(), map);
      SmallVector<Value> yielded;
      for (Value v : loop.getBody()->getTerminator()->getOperands())
        yielded.push_back(lanesOf(b, map.lookupOrDefault(v)));
      scf::YieldOp::create(b, loc, yielded);
    }
    // Each row sum gets its lanes' sums; the rest of the row adds to it.
    for (Value memref : values.rowSums)
      forElements(b, loc, memref, [&](ValueRange idx) {
        Value lanesSum = vector::ReductionOp::create(
            b, loc, vector::CombiningKind::ADD,
            memref::LoadOp::create(b, loc, map.lookup(memref), idx));
        Value sum = arith::AddFOp::create(
            b, loc, memref::LoadOp::create(b, loc, memref, idx), lanesSum);
        memref::StoreOp::create(b, loc, sum, memref, idx);
      });
    // The rest of the row, one pair at a time, from where the vectors end.
    loop.getLowerBoundMutable().assign(end);
    if (loop.getNumRegionIterArgs() == 1) {
      Value sum = arith::AddFOp::create(
          b, loc, loop.getInitArgs()[0],
          vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                      wide.getResult(0)));
      loop.getInitArgsMutable()[0].assign(sum);
    }
  }

  /// fn(indices) for every element of the static `memref`, in loops at `b`.
  static void forElements(OpBuilder &b, Location loc, Value memref,
                          function_ref<void(ValueRange)> fn) {
    ArrayRef<int64_t> shape = cast<MemRefType>(memref.getType()).getShape();
    SmallVector<Value> idx;
    std::function<void(size_t)> nest = [&](size_t d) {
      if (d == shape.size()) {
        fn(idx);
        return;
      }
      auto index = [&](int64_t v) {
        return arith::ConstantIndexOp::create(b, loc, v);
      };
      auto forOp = scf::ForOp::create(b, loc, index(0), index(shape[d]),
                                      index(1));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(forOp.getBody());
      idx.push_back(forOp.getInductionVar());
      nest(d + 1);
      idx.pop_back();
    };
    nest(0);
  }

  scf::ForOp loop;
  /// The vector loop being built, and the splats of scalars made for it.
  scf::ForOp wideLoop;
  llvm::DenseMap<Value, Value> splats;
  int64_t vectorBits, interleave;
  int64_t vectorLanes = 0;
  Type element;
  PairValues values;
};

struct VectorizePairsPass
    : public gantk::impl::VectorizePairsPassBase<VectorizePairsPass> {
  using VectorizePairsPassBase::VectorizePairsPassBase;
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) {
      if (loop->hasAttr(gantk::kPairLoopAttrName))
        loops.push_back(loop);
    });
    for (scf::ForOp loop : loops) {
      loop->removeAttr(gantk::kPairLoopAttrName);
      bool inner = false;
      loop.getBody()->walk([&](scf::ForOp) { inner = true; });
      if (inner)
        PairLoop(loop, vectorBits, interleave).run();
      else
        askForVectorsOfPairs(loop);
    }
  }

  /// The most values of `body` live at once: each value computed in the
  /// body (constants aside, which LLVM hoists) lives from the operation
  /// after its own to its last use in the body. A register of pairs holds
  /// one such value, so this is what one vector of pairs keeps in flight.
  static int64_t mostLiveValues(Block &body) {
    llvm::DenseMap<Operation *, int64_t> position;
    int64_t count = 0;
    for (Operation &op : body)
      position[&op] = count++;
    // +1 where a value starts to live, −1 after its last use.
    std::vector<int64_t> change(size_t(count + 1), 0);
    for (Operation &op : body) {
      if (matchPattern(&op, m_Constant()))
        continue;
      for (Value result : op.getResults()) {
        int64_t last = -1;
        for (Operation *user : result.getUsers())
          if (Operation *inBody = body.findAncestorOpInBlock(*user))
            last = std::max(last, position[inBody]);
        if (last > position[&op]) {
          ++change[size_t(position[&op] + 1)];
          --change[size_t(last + 1)];
        }
      }
    }
    int64_t live = 0, most = 0;
    for (int64_t c : change)
      most = std::max(most, live += c);
    return most;
  }

  /// Straight-line bodies are LLVM's to vectorise, and it does them well,
  /// but its cost model stops at the CPU's preferred width: 256 bits on
  /// Intel's AVX-512 server parts, where the per-pair maths, bound by its
  /// arithmetic, runs 25 % faster on 512 (n = 2048, f32). So the loop asks
  /// for vectors of `vector-bits`, its widest element deciding the lanes.
  /// A pair's maths is one long chain of dependent operations (a square
  /// root, a division and a polynomial per layer), longer than the core's
  /// window of instructions in flight, so one vector at a time leaves the
  /// core waiting on latency: the loop asks for `interleave` vectors side
  /// by side (LLVM's own count is 1 for so large a body).
  void askForVectorsOfPairs(scf::ForOp loop) {
    constexpr StringLiteral kHint = "llvm.loop_annotation";
    unsigned widest = 0;
    loop.getBody()->walk([&](Operation *op) {
      if (isa<memref::LoadOp, memref::StoreOp>(op))
        for (Value v : op->getOperands())
          if (auto memref = dyn_cast<MemRefType>(v.getType()))
            widest = std::max(widest,
                              memref.getElementType().getIntOrFloatBitWidth());
    });
    if (widest == 0 || loop->hasAttr(kHint))
      return;
    MLIRContext *ctx = loop.getContext();
    auto width = IntegerAttr::get(IntegerType::get(ctx, 32),
                                  vectorBits / int64_t(widest));
    auto vectorize =
        LLVM::LoopVectorizeAttr::get(ctx, {}, {}, {}, width, {}, {}, {});
    // A light body (a forward's pairs: each layer hands on a few values)
    // keeps its chains in registers four at a time; a heavy one (a
    // backward's: every layer's values live until its reverse sweep) would
    // spill them (bench/README.md, "Four vectors of pairs where they fit").
    int64_t count = mostLiveValues(*loop.getBody()) <= lightLiveValues
                        ? lightInterleave
                        : interleave;
    auto sideBySide = LLVM::LoopInterleaveAttr::get(
        ctx, IntegerAttr::get(IntegerType::get(ctx, 32), count));
    loop->setAttr(kHint, LLVM::LoopAnnotationAttr::get(
                             ctx, {}, vectorize, sideBySide, {}, {}, {}, {}, {},
                             {}, {}, {}, {}, {}, {}, {}));
  }
};
} // namespace
