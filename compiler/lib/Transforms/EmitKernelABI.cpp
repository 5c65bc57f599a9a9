//===- EmitKernelABI.cpp - the runtime's uniform kernel entry -------------===//
//
// The runtime calls every kernel as fn(void **args, int64 begin, int64 end)
// without knowing its arity; this pass adds that entry point beside each
// kernel lowered with bare-pointer memrefs and keeps the kernel itself
// internal so that LLVM inlines it.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/Passes.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace gantk {
#define GEN_PASS_DEF_EMITKERNELABIPASS
#include "gantk/Compiler/Passes.h.inc"
} // namespace gantk

namespace {
struct EmitKernelABIPass
    : public gantk::impl::EmitKernelABIPassBase<EmitKernelABIPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    SmallVector<LLVM::LLVMFuncOp> kernels;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
      if (fn->hasAttr(gantk::kKernelAttrName))
        kernels.push_back(fn);
    for (LLVM::LLVMFuncOp kernel : kernels) {
      LLVM::LLVMFunctionType type = kernel.getFunctionType();
      unsigned numParams = type.getNumParams();
      if (numParams < 2 || type.getParamType(numParams - 2) != i64 ||
          type.getParamType(numParams - 1) != i64) {
        kernel.emitOpError("kernel must end with the (i64 begin, i64 end) "
                           "row range");
        return signalPassFailure();
      }
      unsigned numBuffers = numParams - 2;
      for (unsigned i = 0; i < numBuffers; ++i)
        if (!isa<LLVM::LLVMPointerType>(type.getParamType(i))) {
          kernel.emitOpError("kernel argument ")
              << i << " is not a bare pointer; lower memrefs with "
              << "use-bare-ptr-memref-call-conv";
          return signalPassFailure();
        }
      OpBuilder b(kernel);
      b.setInsertionPointAfter(kernel);
      Location loc = kernel.getLoc();
      auto entry = LLVM::LLVMFuncOp::create(
          b, loc, (kernel.getName() + "_entry").str(),
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                      {ptr, i64, i64}));
      Block *block = entry.addEntryBlock(b);
      b.setInsertionPointToStart(block);
      SmallVector<Value> args;
      for (unsigned i = 0; i < numBuffers; ++i) {
        Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, block->getArgument(0),
                                         ArrayRef<LLVM::GEPArg>{int32_t(i)});
        args.push_back(LLVM::LoadOp::create(b, loc, ptr, slot));
      }
      args.push_back(block->getArgument(1));
      args.push_back(block->getArgument(2));
      LLVM::CallOp::create(b, loc, kernel, args);
      LLVM::ReturnOp::create(b, loc, ValueRange{});
      kernel.setLinkage(LLVM::Linkage::Internal);
    }
  }
};
} // namespace
