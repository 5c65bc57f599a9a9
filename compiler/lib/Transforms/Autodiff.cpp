//===- Autodiff.cpp - reverse-mode gradient of the GA-NTK loss ------------===//
//
// Two levels of reverse mode:
//  * graph level: per-op adjoint rules over the gantk ops of the loss
//    function, walked in reverse program order;
//  * pair level: the body of gantk.pairwise (the fused layer recursion) is
//    differentiated op by op into the body of gantk.pairwise_grad, which
//    first recomputes the forward values, so nothing per layer is stored
//    outside a pair (a loop over repeated layers keeps a per-pair tape).
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/ScalarBuilder.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_AUTODIFFPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {

//===----------------------------------------------------------------------===//
// Per-pair reverse mode
//===----------------------------------------------------------------------===//

/// Builds the adjoint of a per-pair body: the forward ops are cloned
/// (recomputation), then visited in reverse, each contributing to the
/// adjoints of its operands. Rules follow NTK_SPEC's conventions for the
/// singular points: d√u = 0 for u ≤ 1e-30 and a safe atan2 denominator.
///
/// A loop in the body (a repeated layer) is recomputed with a tape: the
/// forward clone stores every iteration's input state in a per-pair scratch
/// buffer (an alloca at the start of the adjoint body), and the reverse
/// loop walks the iterations backwards, recomputing each one's body from
/// its taped input and differentiating it. Memory is one state per
/// iteration; compute is twice the forward.
class PairAdjoint {
public:
  PairAdjoint(OpBuilder &b, Location loc, Type pairType, Block *scratchBlock)
      : s(b, loc, pairType), b(b), loc(loc), scratchBlock(scratchBlock) {}

  LogicalResult build(Block &forward, ValueRange inputs, Value seed,
                      SmallVectorImpl<Value> &inputAdjoints) {
    IRMapping map;
    map.map(forward.getArguments(), inputs);
    SmallVector<Operation *> cloned;
    if (failed(cloneForward(forward.without_terminator(), map, cloned)))
      return failure();
    accumulate(map.lookup(forward.getTerminator()->getOperand(0)), seed);
    if (failed(reverse(cloned)))
      return failure();
    for (Value in : inputs) {
      Value adj = adjoints.lookup(in);
      inputAdjoints.push_back(adj ? adj : zeroLike(in));
    }
    return success();
  }

private:
  /// A forward loop as recomputed: the original (whose body the reverse
  /// recomputes) and the tape of its iterations' input states.
  struct TapedLoop {
    scf::ForOp original;
    Value tape; // memref<trips x state x T>
    int64_t trips;
  };

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// Clones `ops` at the builder, mapping through `map`; loops become taped
  /// loops.
  LogicalResult cloneForward(llvm::iterator_range<Block::iterator> ops,
                             IRMapping &map,
                             SmallVectorImpl<Operation *> &cloned) {
    for (Operation &op : ops) {
      if (auto pick = dyn_cast<scf::IndexSwitchOp>(op)) {
        FailureOr<scf::IndexSwitchOp> clone = cloneSwitch(pick, map);
        if (failed(clone))
          return failure();
        cloned.push_back(*clone);
        continue;
      }
      auto loop = dyn_cast<scf::ForOp>(op);
      if (!loop) {
        cloned.push_back(b.clone(op, map));
        continue;
      }
      FailureOr<scf::ForOp> taped = cloneTaped(loop, map);
      if (failed(taped))
        return failure();
      cloned.push_back(*taped);
    }
    return success();
  }

  /// A switch over layers (a long chain as a loop): its cases cloned the
  /// same way, so that their own loops are taped.
  FailureOr<scf::IndexSwitchOp> cloneSwitch(scf::IndexSwitchOp pick,
                                            IRMapping &map) {
    auto clone = scf::IndexSwitchOp::create(
        b, loc, pick.getResultTypes(), map.lookup(pick.getArg()),
        pick.getCases(), pick.getCases().size());
    for (auto [from, to] : llvm::zip(pick->getRegions(), clone->getRegions())) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToEnd(&to.emplaceBlock());
      SmallVector<Operation *> inner;
      if (failed(cloneForward(from.front().without_terminator(), map, inner)))
        return failure();
      SmallVector<Value> yielded;
      for (Value v : from.front().getTerminator()->getOperands())
        yielded.push_back(map.lookup(v));
      scf::YieldOp::create(b, loc, yielded);
    }
    map.map(pick.getResults(), clone.getResults());
    switches[clone] = pick;
    forwardMaps[clone] = map;
    return clone;
  }

  /// for i in [0, trips): tape[i] = state; state = body(state).
  FailureOr<scf::ForOp> cloneTaped(scf::ForOp loop, IRMapping &map) {
    std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
    std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
    std::optional<int64_t> step = getConstantIntValue(loop.getStep());
    if (!lb || !ub || *lb != 0 || !step || *step != 1)
      return loop.emitOpError("a loop in a per-pair body needs the bounds "
                              "[0, constant) and step 1 to be differentiated");
    Type element = s.getType();
    if (llvm::any_of(loop.getInitArgs().getTypes(),
                     [&](Type t) { return t != element; }))
      return loop.emitOpError("a differentiated loop carries values of the "
                              "pair type only");
    int64_t trips = std::max<int64_t>(*ub, 0);
    int64_t width = loop.getNumRegionIterArgs();
    Value tape;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(scratchBlock);
      tape = memref::AllocaOp::create(
          b, loc, MemRefType::get({std::max<int64_t>(trips, 1), width},
                                  element));
    }
    SmallVector<Value> init;
    for (Value v : loop.getInitArgs())
      init.push_back(map.lookup(v));
    auto taped = scf::ForOp::create(b, loc, map.lookup(loop.getLowerBound()),
                                    map.lookup(loop.getUpperBound()),
                                    map.lookup(loop.getStep()), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(taped.getBody());
      Value iv = taped.getInductionVar();
      for (auto [k, arg] : llvm::enumerate(taped.getRegionIterArgs()))
        memref::StoreOp::create(b, loc, arg, tape, ValueRange{iv, index(k)});
      IRMapping bodyMap = map;
      bodyMap.map(loop.getInductionVar(), iv);
      bodyMap.map(loop.getRegionIterArgs(), taped.getRegionIterArgs());
      SmallVector<Operation *> inner;
      if (failed(cloneForward(loop.getBody()->without_terminator(), bodyMap,
                              inner)))
        return failure();
      SmallVector<Value> yielded;
      for (Value v : loop.getBody()->getTerminator()->getOperands())
        yielded.push_back(bodyMap.lookup(v));
      scf::YieldOp::create(b, loc, yielded);
    }
    map.map(loop.getResults(), taped.getResults());
    tapedLoops[taped] = TapedLoop{loop, tape, trips};
    forwardMaps[taped] = map;
    return taped;
  }

  void accumulate(Value v, Value contribution) {
    Value &slot = adjoints[v];
    slot = slot ? arith::AddFOp::create(b, loc, slot, contribution)
                : contribution;
  }

  /// A zero of `v`'s type (the adjoint of what nothing reads).
  Value zeroLike(Value v) {
    return ScalarBuilder(b, loc, v.getType()).c(0);
  }

  /// Visits `ops` last to first.
  LogicalResult reverse(ArrayRef<Operation *> ops) {
    for (Operation *op : llvm::reverse(ops)) {
      if (auto loop = dyn_cast<scf::ForOp>(op)) {
        if (failed(reverseLoop(loop)))
          return failure();
        continue;
      }
      if (auto pick = dyn_cast<scf::IndexSwitchOp>(op)) {
        if (failed(reverseSwitch(pick)))
          return failure();
        continue;
      }
      if (op->getNumResults() == 0)
        continue; // a tape store
      if (op->getNumResults() != 1)
        return op->emitOpError("has no scalar adjoint rule"), failure();
      Value adj = adjoints.lookup(op->getResult(0));
      if (!adj)
        continue;
      if (failed(propagate(op, adj)))
        return failure();
    }
    return success();
  }

  /// The adjoint of a taped loop: for t in [0, trips), i = trips − 1 − t:
  /// recompute iteration i's body from tape[i], differentiate it with the
  /// adjoints of its outputs, and carry the adjoints of its inputs (and of
  /// the values it reads from outside) to the next one.
  LogicalResult reverseLoop(scf::ForOp taped) {
    auto it = tapedLoops.find(taped);
    if (it == tapedLoops.end())
      return taped.emitOpError("has no scalar adjoint rule"), failure();
    TapedLoop loop = it->second;
    IRMapping outer = forwardMaps[taped];
    int64_t width = taped.getNumRegionIterArgs();
    // Values of the forward body defined outside the loop whose adjoints
    // accumulate over the iterations.
    SmallVector<Value> outside =
        readFromOutside(loop.original->getRegions(), outer);

    SmallVector<Value> init;
    for (Value r : taped.getResults()) {
      Value adj = adjoints.lookup(r);
      init.push_back(adj ? adj : s.c(0));
    }
    for (size_t k = 0; k < outside.size(); ++k)
      init.push_back(s.c(0));
    auto back = scf::ForOp::create(b, loc, index(0), index(loop.trips),
                                   index(1), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(back.getBody());
      Value i = arith::SubIOp::create(b, loc, index(loop.trips - 1),
                                      back.getInductionVar());
      SmallVector<Value> state;
      for (int64_t k = 0; k < width; ++k)
        state.push_back(memref::LoadOp::create(b, loc, loop.tape,
                                               ValueRange{i, index(k)}));
      IRMapping bodyMap = outer;
      bodyMap.map(loop.original.getInductionVar(), i);
      bodyMap.map(loop.original.getRegionIterArgs(), state);
      SmallVector<Operation *> recomputed;
      if (failed(cloneForward(loop.original.getBody()->without_terminator(),
                              bodyMap, recomputed)))
        return failure();
      // The iteration's own adjoints: seeded with its outputs'.
      ValueRange carried = back.getRegionIterArgs();
      SmallVector<std::pair<Value, Value>> seeds;
      for (auto [k, v] : llvm::enumerate(
               loop.original.getBody()->getTerminator()->getOperands()))
        seeds.emplace_back(bodyMap.lookup(v), carried[k]);
      SmallVector<Value> inputs(state);
      inputs.append(outside);
      FailureOr<SmallVector<Value>> adj = reverseScope(recomputed, seeds, inputs);
      if (failed(adj))
        return failure();
      SmallVector<Value> next(adj->begin(), adj->begin() + width);
      for (int64_t k = 0; k < int64_t(outside.size()); ++k)
        next.push_back(s.add(carried[width + k], (*adj)[width + k]));
      scf::YieldOp::create(b, loc, next);
    }
    for (auto [k, v] : llvm::enumerate(taped.getInitArgs()))
      accumulate(v, back.getResult(k));
    for (auto [k, v] : llvm::enumerate(outside))
      accumulate(v, back.getResult(width + k));
    return success();
  }

  /// Differentiates `ops` (a recomputed iteration or case) with adjoints of
  /// their own: seeds each (value, adjoint) of `seeds`, visits `ops` in
  /// reverse and returns the adjoints of `inputs` (zero where none).
  FailureOr<SmallVector<Value>>
  reverseScope(ArrayRef<Operation *> ops,
               ArrayRef<std::pair<Value, Value>> seeds, ValueRange inputs) {
    llvm::DenseMap<Value, Value> saved = std::move(adjoints);
    adjoints.clear();
    for (auto [v, adj] : seeds)
      accumulate(v, adj);
    LogicalResult result = reverse(ops);
    SmallVector<Value> out;
    for (Value v : inputs) {
      Value adj = adjoints.lookup(v);
      out.push_back(adj ? adj : zeroLike(v));
    }
    adjoints = std::move(saved);
    if (failed(result))
      return failure();
    return out;
  }

  /// Values of the pair type that `regions` read from outside them and
  /// that can have an adjoint (not constants), as the forward clone has
  /// them.
  SmallVector<Value> readFromOutside(MutableArrayRef<Region> regions,
                                     IRMapping &outer) {
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(regions, captured);
    SmallVector<Value> outside;
    for (Value v : captured)
      if (v.getType() == s.getType() && !v.getDefiningOp<arith::ConstantOp>())
        outside.push_back(outer.lookup(v));
    return outside;
  }

  /// The adjoint of a switch over layers: a switch on the same index whose
  /// case recomputes that layer's forward from its inputs, differentiates
  /// it with the adjoints of the switch's results and yields the adjoints
  /// of what it read from outside.
  LogicalResult reverseSwitch(scf::IndexSwitchOp clone) {
    scf::IndexSwitchOp pick = switches.lookup(clone);
    if (!pick)
      return clone.emitOpError("has no scalar adjoint rule"), failure();
    IRMapping outer = forwardMaps[clone];
    SmallVector<Value> outside = readFromOutside(pick->getRegions(), outer);
    SmallVector<Value> resultAdjoints;
    for (Value r : clone.getResults()) {
      Value adj = adjoints.lookup(r);
      resultAdjoints.push_back(adj ? adj : s.c(0));
    }
    auto back = scf::IndexSwitchOp::create(
        b, loc, SmallVector<Type>(outside.size(), s.getType()), clone.getArg(),
        pick.getCases(), pick.getCases().size());
    for (auto [from, to] : llvm::zip(pick->getRegions(), back->getRegions())) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToEnd(&to.emplaceBlock());
      IRMapping caseMap = outer;
      SmallVector<Operation *> recomputed;
      if (failed(cloneForward(from.front().without_terminator(), caseMap,
                              recomputed)))
        return failure();
      SmallVector<std::pair<Value, Value>> seeds;
      for (auto [k, v] :
           llvm::enumerate(from.front().getTerminator()->getOperands()))
        seeds.emplace_back(caseMap.lookupOrDefault(v), resultAdjoints[k]);
      FailureOr<SmallVector<Value>> yielded =
          reverseScope(recomputed, seeds, outside);
      if (failed(yielded))
        return failure();
      scf::YieldOp::create(b, loc, *yielded);
    }
    for (auto [k, v] : llvm::enumerate(outside))
      accumulate(v, back.getResult(k));
    return success();
  }

  LogicalResult propagate(Operation *op, Value adj) {
    using arith::CmpFPredicate;
    Value r = op->getResult(0);
    if (isa<arith::ConstantOp>(op))
      return success();
    // A window and a mean change the map's shape; their adjoints are the
    // transposes (spread back, and a splat of 1/positions).
    if (auto window = dyn_cast<WindowOp>(op)) {
      accumulate(window.getInput(),
                 WindowTransposeOp::create(
                     b, loc, window.getInput().getType(), adj,
                     window.getKernelAttr(), window.getStrideAttr(),
                     window.getPaddingAttr()));
      return success();
    }
    if (auto mean = dyn_cast<SpatialMeanOp>(op)) {
      RankedTensorType map = mean.getInput().getType();
      ScalarBuilder t(b, loc, r.getType());
      Value share = t.mul(adj, t.c(1.0 / double(map.getNumElements())));
      accumulate(mean.getInput(), tensor::SplatOp::create(b, loc, map, share));
      return success();
    }
    // Elementwise ops: their constants take the op's own type (a float, or
    // a map of them).
    ScalarBuilder s(b, loc, r.getType());
    if (isa<arith::AddFOp>(op)) {
      accumulate(op->getOperand(0), adj);
      accumulate(op->getOperand(1), adj);
      return success();
    }
    if (isa<arith::SubFOp>(op)) {
      accumulate(op->getOperand(0), adj);
      accumulate(op->getOperand(1), s.neg(adj));
      return success();
    }
    if (isa<arith::NegFOp>(op)) {
      accumulate(op->getOperand(0), s.neg(adj));
      return success();
    }
    if (isa<arith::MulFOp>(op)) {
      Value x = op->getOperand(0), y = op->getOperand(1);
      accumulate(x, s.mul(adj, y));
      accumulate(y, s.mul(adj, x));
      return success();
    }
    if (isa<arith::DivFOp>(op)) {
      Value x = op->getOperand(0), y = op->getOperand(1);
      Value dx = s.div(adj, y);
      accumulate(x, dx);
      accumulate(y, s.neg(s.mul(dx, r)));
      return success();
    }
    if (isa<arith::MaximumFOp, arith::MinimumFOp>(op)) {
      Value x = op->getOperand(0), y = op->getOperand(1);
      auto pred = isa<arith::MaximumFOp>(op) ? CmpFPredicate::OGE
                                             : CmpFPredicate::OLE;
      Value xWins = s.cmp(pred, x, y);
      Value zero = s.c(0);
      accumulate(x, s.select(xWins, adj, zero));
      accumulate(y, s.select(xWins, zero, adj));
      return success();
    }
    if (isa<math::SqrtOp>(op)) {
      Value u = op->getOperand(0);
      Value live = s.cmp(CmpFPredicate::OGT, u, s.c(1e-30));
      accumulate(u, s.select(live, s.div(s.mul(s.c(0.5), adj), r), s.c(0)));
      return success();
    }
    if (isa<math::Atan2Op>(op)) {
      Value y = op->getOperand(0), x = op->getOperand(1);
      Value den = s.max(s.add(s.mul(x, x), s.mul(y, y)), s.c(1e-30));
      Value scaled = s.div(adj, den);
      accumulate(y, s.mul(scaled, x));
      accumulate(x, s.neg(s.mul(scaled, y)));
      return success();
    }
    if (isa<math::ErfOp>(op)) {
      Value x = op->getOperand(0);
      Value g = s.mul(s.c(2 / std::sqrt(M_PI)), s.exp(s.neg(s.mul(x, x))));
      accumulate(x, s.mul(adj, g));
      return success();
    }
    if (isa<math::ExpOp>(op)) {
      accumulate(op->getOperand(0), s.mul(adj, r));
      return success();
    }
    return op->emitOpError("has no scalar adjoint rule"), failure();
  }

  ScalarBuilder s;
  OpBuilder &b;
  Location loc;
  /// Where the tapes are allocated: the start of the adjoint body, so that
  /// each pair reuses them (no allocation per iteration).
  Block *scratchBlock;
  llvm::DenseMap<Value, Value> adjoints;
  llvm::DenseMap<Operation *, TapedLoop> tapedLoops;
  /// A recomputed switch → the forward switch it was cloned from.
  llvm::DenseMap<Operation *, scf::IndexSwitchOp> switches;
  /// A recomputed loop or switch → the values its body reads, as the clone
  /// has them.
  llvm::DenseMap<Operation *, IRMapping> forwardMaps;
};

