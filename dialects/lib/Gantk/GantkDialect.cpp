//===- GantkDialect.cpp - gantk dialect -----------------------------------===//

#include "gantk/Dialect/Gantk/GantkDialect.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace gantk;

#include "gantk/Dialect/Gantk/GantkOpsDialect.cpp.inc"

#include "gantk/Dialect/Gantk/GantkEnums.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "gantk/Dialect/Gantk/GantkOpsTypes.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "gantk/Dialect/Gantk/GantkAttrs.cpp.inc"

void GantkDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "gantk/Dialect/Gantk/GantkOps.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "gantk/Dialect/Gantk/GantkOpsTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "gantk/Dialect/Gantk/GantkAttrs.cpp.inc"
      >();
}

LogicalResult
KernelType::verify(function_ref<InFlightDiagnostic()> emitError, int64_t size,
                   FloatType elementType, ArrayRef<int64_t> spatial) {
  if (size < 1)
    return emitError() << "kernel size must be positive, got " << size;
  if (!elementType.isF32() && !elementType.isF64())
    return emitError() << "kernel element type must be f32 or f64, got "
                       << elementType;
  if (!spatial.empty() &&
      (spatial.size() != 2 || spatial[0] < 1 || spatial[1] < 1))
    return emitError() << "spatial shape must be [H, W] with H, W >= 1";
  return success();
}

LogicalResult
OperatorType::verify(function_ref<InFlightDiagnostic()> emitError,
                     int64_t size, FloatType elementType) {
  return KernelType::verify(emitError, size, elementType, {});
}

LogicalResult DataAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               DataSource source, StringRef path,
                               int64_t label, int64_t size, APFloat spacing,
                               APFloat std, Scale scale,
                               ArrayRef<int64_t> image) {
  bool file = source == DataSource::Npy || source == DataSource::Idx ||
              source == DataSource::Images;
  if (file && path.empty())
    return emitError() << stringifyDataSource(source) << " data needs a path";
  if (!file && size < 1)
    return emitError() << "synthetic data needs size >= 1, got " << size;
  if (!file && !(spacing.convertToDouble() > 0 && std.convertToDouble() > 0))
    return emitError() << "synthetic data needs spacing and std > 0";
  if (label < -1)
    return emitError() << "label must be >= 0 (or -1: all), got " << label;
  if (!image.empty() &&
      (image.size() != 3 || llvm::any_of(image, [](int64_t d) { return d < 1; })))
    return emitError() << "image must be [H, W, C] with positive sizes";
  return success();
}

LogicalResult TrainAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                Optimizer optimizer, APFloat lrValue,
                                bool clip, APFloat clipLoValue,
                                APFloat clipHiValue, APFloat beta1Value,
                                APFloat beta2Value, APFloat epsValue,
                                int64_t steps, uint64_t seed, Init init,
                                APFloat budgetValue, int64_t realRows,
                                int64_t fakeRows, bool epoch,
                                LocationAttr loc) {
  double lr = lrValue.convertToDouble(), clipLo = clipLoValue.convertToDouble(),
         clipHi = clipHiValue.convertToDouble(),
         beta1 = beta1Value.convertToDouble(),
         beta2 = beta2Value.convertToDouble(), eps = epsValue.convertToDouble(),
         memoryBudget = budgetValue.convertToDouble();
  if (!(lr > 0))
    return emitError() << "lr must be > 0, got " << lr;
  if (clip && !(clipLo < clipHi))
    return emitError() << "clip bounds must satisfy clip_lo < clip_hi";
  if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0))
    return emitError() << "Adam needs beta1, beta2 in [0, 1) and eps > 0";
  if (steps < 0)
    return emitError() << "steps must be >= 0, got " << steps;
  if (!(memoryBudget >= 0))
    return emitError() << "memory_budget must be >= 0 bytes";
  if (realRows < 0 || fakeRows < 0 || (realRows == 0) != (fakeRows == 0))
    return emitError() << "real_rows and fake_rows are both positive "
                          "(batch-wise) or both 0, got "
                       << realRows << " and " << fakeRows;
  if (epoch && realRows == 0)
    return emitError() << "epoch needs batch-wise rows (real_rows, fake_rows)";
  return success();
}

LogicalResult OutputAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef dir, Plot plot, int64_t every,
                                 int64_t checkpointEvery) {
  if (dir.empty())
    return emitError() << "the output dir must not be empty";
  if (every < 1)
    return emitError() << "every must be >= 1, got " << every;
  if (checkpointEvery < 0)
    return emitError() << "checkpoint_every must be >= 0, got "
                       << checkpointEvery;
  return success();
}

LogicalResult GantkDialect::verifyOperationAttribute(Operation *op,
                                                     NamedAttribute attr) {
  StringRef name = attr.getName().strref();
  bool typed = (name == getDataAttrName() && isa<DataAttr>(attr.getValue())) ||
               (name == getTrainAttrName() && isa<TrainAttr>(attr.getValue())) ||
               (name == getOutputAttrName() && isa<OutputAttr>(attr.getValue())) ||
               (name == getLambdaAttrName() && isa<FloatAttr>(attr.getValue()));
  if (name == getGeneratorAttrName()) {
    auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
    auto widths = dict ? dict.getAs<DenseI64ArrayAttr>("widths") : nullptr;
    auto acts = dict ? dict.getAs<ArrayAttr>("activations") : nullptr;
    if (!isa<ModuleOp>(op) || !widths || !acts ||
        widths.size() != int64_t(acts.size()) + 1 ||
        llvm::any_of(widths.asArrayRef(), [](int64_t w) { return w < 1; }) ||
        !llvm::all_of(acts, [](Attribute a) {
          auto s = dyn_cast<StringAttr>(a);
          return s && isGeneratorActivation(s.getValue());
        }))
      return op->emitOpError("'")
             << name
             << "' must be a module attribute {widths = array<i64: l, ...>, "
                "activations = [one per layer]}";
    return success();
  }
  bool config = name == getDataAttrName() || name == getTrainAttrName() ||
                name == getOutputAttrName() || name == getLambdaAttrName();
  if (!config)
    return success();
  if (!isa<ModuleOp>(op))
    return op->emitOpError("'") << name << "' belongs on the module";
  if (!typed)
    return op->emitOpError("'")
           << name
           << (name == getLambdaAttrName()
                   ? "' must be a float attribute"
                   : "' must be a #" + name.str() + "<...> attribute");
  return success();
}
