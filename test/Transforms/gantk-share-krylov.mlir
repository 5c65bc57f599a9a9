// RUN: gantk-opt %s -split-input-file -gantk-share-krylov | FileCheck %s

// The squared loss: dU = 2·(1 − Y + U) is affine in U, so one run from
// [Y, 2·(1 − Y)] gives U and the factors; the loss reads the shared U.
// CHECK-LABEL: func.func @squared
// CHECK: %[[C:.*]] = gantk.loss_grad_const %[[Y:.*]] {kind = #gantk.loss<squared>, scale = 2.000000e+00 : f64}
// CHECK: %[[U:.*]], %[[A:.*]], %[[B:.*]] = gantk.krylov_expm_value_grad %{{.*}}, %[[Y]], %[[C]] {cotangent_scale = 2.000000e+00 : f64, lambda = 0.69999999999999996 : f64, max_iter = 4 : i64, tol = 9.9999999999999995E-7 : f64}
// CHECK: gantk.loss %[[U]], %[[Y]]
// CHECK: return %{{.*}}, %[[A]], %[[B]]
// CHECK-NOT: krylov_expm_grad
func.func @squared(%k: tensor<4x4xf64>) -> (tensor<f64>, tensor<4x4xf64>, tensor<4x4xf64>) {
  %y = gantk.labels {num_real = 2 : i64} : tensor<4x1xf64>
  %u = gantk.krylov_expm %k, %y {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<f64>
  %du = gantk.loss_grad %u, %y {kind = #gantk.loss<squared>, scale = 2.0 : f64} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %a, %b = gantk.krylov_expm_grad %k, %y, %du {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>, tensor<4x4xf64>
  return %l, %a, %b : tensor<f64>, tensor<4x4xf64>, tensor<4x4xf64>
}

// -----

// Runs with different tolerances are not merged (the gradient's would be
// held to the action's).
// CHECK-LABEL: func.func @tolerances
// CHECK: gantk.krylov_expm %
// CHECK: gantk.loss_grad %
// CHECK: gantk.krylov_expm_grad
// CHECK-NOT: value_grad
func.func @tolerances(%k: tensor<4x4xf64>) -> (tensor<4x4xf64>, tensor<4x4xf64>) {
  %y = gantk.labels {num_real = 2 : i64} : tensor<4x1xf64>
  %u = gantk.krylov_expm %k, %y {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %du = gantk.loss_grad %u, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %a, %b = gantk.krylov_expm_grad %k, %y, %du {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-08 : f64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>, tensor<4x4xf64>
  return %a, %b : tensor<4x4xf64>, tensor<4x4xf64>
}

// -----

// dU read elsewhere too: it must stay as it is.
// CHECK-LABEL: func.func @cotangent_read_twice
// CHECK: gantk.krylov_expm_grad
// CHECK-NOT: value_grad
func.func @cotangent_read_twice(%k: tensor<4x4xf64>) -> (tensor<4x1xf64>, tensor<4x4xf64>, tensor<4x4xf64>) {
  %y = gantk.labels {num_real = 2 : i64} : tensor<4x1xf64>
  %u = gantk.krylov_expm %k, %y {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %du = gantk.loss_grad %u, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %a, %b = gantk.krylov_expm_grad %k, %y, %du {lambda = 0.7 : f64, max_iter = 4 : i64, tol = 1.0e-06 : f64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>, tensor<4x4xf64>
  return %du, %a, %b : tensor<4x1xf64>, tensor<4x4xf64>, tensor<4x4xf64>
}
