//===- ArtifactWriter.h - planned module to a FlatBuffers artifact -*- C++ -*-===//

#ifndef GANTK_COMPILER_ARTIFACTWRITER_H
#define GANTK_COMPILER_ARTIFACTWRITER_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gantk {

/// The kernels compiled for one target: its name in the artifact
/// ("x86_64-linux-cpu", "nvptx64-sm_90", …) and the blob (shared object or
/// PTX text).
struct CodeObject {
  std::string target;
  std::vector<uint8_t> blob;
  /// CPU code: the CPU it was compiled for and the x86 extensions it may
  /// use (CPUCodeInfo); empty for PTX.
  std::string cpu;
  std::vector<std::string> features;
};

/// Threads per GPU block along x (the outer loop's indices), recorded as
/// every kernel's gpu_block.
inline constexpr uint32_t kGPUBlock = 128;

/// Serialises a module that went through the gantk pipeline and the memory
/// plan, with its code objects (the CPU one first), into the runtime's
/// artifact format. Shapes and precision come from the entry function, the
/// data, optimiser and output settings from the module's gantk.data,
/// gantk.train and gantk.output attributes.
mlir::FailureOr<std::vector<uint8_t>>
writeArtifact(mlir::ModuleOp planned, llvm::ArrayRef<CodeObject> code);

} // namespace gantk

#endif // GANTK_COMPILER_ARTIFACTWRITER_H
