//===- Pipelines.cpp - the gantk pass pipelines ---------------------------===//

#include "gantk/Compiler/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace gantk {

void buildGantkPassPipeline(OpPassManager &pm,
                            const PipelineOptions &options) {
  pm.addPass(createFuseRecursionPass());
  pm.addPass(createAutodiffPass());
  LowerToLibraryPassOptions lowering;
  lowering.recomputeRows = options.recomputeRows;
  pm.addPass(createLowerToLibraryPass(lowering));
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createOutlineKernelsPass());
  pm.addPass(createPlanMemoryPass());
}

void buildKernelToLLVMPassPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createApproximateMathPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createEmitKernelABIPass());
}

void registerGantkPipelines() {
  PassPipelineRegistration<>(
      "gantk-pipeline", "fuse, differentiate, lower, outline and plan",
      [](OpPassManager &pm) { buildGantkPassPipeline(pm); });
  PassPipelineRegistration<>("gantk-kernels-to-llvm",
                             "lower outlined kernels to the LLVM dialect",
                             buildKernelToLLVMPassPipeline);
}

} // namespace gantk
