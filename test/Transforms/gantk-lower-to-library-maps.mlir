// RUN: gantk-opt %s -split-input-file -gantk-lower-to-library | FileCheck %s

// The gram of maps (rank 4: N x N x H x W) is never stored, and is not a
// GEMM: its kernels compute each pair's map from the points, so it stays.
// The flat gram of the same points is one GEMM with alpha = 1/d (d = 8).
// CHECK-LABEL: func.func @grams
// CHECK-SAME: (%[[S:.*]]: tensor<4x8xf64>)
// CHECK-NEXT: %[[M:.*]] = gantk.gram %[[S]] : tensor<4x8xf64> -> tensor<4x4x2x2xf64>
// CHECK-NEXT: %[[G:.*]] = gantk.gemm %[[S]], %[[S]] {alpha = 1.250000e-01 : f64, trans_a = false, trans_b = true} : tensor<4x8xf64>, tensor<4x8xf64> -> tensor<4x4xf64>
// CHECK-NEXT: return %[[M]], %[[G]]
func.func @grams(%s: tensor<4x8xf64>) -> (tensor<4x4x2x2xf64>, tensor<4x4xf64>) {
  %m = gantk.gram %s : tensor<4x8xf64> -> tensor<4x4x2x2xf64>
  %g = gantk.gram %s : tensor<4x8xf64> -> tensor<4x4xf64>
  return %m, %g : tensor<4x4x2x2xf64>, tensor<4x4xf64>
}

// -----

// On maps the backward of the generated rows [2, 4) is narrowed to those
// rows like the flat one (R x N x H x W of dG, R x H x W of dv, add_diag at
// row_offset 2), and gram_grad of a cotangent of maps stays: it is fused
// into the map kernels' backward, not a GEMM.
// CHECK-LABEL: func.func @backward
// CHECK-SAME: (%[[S:.*]]: tensor<4x8xf64>, %[[C:.*]]: tensor<4x4xf64>)
// CHECK-NEXT: %[[G:.*]] = gantk.gram %[[S]] : tensor<4x8xf64> -> tensor<4x4x2x2xf64>
// CHECK-NEXT: %[[V:.*]] = gantk.diag %[[G]]
// CHECK-NEXT: %[[DG:.*]], %[[DV:.*]] = gantk.pairwise_grad %[[G]], %[[V]], %[[C]] {row_offset = 2 : i64} : tensor<4x4x2x2xf64>, tensor<4x2x2xf64>, tensor<4x4xf64> -> tensor<2x4x2x2xf64>, tensor<2x2x2xf64> {
// CHECK: gantk.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[R:.*]] = gantk.add_diag %[[DG]], %[[DV]] {row_offset = 2 : i64} : tensor<2x4x2x2xf64>, tensor<2x2x2xf64> -> tensor<2x4x2x2xf64>
// CHECK-NEXT: %[[DZ:.*]] = gantk.gram_grad %[[S]], %[[R]] {row_offset = 2 : i64} : tensor<4x8xf64>, tensor<2x4x2x2xf64> -> tensor<2x8xf64>
// CHECK-NEXT: return %[[DZ]]
// CHECK-NOT: gantk.gemm
func.func @backward(%s: tensor<4x8xf64>, %c: tensor<4x4xf64>) -> tensor<2x8xf64> {
  %g = gantk.gram %s : tensor<4x8xf64> -> tensor<4x4x2x2xf64>
  %v = gantk.diag %g : tensor<4x4x2x2xf64> -> tensor<4x2x2xf64>
  %dg, %dv = gantk.pairwise_grad %g, %v, %c : tensor<4x4x2x2xf64>, tensor<4x2x2xf64>, tensor<4x4xf64> -> tensor<4x4x2x2xf64>, tensor<4x2x2xf64> {
  ^bb0(%q12: tensor<2x2xf64>, %q11: tensor<2x2xf64>, %q22: tensor<2x2xf64>, %cc: f64):
    %s12 = tensor.splat %cc : tensor<2x2xf64>
    gantk.yield %s12, %q22, %q11 : tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xf64>
  }
  %r = gantk.add_diag %dg, %dv : tensor<4x4x2x2xf64>, tensor<4x2x2xf64> -> tensor<4x4x2x2xf64>
  %dz = gantk.gram_grad %s, %r {row_offset = 2 : i64} : tensor<4x8xf64>, tensor<4x4x2x2xf64> -> tensor<2x8xf64>
  return %dz : tensor<2x8xf64>
}
