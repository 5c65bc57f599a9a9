//===- GantkOps.cpp - gantk operations ------------------------------------===//

#include "gantk/Dialect/Gantk/GantkOps.h"
#include "gantk/Dialect/Gantk/Window.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/DenseMap.h"

#include <cmath>

using namespace mlir;
using namespace gantk;

namespace {
int64_t rows(Value v) { return cast<RankedTensorType>(v.getType()).getDimSize(0); }
int64_t cols(Value v) { return cast<RankedTensorType>(v.getType()).getDimSize(1); }
int64_t dim0(Type t) { return cast<RankedTensorType>(t).getDimSize(0); }
/// The trailing H × W of a per-pair (rank 4) or per-point (rank 3) tensor;
/// empty for flat ones.
ArrayRef<int64_t> mapShape(Value v, int64_t flatRank) {
  auto shape = cast<RankedTensorType>(v.getType()).getShape();
  return shape.size() > size_t(flatRank) ? shape.drop_front(flatRank)
                                         : ArrayRef<int64_t>();
}

/// Every tensor of these ops has a static shape: N, d and the architecture
/// are compile-time constants, so the memory plan is exact.
LogicalResult verifyStatic(Operation *op) {
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()))
    if (auto shaped = dyn_cast<RankedTensorType>(t); shaped &&
                                                     !shaped.hasStaticShape())
      return op->emitOpError("requires static shapes, got ") << t;
  return success();
}

LogicalResult verifySameElementType(Operation *op) {
  Type first;
  for (Type t :
       llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    Type e = t;
    if (auto shaped = dyn_cast<ShapedType>(t))
      e = shaped.getElementType();
    else if (auto kernel = dyn_cast<KernelType>(t))
      e = kernel.getElementType();
    else if (auto op = dyn_cast<OperatorType>(t))
      e = op.getElementType();
    if (!first)
      first = e;
    else if (e != first)
      return op->emitOpError("requires one element type, got ")
             << first << " and " << e;
  }
  return success();
}

LogicalResult verifyCommon(Operation *op) {
  if (failed(verifyStatic(op)))
    return failure();
  return verifySameElementType(op);
}

LogicalResult verifySquare(Operation *op, Value m, StringRef what) {
  if (rows(m) != cols(m))
    return op->emitOpError() << what << " must be square, got " << m.getType();
  return success();
}

LogicalResult verifyPositive(Operation *op, StringRef name, double value) {
  if (!(value > 0))
    return op->emitOpError() << name << " must be positive, got " << value;
  return success();
}
} // namespace

LogicalResult StackOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  if (cols(getReal()) != cols(getFake()) || cols(getReal()) != cols(getResult()))
    return emitOpError("operands and result must have the same number of "
                       "columns");
  if (rows(getReal()) + rows(getFake()) != rows(getResult()))
    return emitOpError("result rows must be the sum of the operand rows");
  return success();
}

/// Images of `positions` positions each in rows of `columns` values: C =
/// columns / positions channels.
static LogicalResult verifyImageRows(Operation *op, int64_t columns,
                                     ArrayRef<int64_t> map) {
  if (map.empty())
    return success();
  int64_t positions = map[0] * map[1];
  if (columns % positions != 0)
    return op->emitOpError("rows of ")
           << columns << " values are not " << map[0] << "x" << map[1]
           << " images (" << columns << " is not a multiple of " << positions
           << ")";
  return success();
}

LogicalResult InputOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  KernelType type = getResult().getType();
  if (type.getSize() != rows(getPoints()))
    return emitOpError("kernel size ")
           << type.getSize() << " does not match " << rows(getPoints())
           << " points";
  return verifyImageRows(*this, cols(getPoints()), type.getSpatial());
}

/// The window of a conv or a per-pair window op on `in`, or an error.
static FailureOr<WindowGeometry> windowOf(Operation *op, ArrayRef<int64_t> in,
                                          ArrayRef<int64_t> kernel,
                                          ArrayRef<int64_t> stride,
                                          Padding padding) {
  if (kernel.size() != 2 || stride.size() != 2 ||
      llvm::any_of(kernel, [](int64_t k) { return k < 1; }) ||
      llvm::any_of(stride, [](int64_t k) { return k < 1; }))
    return op->emitOpError("kernel and stride must be two positive sizes"),
           failure();
  std::string error;
  std::optional<WindowGeometry> window =
      WindowGeometry::get(in, kernel, stride, padding, error);
  if (!window)
    return op->emitOpError() << error << " (maps of " << in[0] << "x" << in[1]
                             << ")",
           failure();
  return *window;
}

