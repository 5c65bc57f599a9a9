//===- Compilation.h - a spec to an artifact, in one call -------*- C++ -*-===//

#ifndef GANTK_COMPILER_COMPILATION_H
#define GANTK_COMPILER_COMPILATION_H

#include "gantk/Compiler/ArtifactWriter.h"
#include "gantk/Compiler/MLIRGen.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <optional>
#include <vector>

namespace mlir {
class SourceMgrDiagnosticHandler;
} // namespace mlir

namespace gantk {

/// How far to compile: an intermediate form printed to stdout, or the
/// artifact bytes.
enum class Emit { Ast, Mlir, Lowered, Llvm, Artifact };

/// One compilation context: the spec's AST through the dialect, the pass
/// pipeline and code generation to artifact bytes. Diagnostics go to stderr
/// with the spec's file:line:col.
class Compilation {
public:
  Compilation();
  ~Compilation();

  /// Returns the artifact bytes (empty when `emit` printed a form instead),
  /// or std::nullopt after printing diagnostics.
  std::optional<std::vector<uint8_t>> compile(const ast::Module &spec,
                                              const GraphShape &shape,
                                              EntryKind entry,
                                              const DataShape &data,
                                              Emit emit = Emit::Artifact);

  /// The memory plan of the last artifact: arena bytes and the op at the peak.
  int64_t peakBytes = 0;
  std::string peakOp;

private:
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> handler;
};

} // namespace gantk

#endif // GANTK_COMPILER_COMPILATION_H
