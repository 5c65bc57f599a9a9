//===- MLIRGen.cpp - AST to the gantk dialect -----------------------------===//
//
// The one bridge from the front end's AST to MLIR.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/MLIRGen.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace gantk {

double effectiveLambda(const ast::Objective &objective, int64_t numPoints) {
  if (!objective.normalized)
    return objective.lambda;
  int64_t columns = objective.loss == ast::Objective::Loss::Squared ? 1 : 2;
  return objective.lambda / double(numPoints * columns);
}

namespace {
class Generator {
public:
  Generator(MLIRContext &ctx, const ast::Module &spec)
      : b(&ctx), spec(spec) {}

  Location loc(const ast::Location &l) {
    return FileLineColLoc::get(b.getStringAttr(l.file), l.line, l.col);
  }

  /// input → layers; returns the final kernel state.
  Value network(Value points, FloatType element) {
    int64_t n = cast<RankedTensorType>(points.getType()).getDimSize(0);
    auto kernelType = KernelType::get(b.getContext(), n, element);
    Value state = InputOp::create(b, loc(spec.data.loc), kernelType, points);
    for (const ast::Layer &layer : spec.layers) {
      Location l = loc(layer.loc);
      switch (layer.kind) {
      case ast::Layer::Kind::Dense:
        state = DenseOp::create(b, l, kernelType, state,
                                b.getF64FloatAttr(layer.wStd),
                                b.getF64FloatAttr(layer.bStd));
        break;
      case ast::Layer::Kind::Relu:
        state = abrelu(l, kernelType, state, 0, 1);
        break;
      case ast::Layer::Kind::LeakyRelu:
        state = abrelu(l, kernelType, state, layer.alpha, 1);
        break;
      case ast::Layer::Kind::Abs:
        state = abrelu(l, kernelType, state, -1, 1);
        break;
      case ast::Layer::Kind::Erf:
        state = ErfOp::create(b, l, kernelType, state, b.getF64FloatAttr(layer.a),
                              b.getF64FloatAttr(layer.b),
                              b.getF64FloatAttr(layer.c));
        break;
      }
    }
    return state;
  }

  OwningOpRef<ModuleOp> build(const GraphShape &shape, EntryKind entry) {
    Location fileLoc = FileLineColLoc::get(b.getStringAttr(spec.file), 1, 1);
    OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
    b.setInsertionPointToEnd(module->getBody());
    FloatType element = spec.train.precision == ast::Train::Precision::F32
                            ? FloatType(b.getF32Type())
                            : FloatType(b.getF64Type());
    int64_t n = shape.numReal, m = shape.numFake, d = shape.dim, total = n + m;
    auto matrix = [&](int64_t r, int64_t c) {
      return RankedTensorType::get({r, c}, element);
    };

    if (entry == EntryKind::Kernel) {
      auto fn = func::FuncOp::create(
          b, fileLoc, "kernel",
          b.getFunctionType({matrix(n, d)}, {matrix(n, n), matrix(n, n)}));
      b.setInsertionPointToStart(fn.addEntryBlock());
      Value state = network(fn.getArgument(0), element);
      Location end = loc(spec.layers.back().loc);
      Value ntk = NtkOp::create(b, end, matrix(n, n), state);
      Value nngp = NngpOp::create(b, end, matrix(n, n), state);
      func::ReturnOp::create(b, end, ValueRange{ntk, nngp});
      return module;
    }

    auto fn = func::FuncOp::create(
        b, fileLoc, "step",
        b.getFunctionType({matrix(n, d), matrix(m, d)},
                          {RankedTensorType::get({}, element)}));
    fn->setAttr("gantk.differentiate", b.getUnitAttr());
    b.setInsertionPointToStart(fn.addEntryBlock());
    Value s = StackOp::create(b, loc(spec.data.loc), matrix(total, d),
                              fn.getArgument(0), fn.getArgument(1));
    Value state = network(s, element);
    Location objLoc = loc(spec.objective.loc);
    Value kernel = NtkOp::create(b, loc(spec.layers.back().loc),
                                 matrix(total, total), state);
    bool squared = spec.objective.loss == ast::Objective::Loss::Squared;
    int64_t columns = squared ? 1 : 2;
    Value labels = LabelsOp::create(b, objLoc, matrix(total, columns),
                                    b.getI64IntegerAttr(n));
    Value action = ExpmActionOp::create(
        b, objLoc, matrix(total, columns), kernel, labels,
        b.getF64FloatAttr(effectiveLambda(spec.objective, total)),
        b.getF64FloatAttr(spec.objective.eigReg),
        b.getStringAttr(useKrylov(total) ? "krylov" : "dense"),
        b.getF64FloatAttr(spec.objective.tol),
        b.getI64IntegerAttr(spec.objective.maxIter));
    Value loss = LossOp::create(b, objLoc, RankedTensorType::get({}, element),
                                action, labels,
                                b.getStringAttr(squared ? "squared"
                                                        : "cross_entropy"));
    func::ReturnOp::create(b, objLoc, loss);
    return module;
  }

private:
  bool useKrylov(int64_t points) const {
    switch (spec.objective.solver) {
    case ast::Objective::Solver::Dense:
      return false;
    case ast::Objective::Solver::Krylov:
      return true;
    case ast::Objective::Solver::Auto:
      return points >= kKrylovFromPoints;
    }
    return false;
  }

  Value abrelu(Location l, KernelType type, Value in, double a, double bb) {
    return ABReluOp::create(b, l, type, in, b.getF64FloatAttr(a),
                            b.getF64FloatAttr(bb));
  }

  OpBuilder b;
  const ast::Module &spec;
};
} // namespace

OwningOpRef<ModuleOp> buildModule(MLIRContext &context,
                                  const ast::Module &spec,
                                  const GraphShape &shape, EntryKind entry) {
  context.loadDialect<GantkDialect, func::FuncDialect>();
  return Generator(context, spec).build(shape, entry);
}

} // namespace gantk