/// The pool of image rows `image` (H, W, C): its window, or an error.
static FailureOr<WindowGeometry> poolOf(Operation *op, ArrayRef<int64_t> image,
                                        ArrayRef<int64_t> window,
                                        ArrayRef<int64_t> stride,
                                        Padding padding) {
  if (image.size() != 3 || llvm::any_of(image, [](int64_t v) { return v < 1; }))
    return op->emitOpError("image must be [H, W, C], all positive"), failure();
  if (padding == Padding::Circular)
    return op->emitOpError("pooling pads with zeros (same) or not at all "
                           "(valid)"),
           failure();
  return windowOf(op, image.take_front(2), window, stride, padding);
}

/// Rows of images before (`image`) and after a pool.
static LogicalResult verifyPoolRows(Operation *op, Value full, Value pooled,
                                    ArrayRef<int64_t> image,
                                    ArrayRef<int64_t> window,
                                    ArrayRef<int64_t> stride, Padding padding) {
  if (failed(verifyCommon(op)))
    return failure();
  FailureOr<WindowGeometry> pool = poolOf(op, image, window, stride, padding);
  if (failed(pool))
    return failure();
  if (cols(full) != image[0] * image[1] * image[2])
    return op->emitOpError("rows of ")
           << cols(full) << " values are not " << image[0] << "x" << image[1]
           << "x" << image[2] << " images";
  if (rows(pooled) != rows(full) ||
      cols(pooled) != pool->rows.out * pool->cols.out * image[2])
    return op->emitOpError("pooled rows must be ")
           << pool->rows.out << "x" << pool->cols.out << "x" << image[2]
           << " images, one per input row";
  return success();
}

LogicalResult AvgPoolOp::verify() {
  return verifyPoolRows(*this, getPoints(), getResult(), getImage(),
                        getWindow(), getStride(), getPadding());
}

SmallVector<int64_t, 3> AvgPoolOp::getPooledImage() {
  std::string error;
  std::optional<WindowGeometry> pool = WindowGeometry::get(
      getImage().take_front(2), getWindow(), getStride(), getPadding(), error);
  if (!pool)
    return {};
  return {pool->rows.out, pool->cols.out, getImage()[2]};
}

LogicalResult AvgPoolTransposeOp::verify() {
  return verifyPoolRows(*this, getResult(), getInput(), getImage(),
                        getWindow(), getStride(), getPadding());
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto in = dyn_cast<KernelType>(adaptor.getInput().getType());
  if (!in || !in.isSpatial())
    return failure();
  std::string error;
  std::optional<WindowGeometry> window =
      WindowGeometry::get(in.getSpatial(), adaptor.getKernel(),
                          adaptor.getStride(), adaptor.getPadding(), error);
  if (!window)
    return failure();
  types.push_back(in.withSpatial(window->outShape()));
  return success();
}

LogicalResult ConvOp::verify() {
  KernelType in = getInput().getType();
  if (!in.isSpatial())
    return emitOpError("needs maps over positions: its input is flat (the "
                       "data are not images, or a flatten came before)");
  FailureOr<WindowGeometry> window =
      windowOf(*this, in.getSpatial(), getKernel(), getStride(), getPadding());
  if (failed(window))
    return failure();
  if (getResult().getType() != in.withSpatial(window->outShape()))
    return emitOpError("result must be ") << in.withSpatial(window->outShape());
  if (getWStd().convertToDouble() < 0 || getBStd().convertToDouble() < 0)
    return emitOpError("w_std and b_std must be non-negative");
  return success();
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto in = dyn_cast<KernelType>(adaptor.getInput().getType());
  if (!in)
    return failure();
  types.push_back(in.withSpatial({}));
  return success();
}

LogicalResult FlattenOp::verify() {
  if (!getInput().getType().isSpatial())
    return emitOpError("needs maps over positions: its input is already flat");
  if (getResult().getType().isSpatial())
    return emitOpError("result must be flat");
  return success();
}

LogicalResult DenseOp::verify() {
  if (getWStd().convertToDouble() < 0 || getBStd().convertToDouble() < 0)
    return emitOpError("w_std and b_std must be non-negative");
  return success();
}

LogicalResult RepeatOp::verify() {
  if (int64_t(getCount()) < 1)
    return emitOpError("count must be positive, got ") << int64_t(getCount());
  // The backward tapes one pair state per iteration, which is a number per
  // pair; a tape of maps is not built yet.
  if (getInput().getType().isSpatial())
    return emitOpError("cannot repeat layers on maps over positions yet: "
                       "write them out");
  Block &body = getBody().front();
  if (body.getNumArguments() != 1 ||
      body.getArgument(0).getType() != getInput().getType())
    return emitOpError("body must take one argument of type ")
           << getInput().getType();
  auto yield = body.mightHaveTerminator()
                   ? dyn_cast<YieldOp>(body.getTerminator())
                   : YieldOp();
  if (!yield || yield.getValues().getTypes() != TypeRange(getType()))
    return emitOpError("body must yield one ") << getType();
  for (Operation &op : body.without_terminator())
    if (!isa<LayerOpInterface>(op))
      return op.emitOpError("is not a layer; a repeated body holds layers only");
  if (body.without_terminator().empty())
    return emitOpError("body has no layers");
  return success();
}