//===----------------------------------------------------------------------===//
// Graph level
//===----------------------------------------------------------------------===//

struct GraphAdjoint {
  explicit GraphAdjoint(OpBuilder &b) : b(b) {}

  OpBuilder &b;
  llvm::DenseMap<Value, Value> adjoints;
  /// dG of a gram op is consumed at its points' stack op, which knows which
  /// rows are wanted: the gram's points, dG, and the input pools between
  /// the stack and the gram (last first), whose transposes follow.
  struct PendingGram {
    Value points, cotangent;
    SmallVector<AvgPoolOp> pools;
  };
  /// Several discriminators' grams may read one stack (each through its
  /// own pools): their dZ parts are summed there.
  llvm::DenseMap<Value, SmallVector<PendingGram, 1>> pendingGram;
  /// d(step loss)/d(loss) of each loss: its weight in a gantk.loss_sum, 1
  /// for the step's loss itself (the seed).
  llvm::DenseMap<Value, double> lossScale;

  LogicalResult visit(Operation *op) {
    Location loc = op->getLoc();
    if (auto sum = dyn_cast<LossSumOp>(op)) {
      auto scale = lossScale.find(sum.getResult());
      if (scale == lossScale.end())
        return success();
      for (auto [loss, weight] : llvm::zip(sum.getLosses(), sum.getWeights()))
        lossScale[loss] += scale->second * weight;
      return success();
    }
    if (auto loss = dyn_cast<LossOp>(op)) {
      auto scale = lossScale.find(loss.getResult());
      if (scale == lossScale.end())
        return success();
      if (!loss.getLabels().getDefiningOp<LabelsOp>())
        return op->emitOpError("labels must come from gantk.labels to be "
                               "differentiated"),
               failure();
      adjoints[loss.getAction()] = LossGradOp::create(
          b, loc, loss.getAction().getType(), loss.getAction(),
          loss.getLabels(), loss.getKindAttr(),
          b.getF64FloatAttr(scale->second));
      return success();
    }
    Value adj;
    if (op->getNumResults() == 1)
      adj = adjoints.lookup(op->getResult(0));
    if (auto expm = dyn_cast<ExpmActionOp>(op)) {
      if (!adj)
        return success();
      // Only the kernel gets an adjoint: the right-hand side must be the
      // constant labels, or the gradient would silently miss a path.
      if (!expm.getRhs().getDefiningOp<LabelsOp>())
        return op->emitOpError("right-hand side must come from gantk.labels "
                               "to be differentiated"),
               failure();
      adjoints[expm.getKernel()] = ExpmActionGradOp::create(
          b, loc, expm.getKernel().getType(), expm.getKernel(), expm.getRhs(),
          adj, expm.getLambdaAttr(), expm.getEigRegAttr(),
          expm.getSolverAttr(), expm.getTolAttr(), expm.getMaxIterAttr());
      return success();
    }
    if (auto pairwise = dyn_cast<PairwiseOp>(op)) {
      if (!adj)
        return success();
      // The corner is a graph-level shortcut that gantk-split-pairs adds
      // after differentiation; its pairs' adjoint would go to a block of G.
      if (pairwise.getCorner())
        return op->emitOpError("with a corner cannot be differentiated "
                               "(gantk-split-pairs runs after "
                               "gantk-autodiff)"),
               failure();
      auto grad = PairwiseGradOp::create(
          b, loc, pairwise.getGram().getType(), pairwise.getDiag().getType(),
          pairwise.getGram(), pairwise.getDiag(), adj);
      Type pairType = pairwise.getPairType();
      Type element = pairwise.getType().getElementType();
      OpBuilder::InsertionGuard guard(b);
      Block *body = b.createBlock(&grad.getBody(), {},
                                  {pairType, pairType, pairType, element},
                                  {loc, loc, loc, loc});
      PairAdjoint pair(b, loc, pairType, body);
      SmallVector<Value> inputAdjoints;
      if (failed(pair.build(pairwise.getBody().front(),
                              body->getArguments().take_front(3),
                              body->getArgument(3), inputAdjoints)))
        return failure();
      YieldOp::create(b, loc, inputAdjoints);
      adjoints[pairwise.getGram()] = grad.getGramGrad();
      adjoints[pairwise.getDiag()] = grad.getDiagGrad();
      return success();
    }
    if (auto diag = dyn_cast<DiagOp>(op)) {
      if (!adj)
        return success();
      Value &gramAdj = adjoints[diag.getInput()];
      if (!gramAdj)
        return op->emitOpError("diagonal used without its matrix"), failure();
      gramAdj = AddDiagOp::create(b, loc, gramAdj.getType(), gramAdj, adj);
      return success();
    }
    if (auto gram = dyn_cast<GramOp>(op)) {
      if (adj)
        pendingGram[gram.getPoints()].push_back({gram.getPoints(), adj, {}});
      return success();
    }
    if (auto pool = dyn_cast<AvgPoolOp>(op)) {
      auto it = pendingGram.find(pool.getResult());
      if (it == pendingGram.end())
        return success();
      SmallVector<PendingGram, 1> pending = std::move(it->second);
      pendingGram.erase(it);
      for (PendingGram &p : pending) {
        p.pools.push_back(pool);
        pendingGram[pool.getPoints()].push_back(std::move(p));
      }
      return success();
    }
    if (auto stack = dyn_cast<StackOp>(op)) {
      auto it = pendingGram.find(stack.getResult());
      if (it == pendingGram.end())
        return success();
      auto fakeType = stack.getFake().getType();
      int64_t numReal =
          cast<RankedTensorType>(stack.getReal().getType()).getDimSize(0);
      // The generated rows of the gram's (pooled) points, then back through
      // the pools, nearest to the gram first.
      auto rowsOf = [&](Value points) {
        return RankedTensorType::get(
            {fakeType.getDimSize(0),
             cast<RankedTensorType>(points.getType()).getDimSize(1)},
            fakeType.getElementType());
      };
      Value total;
      for (const PendingGram &pending : it->second) {
        Value grad = GramGradOp::create(b, loc, rowsOf(pending.points),
                                        pending.points, pending.cotangent,
                                        b.getI64IntegerAttr(numReal));
        for (AvgPoolOp pool : pending.pools)
          grad = AvgPoolTransposeOp::create(
              b, loc, rowsOf(pool.getPoints()), grad, pool.getImageAttr(),
              pool.getWindowAttr(), pool.getStrideAttr(),
              pool.getPaddingAttr());
        total = total ? AddOp::create(b, loc, total, grad).getResult() : grad;
      }
      adjoints[stack.getFake()] = total;
      return success();
    }
    if (auto gen = dyn_cast<GeneratorOp>(op)) {
      // dθ only: the latent rows are drawn, not optimised.
      if (adj)
        adjoints[gen.getParams()] = GeneratorGradOp::create(
            b, loc, gen.getParams().getType(), gen.getLatent(), gen.getParams(),
            adj, gen.getWidthsAttr(), gen.getActivationsAttr());
      return success();
    }
    if (isa<LabelsOp, func::ReturnOp>(op))
      return success();
    if (adj || llvm::any_of(op->getResults(),
                            [&](Value v) { return adjoints.count(v); }))
      return op->emitOpError("has no adjoint rule"), failure();
    return success();
  }
};

