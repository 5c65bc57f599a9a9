// RUN: gantk-opt %s -gantk-matrix-free=tile-rows=1 -gantk-distribute-rows=ranks=3 | FileCheck %s
// RUN: gantk-opt %s -gantk-matrix-free=tile-rows=1 -gantk-distribute-rows="ranks=2 keep-tiles=false" | FileCheck %s --check-prefix=RECOMPUTE

// The matrix-free step of test/Transforms/gantk-matrix-free.mlir (N = 4,
// the backward's R = 2 rows) in tiles of one row, over 3 ranks: K's four
// row tiles go 0, 1, 2, then 2 (the zigzag turns at the last rank), the
// backward's two tiles 0, 1; each rank keeps its tiles of K, and the module
// records the ranks for the artifact.
// CHECK: module attributes {gantk.ranks = 3 : i64}
// CHECK: gantk.kernel_operator {{.*}}keep_tiles, tile_ranks = array<i32: 0, 1, 2, 2>, tile_rows = 1 : i64
// CHECK: gantk.row_tiles {rows = 2 : i64, tile_ranks = array<i32: 0, 1>, tile_rows = 1 : i64}
// Over 2 ranks without kept tiles: 0, 1, 1, 0 and K remade every product.
// RECOMPUTE: module attributes {gantk.ranks = 2 : i64}
// RECOMPUTE-NOT: keep_tiles
// RECOMPUTE: gantk.kernel_operator {{.*}}tile_ranks = array<i32: 0, 1, 1, 0>, tile_rows = 1 : i64
// RECOMPUTE: gantk.row_tiles {rows = 2 : i64, tile_ranks = array<i32: 0, 1>, tile_rows = 1 : i64}

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


