//===- Pipelines.cpp - the gantk pass pipelines ---------------------------===//

#include "gantk/Compiler/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace gantk {

void buildGantkPassPipeline(OpPassManager &pm,
                            const PipelineOptions &options) {
  pm.addPass(createRollLayersPass());
  pm.addPass(createFuseRecursionPass());
  pm.addPass(createAutodiffPass());
  LowerToLibraryPassOptions lowering;
  lowering.recomputeRows = options.recomputeRows || options.matrixFree;
  lowering.krylovForm = options.denseOverRanks;
  pm.addPass(createLowerToLibraryPass(lowering));
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  if (options.matrixFree) {
    MatrixFreePassOptions matrixFree;
    matrixFree.tileRows = options.tileRows;
    pm.addPass(createMatrixFreePass(matrixFree));
  }
  if (options.ranks > 1) {
    DistributeRowsPassOptions distribute;
    distribute.ranks = options.ranks;
    distribute.keepTiles = options.keepTiles || options.denseOverRanks;
    distribute.cyclic = options.denseOverRanks;
    pm.addPass(createDistributeRowsPass(distribute));
    if (options.denseOverRanks)
      pm.addPass(createDenseOverRanksPass());
  }
  pm.addPass(createShareKrylovPass());
  if (options.hoistInvariants) {
    pm.addPass(createSplitGramPass());
    pm.addPass(createSplitPairsPass());
  }
  pm.addPass(createOutlineKernelsPass());
  if (options.hoistInvariants)
    pm.addPass(createHoistInvariantsPass());
  pm.addPass(createPlanMemoryPass());
}

void buildKernelToLLVMPassPipeline(OpPassManager &pm, int64_t vectorBits) {
  // First: canonicalisation may rebuild the loops and drop their marks.
  VectorizePairsPassOptions pairs;
  pairs.vectorBits = vectorBits;
  pm.addPass(createVectorizePairsPass(pairs));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createApproximateMathPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createLoopAnnotationsPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createEmitKernelABIPass());
}

void buildKernelToNVVMPassPipeline(OpPassManager &pm,
                                   const KernelToNVVMOptions &options) {
  pm.addPass(createCanonicalizerPass());
  ApproximateMathPassOptions math;
  math.cpu = false;
  pm.addPass(createApproximateMathPass(math));
  pm.addPass(createMapKernelsToGPUPass());
  pm.addPass(createSCFToControlFlowPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = 3;
  if (!options.libdevice.empty())
    target.linkLibs.push_back(options.libdevice);
  pm.addPass(createGpuNVVMAttachTarget(target));
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  nvvm.useBarePtrCallConv = true;
  OpPassManager &gpuModule = pm.nest<gpu::GPUModuleOp>();
  gpuModule.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  gpuModule.addPass(createCanonicalizerPass());
  gpuModule.addPass(createCSEPass());
  gpuModule.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void registerGantkPipelines() {
  PassPipelineRegistration<>(
      "gantk-pipeline", "fuse, differentiate, lower, outline and plan",
      [](OpPassManager &pm) { buildGantkPassPipeline(pm); });
  PassPipelineRegistration<KernelToLLVMOptions>(
      "gantk-kernels-to-llvm", "lower outlined kernels to the LLVM dialect",
      [](OpPassManager &pm, const KernelToLLVMOptions &options) {
        buildKernelToLLVMPassPipeline(pm, options.vectorBits);
      });
  PassPipelineRegistration<KernelToNVVMOptions>(
      "gantk-kernels-to-nvvm",
      "map outlined kernels to GPU threads and compile them to PTX",
      buildKernelToNVVMPassPipeline);
}

} // namespace gantk
