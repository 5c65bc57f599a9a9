//===- GantkInterfaces.h - gantk op interfaces ------------------*- C++ -*-===//

#ifndef GANTK_DIALECT_GANTK_GANTKINTERFACES_H
#define GANTK_DIALECT_GANTK_GANTKINTERFACES_H

#include "gantk/Dialect/Gantk/PairState.h"
#include "gantk/Dialect/Gantk/ScalarBuilder.h"

#include "mlir/IR/OpDefinition.h"

namespace gantk {
class LayerOpInterface;

/// The checks every layer shares: a nonlinearity needs a Gaussian input.
mlir::LogicalResult verifyLayerOp(mlir::Operation *op);

/// Whether a kernel state is Gaussian: the output of an affine layer, or
/// the state inside a repeated body whose input and output both are.
bool isGaussian(mlir::Value state);

/// The arith/math ops of a layer's pair rule, built once on scratch values
/// and counted: the default cost model of a layer.
int64_t countPairRuleFlops(mlir::Operation *layer);
} // namespace gantk

#include "gantk/Dialect/Gantk/GantkInterfaces.h.inc"

#endif // GANTK_DIALECT_GANTK_GANTKINTERFACES_H
