//===- Graph.h - A graph-level module with its context ----------*- C++ -*-===//
//
// The graph-level module of a spec (or of a `.mlir` file) together with the
// MLIR context that owns it. MLIR's errors while the graph is parsed, built
// or compiled become the message of the call's error, printed exactly as
// the context's stderr handler prints them (CompilerContext); its warnings
// and remarks still go to stderr.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_DRIVER_GRAPH_H
#define GANTK_DRIVER_GRAPH_H

#include "gantk/Compiler/Compilation.h"
#include "gantk/Driver/Driver.h"
#include "gantk/Driver/Spec.h"
#include "gantk/Frontend/MLIRGen.h"
#include "gantk/runtime/Result.h"

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace gantk::driver {

/// A graph-level module and the context it lives in.
class Graph {
public:
  /// Parses a `.mlir` module.
  static Result<Graph> parseFile(const std::string &path);
  /// Builds the graph of a checked spec at `shape` (MLIRGen).
  static Result<Graph> build(const LoadedSpec &loaded, const GraphShape &shape,
                             EntryKind entry);

  Graph(Graph &&);
  Graph &operator=(Graph &&);
  ~Graph();

  mlir::ModuleOp module() const;
  /// N and d of the entry function: the rows of X and Z together (of S
  /// for a kernel entry) and the columns.
  std::pair<int64_t, int64_t> size() const;

  /// Compiles the graph (compileModule). With an intermediate `emit` the
  /// form is printed to stdout and the buffer is empty.
  Result<Compiled> compile(const CompileOptions &options);

private:
  struct Impl;
  explicit Graph(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

/// The step graph of a spec (the prelude of compile and run): the step's
/// shape with `n` rows (the spec's otherwise), the plot check, the lambda
/// search when the spec asks for one (run with `search`, its trace to
/// `searchLog`), then the graph.
Result<Graph> specStepGraph(LoadedSpec &loaded, std::optional<int64_t> n,
                            const RunOptions &search, std::ostream &searchLog);

/// Whether MLIR's errors are kept with colours (escape sequences), as a
/// terminal shows them; off unless the tool's stderr is a terminal.
void colorDiagnostics(bool enable);

} // namespace gantk::driver

#endif // GANTK_DRIVER_GRAPH_H
