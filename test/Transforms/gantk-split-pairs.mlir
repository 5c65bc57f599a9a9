// RUN: gantk-opt %s -split-input-file -gantk-split-pairs | FileCheck %s

// K = pairwise(G, diag G) on G = gram_blocks(Grr, Gz): the pairs of the
// 3 real rows read Grr and its diagonal only, so they become a pairwise op
// of their own on Grr (before gram_blocks: it must not take Grr's buffer),
// with the same body, and K takes it as its corner. Then only G's diagonal
// is read of its real-real block: gram_blocks copies no more of it.
// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[GRR:.*]]: tensor<3x3xf64>, %[[GZ:.*]]: tensor<2x5xf64>)
// CHECK-NEXT: %[[VC:.*]] = gantk.diag %[[GRR]] : tensor<3x3xf64> -> tensor<3xf64>
// CHECK-NEXT: %[[KC:.*]] = gantk.pairwise %[[GRR]], %[[VC]] : tensor<3x3xf64>, tensor<3xf64> -> tensor<3x3xf64> {
// CHECK-NEXT: ^bb0(%[[A:.*]]: f64, %[[B:.*]]: f64, %[[C:.*]]: f64):
// CHECK-NEXT:   %[[P:.*]] = arith.mulf %[[B]], %[[C]] : f64
// CHECK-NEXT:   %[[R:.*]] = arith.addf %[[A]], %[[P]] : f64
// CHECK-NEXT:   gantk.yield %[[R]] : f64
// CHECK-NEXT: }
// CHECK-NEXT: %[[G:.*]] = gantk.gram_blocks %[[GRR]], %[[GZ]] {corner_diagonal_only}
// CHECK-NEXT: %[[V:.*]] = gantk.diag %[[G]]
// CHECK-NEXT: %[[K:.*]] = gantk.pairwise %[[G]], %[[V]] corner %[[KC]] : tensor<5x5xf64>, tensor<5xf64>, tensor<3x3xf64> -> tensor<5x5xf64> {
// CHECK: return %[[K]]
func.func @step(%grr: tensor<3x3xf64>, %gz: tensor<2x5xf64>) -> tensor<5x5xf64> {
  %g = gantk.gram_blocks %grr, %gz : tensor<3x3xf64>, tensor<2x5xf64> -> tensor<5x5xf64>
  %v = gantk.diag %g : tensor<5x5xf64> -> tensor<5xf64>
  %k = gantk.pairwise %g, %v : tensor<5x5xf64>, tensor<5xf64> -> tensor<5x5xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    %p = arith.mulf %q11, %q22 : f64
    %r = arith.addf %q12, %p : f64
    gantk.yield %r : f64
  }
  return %k : tensor<5x5xf64>
}

// -----

// A Gram that is not made of blocks, or a diagonal not of the same Gram,
// stays whole; so does a Gram whose block another op reads.
// CHECK-LABEL: func.func @whole
// CHECK-NOT: corner
// CHECK: return
func.func @whole(%g: tensor<5x5xf64>, %grr: tensor<3x3xf64>, %gz: tensor<2x5xf64>, %w: tensor<5xf64>) -> (tensor<5x5xf64>, tensor<5x5xf64>) {
  %v = gantk.diag %g : tensor<5x5xf64> -> tensor<5xf64>
  %k = gantk.pairwise %g, %v : tensor<5x5xf64>, tensor<5xf64> -> tensor<5x5xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  %b = gantk.gram_blocks %grr, %gz : tensor<3x3xf64>, tensor<2x5xf64> -> tensor<5x5xf64>
  %k2 = gantk.pairwise %b, %w : tensor<5x5xf64>, tensor<5xf64> -> tensor<5x5xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  return %k, %k2 : tensor<5x5xf64>, tensor<5x5xf64>
}

// -----

// The adjoint's rows of the generated points (row_offset 3) read no entry
// of the block; an adjoint of every row would.
// CHECK-LABEL: func.func @adjoint
// CHECK: gantk.gram_blocks %{{.*}}, %{{.*}} {corner_diagonal_only}
// CHECK: gantk.gram_blocks %{{.*}}, %{{.*}} :
func.func @adjoint(%grr: tensor<3x3xf64>, %gz: tensor<2x5xf64>, %c2: tensor<2x5xf64>, %c5: tensor<5x5xf64>) -> (tensor<5x5xf64>, tensor<2x5xf64>, tensor<5x5xf64>, tensor<5x5xf64>) {
  %g = gantk.gram_blocks %grr, %gz : tensor<3x3xf64>, tensor<2x5xf64> -> tensor<5x5xf64>
  %v = gantk.diag %g : tensor<5x5xf64> -> tensor<5xf64>
  %k = gantk.pairwise %g, %v : tensor<5x5xf64>, tensor<5xf64> -> tensor<5x5xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  %dg, %dv = gantk.pairwise_grad %g, %v, %c2 {row_offset = 3 : i64} : tensor<5x5xf64>, tensor<5xf64>, tensor<2x5xf64> -> tensor<2x5xf64>, tensor<2xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64, %c: f64):
    gantk.yield %c, %q11, %q22 : f64, f64, f64
  }
  %h = gantk.gram_blocks %grr, %gz : tensor<3x3xf64>, tensor<2x5xf64> -> tensor<5x5xf64>
  %w = gantk.diag %h : tensor<5x5xf64> -> tensor<5xf64>
  %k2 = gantk.pairwise %h, %w : tensor<5x5xf64>, tensor<5xf64> -> tensor<5x5xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  %dh, %dw = gantk.pairwise_grad %h, %w, %c5 : tensor<5x5xf64>, tensor<5xf64>, tensor<5x5xf64> -> tensor<5x5xf64>, tensor<5xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64, %c: f64):
    gantk.yield %c, %q11, %q22 : f64, f64, f64
  }
  return %k, %dg, %k2, %dh : tensor<5x5xf64>, tensor<2x5xf64>, tensor<5x5xf64>, tensor<5x5xf64>
}
