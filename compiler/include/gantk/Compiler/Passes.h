//===- Passes.h - gantk compiler passes -------------------------*- C++ -*-===//

#ifndef GANTK_COMPILER_PASSES_H
#define GANTK_COMPILER_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

namespace gantk {

/// Chains of more layers than this run as a loop over the layers in the
/// per-pair code (gantk-fuse-recursion's loop-from-layers).
inline constexpr int64_t kLoopOverLayersFrom = 32;

#define GEN_PASS_DECL
#include "gantk/Compiler/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "gantk/Compiler/Passes.h.inc"

/// Choices of the graph pipeline that trade time for memory.
struct PipelineOptions {
  /// Krylov path: recompute the backward's rows of G and dL/dK instead of
  /// keeping G and forming dL/dK (one N × N buffer instead of three).
  bool recomputeRows = false;
  /// Matrix-free (implies recomputeRows): K and the backward's rows are made
  /// in tiles of `tileRows` rows and never stored.
  bool matrixFree = false;
  int64_t tileRows = 256;
  /// MPI ranks of one step (> 1: gantk-distribute-rows, which needs
  /// matrixFree), and whether each rank keeps its row tiles of K.
  int64_t ranks = 1;
  bool keepTiles = true;
  /// Over ranks: solve by the dense eigendecomposition (ScaLAPACK) on the
  /// matrix-free plan's row tiles instead of by Krylov
  /// (gantk-dense-over-ranks; needs matrixFree and ranks > 1).
  bool denseOverRanks = false;
  /// Split the Gram and the pairs into the real rows' n × n block and the
  /// Z rows, and compute what depends on X alone once, before the first
  /// step (gantk-split-gram, gantk-split-pairs, gantk-hoist-invariants):
  /// faster steps for up to two n × n buffers kept across steps. Off, the
  /// step remakes everything and its plan is that much smaller.
  bool hoistInvariants = true;
};

/// The solver `auto` picks: the Krylov path from this many points on (the
/// dense eigendecomposition's O(N³) loses to O(k·N²) matvecs beyond it).
inline constexpr int64_t kKrylovFromPoints = 512;

/// The largest row tile of the matrix-free plan: GEMMs of 256 rows already
/// run near peak, and larger tiles only cost memory.
constexpr int64_t kMaxTileRows = 256;

/// Graph passes: fusion, autodiff, library lowering, CSE, outlining, memory
/// plan. The module then holds the entry function over tensors and the
/// kernels over memrefs.
void buildGantkPassPipeline(mlir::OpPassManager &pm,
                            const PipelineOptions &options = {});

/// The CPU target's vector width for the per-pair loops.
struct KernelToLLVMOptions
    : public mlir::PassPipelineOptions<KernelToLLVMOptions> {
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("bits of one vector of pairs (512 with AVX-512)"),
      llvm::cl::init(256)};
};

/// Kernel code generation: the kernel functions of a module (entry functions
/// removed) down to the LLVM dialect with the runtime's entry points, pairs
/// on vectors of `vectorBits`.
void buildKernelToLLVMPassPipeline(mlir::OpPassManager &pm,
                                   int64_t vectorBits = 256);

/// The GPU target of the kernels: the NVPTX chip, its PTX feature and the
/// libdevice bitcode the f64 special functions link against.
struct KernelToNVVMOptions
    : public mlir::PassPipelineOptions<KernelToNVVMOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("NVPTX chip"),
                           llvm::cl::init("sm_90")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX ISA feature of the chip (sm_90 needs +ptx80)"),
      llvm::cl::init("+ptx80")};
  Option<std::string> libdevice{
      *this, "libdevice",
      llvm::cl::desc("libdevice bitcode to link (empty: none)"),
      llvm::cl::init("")};
};

/// GPU code generation: the kernel functions of a module (entry functions
/// removed) mapped to GPU threads, lowered to NVVM and serialised to PTX
/// (a gpu.binary whose #gpu.object holds the PTX text).
void buildKernelToNVVMPassPipeline(mlir::OpPassManager &pm,
                                   const KernelToNVVMOptions &options);

/// Registers the pipelines above with the pass registry (for gantk-opt).
void registerGantkPipelines();

/// Name of the attribute that marks the ops of an entry function that
/// depend on the real data only (gantk-hoist-invariants): run once, kept.
inline constexpr llvm::StringLiteral kInvariantAttrName = "gantk.invariant";

/// The module attribute gantk-distribute-rows sets: the MPI ranks one step
/// is split over (the artifact's `ranks`).
inline constexpr llvm::StringLiteral kRanksAttrName = "gantk.ranks";
/// The most ranks a step may be split over.
inline constexpr int64_t kMaxRanks = 65536;

/// Name of the attribute of a dispatch whose operand lives inside its
/// result: [operand index, byte offset in the result]. gantk-plan-memory
/// places the operand there (as a stack's operands), and the kernel writes
/// only the rest of the result.
inline constexpr llvm::StringLiteral kOperandInsideAttrName =
    "gantk.operand_inside";

/// Name of the attribute that marks outlined kernel functions.
inline constexpr llvm::StringLiteral kKernelAttrName = "gantk.kernel";

/// Name of the attribute that marks a kernel's loop over the pairs (i, j) of
/// a row: its iterations run the per-pair body on independent pairs,
/// reading and writing element j of row-major rows, and sum one value over
/// the row at most. gantk-vectorize-pairs runs such loops on vectors of
/// pairs.
inline constexpr llvm::StringLiteral kPairLoopAttrName = "gantk.pairs";

} // namespace gantk

#endif // GANTK_COMPILER_PASSES_H
