// RUN: gantk-opt %s -split-input-file -verify-diagnostics -gantk-autodiff | FileCheck %s

// The adjoints of the map ops (pairs that carry maps over positions). Here
// the images (2 real and 2 generated rows of 6x6x2) are average-pooled to
// 3x3x2, the per-pair body takes a VALID 2x2 window of the 3x3 map of G and
// yields its mean over the 2x2 output positions.
//  * The mean's adjoint spreads c over the positions: a splat of c / 4.
//  * The window's adjoint is its transpose, with the same kernel, stride
//    and padding, from the 2x2 output back to the 3x3 input.
//  * q11 and q22 do not reach the result: their adjoints are zero maps.
//  * Outside the body, dG (maps) goes through add_diag to gram_grad of the
//    pooled rows, and the pool's adjoint, avg_pool_transpose with the pool's
//    attributes, brings the generated rows [2, 4) back to 6x6x2 images.
// CHECK-LABEL: func.func @pool_grad
// CHECK-SAME: (%[[X:.*]]: tensor<2x72xf64>, %[[Z:.*]]: tensor<2x72xf64>) -> (tensor<f64>, tensor<2x72xf64>)
// CHECK: %[[S:.*]] = gantk.stack %[[X]], %[[Z]]
// CHECK-NEXT: %[[P:.*]] = gantk.avg_pool %[[S]]
// CHECK-NEXT: %[[G:.*]] = gantk.gram %[[P]] : tensor<4x18xf64> -> tensor<4x4x3x3xf64>
// CHECK-NEXT: %[[V:.*]] = gantk.diag %[[G]]
// CHECK: %[[DK:.*]] = gantk.expm_action_grad
// CHECK-NEXT: %[[DG:.*]], %[[DV:.*]] = gantk.pairwise_grad %[[G]], %[[V]], %[[DK]] : tensor<4x4x3x3xf64>, tensor<4x3x3xf64>, tensor<4x4xf64> -> tensor<4x4x3x3xf64>, tensor<4x3x3xf64> {
// CHECK-NEXT: ^bb0(%[[Q12:.*]]: tensor<3x3xf64>, %{{.*}}: tensor<3x3xf64>, %{{.*}}: tensor<3x3xf64>, %[[C:.*]]: f64):
// CHECK-NEXT: %[[W:.*]] = gantk.window %[[Q12]] {kernel = array<i64: 2, 2>, padding = #gantk.padding<valid>, stride = array<i64: 1, 1>} : tensor<3x3xf64> -> tensor<2x2xf64>
// CHECK-NEXT: gantk.spatial_mean %[[W]] : tensor<2x2xf64> -> f64
// CHECK-NEXT: %[[QUARTER:.*]] = arith.constant 2.500000e-01 : f64
// CHECK-NEXT: %[[SHARE:.*]] = arith.mulf %[[C]], %[[QUARTER]] : f64
// CHECK-NEXT: %[[SPLAT:.*]] = tensor.splat %[[SHARE]] : tensor<2x2xf64>
// CHECK-NEXT: %[[DQ12:.*]] = gantk.window_transpose %[[SPLAT]] {kernel = array<i64: 2, 2>, padding = #gantk.padding<valid>, stride = array<i64: 1, 1>} : tensor<2x2xf64> -> tensor<3x3xf64>
// CHECK-NEXT: %[[Z11:.*]] = arith.constant dense<0.000000e+00> : tensor<3x3xf64>
// CHECK-NEXT: %[[Z22:.*]] = arith.constant dense<0.000000e+00> : tensor<3x3xf64>
// CHECK-NEXT: gantk.yield %[[DQ12]], %[[Z11]], %[[Z22]] : tensor<3x3xf64>, tensor<3x3xf64>, tensor<3x3xf64>
// CHECK-NEXT: }
// CHECK-NEXT: %[[DGV:.*]] = gantk.add_diag %[[DG]], %[[DV]] : tensor<4x4x3x3xf64>, tensor<4x3x3xf64> -> tensor<4x4x3x3xf64>
// CHECK-NEXT: %[[DP:.*]] = gantk.gram_grad %[[P]], %[[DGV]] {row_offset = 2 : i64} : tensor<4x18xf64>, tensor<4x4x3x3xf64> -> tensor<2x18xf64>
// CHECK-NEXT: %[[DZ:.*]] = gantk.avg_pool_transpose %[[DP]] {image = array<i64: 6, 6, 2>, padding = #gantk.padding<valid>, stride = array<i64: 2, 2>, window = array<i64: 2, 2>} : tensor<2x18xf64> -> tensor<2x72xf64>
// CHECK-NEXT: return %{{.*}}, %[[DZ]] : tensor<f64>, tensor<2x72xf64>
func.func @pool(%x: tensor<2x72xf64>, %z: tensor<2x72xf64>) -> tensor<f64> attributes {gantk.differentiate} {
  %s = gantk.stack %x, %z : tensor<2x72xf64>, tensor<2x72xf64> -> tensor<4x72xf64>
  %p = gantk.avg_pool %s {image = array<i64: 6, 6, 2>, window = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = #gantk.padding<valid>} : tensor<4x72xf64> -> tensor<4x18xf64>
  %g = gantk.gram %p : tensor<4x18xf64> -> tensor<4x4x3x3xf64>
  %v = gantk.diag %g : tensor<4x4x3x3xf64> -> tensor<4x3x3xf64>
  %k = gantk.pairwise %g, %v : tensor<4x4x3x3xf64>, tensor<4x3x3xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: tensor<3x3xf64>, %q11: tensor<3x3xf64>, %q22: tensor<3x3xf64>):
    %w = gantk.window %q12 {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, padding = #gantk.padding<valid>} : tensor<3x3xf64> -> tensor<2x2xf64>
    %m = gantk.spatial_mean %w : tensor<2x2xf64> -> f64
    gantk.yield %m : f64
  }
  %y = gantk.labels {num_real = 2 : i64} : tensor<4x1xf64>
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// Without a pool, SAME padding at stride 2 on q11 (5x5 -> 3x3): the
// transpose spreads back to 5x5 with the window's attributes and becomes
// dq11, the mean over 9 positions shares c / 9; the stack's generated rows
// get gram_grad directly.
// CHECK-LABEL: func.func @same_grad
// CHECK: gantk.pairwise_grad
// CHECK: %[[NINTH:.*]] = arith.constant 0.1111111111111111 : f64
// CHECK-NEXT: %[[SHARE:.*]] = arith.mulf %{{.*}}, %[[NINTH]] : f64
// CHECK-NEXT: %[[SPLAT:.*]] = tensor.splat %[[SHARE]] : tensor<3x3xf64>
// CHECK-NEXT: %[[DQ11:.*]] = gantk.window_transpose %[[SPLAT]] {kernel = array<i64: 3, 3>, padding = #gantk.padding<same>, stride = array<i64: 2, 2>} : tensor<3x3xf64> -> tensor<5x5xf64>
// CHECK: gantk.yield %{{.*}}, %[[DQ11]], %{{.*}} : tensor<5x5xf64>, tensor<5x5xf64>, tensor<5x5xf64>
// CHECK: gantk.add_diag
// CHECK-NEXT: %[[DZ:.*]] = gantk.gram_grad %{{.*}}, %{{.*}} {row_offset = 2 : i64} : tensor<4x25xf64>, tensor<4x4x5x5xf64> -> tensor<2x25xf64>
// CHECK-NEXT: return %{{.*}}, %[[DZ]]
// CHECK-NOT: gantk.avg_pool_transpose
func.func @same(%x: tensor<2x25xf64>, %z: tensor<2x25xf64>) -> tensor<f64> attributes {gantk.differentiate} {
  %s = gantk.stack %x, %z : tensor<2x25xf64>, tensor<2x25xf64> -> tensor<4x25xf64>
  %g = gantk.gram %s : tensor<4x25xf64> -> tensor<4x4x5x5xf64>
  %v = gantk.diag %g : tensor<4x4x5x5xf64> -> tensor<4x5x5xf64>
  %k = gantk.pairwise %g, %v : tensor<4x4x5x5xf64>, tensor<4x5x5xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: tensor<5x5xf64>, %q11: tensor<5x5xf64>, %q22: tensor<5x5xf64>):
    %w = gantk.window %q11 {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = #gantk.padding<same>} : tensor<5x5xf64> -> tensor<3x3xf64>
    %m = gantk.spatial_mean %w : tensor<3x3xf64> -> f64
    gantk.yield %m : f64
  }
  %y = gantk.labels {num_real = 2 : i64} : tensor<4x1xf64>
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}
