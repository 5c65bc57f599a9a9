//===- LowerToLibrary.cpp - GEMMs and the eigensolver ---------------------===//

#include "gantk/Compiler/MemoryPlan.h"
#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_LOWERTOLIBRARYPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

using namespace gantk;

namespace {

RankedTensorType matrixType(int64_t r, int64_t c, Type element) {
  return RankedTensorType::get({r, c}, element);
}

Value gemm(OpBuilder &b, Location loc, Value a, Value x, double alpha,
           bool transA, bool transB) {
  auto at = cast<RankedTensorType>(a.getType());
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t m = transA ? at.getDimSize(1) : at.getDimSize(0);
  int64_t n = transB ? xt.getDimSize(0) : xt.getDimSize(1);
  return GemmOp::create(b, loc, matrixType(m, n, at.getElementType()), a, x,
                        b.getF64FloatAttr(alpha), b.getBoolAttr(transA),
                        b.getBoolAttr(transB), IntegerAttr());
}

/// K + eig_reg (tr K / N) I, or K itself.
Value shifted(OpBuilder &b, Location loc, Value kernel, double eigReg) {
  auto type = cast<RankedTensorType>(kernel.getType());
  if (eigReg <= 0)
    return kernel;
  return AddTraceDiagOp::create(b, loc, type, kernel,
                                b.getF64FloatAttr(eigReg / type.getDimSize(0)));
}

/// The shifted kernel K' = K + eig_reg (tr K / N) I and its eigenpairs; both
/// the forward and the backward of one kernel build the same ops, which CSE
/// then shares.
std::pair<Value, Value> eigenpairs(OpBuilder &b, Location loc, Value kernel,
                                   double eigReg) {
  auto type = cast<RankedTensorType>(kernel.getType());
  int64_t n = type.getDimSize(0);
  kernel = shifted(b, loc, kernel, eigReg);
  auto eigh = EighOp::create(
      b, loc, type, RankedTensorType::get({n}, type.getElementType()), kernel);
  return {eigh.getVectors(), eigh.getValues()};
}

/// Rows [offset, offset + rows) of a row-major matrix: a view, no copy.
Value rowSlice(OpBuilder &b, Location loc, Value m, int64_t offset,
               int64_t rows) {
  auto type = cast<RankedTensorType>(m.getType());
  SmallVector<OpFoldResult> offsets{b.getIndexAttr(offset), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(rows),
                                  b.getIndexAttr(type.getDimSize(1))};
  SmallVector<OpFoldResult> strides{b.getIndexAttr(1), b.getIndexAttr(1)};
  return tensor::ExtractSliceOp::create(
      b, loc, matrixType(rows, type.getDimSize(1), type.getElementType()), m,
      offsets, sizes, strides);
}

struct LowerGram : OpRewritePattern<GramOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GramOp op,
                                PatternRewriter &rewriter) const override {
    // Maps over positions stay: their kernels compute each pair's map.
    if (op.getType().getRank() != 2)
      return failure();
    Value s = op.getPoints();
    double d = cast<RankedTensorType>(s.getType()).getDimSize(1);
    rewriter.replaceOp(op, gemm(rewriter, op.getLoc(), s, s, 1.0 / d,
                                /*transA=*/false, /*transB=*/true));
    return success();
  }
};

struct LowerGramGrad : OpRewritePattern<GramGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GramGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto c = cast<RankedTensorType>(op.getCotangent().getType());
    if (c.getRank() != 2)
      return failure(); // fused into the map kernels' backward
    auto s = cast<RankedTensorType>(op.getPoints().getType());
    int64_t rows = op.getType().getDimSize(0);
    Value cRows = op.getCotangent();
    if (rows != c.getDimSize(0))
      cRows = rowSlice(rewriter, loc, cRows, op.getRowOffset(), rows);
    double d = s.getDimSize(1);
    rewriter.replaceOp(op, gemm(rewriter, loc, cRows, op.getPoints(), 2.0 / d,
                                false, false));
    return success();
  }
};

