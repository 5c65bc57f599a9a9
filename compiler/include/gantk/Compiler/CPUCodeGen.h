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

/// What CPU code was compiled for, and how much stack it needs.
struct CPUCodeInfo {
  /// The LLVM CPU name the code is tuned and compiled for.
  std::string cpu;
  /// The x86 extensions (from a fixed list the runtime can test) that the
  /// code may use: a CPU without one of them must refuse it.
  std::vector<std::string> features;
  /// Bits of one vector of pairs (gantk-vectorize-pairs).
  int64_t vectorBits = 0;
  /// The largest scratch (stack allocations) of one kernel call: the
  /// per-pair maps of one vector of pairs.
  int64_t stackBytes = 0;
};

/// Lowers the kernel functions of `module` (a copy is made; entry functions
/// are dropped) to LLVM IR for `cpu`: "native" (this machine's CPU and all
/// its features) or an LLVM CPU name ("x86-64-v2" is a portable baseline).
/// Pairs run on vectors of `vectorBits` (0: the CPU's register width, 512
/// bits with AVX-512, else 256). Writes the optimised IR to `llvmIR` and the
/// object code to `objectFile` when given, and what it compiled for into
/// `info`.
mlir::LogicalResult translateKernelsToLLVMIR(mlir::ModuleOp module,
                                             llvm::raw_ostream *llvmIR,
                                             std::string *objectFile,
                                             const std::string &cpu = "native",
                                             CPUCodeInfo *info = nullptr,
                                             int64_t vectorBits = 0);

/// Empty when `cpu` is "native" or a CPU LLVM can compile x86-64 code for,
/// else the message that says so.
std::string checkTargetCpu(const std::string &cpu);

/// The most stack one kernel call may take: kernel calls run on the
/// runtime's threads (and the calling thread), whose stacks are the
/// system's default 8 MiB.
inline constexpr int64_t kMaxKernelStackBytes = 6 << 20;

/// Compiles the kernels into an ELF shared object (bytes) that exports
/// `<kernel>_entry` for each kernel. Diagnostics go to the module's context.
/// Where 512-bit vectors of pairs need more than kMaxKernelStackBytes of
/// scratch it compiles for 256-bit ones, and fails when those need more;
/// `cpu` and `info` as for translateKernelsToLLVMIR.
mlir::FailureOr<std::vector<uint8_t>>
compileKernelsForCPU(mlir::ModuleOp module, const std::string &cpu,
                     CPUCodeInfo &info);

} // namespace gantk

#endif // GANTK_COMPILER_CPUCODEGEN_H
