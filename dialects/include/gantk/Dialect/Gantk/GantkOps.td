//===- GantkOps.td - gantk operations ----------------------*- tablegen -*-===//

#ifndef GANTK_OPS_TD
#define GANTK_OPS_TD

include "gantk/Dialect/Gantk/GantkAttrs.td"
include "gantk/Dialect/Gantk/GantkDialect.td"
include "gantk/Dialect/Gantk/GantkInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

class Gantk_Op<string mnemonic, list<Trait> traits = []>
    : Op<Gantk_Dialect, mnemonic, traits>;

def Gantk_Matrix : 2DTensorOf<[F32, F64]>;
/// Per-pair values of N points: N × N, or N × N × H × W while the pairs
/// carry maps over positions (convolutions).
def Gantk_PairMatrix : TensorRankOf<[F32, F64], [2, 4]>;
/// Per-point values: N, or N × H × W.
def Gantk_PointVector : TensorRankOf<[F32, F64], [1, 3]>;
/// One pair's value inside a per-pair body: a float or an H × W map.
def Gantk_Map : 2DTensorOf<[F32, F64]>;

// How the exponential action is computed: dense (eigendecomposition),
// krylov (block Lanczos to a relative tolerance, at most max_iter blocks) or
// auto (chosen by size, or by the memory budget).
def Gantk_SolverChoice : DefaultValuedAttr<Gantk_SolverAttr,
                                           "::gantk::Solver::Auto">;
def Gantk_TolAttr : DefaultValuedAttr<F64Attr, "1.0e-6">;
def Gantk_MaxIterAttr : DefaultValuedAttr<I64Attr, "100">;
def Gantk_Vector : 1DTensorOf<[F32, F64]>;
def Gantk_Scalar : 0DTensorOf<[F32, F64]>;
/// A stored N × N kernel or a matrix-free one.
def Gantk_KernelOrOperator : AnyTypeOf<[Gantk_Matrix, Gantk_OperatorType]>;

//===----------------------------------------------------------------------===//
// Graph level: what the front end builds.
//===----------------------------------------------------------------------===//

