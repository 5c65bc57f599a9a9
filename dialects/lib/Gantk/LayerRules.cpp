//===- LayerRules.cpp - the pair rule of every layer ----------------------===//
//
// Each layer op's NNGP/NTK update of one pair, following NTK_SPEC.md (and
// Neural Tangents' stax for gelu and sin) exactly. gantk-fuse-recursion
// chains these rules; nothing else in the compiler knows a layer's math.
//
//===----------------------------------------------------------------------===//

#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using namespace gantk;

#include "gantk/Dialect/Gantk/GantkInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

bool gantk::isGaussian(Value state) {
  if (auto arg = dyn_cast<BlockArgument>(state)) {
    // Inside a repeated body the state is the repeat's input on the first
    // iteration and the body's output on the others.
    auto repeat = dyn_cast<RepeatOp>(arg.getOwner()->getParentOp());
    if (!repeat)
      return false;
    Block &body = repeat.getBody().front();
    Value yielded = body.mightHaveTerminator() &&
                            body.getTerminator()->getNumOperands() == 1
                        ? body.getTerminator()->getOperand(0)
                        : Value();
    return isGaussian(repeat.getInput()) &&
           (yielded == arg || (yielded && isGaussian(yielded)));
  }
  if (auto layer = state.getDefiningOp<LayerOpInterface>())
    return layer.hasGaussianOutput();
  return false;
}

LogicalResult gantk::verifyLayerOp(Operation *op) {
  auto in = op->getNumOperands() == 1
                ? dyn_cast<KernelType>(op->getOperand(0).getType())
                : KernelType();
  auto out = op->getNumResults() == 1
                 ? dyn_cast<KernelType>(op->getResult(0).getType())
                 : KernelType();
  // The maps' shape may change (conv, flatten); the points may not.
  if (!in || !out || in.getSize() != out.getSize() ||
      in.getElementType() != out.getElementType())
    return op->emitOpError("a layer takes one !gantk.kernel state and "
                           "returns one of the same points and precision");
  // NTK_SPEC: a nonlinearity's rule assumes a Gaussian input, which only an
  // affine layer's output is.
  if (cast<LayerOpInterface>(op).requiresGaussianInput() &&
      !isGaussian(op->getOperand(0)))
    return op->emitOpError("needs a Gaussian input: an affine layer "
                           "(gantk.dense) right before it");
  return success();
}

/// Θ' = factor · Θ, with Θ = 0 folded away.
static Value scaleNtk(ScalarBuilder &s, Value factor, Value ntk) {
  return ntk ? s.mul(factor, ntk) : Value();
}

//===----------------------------------------------------------------------===//
// dense
//===----------------------------------------------------------------------===//

PairState DenseOp::buildPairRule(ScalarBuilder &s, const PairState &in) {
  Value w = s.c(std::pow(getWStd().convertToDouble(), 2));
  Value b = s.c(std::pow(getBStd().convertToDouble(), 2));
  auto affine = [&](Value x) { return s.add(s.mul(w, x), b); };
  PairState out;
  out.nngp = affine(in.nngp);
  out.varI = affine(in.varI);
  out.varJ = affine(in.varJ);
  // Θ' = Σ' + σw² Θ, with the new Σ'.
  out.ntk = in.ntk ? s.add(out.nngp, s.mul(w, in.ntk)) : out.nngp;
  return out;
}

bool DenseOp::requiresGaussianInput() { return false; }
bool DenseOp::hasGaussianOutput() { return true; }

//===----------------------------------------------------------------------===//
// conv, flatten
//===----------------------------------------------------------------------===//

