// RUN: gantk-opt %s -split-input-file -verify-diagnostics -gantk-matrix-free=tile-rows=3 | FileCheck %s

// A Krylov step after gantk-lower-to-library{recompute-rows}, N = 4 points
// (n = 2 real, 2 generated) of d = 2 features. The kernel that both Krylov
// ops read becomes one operator on S with the Gram diagonal computed from S
// (α‖S_i‖²), so G, K and K + c·tr(K)·I are gone; the backward's R × N rows
// (R = 2) run in row tiles of min(3, R) = 2 rows, ending in dZ.
// CHECK-LABEL: func.func @step
// CHECK-NOT: gantk.diag
// CHECK-NOT: gantk.pairwise %
// CHECK-NOT: gantk.add_trace_diag
// CHECK: %[[V:.*]] = gantk.gram_diag %[[S:.*]] {alpha = 5.000000e-01 : f64} : tensor<4x2xf64> -> tensor<4xf64>
// CHECK: %[[K:.*]] = gantk.kernel_operator %[[S]], %[[V]] {gram_alpha = 5.000000e-01 : f64, tile_rows = 3 : i64, trace_scale = 2.500000e-01 : f64} : tensor<4x2xf64>, tensor<4xf64> -> <4, f64> {
// CHECK-NEXT: ^bb0(%{{.*}}: f64, %{{.*}}: f64, %{{.*}}: f64):
// CHECK: gantk.krylov_expm %[[K]], %{{.*}} : !gantk.operator<4, f64>
// CHECK: gantk.krylov_expm_grad %[[K]], %{{.*}} : !gantk.operator<4, f64>
// CHECK: %[[DZ:.*]] = gantk.row_tiles {rows = 2 : i64, tile_rows = 2 : i64} : tensor<2x2xf64> {
// CHECK-NEXT: gantk.gemm
// CHECK-NEXT: gantk.gemm
// CHECK-NEXT: gantk.add_factor_trace
// CHECK-NEXT: gantk.pairwise_grad %{{.*}}, %[[V]], %{{.*}} {row_offset = 2 : i64}
// CHECK: gantk.add_diag
// CHECK-NEXT: %[[OUT:.*]] = gantk.gemm
// CHECK-NEXT: gantk.yield %[[OUT]] : tensor<2x2xf64>
// CHECK: return %{{.*}}, %[[DZ]]
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

// -----

// The dense eigensolver needs K stored: there is nothing to make
// matrix-free.
// expected-error @+1 {{matrix-free needs the Krylov solver}}
module {
  func.func @dense(%k: tensor<4x4xf64>) -> tensor<4x4xf64> {
    %q, %mu = gantk.eigh %k : tensor<4x4xf64> -> tensor<4x4xf64>, tensor<4xf64>
    return %q : tensor<4x4xf64>
  }
}

// -----

// K must be the recursion of a Gram matrix: a kernel that arrives as an
// argument cannot be recomputed.
func.func @given(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+1 {{matrix-free needs the kernel as the per-pair recursion of a Gram matrix}}
  %u = gantk.krylov_expm %k, %y {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// Anything else that reads K would need it stored.
func.func @reader(%s: tensor<4x2xf64>, %y: tensor<4x1xf64>) -> (tensor<4x1xf64>, tensor<4x4xf64>) {
  %g = gantk.gemm %s, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<4x2xf64>, tensor<4x2xf64> -> tensor<4x4xf64>
  %v = gantk.diag %g : tensor<4x4xf64> -> tensor<4xf64>
  %k = gantk.pairwise %g, %v : tensor<4x4xf64>, tensor<4xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  %u = gantk.krylov_expm %k, %y {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  // expected-error @+1 {{reads the kernel matrix, which the matrix-free plan never stores}}
  return %u, %k : tensor<4x1xf64>, tensor<4x4xf64>
}
