//===- MLIRGen.h - AST to the gantk dialect ---------------------*- C++ -*-===//

#ifndef GANTK_COMPILER_MLIRGEN_H
#define GANTK_COMPILER_MLIRGEN_H

#include "gantk/Frontend/AST.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace gantk {

/// What the compiled graph computes.
enum class EntryKind {
  Step,   ///< @step(X, Z) -> loss, differentiated into @step_grad
  Kernel, ///< @kernel(S) -> (NTK, NNGP)
};

/// Static sizes of the graph; the spec gives the architecture, the data (or
/// the command line) gives these.
struct GraphShape {
  int64_t numReal = 0; ///< rows of X (Kernel: rows of S)
  int64_t numFake = 0; ///< rows of Z (Kernel: 0)
  int64_t dim = 0;     ///< columns
};

/// Builds the gantk-dialect module of a checked spec. Locations point into
/// the spec file.
mlir::OwningOpRef<mlir::ModuleOp> buildModule(mlir::MLIRContext &context,
                                              const ast::Module &spec,
                                              const GraphShape &shape,
                                              EntryKind entry);

/// The solver `auto` picks: the Krylov path from this many points on (the
/// dense eigendecomposition's O(N³) loses to O(k·N²) matvecs beyond it).
inline constexpr int64_t kKrylovFromPoints = 512;

/// λ as the exponential action uses it: raw, or t / (N k) when normalised
/// (Neural Tangents' predict.gradient_descent_mse).
double effectiveLambda(const ast::Objective &objective, int64_t numPoints);

} // namespace gantk

#endif // GANTK_COMPILER_MLIRGEN_H
