//===- PairState.h - the kernel state of one pair ---------------*- C++ -*-===//

#ifndef GANTK_DIALECT_GANTK_PAIRSTATE_H
#define GANTK_DIALECT_GANTK_PAIRSTATE_H

#include "mlir/IR/Value.h"

namespace gantk {

/// The kernel state of one pair (i, j) between two layers: Σ_ij (nngp),
/// Θ_ij (ntk), and the variances v_i, v_j (the diagonal, which the
/// nonlinearities read). All four are values of the pair type: a float for
/// fully connected layers, a spatial field of floats for convolutions. `ntk`
/// is null while Θ = 0 (before the first affine layer), so that the rules
/// fold the zero away.
struct PairState {
  mlir::Value nngp, ntk, varI, varJ;

  /// The pair type.
  mlir::Type getType() const { return nngp.getType(); }
};

} // namespace gantk

#endif // GANTK_DIALECT_GANTK_PAIRSTATE_H
