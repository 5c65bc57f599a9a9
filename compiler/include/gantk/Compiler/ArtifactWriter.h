//===- ArtifactWriter.h - planned module to a FlatBuffers artifact -*- C++ -*-===//

#ifndef GANTK_COMPILER_ARTIFACTWRITER_H
#define GANTK_COMPILER_ARTIFACTWRITER_H

#include "gantk/Compiler/MLIRGen.h"
#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <vector>

namespace gantk {

/// What the artifact records about the data besides the spec.
struct DataShape {
  int64_t imageH = 0, imageW = 0, imageC = 0; ///< 0: not images
};

/// Serialises a module that went through the gantk pipeline and the memory
/// plan, with the CPU code object, into the runtime's artifact format.
mlir::FailureOr<std::vector<uint8_t>>
writeArtifact(mlir::ModuleOp planned, const ast::Module &spec,
              const GraphShape &shape, EntryKind entry,
              const DataShape &data, const std::vector<uint8_t> &cpuCode);

} // namespace gantk

#endif // GANTK_COMPILER_ARTIFACTWRITER_H
