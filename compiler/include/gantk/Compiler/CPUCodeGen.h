//===- CPUCodeGen.h - kernels to a native shared object ---------*- C++ -*-===//

#ifndef GANTK_COMPILER_CPUCODEGEN_H
#define GANTK_COMPILER_CPUCODEGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gantk {

/// The code-object target name the runtime's CPU device accepts.
inline constexpr const char *kCPUTarget = "x86_64-linux-cpu";

/// A copy of `module` with its kernel functions only (entry functions and
/// the gantk.* module attributes dropped): the input of code generation.
mlir::OwningOpRef<mlir::ModuleOp> cloneKernels(mlir::ModuleOp module);

/// Lowers the kernel functions of `module` (a copy is made; entry functions
/// are dropped) to LLVM IR for the host CPU. Writes the optimised IR to
/// `llvmIR` when given.
/// `stackBytes`, when given, gets the largest scratch (stack allocations)
/// of one kernel call: the per-pair maps of one vector of pairs.
mlir::LogicalResult translateKernelsToLLVMIR(mlir::ModuleOp module,
                                             llvm::raw_ostream *llvmIR,
                                             std::string *objectFile,
                                             int64_t *stackBytes = nullptr);

/// The most stack one kernel call may take: kernel calls run on the
/// runtime's threads (and the calling thread), whose stacks are the
/// system's default 8 MiB.
inline constexpr int64_t kMaxKernelStackBytes = 6 << 20;

/// Compiles the kernels into an ELF shared object (bytes) that exports
/// `<kernel>_entry` for each kernel. Diagnostics go to the module's context.
/// Fails when a kernel needs more than kMaxKernelStackBytes of scratch;
/// `stackBytes` as for translateKernelsToLLVMIR.
mlir::FailureOr<std::vector<uint8_t>>
compileKernelsForCPU(mlir::ModuleOp module, int64_t *stackBytes = nullptr);

} // namespace gantk

#endif // GANTK_COMPILER_CPUCODEGEN_H
