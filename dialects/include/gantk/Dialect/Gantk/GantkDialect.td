//===- GantkDialect.td - gantk dialect definition ----------*- tablegen -*-===//

#ifndef GANTK_DIALECT_TD
#define GANTK_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Gantk_Dialect : Dialect {
  let name = "gantk";
  let summary = "Kernel-space dataflow of GA-NTK";
  let description = [{
    The `gantk` dialect models one GA-NTK step as dataflow over kernel
    matrices. A `!gantk.kernel` value (the NNGP Σ, the NTK Θ and the row
    variances of N points) flows from `gantk.input` through layer ops to
    `gantk.ntk`; the matrix-exponential action and the loss consume the N×N
    kernel. Passes fuse the layer recursion into one per-pair scalar program
    (`gantk.pairwise`), derive the reverse-mode gradient, lower the
    exponential action to library calls (GEMM, symmetric eigensolver) and
    outline the remaining elementwise work into kernels.
  }];
  let cppNamespace = "::gantk";
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// The module attributes that carry the spec's run configuration.
    static constexpr ::llvm::StringLiteral getDataAttrName() {
      return ::llvm::StringLiteral("gantk.data");
    }
    static constexpr ::llvm::StringLiteral getTrainAttrName() {
      return ::llvm::StringLiteral("gantk.train");
    }
    static constexpr ::llvm::StringLiteral getOutputAttrName() {
      return ::llvm::StringLiteral("gantk.output");
    }
    /// The objective's training time λ (after `normalized`), an f64 on the
    /// module: the runtime reports λ times K's extreme eigenvalues when the
    /// loss is frozen.
    /// GA-NTKg: the generator's widths (the latent's first) and
    /// activations, {widths = array<i64: ...>, activations = [...]}, for the
    /// artifact (θ's initialisation, sampling).
    static constexpr ::llvm::StringLiteral getGeneratorAttrName() {
      return ::llvm::StringLiteral("gantk.generator");
    }
    static constexpr ::llvm::StringLiteral getLambdaAttrName() {
      return ::llvm::StringLiteral("gantk.lambda");
    }
  }];
  // Pair rules are arith/math IR; a repeated layer's rule is an scf.for.
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

class Gantk_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Gantk_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def Gantk_KernelType : Gantk_Type<"Kernel", "kernel"> {
  let summary = "Kernel state of N points through a layer";
  let description = [{
    The state of the infinite-width recursion after some layer for N points:
    per pair (i, j) the NNGP covariance Σ_ij and the NTK Θ_ij, per point the
    variance v_i. `elementType` is the precision of the computation.
    `spatial` ([H, W]) is set while the layers keep images: then each pair
    carries a map over the H × W positions (the spatial diagonal of the
    covariance, NTK_SPEC "Convolutions"); empty once flattened.

    ```mlir
    !gantk.kernel<12, f64>
    !gantk.kernel<12, f64, [28, 28]>
    ```
  }];
  let parameters = (ins "int64_t":$size, "::mlir::FloatType":$elementType,
                        OptionalArrayRefParameter<"int64_t">:$spatial);
  let assemblyFormat = "`<` $size `,` $elementType (`,` `[` $spatial^ `]`)? `>`";
  let builders = [
    TypeBuilder<(ins "int64_t":$size, "::mlir::FloatType":$elementType), [{
      return $_get($_ctxt, size, elementType, ::llvm::ArrayRef<int64_t>());
    }]>
  ];
  let skipDefaultBuilders = 0;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool isSpatial() { return !getSpatial().empty(); }
    /// The type of one pair's values: the element type, or a tensor of the
    /// spatial shape.
    ::mlir::Type getPairType() {
      if (!isSpatial())
        return getElementType();
      return ::mlir::RankedTensorType::get(getSpatial(), getElementType());
    }
    /// The same state with another spatial shape (empty: flat).
    KernelType withSpatial(::llvm::ArrayRef<int64_t> shape) {
      return KernelType::get(getContext(), getSize(), getElementType(), shape);
    }
  }];
}

def Gantk_OperatorType : Gantk_Type<"Operator", "operator"> {
  let summary = "An N × N kernel matrix that is applied, never stored";
  let description = [{
    The matrix-free kernel of N points: ops that take it (the Krylov
    actions) only need K·V, which `gantk.kernel_operator` forms from row
    tiles of K made on the fly.

    ```mlir
    !gantk.operator<12, f64>
    ```
  }];
  let parameters = (ins "int64_t":$size, "::mlir::FloatType":$elementType);
  let assemblyFormat = "`<` $size `,` $elementType `>`";
  let genVerifyDecl = 1;
}

#endif // GANTK_DIALECT_TD
