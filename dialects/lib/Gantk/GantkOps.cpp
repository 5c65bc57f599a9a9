//===- GantkOps.cpp - gantk operations ------------------------------------===//

#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace gantk;

namespace {
int64_t rows(Value v) { return cast<RankedTensorType>(v.getType()).getDimSize(0); }
int64_t cols(Value v) { return cast<RankedTensorType>(v.getType()).getDimSize(1); }
int64_t dim0(Type t) { return cast<RankedTensorType>(t).getDimSize(0); }

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

LogicalResult InputOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  if (getResult().getType().getSize() != rows(getPoints()))
    return emitOpError("kernel size ")
           << getResult().getType().getSize() << " does not match "
           << rows(getPoints()) << " points";
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

LogicalResult LossGradOp::verify() {
  if (failed(verifyLossShapes(*this, getAction(), getLabels(), getKind())))
    return failure();
  if (getResult().getType() != getAction().getType())
    return emitOpError("result type must equal the action type");
  return success();
}

LogicalResult GramOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  if (rows(getResult()) != rows(getPoints()) ||
      cols(getResult()) != rows(getPoints()))
    return emitOpError("result must be N x N for N points");
  return success();
}

LogicalResult DiagOp::verify() {
  if (failed(verifyCommon(*this)) ||
      failed(verifySquare(*this, getInput(), "input")))
    return failure();
  if (dim0(getResult().getType()) != rows(getInput()))
    return emitOpError("result length must equal the matrix size");
  return success();
}

/// A per-pair body takes `numArgs` values of the pair type and yields
/// `numResults` of them.
static LogicalResult verifyPairBody(Operation *op, Region &body,
                                    Type element, unsigned numArgs,
                                    unsigned numResults) {
  Block &block = body.front();
  if (!block.mightHaveTerminator())
    return op->emitOpError("body must end with gantk.yield");
  if (block.getNumArguments() != numArgs ||
      llvm::any_of(block.getArgumentTypes(),
                   [&](Type t) { return t != element; }))
    return op->emitOpError("body must take ")
           << numArgs << " arguments of type " << element;
  auto yield = dyn_cast<YieldOp>(block.getTerminator());
  if (!yield)
    return op->emitOpError("body must end with gantk.yield");
  if (yield.getValues().size() != numResults ||
      llvm::any_of(yield.getValues().getTypes(),
                   [&](Type t) { return t != element; }))
    return op->emitOpError("body must yield ")
           << numResults << " value(s) of type " << element;
  return success();
}

LogicalResult PairwiseOp::verify() {
  if (failed(verifyCommon(*this)) ||
      failed(verifySquare(*this, getGram(), "gram")))
    return failure();
  if (dim0(getDiag().getType()) != rows(getGram()) ||
      getResult().getType() != getGram().getType())
    return emitOpError("diag and result must match the gram size");
  return verifyPairBody(*this, getBody(), getPairType(), 3, 1);
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
  if (dim0(getDiag().getType()) != n ||
      (rows(getGram()) != n && rows(getGram()) != r) ||
      getCotangent().getType() != getGram().getType() ||
      cols(getGramGrad()) != n || dim0(getDiagGrad().getType()) != r)
    return emitOpError("operand and result shapes must match the gram size");
  if (failed(verifyRowRange(*this, getRowOffset(), r, n)))
    return failure();
  return verifyPairBody(*this, getBody(), getPairType(), 4, 3);
}

LogicalResult GramGradOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  int64_t n = rows(getPoints());
  if (cols(getCotangent()) != n ||
      (rows(getCotangent()) != n && rows(getCotangent()) != rows(getResult())))
    return emitOpError("cotangent must be N x N, or the result's rows of it, "
                       "for N points");
  if (cols(getResult()) != cols(getPoints()))
    return emitOpError("result must have the points' columns");
  int64_t offset = getRowOffset();
  if (offset < 0 || offset + rows(getResult()) > n)
    return emitOpError("rows [")
           << offset << ", " << offset + rows(getResult())
           << ") are outside the " << n << " points";
  return success();
}

LogicalResult AddDiagOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  if (dim0(getDiag().getType()) != rows(getInput()) ||
      getResult().getType() != getInput().getType())
    return emitOpError("diag and result must match the input size");
  // Rows [row_offset, row_offset + R) of an N x N matrix.
  return verifyRowRange(*this, getRowOffset(), rows(getInput()),
                        cols(getInput()));
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

LogicalResult KernelOperatorOp::verify() {
  if (failed(verifyCommon(*this)))
    return failure();
  int64_t n = rows(getPoints());
  if (dim0(getDiag().getType()) != n || getType().getSize() != n)
    return emitOpError("diag and operator must have one entry per point");
  // I64Attr getters are unsigned: compare the signed values.
  if (int64_t(getTileRows()) < 1)
    return emitOpError("tile_rows must be positive, got ")
           << int64_t(getTileRows());
  if (getRecursion()) {
    if (!getBody().empty())
      return emitOpError("has both a recursion kernel and a body");
    return success();
  }
  if (getBody().empty())
    return emitOpError("needs a per-pair body or a recursion kernel");
  return verifyPairBody(*this, getBody(), getPairType(), 3, 1);
}

LogicalResult RowTilesOp::verify() {
  if (int64_t(getRows()) < 1 || int64_t(getTileRows()) < 1)
    return emitOpError("rows and tile_rows must be positive");
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
