//===- LoopAnnotations.cpp - scf.for loop hints onto LLVM metadata --------===//

#include "gantk/Compiler/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_LOOPANNOTATIONSPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

namespace {
struct LoopAnnotationsPass
    : public gantk::impl::LoopAnnotationsPassBase<LoopAnnotationsPass> {
  void runOnOperation() override {
    constexpr StringLiteral kName = "llvm.loop_annotation";
    getOperation().walk([&](LLVM::BrOp br) {
      auto hint = dyn_cast_or_null<LLVM::LoopAnnotationAttr>(
          br->getDiscardableAttr(kName));
      if (!hint)
        return;
      br.setLoopAnnotationAttr(hint);
      br->removeDiscardableAttr(kName);
    });
  }
};
} // namespace
