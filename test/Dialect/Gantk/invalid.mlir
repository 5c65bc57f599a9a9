// RUN: gantk-opt %s -split-input-file -verify-diagnostics

// A kernel of zero points is rejected by the type verifier.
// expected-error @+1 {{kernel size must be positive, got 0}}
func.func private @f(!gantk.kernel<0, f64>)

// -----

// The kernel type carries f32 or f64 only.
// expected-error @+1 {{kernel element type must be f32 or f64, got 'f16'}}
func.func private @f(!gantk.kernel<4, f16>)

// -----

// Every tensor of a gantk op has a static shape.
func.func @f(%s: tensor<?x3xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.gram' op requires static shapes, got 'tensor<?x3xf64>'}}
  %g = gantk.gram %s : tensor<?x3xf64> -> tensor<4x4xf64>
  return %g : tensor<4x4xf64>
}

// -----

// Operands and results share one element type.
func.func @f(%x: tensor<2x3xf32>, %z: tensor<2x3xf64>) -> tensor<4x3xf64> {
  // expected-error @+1 {{'gantk.stack' op requires one element type, got 'f32' and 'f64'}}
  %s = gantk.stack %x, %z : tensor<2x3xf32>, tensor<2x3xf64> -> tensor<4x3xf64>
  return %s : tensor<4x3xf64>
}

// -----

// The kernel's element type counts too.
func.func @f(%s: tensor<4x3xf32>) -> !gantk.kernel<4, f64> {
  // expected-error @+1 {{'gantk.input' op requires one element type, got 'f32' and 'f64'}}
  %k = gantk.input %s : tensor<4x3xf32> -> !gantk.kernel<4, f64>
  return %k : !gantk.kernel<4, f64>
}

// -----

// Real and generated rows have the same features.
func.func @f(%x: tensor<2x3xf64>, %z: tensor<2x2xf64>) -> tensor<4x3xf64> {
  // expected-error @+1 {{'gantk.stack' op operands and result must have the same number of columns}}
  %s = gantk.stack %x, %z : tensor<2x3xf64>, tensor<2x2xf64> -> tensor<4x3xf64>
  return %s : tensor<4x3xf64>
}

// -----

// The stack has as many rows as its operands together.
func.func @f(%x: tensor<2x3xf64>, %z: tensor<2x3xf64>) -> tensor<5x3xf64> {
  // expected-error @+1 {{'gantk.stack' op result rows must be the sum of the operand rows}}
  %s = gantk.stack %x, %z : tensor<2x3xf64>, tensor<2x3xf64> -> tensor<5x3xf64>
  return %s : tensor<5x3xf64>
}

// -----

// The input kernel has one row and column per point.
func.func @f(%s: tensor<4x3xf64>) -> !gantk.kernel<5, f64> {
  // expected-error @+1 {{'gantk.input' op kernel size 5 does not match 4 points}}
  %k = gantk.input %s : tensor<4x3xf64> -> !gantk.kernel<5, f64>
  return %k : !gantk.kernel<5, f64>
}

// -----

