//===- ApproximateMath.cpp - call-free atan2 and f32 math ----------------===//

#include "gantk/Compiler/Passes.h"

#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

namespace {
/// atan t ≈ t·P(t²) on [0, 1]: P's coefficients, lowest degree first
/// (scripts/fit-atan.py).
constexpr double atanCoefficients[] = {1,
                                       -0.333330721,
                                       0.199926212,
                                       -0.142036527,
                                       0.106409594,
                                       -0.0750434324,
                                       0.0426920466,
                                       -0.0160689298,
                                       0.00284996047};

/// atan2(y, x) with one division, call-free, so that the per-pair loops
/// vectorise (an arc-cosine layer has one atan2 per pair; libm's is a call,
/// MLIR's approximation is f32 only and divides three times, and a division
/// is the slowest instruction of a per-pair body). Both precisions take
/// a = atan(min(|x|, |y|) / max(|x|, |y|)) ∈ [0, π/4], then the octant:
/// π/2 − a when |y| > |x|, π − a when x < 0, y's sign. atan2(0, 0) is 0
/// (libm's for +0, +0; MLIR's gives NaN).
/// - f32: t = min / max, atan t ≈ t·P(t²) with P of degree 8 fitted by
///   scripts/fit-atan.py (relative error 1.5e-7 in float32).
/// - f64 (on the CPU; the GPU keeps libdevice's): the ratio is first
///   brought to |u| ≤ tan(π/12) ≈ 0.268 in the same division: when
///   min > tan(π/12)·max, u = (√3·min − max) / (√3·max + min) and
///   atan = π/6 + atan u (the tangent's addition formula); then
///   atan u = u·Σ (−u²)ᵏ / (2k + 1) for k < 14, whose first term left out is
///   below 4e-18 of the sum at u² ≤ 0.072: Taylor's coefficients, no fit.
struct Atan2OneDivision : public OpRewritePattern<math::Atan2Op> {
  // Before MLIR's own atan2 pattern.
  Atan2OneDivision(MLIRContext *ctx, bool callFreeF64)
      : OpRewritePattern(ctx, /*benefit=*/2), callFreeF64(callFreeF64) {}

