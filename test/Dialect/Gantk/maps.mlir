// RUN: gantk-opt %s | gantk-opt | FileCheck %s
// RUN: gantk-opt %s --mlir-print-op-generic | gantk-opt | FileCheck %s

// Round trip of the ops and types of convolutional discriminators (pairs
// that carry maps over positions), in their custom form and through the
// generic form. Each function holds one level of the dialect, as in
// ops.mlir.

// The graph level on images: avg_pool on the input rows (8x8x2 -> 4x4x2),
// the input kernel with maps of 4x4, convs with each padding (the default
// stride [1, 1] and padding valid are left out when printed), a
// per-position dense and a relu on maps, flatten and the readout.
// CHECK-LABEL: func.func @graph
// CHECK-SAME: (%[[X:.*]]: tensor<2x128xf64>, %[[Z:.*]]: tensor<2x128xf64>)
func.func @graph(%x: tensor<2x128xf64>, %z: tensor<2x128xf64>) -> tensor<4x4xf64> {
  // CHECK: %[[S:.*]] = gantk.stack %[[X]], %[[Z]]
  %s = gantk.stack %x, %z : tensor<2x128xf64>, tensor<2x128xf64> -> tensor<4x128xf64>
  // CHECK-NEXT: %[[P:.*]] = gantk.avg_pool %[[S]] {image = array<i64: 8, 8, 2>, padding = #gantk.padding<valid>, stride = array<i64: 2, 2>, window = array<i64: 2, 2>} : tensor<4x128xf64> -> tensor<4x32xf64>
  %p = gantk.avg_pool %s {image = array<i64: 8, 8, 2>, window = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = #gantk.padding<valid>} : tensor<4x128xf64> -> tensor<4x32xf64>
  // CHECK-NEXT: %[[K0:.*]] = gantk.input %[[P]] : tensor<4x32xf64> -> <4, f64, [4, 4]>
  %k0 = gantk.input %p : tensor<4x32xf64> -> !gantk.kernel<4, f64, [4, 4]>
  // CHECK-NEXT: %[[K1:.*]] = gantk.conv %[[K0]] {b_std = 2.500000e-01 : f64, kernel = array<i64: 3, 3>, padding = #gantk.padding<same>, w_std = 1.500000e+00 : f64} : <4, f64, [4, 4]> -> <4, f64, [4, 4]>
  %k1 = gantk.conv %k0 {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = #gantk.padding<same>, w_std = 1.5 : f64, b_std = 0.25 : f64} : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f64, [4, 4]>
  // CHECK-NEXT: %[[K2:.*]] = gantk.abrelu %[[K1]] {a = 0.000000e+00 : f64, b = 1.000000e+00 : f64} : <4, f64, [4, 4]>
  %k2 = gantk.abrelu %k1 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64, [4, 4]>
  // CHECK-NEXT: %[[K3:.*]] = gantk.conv %[[K2]] {b_std = 0.000000e+00 : f64, kernel = array<i64: 2, 2>, padding = #gantk.padding<circular>, stride = array<i64: 2, 2>, w_std = 1.000000e+00 : f64} : <4, f64, [4, 4]> -> <4, f64, [2, 2]>
  %k3 = gantk.conv %k2 {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = #gantk.padding<circular>, w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f64, [2, 2]>
  // CHECK-NEXT: %[[K4:.*]] = gantk.conv %[[K3]] {b_std = 0.000000e+00 : f64, kernel = array<i64: 2, 1>, w_std = 1.000000e+00 : f64} : <4, f64, [2, 2]> -> <4, f64, [1, 2]>
  %k4 = gantk.conv %k3 {kernel = array<i64: 2, 1>, w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [2, 2]> -> !gantk.kernel<4, f64, [1, 2]>
  // CHECK-NEXT: %[[K5:.*]] = gantk.dense %[[K4]] {b_std = 0.000000e+00 : f64, w_std = 1.000000e+00 : f64} : <4, f64, [1, 2]>
  %k5 = gantk.dense %k4 {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [1, 2]>
  // CHECK-NEXT: %[[K6:.*]] = gantk.flatten %[[K5]] : <4, f64, [1, 2]> -> <4, f64>
  %k6 = gantk.flatten %k5 : !gantk.kernel<4, f64, [1, 2]> -> !gantk.kernel<4, f64>
  // CHECK-NEXT: %[[K7:.*]] = gantk.dense %[[K6]] {{.*}} : <4, f64>
  %k7 = gantk.dense %k6 {w_std = 1.0 : f64, b_std = 0.1 : f64} : !gantk.kernel<4, f64>
  // CHECK-NEXT: gantk.ntk %[[K7]] : <4, f64> -> tensor<4x4xf64>
  %K = gantk.ntk %k7 : !gantk.kernel<4, f64> -> tensor<4x4xf64>
  return %K : tensor<4x4xf64>
}

// The kernel type with a spatial shape prints with its dialect prefix
// outside a gantk op, in f32 too.
// CHECK-LABEL: func.func private @spatial_type(!gantk.kernel<4, f32, [28, 28]>) -> !gantk.kernel<12, f64, [1, 7]>
func.func private @spatial_type(!gantk.kernel<4, f32, [28, 28]>) -> !gantk.kernel<12, f64, [1, 7]>

// The adjoint of avg_pool: the pooled rows spread back over the images.
// CHECK-LABEL: func.func @pool_transpose
// CHECK: gantk.avg_pool_transpose %{{.*}} {image = array<i64: 8, 8, 2>, padding = #gantk.padding<same>, stride = array<i64: 3, 3>, window = array<i64: 2, 2>} : tensor<2x18xf64> -> tensor<2x128xf64>
func.func @pool_transpose(%d: tensor<2x18xf64>) -> tensor<2x128xf64> {
  %t = gantk.avg_pool_transpose %d {image = array<i64: 8, 8, 2>, window = array<i64: 2, 2>, stride = array<i64: 3, 3>, padding = #gantk.padding<same>} : tensor<2x18xf64> -> tensor<2x128xf64>
  return %t : tensor<2x128xf64>
}

// The fused level on maps: the gram of N points is N x N x H x W, the
// diagonal N x H x W; the per-pair body takes tensor<HxW> maps and uses the
// per-pair map ops (window, its transpose, the mean over positions).
// CHECK-LABEL: func.func @fused
// CHECK-SAME: (%[[S:.*]]: tensor<4x32xf64>)
func.func @fused(%s: tensor<4x32xf64>) -> tensor<4x4xf64> {
  // CHECK: %[[G:.*]] = gantk.gram %[[S]] : tensor<4x32xf64> -> tensor<4x4x4x4xf64>
  %g = gantk.gram %s : tensor<4x32xf64> -> tensor<4x4x4x4xf64>
  // CHECK-NEXT: %[[V:.*]] = gantk.diag %[[G]] : tensor<4x4x4x4xf64> -> tensor<4x4x4xf64>
  %v = gantk.diag %g : tensor<4x4x4x4xf64> -> tensor<4x4x4xf64>
  // CHECK-NEXT: gantk.pairwise %[[G]], %[[V]] : tensor<4x4x4x4xf64>, tensor<4x4x4xf64> -> tensor<4x4xf64> {
  // CHECK-NEXT: ^bb0(%[[Q12:.*]]: tensor<4x4xf64>, %[[Q11:.*]]: tensor<4x4xf64>, %[[Q22:.*]]: tensor<4x4xf64>):
  // CHECK-NEXT: %[[W:.*]] = gantk.window %[[Q12]] {kernel = array<i64: 3, 3>, padding = #gantk.padding<same>, stride = array<i64: 2, 2>} : tensor<4x4xf64> -> tensor<2x2xf64>
  // CHECK-NEXT: %[[T:.*]] = gantk.window_transpose %[[W]] {kernel = array<i64: 3, 3>, padding = #gantk.padding<same>, stride = array<i64: 2, 2>} : tensor<2x2xf64> -> tensor<4x4xf64>
  // CHECK-NEXT: %[[A:.*]] = arith.addf %[[T]], %[[Q11]] : tensor<4x4xf64>
  // CHECK-NEXT: %[[M:.*]] = gantk.spatial_mean %[[A]] : tensor<4x4xf64> -> f64
  // CHECK-NEXT: gantk.yield %[[M]] : f64
  %k = gantk.pairwise %g, %v : tensor<4x4x4x4xf64>, tensor<4x4x4xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: tensor<4x4xf64>, %q11: tensor<4x4xf64>, %q22: tensor<4x4xf64>):
    %w = gantk.window %q12 {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = #gantk.padding<same>} : tensor<4x4xf64> -> tensor<2x2xf64>
    %t = gantk.window_transpose %w {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = #gantk.padding<same>} : tensor<2x2xf64> -> tensor<4x4xf64>
    %a = arith.addf %t, %q11 : tensor<4x4xf64>
    %m = gantk.spatial_mean %a : tensor<4x4xf64> -> f64
    gantk.yield %m : f64
  }
  return %k : tensor<4x4xf64>
}

// The adjoint ops on maps: the backward of the generated rows [2, 4) keeps
// R x N x H x W rows of dG and R x H x W of dv, the cotangent c stays a
// number, add_diag adds maps, gram_grad reads a cotangent of maps.
// CHECK-LABEL: func.func @adjoint
// CHECK-SAME: (%[[S:.*]]: tensor<4x32xf64>, %[[C:.*]]: tensor<4x4xf64>)
func.func @adjoint(%s: tensor<4x32xf64>, %c: tensor<4x4xf64>) -> tensor<2x32xf64> {
  %g = gantk.gram %s : tensor<4x32xf64> -> tensor<4x4x4x4xf64>
  %v = gantk.diag %g : tensor<4x4x4x4xf64> -> tensor<4x4x4xf64>
  // CHECK: %[[DG:.*]], %[[DV:.*]] = gantk.pairwise_grad %{{.*}}, %{{.*}}, %[[C]] {row_offset = 2 : i64} : tensor<4x4x4x4xf64>, tensor<4x4x4xf64>, tensor<4x4xf64> -> tensor<2x4x4x4xf64>, tensor<2x4x4xf64> {
  // CHECK-NEXT: ^bb0(%[[Q12:.*]]: tensor<4x4xf64>, %[[Q11:.*]]: tensor<4x4xf64>, %[[Q22:.*]]: tensor<4x4xf64>, %[[CC:.*]]: f64):
  // CHECK-NEXT: %[[SPLAT:.*]] = tensor.splat %[[CC]] : tensor<4x4xf64>
  // CHECK-NEXT: gantk.yield %[[SPLAT]], %[[Q22]], %[[Q11]] : tensor<4x4xf64>, tensor<4x4xf64>, tensor<4x4xf64>
  %dg, %dv = gantk.pairwise_grad %g, %v, %c {row_offset = 2 : i64} : tensor<4x4x4x4xf64>, tensor<4x4x4xf64>, tensor<4x4xf64> -> tensor<2x4x4x4xf64>, tensor<2x4x4xf64> {
  ^bb0(%q12: tensor<4x4xf64>, %q11: tensor<4x4xf64>, %q22: tensor<4x4xf64>, %cc: f64):
    %splat = tensor.splat %cc : tensor<4x4xf64>
    gantk.yield %splat, %q22, %q11 : tensor<4x4xf64>, tensor<4x4xf64>, tensor<4x4xf64>
  }
  // CHECK: %[[R:.*]] = gantk.add_diag %[[DG]], %[[DV]] {row_offset = 2 : i64} : tensor<2x4x4x4xf64>, tensor<2x4x4xf64> -> tensor<2x4x4x4xf64>
  %r = gantk.add_diag %dg, %dv {row_offset = 2 : i64} : tensor<2x4x4x4xf64>, tensor<2x4x4xf64> -> tensor<2x4x4x4xf64>
  // CHECK-NEXT: %[[DZ:.*]] = gantk.gram_grad %[[S]], %[[R]] {row_offset = 2 : i64} : tensor<4x32xf64>, tensor<2x4x4x4xf64> -> tensor<2x32xf64>
  %dz = gantk.gram_grad %s, %r {row_offset = 2 : i64} : tensor<4x32xf64>, tensor<2x4x4x4xf64> -> tensor<2x32xf64>
  // CHECK-NEXT: return %[[DZ]]
  return %dz : tensor<2x32xf64>
}

// The matrix-free operator on maps (4 points of 2x2x8 images): before
// outlining, a body on 2x2 maps and an N x H x W diagonal; after, the
// recursion kernel, the diagonal in the kernels' H x W x N layout and the
// points as `maps(S, S^T)`.
// CHECK-LABEL: func.func @operator_body
// CHECK: gantk.kernel_operator %{{.*}}, %{{.*}} {gram_alpha = 1.250000e-01 : f64, tile_rows = 2 : i64, trace_scale = 0.000000e+00 : f64} : tensor<4x32xf64>, tensor<4x2x2xf64> -> <4, f64> {
// CHECK-NEXT: ^bb0(%[[Q12:.*]]: tensor<2x2xf64>, %{{.*}}: tensor<2x2xf64>, %{{.*}}: tensor<2x2xf64>):
// CHECK-NEXT: %[[M:.*]] = gantk.spatial_mean %[[Q12]] : tensor<2x2xf64> -> f64
// CHECK-NEXT: gantk.yield %[[M]] : f64
func.func @operator_body(%s: tensor<4x32xf64>, %v: tensor<4x2x2xf64>) -> !gantk.operator<4, f64> {
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.125 : f64, trace_scale = 0.0 : f64, tile_rows = 2 : i64} : tensor<4x32xf64>, tensor<4x2x2xf64> -> <4, f64> {
  ^bb0(%q12: tensor<2x2xf64>, %q11: tensor<2x2xf64>, %q22: tensor<2x2xf64>):
    %m = gantk.spatial_mean %q12 : tensor<2x2xf64> -> f64
    gantk.yield %m : f64
  }
  return %k : !gantk.operator<4, f64>
}

func.func private @map_recursion(memref<4x4xf64>, memref<2x2x4xf64>, memref<4x32xf64>, memref<32x4xf64>, index, index) attributes {gantk.kernel}
// CHECK-LABEL: func.func @operator_outlined
// CHECK-SAME: (%[[S:.*]]: tensor<4x32xf64>, %[[ST:.*]]: tensor<32x4xf64>, %[[VT:.*]]: tensor<2x2x4xf64>)
// CHECK: gantk.kernel_operator %[[S]], %[[VT]] maps(%[[S]], %[[ST]] : tensor<4x32xf64>, tensor<32x4xf64>) {gram_alpha = 1.250000e-01 : f64, recursion = @map_recursion, tile_rows = 2 : i64, trace_scale = 1.000000e-03 : f64} : tensor<4x32xf64>, tensor<2x2x4xf64> -> <4, f64> {
// CHECK-NEXT: }
func.func @operator_outlined(%s: tensor<4x32xf64>, %st: tensor<32x4xf64>, %vt: tensor<2x2x4xf64>) -> !gantk.operator<4, f64> {
  %k = gantk.kernel_operator %s, %vt maps(%s, %st : tensor<4x32xf64>, tensor<32x4xf64>) {gram_alpha = 0.125 : f64, trace_scale = 1.0e-3 : f64, tile_rows = 2 : i64, recursion = @map_recursion} : tensor<4x32xf64>, tensor<2x2x4xf64> -> <4, f64> {
  }
  return %k : !gantk.operator<4, f64>
}