PairState ConvOp::buildPairRule(ScalarBuilder &s, const PairState &in) {
  OpBuilder &b = s.builder();
  Location loc = s.getLoc();
  Type outPair = getResult().getType().getPairType();
  auto window = [&](Value map) -> Value {
    if (!map)
      return Value();
    return WindowOp::create(b, loc, outPair, map, getKernelAttr(),
                            getStrideAttr(), getPaddingAttr());
  };
  // The affine part acts on the window's output maps.
  ScalarBuilder out(b, loc, outPair);
  Value w = out.c(std::pow(getWStd().convertToDouble(), 2));
  Value bias = out.c(std::pow(getBStd().convertToDouble(), 2));
  auto affine = [&](Value x) { return out.add(out.mul(w, window(x)), bias); };
  PairState next;
  next.nngp = affine(in.nngp);
  next.varI = affine(in.varI);
  next.varJ = affine(in.varJ);
  // Θ' = σw² A(Θ) + Σ', with the new Σ'.
  next.ntk = in.ntk ? out.add(out.mul(w, window(in.ntk)), next.nngp)
                    : next.nngp;
  return next;
}

bool ConvOp::requiresGaussianInput() { return false; }
bool ConvOp::hasGaussianOutput() { return true; }

int64_t ConvOp::getPairFlops() {
  // Per output position: a window sum of each of the four maps and its
  // affine update.
  ArrayRef<int64_t> out = getResult().getType().getSpatial();
  int64_t taps = getKernel()[0] * getKernel()[1];
  return out[0] * out[1] * 4 * (taps + 2);
}

PairState FlattenOp::buildPairRule(ScalarBuilder &s, const PairState &in) {
  Type element = getResult().getType().getElementType();
  auto mean = [&](Value map) -> Value {
    if (!map)
      return Value();
    return SpatialMeanOp::create(s.builder(), s.getLoc(), element, map);
  };
  return PairState{mean(in.nngp), mean(in.ntk), mean(in.varI), mean(in.varJ)};
}

bool FlattenOp::requiresGaussianInput() { return false; }
bool FlattenOp::hasGaussianOutput() { return false; }

int64_t FlattenOp::getPairFlops() {
  ArrayRef<int64_t> in = getInput().getType().getSpatial();
  return 4 * in[0] * in[1];
}

//===----------------------------------------------------------------------===//
// abrelu (relu, leaky_relu, abs)
//===----------------------------------------------------------------------===//

PairState ABReluOp::buildPairRule(ScalarBuilder &s, const PairState &in) {
  double a = getA().convertToDouble(), b = getB().convertToDouble();
  double half = (a * a + b * b) / 2;
  double f = (a - b) * (a - b) / (2 * M_PI);
  // sq = √max(q11 q22 − q12², 0) is exactly 0 on the diagonal, where the
  // three inputs are the same number.
  Value sq = s.sqrt(s.max(s.sub(s.mul(in.varI, in.varJ),
                                s.mul(in.nngp, in.nngp)),
                          s.c(0)));
  Value theta = s.atan2(sq, in.nngp);
  Value sigmaDot = s.sub(s.c(half), s.mul(s.c(f), theta));
  PairState out;
  out.nngp = s.add(s.mul(s.c(f), sq), s.mul(sigmaDot, in.nngp));
  out.varI = s.mul(s.c(half), in.varI);
  out.varJ = s.mul(s.c(half), in.varJ);
  out.ntk = scaleNtk(s, sigmaDot, in.ntk);
  return out;
}

bool ABReluOp::requiresGaussianInput() { return true; }
bool ABReluOp::hasGaussianOutput() { return false; }

//===----------------------------------------------------------------------===//
// erf
//===----------------------------------------------------------------------===//

