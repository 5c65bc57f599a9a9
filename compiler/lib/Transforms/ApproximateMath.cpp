//===- ApproximateMath.cpp - call-free f32 math, exact f64 libm -----------===//

#include "gantk/Compiler/Passes.h"

#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

namespace {
struct ApproximateMathPass
    : public gantk::impl::ApproximateMathPassBase<ApproximateMathPass> {
  using ApproximateMathPassBase::ApproximateMathPassBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet approximations(ctx);
    populateMathPolynomialApproximationPatterns(approximations);
    if (failed(applyPatternsGreedily(getOperation(),
                                     std::move(approximations))))
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