SmallVector<LayerOpInterface> RepeatOp::getLayers() {
  SmallVector<LayerOpInterface> layers;
  for (Operation &op : getBody().front())
    if (auto layer = dyn_cast<LayerOpInterface>(op))
      layers.push_back(layer);
  return layers;
}

static LogicalResult verifyKernelReadout(Operation *op, KernelType in,
                                         Value result) {
  if (failed(verifyCommon(op)))
    return failure();
  if (in.isSpatial())
    return op->emitOpError("needs a flat kernel state: the layers still "
                           "carry maps over positions (flatten them before "
                           "the readout dense layer)");
  if (rows(result) != in.getSize() || cols(result) != in.getSize())
    return op->emitOpError("result must be ")
           << in.getSize() << "x" << in.getSize() << ", got "
           << result.getType();
  return success();
}

LogicalResult NtkOp::verify() {
  if (failed(verifyKernelReadout(*this, getInput().getType(), getResult())))
    return failure();
  // K is Θ after the final affine layer (NTK_SPEC, "Readouts").
  if (!isGaussian(getInput()))
    return emitOpError("needs the output of an affine layer (gantk.dense)");
  return success();
}

LogicalResult NngpOp::verify() {
  return verifyKernelReadout(*this, getInput().getType(), getResult());
}

LogicalResult LabelsOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  int64_t n = getNumReal();
  if (n < 0 || n > rows(getResult()))
    return emitOpError("num_real must be in [0, ")
           << rows(getResult()) << "], got " << n;
  if (cols(getResult()) != 1 && cols(getResult()) != 2)
    return emitOpError("labels have 1 or 2 columns, got ")
           << cols(getResult());
  return success();
}

static LogicalResult verifyActionShapes(Operation *op, Value kernel, Value rhs,
                                        Value result, double lambda,
                                        double eigReg) {
  if (failed(verifyCommon(op)) ||
      (!isa<OperatorType>(kernel.getType()) &&
       failed(verifySquare(op, kernel, "kernel"))))
    return failure();
  if (rows(rhs) != kernelSize(kernel))
    return op->emitOpError("rhs rows must match the kernel size");
  if (result.getType() != rhs.getType())
    return op->emitOpError("result type must equal the rhs type");
  if (failed(verifyPositive(op, "lambda", lambda)))
    return failure();
  if (eigReg < 0)
    return op->emitOpError("eig_reg must be non-negative, got ") << eigReg;
  return success();
}

static LogicalResult verifySolver(Operation *op, double tol,
                                  int64_t maxIter) {
  if (!(tol > 0 && tol < 1))
    return op->emitOpError("tol must be in (0, 1), got ") << tol;
  if (maxIter < 1)
    return op->emitOpError("max_iter must be positive, got ") << maxIter;
  return success();
}

LogicalResult ExpmActionOp::verify() {
  if (failed(verifySolver(*this, getTol().convertToDouble(),
                          getMaxIter())))
    return failure();
  return verifyActionShapes(*this, getKernel(), getRhs(), getResult(),
                            getLambda().convertToDouble(),
                            getEigReg().convertToDouble());
}

LogicalResult ExpmActionGradOp::verify() {
  if (failed(verifySolver(*this, getTol().convertToDouble(),
                          getMaxIter())))
    return failure();
  if (failed(verifyActionShapes(*this, getKernel(), getRhs(), getCotangent(),
                                getLambda().convertToDouble(),
                                getEigReg().convertToDouble())))
    return failure();
  if (getResult().getType() != getKernel().getType())
    return emitOpError("result type must equal the kernel type");
  return success();
}

static LogicalResult verifyLossShapes(Operation *op, Value action,
                                      Value labels, Loss kind) {
  if (failed(verifyCommon(op)))
    return failure();
  int64_t k = labelColumnsForLoss(kind);
  if (action.getType() != labels.getType())
    return op->emitOpError("action and labels must have the same type");
  if (cols(labels) != k)
    return op->emitOpError("loss '")
           << stringifyLoss(kind) << "' needs " << k << " label column(s), got "
           << cols(labels);
  return success();
}

LogicalResult LossOp::verify() {
  return verifyLossShapes(*this, getAction(), getLabels(), getKind());
}

LogicalResult LossSumOp::verify() {
  if (getLosses().empty())
    return emitOpError("needs at least one loss");
  if (getWeights().size() != getLosses().size())
    return emitOpError("has ") << getLosses().size() << " losses but "
                               << getWeights().size() << " weights";
  for (Value loss : getLosses())
    if (loss.getType() != getResult().getType())
      return emitOpError("losses and result must have one type");
  for (double w : getWeights())
    if (!(w > 0) || !std::isfinite(w))
      return emitOpError("weights must be positive and finite");
  return success();
}