  LogicalResult matchAndRewrite(math::Atan2Op op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    Type element = getElementTypeOrSelf(type);
    if (!element.isF32() && !(callFreeF64 && element.isF64()))
      return rewriter.notifyMatchFailure(op, "not f32 or f64 on the CPU");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto constant = [&](double v) -> Value {
      TypedAttr attr = FloatAttr::get(element, v);
      if (auto vector = dyn_cast<VectorType>(type))
        attr = DenseElementsAttr::get(vector, attr);
      return arith::ConstantOp::create(b, attr);
    };
    auto compare = [&](arith::CmpFPredicate p, Value l, Value r) -> Value {
      return arith::CmpFOp::create(b, p, l, r);
    };
    auto select = [&](Value c, Value t, Value f) -> Value {
      return arith::SelectOp::create(b, c, t, f);
    };
    auto fma = [&](Value a, Value x, Value c) -> Value {
      return math::FmaOp::create(b, a, x, c);
    };
    // u·P(u²) + c, P's coefficients lowest degree first and P(0) = 1, as
    // u + u·z·Q(z) + c with z = u² and P = 1 + z·Q: the leading term is u
    // itself, and the rest, a few percent of it, carries the rounding of
    // Q. Q by Estrin's scheme: Q = Q_low + z^h · Q_high with h the largest
    // power of two below Q's length, recursively. The pair loops are
    // latency-bound (one chain of sqrt, division and polynomial per layer),
    // and this takes ⌈log₂ n⌉ fma levels where Horner's rule takes n − 1,
    // for a few more multiplications (z², z⁴, …). Without c (f32): one
    // rounding, fma(u·z, Q, u).
    auto oddSeries = [&](Value u, ArrayRef<double> coefficients,
                         Value c) -> Value {
      assert(coefficients.front() == 1 && "P(0) must be 1");
      SmallVector<Value, 4> powers{arith::MulFOp::create(b, u, u)};
      auto power = [&](size_t log2) -> Value { // z^(2^log2)
        while (powers.size() <= log2)
          powers.push_back(
              arith::MulFOp::create(b, powers.back(), powers.back()));
        return powers[log2];
      };
      auto estrin = [&](auto &self, ArrayRef<double> q) -> Value {
        if (q.size() == 1)
          return constant(q.front());
        size_t log2 = llvm::Log2_64(q.size() - 1), h = size_t(1) << log2;
        return fma(self(self, q.drop_front(h)), power(log2),
                   self(self, q.take_front(h)));
      };
      Value q = estrin(estrin, coefficients.drop_front());
      Value uz = arith::MulFOp::create(b, u, powers.front());
      if (!c)
        return fma(uz, q, u);
      return arith::AddFOp::create(b, u, fma(uz, q, c));
    };
    bool f64 = element.isF64();
    // In f64 the constants π/6, π/2, π and √3 take their rounding error
    // along (hi + lo): each would otherwise cost up to half an ulp of the
    // result, on top of the series'.
    struct Split {
      double hi, lo;
    };
    // hi: the nearest double; lo: the constant minus hi, nearest double
    // (both from 50-digit decimals; π/6's hi is not double(π) / 6).
    const Split pi6{0x1.0c152382d7366p-1, -5.360408832255455e-17},
        pi2{0x1.921fb54442d18p+0, 6.123233995736766e-17},
        pi{0x1.921fb54442d18p+1, 1.2246467991473532e-16},
        sqrt3{0x1.bb67ae8584caap+0, 1.0035084221806903e-16};
    // c − a, a ≥ 0 and below c.
    auto subtractFrom = [&](Split c, Value a) -> Value {
      if (f64)
        a = arith::SubFOp::create(b, a, constant(c.lo));
      return arith::SubFOp::create(b, constant(c.hi), a);
    };

    Value y = op.getLhs(), x = op.getRhs();
    Value ax = math::AbsFOp::create(b, x), ay = math::AbsFOp::create(b, y);
    // max and min as selects on one comparison, which the octant below
    // needs anyway: an x86 max/min instruction each, where
    // arith.maximumf/minimumf add a NaN test and a blend. A NaN still
    // reaches t: it is `big` when |x| is NaN (the comparison fails) and
    // `small` when |y| is.
    Value yBigger = compare(arith::CmpFPredicate::OGT, ay, ax);
    Value big = select(yBigger, ay, ax), small = select(yBigger, ax, ay);
    Value zero = constant(0);
    Value a;
    if (!f64) {
      Value t = arith::DivFOp::create(b, small, big);
      a = oddSeries(t, atanCoefficients, Value());
    } else {
      // x·√3 + c with √3's lo part.
      auto timesSqrt3Plus = [&](Value x, Value c) -> Value {
        return fma(x, constant(sqrt3.lo), fma(x, constant(sqrt3.hi), c));
      };
      Value shifted =
          compare(arith::CmpFPredicate::OGT, small,
                  arith::MulFOp::create(b, constant(2 - sqrt3.hi), big));
      Value numerator = select(
          shifted, timesSqrt3Plus(small, arith::NegFOp::create(b, big)), small);
      Value denominator = select(shifted, timesSqrt3Plus(big, small), big);
      Value u = arith::DivFOp::create(b, numerator, denominator);
      SmallVector<double, 14> taylor;
      for (int k = 0; k < 14; ++k)
        taylor.push_back((k % 2 ? -1.0 : 1.0) / (2 * k + 1));
      a = oddSeries(u, taylor, select(shifted, constant(pi6.lo), zero));
      a = arith::AddFOp::create(b, select(shifted, constant(pi6.hi), zero), a);
    }
    a = select(compare(arith::CmpFPredicate::OEQ, big, zero), zero, a);
    a = select(yBigger, subtractFrom(pi2, a), a);
    a = select(compare(arith::CmpFPredicate::OLT, x, zero), subtractFrom(pi, a),
               a);
    rewriter.replaceOp(op, math::CopySignOp::create(b, a, y));
    return success();
  }

private:
  bool callFreeF64;
};

struct ApproximateMathPass
    : public gantk::impl::ApproximateMathPassBase<ApproximateMathPass> {
  using ApproximateMathPassBase::ApproximateMathPassBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet approximations(ctx);
    approximations.add<Atan2OneDivision>(ctx, /*callFreeF64=*/cpu);
    populateMathPolynomialApproximationPatterns(approximations);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(approximations))))
      return signalPassFailure();

    // Only the special functions LLVM has no exact lowering for go to libm;
    // on the GPU convert-gpu-to-nvvm maps them to libdevice instead.
    if (!cpu)
      return;
    ConversionTarget target(*ctx);
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    target.addIllegalOp<math::Atan2Op, math::ErfOp, math::ExpM1Op,
                        math::Log1pOp>();
    RewritePatternSet libm(ctx);
    populateMathToLibmConversionPatterns(libm);
    if (failed(applyPartialConversion(getOperation(), target, std::move(libm))))
      signalPassFailure();
  }
};
} // namespace
