// RUN: gantk-opt %s -gantk-matrix-free=tile-rows=1 -gantk-distribute-rows="ranks=3 cyclic=true" -gantk-dense-over-ranks | FileCheck %s

// The matrix-free step of test/Transforms/gantk-distribute-rows.mlir (N = 4,
// the backward's R = 2 rows) over 3 ranks with the dense solver: the row
// tiles are dealt cyclically (tile t to rank t mod 3, ScaLAPACK's layout)
// and kept; one eigendecomposition over the ranks serves the value and the
// gradient, whose rows of dL/dK (with the eig_reg trace term) the row tiles
// read in place of the low-rank factors' product.
// CHECK: module attributes {gantk.ranks = 3 : i64}
// CHECK: %[[OP:.*]] = gantk.kernel_operator {{.*}}keep_tiles, tile_ranks = array<i32: 0, 1, 2, 0>, tile_rows = 1 : i64
// CHECK: %[[QT:.*]], %[[MU:.*]] = gantk.eigh_ranks %[[OP]] : <4, f64> -> tensor<4x4xf64>, tensor<4xf64>
// CHECK: %[[Y:.*]] = gantk.labels
// CHECK: %[[U:.*]] = gantk.expm_ranks %[[QT]], %[[MU]], %[[Y]] {lambda = 0.69999999999999996 : f64}
// CHECK: %[[DU:.*]] = gantk.loss_grad %[[U]], %[[Y]]
// CHECK: %[[ROWS:.*]] = gantk.expm_grad_rows_ranks %[[QT]], %[[MU]], %[[Y]], %[[DU]] {lambda = 0.69999999999999996 : f64, row_offset = 2 : i64, tile_ranks = array<i32: 0, 1>, tile_rows = 1 : i64, trace_scale = 2.500000e-01 : f64} : {{.*}} -> tensor<2x4xf64>
// CHECK: gantk.row_tiles {rows = 2 : i64, tile_ranks = array<i32: 0, 1>, tile_rows = 1 : i64}
// CHECK-NOT: gantk.add_factor_trace
// CHECK: gantk.pairwise_grad %{{.*}}, %{{.*}}, %[[ROWS]] {row_offset = 2 : i64}
// CHECK-NOT: krylov

func.func @step(%x: tensor<2x2xf64>, %z: tensor<2x2xf64>) -> (tensor<4x1xf64>, tensor<2x2xf64>) {
  %s = gantk.stack %x, %z : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<4x2xf64>
  %g = gantk.gemm %s, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<4x2xf64>, tensor<4x2xf64> -> tensor<4x4xf64>
  %v = gantk.diag %g : tensor<4x4xf64> -> tensor<4xf64>
  %k = gantk.pairwise %g, %v : tensor<4x4xf64>, tensor<4xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    %p = arith.mulf %q11, %q22 : f64
    %r = arith.addf %q12, %p : f64
    gantk.yield %r : f64
  }
  %ks = gantk.add_trace_diag %k {scale = 0.25 : f64} : tensor<4x4xf64>
  %y = gantk.labels {num_real = 2 : i64} : tensor<4x1xf64>
  %u = gantk.krylov_expm %ks, %y {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %du = gantk.loss_grad %u, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %a, %b = gantk.krylov_expm_grad %ks, %y, %du {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>, tensor<4x4xf64>
  %srows = tensor.extract_slice %s[2, 0] [2, 2] [1, 1] : tensor<4x2xf64> to tensor<2x2xf64>
  %grows = gantk.gemm %srows, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<2x2xf64>, tensor<4x2xf64> -> tensor<2x4xf64>
  %arows = tensor.extract_slice %a[2, 0] [2, 4] [1, 1] : tensor<4x4xf64> to tensor<2x4xf64>
  %crows = gantk.gemm %arows, %b {alpha = 1.0 : f64, trans_a = false, trans_b = true} : tensor<2x4xf64>, tensor<4x4xf64> -> tensor<2x4xf64>
  %ct = gantk.add_factor_trace %crows, %a, %b {scale = 0.25 : f64, row_offset = 2 : i64} : tensor<2x4xf64>, tensor<4x4xf64>, tensor<4x4xf64> -> tensor<2x4xf64>
  %dg, %dv = gantk.pairwise_grad %grows, %v, %ct {row_offset = 2 : i64} : tensor<2x4xf64>, tensor<4xf64>, tensor<2x4xf64> -> tensor<2x4xf64>, tensor<2xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64, %c: f64):
    %d11 = arith.mulf %c, %q22 : f64
    %d22 = arith.mulf %c, %q11 : f64
    gantk.yield %c, %d11, %d22 : f64, f64, f64
  }
  %dgd = gantk.add_diag %dg, %dv {row_offset = 2 : i64} : tensor<2x4xf64>, tensor<2xf64> -> tensor<2x4xf64>
  %dz = gantk.gemm %dgd, %s {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<2x4xf64>, tensor<4x2xf64> -> tensor<2x2xf64>
  return %u, %dz : tensor<4x1xf64>, tensor<2x2xf64>
}