/// A generator's layers as library ops: per layer a GEMM with its weights
/// (a view into θ) and the bias-and-activation kernel. `outputs` gets A_0
/// (the latent rows), …, A_L (= Z); `weights` each layer's W. The forward
/// and the backward build the same ops, which CSE then shares.
void generatorForward(OpBuilder &b, Location loc, Value latent, Value params,
                      ArrayRef<int64_t> widths, ArrayAttr activations,
                      SmallVectorImpl<Value> &outputs,
                      SmallVectorImpl<Value> &weights) {
  Type element = cast<ShapedType>(latent.getType()).getElementType();
  int64_t offset = 0;
  Value a = latent;
  outputs.push_back(a);
  for (size_t k = 0; k + 1 < widths.size(); ++k) {
    int64_t in = widths[k], out = widths[k + 1];
    Value w = ParamViewOp::create(b, loc, matrixType(in, out, element), params,
                                  b.getI64IntegerAttr(offset));
    Value bias =
        ParamViewOp::create(b, loc, matrixType(1, out, element), params,
                            b.getI64IntegerAttr(offset + in * out));
    offset += (in + 1) * out;
    Value h = gemm(b, loc, a, w, 1, false, false);
    a = BiasActOp::create(b, loc, h.getType(), h, bias,
                          cast<StringAttr>(activations[k]));
    outputs.push_back(a);
    weights.push_back(w);
  }
}

struct LowerGenerator : OpRewritePattern<GeneratorOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GeneratorOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> outputs, weights;
    generatorForward(rewriter, op.getLoc(), op.getLatent(), op.getParams(),
                     op.getWidths(), op.getActivations(), outputs, weights);
    rewriter.replaceOp(op, outputs.back());
    return success();
  }
};

/// dθ, layer by layer from the last: dH = act'(A) ⊙ dA, dW = A_{k−1}ᵀ dH,
/// db = Σ_rows dH, dA_{k−1} = dH Wᵀ; the pieces concatenated in θ's layout.
struct LowerGeneratorGrad : OpRewritePattern<GeneratorGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GeneratorGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> outputs, weights;
    generatorForward(rewriter, loc, op.getLatent(), op.getParams(),
                     op.getWidths(), op.getActivations(), outputs, weights);
    Type element = op.getType().getElementType();
    size_t layers = weights.size();
    SmallVector<Value> pieces(2 * layers);
    Value da = op.getCotangent();
    for (size_t k = layers; k-- > 0;) {
      auto act = cast<StringAttr>(op.getActivations()[k]);
      Value dh = act.getValue() == "identity"
                     ? da
                     : ActGradOp::create(rewriter, loc, da.getType(),
                                         outputs[k + 1], da, act)
                           .getResult();
      pieces[2 * k] = gemm(rewriter, loc, outputs[k], dh, 1, true, false);
      pieces[2 * k + 1] = ColumnSumOp::create(
          rewriter, loc, matrixType(1, op.getWidths()[k + 1], element), dh);
      if (k > 0)
        da = gemm(rewriter, loc, dh, weights[k], 1, false, true);
    }
    rewriter.replaceOpWithNewOp<ConcatOp>(op, op.getType(), pieces);
    return success();
  }
};

/// Whether the exponential action of an N × N kernel runs on the Krylov
/// path: as the solver says, or by size for auto.
bool useKrylov(Solver solver, int64_t n) {
  return solver == Solver::Krylov ||
         (solver == Solver::Auto && n >= kKrylovFromPoints);
}

/// Every block adds at least one direction or ends the iteration, so more
/// than N blocks only cost workspace (N·width per block).
IntegerAttr cappedIterations(OpBuilder &b, int64_t maxIter, int64_t n) {
  return b.getI64IntegerAttr(std::min(maxIter, n));
}

struct LowerExpmAction : OpRewritePattern<ExpmActionOp> {
  LowerExpmAction(MLIRContext *ctx, bool krylovForm)
      : OpRewritePattern(ctx), krylovForm(krylovForm) {}
  bool krylovForm;
  LogicalResult matchAndRewrite(ExpmActionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    if (krylovForm ||
        useKrylov(op.getSolver(), op.getKernel().getType().getDimSize(0))) {
      Value k = shifted(rewriter, loc, op.getKernel(),
                        op.getEigReg().convertToDouble());
      auto rhs = cast<RankedTensorType>(op.getRhs().getType());
      rewriter.replaceOpWithNewOp<KrylovExpmOp>(
          op, op.getType(), k, op.getRhs(), op.getLambdaAttr(),
          op.getTolAttr(),
          cappedIterations(rewriter, op.getMaxIter(), rhs.getDimSize(0)));
      return success();
    }
    auto [qt, mu] = eigenpairs(rewriter, loc, op.getKernel(),
                               op.getEigReg().convertToDouble());
    Value b = gemm(rewriter, loc, qt, op.getRhs(), 1, false, false); // Qᵀ Y
    Value e = ExpScaleOp::create(rewriter, loc, b.getType(), mu, b,
                                 op.getLambdaAttr());
    rewriter.replaceOp(op, gemm(rewriter, loc, qt, e, 1, true, false)); // Q E
    return success();
  }
};

