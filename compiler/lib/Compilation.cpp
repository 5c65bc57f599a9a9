//===- Compilation.cpp - a spec to an artifact, in one call ---------------===//

#include "gantk/Compiler/Compilation.h"
#include "gantk/Compiler/CPUCodeGen.h"
#include "gantk/Compiler/CUDACodeGen.h"
#include "gantk/Compiler/InitAll.h"
#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "llvm/Support/Format.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

namespace gantk {

Compilation::Compilation()
    : context(mlir::MLIRContext::Threading::DISABLED) {
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  handler = std::make_unique<mlir::SourceMgrDiagnosticHandler>(
      sourceMgr, &context, llvm::errs());
}

Compilation::~Compilation() = default;

mlir::OwningOpRef<mlir::ModuleOp>
Compilation::plan(const ast::Module &spec, const GraphShape &shape,
                  EntryKind entry, Emit emit, const PipelineOptions &options) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      buildModule(context, spec, shape, entry);
  if (failed(mlir::verify(*module)))
    return nullptr;
  if (emit == Emit::Mlir)
    return module;
  mlir::PassManager pm(&context);
  buildGantkPassPipeline(pm, options);
  if (failed(pm.run(*module)))
    return nullptr;
  return module;
}

static int64_t arenaBytes(mlir::ModuleOp module) {
  return module->getAttrOfType<mlir::IntegerAttr>("gantk.arena_bytes").getInt();
}

namespace {
/// One way to run a step: the exp-action solver, whether the backward
/// recomputes its rows of G and dL/dK, and whether K is stored at all.
struct PlanChoice {
  ast::Objective::Solver solver;
  bool recomputeRows;
  bool matrixFree;
  const char *name;
};
} // namespace

/// The plans a spec allows, fastest first: its solver (auto: Krylov from
/// kKrylovFromPoints on), Krylov keeping G before Krylov recomputing rows,
/// and matrix-free last (it recomputes K in every product).
static std::vector<PlanChoice> candidatePlans(const ast::Module &spec,
                                              int64_t points) {
  using Solver = ast::Objective::Solver;
  const PlanChoice dense{Solver::Dense, false, false, "dense"};
  const PlanChoice krylov{Solver::Krylov, false, false, "krylov, G kept"};
  const PlanChoice lean{Solver::Krylov, true, false,
                        "krylov, rows recomputed"};
  const PlanChoice free{Solver::Krylov, true, true, "krylov, matrix-free"};
  switch (spec.objective.solver) {
  case Solver::Dense:
    return {dense};
  case Solver::Krylov:
    return {krylov, lean, free};
  case Solver::Auto:
    break;
  }
  if (points >= kKrylovFromPoints)
    return {krylov, lean, dense, free};
  return {dense, krylov, lean, free};
}

mlir::OwningOpRef<mlir::ModuleOp>
Compilation::planWithinBudget(const ast::Module &spec, const GraphShape &shape,
                              EntryKind entry, double budget) {
  int64_t points = shape.numReal + shape.numFake;
  if (entry != EntryKind::Step)
    return plan(spec, shape, entry, Emit::Lowered);
  std::vector<PlanChoice> candidates = candidatePlans(spec, points);
  int64_t smallest = -1;
  std::string smallestName;
  for (const PlanChoice &choice : candidates) {
    ast::Module variant = spec;
    variant.objective.solver = choice.solver;
    PipelineOptions options;
    options.recomputeRows = choice.recomputeRows;
    options.matrixFree = choice.matrixFree;
    // Matrix-free: the largest row tile that fits (bigger tiles make
    // bigger, faster GEMMs), halving down to single rows.
    for (int64_t tile = std::min(kMaxTileRows, points); tile >= 1;
         tile /= 2) {
      options.tileRows = tile;
      mlir::OwningOpRef<mlir::ModuleOp> module =
          plan(variant, shape, entry, Emit::Lowered, options);
      if (!module)
        return nullptr;
      int64_t bytes = arenaBytes(*module);
      std::string name = choice.name;
      if (choice.matrixFree)
        name += ", tiles of " + std::to_string(tile) + " rows";
      if (budget <= 0 || bytes <= budget) {
        planName = name;
        return module;
      }
      if (smallest < 0 || bytes < smallest) {
        smallest = bytes;
        smallestName = name;
      }
      if (!choice.matrixFree)
        break;
    }
  }
  const ast::Location &at = spec.train.loc;
  mlir::emitError(mlir::FileLineColLoc::get(&context, at.file, at.line, at.col))
      << "memory_budget of " << int64_t(budget)
      << " bytes cannot hold one step of N = " << points
      << "; the smallest plan (" << smallestName << ") needs " << smallest
      << " bytes, so that is the smallest budget that works"
      << (spec.objective.solver == ast::Objective::Solver::Auto
              ? ""
              : " (or let `solver = auto` choose)");
  return nullptr;
}

