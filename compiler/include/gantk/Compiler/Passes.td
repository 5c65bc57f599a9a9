//===- Passes.td - gantk compiler passes -------------------*- tablegen -*-===//

#ifndef GANTK_COMPILER_PASSES_TD
#define GANTK_COMPILER_PASSES_TD

include "mlir/Pass/PassBase.td"

def RollLayersPass : Pass<"gantk-roll-layers", "mlir::ModuleOp"> {
  let summary = "Rolls runs of identical layers into gantk.repeat";
  let description = [{
    A run of k identical groups of layers (the same ops with the same
    attributes, each group at most 8 layers) covering at least `min-layers`
    layers becomes `gantk.repeat k { group }`, which computes the same
    kernel: its pair rule is one loop, so a deep spec written out layer by
    layer compiles in the same time as the repeat block it spells out.
    Shorter runs are left as written.
  }];
  let options = [
    Option<"minLayers", "min-layers", "int64_t", "16",
           "roll only runs of at least this many layers">
  ];
}

def FuseRecursionPass : Pass<"gantk-fuse-recursion", "mlir::ModuleOp"> {
  let summary = "Fuses the layer recursion into one per-pair scalar program";
  let description = [{
    Replaces each chain `gantk.input → layers → gantk.ntk / gantk.nngp` by
    `gantk.gram` (a GEMM), `gantk.diag` and one `gantk.pairwise` whose body
    runs every layer's pair rule (LayerOpInterface) for one pair (i, j): the
    recursion forward is one loop nest over pairs and no per-layer N×N
    intermediate exists. A `gantk.repeat` becomes a loop in the body, and
    so does a chain of more than `loop-from-layers` layers (what
    gantk-roll-layers could not roll: layers that differ): a loop over the
    layers with an `scf.index_switch` that picks each one's rule, so that
    the code's compile time grows linearly with depth.
  }];
  let options = [
    Option<"loopFromLayers", "loop-from-layers", "int64_t",
           "kLoopOverLayersFrom",
           "chains of more layers than this become a loop over the layers">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::scf::SCFDialect"];
}

def AutodiffPass : Pass<"gantk-autodiff", "mlir::ModuleOp"> {
  let summary = "Derives the reverse-mode gradient function";
  let description = [{
    For every function marked `gantk.differentiate` that returns a scalar
    loss, builds `<name>_grad` returning (loss, dL/d(last argument)) by
    applying each op's adjoint rule in reverse order: gantk.loss →
    gantk.loss_grad; gantk.expm_action → gantk.expm_action_grad
    (Daleckii–Krein); gantk.pairwise → gantk.pairwise_grad whose body is the
    reverse mode of the forward body with the forward recomputed (a loop of
    repeated layers with a per-pair tape of its iterations' states);
    gantk.diag → gantk.add_diag; gantk.gram → gantk.gram_grad; gantk.stack →
    the generated rows. The gradient function also returns the loss, so it
    replaces the primal function. Run after gantk-fuse-recursion.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
}

def LowerToLibraryPass : Pass<"gantk-lower-to-library", "mlir::ModuleOp"> {
  let summary = "Lowers GEMM-shaped work and the exponential action to library ops";
  let description = [{
    gantk.gram and gantk.gram_grad become gantk.gemm; gantk.expm_action and
    gantk.expm_action_grad become eig_reg shift, gantk.eigh, GEMMs,
    gantk.exp_scale and gantk.daleckii_krein. A later `cse` shares the one
    eigendecomposition between the forward and the backward. The backward
    is narrowed to the rows the generated points need; on the Krylov path
    those rows of dL/dK come from the low-rank factors (m × N, never the
    N × N product), and with `recompute-rows` those of G are recomputed
    from S as well, so K is the step's only N × N buffer.
  }];
  let options = [
    Option<"recomputeRows", "recompute-rows", "bool", "false",
           "recompute the backward's rows of G and dL/dK (Krylov path)">,
    Option<"krylovForm", "krylov-form", "bool", "false",
           "lower every exponential action to the Krylov ops, whatever its "
           "solver: for a plan whose solver a later pass sets "
           "(gantk-dense-over-ranks)">
  ];
}

def MatrixFreePass : Pass<"gantk-matrix-free", "mlir::ModuleOp"> {
  let summary = "Applies K in row tiles instead of storing it (matrix-free plan)";
  let description = [{
    For a Krylov step lowered with `recompute-rows`: the kernel read by
    gantk.krylov_expm and gantk.krylov_expm_grad, [add_trace_diag]
    pairwise(α S Sᵀ, diag), becomes a gantk.kernel_operator on S and
    gantk.gram_diag(S), and the backward's rows (G rows, dL/dK rows,
    pairwise_grad, add_diag, dZ) move into one gantk.row_tiles. No value of
    the step is then N × N or R × N: memory is O(N·(d + rank + tile_rows)),
    and every K·V recomputes K (one Gram GEMM over the upper triangle and
    the recursion per application).
  }];
  let options = [
    Option<"tileRows", "tile-rows", "int64_t", "256",
           "rows of K (and of the backward's R × N values) made at a time">
  ];
}

def DistributeRowsPass : Pass<"gantk-distribute-rows", "mlir::ModuleOp"> {
  let summary = "Assigns the matrix-free step's row tiles to MPI ranks";
  let description = [{
    For a step over `ranks` processes (`gantk compile --ranks P`): every
    gantk.kernel_operator and gantk.row_tiles gets `tile_ranks`, the rank
    that makes each row tile, dealt out in a zigzag (0 … P−1, P−1 … 0, …)
    so that ranks own nearly equal numbers of tiles and nearly equal parts
    of K's upper triangle, whose tiles shrink down the rows. With
    `keep-tiles` the operators also get `keep_tiles`: each rank keeps its
    tiles of K for the whole step, so K is stored, split over the ranks,
    and the products after the first cost a GEMM on the kept rows. The
    module gets `gantk.ranks`. A step without a kernel operator (a plan that
    stores K whole or factors it densely) cannot be split: an error. With
    `cyclic` tile t goes to rank t mod P instead: the block-cyclic layout
    ScaLAPACK reads (gantk-dense-over-ranks).
  }];
  let options = [
    Option<"ranks", "ranks", "int64_t", "1", "MPI ranks of one step">,
    Option<"keepTiles", "keep-tiles", "bool", "true",
           "keep each rank's row tiles of K for the whole step">,
    Option<"cyclic", "cyclic", "bool", "false",
           "deal tile t to rank t mod P (ScaLAPACK's block-cyclic rows)">
  ];
}

def DenseOverRanksPass : Pass<"gantk-dense-over-ranks", "mlir::ModuleOp"> {
  let summary = "Solves a step split over ranks by the dense eigendecomposition";
  let description = [{
    The dense plan over MPI ranks, on the matrix-free plan's structure after
    gantk-distribute-rows{cyclic keep-tiles}: K exists only as each rank's
    kept row tiles. The Krylov ops on a kernel operator become
    gantk.eigh_ranks (ScaLAPACK's p?syevd on those tiles, once per step),
    gantk.expm_ranks for the value and gantk.expm_grad_rows_ranks for dL/dK,
    whose rows the backward's gantk.row_tiles read directly: each rank forms
    the rows of its own backward tiles (p?gemm), so the low-rank factors and
    their products in the row tiles go. The result equals the one-process
    dense plan to rounding, where the Krylov ops stop at their tolerance.
  }];
}

def ShareKrylovPass : Pass<"gantk-share-krylov", "mlir::ModuleOp"> {
  let summary = "One block Lanczos run for the value and the gradient";
  let description = [{
    krylov_expm(K, Y) = U, loss_grad(U, Y) = dU and krylov_expm_grad(K, Y,
    dU) run two Lanczos processes, the second from [Y, dU], which needs U
    first. When the cotangent is affine in U (the squared loss: dU =
    scale · (1 − Y + U)) the block Krylov space of [Y, scale · (1 − Y)]
    already holds dU, so one gantk.krylov_expm_value_grad from that block
    gives U and the factors, about halving the products with K. The
    constant part is gantk.loss_grad_const (on the labels only: hoisted).
  }];
}

def SplitGramPass : Pass<"gantk-split-gram", "mlir::ModuleOp"> {
  let summary = "Splits the Gram GEMM of X ⊕ Z into its real block and its Z rows";
  let description = [{
    G = α S Sᵀ with S = gantk.stack X, Z becomes gantk.gram_blocks of
    α X Xᵀ (n × n: X only, so gantk-hoist-invariants computes it once) and
    α Z Sᵀ (m × N). A step then multiplies m × N × d instead of N × N × d:
    the real rows never move.
  }];
}

def SplitPairsPass : Pass<"gantk-split-pairs", "mlir::ModuleOp"> {
  let summary = "Makes the real–real block of K on its own, as K's corner";
  let description = [{
    gantk.pairwise on G = gantk.gram_blocks(α X Xᵀ, α Z Sᵀ) (numbers, with
    v = gantk.diag G) gets the pairs of two real rows as its `corner`: a
    gantk.pairwise of the real–real block and its diagonal, which depend on
    X only (gantk-hoist-invariants computes them once). A step runs the
    per-pair body on the pairs with a generated row only. Run after
    gantk-split-gram.
  }];
}

def HoistInvariantsPass : Pass<"gantk-hoist-invariants", "mlir::ModuleOp"> {
  let summary = "Marks the ops that depend on the real data only: run once, kept";
  let description = [{
    In an entry function whose rows are gantk.stack X, Z, every op all of
    whose operands are X, constants or results of such ops (the real–real
    Gram block, the labels, …) gets `gantk.invariant`. The runtime runs
    those commands once after X is set (`CommandEntry.once`), and the
    memory plan keeps their results for the whole run (no other buffer
    shares their bytes). Run after gantk-outline-kernels (on what becomes
    commands) and before gantk-plan-memory.
  }];
}

def OutlineKernelsPass : Pass<"gantk-outline-kernels", "mlir::ModuleOp"> {
  let summary = "Outlines elementwise and per-pair ops into loop-nest kernels";
  let description = [{
    Every remaining compute op that is not a library call (pairwise,
    pairwise_grad, diag, add_diag, add_trace_diag, exp_scale,
    daleckii_krein, labels, loss, loss_grad) becomes a `gantk.dispatch` of a
    private function on memrefs whose body is an scf loop nest over one row
    range [begin, end) — the unit that the runtime spreads over threads.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::func::FuncDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::vector::VectorDialect"];
}

def PlanMemoryPass : Pass<"gantk-plan-memory", "mlir::ModuleOp"> {
  let summary = "Static memory plan: one arena, one offset per tensor";
  let description = [{
    Assigns every tensor of the entry function a byte offset in one arena by
    liveness (offline greedy placement, the better of program order and
    largest first), placing stack operands inside the stack and tied
    results in their operand's buffer, and eigh's LAPACK workspaces. Records
    `gantk.offsets` on each op, `gantk.arg_offsets` on the function and
    `gantk.arena_bytes`, `gantk.peak_op` on the module.
  }];
  let options = [
    Option<"entry", "entry", "std::string", "\"\"",
           "function to plan (default: the only non-kernel function)">
  ];
}

def VectorizePairsPass : Pass<"gantk-vectorize-pairs", "mlir::ModuleOp"> {
  let summary = "Runs the per-pair loops of kernels on vectors of pairs (CPU)";
  let description = [{
    For each loop marked `gantk.pairs` (a kernel's loop over the pairs of a
    row) whose per-pair body has a loop of its own (a repeated block, which
    hides the pairs from LLVM's innermost-loop vectoriser): runs the body on
    vectors of `vector-bits` / element-width pairs, loading and storing
    element j of each row as a vector, broadcasting what does not depend on
    the pair, giving per-pair scratch (a tape) one vector per element, and
    summing a row's reduction as a vector; the original loop runs the pairs
    left over. Other marked loops are LLVM's to vectorise: they get the hint
    `llvm.loop_annotation` asking for vectors of `vector-bits` (LLVM's cost
    model stops at the CPU's preferred width, 256 bits on AVX-512 server
    parts) and for `interleave` of them side by side (a pair's maths is a
    chain of dependent operations too long for the core to overlap two
    consecutive vectors on its own), or `light-interleave` where the body
    keeps at most `light-live-values` values live at once (constants
    aside: the forward's pairs, whose layers hand on a few values each,
    where more chains fit the registers); the loops this pass vectorises get
    vectors of `interleave` registers for the same reason (LLVM splits
    them), unless their per-pair scratch (maps of a convolution) is large.
    The mark is removed either way.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "256",
           "bits of one vector of pairs">,
    Option<"interleave", "interleave", "int64_t", "2",
           "registers of pairs run side by side">,
    Option<"lightInterleave", "light-interleave", "int64_t", "4",
           "registers of pairs run side by side in a light body">,
    Option<"lightLiveValues", "light-live-values", "int64_t", "8",
           "the most values a light body keeps live at once">
  ];
  let dependentDialects = ["mlir::vector::VectorDialect",
                           "mlir::LLVM::LLVMDialect"];
}

def EmitKernelABIPass : Pass<"gantk-emit-kernel-abi", "mlir::ModuleOp"> {
  let summary = "Adds the runtime's uniform entry point to every kernel";
  let description = [{
    After lowering to the LLVM dialect with bare-pointer memrefs, adds for
    each kernel `k(p0, …, pn, begin, end)` an exported
    `k_entry(void **args, i64 begin, i64 end)`, the ABI the runtime calls.
  }];
}

def LoopAnnotationsPass : Pass<"gantk-loop-annotations", "mlir::ModuleOp"> {
  let summary = "Puts the loop hints of scf.for loops on LLVM's loop metadata";
  let description = [{
    convert-scf-to-cf copies an scf.for's `llvm.loop_annotation` attribute
    onto the loop's back branch, and convert-cf-to-llvm keeps it there as a
    discardable attribute, which the translation to LLVM IR ignores. This
    moves it into `llvm.br`'s `loop_annotation`, so that hints such as "do
    not vectorise or unroll" reach LLVM.
  }];
}

def ApproximateMathPass : Pass<"gantk-approximate-math", "mlir::ModuleOp"> {
  let summary = "Call-free atan2 and f32 math; libm calls for the other f64 special functions";
  let description = [{
    Rewrites f32 atan2, erf, exp, expm1, log1p, … into arith polynomials so
    that the per-pair loops contain no calls and LLVM vectorises them (atan2
    with one division, by its own pattern, before MLIR's, which has three).
    For the CPU f64 atan2 is call-free as well (one division, within 2 ulp
    of libm's), since a call keeps a pair loop scalar; the other f64 special
    functions (erf, expm1, log1p) become libm calls, which keeps them exact
    (the LLVM lowering would turn expm1 into exp − 1). What is left (sqrt,
    exp, fma, copysign, …) maps to LLVM intrinsics in convert-math-to-llvm.
  }];
  let options = [
    Option<"cpu", "cpu", "bool", "true",
           "f64 atan2 call-free and the other f64 special functions libm "
           "calls (off for the GPU, where convert-gpu-to-nvvm maps the f64 "
           "special functions to libdevice)">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def MapKernelsToGPUPass : Pass<"gantk-map-kernels-to-gpu", "mlir::ModuleOp"> {
  let summary = "Maps the outer row loop of every kernel to GPU threads";
  let description = [{
    Moves every `gantk.kernel` function `@k` into `gpu.module @gantk_kernels`
    as `gpu.func @k_entry(...) kernel` (same arguments: buffers, then begin
    and end) and marks the module `gpu.container_module`. When the body is
    one `scf.for` over [begin, end) (and side-effect-free values it uses),
    each thread runs one iteration:
    i = begin + (blockIdx.x * blockDim.x + threadIdx.x) * step, guarded by
    `i < end`. Any other body (the serial reductions such as the loss) runs
    whole in the thread whose global x index is 0. Run it on a module of
    kernels only (`gantk.dispatch` ops would lose their callee).

    ```mlir
    gpu.func @diag_kernel_entry(%a: memref<4x4xf64>, %v: memref<4xf64>,
                                %begin: index, %end: index) kernel {
      %i = ... begin + global thread index ...
      %in = arith.cmpi slt, %i, %end : index
      scf.if %in {
        %x = memref.load %a[%i, %i] : memref<4x4xf64>
        memref.store %x, %v[%i] : memref<4xf64>
      }
      gpu.return
    }
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::scf::SCFDialect"];
}

#endif // GANTK_COMPILER_PASSES_TD