struct LowerExpmActionGrad : OpRewritePattern<ExpmActionGradOp> {
  LowerExpmActionGrad(MLIRContext *ctx, bool krylovForm)
      : OpRewritePattern(ctx), krylovForm(krylovForm) {}
  bool krylovForm;
  LogicalResult matchAndRewrite(ExpmActionGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double eigReg = op.getEigReg().convertToDouble();
    auto type = cast<RankedTensorType>(op.getKernel().getType());
    if (krylovForm || useKrylov(op.getSolver(), type.getDimSize(0))) {
      Value k = shifted(rewriter, loc, op.getKernel(), eigReg);
      int64_t n = type.getDimSize(0);
      auto factorType = matrixType(n, std::min(n, kKrylovRank),
                                   type.getElementType());
      auto grad = KrylovExpmGradOp::create(
          rewriter, loc, factorType, factorType, k, op.getRhs(),
          op.getCotangent(), op.getLambdaAttr(), op.getTolAttr(),
          cappedIterations(rewriter, op.getMaxIter(), n));
      Value dk = gemm(rewriter, loc, grad.getFactorA(), grad.getFactorB(), 1,
                      false, true); // A Bᵀ
      rewriter.replaceOp(op, shifted(rewriter, loc, dk, eigReg));
      return success();
    }
    auto [qt, mu] = eigenpairs(rewriter, loc, op.getKernel(), eigReg);
    Value b = gemm(rewriter, loc, qt, op.getRhs(), 1, false, false);
    Value a = gemm(rewriter, loc, qt, op.getCotangent(), 1, false, false);
    Value m = DaleckiiKreinOp::create(rewriter, loc, type, mu, a, b,
                                      op.getLambdaAttr());
    Value t = gemm(rewriter, loc, qt, m, 1, true, false);   // Q M
    Value dk = gemm(rewriter, loc, t, qt, 1, false, false); // T Qᵀ
    rewriter.replaceOp(op, shifted(rewriter, loc, dk, eigReg)); // self-adjoint
    return success();
  }
};

/// The generated points' gradient needs rows [n, N) of dG only: computes
/// just those rows of pairwise_grad and add_diag (half the backward pairs
/// for m = n) and feeds them to gram_grad without a slice.
struct NarrowBackwardToRows : OpRewritePattern<GramGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GramGradOp op,
                                PatternRewriter &rewriter) const override {
    auto addDiag = op.getCotangent().getDefiningOp<AddDiagOp>();
    auto rowsOf = [](Value v) {
      return cast<RankedTensorType>(v.getType()).getDimSize(0);
    };
    int64_t r = rowsOf(op.getResult()), n = rowsOf(op.getPoints());
    if (!addDiag || r == n || rowsOf(addDiag.getResult()) != n ||
        !addDiag->hasOneUse())
      return failure();
    auto grad = addDiag.getInput().getDefiningOp<PairwiseGradOp>();
    if (!grad || grad.getDiagGrad() != addDiag.getDiag() ||
        !grad.getGramGrad().hasOneUse() || !grad.getDiagGrad().hasOneUse())
      return failure();
    Location loc = op.getLoc();
    auto offset = rewriter.getI64IntegerAttr(op.getRowOffset());
    // R rows of dG and dv (of maps, for images).
    auto withRows = [r](Value v) {
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape(type.getShape());
      shape[0] = r;
      return RankedTensorType::get(shape, type.getElementType());
    };
    auto narrow = PairwiseGradOp::create(
        rewriter, loc, withRows(grad.getGramGrad()),
        withRows(grad.getDiagGrad()), grad.getGram(), grad.getDiag(),
        grad.getCotangent(), offset);
    rewriter.inlineRegionBefore(grad.getBody(), narrow.getBody(),
                                narrow.getBody().end());
    Value rowsGrad = AddDiagOp::create(rewriter, loc, narrow.getGramGrad().getType(),
                                       narrow.getGramGrad(),
                                       narrow.getDiagGrad(), offset);
    rewriter.replaceOpWithNewOp<GramGradOp>(op, op.getType(), op.getPoints(),
                                            rowsGrad, offset);
    rewriter.eraseOp(addDiag);
    rewriter.eraseOp(grad);
    return success();
  }
};

