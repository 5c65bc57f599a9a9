//===- CPUCodeGen.cpp - kernels to a native shared object -----------------===//
//
// MLIR kernels → LLVM dialect → LLVM IR → -O3 for the host CPU → object file
// → shared object linked by the system C compiler driver. The runtime
// dlopen()s the result from memory, so it never links LLVM itself.
//
//===----------------------------------------------------------------------===//

#include "gantk/Compiler/CPUCodeGen.h"
#include "gantk/Compiler/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/DiagnosticHandler.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace gantk {

/// The x86 ISA extensions whose instructions kernels may contain and that
/// the runtime can test for (CPUFeatures.h): recorded in the artifact so
/// that a CPU without them refuses the code instead of dying on SIGILL.
static constexpr const char *kCheckedFeatures[] = {
    "sse4.2",   "popcnt",   "avx",      "avx2",     "fma",
    "bmi",      "bmi2",     "avx512f",  "avx512bw", "avx512dq",
    "avx512vl", "avx512cd", "avx512vnni"};

/// A target machine for `cpu` ("native": this machine's CPU and features),
/// or null with `error`.
static std::unique_ptr<llvm::TargetMachine>
targetMachineFor(const std::string &cpu, std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string name = cpu, features;
  if (cpu == "native") {
    name = llvm::sys::getHostCPUName().str();
    for (auto &feature : llvm::sys::getHostCPUFeatures())
      features += (feature.second ? "+" : "-") + feature.first().str() + ",";
  }
  // Checked on a CPU-less subtarget first: LLVM itself only warns (on
  // stderr) and compiles for a generic CPU.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!generic || !generic->isCPUStringValid(name)) {
    error = "unknown target CPU '" + cpu +
            "' (native, or an LLVM CPU name: x86-64, x86-64-v2, x86-64-v3, "
            "x86-64-v4, skylake-avx512, znver3, ...)";
    return nullptr;
  }
  llvm::TargetOptions options;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, name, features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
}

std::string checkTargetCpu(const std::string &cpu) {
  std::string error;
  return targetMachineFor(cpu, error) ? std::string() : error;
}

/// The checked features the target machine's code may use.
static std::vector<std::string> usedFeatures(const llvm::TargetMachine &tm) {
  const llvm::MCSubtargetInfo &sti = *tm.getMCSubtargetInfo();
  std::vector<std::string> used;
  for (const char *feature : kCheckedFeatures)
    if (sti.checkFeatures(std::string("+") + feature))
      used.push_back(feature);
  return used;
}

OwningOpRef<ModuleOp> cloneKernels(ModuleOp module) {
  OwningOpRef<ModuleOp> kernels(cast<ModuleOp>(module->clone()));
  for (auto fn : llvm::make_early_inc_range(kernels->getOps<func::FuncOp>()))
    if (!fn->hasAttr(kKernelAttrName))
      fn.erase();
  Operation *kernelModule = kernels->getOperation();
  for (NamedAttribute attr : llvm::to_vector(kernelModule->getAttrs()))
    if (attr.getName().strref().starts_with("gantk."))
      kernelModule->removeAttr(attr.getName());
  return kernels;
}

/// The largest sum of a kernel's stack allocations, in bytes.
static int64_t largestStackFrame(ModuleOp kernels) {
  DataLayout layout(kernels);
  int64_t largest = 0;
  kernels.walk([&](LLVM::LLVMFuncOp fn) {
    int64_t bytes = 0;
    fn.walk([&](LLVM::AllocaOp alloca) {
      IntegerAttr count;
      if (!matchPattern(alloca.getArraySize(), m_Constant(&count)))
        return;
      bytes += int64_t(layout.getTypeSize(alloca.getElemType())) *
               count.getInt();
    });
    largest = std::max(largest, bytes);
  });
  return largest;
}

/// The vectors of pairs for `tm`: a register's width, 512 bits with
/// AVX-512 and 256 otherwise (narrower targets split them in two).
static int64_t pairVectorBits(const llvm::TargetMachine &tm) {
  return tm.getMCSubtargetInfo()->checkFeatures("+avx512f") ? 512 : 256;
}

namespace {
/// LLVM's remarks are for compiler developers: a loop with a width hint
/// that it left scalar (too few iterations, say) is reported as one even
/// without -Rpass. Warnings and errors are still printed.
struct DropRemarks : llvm::DiagnosticHandler {
  bool handleDiagnostics(const llvm::DiagnosticInfo &info) override {
    return info.getSeverity() == llvm::DS_Remark;
  }
};
} // namespace

