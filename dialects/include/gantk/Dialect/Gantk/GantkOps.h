//===- GantkOps.h - gantk operations ----------------------------*- C++ -*-===//

#ifndef GANTK_DIALECT_GANTK_GANTKOPS_H
#define GANTK_DIALECT_GANTK_GANTKOPS_H

#include "gantk/Dialect/Gantk/GantkDialect.h"
#include "gantk/Dialect/Gantk/GantkInterfaces.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace gantk {
/// The type of a per-pair body's values for a Gram (or points) tensor: its
/// element type, a float, while the state of a pair is a number; a spatial
/// field once pairs carry positions (convolutions). Passes build per-pair
/// code on this type, never on the element type.
inline mlir::Type pairTypeOf(mlir::Type gramOrPoints) {
  auto shaped = llvm::cast<mlir::ShapedType>(gramOrPoints);
  // N × N × H × W: an H × W map per pair.
  if (shaped.getRank() == 4)
    return mlir::RankedTensorType::get(shaped.getShape().drop_front(2),
                                       shaped.getElementType());
  return shaped.getElementType();
}
} // namespace gantk

#define GET_OP_CLASSES
#include "gantk/Dialect/Gantk/GantkOps.h.inc"

namespace gantk {
/// Label columns of a loss: one for the paper's squared loss, two (one-hot)
/// for the public code's cross-entropy.
inline int64_t labelColumnsForLoss(Loss kind) {
  return kind == Loss::Squared ? 1 : 2;
}

/// Whether `name` is a generator activation (gantk.generator, bias_act,
/// act_grad): identity, relu, tanh or sigmoid.
inline bool isGeneratorActivation(llvm::StringRef name) {
  return name == "identity" || name == "relu" || name == "tanh" ||
         name == "sigmoid";
}

/// The size of θ of a generator with these widths (latent first): each
/// layer's weights and bias.
inline int64_t generatorParamCount(llvm::ArrayRef<int64_t> widths) {
  int64_t total = 0;
  for (size_t k = 0; k + 1 < widths.size(); ++k)
    total += (widths[k] + 1) * widths[k + 1];
  return total;
}

/// N of a kernel operand: a stored N × N kernel or a matrix-free operator.
inline int64_t kernelSize(mlir::Value kernel) {
  if (auto op = llvm::dyn_cast<OperatorType>(kernel.getType()))
    return op.getSize();
  return llvm::cast<mlir::ShapedType>(kernel.getType()).getDimSize(0);
}
} // namespace gantk

#endif // GANTK_DIALECT_GANTK_GANTKOPS_H
