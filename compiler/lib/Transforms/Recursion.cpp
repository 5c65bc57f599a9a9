//===- Recursion.cpp - the NTK layer rules as scalar code -----------------===//

#include "gantk/Compiler/Recursion.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include <cmath>

using namespace mlir;

namespace gantk {

static PairState applyDense(ScalarBuilder &s, DenseOp op, const PairState &in) {
  double w2 = std::pow(op.getWStd().convertToDouble(), 2);
  double b2 = std::pow(op.getBStd().convertToDouble(), 2);
  Value w = s.c(w2), b = s.c(b2);
  auto affine = [&](Value x) { return s.add(s.mul(w, x), b); };
  PairState out;
  out.nngp = affine(in.nngp);
  out.varI = affine(in.varI);
  out.varJ = affine(in.varJ);
  // Θ' = Σ' + σw² Θ, with the new Σ'; Θ = 0 is folded away at the input.
  out.ntk = in.ntk ? s.add(out.nngp, s.mul(w, in.ntk)) : out.nngp;
  return out;
}

static PairState applyABRelu(ScalarBuilder &s, ABReluOp op,
                             const PairState &in) {
  double a = op.getA().convertToDouble(), b = op.getB().convertToDouble();
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
  out.ntk = s.mul(sigmaDot, in.ntk);
  return out;
}

static PairState applyErf(ScalarBuilder &s, ErfOp op, const PairState &in) {
  double a = op.getA().convertToDouble(), b = op.getB().convertToDouble(),
         c = op.getC().convertToDouble();
  Value b2 = s.c(b * b);
  Value q12 = s.mul(b2, in.nngp), q11 = s.mul(b2, in.varI),
        q22 = s.mul(b2, in.varJ), ntk = s.mul(b2, in.ntk);
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
  out.ntk = s.div(s.mul(s.c(a * a * 4 / M_PI), ntk), d);
  return out;
}

PairState applyLayer(ScalarBuilder &s, Operation *layer, const PairState &in) {
  if (auto dense = dyn_cast<DenseOp>(layer))
    return applyDense(s, dense, in);
  if (auto relu = dyn_cast<ABReluOp>(layer))
    return applyABRelu(s, relu, in);
  return applyErf(s, cast<ErfOp>(layer), in);
}

} // namespace gantk