LogicalResult LossGradOp::verify() {
  if (failed(verifyLossShapes(*this, getAction(), getLabels(), getKind())))
    return failure();
  if (getResult().getType() != getAction().getType())
    return emitOpError("result type must equal the action type");
  return success();
}

LogicalResult LossGradConstOp::verify() {
  if (failed(verifyLossShapes(*this, getLabels(), getLabels(), getKind())))
    return failure();
  if (getKind() != Loss::Squared)
    return emitOpError("only the squared loss's cotangent is affine in U");
  if (getResult().getType() != getLabels().getType())
    return emitOpError("result type must equal the labels type");
  return success();
}

LogicalResult GramOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  auto shape = getResult().getType().getShape();
  if (shape[0] != rows(getPoints()) || shape[1] != rows(getPoints()))
    return emitOpError("result must be N x N (x H x W) for N points");
  return verifyImageRows(*this, cols(getPoints()), mapShape(getResult(), 2));
}

LogicalResult DiagOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  auto in = getInput().getType().getShape();
  if (in[0] != in[1])
    return emitOpError("input must be square, got ") << getInput().getType();
  if (dim0(getResult().getType()) != in[0] ||
      mapShape(getResult(), 1) != mapShape(getInput(), 2))
    return emitOpError("result must have one entry (or map) per point");
  return success();
}

/// A per-pair body takes arguments of `argTypes` and yields values of
/// `resultTypes`.
static LogicalResult verifyPairBody(Operation *op, Region &body,
                                    ArrayRef<Type> argTypes,
                                    ArrayRef<Type> resultTypes) {
  Block &block = body.front();
  if (!block.mightHaveTerminator())
    return op->emitOpError("body must end with gantk.yield");
  if (block.getArgumentTypes() != TypeRange(argTypes)) {
    auto diag = op->emitOpError("body must take arguments of types (");
    llvm::interleaveComma(argTypes, diag);
    return diag << ")";
  }
  auto yield = dyn_cast<YieldOp>(block.getTerminator());
  if (!yield)
    return op->emitOpError("body must end with gantk.yield");
  if (yield.getValues().getTypes() != TypeRange(resultTypes)) {
    auto diag = op->emitOpError("body must yield values of types (");
    llvm::interleaveComma(resultTypes, diag);
    return diag << ")";
  }
  return success();
}

/// gram (N × N or R × N, maps or not) and diag (N points) agree.
static LogicalResult verifyGramAndDiag(Operation *op, Value gram, Value diag,
                                       int64_t n) {
  if (dim0(diag.getType()) != n || mapShape(diag, 1) != mapShape(gram, 2))
    return op->emitOpError("diag must have one entry (or map) per point of "
                           "the gram");
  return success();
}

LogicalResult PairwiseOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  int64_t n = cols(getGram());
  if (rows(getGram()) != n)
    return emitOpError("gram must be square, got ") << getGram().getType();
  if (failed(verifyGramAndDiag(*this, getGram(), getDiag(), n)))
    return failure();
  if (rows(getResult()) != n || cols(getResult()) != n)
    return emitOpError("result must be N x N for the gram's N points");
  Type pair = getPairType();
  if (Value corner = getCorner()) {
    auto type = cast<RankedTensorType>(corner.getType());
    if (pair != getType().getElementType())
      return emitOpError("a corner needs a gram of numbers, not maps");
    if (type.getElementType() != pair || rows(corner) != cols(corner) ||
        rows(corner) > n)
      return emitOpError("corner must be a square block of at most ")
             << n << " x " << n << " " << pair << ", got " << type;
  }
  return verifyPairBody(*this, getBody(), {pair, pair, pair},
                        {getType().getElementType()});
}

/// Rows [offset, offset + rows) must lie inside n.
static LogicalResult verifyRowRange(Operation *op, int64_t offset,
                                    int64_t count, int64_t n) {
  if (offset < 0 || offset + count > n)
    return op->emitOpError("rows [")
           << offset << ", " << offset + count << ") are outside the " << n
           << " points";
  return success();
}

LogicalResult PairwiseGradOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  int64_t n = cols(getGram()), r = rows(getGramGrad());
  ArrayRef<int64_t> map = mapShape(getGram(), 2);
  if (failed(verifyGramAndDiag(*this, getGram(), getDiag(), n)))
    return failure();
  // G and the cotangent are all N rows or just the R computed ones (each
  // independently: maps over positions are never stored, so all of G's
  // rows are there to read).
  if ((rows(getGram()) != n && rows(getGram()) != r) ||
      (rows(getCotangent()) != n && rows(getCotangent()) != r) ||
      cols(getCotangent()) != n ||
      cols(getGramGrad()) != n || mapShape(getGramGrad(), 2) != map ||
      dim0(getDiagGrad().getType()) != r || mapShape(getDiagGrad(), 1) != map)
    return emitOpError("operand and result shapes must match the gram size");
  if (failed(verifyRowRange(*this, getRowOffset(), r, n)))
    return failure();
  Type pair = getPairType();
  return verifyPairBody(*this, getBody(),
                        {pair, pair, pair, getCotangent().getType().getElementType()},
                        {pair, pair, pair});
}

