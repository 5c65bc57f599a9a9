//===- CUDACodeGen.cpp - kernels to PTX for NVIDIA GPUs -------------------===//
//
// MLIR kernels → gpu.func (outer row loop on threads) → NVVM → LLVM NVPTX
// backend → PTX text. The runtime hands the PTX to the driver's JIT, so no
// CUDA toolkit is needed at run time; at compile time only libdevice is
// (the math functions, f64 atan2 among them, link against it).
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/CUDACodeGen.h"
#include "gantk/Compiler/CPUCodeGen.h"
#include "gantk/Compiler/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"

#include <cstdlib>

using namespace mlir;

namespace gantk {

FailureOr<std::string> findLibdevice(ModuleOp module) {
  llvm::SmallString<128> path("/usr/local/cuda");
  // The order of MLIR's NVVM target, which looks for libdevice itself too.
  for (const char *var : {"CUDA_ROOT", "CUDA_HOME", "CUDA_PATH"})
    if (const char *dir = std::getenv(var); dir && *dir) {
      path = dir;
      break;
    }
  llvm::sys::path::append(path, "nvvm", "libdevice", "libdevice.10.bc");
  if (!llvm::sys::fs::is_regular_file(path))
    return emitError(module.getLoc(), "no libdevice at ")
               << path
               << " (the GPU kernels' math functions link against it): "
                  "install the CUDA toolkit or set CUDA_HOME to its directory",
           failure();
  return path.str().str();
}

FailureOr<std::string> compileKernelsForCUDA(ModuleOp planned, StringRef chip) {
  const CUDATarget *target = llvm::find_if(
      kCUDATargets, [&](const CUDATarget &t) { return chip == t.chip; });
  if (target == std::end(kCUDATargets))
    return emitError(planned.getLoc(), "no PTX target for chip '")
               << chip << "'",
           failure();
  FailureOr<std::string> libdevice = findLibdevice(planned);
  if (failed(libdevice))
    return failure();

  LLVMInitializeNVPTXTarget();
  LLVMInitializeNVPTXTargetInfo();
  LLVMInitializeNVPTXTargetMC();
  LLVMInitializeNVPTXAsmPrinter();

  OwningOpRef<ModuleOp> kernels = cloneKernels(planned);
  PassManager pm(planned.getContext());
  KernelToNVVMOptions options;
  options.chip = target->chip;
  options.features = target->features;
  options.libdevice = *libdevice;
  buildKernelToNVVMPassPipeline(pm, options);
  if (failed(pm.run(*kernels)))
    return failure();

  for (auto binary : kernels->getOps<gpu::BinaryOp>())
    for (auto object : binary.getObjects().getAsRange<gpu::ObjectAttr>())
      if (object.getFormat() == gpu::CompilationTarget::Assembly)
        return object.getObject().str();
  return emitError(planned.getLoc(), "the GPU pipeline produced no PTX"),
         failure();
}

} // namespace gantk
