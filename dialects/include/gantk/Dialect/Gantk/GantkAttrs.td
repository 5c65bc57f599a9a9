//===- GantkAttrs.td - gantk enums and attributes ----------*- tablegen -*-===//
//
// Every choice a spec makes is an enum here, and everything the artifact
// needs from the spec besides the graph (data, optimiser loop, outputs,
// memory budget) is a typed attribute on the module, so that a `.mlir`
// module alone compiles to an artifact.
//
//===----------------------------------------------------------------------===//

#ifndef GANTK_ATTRS_TD
#define GANTK_ATTRS_TD

include "gantk/Dialect/Gantk/GantkDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums: spelled in IR as in the spec language (`#gantk.solver<krylov>`).
//===----------------------------------------------------------------------===//

class Gantk_Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let cppNamespace = "::gantk";
  let genSpecializedAttr = 0;
}

class Gantk_EnumAttr<EnumAttrInfo info, string mnemonic>
    : EnumAttr<Gantk_Dialect, info, mnemonic> {
  let assemblyFormat = "`<` $value `>`";
}

def Gantk_Solver : Gantk_Enum<"Solver",
    "how exp(−λK) Y and its gradient are computed", [
  I32EnumAttrCase<"Auto", 0, "auto">,
  I32EnumAttrCase<"Dense", 1, "dense">,
  I32EnumAttrCase<"Krylov", 2, "krylov">]>;
def Gantk_SolverAttr : Gantk_EnumAttr<Gantk_Solver, "solver">;

def Gantk_Loss : Gantk_Enum<"Loss", "the GA-NTK loss", [
  I32EnumAttrCase<"Squared", 0, "squared">,
  I32EnumAttrCase<"CrossEntropy", 1, "cross_entropy">]>;
def Gantk_LossAttr : Gantk_EnumAttr<Gantk_Loss, "loss">;

def Gantk_Optimizer : Gantk_Enum<"Optimizer", "the optimiser of Z", [
  I32EnumAttrCase<"GD", 0, "gd">,
  I32EnumAttrCase<"Adam", 1, "adam">]>;

def Gantk_Init : Gantk_Enum<"Init", "the distribution of the initial Z", [
  I32EnumAttrCase<"Uniform", 0, "uniform">,
  I32EnumAttrCase<"Normal", 1, "normal">]>;

def Gantk_Plot : Gantk_Enum<"Plot", "the picture written with the samples", [
  I32EnumAttrCase<"None", 0, "none">,
  I32EnumAttrCase<"Scatter", 1, "scatter">,
  I32EnumAttrCase<"Grid", 2, "grid">]>;

def Gantk_Padding : Gantk_Enum<"Padding",
    "border of a window", [
  I32EnumAttrCase<"Same", 0, "same">,
  I32EnumAttrCase<"Valid", 1, "valid">,
  I32EnumAttrCase<"Circular", 2, "circular">]>;
def Gantk_PaddingAttr : Gantk_EnumAttr<Gantk_Padding, "padding">;

def Gantk_Scale : Gantk_Enum<"Scale", "how the real data is scaled", [
  I32EnumAttrCase<"None", 0, "none">,
  I32EnumAttrCase<"Unit", 1, "unit">]>;

def Gantk_DataSource : Gantk_Enum<"DataSource", "where the real data comes from", [
  I32EnumAttrCase<"GaussianGrid", 0, "gaussian_grid">,
  I32EnumAttrCase<"GaussianRing", 1, "gaussian_ring">,
  I32EnumAttrCase<"Npy", 2, "npy">,
  I32EnumAttrCase<"Idx", 3, "idx">,
  I32EnumAttrCase<"Images", 4, "images">]>;

//===----------------------------------------------------------------------===//
// Run configuration attributes (on the module: gantk.data, gantk.train,
// gantk.output).
//===----------------------------------------------------------------------===//

/// A double (as an APFloat, which hashes), printed so that it parses back
/// to the same bits.
class Gantk_F64Parameter<string desc, string value = "">
    : APFloatParameter<desc> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::llvm::APFloat> {
    double value;
    if ($_parser.parseFloat(value))
      return ::mlir::failure();
    return ::llvm::APFloat(value);
  }() }];
  let printer = [{ $_printer.printFloat($_self) }];
  let defaultValue = !if(!empty(value), "", "::llvm::APFloat(" # value # ")");
}

/// true or false.
class Gantk_BoolParameter<string desc, string value>
    : AttrOrTypeParameter<"bool", desc> {
  let parser = [{ [&]() -> ::mlir::FailureOr<bool> {
    if (::mlir::succeeded($_parser.parseOptionalKeyword("true")))
      return true;
    if (::mlir::succeeded($_parser.parseOptionalKeyword("false")))
      return false;
    return $_parser.emitError($_parser.getCurrentLocation(),
                              "expected true or false");
  }() }];
  let printer = [{ $_printer << ($_self ? "true" : "false") }];
  let defaultValue = value;
}

/// [d0, d1, ...]: a shape, bracketed so that it reads as one value.
class Gantk_ShapeParameter<string desc>
    : OptionalArrayRefParameter<"int64_t", desc> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::llvm::SmallVector<int64_t>> {
    ::llvm::SmallVector<int64_t> dims;
    if ($_parser.parseCommaSeparatedList(
            ::mlir::AsmParser::Delimiter::Square,
            [&]() { return $_parser.parseInteger(dims.emplace_back()); }))
      return ::mlir::failure();
    return dims;
  }() }];
  let printer = [{
    $_printer << '[';
    ::llvm::interleaveComma($_self, $_printer);
    $_printer << ']';
  }];
}

