//===- Recursion.h - the NTK layer rules as scalar code ---------*- C++ -*-===//

#ifndef GANTK_COMPILER_RECURSION_H
#define GANTK_COMPILER_RECURSION_H

#include "gantk/Compiler/ScalarBuilder.h"
#include "mlir/IR/Operation.h"

namespace gantk {

/// The kernel state of one pair (i, j): Σ_ij, v_i, v_j and Θ_ij.
struct PairState {
  mlir::Value nngp, varI, varJ, ntk;
};

/// Applies one layer op (gantk.dense / abrelu / erf) to the state of one
/// pair, following NTK_SPEC exactly.
PairState applyLayer(ScalarBuilder &s, mlir::Operation *layer,
                     const PairState &in);

} // namespace gantk

#endif // GANTK_COMPILER_RECURSION_H
