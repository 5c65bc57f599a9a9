//===- Graph.cpp - A graph-level module with its context ------------------===//

#include "gantk/Driver/Graph.h"
#include "gantk/Driver/Errors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <tuple>

namespace gantk::driver {

namespace {

std::atomic<bool> colors{false};

/// Prints errors (with their notes) to `os` as CompilerContext's handler
/// prints them to stderr, and leaves warnings and remarks to that handler.
/// Registered after it, so asked first.
class ErrorCapture : public mlir::SourceMgrDiagnosticHandler {
public:
  ErrorCapture(llvm::SourceMgr &mgr, mlir::MLIRContext *context,
               llvm::raw_ostream &os)
      : SourceMgrDiagnosticHandler(mgr, context, os) {
    setHandler([this](mlir::Diagnostic &diag) -> llvm::LogicalResult {
      if (diag.getSeverity() != mlir::DiagnosticSeverity::Error)
        return mlir::failure();
      emitDiagnostic(diag);
      return mlir::success();
    });
  }
};

} // namespace

void colorDiagnostics(bool enable) { colors = enable; }

struct Graph::Impl {
  Impl() { os.enable_colors(colors); }

  /// The errors reported since the last call, as the call's error.
  Error errors(const std::string &what) {
    std::string reported = std::move(text);
    text.clear();
    if (reported.empty())
      reported = what + ": error: failed without a diagnostic\n";
    return diagnosticError(std::move(reported));
  }

  // Destroyed in the reverse order: the module before the handler, the
  // handler before the context it is registered with.
  CompilerContext context;
  llvm::SourceMgr sourceMgr;
  std::string text;
  llvm::raw_string_ostream os{text};
  ErrorCapture capture{sourceMgr, &context.get(), os};
  mlir::OwningOpRef<mlir::ModuleOp> graph;
};

Graph::Graph(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
Graph::Graph(Graph &&) = default;
Graph &Graph::operator=(Graph &&) = default;
Graph::~Graph() = default;

Result<Graph> Graph::parseFile(const std::string &path) {
  auto impl = std::make_unique<Impl>();
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> file = mlir::openInputFile(path, &error);
  if (!file)
    return diagnosticError("error: cannot open '" + path + "': " + error +
                           "\n");
  impl->sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  impl->graph = mlir::parseSourceFile<mlir::ModuleOp>(
      impl->sourceMgr, mlir::ParserConfig(&impl->context.get()));
  if (!impl->graph)
    return impl->errors(path);
  return Graph(std::move(impl));
}

Result<Graph> Graph::build(const LoadedSpec &loaded, const GraphShape &shape,
                           EntryKind entry) {
  auto impl = std::make_unique<Impl>();
  impl->graph = buildModule(impl->context.get(), loaded.spec, shape, entry);
  if (!impl->graph)
    return impl->errors(loaded.spec.file);
  return Graph(std::move(impl));
}

mlir::ModuleOp Graph::module() const { return *impl->graph; }

std::pair<int64_t, int64_t> Graph::size() const {
  // N and d: a step's stack of X and Z, or a kernel entry's one argument S.
  int64_t points = 0, dim = 0;
  module().walk([&](mlir::func::FuncOp fn) {
    auto shaped = mlir::cast<mlir::RankedTensorType>(fn.getArgumentTypes()[0]);
    points = shaped.getDimSize(0);
    dim = shaped.getDimSize(1);
  });
  module().walk([&](mlir::Operation *op) {
    if (op->getName().getStringRef() == "gantk.stack")
      points = mlir::cast<mlir::RankedTensorType>(op->getResult(0).getType())
                   .getDimSize(0);
  });
  return {points, dim};
}

Result<Compiled> Graph::compile(const CompileOptions &options) {
  Compiled compiled;
  std::optional<std::vector<uint8_t>> bytes =
      compileModule(module(), options, &compiled.plan);
  if (!bytes)
    return impl->errors("compile");
  compiled.buffer = std::move(*bytes);
  std::tie(compiled.points, compiled.dim) = size();
  return compiled;
}

Result<Graph> specStepGraph(LoadedSpec &loaded, std::optional<int64_t> n,
                            const RunOptions &search, std::ostream &searchLog) {
  Result<GraphShape> shape = stepShape(loaded, n);
  if (!shape.ok())
    return shape.error();
  if (Status s = checkPlot(loaded); !s.ok())
    return s.error();
  if (loaded.spec.objective.lambdaSearch)
    if (Status s = resolveLambda(loaded, *shape, search, searchLog); !s.ok())
      return s.error();
  return Graph::build(loaded, *shape, EntryKind::Step);
}

} // namespace gantk::driver