// Standard deviations of the weights and biases cannot be negative.
func.func @f(%k: !gantk.kernel<4, f64>) -> !gantk.kernel<4, f64> {
  // expected-error @+1 {{'gantk.dense' op w_std and b_std must be non-negative}}
  %d = gantk.dense %k {w_std = -1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64>
  return %d : !gantk.kernel<4, f64>
}

// -----

// The arc-cosine rule needs a Gaussian input: a dense layer right before.
func.func @f(%s: tensor<4x3xf64>) -> !gantk.kernel<4, f64> {
  %k = gantk.input %s : tensor<4x3xf64> -> !gantk.kernel<4, f64>
  // expected-error @+1 {{'gantk.abrelu' op needs a Gaussian input: an affine layer (gantk.dense) right before it}}
  %r = gantk.abrelu %k {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  return %r : !gantk.kernel<4, f64>
}

// -----

// So does the erf rule: two activations in a row are rejected.
func.func @f(%k: !gantk.kernel<4, f64>) -> !gantk.kernel<4, f64> {
  %d = gantk.dense %k {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64>
  %r = gantk.abrelu %d {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  // expected-error @+1 {{'gantk.erf' op needs a Gaussian input: an affine layer (gantk.dense) right before it}}
  %e = gantk.erf %r {a = 1.0 : f64, b = 1.0 : f64, c = 0.0 : f64} : !gantk.kernel<4, f64>
  return %e : !gantk.kernel<4, f64>
}

// -----

// A readout is N x N for a kernel of N points.
func.func @f(%k: !gantk.kernel<4, f64>) -> tensor<4x3xf64> {
  // expected-error @+1 {{'gantk.nngp' op result must be 4x4, got 'tensor<4x3xf64>'}}
  %s = gantk.nngp %k : !gantk.kernel<4, f64> -> tensor<4x3xf64>
  return %s : tensor<4x3xf64>
}

// -----

// The NTK is read after the final dense layer.
func.func @f(%k: !gantk.kernel<4, f64>) -> tensor<4x4xf64> {
  %d = gantk.dense %k {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64>
  %r = gantk.abrelu %d {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  // expected-error @+1 {{'gantk.ntk' op needs the output of an affine layer (gantk.dense)}}
  %K = gantk.ntk %r : !gantk.kernel<4, f64> -> tensor<4x4xf64>
  return %K : tensor<4x4xf64>
}

// -----

// There cannot be more real rows than rows.
func.func @f() -> tensor<4x1xf64> {
  // expected-error @+1 {{'gantk.labels' op num_real must be in [0, 4], got 5}}
  %y = gantk.labels {num_real = 5 : i64} : tensor<4x1xf64>
  return %y : tensor<4x1xf64>
}

// -----

// Labels are one column (squared loss) or a one-hot pair (cross-entropy).
func.func @f() -> tensor<4x3xf64> {
  // expected-error @+1 {{'gantk.labels' op labels have 1 or 2 columns, got 3}}
  %y = gantk.labels {num_real = 2 : i64} : tensor<4x3xf64>
  return %y : tensor<4x3xf64>
}

// -----

// The exponential acts with a square kernel.
func.func @f(%K: tensor<4x3xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+1 {{'gantk.expm_action' op kernel must be square, got 'tensor<4x3xf64>'}}
  %u = gantk.expm_action %K, %y {lambda = 1.0 : f64, eig_reg = 0.0 : f64} : tensor<4x3xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// The label columns have one entry per point.
func.func @f(%K: tensor<4x4xf64>, %y: tensor<3x1xf64>) -> tensor<3x1xf64> {
  // expected-error @+1 {{'gantk.expm_action' op rhs rows must match the kernel size}}
  %u = gantk.expm_action %K, %y {lambda = 1.0 : f64, eig_reg = 0.0 : f64} : tensor<4x4xf64>, tensor<3x1xf64> -> tensor<3x1xf64>
  return %u : tensor<3x1xf64>
}

// -----

// exp(-lambda K) Y has the shape of Y.
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x2xf64> {
  // expected-error @+1 {{'gantk.expm_action' op result type must equal the rhs type}}
  %u = gantk.expm_action %K, %y {lambda = 1.0 : f64, eig_reg = 0.0 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x2xf64>
  return %u : tensor<4x2xf64>
}

// -----

// The training time lambda is positive.
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+1 {{'gantk.expm_action' op lambda must be positive, got 0.000000e+00}}
  %u = gantk.expm_action %K, %y {lambda = 0.0 : f64, eig_reg = 0.0 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// The eigenvalue regularisation only shifts the spectrum upwards.
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+1 {{'gantk.expm_action' op eig_reg must be non-negative, got -5.000000e-01}}
  %u = gantk.expm_action %K, %y {lambda = 1.0 : f64, eig_reg = -0.5 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// dL/dK has the kernel's type.
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>, %du: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+1 {{'gantk.expm_action_grad' op result type must equal the kernel type}}
  %dk = gantk.expm_action_grad %K, %y, %du {lambda = 1.0 : f64, eig_reg = 0.0 : f64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %dk : tensor<4x1xf64>
}

// -----

// The cotangent dU of expm_action_grad has the rhs type; the shared shape
// check words it as the forward's "result".
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>, %du: tensor<4x2xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.expm_action_grad' op result type must equal the rhs type}}
  %dk = gantk.expm_action_grad %K, %y, %du {lambda = 1.0 : f64, eig_reg = 0.0 : f64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x2xf64> -> tensor<4x4xf64>
  return %dk : tensor<4x4xf64>
}

// -----

// Only the two GA-NTK losses exist.
func.func @f(%u: tensor<4x1xf64>, %y: tensor<4x1xf64>) -> tensor<f64> {
  // expected-error @+2 {{expected ::gantk::Loss to be one of: squared, cross_entropy}}
  // expected-error @+1 {{failed to parse Gantk_LossAttr parameter 'value'}}
  %l = gantk.loss %u, %y {kind = #gantk.loss<hinge>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// The action and the labels have one shape.
func.func @f(%u: tensor<4x1xf64>, %y: tensor<3x1xf64>) -> tensor<f64> {
  // expected-error @+1 {{'gantk.loss' op action and labels must have the same type}}
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<3x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// The cross-entropy loss needs one-hot labels.
func.func @f(%u: tensor<4x1xf64>, %y: tensor<4x1xf64>) -> tensor<f64> {
  // expected-error @+1 {{'gantk.loss' op loss 'cross_entropy' needs 2 label column(s), got 1}}
  %l = gantk.loss %u, %y {kind = #gantk.loss<cross_entropy>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// dL/dU has the shape of U.
func.func @f(%u: tensor<4x1xf64>, %y: tensor<4x1xf64>) -> tensor<4x2xf64> {
  // expected-error @+1 {{'gantk.loss_grad' op result type must equal the action type}}
  %du = gantk.loss_grad %u, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x2xf64>
  return %du : tensor<4x2xf64>
}

// -----

// The Gram matrix of N points is N x N.
func.func @f(%s: tensor<4x3xf64>) -> tensor<3x3xf64> {
  // expected-error @+1 {{'gantk.gram' op result must be N x N (x H x W) for N points}}
  %g = gantk.gram %s : tensor<4x3xf64> -> tensor<3x3xf64>
  return %g : tensor<3x3xf64>
}

// -----

// A diagonal needs a square matrix.
func.func @f(%g: tensor<4x3xf64>) -> tensor<4xf64> {
  // expected-error @+1 {{'gantk.diag' op input must be square, got 'tensor<4x3xf64>'}}
  %v = gantk.diag %g : tensor<4x3xf64> -> tensor<4xf64>
  return %v : tensor<4xf64>
}

// -----

// The diagonal of an N x N matrix has N entries.
func.func @f(%g: tensor<4x4xf64>) -> tensor<3xf64> {
  // expected-error @+1 {{'gantk.diag' op result must have one entry (or map) per point}}
  %v = gantk.diag %g : tensor<4x4xf64> -> tensor<3xf64>
  return %v : tensor<3xf64>
}

// -----

// A corner is a square block of at most N x N, of the same element type.
func.func @f(%g: tensor<4x4xf64>, %v: tensor<4xf64>, %c: tensor<5x5xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.pairwise' op corner must be a square block of at most 4 x 4 'f64', got 'tensor<5x5xf64>'}}
  %k = gantk.pairwise %g, %v corner %c : tensor<4x4xf64>, tensor<4xf64>, tensor<5x5xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  return %k : tensor<4x4xf64>
}

// -----

func.func @f(%g: tensor<4x4xf64>, %v: tensor<4xf64>, %c: tensor<2x3xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.pairwise' op corner must be a square block of at most 4 x 4 'f64', got 'tensor<2x3xf64>'}}
  %k = gantk.pairwise %g, %v corner %c : tensor<4x4xf64>, tensor<4xf64>, tensor<2x3xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  return %k : tensor<4x4xf64>
}

// -----

// The per-pair map reads a square Gram matrix.
func.func @f(%g: tensor<4x3xf64>, %v: tensor<4xf64>) -> tensor<4x3xf64> {
  // expected-error @+1 {{'gantk.pairwise' op gram must be square, got 'tensor<4x3xf64>'}}
  %k = gantk.pairwise %g, %v : tensor<4x3xf64>, tensor<4xf64> -> tensor<4x3xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  return %k : tensor<4x3xf64>
}

// -----

// One variance per point, and a result of the Gram's shape.
func.func @f(%g: tensor<4x4xf64>, %v: tensor<3xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.pairwise' op diag must have one entry (or map) per point of the gram}}
  %k = gantk.pairwise %g, %v : tensor<4x4xf64>, tensor<3xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  return %k : tensor<4x4xf64>
}

// -----

// The body takes (q12, q11, q22) in the element type.
func.func @f(%g: tensor<4x4xf64>, %v: tensor<4xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.pairwise' op body must take arguments of types ('f64', 'f64', 'f64')}}
  %k = gantk.pairwise %g, %v : tensor<4x4xf64>, tensor<4xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: f32, %q11: f32, %q22: f32):
    %r = arith.extf %q12 : f32 to f64
    gantk.yield %r : f64
  }
  return %k : tensor<4x4xf64>
}

// -----

// The body ends with gantk.yield, not another terminator.
func.func @f(%g: tensor<4x4xf64>, %v: tensor<4xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.pairwise' op body must end with gantk.yield}}
  %k = gantk.pairwise %g, %v : tensor<4x4xf64>, tensor<4xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    func.return
  }
  return %k : tensor<4x4xf64>
}

// -----

// The forward body yields one scalar.
func.func @f(%g: tensor<4x4xf64>, %v: tensor<4xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.pairwise' op body must yield values of types ('f64')}}
  %k = gantk.pairwise %g, %v : tensor<4x4xf64>, tensor<4xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12, %q11 : f64, f64
  }
  return %k : tensor<4x4xf64>
}

// -----

// The adjoint's cotangent has the Gram's shape.
func.func @f(%g: tensor<4x4xf64>, %v: tensor<4xf64>, %c: tensor<4x3xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.pairwise_grad' op operand and result shapes must match the gram size}}
  %dg, %dv = gantk.pairwise_grad %g, %v, %c : tensor<4x4xf64>, tensor<4xf64>, tensor<4x3xf64> -> tensor<4x4xf64>, tensor<4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64, %cc: f64):
    gantk.yield %cc, %cc, %cc : f64, f64, f64
  }
  return %dg : tensor<4x4xf64>
}

// -----

// The adjoint body takes the cotangent as a fourth scalar.
func.func @f(%g: tensor<4x4xf64>, %v: tensor<4xf64>, %c: tensor<4x4xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.pairwise_grad' op body must take arguments of types ('f64', 'f64', 'f64', 'f64')}}
  %dg, %dv = gantk.pairwise_grad %g, %v, %c : tensor<4x4xf64>, tensor<4xf64>, tensor<4x4xf64> -> tensor<4x4xf64>, tensor<4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12, %q11, %q22 : f64, f64, f64
  }
  return %dg : tensor<4x4xf64>
}

// -----

// The adjoint body yields the three partial derivatives.
func.func @f(%g: tensor<4x4xf64>, %v: tensor<4xf64>, %c: tensor<4x4xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.pairwise_grad' op body must yield values of types ('f64', 'f64', 'f64')}}
  %dg, %dv = gantk.pairwise_grad %g, %v, %c : tensor<4x4xf64>, tensor<4xf64>, tensor<4x4xf64> -> tensor<4x4xf64>, tensor<4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64, %cc: f64):
    gantk.yield %cc : f64
  }
  return %dg : tensor<4x4xf64>
}

// -----

// The cotangent of G = S S^T / d is N x N, or just the requested rows of it.
func.func @f(%s: tensor<4x3xf64>, %c: tensor<4x3xf64>) -> tensor<2x3xf64> {
  // expected-error @+1 {{'gantk.gram_grad' op cotangent must be N x N, or the result's rows of it, for N points}}
  %dz = gantk.gram_grad %s, %c {row_offset = 2 : i64} : tensor<4x3xf64>, tensor<4x3xf64> -> tensor<2x3xf64>
  return %dz : tensor<2x3xf64>
}

// -----

// Rows of dL/dS have the points' features.
func.func @f(%s: tensor<4x3xf64>, %c: tensor<4x4xf64>) -> tensor<2x2xf64> {
  // expected-error @+1 {{'gantk.gram_grad' op result must have the points' columns}}
  %dz = gantk.gram_grad %s, %c {row_offset = 2 : i64} : tensor<4x3xf64>, tensor<4x4xf64> -> tensor<2x2xf64>
  return %dz : tensor<2x2xf64>
}

// -----

// The requested rows lie inside the points.
func.func @f(%s: tensor<4x3xf64>, %c: tensor<4x4xf64>) -> tensor<2x3xf64> {
  // expected-error @+1 {{'gantk.gram_grad' op rows [3, 5) are outside the 4 points}}
  %dz = gantk.gram_grad %s, %c {row_offset = 3 : i64} : tensor<4x3xf64>, tensor<4x4xf64> -> tensor<2x3xf64>
  return %dz : tensor<2x3xf64>
}

// -----

// A + diag(v) on rows [row_offset, row_offset + R) of an N x N matrix:
// the rows must exist.
func.func @f(%a: tensor<4x3xf64>, %v: tensor<4xf64>) -> tensor<4x3xf64> {
  // expected-error @+1 {{'gantk.add_diag' op rows [0, 4) are outside the 3 points}}
  %r = gantk.add_diag %a, %v : tensor<4x3xf64>, tensor<4xf64> -> tensor<4x3xf64>
  return %r : tensor<4x3xf64>
}

// -----

// ... and a diagonal of its size.
func.func @f(%a: tensor<4x4xf64>, %v: tensor<3xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.add_diag' op diag and result must match the input size}}
  %r = gantk.add_diag %a, %v : tensor<4x4xf64>, tensor<3xf64> -> tensor<4x4xf64>
  return %r : tensor<4x4xf64>
}

// -----

// op(A) op(B) needs matching inner dimensions (here A B^T: 3 vs 2).
func.func @f(%a: tensor<4x3xf64>, %b: tensor<4x2xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.gemm' op inner dimensions differ: 3 vs 2}}
  %c = gantk.gemm %a, %b {alpha = 1.0 : f64, trans_a = false, trans_b = true} : tensor<4x3xf64>, tensor<4x2xf64> -> tensor<4x4xf64>
  return %c : tensor<4x4xf64>
}

// -----

// The product of A^T (3x4) and B (4x2) is 3x2.
func.func @f(%a: tensor<4x3xf64>, %b: tensor<4x2xf64>) -> tensor<4x2xf64> {
  // expected-error @+1 {{'gantk.gemm' op result must be 3x2}}
  %c = gantk.gemm %a, %b {alpha = 1.0 : f64, trans_a = true, trans_b = false} : tensor<4x3xf64>, tensor<4x2xf64> -> tensor<4x2xf64>
  return %c : tensor<4x2xf64>
}

// -----

// a_symmetric_from: A's columns from there on are an M x M block, M = A's
// rows (here 2 + 4 = 6, not A's 5 columns).
func.func @f(%a: tensor<4x5xf64>, %b: tensor<5x2xf64>) -> tensor<4x2xf64> {
  // expected-error @+1 {{'gantk.gemm' op a_symmetric_from needs A and B not transposed and A's last columns a square block: 2 + 4 vs 5 columns}}
  %c = gantk.gemm %a, %b {a_symmetric_from = 2 : i64, alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<4x5xf64>, tensor<5x2xf64> -> tensor<4x2xf64>
  return %c : tensor<4x2xf64>
}

// -----

// upper_only: C's last columns a square block (C has at least as many
// columns as rows).
func.func @f(%a: tensor<4x3xf64>, %b: tensor<2x3xf64>) -> tensor<4x2xf64> {
  // expected-error @+1 {{'gantk.gemm' op upper_only needs a square block in C's last columns: 4 rows, 2 columns}}
  %c = gantk.gemm %a, %b {alpha = 1.0 : f64, trans_a = false, trans_b = true, upper_only} : tensor<4x3xf64>, tensor<2x3xf64> -> tensor<4x2xf64>
  return %c : tensor<4x2xf64>
}

// -----

// The eigendecomposition is of a square matrix.
func.func @f(%k: tensor<4x3xf64>) -> tensor<4xf64> {
  // expected-error @+1 {{'gantk.eigh' op input must be square, got 'tensor<4x3xf64>'}}
  %qt, %mu = gantk.eigh %k : tensor<4x3xf64> -> tensor<4x3xf64>, tensor<4xf64>
  return %mu : tensor<4xf64>
}

// -----

// N eigenvectors of length N and N eigenvalues.
func.func @f(%k: tensor<4x4xf64>) -> tensor<3xf64> {
  // expected-error @+1 {{'gantk.eigh' op results must match the input size}}
  %qt, %mu = gantk.eigh %k : tensor<4x4xf64> -> tensor<4x4xf64>, tensor<3xf64>
  return %mu : tensor<3xf64>
}

// -----

// The trace shift needs a square matrix.
func.func @f(%k: tensor<4x3xf64>) -> tensor<4x3xf64> {
  // expected-error @+1 {{'gantk.add_trace_diag' op input must be square, got 'tensor<4x3xf64>'}}
  %r = gantk.add_trace_diag %k {scale = 1.0 : f64} : tensor<4x3xf64>
  return %r : tensor<4x3xf64>
}

// -----

// One eigenvalue per row of B.
func.func @f(%mu: tensor<3xf64>, %b: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+1 {{'gantk.exp_scale' op values, rhs and result must have the same rows}}
  %e = gantk.exp_scale %mu, %b {lambda = 1.0 : f64} : tensor<3xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %e : tensor<4x1xf64>
}

// -----

// exp_scale's lambda is positive.
func.func @f(%mu: tensor<4xf64>, %b: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+1 {{'gantk.exp_scale' op lambda must be positive, got -1.000000e+00}}
  %e = gantk.exp_scale %mu, %b {lambda = -1.0 : f64} : tensor<4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %e : tensor<4x1xf64>
}

// -----

// a and b are N x k with one shape; the result is N x N.
func.func @f(%mu: tensor<4xf64>, %a: tensor<4x1xf64>, %b: tensor<4x2xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.daleckii_krein' op a and b must be N x k and the result N x N for N eigenvalues}}
  %m = gantk.daleckii_krein %mu, %a, %b {lambda = 1.0 : f64} : tensor<4xf64>, tensor<4x1xf64>, tensor<4x2xf64> -> tensor<4x4xf64>
  return %m : tensor<4x4xf64>
}

// -----

// daleckii_krein's lambda is positive.
func.func @f(%mu: tensor<4xf64>, %a: tensor<4x1xf64>, %b: tensor<4x1xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.daleckii_krein' op lambda must be positive, got 0.000000e+00}}
  %m = gantk.daleckii_krein %mu, %a, %b {lambda = 0.0 : f64} : tensor<4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>
  return %m : tensor<4x4xf64>
}

// -----

// Dispatched tensors have static shapes.
func.func private @k(memref<?x4xf64>, memref<?x4xf64>, index, index)
func.func @f(%a: tensor<?x4xf64>) -> tensor<?x4xf64> {
  // expected-error @+1 {{'gantk.dispatch' op requires static shapes, got 'tensor<?x4xf64>'}}
  %r = gantk.dispatch @k(%a) {range = 1 : i64, parallel = false, tied = array<i64: -1>} : (tensor<?x4xf64>) -> tensor<?x4xf64>
  return %r : tensor<?x4xf64>
}

// -----

// A dispatch runs over at least one index.
func.func private @k(memref<4x4xf64>, memref<4x4xf64>, index, index)
func.func @f(%a: tensor<4x4xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.dispatch' op range must be positive, got 0}}
  %r = gantk.dispatch @k(%a) {range = 0 : i64, parallel = false, tied = array<i64: -1>} : (tensor<4x4xf64>) -> tensor<4x4xf64>
  return %r : tensor<4x4xf64>
}

// -----

// Every result says whether it reuses an operand's buffer.
func.func private @k(memref<4x4xf64>, memref<4x4xf64>, index, index)
func.func @f(%a: tensor<4x4xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.dispatch' op needs one tied entry per result}}
  %r = gantk.dispatch @k(%a) {range = 4 : i64, parallel = true, tied = array<i64>} : (tensor<4x4xf64>) -> tensor<4x4xf64>
  return %r : tensor<4x4xf64>
}

// -----

// A tied entry names an existing operand.
func.func private @k(memref<4x4xf64>, memref<4x4xf64>, index, index)
func.func @f(%a: tensor<4x4xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.dispatch' op tied operand 1 does not exist}}
  %r = gantk.dispatch @k(%a) {range = 4 : i64, parallel = true, tied = array<i64: 1>} : (tensor<4x4xf64>) -> tensor<4x4xf64>
  return %r : tensor<4x4xf64>
}

// -----

// A result reuses only a buffer of its own type.
func.func private @k(memref<4x4xf64>, memref<4xf64>, index, index)
func.func @f(%a: tensor<4x4xf64>) -> tensor<4xf64> {
  // expected-error @+1 {{'gantk.dispatch' op result 0 is tied to an operand of another type}}
  %r = gantk.dispatch @k(%a) {range = 4 : i64, parallel = true, tied = array<i64: 0>} : (tensor<4x4xf64>) -> tensor<4xf64>
  return %r : tensor<4xf64>
}

// -----

// The dispatched kernel is a symbol of the module.
func.func @f(%a: tensor<4x4xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.dispatch' op kernel 'missing' does not exist}}
  %r = gantk.dispatch @missing(%a) {range = 4 : i64, parallel = true, tied = array<i64: -1>} : (tensor<4x4xf64>) -> tensor<4x4xf64>
  return %r : tensor<4x4xf64>
}

// -----

// The exponential action is computed densely or by block Lanczos; nothing
// else.
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+2 {{expected ::gantk::Solver to be one of: auto, dense, krylov}}
  // expected-error @+1 {{failed to parse Gantk_SolverAttr parameter 'value'}}
  %u = gantk.expm_action %K, %y {lambda = 1.0 : f64, eig_reg = 0.0 : f64, solver = #gantk.solver<lanczos>} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// The Krylov tolerance is relative: in (0, 1), checked on the adjoint too.
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>, %du: tensor<4x1xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.expm_action_grad' op tol must be in (0, 1), got 1.000000e+00}}
  %dk = gantk.expm_action_grad %K, %y, %du {lambda = 1.0 : f64, eig_reg = 0.0 : f64, solver = #gantk.solver<krylov>, tol = 1.0 : f64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>
  return %dk : tensor<4x4xf64>
}

// -----

// At least one Lanczos block; the dense solver checks it as well.
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+1 {{'gantk.expm_action' op max_iter must be positive, got 0}}
  %u = gantk.expm_action %K, %y {lambda = 1.0 : f64, eig_reg = 0.0 : f64, max_iter = 0 : i64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// The library op checks the tolerance itself (zero is excluded).
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+1 {{'gantk.krylov_expm' op tol must be in (0, 1), got 0.000000e+00}}
  %u = gantk.krylov_expm %K, %y {lambda = 1.0 : f64, tol = 0.0 : f64, max_iter = 10 : i64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// ... and the iteration limit.
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>, %du: tensor<4x1xf64>) -> (tensor<4x4xf64>, tensor<4x4xf64>) {
  // expected-error @+1 {{'gantk.krylov_expm_grad' op max_iter must be positive, got -1}}
  %a, %b = gantk.krylov_expm_grad %K, %y, %du {lambda = 1.0 : f64, tol = 1.0e-8 : f64, max_iter = -1 : i64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>, tensor<4x4xf64>
  return %a, %b : tensor<4x4xf64>, tensor<4x4xf64>
}

// -----

// The Krylov action shares the shape checks of expm_action.
func.func @f(%K: tensor<4x4xf64>, %y: tensor<3x1xf64>) -> tensor<3x1xf64> {
  // expected-error @+1 {{'gantk.krylov_expm' op rhs rows must match the kernel size}}
  %u = gantk.krylov_expm %K, %y {lambda = 1.0 : f64, tol = 1.0e-8 : f64, max_iter = 10 : i64} : tensor<4x4xf64>, tensor<3x1xf64> -> tensor<3x1xf64>
  return %u : tensor<3x1xf64>
}

// -----

// The eigenvalue shift is applied before the Krylov op, which has no
// eig_reg; its lambda is still positive.
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+1 {{'gantk.krylov_expm' op lambda must be positive, got -1.000000e+00}}
  %u = gantk.krylov_expm %K, %y {lambda = -1.0 : f64, tol = 1.0e-8 : f64, max_iter = 10 : i64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// The cotangent of the Krylov gradient has the rhs shape (the shared check
// words it as the "result").
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>, %du: tensor<4x2xf64>) -> (tensor<4x4xf64>, tensor<4x4xf64>) {
  // expected-error @+1 {{'gantk.krylov_expm_grad' op result type must equal the rhs type}}
  %a, %b = gantk.krylov_expm_grad %K, %y, %du {lambda = 1.0 : f64, tol = 1.0e-8 : f64, max_iter = 10 : i64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x2xf64> -> tensor<4x4xf64>, tensor<4x4xf64>
  return %a, %b : tensor<4x4xf64>, tensor<4x4xf64>
}

// -----

// dL/dK = A Bᵀ: both factors have the same rank ...
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>, %du: tensor<4x1xf64>) -> (tensor<4x2xf64>, tensor<4x3xf64>) {
  // expected-error @+1 {{'gantk.krylov_expm_grad' op factors must be two N x rank matrices, rank >= 1}}
  %a, %b = gantk.krylov_expm_grad %K, %y, %du {lambda = 1.0 : f64, tol = 1.0e-8 : f64, max_iter = 10 : i64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x2xf64>, tensor<4x3xf64>
  return %a, %b : tensor<4x2xf64>, tensor<4x3xf64>
}

// -----

// ... and one row per point.
func.func @f(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>, %du: tensor<4x1xf64>) -> (tensor<3x2xf64>, tensor<3x2xf64>) {
  // expected-error @+1 {{'gantk.krylov_expm_grad' op factors must be two N x rank matrices, rank >= 1}}
  %a, %b = gantk.krylov_expm_grad %K, %y, %du {lambda = 1.0 : f64, tol = 1.0e-8 : f64, max_iter = 10 : i64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<3x2xf64>, tensor<3x2xf64>
  return %a, %b : tensor<3x2xf64>, tensor<3x2xf64>
}

// -----

// The eig_reg adjoint on rows: R x N rows, N x r factors, an R x N result.
func.func @f(%m: tensor<2x4xf64>, %a: tensor<3x2xf64>, %b: tensor<3x2xf64>) -> tensor<2x4xf64> {
  // expected-error @+1 {{'gantk.add_factor_trace' op needs R x N rows, N x r factors and an R x N result}}
  %r = gantk.add_factor_trace %m, %a, %b {scale = 1.0e-3 : f64, row_offset = 2 : i64} : tensor<2x4xf64>, tensor<3x2xf64>, tensor<3x2xf64> -> tensor<2x4xf64>
  return %r : tensor<2x4xf64>
}

// -----

// ... whose rows exist.
func.func @f(%m: tensor<2x4xf64>, %a: tensor<4x2xf64>, %b: tensor<4x2xf64>) -> tensor<2x4xf64> {
  // expected-error @+1 {{'gantk.add_factor_trace' op rows [3, 5) are outside the 4 points}}
  %r = gantk.add_factor_trace %m, %a, %b {scale = 1.0e-3 : f64, row_offset = 3 : i64} : tensor<2x4xf64>, tensor<4x2xf64>, tensor<4x2xf64> -> tensor<2x4xf64>
  return %r : tensor<2x4xf64>
}

// -----

// An in-place kernel writes through a tied operand: it needs one.
func.func private @k(memref<4xf64>, memref<4xf64>, index, index) attributes {gantk.kernel}
func.func @f(%v: tensor<4xf64>) -> tensor<4xf64> {
  // expected-error @+1 {{'gantk.dispatch' op in_place needs a tied result}}
  %r = gantk.dispatch @k(%v) {range = 4 : i64, parallel = true, tied = array<i64: -1>, in_place} : (tensor<4xf64>) -> tensor<4xf64>
  return %r : tensor<4xf64>
}

// -----

// An operator of zero points is rejected by the type verifier.
// expected-error @+1 {{kernel size must be positive, got 0}}
func.func private @f(!gantk.operator<0, f64>)

// -----

func.func @f(%s: tensor<4x2xf64>) -> tensor<3xf64> {
  // expected-error @+1 {{'gantk.gram_diag' op result must have one entry per point}}
  %v = gantk.gram_diag %s {alpha = 0.5 : f64} : tensor<4x2xf64> -> tensor<3xf64>
  return %v : tensor<3xf64>
}

// -----

func.func @f(%s: tensor<4x2xf64>, %v: tensor<3xf64>) -> !gantk.operator<4, f64> {
  // expected-error @+1 {{'gantk.kernel_operator' op diag and operator must have one entry per point}}
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = 2 : i64} : tensor<4x2xf64>, tensor<3xf64> -> <4, f64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  return %k : !gantk.operator<4, f64>
}

// -----

func.func @f(%s: tensor<4x2xf64>, %v: tensor<4xf64>) -> !gantk.operator<4, f64> {
  // expected-error @+1 {{'gantk.kernel_operator' op tile_rows must be positive, got 0}}
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = 0 : i64} : tensor<4x2xf64>, tensor<4xf64> -> <4, f64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  return %k : !gantk.operator<4, f64>
}

// -----

func.func private @r(memref<4x4xf64>, memref<4xf64>, index, index) attributes {gantk.kernel}
func.func @f(%s: tensor<4x2xf64>, %v: tensor<4xf64>) -> !gantk.operator<4, f64> {
  // expected-error @+1 {{'gantk.kernel_operator' op has both a recursion kernel and a body}}
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = 2 : i64, recursion = @r} : tensor<4x2xf64>, tensor<4xf64> -> <4, f64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  return %k : !gantk.operator<4, f64>
}

// -----

func.func @f(%s: tensor<4x2xf64>, %v: tensor<4xf64>) -> !gantk.operator<4, f64> {
  // expected-error @+1 {{'gantk.kernel_operator' op needs a per-pair body or a recursion kernel}}
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = 2 : i64} : tensor<4x2xf64>, tensor<4xf64> -> <4, f64> {
  }
  return %k : !gantk.operator<4, f64>
}

// -----

func.func @f(%s: tensor<4x2xf64>, %v: tensor<4xf64>) -> !gantk.operator<4, f64> {
  // expected-error @+1 {{'gantk.kernel_operator' op body must take arguments of types ('f64', 'f64', 'f64')}}
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = 2 : i64} : tensor<4x2xf64>, tensor<4xf64> -> <4, f64> {
  ^bb0(%q12: f64, %q11: f64):
    gantk.yield %q12 : f64
  }
  return %k : !gantk.operator<4, f64>
}

// -----

func.func @f(%k: !gantk.operator<4, f64>, %y: tensor<3x1xf64>) -> tensor<3x1xf64> {
  // expected-error @+1 {{'gantk.krylov_expm' op rhs rows must match the kernel size}}
  %u = gantk.krylov_expm %k, %y {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : !gantk.operator<4, f64>, tensor<3x1xf64> -> tensor<3x1xf64>
  return %u : tensor<3x1xf64>
}

// -----

func.func @f(%k: !gantk.operator<4, f32>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+1 {{'gantk.krylov_expm' op requires one element type, got 'f32' and 'f64'}}
  %u = gantk.krylov_expm %k, %y {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : !gantk.operator<4, f32>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

func.func @f(%a: tensor<3x2xf64>) -> tensor<3x2xf64> {
  // expected-error @+1 {{'gantk.row_tiles' op rows and tile_rows must be positive}}
  %z = gantk.row_tiles {rows = 3 : i64, tile_rows = 0 : i64} : tensor<3x2xf64> {
    gantk.yield %a : tensor<3x2xf64>
  }
  return %z : tensor<3x2xf64>
}

// -----

func.func @f(%a: tensor<3x3xf64>) -> tensor<3x2xf64> {
  // expected-error @+1 {{'gantk.row_tiles' op body must yield the results}}
  %z = gantk.row_tiles {rows = 3 : i64, tile_rows = 2 : i64} : tensor<3x2xf64> {
    gantk.yield %a : tensor<3x3xf64>
  }
  return %z : tensor<3x2xf64>
}

// -----

func.func @f(%a: tensor<3x2xf64>) -> tensor<3x2xf64> {
  // expected-error @+1 {{'gantk.row_tiles' op results must have `rows` rows, got 'tensor<3x2xf64>'}}
  %z = gantk.row_tiles {rows = 4 : i64, tile_rows = 2 : i64} : tensor<3x2xf64> {
    gantk.yield %a : tensor<3x2xf64>
  }
  return %z : tensor<3x2xf64>
}

// -----

// A negative tile size is not a huge unsigned one.
func.func @f(%s: tensor<4x2xf64>, %v: tensor<4xf64>) -> !gantk.operator<4, f64> {
  // expected-error @+1 {{'gantk.kernel_operator' op tile_rows must be positive, got -1}}
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = -1 : i64} : tensor<4x2xf64>, tensor<4xf64> -> <4, f64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  return %k : !gantk.operator<4, f64>
}

// -----

// A repeated block runs at least once.
func.func @f(%k: !gantk.kernel<4, f64>) -> !gantk.kernel<4, f64> {
  // expected-error @+1 {{'gantk.repeat' op count must be positive, got 0}}
  %r = gantk.repeat 0 (%k) : !gantk.kernel<4, f64> {
  ^bb0(%a: !gantk.kernel<4, f64>):
    %d = gantk.dense %a {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64>
    gantk.yield %d : !gantk.kernel<4, f64>
  }
  return %r : !gantk.kernel<4, f64>
}

// -----

// A repeated body holds layers only.
func.func @f(%k: !gantk.kernel<4, f64>) -> !gantk.kernel<4, f64> {
  %r = gantk.repeat 2 (%k) : !gantk.kernel<4, f64> {
  ^bb0(%a: !gantk.kernel<4, f64>):
    // expected-error @+1 {{'arith.constant' op is not a layer; a repeated body holds layers only}}
    %c = arith.constant 1.0 : f64
    gantk.yield %a : !gantk.kernel<4, f64>
  }
  return %r : !gantk.kernel<4, f64>
}

// -----

// From the second iteration on, the body's first layer reads the body's own
// output: a nonlinearity first needs an affine layer last.
func.func @f(%k: !gantk.kernel<4, f64>) -> !gantk.kernel<4, f64> {
  %d = gantk.dense %k {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64>
  %r = gantk.repeat 2 (%d) : !gantk.kernel<4, f64> {
  ^bb0(%a: !gantk.kernel<4, f64>):
    // expected-error @+1 {{'gantk.gelu' op needs a Gaussian input: an affine layer (gantk.dense) right before it}}
    %g = gantk.gelu %a : !gantk.kernel<4, f64>
    gantk.yield %g : !gantk.kernel<4, f64>
  }
  return %r : !gantk.kernel<4, f64>
}

// -----

// A layer keeps the kernel state's type.
func.func @f(%k: !gantk.kernel<4, f64>) -> !gantk.kernel<4, f64> {
  // expected-error @+1 {{'gantk.repeat' op body must take one argument of type '!gantk.kernel<4, f64>'}}
  %r = gantk.repeat 2 (%k) : !gantk.kernel<4, f64> {
  ^bb0(%a: !gantk.kernel<4, f32>):
    %d = gantk.dense %a {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f32>
    gantk.yield %d : !gantk.kernel<4, f32>
  }
  return %r : !gantk.kernel<4, f64>
}

// -----

// File data needs a path.
// expected-error @+1 {{npy data needs a path}}
module attributes {gantk.data = #gantk.data<source = npy>} {}

// -----

// An images folder too.
// expected-error @+1 {{images data needs a path}}
module attributes {gantk.data = #gantk.data<source = images, image = [8, 8, 1]>} {}

// -----

// An image shape is [H, W, C].
// expected-error @+1 {{image must be [H, W, C] with positive sizes}}
module attributes {gantk.data = #gantk.data<source = npy, path = "x.npy", image = [28, 28]>} {}

// -----

// The optimiser's settings are range-checked as in the spec.
// expected-error @+1 {{clip bounds must satisfy clip_lo < clip_hi}}
module attributes {gantk.train = #gantk.train<clip = true, clip_lo = 1.0, clip_hi = 0.0>} {}

// -----

// expected-error @+1 {{every must be >= 1, got 0}}
module attributes {gantk.output = #gantk.output<every = 0>} {}

// -----

// The run configuration is the module's, and typed.
// expected-error @+1 {{'gantk.train' must be a #gantk.train<...> attribute}}
module attributes {gantk.train = 3 : i64} {}

// -----

// expected-error @+1 {{'gantk.lambda' must be a float attribute}}
module attributes {gantk.lambda = "0.5"} {}

// -----

module {
  // expected-error @+1 {{'func.func' op 'gantk.data' belongs on the module}}
  func.func @f() attributes {gantk.data = #gantk.data<source = npy, path = "x.npy">} {
    return
  }
}

// -----

// gram_blocks: a square real-real block and the Z rows of the same Gram.
func.func @gram_blocks_rows(%c: tensor<3x3xf64>, %r: tensor<2x4xf64>) -> tensor<5x5xf64> {
  // expected-error @+1 {{the Z rows must be 2x5 (N = 5 rows, 3 of them real), got 'tensor<2x4xf64>'}}
  %g = gantk.gram_blocks %c, %r : tensor<3x3xf64>, tensor<2x4xf64> -> tensor<5x5xf64>
  return %g : tensor<5x5xf64>
}

// -----

func.func @gram_blocks_corner(%c: tensor<3x2xf64>, %r: tensor<2x5xf64>) -> tensor<5x5xf64> {
  // expected-error @+1 {{the real-real block must be square}}
  %g = gantk.gram_blocks %c, %r : tensor<3x2xf64>, tensor<2x5xf64> -> tensor<5x5xf64>
  return %g : tensor<5x5xf64>
}

// -----

func.func @generator_theta_size(%e: tensor<4x2xf64>, %theta: tensor<40xf64>) -> tensor<4x2xf64> {
  // expected-error @+1 {{θ must hold 42 values for widths}}
  %z = gantk.generator %e, %theta {widths = array<i64: 2, 8, 2>, activations = ["relu", "sigmoid"]} : tensor<4x2xf64>, tensor<40xf64> -> tensor<4x2xf64>
  return %z : tensor<4x2xf64>
}

// -----

func.func @generator_activations(%e: tensor<4x2xf64>, %theta: tensor<42xf64>) -> tensor<4x2xf64> {
  // expected-error @+1 {{needs one activation per layer: 2 layers, 1 activations}}
  %z = gantk.generator %e, %theta {widths = array<i64: 2, 8, 2>, activations = ["relu"]} : tensor<4x2xf64>, tensor<42xf64> -> tensor<4x2xf64>
  return %z : tensor<4x2xf64>
}

// -----

func.func @generator_unknown_activation(%e: tensor<4x2xf64>, %theta: tensor<42xf64>) -> tensor<4x2xf64> {
  // expected-error @+1 {{unknown activation "gelu" (expected identity, relu, tanh or sigmoid)}}
  %z = gantk.generator %e, %theta {widths = array<i64: 2, 8, 2>, activations = ["relu", "gelu"]} : tensor<4x2xf64>, tensor<42xf64> -> tensor<4x2xf64>
  return %z : tensor<4x2xf64>
}

// -----

func.func @param_view_outside(%theta: tensor<10xf64>) -> tensor<2x8xf64> {
  // expected-error @+1 {{elements [0, 16) lie outside 'tensor<10xf64>'}}
  %w = gantk.param_view %theta {offset = 0 : i64} : tensor<10xf64> -> tensor<2x8xf64>
  return %w : tensor<2x8xf64>
}

// -----

func.func @concat_size(%a: tensor<2x2xf64>) -> tensor<5xf64> {
  // expected-error @+1 {{the pieces hold 4 values, the result 'tensor<5xf64>'}}
  %c = gantk.concat %a : tensor<2x2xf64> -> tensor<5xf64>
  return %c : tensor<5xf64>
}

// -----

func.func @bias_shape(%h: tensor<4x8xf64>, %b: tensor<1x4xf64>) -> tensor<4x8xf64> {
  // expected-error @+1 {{the bias must be 1 x 8 and the result the input's type}}
  %a = gantk.bias_act %h, %b {activation = "relu"} : tensor<4x8xf64>, tensor<1x4xf64> -> tensor<4x8xf64>
  return %a : tensor<4x8xf64>
}

// -----

func.func @param_view_negative(%theta: tensor<10xf64>) -> tensor<1x2xf64> {
  // expected-error @+1 {{elements [-1, 1) lie outside 'tensor<10xf64>'}}
  %w = gantk.param_view %theta {offset = -1 : i64} : tensor<10xf64> -> tensor<1x2xf64>
  return %w : tensor<1x2xf64>
}