LogicalResult GramGradOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  int64_t n = rows(getPoints());
  if (cols(getCotangent()) != n ||
      (rows(getCotangent()) != n && rows(getCotangent()) != rows(getResult())))
    return emitOpError("cotangent must be N x N, or the result's rows of it, "
                       "for N points");
  if (failed(verifyImageRows(*this, cols(getPoints()),
                             mapShape(getCotangent(), 2))))
    return failure();
  if (cols(getResult()) != cols(getPoints()))
    return emitOpError("result must have the points' columns");
  int64_t offset = getRowOffset();
  if (offset < 0 || offset + rows(getResult()) > n)
    return emitOpError("rows [")
           << offset << ", " << offset + rows(getResult())
           << ") are outside the " << n << " points";
  return success();
}

LogicalResult SetRowDiagOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  if (dim0(getDiag().getType()) != cols(getInput()) ||
      getResult().getType() != getInput().getType())
    return emitOpError("needs R x N rows, N diagonal entries and an R x N "
                       "result");
  return verifyRowRange(*this, getRowOffset(), rows(getInput()),
                        cols(getInput()));
}

LogicalResult AddDiagOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  if (dim0(getDiag().getType()) != rows(getInput()) ||
      mapShape(getDiag(), 1) != mapShape(getInput(), 2) ||
      getResult().getType() != getInput().getType())
    return emitOpError("diag and result must match the input size");
  // Rows [row_offset, row_offset + R) of an N x N matrix.
  return verifyRowRange(*this, getRowOffset(), rows(getInput()),
                        cols(getInput()));
}

LogicalResult GramBlocksOp::verify() {
  if (failed(verifyCommon(*this)) ||
      failed(verifySquare(*this, getCorner(), "the real-real block")) ||
      failed(verifySquare(*this, getResult(), "the Gram")))
    return failure();
  int64_t n = rows(getCorner()), total = rows(getResult());
  if (rows(getRows()) + n != total || cols(getRows()) != total)
    return emitOpError("the Z rows must be ")
           << total - n << "x" << total << " (N = " << total << " rows, "
           << n << " of them real), got " << getRows().getType();
  return success();
}

/// widths (latent first, ≥ 2 of them, all ≥ 1), one activation per layer,
/// θ of the right size, E and Z (or dZ) with the first and last widths.
static LogicalResult verifyGenerator(Operation *op, Value latent, Value params,
                                     Value points, ArrayRef<int64_t> widths,
                                     ArrayAttr activations) {
  if (failed(verifyCommon(op)))
    return failure();
  if (widths.size() < 2 ||
      llvm::any_of(widths, [](int64_t w) { return w < 1; }))
    return op->emitOpError("needs at least two widths (the latent's and a "
                           "layer's), each at least 1");
  if (activations.size() + 1 != widths.size())
    return op->emitOpError("needs one activation per layer: ")
           << widths.size() - 1 << " layers, " << activations.size()
           << " activations";
  for (Attribute a : activations)
    if (!isGeneratorActivation(cast<StringAttr>(a).getValue()))
      return op->emitOpError("unknown activation ")
             << a << " (expected identity, relu, tanh or sigmoid)";
  int64_t count = generatorParamCount(widths);
  if (dim0(cast<ShapedType>(params.getType())) != count)
    return op->emitOpError("θ must hold ")
           << count << " values for widths " << widths << ", got "
           << params.getType();
  if (cols(latent) != widths.front() || cols(points) != widths.back() ||
      rows(latent) != rows(points))
    return op->emitOpError("the latent rows must be m x ")
           << widths.front() << " and the generated rows m x " << widths.back();
  return success();
}

LogicalResult GeneratorOp::verify() {
  return verifyGenerator(*this, getLatent(), getParams(), getResult(),
                         getWidths(), getActivations());
}

LogicalResult GeneratorGradOp::verify() {
  if (getResult().getType() != getParams().getType())
    return emitOpError("the result must have θ's type");
  return verifyGenerator(*this, getLatent(), getParams(), getCotangent(),
                         getWidths(), getActivations());
}

LogicalResult ParamViewOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  int64_t size = rows(getResult()) * cols(getResult());
  int64_t offset = getOffsetAttr().getInt();
  if (offset < 0 ||
      offset > dim0(cast<ShapedType>(getParams().getType())) - size)
    return emitOpError("elements [")
           << offset << ", " << offset + size << ") lie outside "
           << getParams().getType();
  return success();
}

