//===- GantkDialect.cpp - gantk dialect -----------------------------------===//

#include "gantk/Dialect/Gantk/GantkDialect.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace gantk;

#include "gantk/Dialect/Gantk/GantkOpsDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "gantk/Dialect/Gantk/GantkOpsTypes.cpp.inc"

void GantkDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "gantk/Dialect/Gantk/GantkOps.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "gantk/Dialect/Gantk/GantkOpsTypes.cpp.inc"
      >();
}

LogicalResult
KernelType::verify(function_ref<InFlightDiagnostic()> emitError, int64_t size,
                   FloatType elementType) {
  if (size < 1)
    return emitError() << "kernel size must be positive, got " << size;
  if (!elementType.isF32() && !elementType.isF64())
    return emitError() << "kernel element type must be f32 or f64, got "
                       << elementType;
  return success();
}

LogicalResult
OperatorType::verify(function_ref<InFlightDiagnostic()> emitError,
                     int64_t size, FloatType elementType) {
  return KernelType::verify(emitError, size, elementType);
}
