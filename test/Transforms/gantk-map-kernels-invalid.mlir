// RUN: gantk-opt %s -split-input-file -verify-diagnostics -gantk-outline-kernels

// What gantk-outline-kernels cannot make kernels for on maps over positions
// is an error at the op, never a silent miscompile.

// The maps of every pair are never stored: nothing may read the gram of
// maps but its diagonal and the per-pair ops.
func.func @stored(%s: tensor<4x8xf64>) -> tensor<4x4x2x2xf64> {
  %g = gantk.gram %s : tensor<4x8xf64> -> tensor<4x4x2x2xf64>
  // expected-error @+1 {{'func.return' op reads the maps of every pair, which are never stored; no kernel for it yet}}
  return %g : tensor<4x4x2x2xf64>
}

// -----

// The per-point maps are made in the kernels' own layout: they must be the
// gram's diagonal ...
func.func @other_diag(%s: tensor<4x8xf64>, %v: tensor<4x2x2xf64>) -> tensor<4x4xf64> {
  %g = gantk.gram %s : tensor<4x8xf64> -> tensor<4x4x2x2xf64>
  // expected-error @+1 {{'gantk.pairwise' op needs the diagonal of its map Gram}}
  %k = gantk.pairwise %g, %v : tensor<4x4x2x2xf64>, tensor<4x2x2xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: tensor<2x2xf64>, %q11: tensor<2x2xf64>, %q22: tensor<2x2xf64>):
    %m = gantk.spatial_mean %q12 : tensor<2x2xf64> -> f64
    gantk.yield %m : f64
  }
  return %k : tensor<4x4xf64>
}

// -----

// ... read by the per-pair ops only.
func.func @diag_returned(%s: tensor<4x8xf64>) -> (tensor<4x4xf64>, tensor<4x2x2xf64>) {
  %g = gantk.gram %s : tensor<4x8xf64> -> tensor<4x4x2x2xf64>
  %v = gantk.diag %g : tensor<4x4x2x2xf64> -> tensor<4x2x2xf64>
  %k = gantk.pairwise %g, %v : tensor<4x4x2x2xf64>, tensor<4x2x2xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: tensor<2x2xf64>, %q11: tensor<2x2xf64>, %q22: tensor<2x2xf64>):
    %m = gantk.spatial_mean %q12 : tensor<2x2xf64> -> f64
    gantk.yield %m : f64
  }
  // expected-error @+1 {{'func.return' op reads the per-point maps in an unsupported way}}
  return %k, %v : tensor<4x4xf64>, tensor<4x2x2xf64>
}

// -----

// The backward on maps exists fused only: dG of maps is never stored, so
// pairwise_grad must feed add_diag and gram_grad (dL/dZ).
func.func @grad_alone(%s: tensor<4x8xf64>, %c: tensor<4x4xf64>) -> tensor<4x4x2x2xf64> {
  %g = gantk.gram %s : tensor<4x8xf64> -> tensor<4x4x2x2xf64>
  %v = gantk.diag %g : tensor<4x4x2x2xf64> -> tensor<4x2x2xf64>
  // expected-error @+1 {{'gantk.pairwise_grad' op on maps needs its rows consumed by add_diag and gram_grad (the generated points' gradient)}}
  %dg, %dv = gantk.pairwise_grad %g, %v, %c : tensor<4x4x2x2xf64>, tensor<4x2x2xf64>, tensor<4x4xf64> -> tensor<4x4x2x2xf64>, tensor<4x2x2xf64> {
  ^bb0(%q12: tensor<2x2xf64>, %q11: tensor<2x2xf64>, %q22: tensor<2x2xf64>, %cc: f64):
    gantk.yield %q12, %q11, %q22 : tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xf64>
  }
  return %dg : tensor<4x4x2x2xf64>
}

// -----

// A constant map in a body is a number at every position (a splat).
func.func @dense_constant(%s: tensor<4x8xf64>) -> tensor<4x4xf64> {
  %g = gantk.gram %s : tensor<4x8xf64> -> tensor<4x4x2x2xf64>
  %v = gantk.diag %g : tensor<4x4x2x2xf64> -> tensor<4x2x2xf64>
  %k = gantk.pairwise %g, %v : tensor<4x4x2x2xf64>, tensor<4x2x2xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: tensor<2x2xf64>, %q11: tensor<2x2xf64>, %q22: tensor<2x2xf64>):
    // expected-error @+1 {{'arith.constant' op a constant map must be a splat}}
    %c = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf64>
    %p = arith.mulf %q12, %c : tensor<2x2xf64>
    %m = gantk.spatial_mean %p : tensor<2x2xf64> -> f64
    gantk.yield %m : f64
  }
  return %k : tensor<4x4xf64>
}

// -----

// Ops on maps other than the elementwise ones, windows and means have no
// loops over positions.
func.func @extract(%s: tensor<4x8xf64>) -> tensor<4x4xf64> {
  %g = gantk.gram %s : tensor<4x8xf64> -> tensor<4x4x2x2xf64>
  %v = gantk.diag %g : tensor<4x4x2x2xf64> -> tensor<4x2x2xf64>
  %k = gantk.pairwise %g, %v : tensor<4x4x2x2xf64>, tensor<4x2x2xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: tensor<2x2xf64>, %q11: tensor<2x2xf64>, %q22: tensor<2x2xf64>):
    %c0 = arith.constant 0 : index
    // expected-error @+1 {{'tensor.extract' op has no lowering on maps over positions}}
    %e = tensor.extract %q12[%c0, %c0] : tensor<2x2xf64>
    gantk.yield %e : f64
  }
  return %k : tensor<4x4xf64>
}