/// On the Krylov path the backward of the generated rows needs G and dK on
/// rows [n, N) only. dK's rows come from the low-rank factors (A[n:N] Bᵀ,
/// m × N × rank instead of N × N × rank, with the trace shift from the
/// factors), always. With `recomputeGram` G's rows are recomputed too, by
/// one GEMM on S, so that neither N × N matrix outlives the forward: the
/// kernel K is the only N × N buffer of the step, and the forward
/// recursion can overwrite G with K in place.
struct RecomputeBackwardRows : OpRewritePattern<PairwiseGradOp> {
  RecomputeBackwardRows(MLIRContext *ctx, bool recomputeGram)
      : OpRewritePattern(ctx), recomputeGram(recomputeGram) {}
  bool recomputeGram;
  LogicalResult matchAndRewrite(PairwiseGradOp op,
                                PatternRewriter &rewriter) const override {
    auto gramType = cast<RankedTensorType>(op.getGram().getType());
    int64_t n = gramType.getDimSize(1);
    int64_t r = op.getGramGrad().getType().getDimSize(0);
    if (gramType.getDimSize(0) != n || r == n)
      return failure();
    // dK = [add_trace_diag](A Bᵀ) with A, B from krylov_expm_grad.
    Value cotangent = op.getCotangent();
    auto shift = cotangent.getDefiningOp<AddTraceDiagOp>();
    if (shift)
      cotangent = shift.getInput();
    auto product = cotangent.getDefiningOp<GemmOp>();
    if (!product || product.getTransA() || !product.getTransB() ||
        product.getAlpha().convertToDouble() != 1 ||
        !product.getA().getDefiningOp<KrylovExpmGradOp>())
      return failure();
    // G = alpha S Sᵀ, whose rows are recomputed; maps over positions are
    // computed where they are read anyway.
    Location loc = op.getLoc();
    int64_t offset = op.getRowOffset();
    Value gramRows = op.getGram();
    if (recomputeGram && !gramRows.getDefiningOp<GramOp>()) {
      auto gram = op.getGram().getDefiningOp<GemmOp>();
      if (!gram || !gram.isGram())
        return failure();
      Value s = gram.getA();
      gramRows = gemm(rewriter, loc, rowSlice(rewriter, loc, s, offset, r), s,
                      gram.getAlpha().convertToDouble(), false, true);
      // The pair (i, i) must read the forward's diagonal to the bit.
      gramRows = SetRowDiagOp::create(rewriter, loc, gramRows.getType(),
                                      gramRows, op.getDiag(),
                                      rewriter.getI64IntegerAttr(offset));
    }
    Value a = product.getA(), b = product.getB();
    Value cotangentRows =
        gemm(rewriter, loc, rowSlice(rewriter, loc, a, offset, r), b, 1, false,
             true);
    if (shift)
      cotangentRows = AddFactorTraceOp::create(
          rewriter, loc, cotangentRows.getType(), cotangentRows, a, b,
          shift.getScaleAttr(), rewriter.getI64IntegerAttr(offset));
    auto rows = PairwiseGradOp::create(
        rewriter, loc, op.getGramGrad().getType(), op.getDiagGrad().getType(),
        gramRows, op.getDiag(), cotangentRows, op.getRowOffsetAttr());
    rewriter.inlineRegionBefore(op.getBody(), rows.getBody(),
                                rows.getBody().end());
    rewriter.replaceOp(op, rows.getResults());
    return success();
  }
};

struct LowerToLibraryPass
    : public gantk::impl::LowerToLibraryPassBase<LowerToLibraryPass> {
  using LowerToLibraryPassBase::LowerToLibraryPassBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerGram, LowerGramGrad, LowerGenerator, LowerGeneratorGrad>(
        &getContext());
    patterns.add<LowerExpmAction, LowerExpmActionGrad>(&getContext(),
                                                       krylovForm);
    patterns.add<NarrowBackwardToRows>(&getContext(), /*benefit=*/2);
    patterns.add<RecomputeBackwardRows>(&getContext(), recomputeRows);
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      signalPassFailure();
  }
};
} // namespace
