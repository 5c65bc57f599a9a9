//===- Compilation.cpp - a spec to an artifact, in one call ---------------===//

#include "gantk/Compiler/Compilation.h"
#include "gantk/Compiler/CPUCodeGen.h"
#include "gantk/Compiler/InitAll.h"
#include "gantk/Compiler/Passes.h"

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

std::optional<std::vector<uint8_t>>
Compilation::compile(const ast::Module &spec, const GraphShape &shape,
                     EntryKind entry, const DataShape &data, Emit emit) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      buildModule(context, spec, shape, entry);
  if (failed(mlir::verify(*module)))
    return std::nullopt;
  if (emit == Emit::Mlir) {
    module->print(llvm::outs());
    return std::vector<uint8_t>();
  }
  mlir::PassManager pm(&context);
  buildGantkPassPipeline(pm);
  if (failed(pm.run(*module)))
    return std::nullopt;
  if (emit == Emit::Lowered) {
    module->print(llvm::outs());
    return std::vector<uint8_t>();
  }
  if (emit == Emit::Llvm) {
    if (failed(translateKernelsToLLVMIR(*module, &llvm::outs(), nullptr)))
      return std::nullopt;
    return std::vector<uint8_t>();
  }
  auto code = compileKernelsForCPU(*module);
  if (failed(code))
    return std::nullopt;
  peakBytes = (*module)->getAttrOfType<mlir::IntegerAttr>("gantk.arena_bytes")
                  .getInt();
  peakOp = (*module)->getAttrOfType<mlir::StringAttr>("gantk.peak_op").str();
  auto bytes = writeArtifact(*module, spec, shape, entry, data, *code);
  if (failed(bytes))
    return std::nullopt;
  return std::move(*bytes);
}

} // namespace gantk