LogicalResult ConcatOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  int64_t total = 0;
  for (Value piece : getPieces())
    total += rows(piece) * cols(piece);
  if (total != dim0(cast<ShapedType>(getResult().getType())))
    return emitOpError("the pieces hold ")
           << total << " values, the result " << getResult().getType();
  return success();
}

LogicalResult BiasActOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  if (!isGeneratorActivation(getActivation()))
    return emitOpError("unknown activation '") << getActivation() << "'";
  if (rows(getBias()) != 1 || cols(getBias()) != cols(getInput()) ||
      getResult().getType() != getInput().getType())
    return emitOpError("the bias must be 1 x ")
           << cols(getInput()) << " and the result the input's type";
  return success();
}

LogicalResult ActGradOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  if (!isGeneratorActivation(getActivation()))
    return emitOpError("unknown activation '") << getActivation() << "'";
  if (getOutput().getType() != getCotangent().getType() ||
      getResult().getType() != getOutput().getType())
    return emitOpError("output, cotangent and result must have one type");
  return success();
}

LogicalResult ColumnSumOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  if (rows(getResult()) != 1 || cols(getResult()) != cols(getInput()))
    return emitOpError("the result must be 1 x ") << cols(getInput());
  return success();
}

LogicalResult GemmOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  int64_t m = getTransA() ? cols(getA()) : rows(getA());
  int64_t ka = getTransA() ? rows(getA()) : cols(getA());
  int64_t kb = getTransB() ? cols(getB()) : rows(getB());
  int64_t n = getTransB() ? rows(getB()) : cols(getB());
  if (ka != kb)
    return emitOpError("inner dimensions differ: ") << ka << " vs " << kb;
  if (rows(getResult()) != m || cols(getResult()) != n)
    return emitOpError("result must be ") << m << "x" << n;
  if (std::optional<int64_t> from = getASymmetricFrom();
      from && (getTransA() || getTransB() || *from < 0 || *from + m != ka))
    return emitOpError("a_symmetric_from needs A and B not transposed and "
                       "A's last columns a square block: ")
           << *from << " + " << m << " vs " << ka << " columns";
  if (getUpperOnly() && n < m)
    return emitOpError("upper_only needs a square block in C's last "
                       "columns: ")
           << m << " rows, " << n << " columns";
  return success();
}

LogicalResult EighOp::verify() {
  if (failed(verifyCommon(*this)) ||
      failed(verifySquare(*this, getInput(), "input")))
    return failure();
  if (getVectors().getType() != getInput().getType() ||
      dim0(getValues().getType()) != rows(getInput()))
    return emitOpError("results must match the input size");
  return success();
}

LogicalResult AddTraceDiagOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  return verifySquare(*this, getInput(), "input");
}

LogicalResult ExpScaleOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  if (dim0(getValues().getType()) != rows(getRhs()) ||
      getResult().getType() != getRhs().getType())
    return emitOpError("values, rhs and result must have the same rows");
  return verifyPositive(*this, "lambda", getLambda().convertToDouble());
}

LogicalResult DaleckiiKreinOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  int64_t n = dim0(getValues().getType());
  if (getA().getType() != getB().getType() || rows(getA()) != n ||
      rows(getResult()) != n || cols(getResult()) != n)
    return emitOpError("a and b must be N x k and the result N x N for N "
                       "eigenvalues");
  return verifyPositive(*this, "lambda", getLambda().convertToDouble());
}

LogicalResult KrylovExpmOp::verify() {
  if (failed(verifyActionShapes(*this, getKernel(), getRhs(), getResult(),
                                getLambda().convertToDouble(), 0)))
    return failure();
  return verifySolver(*this, getTol().convertToDouble(),
                      getMaxIter());
}

LogicalResult KrylovExpmGradOp::verify() {
  if (failed(verifyActionShapes(*this, getKernel(), getRhs(), getCotangent(),
                                getLambda().convertToDouble(), 0)))
    return failure();
  if (getFactorA().getType() != getFactorB().getType() ||
      rows(getFactorA()) != kernelSize(getKernel()) || cols(getFactorA()) < 1)
    return emitOpError("factors must be two N x rank matrices, rank >= 1");
  return verifySolver(*this, getTol().convertToDouble(),
                      getMaxIter());
}

LogicalResult KrylovExpmValueGradOp::verify() {
  if (failed(verifyActionShapes(*this, getKernel(), getRhs(), getResult(),
                                getLambda().convertToDouble(), 0)))
    return failure();
  if (getCotangent().getType() != getRhs().getType())
    return emitOpError("cotangent type must equal the rhs type");
  if (getFactorA().getType() != getFactorB().getType() ||
      rows(getFactorA()) != kernelSize(getKernel()) || cols(getFactorA()) < 1)
    return emitOpError("factors must be two N x rank matrices, rank >= 1");
  if (!std::isfinite(getCotangentScale().convertToDouble()))
    return emitOpError("cotangent_scale must be finite");
  return verifySolver(*this, getTol().convertToDouble(), getMaxIter());
}

