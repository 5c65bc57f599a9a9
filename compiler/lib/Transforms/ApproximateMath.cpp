//===- ApproximateMath.cpp - call-free f32 math ---------------------------===//

#include "gantk/Compiler/Passes.h"

#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

namespace {
struct ApproximateMathPass
    : public gantk::impl::ApproximateMathPassBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
