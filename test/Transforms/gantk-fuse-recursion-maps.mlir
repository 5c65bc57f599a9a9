// RUN: gantk-opt %s -split-input-file -verify-diagnostics -gantk-fuse-recursion | FileCheck %s

// Images (4 points of 4x4x2): conv(3x3 same, w_std 1.5, b_std 0.5) -> relu
// -> conv(2x2 stride 2 valid, w_std 2) -> flatten -> dense. The input kernel
// of maps becomes a gram of N x N x H x W maps and a diagonal of N x H x W;
// the pairwise body takes the pair's three 4x4 maps. A conv's rule is the
// window average of each map, then the dense update on the window's output
// maps (constants are splat maps): Σ' = 2.25 A(Σ) + 0.25 for Σ, v_i and
// v_j (Θ = 0 at the input, so there is no window of Θ yet). The relu rule
// runs elementwise on the maps. The second conv shrinks the maps to 2x2 and
// adds its window of Θ to the new Σ (Θ' = 4 A(Θ) + Σ'). flatten is the mean
// over positions of Σ, Θ, v_i and v_j; after it the dense readout works on
// numbers and yields Θ.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.*]]: tensor<2x32xf64>, %[[Z:.*]]: tensor<2x32xf64>)
// CHECK: %[[S:.*]] = gantk.stack %[[X]], %[[Z]]
// CHECK-NEXT: %[[G:.*]] = gantk.gram %[[S]] : tensor<4x32xf64> -> tensor<4x4x4x4xf64>
// CHECK-NEXT: %[[V:.*]] = gantk.diag %[[G]] : tensor<4x4x4x4xf64> -> tensor<4x4x4xf64>
// CHECK-NEXT: %[[K:.*]] = gantk.pairwise %[[G]], %[[V]] : tensor<4x4x4x4xf64>, tensor<4x4x4xf64> -> tensor<4x4xf64> {
// CHECK-NEXT: ^bb0(%[[Q12:.*]]: tensor<4x4xf64>, %[[Q11:.*]]: tensor<4x4xf64>, %[[Q22:.*]]: tensor<4x4xf64>):
// CHECK-NEXT: %[[W1:.*]] = arith.constant dense<2.250000e+00> : tensor<4x4xf64>
// CHECK-NEXT: %[[B1:.*]] = arith.constant dense<2.500000e-01> : tensor<4x4xf64>
// CHECK-NEXT: %[[A12:.*]] = gantk.window %[[Q12]] {kernel = array<i64: 3, 3>, padding = #gantk.padding<same>, stride = array<i64: 1, 1>} : tensor<4x4xf64> -> tensor<4x4xf64>
// CHECK-NEXT: %[[M12:.*]] = arith.mulf %[[W1]], %[[A12]] : tensor<4x4xf64>
// CHECK-NEXT: %[[S12:.*]] = arith.addf %[[M12]], %[[B1]] : tensor<4x4xf64>
// CHECK-NEXT: %[[A11:.*]] = gantk.window %[[Q11]] {kernel = array<i64: 3, 3>, padding = #gantk.padding<same>, stride = array<i64: 1, 1>} : tensor<4x4xf64> -> tensor<4x4xf64>
// CHECK-NEXT: %[[M11:.*]] = arith.mulf %[[W1]], %[[A11]] : tensor<4x4xf64>
// CHECK-NEXT: %[[S11:.*]] = arith.addf %[[M11]], %[[B1]] : tensor<4x4xf64>
// CHECK-NEXT: %[[A22:.*]] = gantk.window %[[Q22]] {kernel = array<i64: 3, 3>, padding = #gantk.padding<same>, stride = array<i64: 1, 1>} : tensor<4x4xf64> -> tensor<4x4xf64>
// CHECK-NEXT: %[[M22:.*]] = arith.mulf %[[W1]], %[[A22]] : tensor<4x4xf64>
// CHECK-NEXT: %[[S22:.*]] = arith.addf %[[M22]], %[[B1]] : tensor<4x4xf64>
// The relu rule, on maps.
// CHECK: %[[PROD:.*]] = arith.mulf %[[S11]], %[[S22]] : tensor<4x4xf64>
// CHECK: %[[SQRT:.*]] = math.sqrt %{{.*}} : tensor<4x4xf64>
// CHECK-NEXT: %[[THETA:.*]] = math.atan2 %[[SQRT]], %[[S12]] : tensor<4x4xf64>
// CHECK: %[[SIG1:.*]] = arith.addf %{{.*}}, %{{.*}} : tensor<4x4xf64>
// CHECK: %[[V1I:.*]] = arith.mulf %{{.*}}, %[[S11]] : tensor<4x4xf64>
// CHECK: %[[V1J:.*]] = arith.mulf %{{.*}}, %[[S22]] : tensor<4x4xf64>
// CHECK-NEXT: %[[NTK1:.*]] = arith.mulf %{{.*}}, %[[S12]] : tensor<4x4xf64>
// The second conv: 4x4 -> 2x2, and its window of Θ.
// CHECK-NEXT: %[[W2:.*]] = arith.constant dense<4.000000e+00> : tensor<2x2xf64>
// CHECK-NEXT: %[[B2:.*]] = arith.constant dense<0.000000e+00> : tensor<2x2xf64>
// CHECK-NEXT: %[[AS:.*]] = gantk.window %[[SIG1]] {kernel = array<i64: 2, 2>, padding = #gantk.padding<valid>, stride = array<i64: 2, 2>} : tensor<4x4xf64> -> tensor<2x2xf64>
// CHECK-NEXT: %[[MS:.*]] = arith.mulf %[[W2]], %[[AS]] : tensor<2x2xf64>
// CHECK-NEXT: %[[SIG2:.*]] = arith.addf %[[MS]], %[[B2]] : tensor<2x2xf64>
// CHECK-NEXT: %[[AVI:.*]] = gantk.window %[[V1I]] {{.*}} : tensor<4x4xf64> -> tensor<2x2xf64>
// CHECK-NEXT: %[[MVI:.*]] = arith.mulf %[[W2]], %[[AVI]] : tensor<2x2xf64>
// CHECK-NEXT: %[[V2I:.*]] = arith.addf %[[MVI]], %[[B2]] : tensor<2x2xf64>
// CHECK-NEXT: %[[AVJ:.*]] = gantk.window %[[V1J]] {{.*}} : tensor<4x4xf64> -> tensor<2x2xf64>
// CHECK-NEXT: %[[MVJ:.*]] = arith.mulf %[[W2]], %[[AVJ]] : tensor<2x2xf64>
// CHECK-NEXT: %[[V2J:.*]] = arith.addf %[[MVJ]], %[[B2]] : tensor<2x2xf64>
// CHECK-NEXT: %[[AT:.*]] = gantk.window %[[NTK1]] {kernel = array<i64: 2, 2>, padding = #gantk.padding<valid>, stride = array<i64: 2, 2>} : tensor<4x4xf64> -> tensor<2x2xf64>
// CHECK-NEXT: %[[MT:.*]] = arith.mulf %[[W2]], %[[AT]] : tensor<2x2xf64>
// CHECK-NEXT: %[[NTK2:.*]] = arith.addf %[[MT]], %[[SIG2]] : tensor<2x2xf64>
// flatten: the means over positions, in the state's order (Σ, Θ, v_i, v_j).
// CHECK-NEXT: %[[FS:.*]] = gantk.spatial_mean %[[SIG2]] : tensor<2x2xf64> -> f64
// CHECK-NEXT: %[[FT:.*]] = gantk.spatial_mean %[[NTK2]] : tensor<2x2xf64> -> f64
// CHECK-NEXT: %[[FVI:.*]] = gantk.spatial_mean %[[V2I]] : tensor<2x2xf64> -> f64
// CHECK-NEXT: %[[FVJ:.*]] = gantk.spatial_mean %[[V2J]] : tensor<2x2xf64> -> f64
// The readout dense on numbers: Θ3 = Σ3 + 1 · Θ.
// CHECK-NEXT: %[[W3:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-NEXT: %[[B3:.*]] = arith.constant 0.010000000000000002 : f64
// CHECK-NEXT: %[[M3:.*]] = arith.mulf %[[W3]], %[[FS]] : f64
// CHECK-NEXT: %[[SIG3:.*]] = arith.addf %[[M3]], %[[B3]] : f64
// CHECK: %[[WT:.*]] = arith.mulf %[[W3]], %[[FT]] : f64
// CHECK-NEXT: %[[OUT:.*]] = arith.addf %[[SIG3]], %[[WT]] : f64
// CHECK-NEXT: gantk.yield %[[OUT]] : f64
// CHECK-NEXT: }
// CHECK-NEXT: return %[[K]]
// CHECK-NOT: gantk.input
// CHECK-NOT: gantk.conv
// CHECK-NOT: gantk.flatten
func.func @conv(%x: tensor<2x32xf64>, %z: tensor<2x32xf64>) -> tensor<4x4xf64> {
  %s = gantk.stack %x, %z : tensor<2x32xf64>, tensor<2x32xf64> -> tensor<4x32xf64>
  %k0 = gantk.input %s : tensor<4x32xf64> -> !gantk.kernel<4, f64, [4, 4]>
  %k1 = gantk.conv %k0 {kernel = array<i64: 3, 3>, padding = #gantk.padding<same>, w_std = 1.5 : f64, b_std = 0.5 : f64} : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f64, [4, 4]>
  %k2 = gantk.abrelu %k1 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64, [4, 4]>
  %k3 = gantk.conv %k2 {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, w_std = 2.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f64, [2, 2]>
  %k4 = gantk.flatten %k3 : !gantk.kernel<4, f64, [2, 2]> -> !gantk.kernel<4, f64>
  %k5 = gantk.dense %k4 {w_std = 1.0 : f64, b_std = 0.1 : f64} : !gantk.kernel<4, f64>
  %K = gantk.ntk %k5 : !gantk.kernel<4, f64> -> tensor<4x4xf64>
  return %K : tensor<4x4xf64>
}

// -----

// avg_pool stays on the rows, in f32: the gram is of the pooled 2x2x2
// images; a per-position dense and the circular conv act on 2x2 maps, the
// NNGP readout yields Σ.
// CHECK-LABEL: func.func @pooled
// CHECK-SAME: (%[[S:.*]]: tensor<4x32xf32>)
// CHECK-NEXT: %[[P:.*]] = gantk.avg_pool %[[S]] {{.*}} : tensor<4x32xf32> -> tensor<4x8xf32>
// CHECK-NEXT: %[[G:.*]] = gantk.gram %[[P]] : tensor<4x8xf32> -> tensor<4x4x2x2xf32>
// CHECK-NEXT: %[[V:.*]] = gantk.diag %[[G]] : tensor<4x4x2x2xf32> -> tensor<4x2x2xf32>
// CHECK-NEXT: gantk.pairwise %[[G]], %[[V]] : tensor<4x4x2x2xf32>, tensor<4x2x2xf32> -> tensor<4x4xf32> {
// CHECK-NEXT: ^bb0(%[[Q12:.*]]: tensor<2x2xf32>, %{{.*}}: tensor<2x2xf32>, %{{.*}}: tensor<2x2xf32>):
// CHECK-NEXT: %[[WD:.*]] = arith.constant dense<4.000000e+00> : tensor<2x2xf32>
// CHECK-NEXT: %[[BD:.*]] = arith.constant dense<0.000000e+00> : tensor<2x2xf32>
// CHECK-NEXT: %[[MD:.*]] = arith.mulf %[[WD]], %[[Q12]] : tensor<2x2xf32>
// CHECK-NEXT: %[[SD:.*]] = arith.addf %[[MD]], %[[BD]] : tensor<2x2xf32>
// CHECK: %[[AC:.*]] = gantk.window %[[SD]] {kernel = array<i64: 2, 2>, padding = #gantk.padding<circular>, stride = array<i64: 1, 1>} : tensor<2x2xf32> -> tensor<2x2xf32>
// CHECK-NEXT: %[[MC:.*]] = arith.mulf %{{.*}}, %[[AC]] : tensor<2x2xf32>
// CHECK-NEXT: %[[SC:.*]] = arith.addf %[[MC]], %{{.*}} : tensor<2x2xf32>
// CHECK: %[[MEAN:.*]] = gantk.spatial_mean %[[SC]] : tensor<2x2xf32> -> f32
// CHECK: gantk.yield %{{.*}} : f32
func.func @pooled(%s: tensor<4x32xf32>) -> tensor<4x4xf32> {
  %p = gantk.avg_pool %s {image = array<i64: 4, 4, 2>, window = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = #gantk.padding<valid>} : tensor<4x32xf32> -> tensor<4x8xf32>
  %k0 = gantk.input %p : tensor<4x8xf32> -> !gantk.kernel<4, f32, [2, 2]>
  %k1 = gantk.dense %k0 {w_std = 2.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f32, [2, 2]>
  %k2 = gantk.conv %k1 {kernel = array<i64: 2, 2>, padding = #gantk.padding<circular>, w_std = 1.0 : f64, b_std = 0.5 : f64} : !gantk.kernel<4, f32, [2, 2]> -> !gantk.kernel<4, f32, [2, 2]>
  %k3 = gantk.flatten %k2 : !gantk.kernel<4, f32, [2, 2]> -> !gantk.kernel<4, f32>
  %k4 = gantk.dense %k3 {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f32>
  %S = gantk.nngp %k4 : !gantk.kernel<4, f32> -> tensor<4x4xf32>
  return %S : tensor<4x4xf32>
}
