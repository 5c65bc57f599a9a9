//===- GantkOps.h - gantk operations ----------------------------*- C++ -*-===//

#ifndef GANTK_DIALECT_GANTK_GANTKOPS_H
#define GANTK_DIALECT_GANTK_GANTKOPS_H

#include "gantk/Dialect/Gantk/GantkDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "gantk/Dialect/Gantk/GantkOps.h.inc"

namespace gantk {
/// Loss kinds accepted by gantk.loss / gantk.loss_grad, and their number of
/// label columns.
inline int64_t labelColumnsForLoss(llvm::StringRef kind) {
  if (kind == "squared")
    return 1;
  if (kind == "cross_entropy")
    return 2;
  return -1;
}

/// N of a kernel operand: a stored N × N kernel or a matrix-free operator.
inline int64_t kernelSize(mlir::Value kernel) {
  if (auto op = llvm::dyn_cast<OperatorType>(kernel.getType()))
    return op.getSize();
  return llvm::cast<mlir::ShapedType>(kernel.getType()).getDimSize(0);
}
} // namespace gantk

#endif // GANTK_DIALECT_GANTK_GANTKOPS_H