def Gantk_StackOp : Gantk_Op<"stack", [Pure]> {
  let summary = "Stacks real and generated rows: S = X ⊕ Z";
  let description = [{
    Concatenates the rows of the real data and of the generated points. The
    memory plan places both operands inside the result, so stacking is free.

    ```mlir
    %s = gantk.stack %x, %z : tensor<6x3xf64>, tensor<6x3xf64> -> tensor<12x3xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$real, Gantk_Matrix:$fake);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $real `,` $fake attr-dict `:` type($real) `,` type($fake) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_AvgPoolOp : Gantk_Op<"avg_pool", [Pure]> {
  let summary = "Average pooling of image rows (the spec's avg_pool on the input)";
  let description = [{
    Each row is an H × W × C image (`image`); every channel is averaged
    over the window at the stride, with `padding` as in NTK_SPEC
    "Convolutions" (padded cells count as 0, the divisor stays kh·kw).
    Pooling the input images equals Neural Tangents' AvgPool as a first
    layer (NTK_SPEC "Readouts and pooling").

    ```mlir
    %p = gantk.avg_pool %s {image = array<i64: 8, 8, 3>, window = array<i64: 2, 2>,
        stride = array<i64: 2, 2>, padding = #gantk.padding<valid>}
        : tensor<12x192xf64> -> tensor<12x48xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$points, DenseI64ArrayAttr:$image,
                       DenseI64ArrayAttr:$window, DenseI64ArrayAttr:$stride,
                       Gantk_PaddingAttr:$padding);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $points attr-dict `:` type($points) `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The pooled images' shape: H', W', C.
    ::llvm::SmallVector<int64_t, 3> getPooledImage();
  }];
}

def Gantk_AvgPoolTransposeOp : Gantk_Op<"avg_pool_transpose", [Pure]> {
  let summary = "The transpose of gantk.avg_pool (its reverse-mode adjoint)";
  let description = [{
    Spreads every pooled value, divided by kh·kw, back over its window of
    the `image`-shaped rows (the attributes are the forward pool's).

    ```mlir
    %d = gantk.avg_pool_transpose %dp {image = array<i64: 8, 8, 3>,
        window = array<i64: 2, 2>, stride = array<i64: 2, 2>,
        padding = #gantk.padding<valid>} : tensor<6x48xf64> -> tensor<6x192xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$input, DenseI64ArrayAttr:$image,
                       DenseI64ArrayAttr:$window, DenseI64ArrayAttr:$stride,
                       Gantk_PaddingAttr:$padding);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_InputOp : Gantk_Op<"input", [Pure]> {
  let summary = "Input kernel of a set of points";
  let description = [{
    The kernel state before the first layer: Σ_ij = ⟨s_i, s_j⟩ / d,
    v_i = Σ_ii, Θ = 0 (NTK_SPEC, "Input"). With a spatial result type
    [H, W] the rows are images (H, W, C in row-major order, C = d / (H·W))
    and Σ_ij(p) = ⟨s_i(p), s_j(p)⟩ / C at every position p.

    ```mlir
    %k = gantk.input %s : tensor<12x3xf64> -> !gantk.kernel<12, f64>
    %m = gantk.input %x : tensor<12x1568xf64> -> !gantk.kernel<12, f64, [28, 28]>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$points);
  let results = (outs Gantk_KernelType:$result);
  let assemblyFormat = "$points attr-dict `:` type($points) `->` type($result)";
  let hasVerifier = 1;
}

/// A layer: kernel state in, kernel state out, with its pair rule.
class Gantk_LayerOp<string mnemonic, list<Trait> traits = [],
                    list<string> overrides = []>
    : Gantk_Op<mnemonic, !listconcat(traits, [Pure,
          DeclareOpInterfaceMethods<Gantk_LayerOpInterface, overrides>])>;

/// An elementwise nonlinearity φ: its input must be Gaussian.
class Gantk_ActivationOp<string mnemonic>
    : Gantk_LayerOp<mnemonic, [SameOperandsAndResultType]> {
  let results = (outs Gantk_KernelType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Gantk_DenseOp : Gantk_LayerOp<"dense", [SameOperandsAndResultType]> {
  let summary = "Infinitely wide dense layer";
  let description = [{
    z = W_std/√fan_in · W x + b_std · b in NTK parameterisation:
    Σ' = W_std² Σ + b_std², v' = W_std² v + b_std², Θ' = Σ' + W_std² Θ.

    ```mlir
    %1 = gantk.dense %0 {w_std = 1.5 : f64, b_std = 0.2 : f64} : !gantk.kernel<12, f64>
    ```
  }];
  let arguments = (ins Gantk_KernelType:$input, F64Attr:$w_std, F64Attr:$b_std);
  let results = (outs Gantk_KernelType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Gantk_ABReluOp : Gantk_ActivationOp<"abrelu"> {
  let summary = "φ(x) = a·min(x, 0) + b·max(x, 0) (relu, leaky_relu, abs)";
  let description = [{
    The arc-cosine rule of NTK_SPEC for ABReLU; relu is (a, b) = (0, 1),
    leaky_relu(α) is (α, 1), abs is (−1, 1). The input must be Gaussian
    (come from an affine layer).

    ```mlir
    %2 = gantk.abrelu %1 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<12, f64>
    ```
  }];
  let arguments = (ins Gantk_KernelType:$input, F64Attr:$a, F64Attr:$b);
}

def Gantk_ErfOp : Gantk_ActivationOp<"erf"> {
  let summary = "φ(x) = a·erf(b·x) + c";
  let description = [{
    The erf rule of NTK_SPEC. The input must be Gaussian.

    ```mlir
    %2 = gantk.erf %1 {a = 1.0 : f64, b = 1.0 : f64, c = 0.0 : f64} : !gantk.kernel<12, f64>
    ```
  }];
  let arguments = (ins Gantk_KernelType:$input, F64Attr:$a, F64Attr:$b,
                       F64Attr:$c);
}

def Gantk_GeluOp : Gantk_ActivationOp<"gelu"> {
  let summary = "φ(x) = x·Φ(x), the exact GeLU";
  let description = [{
    Neural Tangents' `stax.Gelu` rule: with δ² = (q11 + 1)(q22 + 1) − q12²
    and θ = atan2(q12, δ),
    Σ' = [(q12² + q11 q22 δ²)/((q11 + 1)(q22 + 1) δ) + q12 θ]/(2π) + q12/4,
    Θ' = Θ · [q12/(2πδ) · (1/δ² + (1 − q11 q22)/((q11 + 1)(q22 + 1)) + 1)
              + 1/4 + θ/(2π)],
    and v' is Σ' at q12 = q11 = q22 = v. The input must be Gaussian.

    ```mlir
    %2 = gantk.gelu %1 : !gantk.kernel<12, f64>
    ```
  }];
  let arguments = (ins Gantk_KernelType:$input);
}

def Gantk_SinOp : Gantk_ActivationOp<"sin"> {
  let summary = "φ(x) = a·sin(b·x + c)";
  let description = [{
    Neural Tangents' `stax.Sin` rule: with s± = exp(b²(−(q11 + q22)/2 ± q12))
    (the minus one times cos 2c), Σ' = a²/2 · (s₊ − s₋),
    Θ' = Θ · a²b²/2 · (s₊ + s₋), v' = a²/2 · (1 − exp(−2b²v) cos 2c).
    The input must be Gaussian.

    ```mlir
    %2 = gantk.sin %1 {a = 1.0 : f64, b = 1.0 : f64, c = 0.0 : f64} : !gantk.kernel<12, f64>
    ```
  }];
  let arguments = (ins Gantk_KernelType:$input, F64Attr:$a, F64Attr:$b,
                       F64Attr:$c);
}

def Gantk_ConvOp : Gantk_LayerOp<"conv", [InferTypeOpAdaptor],
                                  ["getPairFlops"]> {
  let summary = "Infinitely wide convolution (shared weights)";
  let description = [{
    z = W_std/√(C·kh·kw) · conv(x, W) + b_std · b, infinitely many
    channels. On the maps of one pair (NTK_SPEC "Convolutions"), with A
    the window average of `gantk.window`:
    Σ' = W_std² A(Σ) + b_std², v' = W_std² A(v) + b_std²,
    Θ' = W_std² A(Θ) + Σ'. The result's maps have the window's output size.

    ```mlir
    %1 = gantk.conv %0 {kernel = array<i64: 4, 4>, stride = array<i64: 2, 2>,
        padding = #gantk.padding<same>, w_std = 1.2 : f64, b_std = 0.3 : f64}
        : !gantk.kernel<12, f64, [28, 28]> -> !gantk.kernel<12, f64, [14, 14]>
    ```
  }];
  let arguments = (ins Gantk_KernelType:$input, DenseI64ArrayAttr:$kernel,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$stride,
                       DefaultValuedAttr<Gantk_PaddingAttr,
                                         "::gantk::Padding::Valid">:$padding,
                       F64Attr:$w_std, F64Attr:$b_std);
  let results = (outs Gantk_KernelType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Gantk_FlattenOp : Gantk_LayerOp<"flatten", [InferTypeOpAdaptor],
                                     ["getPairFlops"]> {
  let summary = "Flattens maps into vectors: the readout of a convolution";
  let description = [{
    A dense layer after `flatten` sees all positions and channels; its
    kernel needs only the mean over positions of Σ, Θ and v (NTK_SPEC
    "Readouts and pooling"). The result is flat and not Gaussian: a dense
    layer must follow before any nonlinearity.

    ```mlir
    %5 = gantk.flatten %4 : !gantk.kernel<12, f64, [7, 7]> -> !gantk.kernel<12, f64>
    ```
  }];
  let arguments = (ins Gantk_KernelType:$input);
  let results = (outs Gantk_KernelType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Gantk_RepeatOp : Gantk_LayerOp<"repeat",
    [SingleBlock, AllTypesMatch<["input", "result"]>],
    ["getPairFlops", "getPairScratch"]> {
  let summary = "The layers of its body, `count` times over";
  let description = [{
    `repeat(k) { … }` of the spec. Its pair rule is a loop over the
    iterations (not k copies of the body's rules), so a deep network costs
    one body of code; its backward keeps each iteration's input state (a
    tape of k pair states) and recomputes the body from it.

    ```mlir
    %2 = gantk.repeat 100 (%1) : !gantk.kernel<12, f64> {
    ^bb0(%s: !gantk.kernel<12, f64>):
      %a = gantk.dense %s {w_std = 1.5 : f64, b_std = 0.2 : f64} : !gantk.kernel<12, f64>
      %b = gantk.abrelu %a {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<12, f64>
      gantk.yield %b : !gantk.kernel<12, f64>
    }
    ```
  }];
  let arguments = (ins Gantk_KernelType:$input, I64Attr:$count);
  let results = (outs Gantk_KernelType:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $count ` ` `(` $input `)` attr-dict `:` type($input) $body
  }];
  let extraClassDeclaration = [{
    /// The layers of the body, first to last.
    ::llvm::SmallVector<LayerOpInterface> getLayers();
  }];
  let hasVerifier = 1;
}

def Gantk_NtkOp : Gantk_Op<"ntk", [Pure]> {
  let summary = "The neural tangent kernel Θ of a kernel state";
  let description = [{
    The discriminator kernel: Θ after the final dense layer.

    ```mlir
    %K = gantk.ntk %7 : !gantk.kernel<12, f64> -> tensor<12x12xf64>
    ```
  }];
  let arguments = (ins Gantk_KernelType:$input);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Gantk_NngpOp : Gantk_Op<"nngp", [Pure]> {
  let summary = "The NNGP covariance Σ of a kernel state";
  let description = [{
    ```mlir
    %S = gantk.nngp %7 : !gantk.kernel<12, f64> -> tensor<12x12xf64>
    ```
  }];
  let arguments = (ins Gantk_KernelType:$input);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Gantk_LabelsOp : Gantk_Op<"labels", [Pure]> {
  let summary = "Discriminator labels of the stacked rows";
  let description = [{
    With one column: y = 1 for the first `num_real` rows, 0 after (the
    paper's labels). With two columns: one-hot, real = [0, 1] and
    generated = [1, 0] (the public code's cross-entropy form).

    ```mlir
    %y = gantk.labels {num_real = 6 : i64} : tensor<12x1xf64>
    ```
  }];
  let arguments = (ins I64Attr:$num_real);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Gantk_ExpmActionOp : Gantk_Op<"expm_action", [Pure]> {
  let summary = "U = exp(−λ K') Y with K' = K + eig_reg·(tr K / N)·I";
  let description = [{
    The action of the matrix exponential on the label columns; only the
    action is computed, never exp(−λK) itself. Eigenvalues of K' below zero
    are clamped to zero.

    ```mlir
    %u = gantk.expm_action %K, %y {lambda = 0.7 : f64, eig_reg = 0.0 : f64}
        : tensor<12x12xf64>, tensor<12x1xf64> -> tensor<12x1xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$kernel, Gantk_Matrix:$rhs,
                       F64Attr:$lambda, F64Attr:$eig_reg,
                       Gantk_SolverChoice:$solver, Gantk_TolAttr:$tol,
                       Gantk_MaxIterAttr:$max_iter);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $kernel `,` $rhs attr-dict `:` type($kernel) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_LossOp : Gantk_Op<"loss", [Pure]> {
  let summary = "GA-NTK loss of the discriminator's output";
  let description = [{
    `squared` (the paper, one label column): r = (1 − y) + U,
    L = ½‖r‖². `cross_entropy` (the public code, two columns): F = Y − U,
    L = (1/N) Σ_i softplus(F_i0 − F_i1).

    ```mlir
    %l = gantk.loss %u, %y {kind = #gantk.loss<squared>}
        : tensor<12x1xf64>, tensor<12x1xf64> -> tensor<f64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$action, Gantk_Matrix:$labels, Gantk_LossAttr:$kind);
  let results = (outs Gantk_Scalar:$result);
  let assemblyFormat = [{
    $action `,` $labels attr-dict `:` type($action) `,` type($labels) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_LossSumOp : Gantk_Op<"loss_sum", [Pure]> {
  let summary = "Weighted sum of losses: the multi-resolution objective";
  let description = [{
    Σ_k weights[k] · losses[k], the step's loss when several
    discriminators (each on its own view of the rows) are trained.

    ```mlir
    %l = gantk.loss_sum %a, %b {weights = array<f64: 1.0, 0.5>}
        : tensor<f64>, tensor<f64> -> tensor<f64>
    ```
  }];
  let arguments = (ins Variadic<Gantk_Scalar>:$losses,
                       DenseF64ArrayAttr:$weights);
  let results = (outs Gantk_Scalar:$result);
  let assemblyFormat = [{
    $losses attr-dict `:` type($losses) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_GeneratorOp : Gantk_Op<"generator", [Pure]> {
  let summary = "The generated rows Z = G(E; θ) of GA-NTKg (Eq. 6)";
  let description = [{
    A fully connected network on the latent rows E (m × widths[0]): layer k
    maps widths[k] to widths[k + 1] units, A_k = act_k(A_{k−1} W_k + b_k),
    with act_k one of "identity", "relu", "tanh", "sigmoid". θ holds, layer
    after layer, W_k (widths[k] × widths[k + 1], row-major) then b_k.
    gantk-lower-to-library turns it into GEMMs on views into θ and bias and
    activation kernels.

    ```mlir
    %z = gantk.generator %e, %theta {widths = array<i64: 2, 8, 2>,
                                     activations = ["relu", "sigmoid"]}
        : tensor<4x2xf64>, tensor<42xf64> -> tensor<4x2xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$latent, Gantk_Vector:$params,
                       DenseI64ArrayAttr:$widths, StrArrayAttr:$activations);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $latent `,` $params attr-dict `:` type($latent) `,` type($params) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_GeneratorGradOp : Gantk_Op<"generator_grad", [Pure]> {
  let summary = "dL/dθ of gantk.generator from dL/dZ";
  let description = [{
    The adjoint of `gantk.generator %latent, %params` (same attributes) for
    the cotangent dL/dZ: dL/dθ in θ's layout. Lowered with the forward it
    recomputes (CSE shares it with the forward's): per layer from the last,
    dH = act'(A) ⊙ dA, dW = A_{k−1}ᵀ dH, db = Σ_rows dH, dA_{k−1} = dH Wᵀ.

    ```mlir
    %dtheta = gantk.generator_grad %e, %theta, %dz {widths = array<i64: 2, 8, 2>,
                                                    activations = ["relu", "sigmoid"]}
        : tensor<4x2xf64>, tensor<42xf64>, tensor<4x2xf64> -> tensor<42xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$latent, Gantk_Vector:$params,
                       Gantk_Matrix:$cotangent, DenseI64ArrayAttr:$widths,
                       StrArrayAttr:$activations);
  let results = (outs Gantk_Vector:$result);
  let assemblyFormat = [{
    $latent `,` $params `,` $cotangent attr-dict `:` type($latent) `,` type($params) `,` type($cotangent) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// After fusion: the layer recursion as one scalar program per pair.
//===----------------------------------------------------------------------===//

def Gantk_GramOp : Gantk_Op<"gram", [Pure]> {
  let summary = "Input Gram matrix G = S Sᵀ / d, or its maps over positions";
  let description = [{
    With an N × N × H × W result the rows are images (H, W, C) and
    G_ij(p) = ⟨s_i(p), s_j(p)⟩ / C per position. That form is never stored:
    the kernels that read it compute each pair's map from the points
    (gantk-outline-kernels).

    ```mlir
    %g = gantk.gram %s : tensor<12x3xf64> -> tensor<12x12xf64>
    %m = gantk.gram %x : tensor<12x1568xf64> -> tensor<12x12x28x28xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$points);
  let results = (outs Gantk_PairMatrix:$result);
  let assemblyFormat = "$points attr-dict `:` type($points) `->` type($result)";
  let hasVerifier = 1;
}

def Gantk_DiagOp : Gantk_Op<"diag", [Pure]> {
  let summary = "Diagonal of a square matrix (of maps)";
  let description = [{
    result_i = input_ii: a number, or a map per point for N × N × H × W.

    ```mlir
    %v = gantk.diag %g : tensor<12x12xf64> -> tensor<12xf64>
    ```
  }];
  let arguments = (ins Gantk_PairMatrix:$input);
  let results = (outs Gantk_PointVector:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Gantk_PairwiseOp : Gantk_Op<"pairwise",
    [Pure, IsolatedFromAbove, SingleBlock]> {
  let summary = "Elementwise per-pair kernel map";
  let description = [{
    result_ij = body(G_ij, v_i, v_j): the fused layer recursion of one pair.
    The body takes (q12, q11, q22) of the pair type (a float, or an H × W
    map for an N × N × H × W gram) and yields one float; it must be
    symmetric under exchanging q11 and q22.

    With `corner` (c × c, c ≤ N), the first c rows and columns are given:
    result_ij = corner_ij for i, j < c, and only the other pairs run the
    body; G's c × c block is not read. gantk-split-pairs makes it from the
    pairwise op of the real–real Gram block, which depends on the real rows
    alone (so it is computed once). Only the corner's upper triangle is
    read (K is symmetric). Numbers only, not maps.

    ```mlir
    %K = gantk.pairwise %g, %v : tensor<12x12xf64>, tensor<12xf64> -> tensor<12x12xf64> {
    ^bb0(%q12: f64, %q11: f64, %q22: f64):
      gantk.yield %q12 : f64
    }
    %K2 = gantk.pairwise %g, %v corner %kc
        : tensor<12x12xf64>, tensor<12xf64>, tensor<8x8xf64> -> tensor<12x12xf64> {
    ^bb0(%q12: f64, %q11: f64, %q22: f64):
      gantk.yield %q12 : f64
    }
    ```
  }];
  let arguments = (ins Gantk_PairMatrix:$gram, Gantk_PointVector:$diag,
                       Optional<Gantk_Matrix>:$corner);
  let results = (outs Gantk_Matrix:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $gram `,` $diag (`corner` $corner^)? attr-dict `:` type($gram) `,`
    type($diag) (`,` type($corner)^)? `->` type($result) $body
  }];
  let extraClassDeclaration = [{
    /// The type of the body's values (see pairTypeOf).
    ::mlir::Type getPairType() { return pairTypeOf(getGram().getType()); }
  }];
  let hasVerifier = 1;
}

def Gantk_PairwiseGradOp : Gantk_Op<"pairwise_grad",
    [Pure, IsolatedFromAbove, SingleBlock]> {
  let summary = "Reverse-mode adjoint of gantk.pairwise, with recomputation";
  let description = [{
    For a cotangent C of `pairwise`'s result, the body takes
    (q12, q11, q22, c) and yields (∂/∂q12, ∂/∂q11, ∂/∂q22) of c·body; it
    recomputes the forward values itself, so nothing per layer is stored.
    Results: dG_ij = ∂/∂q12 at (i, j) and dv_i = 2 Σ_j ∂/∂q11 at (i, j) (the
    ∂/∂q22 terms of the transposed pairs equal those by symmetry of the body
    and of C). With R result rows, only rows [row_offset, row_offset + R)
    are computed: the gradient of the generated points needs no others.
    `gram` and `cotangent` are either N × N or just those R rows (R × N,
    recomputed for the backward instead of kept from the forward). With
    maps (an N × N × H × W gram) the body's q12, q11, q22 and its results
    are maps and c stays a float.

    ```mlir
    %dg, %dv = gantk.pairwise_grad %g, %v, %c
        : tensor<12x12xf64>, tensor<12xf64>, tensor<12x12xf64>
        -> tensor<12x12xf64>, tensor<12xf64> {
    ^bb0(%q12: f64, %q11: f64, %q22: f64, %c: f64):
      %z = arith.constant 0.0 : f64
      gantk.yield %c, %z, %z : f64, f64, f64
    }
    ```
  }];
  let arguments = (ins Gantk_PairMatrix:$gram, Gantk_PointVector:$diag,
                       Gantk_Matrix:$cotangent,
                       DefaultValuedAttr<I64Attr, "0">:$row_offset);
  let results = (outs Gantk_PairMatrix:$gram_grad,
                      Gantk_PointVector:$diag_grad);
  let regions = (region SizedRegion<1>:$body);
  let extraClassDeclaration = [{
    /// The type of the body's values (see pairTypeOf).
    ::mlir::Type getPairType() { return pairTypeOf(getGram().getType()); }
  }];
  let assemblyFormat = [{
    $gram `,` $diag `,` $cotangent attr-dict `:` type($gram) `,` type($diag)
    `,` type($cotangent) `->` type($gram_grad) `,` type($diag_grad) $body
  }];
  let hasVerifier = 1;
}

def Gantk_YieldOp : Gantk_Op<"yield", [Pure, Terminator, ReturnLike,
    ParentOneOf<["PairwiseOp", "PairwiseGradOp", "KernelOperatorOp",
                 "RowTilesOp", "RepeatOp"]>]> {
  let summary = "Yields the scalars of a per-pair body, a row-tiled result or a repeated layer state";
  let description = [{
    ```mlir
    gantk.yield %k : f64
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "$values attr-dict `:` type($values)";
}

def Gantk_WindowOp : Gantk_Op<"window", [Pure]> {
  let summary = "The window average A of one pair's map (inside per-pair bodies)";
  let description = [{
    A(M)(h, w) = 1/(kh·kw) Σ_{a<kh, b<kw} Mpad(s_h·h + a, s_w·w + b) with the
    border of `padding` (NTK_SPEC "Convolutions"): padded cells hold 0 (or
    wrap, circular) and the divisor stays kh·kw.

    ```mlir
    %a = gantk.window %m {kernel = array<i64: 4, 4>, stride = array<i64: 2, 2>,
        padding = #gantk.padding<same>} : tensor<28x28xf64> -> tensor<14x14xf64>
    ```
  }];
  let arguments = (ins Gantk_Map:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride, Gantk_PaddingAttr:$padding);
  let results = (outs Gantk_Map:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Gantk_WindowTransposeOp : Gantk_Op<"window_transpose", [Pure]> {
  let summary = "The transpose Aᵀ of gantk.window (its reverse-mode adjoint)";
  let description = [{
    Spreads each output cell's value, divided by kh·kw, back over the input
    cells of its window (padded cells drop it, circular ones wrap). The
    result type is the window's input type.

    ```mlir
    %d = gantk.window_transpose %a {kernel = array<i64: 4, 4>,
        stride = array<i64: 2, 2>, padding = #gantk.padding<same>}
        : tensor<14x14xf64> -> tensor<28x28xf64>
    ```
  }];
  let arguments = (ins Gantk_Map:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride, Gantk_PaddingAttr:$padding);
  let results = (outs Gantk_Map:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Gantk_SpatialMeanOp : Gantk_Op<"spatial_mean", [Pure]> {
  let summary = "The mean of one pair's map over its positions";
  let description = [{
    ```mlir
    %s = gantk.spatial_mean %m : tensor<7x7xf64> -> f64
    ```
  }];
  let arguments = (ins Gantk_Map:$input);
  let results = (outs AnyFloat:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Adjoint ops created by gantk-autodiff.
//===----------------------------------------------------------------------===//

def Gantk_LossGradOp : Gantk_Op<"loss_grad", [Pure]> {
  let summary = "dL/dU of gantk.loss, times scale";
  let description = [{
    `scale` is the loss's weight in the step's loss (gantk.loss_sum), 1
    when it is the step's loss itself.

    ```mlir
    %du = gantk.loss_grad %u, %y {kind = #gantk.loss<squared>}
        : tensor<12x1xf64>, tensor<12x1xf64> -> tensor<12x1xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$action, Gantk_Matrix:$labels,
                       Gantk_LossAttr:$kind,
                       DefaultValuedAttr<F64Attr, "1.0">:$scale);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $action `,` $labels attr-dict `:` type($action) `,` type($labels) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_LossGradConstOp : Gantk_Op<"loss_grad_const", [Pure]> {
  let summary = "The part of gantk.loss_grad that does not depend on U";
  let description = [{
    For a loss whose cotangent is affine in the action U: gantk.loss_grad
    of (U, Y) = this + scale · U. The squared loss only: scale · (1 − Y).

    ```mlir
    %c = gantk.loss_grad_const %y {kind = #gantk.loss<squared>}
        : tensor<12x1xf64> -> tensor<12x1xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$labels, Gantk_LossAttr:$kind,
                       DefaultValuedAttr<F64Attr, "1.0">:$scale);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $labels attr-dict `:` type($labels) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_ExpmActionGradOp : Gantk_Op<"expm_action_grad", [Pure]> {
  let summary = "dL/dK of gantk.expm_action (Daleckii–Krein)";
  let description = [{
    With K' = Q diag(μ) Qᵀ, a_c = Qᵀ dU_c, b_c = Qᵀ y_c and the divided
    differences F of f(μ) = exp(−λμ):
    dL/dK' = Q (F ∘ ½ Σ_c (a_c b_cᵀ + b_c a_cᵀ)) Qᵀ, then the adjoint of the
    eig_reg shift.

    ```mlir
    %dk = gantk.expm_action_grad %K, %y, %du {lambda = 0.7 : f64, eig_reg = 0.0 : f64}
        : tensor<12x12xf64>, tensor<12x1xf64>, tensor<12x1xf64> -> tensor<12x12xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$kernel, Gantk_Matrix:$rhs,
                       Gantk_Matrix:$cotangent, F64Attr:$lambda,
                       F64Attr:$eig_reg, Gantk_SolverChoice:$solver,
                       Gantk_TolAttr:$tol, Gantk_MaxIterAttr:$max_iter);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $kernel `,` $rhs `,` $cotangent attr-dict `:` type($kernel) `,` type($rhs)
    `,` type($cotangent) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_GramGradOp : Gantk_Op<"gram_grad", [Pure]> {
  let summary = "Rows of dL/dS for a symmetric cotangent of G = S Sᵀ / d";
  let description = [{
    dS = (C + Cᵀ)/d · S = 2/d · C S for symmetric C; only the rows
    [row_offset, row_offset + R) are computed (R = result rows). The
    cotangent is either all of C (N × N) or just those rows (R × N). For
    the maps of images (an R × N × H × W cotangent) the same holds at
    every position p with C channels: dS_i(p) = 2/C Σ_j C_ij(p) s_j(p).

    ```mlir
    %dz = gantk.gram_grad %s, %dg {row_offset = 6 : i64}
        : tensor<12x3xf64>, tensor<12x12xf64> -> tensor<6x3xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$points, Gantk_PairMatrix:$cotangent,
                       I64Attr:$row_offset);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $points `,` $cotangent attr-dict `:` type($points) `,` type($cotangent)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_AddOp : Gantk_Op<"add", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise sum: dL/dZ from several discriminators";
  let description = [{
    ```mlir
    %g = gantk.add %a, %b : tensor<6x3xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$lhs, Gantk_Matrix:$rhs);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Gantk_SetRowDiagOp : Gantk_Op<"set_row_diag", [Pure]> {
  let summary = "Recomputed Gram rows with the Gram diagonal on their diagonal";
  let description = [{
    `input` is rows [row_offset, row_offset + R) of a Gram matrix made again
    by a GEMM of those rows; the result is them with entry
    (i, row_offset + i) set to diag[row_offset + i], the diagonal the
    forward read. A second GEMM rounds G_ii differently in the last bits,
    and arccos-type layers turn a correlation of 1 − ε into an error of
    about √ε in dL/dZ; so the backward's pair (i, i) must see exactly the
    forward's.

    ```mlir
    %r = gantk.set_row_diag %g, %v {row_offset = 6 : i64}
        : tensor<6x12xf64>, tensor<12xf64> -> tensor<6x12xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$input, Gantk_Vector:$diag,
                       I64Attr:$row_offset);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $input `,` $diag attr-dict `:` type($input) `,` type($diag) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_AddDiagOp : Gantk_Op<"add_diag", [Pure]> {
  let summary = "A + diag(v): the adjoint of gantk.diag";
  let description = [{
    `input` is rows [row_offset, row_offset + R) of an N × N matrix (all of
    it by default); v_i is added at (i, row_offset + i).

    ```mlir
    %r = gantk.add_diag %a, %v : tensor<12x12xf64>, tensor<12xf64> -> tensor<12x12xf64>
    ```
  }];
  let arguments = (ins Gantk_PairMatrix:$input, Gantk_PointVector:$diag,
                       DefaultValuedAttr<I64Attr, "0">:$row_offset);
  let results = (outs Gantk_PairMatrix:$result);
  let assemblyFormat = [{
    $input `,` $diag attr-dict `:` type($input) `,` type($diag) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Library level: what gantk-lower-to-library produces.
//===----------------------------------------------------------------------===//

def Gantk_GemmOp : Gantk_Op<"gemm", [Pure]> {
  let summary = "C = alpha · op(A) · op(B) (BLAS ?gemm)";
  let description = [{
    ```mlir
    %c = gantk.gemm %a, %b {alpha = 1.0 : f64, trans_a = false, trans_b = true}
        : tensor<12x3xf64>, tensor<12x3xf64> -> tensor<12x12xf64>
    ```

    With `a_symmetric_from = o` (A and B not transposed, A M × (o + M)),
    A's columns [o, o + M) are a symmetric M × M block of which A holds
    only the upper triangle (the lower one is undefined): the product is
    A[:, :o] · B[:o] + sym(A[:, o:]) · B[o:] (?gemm, then ?symm). Set by
    gantk-outline-kernels on the backward GEMM, so that the kernel that
    folds the gradient's symmetric pairs need not mirror the block.

    With `upper_only` (C M × (o + M)), C's last M columns are a symmetric
    block of which only the upper triangle is read afterwards: the strict
    lower triangle may be left unwritten. Set by gantk-outline-kernels on
    the Gram's Z rows, Z Sᵀ, when every reader of the Gram takes its
    generated rows' block by the upper triangle, so that the runtime's
    ?syrk of Z Zᵀ need not be mirrored.
  }];
  let arguments = (ins Gantk_Matrix:$a, Gantk_Matrix:$b, F64Attr:$alpha,
                       BoolAttr:$trans_a, BoolAttr:$trans_b,
                       OptionalAttr<I64Attr>:$a_symmetric_from,
                       UnitAttr:$upper_only);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $a `,` $b attr-dict `:` type($a) `,` type($b) `->` type($result)
  }];
  let extraClassDeclaration = [{
    /// Whether this is the Gram α A Aᵀ of one operand's rows.
    bool isGram() { return getA() == getB() && !getTransA() && getTransB(); }
  }];
  let hasVerifier = 1;
}

def Gantk_ParamViewOp : Gantk_Op<"param_view", [Pure]> {
  let summary = "A matrix of a flat parameter vector, in place";
  let description = [{
    Elements [offset, offset + R·C) of `params` as an R × C row-major
    matrix: a generator layer's weights or bias. The memory plan places it
    inside `params` (no copy, no command).

    ```mlir
    %w = gantk.param_view %theta {offset = 0 : i64} : tensor<42xf64> -> tensor<2x8xf64>
    ```
  }];
  let arguments = (ins Gantk_Vector:$params, I64Attr:$offset);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = "$params attr-dict `:` type($params) `->` type($result)";
  let hasVerifier = 1;
}

def Gantk_ConcatOp : Gantk_Op<"concat", [Pure]> {
  let summary = "A flat parameter vector from its matrices, in place";
  let description = [{
    The row-major elements of `pieces`, one after the other: dL/dθ from
    each layer's dW and db. The memory plan makes each piece inside the
    result (no copy, no command).

    ```mlir
    %g = gantk.concat %dw, %db : tensor<2x8xf64>, tensor<1x8xf64> -> tensor<24xf64>
    ```
  }];
  let arguments = (ins Variadic<Gantk_Matrix>:$pieces);
  let results = (outs Gantk_Vector:$result);
  let assemblyFormat = "$pieces attr-dict `:` type($pieces) `->` type($result)";
  let hasVerifier = 1;
}

def Gantk_BiasActOp : Gantk_Op<"bias_act", [Pure]> {
  let summary = "act(H + 1 bᵀ): a generator layer's bias and activation";
  let description = [{
    ```mlir
    %a = gantk.bias_act %h, %b {activation = "relu"} : tensor<4x8xf64>, tensor<1x8xf64> -> tensor<4x8xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$input, Gantk_Matrix:$bias,
                       StrAttr:$activation);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $input `,` $bias attr-dict `:` type($input) `,` type($bias) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_ActGradOp : Gantk_Op<"act_grad", [Pure]> {
  let summary = "dH = act'(H) ⊙ dA, from the activation's output A";
  let description = [{
    Every activation of a generator has a derivative that its output
    gives: relu' = [A > 0], tanh' = 1 − A², sigmoid' = A (1 − A); so the
    backward reads the forward's A and keeps no pre-activation.

    ```mlir
    %dh = gantk.act_grad %a, %da {activation = "tanh"}
        : tensor<4x8xf64>, tensor<4x8xf64> -> tensor<4x8xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$output, Gantk_Matrix:$cotangent,
                       StrAttr:$activation);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $output `,` $cotangent attr-dict `:` type($output) `,` type($cotangent) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_ColumnSumOp : Gantk_Op<"column_sum", [Pure]> {
  let summary = "The sums of a matrix's columns (a bias's gradient)";
  let description = [{
    ```mlir
    %db = gantk.column_sum %dh : tensor<4x8xf64> -> tensor<1x8xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$input);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Gantk_GramBlocksOp : Gantk_Op<"gram_blocks", [Pure]> {
  let summary = "The Gram of X ⊕ Z from its real–real block and its Z rows";
  let description = [{
    G = S Sᵀ for S = X ⊕ Z (n + m = N rows) from the two products that
    make it: `corner` = the real–real block (n × n, which depends on X only
    and is computed once: gantk-hoist-invariants) and `rows` = the Z rows
    of G (m × N). G[0:n, 0:n] = corner, G[n:N, :] = rows and G[0:n, n:N] =
    rows[:, 0:n]ᵀ (G is symmetric). gantk-split-gram makes it; its kernel
    writes the first n rows, and the memory plan places `rows` in G's last
    m rows (`gantk.operand_inside` on the dispatch), so the Z rows are
    never copied.

    With `corner_diagonal_only`, G[0:n, 0:n] holds the corner's diagonal
    and nothing else is written there: gantk-split-pairs sets it when every
    reader of G reads no other entry of that block (the kernel's pairs of
    two real rows were made from the corner itself), which saves copying
    n² numbers at every step.

    ```mlir
    %g = gantk.gram_blocks %grr, %gz : tensor<6x6xf64>, tensor<4x10xf64> -> tensor<10x10xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$corner, Gantk_Matrix:$rows,
                       UnitAttr:$corner_diagonal_only);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $corner `,` $rows attr-dict `:` type($corner) `,` type($rows) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_EighOp : Gantk_Op<"eigh", [Pure]> {
  let summary = "Symmetric eigendecomposition (LAPACK ?syevd)";
  let description = [{
    Rows of `vectors` are the eigenvectors (so `vectors` is Qᵀ), `values`
    ascending. Computed in place: the memory plan gives `vectors` the
    operand's buffer. Reads the upper triangle of the operand only.

    ```mlir
    %qt, %mu = gantk.eigh %k : tensor<12x12xf64> -> tensor<12x12xf64>, tensor<12xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$input);
  let results = (outs Gantk_Matrix:$vectors, Gantk_Vector:$values);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($vectors) `,` type($values)
  }];
  let hasVerifier = 1;
}

def Gantk_AddTraceDiagOp : Gantk_Op<"add_trace_diag", [Pure, SameOperandsAndResultType]> {
  let summary = "A + scale · tr(A) · I";
  let description = [{
    The eig_reg shift of the kernel; the op is its own adjoint.

    ```mlir
    %r = gantk.add_trace_diag %k {scale = 1.0e-06 : f64} : tensor<12x12xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$input, F64Attr:$scale);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Gantk_ExpScaleOp : Gantk_Op<"exp_scale", [Pure]> {
  let summary = "Rows of B scaled by exp(−λ · max(μ_i, 0))";
  let description = [{
    ```mlir
    %e = gantk.exp_scale %mu, %b {lambda = 0.7 : f64}
        : tensor<12xf64>, tensor<12x1xf64> -> tensor<12x1xf64>
    ```
  }];
  let arguments = (ins Gantk_Vector:$values, Gantk_Matrix:$rhs, F64Attr:$lambda);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $values `,` $rhs attr-dict `:` type($values) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_DaleckiiKreinOp : Gantk_Op<"daleckii_krein", [Pure]> {
  let summary = "M = F ∘ ½ Σ_c (a_c b_cᵀ + b_c a_cᵀ), F the divided differences of exp(−λμ)";
  let description = [{
    F_ij = (f(μ_i) − f(μ_j)) / (μ_i − μ_j), F_ii = f'(μ_i), f(μ) =
    exp(−λ max(μ, 0)), evaluated stably as −λ e^{−λ min} · (−expm1(−λ|Δ|))/(λ|Δ|).

    ```mlir
    %m = gantk.daleckii_krein %mu, %a, %b {lambda = 0.7 : f64}
        : tensor<12xf64>, tensor<12x1xf64>, tensor<12x1xf64> -> tensor<12x12xf64>
    ```
  }];
  let arguments = (ins Gantk_Vector:$values, Gantk_Matrix:$a, Gantk_Matrix:$b,
                       F64Attr:$lambda);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $values `,` $a `,` $b attr-dict `:` type($values) `,` type($a) `,` type($b)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Matrix-free plan: what gantk-matrix-free produces.
//===----------------------------------------------------------------------===//

def Gantk_GramDiagOp : Gantk_Op<"gram_diag", [Pure]> {
  let summary = "diag(α S Sᵀ) without the Gram matrix";
  let description = [{
    result_i = α ‖S_i‖²: O(N·d) instead of the N × N Gram matrix.

    ```mlir
    %v = gantk.gram_diag %s {alpha = 0.5 : f64} : tensor<12x3xf64> -> tensor<12xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$points, F64Attr:$alpha);
  let results = (outs Gantk_Vector:$result);
  let assemblyFormat = "$points attr-dict `:` type($points) `->` type($result)";
  let hasVerifier = 1;
}

def Gantk_KernelOperatorOp : Gantk_Op<"kernel_operator",
    [Pure, IsolatedFromAbove]> {
  let summary = "K = pairwise(α S Sᵀ) (+ c·tr(K)·I) as an operator, not a matrix";
  let description = [{
    The kernel that `gantk.pairwise` would make from the Gram matrix
    α S Sᵀ and its diagonal `diag`, shifted by `trace_scale`·tr(K)·I, for
    ops that only apply it to blocks. The runtime makes K in row tiles of
    `tile_rows` rows (Gram rows by GEMM, then the per-pair body) and
    accumulates K·V tile by tile, so memory is O(N·(d + tile_rows)) instead
    of N². The body is `gantk.pairwise`'s; gantk-outline-kernels moves it
    into the kernel named by `recursion` (arguments: the tile, `diag`, then
    `maps`), leaving the region empty.

    Over MPI ranks (gantk-distribute-rows) `tile_ranks` names the rank that
    makes each row tile; with `keep_tiles` each rank keeps its tiles for the
    whole step (made at the first product, reused by the others): the
    buffer then holds the most tiles any rank owns, so K is stored split by
    row tiles over the ranks.

    With images (`diag` of N × H × W, maps per point) there is no Gram GEMM:
    the recursion computes each pair's map from the points, which the
    outliner passes as `maps` (S and Sᵀ), with `diag` in the kernels'
    layout H × W × N.

    ```mlir
    %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64,
        trace_scale = 0.0 : f64, tile_rows = 4 : i64}
        : tensor<12x3xf64>, tensor<12xf64> -> !gantk.operator<12, f64> {
    ^bb0(%q12: f64, %q11: f64, %q22: f64):
      gantk.yield %q12 : f64
    }
    ```
  }];
  let arguments = (ins Gantk_Matrix:$points, Gantk_PointVector:$diag,
                       Variadic<Gantk_Matrix>:$maps,
                       F64Attr:$gram_alpha, F64Attr:$trace_scale,
                       I64Attr:$tile_rows,
                       OptionalAttr<FlatSymbolRefAttr>:$recursion,
                       OptionalAttr<DenseI32ArrayAttr>:$tile_ranks,
                       UnitAttr:$keep_tiles);
  let results = (outs Gantk_OperatorType:$result);
  let regions = (region AnyRegion:$body);
  let assemblyFormat = [{
    $points `,` $diag (`maps` `(` $maps^ `:` type($maps) `)`)? attr-dict `:`
    type($points) `,` type($diag) `->` type($result) $body
  }];
  let extraClassDeclaration = [{
    /// The type of the body's values: a float, or a map for an N × H × W
    /// diag.
    ::mlir::Type getPairType() {
      auto diag = ::llvm::cast<::mlir::RankedTensorType>(getDiag().getType());
      if (diag.getRank() == 3)
        return ::mlir::RankedTensorType::get(diag.getShape().drop_front(),
                                             diag.getElementType());
      return diag.getElementType();
    }
    /// Whether the runtime forms the Gram rows of a tile (no maps).
    bool formsGram() { return getMaps().empty(); }
    /// Row tiles of K: ceil(N / tile_rows).
    int64_t getNumTiles() {
      return (getType().getSize() + int64_t(getTileRows()) - 1) /
             int64_t(getTileRows());
    }
    /// Tiles the buffer holds: the most any rank owns with `keep_tiles`,
    /// else one.
    int64_t getKeptTiles();
    /// Elements of the operator's buffer: getKeptTiles() row tiles of K.
    int64_t getTileElements() {
      return getKeptTiles() * int64_t(getTileRows()) * getType().getSize();
    }
  }];
  let hasVerifier = 1;
}

def Gantk_RowTilesOp : Gantk_Op<"row_tiles",
    [RecursiveMemoryEffects, SingleBlock]> {
  let summary = "Runs its body row tile by row tile";
  let description = [{
    The body computes values whose first dimension is `rows` one row at a
    time (each row depends on its own rows of the row-indexed operands
    only), so it runs on tiles of `tile_rows` rows: such values exist one
    tile at a time, and only what the body yields is whole. This is how the
    matrix-free backward makes the R × N rows of G and dL/dK without ever
    holding them. Over MPI ranks `tile_ranks` names the rank that runs each
    tile; the yielded rows are then summed over the ranks (each rank's
    other rows are zero).

    ```mlir
    %dz = gantk.row_tiles {rows = 6 : i64, tile_rows = 2 : i64} : tensor<6x3xf64> {
      %g = gantk.gemm %rows, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true}
          : tensor<6x3xf64>, tensor<12x3xf64> -> tensor<6x12xf64>
      %z = gantk.gemm %g, %s {alpha = 1.0 : f64, trans_a = false, trans_b = false}
          : tensor<6x12xf64>, tensor<12x3xf64> -> tensor<6x3xf64>
      gantk.yield %z : tensor<6x3xf64>
    }
    ```
  }];
  let arguments = (ins I64Attr:$rows, I64Attr:$tile_rows,
                       OptionalAttr<DenseI32ArrayAttr>:$tile_ranks);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict `:` type($results) $body";
  let extraClassDeclaration = [{
    /// Whether `v`, a value of the body, exists one tile at a time: it has
    /// `rows` rows and the body does not yield it.
    bool isTiled(::mlir::Value v);
    /// Elements of the buffer of `v`, a value of the body: one tile
    /// (`tile_rows` rows) when it is tiled, else all of it.
    int64_t bufferElements(::mlir::Value v);
  }];
  let hasVerifier = 1;
}

def Gantk_KrylovExpmOp : Gantk_Op<"krylov_expm", [Pure]> {
  let summary = "U = exp(−λK) Y by block Lanczos (runtime library call)";
  let description = [{
    Block Lanczos with full reorthogonalisation on the columns of Y until the
    projected solution changes by less than `tol` (relative), at most
    `max_iter` blocks; eigenvalues of the projection are clamped at 0.
    Reads the upper triangle of K only.

    ```mlir
    %u = gantk.krylov_expm %k, %y {lambda = 0.7 : f64, tol = 1.0e-06 : f64, max_iter = 100 : i64}
        : tensor<12x12xf64>, tensor<12x1xf64> -> tensor<12x1xf64>
    ```
  }];
  let arguments = (ins Gantk_KernelOrOperator:$kernel, Gantk_Matrix:$rhs,
                       F64Attr:$lambda, F64Attr:$tol, I64Attr:$max_iter);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $kernel `,` $rhs attr-dict `:` type($kernel) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_KrylovExpmGradOp : Gantk_Op<"krylov_expm_grad", [Pure]> {
  let summary = "dL/dK of exp(−λK) Y as low-rank factors A Bᵀ (block Lanczos)";
  let description = [{
    Block Lanczos on [Y, dU]; the Daleckii–Krein formula in the Krylov
    basis gives dL/dK ≈ A Bᵀ with A, B of `rank` columns (the largest terms
    of the symmetric core; the rest is dropped). No N×N eigenbasis exists.
    Reads the upper triangle of K only.

    ```mlir
    %a, %b = gantk.krylov_expm_grad %k, %y, %du {lambda = 0.7 : f64, tol = 1.0e-06 : f64, max_iter = 100 : i64}
        : tensor<12x12xf64>, tensor<12x1xf64>, tensor<12x1xf64> -> tensor<12x8xf64>, tensor<12x8xf64>
    ```
  }];
  let arguments = (ins Gantk_KernelOrOperator:$kernel, Gantk_Matrix:$rhs,
                       Gantk_Matrix:$cotangent, F64Attr:$lambda, F64Attr:$tol,
                       I64Attr:$max_iter);
  let results = (outs Gantk_Matrix:$factor_a, Gantk_Matrix:$factor_b);
  let assemblyFormat = [{
    $kernel `,` $rhs `,` $cotangent attr-dict `:` type($kernel) `,` type($rhs)
    `,` type($cotangent) `->` type($factor_a) `,` type($factor_b)
  }];
  let hasVerifier = 1;
}

def Gantk_KrylovExpmValueGradOp : Gantk_Op<"krylov_expm_value_grad", [Pure]> {
  let summary = "U = exp(−λK) Y and dL/dK as factors, from one block Lanczos run";
  let description = [{
    For a cotangent affine in U, dU = `cotangent` + `cotangent_scale` · U
    (gantk-share-krylov: the squared loss's), the block Krylov space of
    [Y, cotangent] holds Y, U's projection and so dU: one run gives both
    gantk.krylov_expm's result and gantk.krylov_expm_grad's factors for dU,
    iterating until the projected U and exp(−λK) dU both settle.

    ```mlir
    %u, %a, %b = gantk.krylov_expm_value_grad %k, %y, %c {lambda = 0.7 : f64,
        tol = 1.0e-06 : f64, max_iter = 100 : i64, cotangent_scale = 1.0 : f64}
        : tensor<12x12xf64>, tensor<12x1xf64>, tensor<12x1xf64>
        -> tensor<12x1xf64>, tensor<12x8xf64>, tensor<12x8xf64>
    ```
  }];
  let arguments = (ins Gantk_KernelOrOperator:$kernel, Gantk_Matrix:$rhs,
                       Gantk_Matrix:$cotangent, F64Attr:$lambda, F64Attr:$tol,
                       I64Attr:$max_iter, F64Attr:$cotangent_scale);
  let results = (outs Gantk_Matrix:$result, Gantk_Matrix:$factor_a,
                      Gantk_Matrix:$factor_b);
  let assemblyFormat = [{
    $kernel `,` $rhs `,` $cotangent attr-dict `:` type($kernel) `,`
    type($rhs) `,` type($cotangent) `->` type($result) `,` type($factor_a)
    `,` type($factor_b)
  }];
  let hasVerifier = 1;
}

def Gantk_AddFactorTraceOp : Gantk_Op<"add_factor_trace", [Pure]> {
  let summary = "Rows of M + scale · tr(A Bᵀ) · I";
  let description = [{
    The eig_reg adjoint on the rows [row_offset, row_offset + R) of a
    cotangent formed from low-rank factors: tr(A Bᵀ) = Σ_k a_k · b_k costs
    O(N·r), and the N × N product is never formed.

    ```mlir
    %r = gantk.add_factor_trace %m, %a, %b {scale = 1.0e-06 : f64, row_offset = 6 : i64}
        : tensor<6x12xf64>, tensor<12x8xf64>, tensor<12x8xf64> -> tensor<6x12xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$input, Gantk_Matrix:$a, Gantk_Matrix:$b,
                       F64Attr:$scale, I64Attr:$row_offset);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $input `,` $a `,` $b attr-dict `:` type($input) `,` type($a) `,` type($b)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_EighRanksOp : Gantk_Op<"eigh_ranks", [Pure]> {
  let summary = "K's eigendecomposition over MPI ranks (ScaLAPACK p?syevd)";
  let description = [{
    The dense plan of a step split over ranks (gantk-dense-over-ranks). K is
    the operator's, made in its kept row tiles (tile t on rank t mod P) and
    shifted by its trace_scale; `vectors` is Qᵀ (row j the eigenvector of
    `values[j]`, ascending) and, like K, is stored by row tiles: each rank
    holds only its tiles' rows, so its buffer is the operator's kept tiles'
    size, not N × N.

    ```mlir
    %qt, %mu = gantk.eigh_ranks %k : !gantk.operator<12, f64> -> tensor<12x12xf64>, tensor<12xf64>
    ```
  }];
  let arguments = (ins Gantk_OperatorType:$kernel);
  let results = (outs Gantk_Matrix:$vectors, Gantk_Vector:$values);
  let assemblyFormat = [{
    $kernel attr-dict `:` type($kernel) `->` type($vectors) `,` type($values)
  }];
  let extraClassDeclaration = [{
    /// The operator that made K (and whose row tiles `vectors` shares).
    KernelOperatorOp getOperator();
    /// Elements of `vectors`' buffer on one rank: the operator's kept tiles.
    int64_t getVectorsElements();
  }];
  let hasVerifier = 1;
}

def Gantk_ExpmRanksOp : Gantk_Op<"expm_ranks", [Pure]> {
  let summary = "U = exp(−λK) Y from eigh_ranks' eigenpairs";
  let description = [{
    Q exp(−λ max(μ, 0)) Qᵀ Y, each rank's eigenvectors' part summed over the
    ranks: the same U, to the bit, on every rank.

    ```mlir
    %u = gantk.expm_ranks %qt, %mu, %y {lambda = 0.7 : f64}
        : tensor<12x12xf64>, tensor<12xf64>, tensor<12x1xf64> -> tensor<12x1xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$vectors, Gantk_Vector:$values,
                       Gantk_Matrix:$rhs, F64Attr:$lambda);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $vectors `,` $values `,` $rhs attr-dict `:` type($vectors) `,`
    type($values) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Gantk_ExpmGradRowsRanksOp : Gantk_Op<"expm_grad_rows_ranks", [Pure]> {
  let summary = "Rows of dL/dK of exp(−λK) Y, by row tiles over MPI ranks";
  let description = [{
    dL/dK = Q M Qᵀ + trace_scale · tr(Q M Qᵀ) · I, M the Daleckii–Krein
    matrix of Qᵀ cotangent and Qᵀ Y (as the one-process dense plan), formed
    by ScaLAPACK p?gemm over the ranks; the result is its rows
    [row_offset, row_offset + R), stored by the row tiles of the backward
    that reads them (`tile_rows`, `tile_ranks`): each rank holds only its
    tiles' rows.

    ```mlir
    %d = gantk.expm_grad_rows_ranks %qt, %mu, %y, %du {lambda = 0.7 : f64,
        trace_scale = 0.0 : f64, row_offset = 6 : i64, tile_rows = 2 : i64,
        tile_ranks = array<i32: 0, 1, 0>}
        : tensor<12x12xf64>, tensor<12xf64>, tensor<12x1xf64>, tensor<12x1xf64> -> tensor<6x12xf64>
    ```
  }];
  let arguments = (ins Gantk_Matrix:$vectors, Gantk_Vector:$values,
                       Gantk_Matrix:$rhs, Gantk_Matrix:$cotangent,
                       F64Attr:$lambda, F64Attr:$trace_scale,
                       I64Attr:$row_offset, I64Attr:$tile_rows,
                       DenseI32ArrayAttr:$tile_ranks);
  let results = (outs Gantk_Matrix:$result);
  let assemblyFormat = [{
    $vectors `,` $values `,` $rhs `,` $cotangent attr-dict `:`
    type($vectors) `,` type($values) `,` type($rhs) `,` type($cotangent)
    `->` type($result)
  }];
  let extraClassDeclaration = [{
    /// Elements of the result's buffer on one rank: the most row tiles any
    /// rank holds.
    int64_t getLocalElements();
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Dispatch level: what gantk-outline-kernels produces.
//===----------------------------------------------------------------------===//

def Gantk_DispatchOp : Gantk_Op<"dispatch",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Runs an outlined kernel over an index range";
  let description = [{
    Calls the kernel function `kernel` (operands, then results, as memrefs)
    on [0, range), split over threads when `parallel`. `tied[r]` names the
    operand whose buffer result r may reuse (−1: a fresh buffer); the kernel
    is written so that in-place execution is correct. With `in_place` the
    kernel writes its tied results through the operand itself (one pointer,
    so LLVM vectorises it) and the memory plan must honour every tie.

    ```mlir
    %r = gantk.dispatch @add_trace_diag_0(%k) {range = 1 : i64, parallel = false,
        tied = array<i64: 0>} : (tensor<12x12xf64>) -> tensor<12x12xf64>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$kernel,
                       Variadic<AnyRankedTensor>:$args, I64Attr:$range,
                       BoolAttr:$parallel, DenseI64ArrayAttr:$tied,
                       UnitAttr:$in_place);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $kernel `(` $args `)` attr-dict `:` functional-type($args, $results)
  }];
  let hasVerifier = 1;
}

#endif // GANTK_OPS_TD
