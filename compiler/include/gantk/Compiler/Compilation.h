//===- Compilation.h - graph-level IR to an artifact, in one call -*- C++ -*-===//
//
// The compiler starts from a graph-level gantk module — as the front end
// builds it from a spec, or as parsed from a `.mlir` file — and never sees
// the spec itself: shapes, precision and the run configuration are in the
// IR (see docs/dialect.md, "The module").
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_COMPILER_COMPILATION_H
#define GANTK_COMPILER_COMPILATION_H

#include "gantk/Compiler/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class SourceMgrDiagnosticHandler;
} // namespace mlir

namespace gantk {

/// How far to compile: an intermediate form printed to stdout, or the
/// artifact bytes. Ptx prints the kernels' PTX for sm_90.
enum class Emit { Lowered, Llvm, Ptx, Artifact };

/// What the artifact carries code for. CPU code is always included (the
/// runtime's reference, and what runs where there is no GPU); CUDA adds PTX
/// for every chip of kCUDATargets.
enum class Target { CPU, CUDA };

struct CompileOptions {
  Emit emit = Emit::Artifact;
  /// Bytes one step may use; > 0 overrides the module's gantk.train budget.
  double memoryBudget = 0;
  std::vector<Target> targets = {Target::CPU};
  /// The CPU the kernels are compiled for: "native" (this machine) or an
  /// LLVM CPU name (`gantk compile --target-cpu`).
  std::string targetCpu = "native";
  /// MPI ranks one step is split over (`--ranks P`, docs/distributed.md):
  /// K's row tiles are assigned to ranks and each rank keeps its own; the
  /// memory plan is then per rank. 1: one process.
  int ranks = 1;
};

/// The memory plan of a compiled step, for reports.
struct PlanSummary {
  /// Which plan the compiler chose (solver and storage).
  std::string name;
  /// Arena bytes and the op at the peak.
  int64_t peakBytes = 0;
  std::string peakOp;
  /// One line per buffer (describeLayout).
  std::string layout;
  /// The per-pair recursion as compiled (describeRecursion).
  std::string recursion;
  /// Stack one CPU kernel call needs: for maps over positions, the per-pair
  /// scratch of one vector of pairs (each thread has its own).
  int64_t threadScratchBytes = 0;
  /// Over MPI ranks (CompileOptions::ranks > 1): what each rank makes and
  /// keeps (describeRanks); empty for one process.
  std::string ranks;
};

/// An MLIR context with every dialect gantk reads or produces, whose
/// diagnostics go to stderr as file:line:col with the source line.
class CompilerContext {
public:
  CompilerContext();
  ~CompilerContext();
  mlir::MLIRContext &get() { return context; }

  /// Parses a `.mlir` module (diagnostics as above); null after errors.
  mlir::OwningOpRef<mlir::ModuleOp> parseFile(const std::string &path);

private:
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> handler;
};

/// Compiles a graph-level module: picks the fastest plan of a step that
/// fits the memory budget (each candidate is a clone of the graph through
/// the pass pipeline), generates the kernels' code and writes the artifact.
/// Returns the artifact bytes (empty when `emit` printed a form instead),
/// or std::nullopt after reporting diagnostics.
std::optional<std::vector<uint8_t>> compileModule(mlir::ModuleOp graph,
                                                  const CompileOptions &options,
                                                  PlanSummary *summary = nullptr);

/// Over ranks (a planned module with `gantk.ranks`): one line per rank with
/// the row tiles of K it makes, its share of K's upper triangle and, with
/// kept tiles, the bytes of K it holds; empty otherwise.
std::string describeRanks(mlir::ModuleOp module);

/// One line per buffer of a planned module's entry function.
std::string describeLayout(mlir::ModuleOp module);

/// The per-pair recursion of a graph-level module, from its layers' cost
/// model: "L layers, F flops and S values of scratch per pair" (empty when
/// it has no layers). Scratch is the per-pair tape of repeated blocks.
std::string describeRecursion(mlir::ModuleOp graph);

} // namespace gantk

#endif // GANTK_COMPILER_COMPILATION_H
