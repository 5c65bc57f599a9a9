//===- Compilation.h - a spec to an artifact, in one call -------*- C++ -*-===//

#ifndef GANTK_COMPILER_COMPILATION_H
#define GANTK_COMPILER_COMPILATION_H

#include "gantk/Compiler/ArtifactWriter.h"
#include "gantk/Compiler/MLIRGen.h"
#include "gantk/Compiler/Passes.h"

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
/// artifact bytes. Ptx prints the kernels' PTX for sm_90.
enum class Emit { Ast, Mlir, Lowered, Llvm, Ptx, Artifact };

/// What the artifact carries code for. CPU code is always included (the
/// runtime's reference, and what runs where there is no GPU); CUDA adds PTX
/// for every chip of kCUDATargets.
enum class Target { CPU, CUDA };

/// One compilation context: the spec's AST through the dialect, the pass
/// pipeline and code generation to artifact bytes. Diagnostics go to stderr
/// with the spec's file:line:col.
class Compilation {
public:
  Compilation();
  ~Compilation();

  /// Returns the artifact bytes (empty when `emit` printed a form instead),
  /// or std::nullopt after printing diagnostics.
  /// `memoryBudget` (bytes, > 0) overrides the spec's train.memory_budget.
  std::optional<std::vector<uint8_t>>
  compile(const ast::Module &spec, const GraphShape &shape, EntryKind entry,
          const DataShape &data, Emit emit = Emit::Artifact,
          double memoryBudget = 0,
          const std::vector<Target> &targets = {Target::CPU});

  /// The memory plan of the last artifact: arena bytes, the op at the peak
  /// and a listing of every buffer.
  int64_t peakBytes = 0;
  std::string peakOp;
  std::string layout;
  /// Which plan the compiler chose (solver and storage).
  std::string planName;

private:
  /// The spec through the pass pipeline and the memory plan (stops after
  /// building the dialect for Emit::Mlir); null after diagnostics.
  mlir::OwningOpRef<mlir::ModuleOp> plan(const ast::Module &spec,
                                         const GraphShape &shape,
                                         EntryKind entry, Emit emit,
                                         const PipelineOptions &options = {});
  /// The first plan of the candidate solvers that fits `budget` bytes (any
  /// plan when budget <= 0), or a diagnostic naming the smallest budget that
  /// works.
  mlir::OwningOpRef<mlir::ModuleOp> planWithinBudget(const ast::Module &spec,
                                                     const GraphShape &shape,
                                                     EntryKind entry,
                                                     double budget);

  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> handler;
};

/// One line per buffer of a planned module's entry function.
std::string describeLayout(mlir::ModuleOp module);

} // namespace gantk

#endif // GANTK_COMPILER_COMPILATION_H