class Gantk_Attr<string name, string attrMnemonic>
    : AttrDef<Gantk_Dialect, name> {
  let mnemonic = attrMnemonic;
  let assemblyFormat = "`<` struct(params) `>`";
}

def Gantk_DataAttr : Gantk_Attr<"Data", "data"> {
  let summary = "The real data: its source, scaling and image shape";
  let description = [{
    What the runtime loads as X. `path` is for the file sources (resolved
    against the spec's directory; for `images`, a folder of PNG files), `label` keeps one IDX class (−1: all),
    `size`, `spacing` and `std` describe the synthetic mixtures (`size` is
    the number of modes per side of a grid, or of a ring). `image` is
    [H, W, C] for image data (empty otherwise): it decides how samples are
    drawn.

    ```mlir
    #gantk.data<source = npy, path = "x.npy", scale = unit, image = [28, 28, 1]>
    ```
  }];
  let parameters = (ins
    "::gantk::DataSource":$source,
    StringRefParameter<"file of the npy/idx sources, folder of images",
                       "\"\"">:$path,
    DefaultValuedParameter<"int64_t", "-1", "idx: the only class kept">:$label,
    DefaultValuedParameter<"int64_t", "5", "modes per grid side or ring">:$size,
    Gantk_F64Parameter<"grid spacing or ring radius", "1.0">:$spacing,
    Gantk_F64Parameter<"standard deviation of each mode", "0.05">:$std,
    DefaultValuedParameter<"::gantk::Scale", "::gantk::Scale::Unit",
                           "scaling of the real data">:$scale,
    Gantk_ShapeParameter<"[H, W, C] of image data">:$image
  );
  let genVerifyDecl = 1;
}

def Gantk_TrainAttr : Gantk_Attr<"Train", "train"> {
  let summary = "The optimiser loop on Z and the step's memory budget";
  let description = [{
    `memory_budget` is in bytes (0: none): the compiler takes the fastest
    plan of a step that fits. Batch-wise GA-NTK (`objective { batch = b }`)
    sets `real_rows` and `fake_rows`: the rows of the whole X and Z that
    each step draws its b/2 + b/2 rows from (0: the step's X and Z are all
    of them), and `epoch` when the draws go through the rows in shuffled
    passes instead of independently per step. `loc` is where the spec sets
    these (its `train` block), for diagnostics about them.

    ```mlir
    #gantk.train<optimizer = adam, lr = 3.0e-03, clip = true, clip_lo = 0.0,
                 clip_hi = 1.0, steps = 500, seed = 0, init = uniform>
    ```
  }];
  let parameters = (ins
    DefaultValuedParameter<"::gantk::Optimizer", "::gantk::Optimizer::GD",
                           "the optimiser">:$optimizer,
    Gantk_F64Parameter<"learning rate", "1.0">:$lr,
    Gantk_BoolParameter<"clip Z to [clip_lo, clip_hi]", "false">:$clip,
    Gantk_F64Parameter<"lower clip bound", "0.0">:$clip_lo,
    Gantk_F64Parameter<"upper clip bound", "1.0">:$clip_hi,
    Gantk_F64Parameter<"Adam β1", "0.9">:$beta1,
    Gantk_F64Parameter<"Adam β2", "0.999">:$beta2,
    Gantk_F64Parameter<"Adam ε", "1.0e-8">:$eps,
    DefaultValuedParameter<"int64_t", "100", "optimiser steps">:$steps,
    DefaultValuedParameter<"uint64_t", "0", "seed of the data and of Z">:$seed,
    DefaultValuedParameter<"::gantk::Init", "::gantk::Init::Uniform",
                           "distribution of the initial Z">:$init,
    Gantk_F64Parameter<"bytes one step may use (0: no limit)", "0.0">:$memory_budget,
    DefaultValuedParameter<"int64_t", "0",
                           "batch-wise: rows of the whole X (0: none)">:$real_rows,
    DefaultValuedParameter<"int64_t", "0",
                           "batch-wise: rows of the whole Z (0: none)">:$fake_rows,
    Gantk_BoolParameter<"batch-wise: shuffled passes over the rows",
                        "false">:$epoch,
    OptionalParameter<"::mlir::LocationAttr",
                      "where the spec sets these">:$loc
  );
  let genVerifyDecl = 1;
}

def Gantk_OutputAttr : Gantk_Attr<"Output", "output"> {
  let summary = "Where the samples go and how progress is shown";
  let description = [{
    ```mlir
    #gantk.output<dir = "out", plot = scatter, every = 10,
                  checkpoint_every = 100>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"output directory", "\"out\"">:$dir,
    DefaultValuedParameter<"::gantk::Plot", "::gantk::Plot::None",
                           "picture of the samples">:$plot,
    DefaultValuedParameter<"int64_t", "10",
                           "outputs and a progress line every this many "
                           "steps">:$every,
    DefaultValuedParameter<"int64_t", "0",
                           "a checkpoint every this many steps (0: none)">
        :$checkpoint_every
  );
  let genVerifyDecl = 1;
}

#endif // GANTK_ATTRS_TD