LogicalResult translateKernelsToLLVMIR(ModuleOp module,
                                       llvm::raw_ostream *llvmIR,
                                       std::string *objectFile,
                                       const std::string &cpu,
                                       CPUCodeInfo *info, int64_t vectorBits) {
  std::string error;
  auto tm = targetMachineFor(cpu, error);
  if (!tm)
    return module.emitError(error);
  if (vectorBits <= 0)
    vectorBits = pairVectorBits(*tm);

  OwningOpRef<ModuleOp> kernels = cloneKernels(module);
  PassManager pm(module.getContext());
  buildKernelToLLVMPassPipeline(pm, vectorBits);
  if (failed(pm.run(*kernels)))
    return failure();
  if (info) {
    info->cpu = tm->getTargetCPU().str();
    info->features = usedFeatures(*tm);
    info->vectorBits = vectorBits;
    info->stackBytes = largestStackFrame(*kernels);
  }

  llvm::LLVMContext llvmContext;
  llvmContext.setDiagnosticHandler(std::make_unique<DropRemarks>());
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*kernels, llvmContext, "gantk_kernels");
  if (!llvmModule)
    return module.emitError("translation of the kernels to LLVM IR failed");
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(tm->getTargetTriple());
  if (llvm::Error err =
          makeOptimizingTransformer(3, 0, tm.get())(llvmModule.get())) {
    std::string msg = llvm::toString(std::move(err));
    return module.emitError("LLVM optimisation failed: ") << msg;
  }
  if (llvmIR)
    llvmModule->print(*llvmIR, nullptr);
  if (!objectFile)
    return success();

  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager codegen;
  if (tm->addPassesToEmitFile(codegen, os, nullptr,
                              llvm::CodeGenFileType::ObjectFile))
    return module.emitError("the host target cannot emit object files");
  codegen.run(*llvmModule);
  objectFile->assign(buffer.begin(), buffer.end());
  return success();
}

FailureOr<std::vector<uint8_t>> compileKernelsForCPU(ModuleOp module,
                                                     const std::string &cpu,
                                                     CPUCodeInfo &info) {
  std::string object;
  if (failed(translateKernelsToLLVMIR(module, nullptr, &object, cpu, &info)))
    return failure();
  // A tape holds one vector per element: 256-bit vectors halve it.
  if (info.stackBytes > kMaxKernelStackBytes && info.vectorBits > 256 &&
      failed(
          translateKernelsToLLVMIR(module, nullptr, &object, cpu, &info, 256)))
    return failure();
  int64_t frame = info.stackBytes;
  // The per-pair maps of one vector of pairs live on the calling thread's
  // stack; beyond this the kernels would overflow it.
  if (frame > kMaxKernelStackBytes)
    return emitError(module.getLoc(),
                     "the per-pair scratch of one kernel call needs ")
               << (frame >> 10) << " KiB of stack, more than the "
               << (kMaxKernelStackBytes >> 10)
               << " KiB a thread may use: the maps over positions are too "
                  "large (pool the input images with avg_pool, or use fewer "
                  "or smaller layers on the full image)",
           failure();

  // Link with the system compiler driver: it knows the platform's linker
  // and libm, which f64 kernels call.
  auto cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    return module.emitError("no C compiler driver 'cc' on PATH to link the "
                            "kernels (install gcc; scripts/setup does)"),
           failure();
  llvm::SmallString<128> dir;
  if (llvm::sys::fs::createUniqueDirectory("gantk-link", dir))
    return module.emitError("cannot create a temporary directory"), failure();
  std::string objPath = (dir + "/kernels.o").str();
  std::string soPath = (dir + "/kernels.so").str();
  std::string logPath = (dir + "/link.log").str();
  llvm::scope_exit cleanup([&] {
    for (const std::string &p : {objPath, soPath, logPath})
      llvm::sys::fs::remove(p);
    llvm::sys::fs::remove(dir);
  });
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(objPath, ec);
    if (ec)
      return module.emitError("cannot write ") << objPath << ": "
                                               << ec.message(),
             failure();
    out << object;
  }
  llvm::SmallVector<llvm::StringRef> args{*cc, "-shared", "-o", soPath,
                                          objPath, "-lm"};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(logPath),
                                                llvm::StringRef(logPath)};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(*cc, args, std::nullopt, redirects, 0, 0,
                                     &execError);
  if (rc != 0) {
    auto log = llvm::MemoryBuffer::getFile(logPath);
    return module.emitError("linking the kernels failed: ")
               << execError << (log ? (*log)->getBuffer() : ""),
           failure();
  }
  auto so = llvm::MemoryBuffer::getFile(soPath);
  if (!so)
    return module.emitError("cannot read the linked kernels"), failure();
  llvm::StringRef bytes = (*so)->getBuffer();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

} // namespace gantk
