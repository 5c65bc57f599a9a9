// RUN: gantk-opt %s -split-input-file -gantk-split-gram | FileCheck %s

// The Gram of S = X ⊕ Z (n = 3 real rows, m = 2 generated, N = 5) becomes
// its real-real block α X Xᵀ (3 × 3: X only) and its Z rows α Z Sᵀ (2 × 5),
// joined by gram_blocks; what read G reads the joined value.
// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[X:.*]]: tensor<3x2xf64>, %[[Z:.*]]: tensor<2x2xf64>)
// CHECK-NEXT: %[[S:.*]] = gantk.stack %[[X]], %[[Z]]
// CHECK-NEXT: %[[GRR:.*]] = gantk.gemm %[[X]], %[[X]] {alpha = 5.000000e-01 : f64, trans_a = false, trans_b = true} : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<3x3xf64>
// CHECK-NEXT: %[[GZ:.*]] = gantk.gemm %[[Z]], %[[S]] {alpha = 5.000000e-01 : f64, trans_a = false, trans_b = true} : tensor<2x2xf64>, tensor<5x2xf64> -> tensor<2x5xf64>
// CHECK-NEXT: %[[G:.*]] = gantk.gram_blocks %[[GRR]], %[[GZ]] : tensor<3x3xf64>, tensor<2x5xf64> -> tensor<5x5xf64>
// CHECK-NEXT: %[[V:.*]] = gantk.diag %[[G]]
// CHECK-NEXT: return %[[G]], %[[V]]
// CHECK-NOT: gantk.gemm %[[S]], %[[S]]
func.func @step(%x: tensor<3x2xf64>, %z: tensor<2x2xf64>) -> (tensor<5x5xf64>, tensor<5xf64>) {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<2x2xf64> -> tensor<5x2xf64>
  %g = gantk.gemm %s, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<5x2xf64>, tensor<5x2xf64> -> tensor<5x5xf64>
  %v = gantk.diag %g : tensor<5x5xf64> -> tensor<5xf64>
  return %g, %v : tensor<5x5xf64>, tensor<5xf64>
}

// -----

// Other products stay: the backward's dS·S, and the Gram of rows that are
// not a stack of real and generated rows (the kernel entry's S).
// CHECK-LABEL: func.func @others
// CHECK-NEXT: gantk.stack
// CHECK-NEXT: gantk.gemm %{{.*}}, %[[S2:.*]] {alpha = 1.000000e+00 : f64, trans_a = false, trans_b = false}
// CHECK-NEXT: gantk.gemm %arg3, %arg3 {{.*}}trans_b = true
// CHECK-NOT: gram_blocks
func.func @others(%x: tensor<3x2xf64>, %z: tensor<2x2xf64>, %d: tensor<2x5xf64>, %t: tensor<4x2xf64>) -> (tensor<2x2xf64>, tensor<4x4xf64>) {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<2x2xf64> -> tensor<5x2xf64>
  %dz = gantk.gemm %d, %s {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<2x5xf64>, tensor<5x2xf64> -> tensor<2x2xf64>
  %k = gantk.gemm %t, %t {alpha = 1.0 : f64, trans_a = false, trans_b = true} : tensor<4x2xf64>, tensor<4x2xf64> -> tensor<4x4xf64>
  return %dz, %k : tensor<2x2xf64>, tensor<4x4xf64>
}
