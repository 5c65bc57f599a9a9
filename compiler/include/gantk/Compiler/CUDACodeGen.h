//===- CUDACodeGen.h - kernels to PTX for NVIDIA GPUs -----------*- C++ -*-===//

#ifndef GANTK_COMPILER_CUDACODEGEN_H
#define GANTK_COMPILER_CUDACODEGEN_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace gantk {

/// The chips the artifact carries PTX for, oldest first, with their
/// code-object target names and PTX ISA features.
struct CUDATarget {
  const char *chip;
  const char *codeObject;
  const char *features;
};
inline constexpr CUDATarget kCUDATargets[] = {
    {"sm_80", "nvptx64-sm_80", "+ptx70"},
    {"sm_90", "nvptx64-sm_90", "+ptx80"},
};

/// libdevice.10.bc of the CUDA toolkit: under the first of $CUDA_ROOT,
/// $CUDA_HOME and $CUDA_PATH that is set, else /usr/local/cuda. An error names
/// the path looked at when the file is missing.
mlir::FailureOr<std::string> findLibdevice(mlir::ModuleOp module);

/// Compiles the kernel functions of a planned module (a copy is made; entry
/// functions are dropped) to PTX text for `chip` (one of kCUDATargets):
/// one `.entry <kernel>_entry` per kernel. Diagnostics go to the module's
/// context.
mlir::FailureOr<std::string> compileKernelsForCUDA(mlir::ModuleOp planned,
                                                   llvm::StringRef chip);

} // namespace gantk

#endif // GANTK_COMPILER_CUDACODEGEN_H
