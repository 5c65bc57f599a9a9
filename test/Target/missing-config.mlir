// RUN: not %gantk compile %s -o %t.bin 2>&1 | FileCheck %s
// An artifact needs the module's data settings: without them the writer
// says so (the graph itself compiles: --emit=lowered works).
// RUN: %gantk compile %s --emit=lowered | FileCheck %s --check-prefix=LOWERED
// CHECK: missing-config.mlir:[[@LINE+2]]:1: error: the module has no 'gantk.data' attribute, which the artifact needs (the front end sets it from the spec)
// LOWERED: gantk.eigh
module {
  func.func @step(%x: tensor<2x2xf64>, %z: tensor<2x2xf64>) -> tensor<f64> attributes {gantk.differentiate} {
    %s = gantk.stack %x, %z : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<4x2xf64>
    %k0 = gantk.input %s : tensor<4x2xf64> -> !gantk.kernel<4, f64>
    %k1 = gantk.dense %k0 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
    %K = gantk.ntk %k1 : !gantk.kernel<4, f64> -> tensor<4x4xf64>
    %y = gantk.labels {num_real = 2 : i64} : tensor<4x1xf64>
    %u = gantk.expm_action %K, %y {eig_reg = 0.0 : f64, lambda = 1.0 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
    %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<f64>
    return %l : tensor<f64>
  }
}