PairState ErfOp::buildPairRule(ScalarBuilder &s, const PairState &in) {
  double a = getA().convertToDouble(), b = getB().convertToDouble(),
         c = getC().convertToDouble();
  Value b2 = s.c(b * b);
  Value q12 = s.mul(b2, in.nngp), q11 = s.mul(b2, in.varI),
        q22 = s.mul(b2, in.varJ);
  Value one = s.c(1), two = s.c(2);
  auto onePlus2 = [&](Value q) { return s.add(one, s.mul(two, q)); };
  Value d = s.sqrt(s.max(s.sub(s.mul(onePlus2(q11), onePlus2(q22)),
                               s.mul(s.c(4), s.mul(q12, q12))),
                         s.c(0)));
  double scale = a * a * 2 / M_PI;
  auto variance = [&](Value q) {
    // (1 + 2v)² − 4v² = 1 + 4v.
    Value den = s.sqrt(s.add(one, s.mul(s.c(4), q)));
    return s.add(s.mul(s.c(scale), s.atan2(s.mul(two, q), den)), s.c(c * c));
  };
  PairState out;
  out.nngp =
      s.add(s.mul(s.c(scale), s.atan2(s.mul(two, q12), d)), s.c(c * c));
  out.varI = variance(q11);
  out.varJ = variance(q22);
  out.ntk = in.ntk ? s.div(s.mul(s.c(a * a * 4 / M_PI), s.mul(b2, in.ntk)), d)
                   : Value();
  return out;
}

bool ErfOp::requiresGaussianInput() { return true; }
bool ErfOp::hasGaussianOutput() { return false; }

//===----------------------------------------------------------------------===//
// gelu
//===----------------------------------------------------------------------===//

PairState GeluOp::buildPairRule(ScalarBuilder &s, const PairState &in) {
  Value one = s.c(1), twoPi = s.c(2 * M_PI), quarter = s.c(0.25);
  Value q12 = in.nngp, q11 = in.varI, q22 = in.varJ;
  Value prod = s.mul(q11, q22);
  Value prod1 = s.mul(s.add(q11, one), s.add(q22, one));
  // δ² = (q11 + 1)(q22 + 1) − q12² ≥ 1 + q11 + q22 > 0.
  Value delta2 = s.sub(prod1, s.mul(q12, q12));
  Value delta = s.sqrt(s.max(delta2, s.c(0)));
  Value theta = s.atan2(q12, delta);
  PairState out;
  out.nngp = s.add(
      s.div(s.add(s.div(s.add(s.mul(q12, q12), s.mul(prod, delta2)),
                        s.mul(prod1, delta)),
                  s.mul(q12, theta)),
            twoPi),
      s.mul(quarter, q12));
  // v' is Σ' at q12 = q11 = q22 = v: δ² = 1 + 2v.
  auto variance = [&](Value v) {
    Value root = s.sqrt(s.add(one, s.mul(s.c(2), v)));
    Value bracket = s.add(s.div(v, s.mul(s.add(v, one), root)),
                          s.div(s.atan2(v, root), s.c(2)));
    return s.mul(s.add(s.div(bracket, s.c(M_PI)), quarter), v);
  };
  out.varI = variance(q11);
  out.varJ = variance(q22);
  if (in.ntk) {
    Value first = s.add(s.add(s.div(one, delta2),
                              s.div(s.sub(one, prod), prod1)),
                        one);
    first = s.mul(first, s.div(s.div(q12, delta), twoPi));
    Value sigmaDot = s.add(first, s.add(quarter, s.div(theta, twoPi)));
    out.ntk = s.mul(in.ntk, sigmaDot);
  }
  return out;
}

bool GeluOp::requiresGaussianInput() { return true; }
bool GeluOp::hasGaussianOutput() { return false; }

//===----------------------------------------------------------------------===//
// sin
//===----------------------------------------------------------------------===//

PairState SinOp::buildPairRule(ScalarBuilder &s, const PairState &in) {
  double a = getA().convertToDouble(), b = getB().convertToDouble(),
         c = getC().convertToDouble();
  Value b2 = s.c(b * b), halfA2 = s.c(a * a / 2), cos2c = s.c(std::cos(2 * c));
  Value halfSum = s.mul(s.c(-0.5), s.add(in.varI, in.varJ));
  Value s1 = s.exp(s.mul(b2, s.add(halfSum, in.nngp)));
  Value s2 = s.mul(s.exp(s.mul(b2, s.sub(halfSum, in.nngp))), cos2c);
  auto variance = [&](Value v) {
    return s.mul(halfA2,
                 s.sub(s.c(1), s.mul(s.exp(s.mul(s.c(-2 * b * b), v)), cos2c)));
  };
  PairState out;
  out.nngp = s.mul(halfA2, s.sub(s1, s2));
  out.varI = variance(in.varI);
  out.varJ = variance(in.varJ);
  out.ntk = scaleNtk(s, s.mul(s.mul(halfA2, b2), s.add(s1, s2)), in.ntk);
  return out;
}

