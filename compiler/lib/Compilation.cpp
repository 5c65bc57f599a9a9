//===- Compilation.cpp - graph-level IR to an artifact, in one call -------===//

#include "gantk/Compiler/Compilation.h"
#include "gantk/Compiler/ArtifactWriter.h"
#include "gantk/Compiler/CPUCodeGen.h"
#include "gantk/Compiler/CUDACodeGen.h"
#include "gantk/Compiler/InitAll.h"
#include "gantk/Compiler/MemoryPlan.h"
#include "gantk/Compiler/Passes.h"
#include "gantk/Dialect/Gantk/GantkOps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>

namespace gantk {

//===----------------------------------------------------------------------===//
// CompilerContext
//===----------------------------------------------------------------------===//

CompilerContext::CompilerContext()
    : context(mlir::MLIRContext::Threading::DISABLED) {
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  // Errors name the spec's line and say what is wrong; an IR dump of the
  // op ("see current operation") is for gantk-opt, not for users.
  context.printOpOnDiagnostic(false);
  handler = std::make_unique<mlir::SourceMgrDiagnosticHandler>(
      sourceMgr, &context, llvm::errs());
}

CompilerContext::~CompilerContext() = default;

mlir::OwningOpRef<mlir::ModuleOp>
CompilerContext::parseFile(const std::string &path) {
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file = mlir::openInputFile(path, &error);
  if (!file) {
    llvm::errs() << "error: cannot open '" << path << "': " << error << "\n";
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr,
                                               mlir::ParserConfig(&context));
}

//===----------------------------------------------------------------------===//
// Plans under a memory budget
//===----------------------------------------------------------------------===//

namespace {

/// One way to run a step: the exp-action solver, whether the backward
/// recomputes its rows of G and dL/dK, and whether K is stored at all.
struct PlanChoice {
  Solver solver;
  bool recomputeRows;
  bool matrixFree;
  const char *name;
  /// Over ranks: each rank keeps its row tiles of K for the step.
  bool keepTiles = false;
  /// Over ranks: those tiles factored by ScaLAPACK (gantk-dense-over-ranks).
  bool denseOverRanks = false;
};

/// The plans a solver allows, fastest first: its solver (auto: Krylov from
/// kKrylovFromPoints on), Krylov keeping G before Krylov recomputing rows,
/// and matrix-free last (it recomputes K in every product).
std::vector<PlanChoice> candidatePlans(Solver solver, int64_t points,
                                       int64_t ranks) {
  const PlanChoice dense{Solver::Dense, false, false, "dense"};
  // Over ranks the plans split K by row tiles, as the matrix-free plan
  // makes it: kept and factored by ScaLAPACK for the dense solver; for
  // Krylov kept before remade in every product.
  if (ranks > 1 && solver == Solver::Dense)
    return {{Solver::Dense, true, true,
             "dense, ScaLAPACK on K's row tiles over the ranks", true, true}};
  if (ranks > 1)
    return {{Solver::Krylov, true, true, "krylov, K's row tiles kept per rank",
             true},
            {Solver::Krylov, true, true, "krylov, matrix-free per rank"}};
  const PlanChoice krylov{Solver::Krylov, false, false, "krylov, G kept"};
  const PlanChoice lean{Solver::Krylov, true, false, "krylov, rows recomputed"};
  const PlanChoice free{Solver::Krylov, true, true, "krylov, matrix-free"};
  switch (solver) {
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

int64_t arenaBytes(mlir::ModuleOp module) {
  return module->getAttrOfType<mlir::IntegerAttr>("gantk.arena_bytes").getInt();
}

/// A clone of the graph through the pass pipeline, with the solver of its
/// exponential actions set (when given); null after diagnostics.
mlir::OwningOpRef<mlir::ModuleOp> lower(mlir::ModuleOp graph,
                                        std::optional<Solver> solver,
                                        const PipelineOptions &options) {
  mlir::OwningOpRef<mlir::ModuleOp> module(graph.clone());
  if (solver)
    module->walk([&](ExpmActionOp op) { op.setSolver(*solver); });
  mlir::PassManager pm(graph.getContext());
  buildGantkPassPipeline(pm, options);
  if (failed(pm.run(*module)))
    return nullptr;
  return module;
}

/// The first candidate plan of the graph's solver that fits `budget` bytes
/// (any plan when budget <= 0), or a diagnostic naming the smallest budget
/// that works.
mlir::OwningOpRef<mlir::ModuleOp> planWithinBudget(mlir::ModuleOp graph,
                                                   double budget, int64_t ranks,
                                                   std::string &planName) {
  mlir::SmallVector<ExpmActionOp> actions;
  graph.walk([&](ExpmActionOp op) { actions.push_back(op); });
  // The kernel entry has no step to plan: its one plan is the only one.
  if (actions.empty()) {
    if (ranks > 1) {
      graph.emitError() << "only a step can be split over ranks; this module "
                           "computes kernels (no exponential action)";
      return nullptr;
    }
    return lower(graph, std::nullopt, {});
  }
  Solver solver = actions.front().getSolver();
  int64_t points = actions.front().getKernel().getType().getDimSize(0);
  int64_t smallest = -1;
  std::string smallestName;
  for (const PlanChoice &choice : candidatePlans(solver, points, ranks)) {
    PipelineOptions options;
    options.recomputeRows = choice.recomputeRows;
    options.matrixFree = choice.matrixFree;
    options.ranks = ranks;
    options.keepTiles = choice.keepTiles;
    options.denseOverRanks = choice.denseOverRanks;
    // The forms of this plan, in the order tried. Matrix-free: the largest
    // row tile that fits (bigger tiles make bigger, faster GEMMs), halving
    // down to single rows; over ranks, at most N / 4P rows, so that each
    // rank has about four tiles or more to even out the upper triangle's
    // shrinking tiles. A plan that stores K: first keeping what depends on
    // X alone across steps, then remaking it every step (up to two n × n
    // buffers fewer), before a slower plan is tried.
    int64_t largest = std::min(kMaxTileRows, points);
    if (ranks > 1)
      largest =
          std::min(largest, std::max<int64_t>(1, (points + 4 * ranks - 1) /
                                                     (4 * ranks)));
    options.tileRows = largest;
    std::vector<std::pair<PipelineOptions, std::string>> forms;
    if (choice.matrixFree) {
      for (int64_t tile = largest; tile >= 1; tile /= 2) {
        options.tileRows = tile;
        forms.push_back({options, std::string(choice.name) + ", tiles of " +
                                      std::to_string(tile) + " rows"});
      }
    } else {
      forms.push_back({options, choice.name});
      options.hoistInvariants = false;
      forms.push_back({options, std::string(choice.name) +
                                    ", invariants remade each step"});
    }
    for (const auto &[formOptions, name] : forms) {
      mlir::OwningOpRef<mlir::ModuleOp> module =
          lower(graph, choice.solver, formOptions);
      if (!module)
        return nullptr;
      int64_t bytes = arenaBytes(*module);
      if (budget <= 0 || bytes <= budget) {
        planName = name;
        return module;
      }
      if (smallest < 0 || bytes < smallest) {
        smallest = bytes;
        smallestName = name;
      }
    }
  }
  // The budget is the train block's (or the command line's).
  auto train = graph->getAttrOfType<TrainAttr>(GantkDialect::getTrainAttrName());
  mlir::Location at = train && train.getLoc() ? mlir::Location(train.getLoc())
                                              : graph.getLoc();
  mlir::emitError(at)
      << "memory_budget of " << int64_t(budget)
      << " bytes cannot hold one step of N = " << points
      << (ranks > 1 ? " on each of " + std::to_string(ranks) + " ranks"
                    : std::string())
      << "; the smallest plan (" << smallestName << ") needs " << smallest
      << " bytes, so that is the smallest budget that works"
      << (solver == Solver::Auto ? "" : " (or let `solver = auto` choose)");
  return nullptr;
}

} // namespace

std::string describeRanks(mlir::ModuleOp module) {
  auto ranks = module->getAttrOfType<mlir::IntegerAttr>(kRanksAttrName);
  if (!ranks)
    return "";
  std::string text;
  llvm::raw_string_ostream os(text);
  int64_t p = ranks.getInt();
  os << "per rank (" << p << " ranks, the same arena of " << arenaBytes(module)
     << " bytes each):\n";
  module.walk([&](KernelOperatorOp op) {
    int64_t n = op.getType().getSize(), tile = int64_t(op.getTileRows());
    int64_t bytes = op.getType().getElementType().getWidth() / 8;
    std::vector<int64_t> tiles(static_cast<size_t>(p), 0),
        rows(static_cast<size_t>(p), 0), work(static_cast<size_t>(p), 0);
    for (auto [t, r] : llvm::enumerate(*op.getTileRanks())) {
      int64_t r0 = int64_t(t) * tile, m = std::min(tile, n - r0);
      tiles[size_t(r)] += 1;
      rows[size_t(r)] += m;
      // The tile's part of K's upper triangle: sum of n - i over its rows.
      work[size_t(r)] += m * (n - r0) - m * (m - 1) / 2;
    }
    for (int64_t r = 0; r < p; ++r) {
      os << llvm::format(
          "  rank %lld: %lld row tiles of K (%lld rows, "
          "%.1f%% of the upper triangle)",
          (long long)r, (long long)tiles[size_t(r)], (long long)rows[size_t(r)],
          100.0 * double(work[size_t(r)]) / (double(n) * double(n + 1) / 2));
      if (op.getKeepTiles())
        os << llvm::format(", kept: %lld of the %lld bytes of K's buffer",
                           (long long)(rows[size_t(r)] * n * bytes),
                           (long long)(op.getTileElements() * bytes));
      os << "\n";
    }
  });
  module.walk([&](EighRanksOp eigh) {
    KernelOperatorOp op = eigh.getOperator();
    int64_t bytes = op.getType().getElementType().getWidth() / 8;
    int64_t n = op.getType().getSize();
    os << llvm::format(
        "  dense: K factored by ScaLAPACK p?syevd on a 1 x %lld grid of "
        "blocks of %lld rows (tile t on rank t mod %lld); Q^T kept the same "
        "way, and %lld bytes of workspace on each rank\n",
        (long long)p, (long long)op.getTileRows(), (long long)p,
        (long long)(denseRanksWorkElements(n, op.getTileRows(),
                                           op.getKeptTiles()) *
                        bytes +
                    denseRanksIWorkElements(n, p) * 4));
  });
  return text;
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
      note = op.getKeepTiles() ? " (the row tiles of K a rank keeps)"
                               : " (one row tile of K)";
    } else if (auto eigh = v.getDefiningOp<EighRanksOp>();
               eigh && v == eigh.getVectors()) {
      elements = eigh.getVectorsElements();
      elementBits = eigh.getVectors().getType().getElementTypeBitWidth();
      note = " (the row tiles of Q^T a rank keeps)";
    } else if (auto rows = v.getDefiningOp<ExpmGradRowsRanksOp>()) {
      elements = rows.getLocalElements();
      elementBits = rows.getType().getElementTypeBitWidth();
      note = " (the row tiles of these rows of dL/dK a rank keeps)";
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
  // What depends on X only is computed once and kept for the whole run
  // (gantk-hoist-invariants).
  auto name = [](mlir::Operation &op) {
    std::string text = op.hasAttr(kInvariantAttrName) ? "hoisted " : "";
    if (auto d = mlir::dyn_cast<DispatchOp>(op))
      return text + "@" + d.getKernel().str();
    return text + op.getName().getStringRef().str();
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

std::string describeRecursion(mlir::ModuleOp graph) {
  // Layers in a repeat count once per iteration; the repeat's own cost and
  // scratch already cover its body.
  std::function<int64_t(LayerOpInterface)> layersIn =
      [&](LayerOpInterface layer) -> int64_t {
    auto repeat = mlir::dyn_cast<RepeatOp>(layer.getOperation());
    if (!repeat)
      return 1;
    int64_t body = 0;
    for (LayerOpInterface inner : repeat.getLayers())
      body += layersIn(inner);
    return int64_t(repeat.getCount()) * body;
  };
  int64_t layers = 0, flops = 0, scratch = 0, chain = 0;
  graph.walk([&](LayerOpInterface layer) {
    if (mlir::isa<RepeatOp>(layer->getParentOp()))
      return;
    ++chain;
    layers += layersIn(layer);
    flops += layer.getPairFlops();
    scratch = std::max(scratch, layer.getPairScratch());
  });
  // A long chain runs as a loop over its layers, whose backward keeps a
  // tape of the four state values per layer.
  if (chain > kLoopOverLayersFrom)
    scratch += 4 * chain;
  if (!layers)
    return "";
  return std::to_string(layers) + " layers, " + std::to_string(flops) +
         " flops and " + std::to_string(scratch) +
         " values of scratch per pair";
}

std::optional<std::vector<uint8_t>>
compileModule(mlir::ModuleOp graph, const CompileOptions &options,
              PlanSummary *summary) {
  if (failed(mlir::verify(graph)))
    return std::nullopt;
  // Rolled once here (the pipeline rolls again, finding nothing), so that
  // the summary describes the recursion that is compiled.
  mlir::OwningOpRef<mlir::ModuleOp> rolled(graph.clone());
  mlir::PassManager roll(graph.getContext());
  roll.addPass(createRollLayersPass());
  if (failed(roll.run(*rolled)))
    return std::nullopt;
  graph = *rolled;
  auto train = graph->getAttrOfType<TrainAttr>(GantkDialect::getTrainAttrName());
  double budget = options.memoryBudget > 0 ? options.memoryBudget
                  : train ? train.getMemoryBudget().convertToDouble()
                          : 0;
  std::string planName;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      planWithinBudget(graph, budget, options.ranks, planName);
  if (!module)
    return std::nullopt;
  if (options.emit == Emit::Lowered) {
    module->print(llvm::outs());
    return std::vector<uint8_t>();
  }
  if (options.emit == Emit::Llvm) {
    if (failed(translateKernelsToLLVMIR(*module, &llvm::outs(), nullptr,
                                        options.targetCpu)))
      return std::nullopt;
    return std::vector<uint8_t>();
  }
  if (options.emit == Emit::Ptx) {
    auto ptx = compileKernelsForCUDA(*module, "sm_90");
    if (failed(ptx))
      return std::nullopt;
    llvm::outs() << *ptx;
    return std::vector<uint8_t>();
  }
  CPUCodeInfo info;
  auto cpu = compileKernelsForCPU(*module, options.targetCpu, info);
  if (failed(cpu))
    return std::nullopt;
  int64_t threadScratch = info.stackBytes;
  std::vector<CodeObject> code{
      {kCPUTarget, std::move(*cpu), info.cpu, info.features}};
  if (llvm::is_contained(options.targets, Target::CUDA))
    for (const CUDATarget &target : kCUDATargets) {
      auto ptx = compileKernelsForCUDA(*module, target.chip);
      if (failed(ptx))
        return std::nullopt;
      code.push_back({target.codeObject,
                      std::vector<uint8_t>(ptx->begin(), ptx->end())});
    }
  if (summary) {
    summary->name = planName;
    summary->peakBytes = arenaBytes(*module);
    summary->peakOp =
        (*module)->getAttrOfType<mlir::StringAttr>("gantk.peak_op").str();
    summary->layout = describeLayout(*module);
    summary->recursion = describeRecursion(graph);
    summary->threadScratchBytes = threadScratch;
    summary->ranks = describeRanks(*module);
  }
  auto bytes = writeArtifact(*module, code);
  if (failed(bytes))
    return std::nullopt;
  return std::move(*bytes);
}

} // namespace gantk