LogicalResult AddFactorTraceOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  if (getA().getType() != getB().getType() ||
      rows(getA()) != cols(getInput()) ||
      getResult().getType() != getInput().getType())
    return emitOpError("needs R x N rows, N x r factors and an R x N result");
  return verifyRowRange(*this, getRowOffset(), rows(getInput()),
                        cols(getInput()));
}

LogicalResult GramDiagOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  if (dim0(getType()) != rows(getPoints()))
    return emitOpError("result must have one entry per point");
  return success();
}

/// `ranks`, when set, names a rank ≥ 0 for each of `tiles` row tiles.
static LogicalResult verifyTileRanks(Operation *op,
                                     std::optional<ArrayRef<int32_t>> ranks,
                                     int64_t tiles) {
  if (!ranks)
    return success();
  if (int64_t(ranks->size()) != tiles)
    return op->emitOpError("tile_ranks must name a rank for each of the ")
           << tiles << " row tiles, got " << ranks->size();
  if (llvm::any_of(*ranks, [](int32_t r) { return r < 0; }))
    return op->emitOpError("tile_ranks must be non-negative");
  return success();
}

/// Tile t on rank t mod P for some P: the block-cyclic rows ScaLAPACK
/// reads (DenseOverRanks.h).
static bool isCyclic(ArrayRef<int32_t> ranks) {
  int32_t p = 0;
  for (int32_t r : ranks)
    p = std::max(p, r + 1);
  for (auto [t, r] : llvm::enumerate(ranks))
    if (r != int32_t(t % size_t(p)))
      return false;
  return true;
}

KernelOperatorOp EighRanksOp::getOperator() {
  return getKernel().getDefiningOp<KernelOperatorOp>();
}

int64_t EighRanksOp::getVectorsElements() {
  return getOperator().getTileElements();
}

LogicalResult EighRanksOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  int64_t n = cast<OperatorType>(getKernel().getType()).getSize();
  if (rows(getVectors()) != n || cols(getVectors()) != n ||
      dim0(getValues().getType()) != n)
    return emitOpError("needs N x N vectors and N values for an operator of ")
           << n << " points";
  KernelOperatorOp op = getOperator();
  if (!op || !op.getKeepTiles() || !op.getTileRanks() ||
      !isCyclic(*op.getTileRanks()))
    return emitOpError("needs a kernel_operator that keeps its row tiles, "
                       "dealt tile t to rank t mod P");
  return success();
}

LogicalResult ExpmRanksOp::verify() {
  if (failed(verifyActionShapes(*this, getVectors(), getRhs(), getResult(),
                                getLambda().convertToDouble(), 0)))
    return failure();
  if (dim0(getValues().getType()) != rows(getVectors()))
    return emitOpError("needs one value per eigenvector");
  return success();
}

int64_t ExpmGradRowsRanksOp::getLocalElements() {
  llvm::DenseMap<int32_t, int64_t> owned;
  int64_t most = 0;
  for (int32_t r : getTileRanks())
    most = std::max(most, ++owned[r]);
  return most * int64_t(getTileRows()) * cols(getResult());
}

LogicalResult ExpmGradRowsRanksOp::verify() {
  if (failed(verifyActionShapes(*this, getVectors(), getRhs(), getCotangent(),
                                getLambda().convertToDouble(), 0)))
    return failure();
  int64_t n = rows(getVectors()), r = rows(getResult());
  if (dim0(getValues().getType()) != n || cols(getResult()) != n)
    return emitOpError("needs one value per eigenvector and R x N rows");
  if (failed(verifyRowRange(*this, getRowOffset(), r, n)))
    return failure();
  int64_t tile = int64_t(getTileRows());
  if (tile < 1)
    return emitOpError("tile_rows must be positive, got ") << tile;
  if (failed(verifyTileRanks(*this, getTileRanks(), (r + tile - 1) / tile)))
    return failure();
  if (!isCyclic(getTileRanks()))
    return emitOpError("tile_ranks must deal tile t to rank t mod P");
  return success();
}

int64_t KernelOperatorOp::getKeptTiles() {
  std::optional<ArrayRef<int32_t>> ranks = getTileRanks();
  if (!getKeepTiles() || !ranks || ranks->empty())
    return 1;
  llvm::DenseMap<int32_t, int64_t> owned;
  int64_t most = 0;
  for (int32_t r : *ranks)
    most = std::max(most, ++owned[r]);
  return most;
}