std::string describeLayout(mlir::ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  auto entry = module->getAttrOfType<mlir::StringAttr>("gantk.entry");
  auto fn = module.lookupSymbol<mlir::func::FuncOp>(entry);
  os << "arena layout (offset, bytes, value):\n";
  // A matrix-free operator's buffer is one row tile of K, and a tiled value
  // of a row_tiles body one row tile of itself.
  auto line = [&](int64_t offset, mlir::Value v, llvm::StringRef what) {
    int64_t elements, elementBits;
    llvm::StringRef note;
    if (auto op = v.getDefiningOp<KernelOperatorOp>()) {
      elements = op.getTileElements();
      elementBits = op.getType().getElementType().getWidth();
      note = " (one row tile of K)";
    } else {
      auto shaped = mlir::cast<mlir::ShapedType>(v.getType());
      elements = shaped.getNumElements();
      elementBits = shaped.getElementTypeBitWidth();
      auto tiles = mlir::dyn_cast<RowTilesOp>(v.getParentBlock()->getParentOp());
      if (tiles && tiles.isTiled(v)) {
        elements = tiles.bufferElements(v);
        note = " (one row tile)";
      }
    }
    os << llvm::format("  %12lld %12lld  ", (long long)offset,
                       (long long)(elements * elementBits / 8))
       << what << " " << v.getType() << note << "\n";
  };
  auto args = fn->getAttrOfType<mlir::DenseI64ArrayAttr>("gantk.arg_offsets");
  for (auto [i, arg] : llvm::enumerate(fn.getArguments()))
    line(args[i], arg, i == 0 ? "argument X" : "argument Z");
  auto name = [](mlir::Operation &op) {
    if (auto d = mlir::dyn_cast<DispatchOp>(op))
      return "@" + d.getKernel().str();
    return op.getName().getStringRef().str();
  };
  for (mlir::Operation &op : fn.getBody().front()) {
    auto offsets = op.getAttrOfType<mlir::DenseI64ArrayAttr>("gantk.offsets");
    if (!offsets || mlir::isa<StackOp, mlir::tensor::ExtractSliceOp>(op))
      continue;
    for (auto [r, result] : llvm::enumerate(op.getResults()))
      line(offsets[r], result, name(op));
    auto tiles = mlir::dyn_cast<RowTilesOp>(op);
    if (!tiles)
      continue;
    // The yielded value is the row_tiles result, listed above.
    auto yielded = tiles.getBody().front().getTerminator()->getOperands();
    for (mlir::Operation &inner : tiles.getBody().front().without_terminator())
      for (auto [r, result] : llvm::enumerate(inner.getResults()))
        if (!llvm::is_contained(yielded, result))
          line(inner.getAttrOfType<mlir::DenseI64ArrayAttr>("gantk.offsets")[r],
               result, "  " + name(inner));
  }
  return text;
}

std::optional<std::vector<uint8_t>>
Compilation::compile(const ast::Module &spec, const GraphShape &shape,
                     EntryKind entry, const DataShape &data, Emit emit,
                     double budgetOverride,
                     const std::vector<Target> &targets) {
  double budget = budgetOverride > 0 ? budgetOverride : spec.train.memoryBudget;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      emit == Emit::Mlir ? plan(spec, shape, entry, emit)
                         : planWithinBudget(spec, shape, entry, budget);
  if (!module)
    return std::nullopt;
  if (emit == Emit::Mlir || emit == Emit::Lowered) {
    module->print(llvm::outs());
    return std::vector<uint8_t>();
  }
  if (emit == Emit::Llvm) {
    if (failed(translateKernelsToLLVMIR(*module, &llvm::outs(), nullptr)))
      return std::nullopt;
    return std::vector<uint8_t>();
  }
  if (emit == Emit::Ptx) {
    auto ptx = compileKernelsForCUDA(*module, "sm_90");
    if (failed(ptx))
      return std::nullopt;
    llvm::outs() << *ptx;
    return std::vector<uint8_t>();
  }
  auto cpu = compileKernelsForCPU(*module);
  if (failed(cpu))
    return std::nullopt;
  std::vector<CodeObject> code{{kCPUTarget, std::move(*cpu)}};
  if (llvm::is_contained(targets, Target::CUDA))
    for (const CUDATarget &target : kCUDATargets) {
      auto ptx = compileKernelsForCUDA(*module, target.chip);
      if (failed(ptx))
        return std::nullopt;
      code.push_back({target.codeObject,
                      std::vector<uint8_t>(ptx->begin(), ptx->end())});
    }
  peakBytes = arenaBytes(*module);
  peakOp = (*module)->getAttrOfType<mlir::StringAttr>("gantk.peak_op").str();
  layout = describeLayout(*module);
  auto bytes = writeArtifact(*module, spec, shape, entry, data, code);
  if (failed(bytes))
    return std::nullopt;
  return std::move(*bytes);
}

} // namespace gantk
