//===- MLIRGen.h - AST to the gantk dialect ---------------------*- C++ -*-===//
//
// The one bridge from a checked spec to IR: the graph of one step (or of the
// kernels) in the gantk dialect, with everything else the artifact needs
// from the spec as typed attributes on the module (gantk.data, gantk.train,
// gantk.output). The compiler starts from that module and never sees the AST.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_FRONTEND_MLIRGEN_H
#define GANTK_FRONTEND_MLIRGEN_H

#include "gantk/Frontend/AST.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <vector>

namespace gantk {

/// What the compiled graph computes.
enum class EntryKind {
  Step,   ///< @step(X, Z) -> loss, marked to be differentiated
  Kernel, ///< @kernel(S) -> (NTK, NNGP)
};

/// Static sizes of the graph; the spec gives the architecture, the data (or
/// the command line) gives these.
struct GraphShape {
  int64_t numReal = 0; ///< rows of X (Kernel: rows of S)
  int64_t numFake = 0; ///< rows of Z (Kernel: 0)
  int64_t dim = 0;     ///< columns
  /// [H, W, C] when the rows are images (empty otherwise).
  std::vector<int64_t> image;
  /// Batch-wise: the rows of the whole X and Z that a step's numReal and
  /// numFake rows are drawn from (0: the step takes every row).
  int64_t totalReal = 0, totalFake = 0;
};

/// Builds the gantk-dialect module of a checked spec. Locations point into
/// the spec file. Returns null after reporting an error to the context's
/// diagnostic handler.
mlir::OwningOpRef<mlir::ModuleOp> buildModule(mlir::MLIRContext &context,
                                              const ast::Module &spec,
                                              const GraphShape &shape,
                                              EntryKind entry);

/// λ as the exponential action uses it: raw, or t / (N k) when normalised
/// (Neural Tangents' predict.gradient_descent_mse).
double effectiveLambda(const ast::Objective &objective, int64_t numPoints);

} // namespace gantk

#endif // GANTK_FRONTEND_MLIRGEN_H
