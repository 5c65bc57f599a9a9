//===- GantkDialect.h - gantk dialect ---------------------------*- C++ -*-===//

#ifndef GANTK_DIALECT_GANTK_GANTKDIALECT_H
#define GANTK_DIALECT_GANTK_GANTKDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "gantk/Dialect/Gantk/GantkOpsDialect.h.inc"

#include "gantk/Dialect/Gantk/GantkEnums.h.inc"

#define GET_TYPEDEF_CLASSES
#include "gantk/Dialect/Gantk/GantkOpsTypes.h.inc"

#define GET_ATTRDEF_CLASSES
#include "gantk/Dialect/Gantk/GantkAttrs.h.inc"

#endif // GANTK_DIALECT_GANTK_GANTKDIALECT_H