LogicalResult KernelOperatorOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  int64_t n = rows(getPoints());
  // Outlined on maps the diag is H × W × N, the kernels' layout.
  auto diag = cast<RankedTensorType>(getDiag().getType());
  int64_t points = formsGram() ? diag.getDimSize(0)
                               : diag.getDimSize(diag.getRank() - 1);
  if (points != n || getType().getSize() != n)
    return emitOpError("diag and operator must have one entry per point");
  if (diag.getRank() == 3 &&
      failed(verifyImageRows(*this, cols(getPoints()),
                             formsGram() ? diag.getShape().drop_front()
                                         : diag.getShape().take_front(2))))
    return failure();
  // I64Attr getters are unsigned: compare the signed values.
  if (int64_t(getTileRows()) < 1)
    return emitOpError("tile_rows must be positive, got ")
           << int64_t(getTileRows());
  if (failed(verifyTileRanks(*this, getTileRanks(), getNumTiles())))
    return failure();
  if (getKeepTiles() && !getTileRanks())
    return emitOpError("keep_tiles needs tile_ranks");
  if (getRecursion()) {
    if (!getBody().empty())
      return emitOpError("has both a recursion kernel and a body");
    return success();
  }
  if (getBody().empty())
    return emitOpError("needs a per-pair body or a recursion kernel");
  Type pair = getPairType();
  return verifyPairBody(*this, getBody(), {pair, pair, pair},
                        {getType().getElementType()});
}

//===----------------------------------------------------------------------===//
// Per-pair map ops
//===----------------------------------------------------------------------===//

/// `in` and `out` are the maps before and after the window.
static LogicalResult verifyWindowMaps(Operation *op, RankedTensorType in,
                                      RankedTensorType out,
                                      ArrayRef<int64_t> kernel,
                                      ArrayRef<int64_t> stride,
                                      Padding padding) {
  if (in.getElementType() != out.getElementType())
    return op->emitOpError("input and result must have one element type");
  FailureOr<WindowGeometry> window =
      windowOf(op, in.getShape(), kernel, stride, padding);
  if (failed(window))
    return failure();
  if (out.getShape() != ArrayRef<int64_t>(window->outShape()))
    return op->emitOpError("the window maps ")
           << in << " to " << window->rows.out << "x" << window->cols.out
           << " maps, not " << out;
  return success();
}

LogicalResult WindowOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  return verifyWindowMaps(*this, getInput().getType(), getType(), getKernel(),
                          getStride(), getPadding());
}

LogicalResult WindowTransposeOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  return verifyWindowMaps(*this, getType(), getInput().getType(), getKernel(),
                          getStride(), getPadding());
}

LogicalResult SpatialMeanOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  if (getInput().getType().getElementType() != getType())
    return emitOpError("result must be the map's element type");
  return success();
}

LogicalResult RowTilesOp::verify() {
  if (int64_t(getRows()) < 1 || int64_t(getTileRows()) < 1)
    return emitOpError("rows and tile_rows must be positive");
  int64_t tiles = (int64_t(getRows()) + int64_t(getTileRows()) - 1) /
                  int64_t(getTileRows());
  if (failed(verifyTileRanks(*this, getTileRanks(), tiles)))
    return failure();
  Block &body = getBody().front();
  auto yield = body.mightHaveTerminator()
                   ? dyn_cast<YieldOp>(body.getTerminator())
                   : YieldOp();
  if (!yield || yield.getValues().getTypes() != getResultTypes())
    return emitOpError("body must yield the results");
  for (Type t : getResultTypes())
    if (dim0(t) != int64_t(getRows()))
      return emitOpError("results must have `rows` rows, got ") << t;
  return success();
}

bool RowTilesOp::isTiled(Value v) {
  return dim0(v.getType()) == int64_t(getRows()) &&
         !llvm::is_contained(getBody().front().getTerminator()->getOperands(),
                             v);
}

int64_t RowTilesOp::bufferElements(Value v) {
  int64_t elements = cast<ShapedType>(v.getType()).getNumElements();
  if (!isTiled(v))
    return elements;
  return elements / int64_t(getRows()) * int64_t(getTileRows());
}

LogicalResult DispatchOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  if (getRange() < 1)
    return emitOpError("range must be positive, got ") << getRange();
  ArrayRef<int64_t> tied = getTied();
  if (tied.size() != getNumResults())
    return emitOpError("needs one tied entry per result");
  if (getInPlace() && llvm::all_of(tied, [](int64_t t) { return t < 0; }))
    return emitOpError("in_place needs a tied result");
  for (auto [r, t] : llvm::enumerate(tied)) {
    if (t < -1 || t >= static_cast<int64_t>(getArgs().size()))
      return emitOpError("tied operand ") << t << " does not exist";
    if (t >= 0 && getArgs()[t].getType() != getResult(r).getType())
      return emitOpError("result ")
             << r << " is tied to an operand of another type";
  }
  return success();
}

LogicalResult
DispatchOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto fn = symbolTable.lookupNearestSymbolFrom(*this, getKernelAttr());
  if (!fn)
    return emitOpError("kernel '") << getKernel() << "' does not exist";
  return success();
}

#define GET_OP_CLASSES
#include "gantk/Dialect/Gantk/GantkOps.cpp.inc"
