// RUN: gantk-opt %s -split-input-file -verify-diagnostics

// Every verifier message of the ops and types that carry maps over
// positions (convolutional discriminators), one case each, as in
// invalid.mlir.

// A spatial shape is [H, W] of positive sizes ...
// expected-error @+1 {{spatial shape must be [H, W] with H, W >= 1}}
func.func private @f(!gantk.kernel<4, f64, [0, 3]>)

// -----

// ... with two of them.
// expected-error @+1 {{spatial shape must be [H, W] with H, W >= 1}}
func.func private @f(!gantk.kernel<4, f64, [3]>)

// -----

// The input kernel of images: each row is H x W x C values.
func.func @f(%s: tensor<4x20xf64>) -> !gantk.kernel<4, f64, [3, 3]> {
  // expected-error @+1 {{'gantk.input' op rows of 20 values are not 3x3 images (20 is not a multiple of 9)}}
  %k = gantk.input %s : tensor<4x20xf64> -> !gantk.kernel<4, f64, [3, 3]>
  return %k : !gantk.kernel<4, f64, [3, 3]>
}

// -----

// A conv needs maps: not flat data, not the state after a flatten.
func.func @f(%k: !gantk.kernel<4, f64>) -> !gantk.kernel<4, f64, [2, 2]> {
  // expected-error @+1 {{'gantk.conv' op needs maps over positions: its input is flat (the data are not images, or a flatten came before)}}
  %c = gantk.conv %k {kernel = array<i64: 1, 1>, w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64> -> !gantk.kernel<4, f64, [2, 2]>
  return %c : !gantk.kernel<4, f64, [2, 2]>
}

// -----

// A VALID window fits in the map.
func.func @f(%k: !gantk.kernel<4, f64, [4, 4]>) -> !gantk.kernel<4, f64, [1, 1]> {
  // expected-error @+1 {{'gantk.conv' op a 5-wide valid window does not fit in 4 positions (maps of 4x4)}}
  %c = gantk.conv %k {kernel = array<i64: 5, 5>, w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f64, [1, 1]>
  return %c : !gantk.kernel<4, f64, [1, 1]>
}

// -----

// A circular window wraps at most once around the map (here the columns: a
// SAME window of 5 on 4 positions would be fine).
func.func @f(%k: !gantk.kernel<4, f64, [6, 4]>) -> !gantk.kernel<4, f64, [6, 4]> {
  // expected-error @+1 {{'gantk.conv' op a 5-wide circular window wraps more than once around 4 positions (maps of 6x4)}}
  %c = gantk.conv %k {kernel = array<i64: 3, 5>, padding = #gantk.padding<circular>, w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [6, 4]> -> !gantk.kernel<4, f64, [6, 4]>
  return %c : !gantk.kernel<4, f64, [6, 4]>
}

// -----

// Windows are two-dimensional: two kernel sizes, two strides, all positive.
func.func @f(%k: !gantk.kernel<4, f64, [4, 4]>) -> !gantk.kernel<4, f64, [4, 4]> {
  // expected-error @+1 {{'gantk.conv' op kernel and stride must be two positive sizes}}
  %c = gantk.conv %k {kernel = array<i64: 3>, padding = #gantk.padding<same>, w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f64, [4, 4]>
  return %c : !gantk.kernel<4, f64, [4, 4]>
}

// -----

func.func @f(%k: !gantk.kernel<4, f64, [4, 4]>) -> !gantk.kernel<4, f64, [4, 4]> {
  // expected-error @+1 {{'gantk.conv' op kernel and stride must be two positive sizes}}
  %c = gantk.conv %k {kernel = array<i64: 3, 3>, stride = array<i64: 1, 0>, padding = #gantk.padding<same>, w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f64, [4, 4]>
  return %c : !gantk.kernel<4, f64, [4, 4]>
}

// -----

// The result's maps have the window's output size: SAME at stride 2 maps
// 6 x 6 to 3 x 3, not 4 x 4.
func.func @f(%k: !gantk.kernel<4, f64, [6, 6]>) -> !gantk.kernel<4, f64, [4, 4]> {
  // expected-error @+1 {{'gantk.conv' op result must be '!gantk.kernel<4, f64, [3, 3]>'}}
  %c = gantk.conv %k {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = #gantk.padding<same>, w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [6, 6]> -> !gantk.kernel<4, f64, [4, 4]>
  return %c : !gantk.kernel<4, f64, [4, 4]>
}

// -----

// A conv keeps the points and the precision, like every layer.
func.func @f(%k: !gantk.kernel<4, f64, [4, 4]>) -> !gantk.kernel<5, f64, [4, 4]> {
  // expected-error @+1 {{'gantk.conv' op a layer takes one !gantk.kernel state and returns one of the same points and precision}}
  %c = gantk.conv %k {kernel = array<i64: 3, 3>, padding = #gantk.padding<same>, w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<5, f64, [4, 4]>
  return %c : !gantk.kernel<5, f64, [4, 4]>
}

// -----

// Standard deviations of the filters and biases cannot be negative.
func.func @f(%k: !gantk.kernel<4, f64, [4, 4]>) -> !gantk.kernel<4, f64, [4, 4]> {
  // expected-error @+1 {{'gantk.conv' op w_std and b_std must be non-negative}}
  %c = gantk.conv %k {kernel = array<i64: 3, 3>, padding = #gantk.padding<same>, w_std = 1.0 : f64, b_std = -0.5 : f64} : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f64, [4, 4]>
  return %c : !gantk.kernel<4, f64, [4, 4]>
}

// -----

// Only the three borders exist.
func.func @f(%k: !gantk.kernel<4, f64, [4, 4]>) -> !gantk.kernel<4, f64, [4, 4]> {
  // expected-error @+2 {{expected ::gantk::Padding to be one of: same, valid, circular}}
  // expected-error @+1 {{failed to parse Gantk_PaddingAttr parameter 'value'}}
  %c = gantk.conv %k {kernel = array<i64: 3, 3>, padding = #gantk.padding<full>, w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f64, [4, 4]>
  return %c : !gantk.kernel<4, f64, [4, 4]>
}

// -----

// flatten turns maps into numbers: once.
func.func @f(%k: !gantk.kernel<4, f64>) -> !gantk.kernel<4, f64> {
  // expected-error @+1 {{'gantk.flatten' op needs maps over positions: its input is already flat}}
  %f = gantk.flatten %k : !gantk.kernel<4, f64> -> !gantk.kernel<4, f64>
  return %f : !gantk.kernel<4, f64>
}

// -----

func.func @f(%k: !gantk.kernel<4, f64, [4, 4]>) -> !gantk.kernel<4, f64, [4, 4]> {
  // expected-error @+1 {{'gantk.flatten' op result must be flat}}
  %f = gantk.flatten %k : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f64, [4, 4]>
  return %f : !gantk.kernel<4, f64, [4, 4]>
}

// -----

// flatten keeps the precision.
func.func @f(%k: !gantk.kernel<4, f64, [4, 4]>) -> !gantk.kernel<4, f32> {
  // expected-error @+1 {{'gantk.flatten' op a layer takes one !gantk.kernel state and returns one of the same points and precision}}
  %f = gantk.flatten %k : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f32>
  return %f : !gantk.kernel<4, f32>
}

// -----

// The mean over positions is not Gaussian: a nonlinearity right after
// flatten is rejected (a dense layer must come between).
func.func @f(%k: !gantk.kernel<4, f64, [4, 4]>) -> !gantk.kernel<4, f64> {
  %c = gantk.conv %k {kernel = array<i64: 3, 3>, padding = #gantk.padding<same>, w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f64, [4, 4]>
  %f = gantk.flatten %c : !gantk.kernel<4, f64, [4, 4]> -> !gantk.kernel<4, f64>
  // expected-error @+1 {{'gantk.abrelu' op needs a Gaussian input: an affine layer (gantk.dense) right before it}}
  %r = gantk.abrelu %f {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  return %r : !gantk.kernel<4, f64>
}

// -----

// The readouts need a flat state: the NTK ...
func.func @f(%k: !gantk.kernel<4, f64, [4, 4]>) -> tensor<4x4xf64> {
  %d = gantk.dense %k {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [4, 4]>
  // expected-error @+1 {{'gantk.ntk' op needs a flat kernel state: the layers still carry maps over positions (flatten them before the readout dense layer)}}
  %K = gantk.ntk %d : !gantk.kernel<4, f64, [4, 4]> -> tensor<4x4xf64>
  return %K : tensor<4x4xf64>
}

// -----

// ... and the NNGP.
func.func @f(%k: !gantk.kernel<4, f64, [4, 4]>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.nngp' op needs a flat kernel state: the layers still carry maps over positions (flatten them before the readout dense layer)}}
  %S = gantk.nngp %k : !gantk.kernel<4, f64, [4, 4]> -> tensor<4x4xf64>
  return %S : tensor<4x4xf64>
}

// -----

// A repeated block keeps one number per pair on its tape: not on maps.
func.func @f(%k: !gantk.kernel<4, f64, [4, 4]>) -> !gantk.kernel<4, f64, [4, 4]> {
  // expected-error @+1 {{'gantk.repeat' op cannot repeat layers on maps over positions yet: write them out}}
  %r = gantk.repeat 2 (%k) : !gantk.kernel<4, f64, [4, 4]> {
  ^bb0(%a: !gantk.kernel<4, f64, [4, 4]>):
    %d = gantk.dense %a {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64, [4, 4]>
    gantk.yield %d : !gantk.kernel<4, f64, [4, 4]>
  }
  return %r : !gantk.kernel<4, f64, [4, 4]>
}

// -----

// avg_pool pads with zeros or not at all: no circular border.
func.func @f(%s: tensor<2x48xf64>) -> tensor<2x12xf64> {
  // expected-error @+1 {{'gantk.avg_pool' op pooling pads with zeros (same) or not at all (valid)}}
  %p = gantk.avg_pool %s {image = array<i64: 4, 4, 3>, window = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = #gantk.padding<circular>} : tensor<2x48xf64> -> tensor<2x12xf64>
  return %p : tensor<2x12xf64>
}

// -----

// The image shape is H, W and C.
func.func @f(%s: tensor<2x48xf64>) -> tensor<2x12xf64> {
  // expected-error @+1 {{'gantk.avg_pool' op image must be [H, W, C], all positive}}
  %p = gantk.avg_pool %s {image = array<i64: 4, 4>, window = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = #gantk.padding<valid>} : tensor<2x48xf64> -> tensor<2x12xf64>
  return %p : tensor<2x12xf64>
}

// -----

// The rows are images of that shape.
func.func @f(%s: tensor<2x50xf64>) -> tensor<2x12xf64> {
  // expected-error @+1 {{'gantk.avg_pool' op rows of 50 values are not 4x4x3 images}}
  %p = gantk.avg_pool %s {image = array<i64: 4, 4, 3>, window = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = #gantk.padding<valid>} : tensor<2x50xf64> -> tensor<2x12xf64>
  return %p : tensor<2x12xf64>
}

// -----

// Pooled rows: one per input row, of the pooled images (2x2x3 here).
func.func @f(%s: tensor<2x48xf64>) -> tensor<2x48xf64> {
  // expected-error @+1 {{'gantk.avg_pool' op pooled rows must be 2x2x3 images, one per input row}}
  %p = gantk.avg_pool %s {image = array<i64: 4, 4, 3>, window = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = #gantk.padding<valid>} : tensor<2x48xf64> -> tensor<2x48xf64>
  return %p : tensor<2x48xf64>
}

// -----

// A VALID pool window fits in the image.
func.func @f(%s: tensor<2x48xf64>) -> tensor<2x3xf64> {
  // expected-error @+1 {{'gantk.avg_pool' op a 5-wide valid window does not fit in 4 positions (maps of 4x4)}}
  %p = gantk.avg_pool %s {image = array<i64: 4, 4, 3>, window = array<i64: 5, 5>, stride = array<i64: 5, 5>, padding = #gantk.padding<valid>} : tensor<2x48xf64> -> tensor<2x3xf64>
  return %p : tensor<2x3xf64>
}

// -----

// The pool's transpose has the checks of the pool, its input being the
// pooled rows and its result the images ...
func.func @f(%d: tensor<2x12xf64>) -> tensor<2x40xf64> {
  // expected-error @+1 {{'gantk.avg_pool_transpose' op rows of 40 values are not 4x4x3 images}}
  %t = gantk.avg_pool_transpose %d {image = array<i64: 4, 4, 3>, window = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = #gantk.padding<valid>} : tensor<2x12xf64> -> tensor<2x40xf64>
  return %t : tensor<2x40xf64>
}

// -----

// ... one row of images per pooled row.
func.func @f(%d: tensor<2x12xf64>) -> tensor<3x48xf64> {
  // expected-error @+1 {{'gantk.avg_pool_transpose' op pooled rows must be 2x2x3 images, one per input row}}
  %t = gantk.avg_pool_transpose %d {image = array<i64: 4, 4, 3>, window = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding = #gantk.padding<valid>} : tensor<2x12xf64> -> tensor<3x48xf64>
  return %t : tensor<3x48xf64>
}

// -----

// The per-pair window maps a map to the window's output size (SAME at
// stride 1 keeps 4 x 4).
func.func @f(%m: tensor<4x4xf64>) -> tensor<3x3xf64> {
  // expected-error @+1 {{'gantk.window' op the window maps 'tensor<4x4xf64>' to 4x4 maps, not 'tensor<3x3xf64>'}}
  %w = gantk.window %m {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = #gantk.padding<same>} : tensor<4x4xf64> -> tensor<3x3xf64>
  return %w : tensor<3x3xf64>
}

// -----

// Its transpose maps back to the window's input: 2 x 2 outputs of a VALID
// 3 x 3 window come from 4 x 4 maps, not 5 x 5.
func.func @f(%m: tensor<2x2xf64>) -> tensor<5x5xf64> {
  // expected-error @+1 {{'gantk.window_transpose' op the window maps 'tensor<5x5xf64>' to 3x3 maps, not 'tensor<2x2xf64>'}}
  %t = gantk.window_transpose %m {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = #gantk.padding<valid>} : tensor<2x2xf64> -> tensor<5x5xf64>
  return %t : tensor<5x5xf64>
}

// -----

// A window keeps the element type.
func.func @f(%m: tensor<4x4xf64>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'gantk.window' op input and result must have one element type}}
  %w = gantk.window %m {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, padding = #gantk.padding<valid>} : tensor<4x4xf64> -> tensor<2x2xf32>
  return %w : tensor<2x2xf32>
}

// -----

func.func @f(%m: tensor<4x4xf64>) -> tensor<2x2xf64> {
  // expected-error @+1 {{'gantk.window' op kernel and stride must be two positive sizes}}
  %w = gantk.window %m {kernel = array<i64: 3, 3>, stride = array<i64: 0, 1>, padding = #gantk.padding<valid>} : tensor<4x4xf64> -> tensor<2x2xf64>
  return %w : tensor<2x2xf64>
}

// -----

func.func @f(%m: tensor<4x4xf64>) -> tensor<1x1xf64> {
  // expected-error @+1 {{'gantk.window' op a 5-wide valid window does not fit in 4 positions (maps of 4x4)}}
  %w = gantk.window %m {kernel = array<i64: 5, 5>, stride = array<i64: 1, 1>, padding = #gantk.padding<valid>} : tensor<4x4xf64> -> tensor<1x1xf64>
  return %w : tensor<1x1xf64>
}

// -----

func.func @f(%m: tensor<4x4xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.window_transpose' op a 6-wide circular window wraps more than once around 4 positions (maps of 4x4)}}
  %t = gantk.window_transpose %m {kernel = array<i64: 1, 6>, stride = array<i64: 1, 1>, padding = #gantk.padding<circular>} : tensor<4x4xf64> -> tensor<4x4xf64>
  return %t : tensor<4x4xf64>
}

// -----

// The mean of a map is a number of its element type.
func.func @f(%m: tensor<4x4xf64>) -> f32 {
  // expected-error @+1 {{'gantk.spatial_mean' op result must be the map's element type}}
  %s = gantk.spatial_mean %m : tensor<4x4xf64> -> f32
  return %s : f32
}

// -----

// The gram of images: the rows hold whole H x W images ...
func.func @f(%s: tensor<4x20xf64>) -> tensor<4x4x3x3xf64> {
  // expected-error @+1 {{'gantk.gram' op rows of 20 values are not 3x3 images (20 is not a multiple of 9)}}
  %g = gantk.gram %s : tensor<4x20xf64> -> tensor<4x4x3x3xf64>
  return %g : tensor<4x4x3x3xf64>
}

// -----

// ... and there is one map per pair of the N points.
func.func @f(%s: tensor<4x18xf64>) -> tensor<4x3x3x3xf64> {
  // expected-error @+1 {{'gantk.gram' op result must be N x N (x H x W) for N points}}
  %g = gantk.gram %s : tensor<4x18xf64> -> tensor<4x3x3x3xf64>
  return %g : tensor<4x3x3x3xf64>
}

// -----

// The diagonal of a gram of maps is a map per point, of the same shape ...
func.func @f(%g: tensor<4x4x3x3xf64>) -> tensor<4x3x2xf64> {
  // expected-error @+1 {{'gantk.diag' op result must have one entry (or map) per point}}
  %v = gantk.diag %g : tensor<4x4x3x3xf64> -> tensor<4x3x2xf64>
  return %v : tensor<4x3x2xf64>
}

// -----

// ... not a number.
func.func @f(%g: tensor<4x4x3x3xf64>) -> tensor<4xf64> {
  // expected-error @+1 {{'gantk.diag' op result must have one entry (or map) per point}}
  %v = gantk.diag %g : tensor<4x4x3x3xf64> -> tensor<4xf64>
  return %v : tensor<4xf64>
}

// -----

// On maps, the per-pair body takes maps, not numbers ...
func.func @f(%g: tensor<4x4x3x3xf64>, %v: tensor<4x3x3xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.pairwise' op body must take arguments of types ('tensor<3x3xf64>', 'tensor<3x3xf64>', 'tensor<3x3xf64>')}}
  %k = gantk.pairwise %g, %v : tensor<4x4x3x3xf64>, tensor<4x3x3xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  return %k : tensor<4x4xf64>
}

// -----

// ... and still yields one number per pair.
func.func @f(%g: tensor<4x4x3x3xf64>, %v: tensor<4x3x3xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.pairwise' op body must yield values of types ('f64')}}
  %k = gantk.pairwise %g, %v : tensor<4x4x3x3xf64>, tensor<4x3x3xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: tensor<3x3xf64>, %q11: tensor<3x3xf64>, %q22: tensor<3x3xf64>):
    gantk.yield %q12 : tensor<3x3xf64>
  }
  return %k : tensor<4x4xf64>
}

// -----

// The per-point maps have the pairs' map shape.
func.func @f(%g: tensor<4x4x3x3xf64>, %v: tensor<4x2x3xf64>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'gantk.pairwise' op diag must have one entry (or map) per point of the gram}}
  %k = gantk.pairwise %g, %v : tensor<4x4x3x3xf64>, tensor<4x2x3xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: tensor<3x3xf64>, %q11: tensor<3x3xf64>, %q22: tensor<3x3xf64>):
    %m = gantk.spatial_mean %q12 : tensor<3x3xf64> -> f64
    gantk.yield %m : f64
  }
  return %k : tensor<4x4xf64>
}

// -----

// The adjoint body on maps: q12, q11, q22 are maps, the cotangent c a
// number ...
func.func @f(%g: tensor<4x4x3x3xf64>, %v: tensor<4x3x3xf64>, %c: tensor<4x4xf64>) -> tensor<2x4x3x3xf64> {
  // expected-error @+1 {{'gantk.pairwise_grad' op body must take arguments of types ('tensor<3x3xf64>', 'tensor<3x3xf64>', 'tensor<3x3xf64>', 'f64')}}
  %dg, %dv = gantk.pairwise_grad %g, %v, %c {row_offset = 2 : i64} : tensor<4x4x3x3xf64>, tensor<4x3x3xf64>, tensor<4x4xf64> -> tensor<2x4x3x3xf64>, tensor<2x3x3xf64> {
  ^bb0(%q12: tensor<3x3xf64>, %q11: tensor<3x3xf64>, %q22: tensor<3x3xf64>, %cc: tensor<3x3xf64>):
    gantk.yield %q12, %q11, %q22 : tensor<3x3xf64>, tensor<3x3xf64>, tensor<3x3xf64>
  }
  return %dg : tensor<2x4x3x3xf64>
}

// -----

// ... and its partial derivatives are maps.
func.func @f(%g: tensor<4x4x3x3xf64>, %v: tensor<4x3x3xf64>, %c: tensor<4x4xf64>) -> tensor<2x4x3x3xf64> {
  // expected-error @+1 {{'gantk.pairwise_grad' op body must yield values of types ('tensor<3x3xf64>', 'tensor<3x3xf64>', 'tensor<3x3xf64>')}}
  %dg, %dv = gantk.pairwise_grad %g, %v, %c {row_offset = 2 : i64} : tensor<4x4x3x3xf64>, tensor<4x3x3xf64>, tensor<4x4xf64> -> tensor<2x4x3x3xf64>, tensor<2x3x3xf64> {
  ^bb0(%q12: tensor<3x3xf64>, %q11: tensor<3x3xf64>, %q22: tensor<3x3xf64>, %cc: f64):
    %m = gantk.spatial_mean %q12 : tensor<3x3xf64> -> f64
    gantk.yield %m, %m, %m : f64, f64, f64
  }
  return %dg : tensor<2x4x3x3xf64>
}

// -----

// dG has the gram's maps.
func.func @f(%g: tensor<4x4x3x3xf64>, %v: tensor<4x3x3xf64>, %c: tensor<4x4xf64>) -> tensor<2x4x2x2xf64> {
  // expected-error @+1 {{'gantk.pairwise_grad' op operand and result shapes must match the gram size}}
  %dg, %dv = gantk.pairwise_grad %g, %v, %c {row_offset = 2 : i64} : tensor<4x4x3x3xf64>, tensor<4x3x3xf64>, tensor<4x4xf64> -> tensor<2x4x2x2xf64>, tensor<2x3x3xf64> {
  ^bb0(%q12: tensor<3x3xf64>, %q11: tensor<3x3xf64>, %q22: tensor<3x3xf64>, %cc: f64):
    gantk.yield %q12, %q11, %q22 : tensor<3x3xf64>, tensor<3x3xf64>, tensor<3x3xf64>
  }
  return %dg : tensor<2x4x2x2xf64>
}

// -----

// The computed rows lie inside the points.
func.func @f(%g: tensor<4x4x3x3xf64>, %v: tensor<4x3x3xf64>, %c: tensor<4x4xf64>) -> tensor<2x4x3x3xf64> {
  // expected-error @+1 {{'gantk.pairwise_grad' op rows [3, 5) are outside the 4 points}}
  %dg, %dv = gantk.pairwise_grad %g, %v, %c {row_offset = 3 : i64} : tensor<4x4x3x3xf64>, tensor<4x3x3xf64>, tensor<4x4xf64> -> tensor<2x4x3x3xf64>, tensor<2x3x3xf64> {
  ^bb0(%q12: tensor<3x3xf64>, %q11: tensor<3x3xf64>, %q22: tensor<3x3xf64>, %cc: f64):
    gantk.yield %q12, %q11, %q22 : tensor<3x3xf64>, tensor<3x3xf64>, tensor<3x3xf64>
  }
  return %dg : tensor<2x4x3x3xf64>
}

// -----

// add_diag adds a map per point to the maps of the diagonal pairs: of the
// same shape.
func.func @f(%a: tensor<2x4x3x3xf64>, %v: tensor<2x3x2xf64>) -> tensor<2x4x3x3xf64> {
  // expected-error @+1 {{'gantk.add_diag' op diag and result must match the input size}}
  %r = gantk.add_diag %a, %v {row_offset = 2 : i64} : tensor<2x4x3x3xf64>, tensor<2x3x2xf64> -> tensor<2x4x3x3xf64>
  return %r : tensor<2x4x3x3xf64>
}

// -----

func.func @f(%a: tensor<2x4x3x3xf64>, %v: tensor<2x3x3xf64>) -> tensor<2x4x3x3xf64> {
  // expected-error @+1 {{'gantk.add_diag' op rows [3, 5) are outside the 4 points}}
  %r = gantk.add_diag %a, %v {row_offset = 3 : i64} : tensor<2x4x3x3xf64>, tensor<2x3x3xf64> -> tensor<2x4x3x3xf64>
  return %r : tensor<2x4x3x3xf64>
}

// -----

// gram_grad with a cotangent of maps needs points that are images of them.
func.func @f(%s: tensor<4x20xf64>, %c: tensor<2x4x3x3xf64>) -> tensor<2x20xf64> {
  // expected-error @+1 {{'gantk.gram_grad' op rows of 20 values are not 3x3 images (20 is not a multiple of 9)}}
  %dz = gantk.gram_grad %s, %c {row_offset = 2 : i64} : tensor<4x20xf64>, tensor<2x4x3x3xf64> -> tensor<2x20xf64>
  return %dz : tensor<2x20xf64>
}

// -----

// Its cotangent is N x N maps, or the result's rows of them.
func.func @f(%s: tensor<4x18xf64>, %c: tensor<3x4x3x3xf64>) -> tensor<2x18xf64> {
  // expected-error @+1 {{'gantk.gram_grad' op cotangent must be N x N, or the result's rows of it, for N points}}
  %dz = gantk.gram_grad %s, %c {row_offset = 2 : i64} : tensor<4x18xf64>, tensor<3x4x3x3xf64> -> tensor<2x18xf64>
  return %dz : tensor<2x18xf64>
}

// -----

// The operator on maps: its body takes maps of the diagonal's H x W ...
func.func @f(%s: tensor<4x8xf64>, %v: tensor<4x2x2xf64>) -> !gantk.operator<4, f64> {
  // expected-error @+1 {{'gantk.kernel_operator' op body must take arguments of types ('tensor<2x2xf64>', 'tensor<2x2xf64>', 'tensor<2x2xf64>')}}
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = 2 : i64} : tensor<4x8xf64>, tensor<4x2x2xf64> -> <4, f64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  return %k : !gantk.operator<4, f64>
}

// -----

// ... and once outlined with maps(S, S^T), its diagonal is H x W x N: the
// last dimension counts the points.
func.func private @rk(memref<4x4xf64>, memref<2x2x5xf64>, memref<4x8xf64>, memref<8x4xf64>, index, index) attributes {gantk.kernel}
func.func @f(%s: tensor<4x8xf64>, %st: tensor<8x4xf64>, %v: tensor<2x2x5xf64>) -> !gantk.operator<4, f64> {
  // expected-error @+1 {{'gantk.kernel_operator' op diag and operator must have one entry per point}}
  %k = gantk.kernel_operator %s, %v maps(%s, %st : tensor<4x8xf64>, tensor<8x4xf64>) {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = 2 : i64, recursion = @rk} : tensor<4x8xf64>, tensor<2x2x5xf64> -> <4, f64> {
  }
  return %k : !gantk.operator<4, f64>
}
