//===- MapKernels.h - kernels for pairs that carry maps ---------*- C++ -*-===//
//
// Convolutional layers give each pair a map over positions (NTK_SPEC
// "Convolutions"). The map Gram G (N × N × H × W) is never stored: the
// kernels here compute each pair's input map from the points where they use
// it, run the per-pair program on maps in per-thread scratch, and fuse the
// backward's pairwise_grad → add_diag → gram_grad into one loop nest that
// accumulates dL/dS row by row.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_COMPILER_TRANSFORMS_MAPKERNELS_H
#define GANTK_COMPILER_TRANSFORMS_MAPKERNELS_H

#include "KernelBuilder.h"

namespace gantk {

/// Outlines every op that reads a map Gram in `fn` (gantk.gram with an
/// N × N × H × W result): its diagonal, the pairwise ops and the backward
/// chains. Adds to `symmetric` the dispatches that wrote only the upper
/// triangle of a symmetric N × N result (the caller mirrors them where
/// something reads below the diagonal).
mlir::LogicalResult outlineMapKernels(KernelFactory &kernels,
                                      mlir::func::FuncOp fn,
                                      llvm::SmallVectorImpl<DispatchOp> &symmetric);

} // namespace gantk

#endif // GANTK_COMPILER_TRANSFORMS_MAPKERNELS_H
