// RUN: gantk-opt %s -split-input-file -verify-diagnostics -gantk-dense-over-ranks

// K stored whole (no kernel operator): there are no row tiles to factor.
func.func @stored(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  // expected-error @+1 {{needs K as a kernel operator that keeps its row tiles}}
  %u = gantk.krylov_expm %k, %y {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// No exponential action at all.
// expected-error @+1 {{needs the step's exponential action on a kernel operator}}
module {
func.func @none(%y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  return %y : tensor<4x1xf64>
}
}

// -----

// ScaLAPACK reads tile t on rank t mod P: a zigzag deal is refused.
func.func @zigzag(%s: tensor<4x2xf64>, %v: tensor<4xf64>) -> tensor<4xf64> {
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, keep_tiles, tile_ranks = array<i32: 0, 1, 1, 0>, tile_rows = 1 : i64, trace_scale = 0.0 : f64} : tensor<4x2xf64>, tensor<4xf64> -> !gantk.operator<4, f64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  // expected-error @+1 {{needs a kernel_operator that keeps its row tiles, dealt tile t to rank t mod P}}
  %qt, %mu = gantk.eigh_ranks %k : !gantk.operator<4, f64> -> tensor<4x4xf64>, tensor<4xf64>
  return %mu : tensor<4xf64>
}