bool SinOp::requiresGaussianInput() { return true; }
bool SinOp::hasGaussianOutput() { return false; }

//===----------------------------------------------------------------------===//
// repeat
//===----------------------------------------------------------------------===//

PairState RepeatOp::buildPairRule(ScalarBuilder &s, const PairState &in) {
  OpBuilder &b = s.builder();
  Location loc = s.getLoc();
  // The loop carries all four values: Θ = 0 becomes a real zero here.
  SmallVector<Value> init{in.nngp, in.ntk ? in.ntk : s.c(0), in.varI,
                          in.varJ};
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto loop = scf::ForOp::create(b, loc, index(0),
                                 index(int64_t(getCount())), index(1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    ValueRange args = loop.getRegionIterArgs();
    PairState state{args[0], args[1], args[2], args[3]};
    for (LayerOpInterface layer : getLayers())
      state = layer.buildPairRule(s, state);
    scf::YieldOp::create(
        b, loc, ValueRange{state.nngp, state.ntk, state.varI, state.varJ});
  }
  return PairState{loop.getResult(0), loop.getResult(1), loop.getResult(2),
                   loop.getResult(3)};
}

// These two run in the interface's verifier, before RepeatOp::verify has
// checked the body: they must not assume a well-formed one.
bool RepeatOp::requiresGaussianInput() {
  SmallVector<LayerOpInterface> layers = getLayers();
  return !layers.empty() && layers.front().requiresGaussianInput();
}

bool RepeatOp::hasGaussianOutput() {
  Block &body = getBody().front();
  return body.mightHaveTerminator() &&
         body.getTerminator()->getNumOperands() == 1 &&
         isGaussian(body.getTerminator()->getOperand(0));
}

int64_t RepeatOp::getPairFlops() {
  int64_t body = 0;
  for (LayerOpInterface layer : getLayers())
    body += layer.getPairFlops();
  return int64_t(getCount()) * body;
}

int64_t RepeatOp::getPairScratch() {
  // The backward's tape: the four state values of every iteration, then
  // whatever the body's own layers keep.
  int64_t body = 0;
  for (LayerOpInterface layer : getLayers())
    body = std::max(body, layer.getPairScratch());
  return 4 * int64_t(getCount()) + body;
}

//===----------------------------------------------------------------------===//
// The cost model of a rule: its ops, counted once built
//===----------------------------------------------------------------------===//

int64_t gantk::countPairRuleFlops(Operation *op) {
  MLIRContext *ctx = op->getContext();
  OpBuilder b(ctx);
  Location loc = op->getLoc();
  Type f64 = b.getF64Type();
  // An elementwise rule on maps runs once per position.
  int64_t positions = 1;
  if (auto in = dyn_cast<KernelType>(op->getOperand(0).getType()))
    for (int64_t extent : in.getSpatial())
      positions *= extent;
  // A scratch block outside any region: built, counted and dropped.
  Block scratch;
  for (int i = 0; i < 4; ++i)
    scratch.addArgument(f64, loc);
  b.setInsertionPointToStart(&scratch);
  ScalarBuilder s(b, loc, f64);
  cast<LayerOpInterface>(op).buildPairRule(
      s, PairState{scratch.getArgument(0), scratch.getArgument(1),
                   scratch.getArgument(2), scratch.getArgument(3)});
  int64_t flops = 0;
  scratch.walk([&](Operation *inner) {
    if (!isa<arith::ConstantOp>(inner) &&
        isa<arith::ArithDialect, math::MathDialect>(inner->getDialect()))
      ++flops;
  });
  // Users come after their operands: erase from the back.
  while (!scratch.empty())
    scratch.back().erase();
  return flops * positions;
}
