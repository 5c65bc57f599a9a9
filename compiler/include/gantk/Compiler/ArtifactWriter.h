//===- ArtifactWriter.h - planned module to a FlatBuffers artifact -*- C++ -*-===//

#ifndef GANTK_COMPILER_ARTIFACTWRITER_H
#define GANTK_COMPILER_ARTIFACTWRITER_H

#include "gantk/Compiler/MLIRGen.h"
#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gantk {

/// What the artifact records about the data besides the spec.
struct DataShape {
  int64_t imageH = 0, imageW = 0, imageC = 0; ///< 0: not images
};

/// The kernels compiled for one target: its name in the artifact
/// ("x86_64-linux-cpu", "nvptx64-sm_90", …) and the blob (shared object or
/// PTX text).
struct CodeObject {
  std::string target;
  std::vector<uint8_t> blob;
};

/// Threads per GPU block along x (the outer loop's indices), recorded as
/// every kernel's gpu_block.
inline constexpr uint32_t kGPUBlock = 128;

/// Serialises a module that went through the gantk pipeline and the memory
/// plan, with its code objects (the CPU one first), into the runtime's
/// artifact format.
mlir::FailureOr<std::vector<uint8_t>>
writeArtifact(mlir::ModuleOp planned, const ast::Module &spec,
              const GraphShape &shape, EntryKind entry,
              const DataShape &data, llvm::ArrayRef<CodeObject> code);

} // namespace gantk

#endif // GANTK_COMPILER_ARTIFACTWRITER_H
