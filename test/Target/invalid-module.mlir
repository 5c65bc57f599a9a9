// RUN: not %gantk compile %s -o %t.bin 2>&1 | FileCheck %s
// A module is verified before anything else: its errors name the .mlir
// file, line and column, and the status is 1 (bad input).
// RUN: sh -c '%gantk compile %s -o %t.bin; echo "exit=$?"' 2>&1 | FileCheck %s --check-prefix=STATUS
// STATUS: exit=1
module attributes {gantk.data = #gantk.data<source = gaussian_grid>} {
  func.func @step(%x: tensor<2x2xf64>, %z: tensor<2x2xf64>) -> tensor<f64> attributes {gantk.differentiate} {
    %s = gantk.stack %x, %z : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<4x2xf64>
    %k0 = gantk.input %s : tensor<4x2xf64> -> !gantk.kernel<4, f64>
    // CHECK: invalid-module.mlir:[[@LINE+1]]:11: error: 'gantk.abrelu' op needs a Gaussian input: an affine layer (gantk.dense) right before it
    %k1 = gantk.abrelu %k0 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
    %K = gantk.nngp %k1 : !gantk.kernel<4, f64> -> tensor<4x4xf64>
    %y = gantk.labels {num_real = 2 : i64} : tensor<4x1xf64>
    %u = gantk.expm_action %K, %y {eig_reg = 0.0 : f64, lambda = 1.0 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
    %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<f64>
    return %l : tensor<f64>
  }
}
