// RUN: gantk-opt %s -split-input-file -gantk-split-gram -gantk-outline-kernels -gantk-hoist-invariants | FileCheck %s

// What depends on the real rows X only is marked gantk.invariant (the
// runtime runs it once, the plan keeps it): the real-real Gram block, and
// the labels (no operands at all). The Z rows, the joined Gram and all
// that reads them stay in the step.
// CHECK-LABEL: func.func @step
// CHECK: gantk.gemm %arg0, %arg0 {{{.*}}gantk.invariant{{.*}}} : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<3x3xf64>
// CHECK-NEXT: %[[GZ:.*]] = gantk.gemm %arg1
// CHECK-NOT: gantk.invariant
// CHECK-SAME: -> tensor<2x5xf64>
// The gram_blocks kernel runs over the 3 real rows; the Z rows live inside
// its result, after the 3 real rows of 5 f64 (120 bytes).
// CHECK-NEXT: gantk.dispatch @gram_blocks_kernel(%{{.*}}, %[[GZ]]) {gantk.operand_inside = array<i64: 1, 120>, parallel = true, range = 3 : i64, tied = array<i64: -1>} : (tensor<3x3xf64>, tensor<2x5xf64>) -> tensor<5x5xf64>
// CHECK-NEXT: gantk.dispatch @diag_kernel
// CHECK-NOT: gantk.invariant
// CHECK-SAME: -> tensor<5xf64>
// CHECK-NEXT: gantk.dispatch @labels_kernel() {gantk.invariant
// CHECK-NEXT: return
func.func @step(%x: tensor<3x2xf64>, %z: tensor<2x2xf64>) -> (tensor<5xf64>, tensor<5x1xf64>) {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<2x2xf64> -> tensor<5x2xf64>
  %g = gantk.gemm %s, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<5x2xf64>, tensor<5x2xf64> -> tensor<5x5xf64>
  %v = gantk.diag %g : tensor<5x5xf64> -> tensor<5xf64>
  %y = gantk.labels {num_real = 3 : i64} : tensor<5x1xf64>
  return %v, %y : tensor<5xf64>, tensor<5x1xf64>
}

// -----

// A value that a step command overwrites in place is made anew at every
// step: the pairwise kernel writes K over the real-real Gram (its last
// reader), so the Gram, and the diagonal read from it, stay in the step
// even though they depend on X only; so does all that follows.
// CHECK-LABEL: func.func @in_place
// CHECK-NOT: gantk.invariant
// CHECK: gantk.dispatch @pairwise_kernel({{.*}}) {in_place
// CHECK-NOT: gantk.invariant
// CHECK: return
func.func @in_place(%x: tensor<3x2xf64>, %z: tensor<2x2xf64>) -> (tensor<3x3xf64>, tensor<5x2xf64>) {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<2x2xf64> -> tensor<5x2xf64>
  %g = gantk.gemm %x, %x {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<3x3xf64>
  %v = gantk.diag %g : tensor<3x3xf64> -> tensor<3xf64>
  %k = gantk.pairwise %g, %v : tensor<3x3xf64>, tensor<3xf64> -> tensor<3x3xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  %ks = gantk.add_trace_diag %k {scale = 1.0e-5 : f64} : tensor<3x3xf64>
  return %ks, %s : tensor<3x3xf64>, tensor<5x2xf64>
}