struct AutodiffPass : public gantk::impl::AutodiffPassBase<AutodiffPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> targets;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn->hasAttr("gantk.differentiate"))
        targets.push_back(fn);
    for (func::FuncOp fn : targets)
      if (failed(differentiate(fn)))
        return signalPassFailure();
  }

  LogicalResult differentiate(func::FuncOp fn) {
    if (fn.getNumResults() != 1 || fn.getNumArguments() < 1 ||
        !fn.getBody().hasOneBlock())
      return fn.emitOpError("gantk.differentiate needs one block, one loss "
                            "result and the variable as the last argument");
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    if (!ret.getOperand(0).getDefiningOp<LossOp>() &&
        !ret.getOperand(0).getDefiningOp<LossSumOp>())
      return fn.emitOpError("differentiated result must come from gantk.loss "
                            "or gantk.loss_sum");

    OpBuilder b(fn);
    b.setInsertionPointAfter(fn);
    auto grad = cast<func::FuncOp>(b.clone(*fn));
    grad.setSymName((fn.getSymName() + "_grad").str());
    grad->removeAttr("gantk.differentiate");
    Block &block = grad.getBody().front();
    auto gradRet = cast<func::ReturnOp>(block.getTerminator());
    Value variable = block.getArguments().back();

    b.setInsertionPoint(gradRet);
    GraphAdjoint graph(b);
    graph.lossScale[gradRet.getOperand(0)] = 1; // the seed
    SmallVector<Operation *> ops;
    for (Operation &op : block)
      ops.push_back(&op);
    for (Operation *op : llvm::reverse(ops))
      if (failed(graph.visit(op)))
        return failure();
    Value dVariable = graph.adjoints.lookup(variable);
    if (!dVariable)
      return fn.emitOpError("the loss does not depend on the last argument");

    SmallVector<Value> results{gradRet.getOperand(0), dVariable};
    func::ReturnOp::create(b, gradRet.getLoc(), results);
    gradRet.erase();
    grad.setFunctionType(b.getFunctionType(
        grad.getArgumentTypes(), ValueRange(results).getTypes()));
    // The gradient function returns the loss too: the primal is redundant.
    fn.erase();
    return success();
  }
};
} // namespace
