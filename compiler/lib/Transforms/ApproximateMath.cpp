//===- ApproximateMath.cpp - call-free f32 math, exact f64 libm -----------===//

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

/// f32 atan2(y, x) with one division. MLIR's approximation divides three
/// times (y / x, its range reduction, its rational function), and a
/// division is the slowest instruction of the per-pair bodies (three
/// atan2 per pair in a depth-3 ReLU network). Here t = min(|x|, |y|) /
/// max(|x|, |y|) ∈ [0, 1], atan t ≈ t·P(t²) with P of degree 8 fitted by
/// scripts/fit-atan.py (relative error 1.5e-7 in float32), then the
/// octant: π/2 − a when |y| > |x|, π − a when x < 0, y's sign. atan2(0, 0)
/// is 0 (libm's for +0, +0; MLIR's gives NaN).
struct Atan2OneDivision : public OpRewritePattern<math::Atan2Op> {
  // Before MLIR's own atan2 pattern.
  Atan2OneDivision(MLIRContext *ctx) : OpRewritePattern(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(math::Atan2Op op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return rewriter.notifyMatchFailure(op, "not f32");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto constant = [&](double v) -> Value {
      TypedAttr attr = b.getF32FloatAttr(float(v));
      if (auto vector = dyn_cast<VectorType>(type))
        attr = DenseElementsAttr::get(vector, attr);
      return arith::ConstantOp::create(b, attr);
    };
    auto compare = [&](arith::CmpFPredicate p, Value l, Value r) -> Value {
      return arith::CmpFOp::create(b, p, l, r);
    };
    Value y = op.getLhs(), x = op.getRhs();
    Value ax = math::AbsFOp::create(b, x), ay = math::AbsFOp::create(b, y);
    Value big = arith::MaximumFOp::create(b, ax, ay);
    Value t =
        arith::DivFOp::create(b, arith::MinimumFOp::create(b, ax, ay), big);
    Value t2 = arith::MulFOp::create(b, t, t);
    ArrayRef<double> coefficients(atanCoefficients);
    Value p = constant(coefficients.back());
    for (double c : llvm::reverse(coefficients.drop_back()))
      p = math::FmaOp::create(b, t2, p, constant(c));
    Value a = arith::MulFOp::create(b, p, t);
    Value zero = constant(0);
    a = arith::SelectOp::create(
        b, compare(arith::CmpFPredicate::OEQ, big, zero), zero, a);
    a = arith::SelectOp::create(
        b, compare(arith::CmpFPredicate::OGT, ay, ax),
        arith::SubFOp::create(b, constant(llvm::numbers::pi / 2), a), a);
    a = arith::SelectOp::create(
        b, compare(arith::CmpFPredicate::OLT, x, zero),
        arith::SubFOp::create(b, constant(llvm::numbers::pi), a), a);
    rewriter.replaceOp(op, math::CopySignOp::create(b, a, y));
    return success();
  }
};

struct ApproximateMathPass
    : public gantk::impl::ApproximateMathPassBase<ApproximateMathPass> {
  using ApproximateMathPassBase::ApproximateMathPassBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet approximations(ctx);
    approximations.add<Atan2OneDivision>(ctx);
    populateMathPolynomialApproximationPatterns(approximations);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(approximations))))
      return signalPassFailure();

    // Only the special functions LLVM has no exact lowering for go to libm;
    // on the GPU convert-gpu-to-nvvm maps them to libdevice instead.
    if (!libm)
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
