// RUN: gantk-opt %s -split-input-file -verify-diagnostics

// Invalid map IR that the verifiers must reject as the rest of the dialect
// does (invalid.mlir, invalid-maps.mlir): every tensor of a gantk op has a
// static shape, and the rows of points read as images hold whole H x W
// images, also for the per-pair map ops and the operator on maps.

// A dynamic map: the mean's divisor (the positions) is unknown.
func.func @f(%m: tensor<?x4xf64>) -> f64 {
  // expected-error @+1 {{'gantk.spatial_mean' op requires static shapes, got 'tensor<?x4xf64>'}}
  %s = gantk.spatial_mean %m : tensor<?x4xf64> -> f64
  return %s : f64
}

// -----

// A dynamic map into a window is not a window "of negative size".
func.func @f(%m: tensor<?x4xf64>) -> tensor<2x2xf64> {
  // expected-error @+1 {{'gantk.window' op requires static shapes, got 'tensor<?x4xf64>'}}
  %w = gantk.window %m {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = #gantk.padding<valid>} : tensor<?x4xf64> -> tensor<2x2xf64>
  return %w : tensor<2x2xf64>
}

// -----

// The operator on 3x3 maps computes each pair's map from the points, as
// gantk.gram does: rows of 8 values are not 3x3 images.
func.func @f(%s: tensor<4x8xf64>, %v: tensor<4x3x3xf64>) -> !gantk.operator<4, f64> {
  // expected-error @+1 {{'gantk.kernel_operator' op rows of 8 values are not 3x3 images (8 is not a multiple of 9)}}
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = 2 : i64} : tensor<4x8xf64>, tensor<4x3x3xf64> -> <4, f64> {
  ^bb0(%q12: tensor<3x3xf64>, %q11: tensor<3x3xf64>, %q22: tensor<3x3xf64>):
    %m = gantk.spatial_mean %q12 : tensor<3x3xf64> -> f64
    gantk.yield %m : f64
  }
  return %k : !gantk.operator<4, f64>
}
