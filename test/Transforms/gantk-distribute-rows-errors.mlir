// RUN: gantk-opt %s -verify-diagnostics -gantk-distribute-rows=ranks=3

// A step that stores K (no kernel operator) cannot be split by row tiles.
// expected-error @+1 {{a step over 3 ranks needs the matrix-free Krylov plan}}
module {
func.func @step(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  %u = gantk.krylov_expm %k, %y {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}
}
