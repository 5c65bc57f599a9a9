//===- GantkInterfaces.td - gantk op interfaces ------------*- tablegen -*-===//

#ifndef GANTK_INTERFACES_TD
#define GANTK_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Gantk_LayerOpInterface : OpInterface<"LayerOpInterface"> {
  let cppNamespace = "::gantk";
  let description = [{
    A layer of the infinitely wide network. It takes and returns a
    `!gantk.kernel` state; what it does to that state is its *pair rule*:
    the update of one pair (i, j) — Σ_ij, Θ_ij and the variances v_i, v_j
    (the diagonal that the next nonlinearity reads) — as arith/math IR over
    values of the pair type (a float now; a spatial field for convolutions).
    gantk-fuse-recursion chains the rules of all layers into one per-pair
    program, so a new layer is its op and its rule: no pass lists layers.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the layer's rule on the state of one pair (NTK_SPEC.md) at the
        builder's insertion point and returns the state after the layer.
        `in.ntk` is null while Θ = 0 (before the first affine layer).
      }],
      "::gantk::PairState", "buildPairRule",
      (ins "::gantk::ScalarBuilder &":$builder,
           "const ::gantk::PairState &":$in)>,
    InterfaceMethod<[{
        Whether the rule needs a Gaussian input, i.e. an affine layer right
        before it (the elementwise nonlinearities).
      }],
      "bool", "requiresGaussianInput", (ins)>,
    InterfaceMethod<[{
        Whether the layer's output is Gaussian (the affine layers), which a
        nonlinearity or the NTK readout needs.
      }],
      "bool", "hasGaussianOutput", (ins)>,
    InterfaceMethod<[{
        Floating-point operations of the rule per pair (and per position of
        a spatial state), counting a special function (atan2, exp, erf) as
        one: the cost model of a per-pair kernel.
      }],
      "int64_t", "getPairFlops", (ins), [{}],
      [{ return ::gantk::countPairRuleFlops($_op); }]>,
    InterfaceMethod<[{
        Values of the pair type that one pair's state needs while the rule
        runs, beyond its four (Σ, Θ, v_i, v_j): 0 for a rule of registers,
        the tape of a loop over layers (its backward re-reads each
        iteration's input state).
      }],
      "int64_t", "getPairScratch", (ins), [{}], [{ return 0; }]>,
  ];
  let verify = [{ return ::gantk::verifyLayerOp($_op); }];
}

#endif // GANTK_INTERFACES_TD
