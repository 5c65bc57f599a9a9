// RUN: gantk-opt %s | gantk-opt | FileCheck %s
// RUN: gantk-opt %s --mlir-print-op-generic | gantk-opt | FileCheck %s

// Round trip of every gantk op in its custom form, and through the generic
// form. Each function holds one level of the dialect.

// The graph level: what the front end builds for one GA-NTK step, here in
// f64 with every layer kind and both readouts.
// CHECK-LABEL: func.func @graph
// CHECK-SAME: (%[[X:.*]]: tensor<3x2xf64>, %[[Z:.*]]: tensor<3x2xf64>)
func.func @graph(%x: tensor<3x2xf64>, %z: tensor<3x2xf64>) -> tensor<f64> {
  // CHECK: %[[S:.*]] = gantk.stack %[[X]], %[[Z]] : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<6x2xf64>
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<6x2xf64>
  // CHECK: %[[K0:.*]] = gantk.input %[[S]] : tensor<6x2xf64> -> <6, f64>
  %k0 = gantk.input %s : tensor<6x2xf64> -> !gantk.kernel<6, f64>
  // CHECK: %[[K1:.*]] = gantk.dense %[[K0]] {b_std = 2.500000e-01 : f64, w_std = 1.500000e+00 : f64} : <6, f64>
  %k1 = gantk.dense %k0 {w_std = 1.5 : f64, b_std = 0.25 : f64} : !gantk.kernel<6, f64>
  // CHECK: %[[K2:.*]] = gantk.abrelu %[[K1]] {a = 0.000000e+00 : f64, b = 1.000000e+00 : f64} : <6, f64>
  %k2 = gantk.abrelu %k1 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<6, f64>
  // CHECK: %[[K3:.*]] = gantk.dense %[[K2]]
  %k3 = gantk.dense %k2 {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<6, f64>
  // CHECK: %[[K4:.*]] = gantk.erf %[[K3]] {a = 1.000000e+00 : f64, b = 2.000000e+00 : f64, c = 5.000000e-01 : f64} : <6, f64>
  %k4 = gantk.erf %k3 {a = 1.0 : f64, b = 2.0 : f64, c = 0.5 : f64} : !gantk.kernel<6, f64>
  // CHECK: %[[K5:.*]] = gantk.dense %[[K4]]
  %k5 = gantk.dense %k4 {w_std = 1.0 : f64, b_std = 0.1 : f64} : !gantk.kernel<6, f64>
  // CHECK: %[[NTK:.*]] = gantk.ntk %[[K5]] : <6, f64> -> tensor<6x6xf64>
  %K = gantk.ntk %k5 : !gantk.kernel<6, f64> -> tensor<6x6xf64>
  // CHECK: gantk.nngp %[[K5]] : <6, f64> -> tensor<6x6xf64>
  %S = gantk.nngp %k5 : !gantk.kernel<6, f64> -> tensor<6x6xf64>
  // CHECK: %[[Y:.*]] = gantk.labels {num_real = 3 : i64} : tensor<6x1xf64>
  %y = gantk.labels {num_real = 3 : i64} : tensor<6x1xf64>
  // CHECK: %[[U:.*]] = gantk.expm_action %[[NTK]], %[[Y]] {eig_reg = 1.250000e-01 : f64, lambda = 5.000000e-01 : f64} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %u = gantk.expm_action %K, %y {lambda = 0.5 : f64, eig_reg = 0.125 : f64} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  // CHECK: %[[L:.*]] = gantk.loss %[[U]], %[[Y]] {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<f64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<f64>
  // CHECK: return %[[L]]
  return %l : tensor<f64>
}

// The layers added through the layer interface alone, and a repeated block
// (its body runs `count` times; the first layer's input is Gaussian on every
// iteration because the body ends in a dense layer).
// CHECK-LABEL: func.func @more_layers
func.func @more_layers(%s: tensor<6x2xf64>) -> tensor<6x6xf64> {
  %k0 = gantk.input %s : tensor<6x2xf64> -> !gantk.kernel<6, f64>
  %k1 = gantk.dense %k0 {w_std = 1.5 : f64, b_std = 0.25 : f64} : !gantk.kernel<6, f64>
  // CHECK: %[[G:.*]] = gantk.gelu %{{.*}} : <6, f64>
  %k2 = gantk.gelu %k1 : !gantk.kernel<6, f64>
  // CHECK: %[[R:.*]] = gantk.repeat 4 (%[[G]]) : <6, f64> {
  // CHECK-NEXT: ^bb0(%[[A:.*]]: !gantk.kernel<6, f64>):
  // CHECK-NEXT: %[[D:.*]] = gantk.dense %[[A]]
  // CHECK-NEXT: %[[SIN:.*]] = gantk.sin %[[D]] {a = 1.000000e+00 : f64, b = 2.000000e+00 : f64, c = 5.000000e-01 : f64} : <6, f64>
  // CHECK-NEXT: %[[E:.*]] = gantk.dense %[[SIN]]
  // CHECK-NEXT: gantk.yield %[[E]] : !gantk.kernel<6, f64>
  %k3 = gantk.repeat 4 (%k2) : !gantk.kernel<6, f64> {
  ^bb0(%a: !gantk.kernel<6, f64>):
    %d = gantk.dense %a {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<6, f64>
    %sin = gantk.sin %d {a = 1.0 : f64, b = 2.0 : f64, c = 0.5 : f64} : !gantk.kernel<6, f64>
    %e = gantk.dense %sin {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<6, f64>
    gantk.yield %e : !gantk.kernel<6, f64>
  }
  // CHECK: gantk.ntk %[[R]]
  %K = gantk.ntk %k3 : !gantk.kernel<6, f64> -> tensor<6x6xf64>
  return %K : tensor<6x6xf64>
}

// Every enum parses and prints as the spec's keyword.
// CHECK-LABEL: func.func @enums
func.func @enums(%K: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> (tensor<4x1xf64>, tensor<4x1xf64>, tensor<4x1xf64>) {
  // CHECK: gantk.expm_action {{.*}}{eig_reg = 0.000000e+00 : f64, lambda = 1.000000e+00 : f64} :
  %a = gantk.expm_action %K, %y {lambda = 1.0 : f64, eig_reg = 0.0 : f64, solver = #gantk.solver<auto>} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  // CHECK: gantk.expm_action {{.*}}solver = #gantk.solver<dense>
  %d = gantk.expm_action %K, %y {lambda = 1.0 : f64, eig_reg = 0.0 : f64, solver = #gantk.solver<dense>} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  // CHECK: gantk.expm_action {{.*}}solver = #gantk.solver<krylov>
  %k = gantk.expm_action %K, %y {lambda = 1.0 : f64, eig_reg = 0.0 : f64, solver = #gantk.solver<krylov>} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %a, %d, %k : tensor<4x1xf64>, tensor<4x1xf64>, tensor<4x1xf64>
}

// The kernel type in f32; two-column labels with the cross-entropy loss.
// CHECK-LABEL: func.func @graph_f32
func.func @graph_f32(%s: tensor<4x3xf32>) -> tensor<f32> {
  // CHECK: gantk.input %{{.*}} : tensor<4x3xf32> -> <4, f32>
  %k0 = gantk.input %s : tensor<4x3xf32> -> !gantk.kernel<4, f32>
  // CHECK: gantk.dense %{{.*}} : <4, f32>
  %k1 = gantk.dense %k0 {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f32>
  // CHECK: gantk.ntk %{{.*}} : <4, f32> -> tensor<4x4xf32>
  %K = gantk.ntk %k1 : !gantk.kernel<4, f32> -> tensor<4x4xf32>
  // CHECK: %[[Y:.*]] = gantk.labels {num_real = 2 : i64} : tensor<4x2xf32>
  %y = gantk.labels {num_real = 2 : i64} : tensor<4x2xf32>
  // CHECK: %[[U:.*]] = gantk.expm_action
  %u = gantk.expm_action %K, %y {lambda = 1.0 : f64, eig_reg = 0.0 : f64} : tensor<4x4xf32>, tensor<4x2xf32> -> tensor<4x2xf32>
  // CHECK: gantk.loss %[[U]], %[[Y]] {kind = #gantk.loss<cross_entropy>} : tensor<4x2xf32>, tensor<4x2xf32> -> tensor<f32>
  %l = gantk.loss %u, %y {kind = #gantk.loss<cross_entropy>} : tensor<4x2xf32>, tensor<4x2xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// The fused level and the adjoint ops: gram, diag, pairwise with its
// scalar body, and the ops that gantk-autodiff creates.
// CHECK-LABEL: func.func @fused_and_adjoint
// CHECK-SAME: (%[[S:.*]]: tensor<6x2xf64>, %[[Y:.*]]: tensor<6x1xf64>, %[[U:.*]]: tensor<6x1xf64>)
func.func @fused_and_adjoint(%s: tensor<6x2xf64>, %y: tensor<6x1xf64>, %u: tensor<6x1xf64>) -> tensor<3x2xf64> {
  // CHECK: %[[G:.*]] = gantk.gram %[[S]] : tensor<6x2xf64> -> tensor<6x6xf64>
  %g = gantk.gram %s : tensor<6x2xf64> -> tensor<6x6xf64>
  // CHECK: %[[V:.*]] = gantk.diag %[[G]] : tensor<6x6xf64> -> tensor<6xf64>
  %v = gantk.diag %g : tensor<6x6xf64> -> tensor<6xf64>
  // CHECK: %[[K:.*]] = gantk.pairwise %[[G]], %[[V]] : tensor<6x6xf64>, tensor<6xf64> -> tensor<6x6xf64> {
  // CHECK-NEXT: ^bb0(%[[Q12:.*]]: f64, %[[Q11:.*]]: f64, %[[Q22:.*]]: f64):
  // CHECK-NEXT: %[[P:.*]] = arith.mulf %[[Q11]], %[[Q22]] : f64
  // CHECK-NEXT: %[[R:.*]] = arith.addf %[[Q12]], %[[P]] : f64
  // CHECK-NEXT: gantk.yield %[[R]] : f64
  // CHECK-NEXT: }
  %k = gantk.pairwise %g, %v : tensor<6x6xf64>, tensor<6xf64> -> tensor<6x6xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    %p = arith.mulf %q11, %q22 : f64
    %r = arith.addf %q12, %p : f64
    gantk.yield %r : f64
  }
  // CHECK: %[[DU:.*]] = gantk.loss_grad %[[U]], %[[Y]] {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %du = gantk.loss_grad %u, %y {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  // CHECK: %[[DK:.*]] = gantk.expm_action_grad %[[K]], %[[Y]], %[[DU]] {eig_reg = 0.000000e+00 : f64, lambda = 5.000000e-01 : f64} : tensor<6x6xf64>, tensor<6x1xf64>, tensor<6x1xf64> -> tensor<6x6xf64>
  %dk = gantk.expm_action_grad %k, %y, %du {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<6x6xf64>, tensor<6x1xf64>, tensor<6x1xf64> -> tensor<6x6xf64>
  // CHECK: %[[DG:.*]], %[[DV:.*]] = gantk.pairwise_grad %[[G]], %[[V]], %[[DK]] : tensor<6x6xf64>, tensor<6xf64>, tensor<6x6xf64> -> tensor<6x6xf64>, tensor<6xf64> {
  // CHECK-NEXT: ^bb0(%{{.*}}: f64, %{{.*}}: f64, %{{.*}}: f64, %[[C:.*]]: f64):
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
  // CHECK-NEXT: gantk.yield %[[C]], %[[ZERO]], %[[ZERO]] : f64, f64, f64
  %dg, %dv = gantk.pairwise_grad %g, %v, %dk
      : tensor<6x6xf64>, tensor<6xf64>, tensor<6x6xf64> -> tensor<6x6xf64>, tensor<6xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64, %c: f64):
    %zero = arith.constant 0.0 : f64
    gantk.yield %c, %zero, %zero : f64, f64, f64
  }
  // CHECK: %[[DGV:.*]] = gantk.add_diag %[[DG]], %[[DV]] : tensor<6x6xf64>, tensor<6xf64> -> tensor<6x6xf64>
  %dgv = gantk.add_diag %dg, %dv : tensor<6x6xf64>, tensor<6xf64> -> tensor<6x6xf64>
  // CHECK: %[[DZ:.*]] = gantk.gram_grad %[[S]], %[[DGV]] {row_offset = 3 : i64} : tensor<6x2xf64>, tensor<6x6xf64> -> tensor<3x2xf64>
  %dz = gantk.gram_grad %s, %dgv {row_offset = 3 : i64} : tensor<6x2xf64>, tensor<6x6xf64> -> tensor<3x2xf64>
  // CHECK: return %[[DZ]]
  return %dz : tensor<3x2xf64>
}

// The library level: gemm, the eigendecomposition and the elementwise
// pieces of the exponential action and of its Daleckii-Krein adjoint.
// CHECK-LABEL: func.func @library
// CHECK-SAME: (%[[S:.*]]: tensor<6x2xf64>, %[[Y:.*]]: tensor<6x1xf64>)
func.func @library(%s: tensor<6x2xf64>, %y: tensor<6x1xf64>) -> tensor<6x6xf64> {
  // CHECK: %[[G:.*]] = gantk.gemm %[[S]], %[[S]] {alpha = 5.000000e-01 : f64, trans_a = false, trans_b = true} : tensor<6x2xf64>, tensor<6x2xf64> -> tensor<6x6xf64>
  %g = gantk.gemm %s, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<6x2xf64>, tensor<6x2xf64> -> tensor<6x6xf64>
  // CHECK: %[[KS:.*]] = gantk.add_trace_diag %[[G]] {scale = 6.250000e-02 : f64} : tensor<6x6xf64>
  %ks = gantk.add_trace_diag %g {scale = 0.0625 : f64} : tensor<6x6xf64>
  // CHECK: %[[QT:.*]], %[[MU:.*]] = gantk.eigh %[[KS]] : tensor<6x6xf64> -> tensor<6x6xf64>, tensor<6xf64>
  %qt, %mu = gantk.eigh %ks : tensor<6x6xf64> -> tensor<6x6xf64>, tensor<6xf64>
  // CHECK: %[[B:.*]] = gantk.gemm %[[QT]], %[[Y]] {alpha = 1.000000e+00 : f64, trans_a = false, trans_b = false}
  %b = gantk.gemm %qt, %y {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  // CHECK: %[[E:.*]] = gantk.exp_scale %[[MU]], %[[B]] {lambda = 5.000000e-01 : f64} : tensor<6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %e = gantk.exp_scale %mu, %b {lambda = 0.5 : f64} : tensor<6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  // CHECK: %[[M:.*]] = gantk.daleckii_krein %[[MU]], %[[E]], %[[B]] {lambda = 5.000000e-01 : f64} : tensor<6xf64>, tensor<6x1xf64>, tensor<6x1xf64> -> tensor<6x6xf64>
  %m = gantk.daleckii_krein %mu, %e, %b {lambda = 0.5 : f64} : tensor<6xf64>, tensor<6x1xf64>, tensor<6x1xf64> -> tensor<6x6xf64>
  // CHECK: %[[T:.*]] = gantk.gemm %[[QT]], %[[M]] {alpha = 1.000000e+00 : f64, trans_a = true, trans_b = false}
  %t = gantk.gemm %qt, %m {alpha = 1.0 : f64, trans_a = true, trans_b = false} : tensor<6x6xf64>, tensor<6x6xf64> -> tensor<6x6xf64>
  // CHECK: return %[[T]]
  return %t : tensor<6x6xf64>
}

// The Krylov path: expm_action and its adjoint with solver = #gantk.solver<krylov> and
// non-default tol and max_iter (defaults are left out of the dictionary, see
// @graph), and the library ops they lower to: the block Lanczos action and
// the gradient as two N x rank factors.
// CHECK-LABEL: func.func @krylov
// CHECK-SAME: (%[[K:.*]]: tensor<12x12xf64>, %[[Y:.*]]: tensor<12x1xf64>, %[[DU:.*]]: tensor<12x1xf64>)
func.func @krylov(%k: tensor<12x12xf64>, %y: tensor<12x1xf64>, %du: tensor<12x1xf64>) -> (tensor<12x1xf64>, tensor<12x12xf64>, tensor<12x1xf64>, tensor<12x8xf64>, tensor<12x8xf64>) {
  // CHECK: %[[U:.*]] = gantk.expm_action %[[K]], %[[Y]] {eig_reg = 0.000000e+00 : f64, lambda = 5.000000e-01 : f64, max_iter = 40 : i64, solver = #gantk.solver<krylov>, tol = 1.000000e-08 : f64} : tensor<12x12xf64>, tensor<12x1xf64> -> tensor<12x1xf64>
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64, solver = #gantk.solver<krylov>, tol = 1.0e-8 : f64, max_iter = 40 : i64} : tensor<12x12xf64>, tensor<12x1xf64> -> tensor<12x1xf64>
  // CHECK: %[[DK:.*]] = gantk.expm_action_grad %[[K]], %[[Y]], %[[DU]] {eig_reg = 1.000000e-03 : f64, lambda = 5.000000e-01 : f64, solver = #gantk.solver<krylov>} : tensor<12x12xf64>, tensor<12x1xf64>, tensor<12x1xf64> -> tensor<12x12xf64>
  %dk = gantk.expm_action_grad %k, %y, %du {lambda = 0.5 : f64, eig_reg = 1.0e-3 : f64, solver = #gantk.solver<krylov>} : tensor<12x12xf64>, tensor<12x1xf64>, tensor<12x1xf64> -> tensor<12x12xf64>
  // CHECK: %[[KU:.*]] = gantk.krylov_expm %[[K]], %[[Y]] {lambda = 7.500000e-01 : f64, max_iter = 100 : i64, tol = 1.000000e-08 : f64} : tensor<12x12xf64>, tensor<12x1xf64> -> tensor<12x1xf64>
  %ku = gantk.krylov_expm %k, %y {lambda = 0.75 : f64, tol = 1.0e-8 : f64, max_iter = 100 : i64} : tensor<12x12xf64>, tensor<12x1xf64> -> tensor<12x1xf64>
  // CHECK: %[[A:.*]], %[[B:.*]] = gantk.krylov_expm_grad %[[K]], %[[Y]], %[[DU]] {lambda = 7.500000e-01 : f64, max_iter = 3 : i64, tol = 1.000000e-10 : f64} : tensor<12x12xf64>, tensor<12x1xf64>, tensor<12x1xf64> -> tensor<12x8xf64>, tensor<12x8xf64>
  %a, %b = gantk.krylov_expm_grad %k, %y, %du {lambda = 0.75 : f64, tol = 1.0e-10 : f64, max_iter = 3 : i64} : tensor<12x12xf64>, tensor<12x1xf64>, tensor<12x1xf64> -> tensor<12x8xf64>, tensor<12x8xf64>
  // CHECK: return %[[U]], %[[DK]], %[[KU]], %[[A]], %[[B]]
  return %u, %dk, %ku, %a, %b : tensor<12x1xf64>, tensor<12x12xf64>, tensor<12x1xf64>, tensor<12x8xf64>, tensor<12x8xf64>
}

// The Krylov ops in f32 with two label columns (cross-entropy).
// CHECK-LABEL: func.func @krylov_f32
func.func @krylov_f32(%k: tensor<6x6xf32>, %y: tensor<6x2xf32>, %du: tensor<6x2xf32>) -> (tensor<6x2xf32>, tensor<6x6xf32>) {
  // CHECK: gantk.krylov_expm %{{.*}}, %{{.*}} {lambda = 2.000000e+00 : f64, max_iter = 100 : i64, tol = 1.000000e-08 : f64} : tensor<6x6xf32>, tensor<6x2xf32> -> tensor<6x2xf32>
  %u = gantk.krylov_expm %k, %y {lambda = 2.0 : f64, tol = 1.0e-8 : f64, max_iter = 100 : i64} : tensor<6x6xf32>, tensor<6x2xf32> -> tensor<6x2xf32>
  // CHECK: gantk.krylov_expm_grad %{{.*}}, %{{.*}}, %{{.*}} {{{.*}}} : tensor<6x6xf32>, tensor<6x2xf32>, tensor<6x2xf32> -> tensor<6x6xf32>, tensor<6x6xf32>
  %a, %b = gantk.krylov_expm_grad %k, %y, %du {lambda = 2.0 : f64, tol = 1.0e-6 : f64, max_iter = 100 : i64} : tensor<6x6xf32>, tensor<6x2xf32>, tensor<6x2xf32> -> tensor<6x6xf32>, tensor<6x6xf32>
  %dk = gantk.gemm %a, %b {alpha = 1.0 : f64, trans_a = false, trans_b = true} : tensor<6x6xf32>, tensor<6x6xf32> -> tensor<6x6xf32>
  return %u, %dk : tensor<6x2xf32>, tensor<6x6xf32>
}

// The dispatch level: a kernel run over a range, with a tied result, one
// with several results, and one without operands.
func.func private @k1(memref<6x6xf64>, memref<6x6xf64>, index, index) attributes {gantk.kernel}
func.func private @k2(memref<6x6xf64>, memref<6x6xf64>, memref<6xf64>, index, index) attributes {gantk.kernel}
func.func private @k0(memref<6x1xf64>, index, index) attributes {gantk.kernel}

// CHECK-LABEL: func.func @dispatch
// CHECK-SAME: (%[[A:.*]]: tensor<6x6xf64>)
func.func @dispatch(%a: tensor<6x6xf64>) -> (tensor<6x6xf64>, tensor<6xf64>, tensor<6x1xf64>) {
  // CHECK: %[[R:.*]] = gantk.dispatch @k1(%[[A]]) {parallel = false, range = 1 : i64, tied = array<i64: 0>} : (tensor<6x6xf64>) -> tensor<6x6xf64>
  %r = gantk.dispatch @k1(%a) {range = 1 : i64, parallel = false, tied = array<i64: 0>} : (tensor<6x6xf64>) -> tensor<6x6xf64>
  // CHECK: %[[P:.*]]:2 = gantk.dispatch @k2(%[[R]]) {parallel = true, range = 6 : i64, tied = array<i64: -1, -1>} : (tensor<6x6xf64>) -> (tensor<6x6xf64>, tensor<6xf64>)
  %p:2 = gantk.dispatch @k2(%r) {range = 6 : i64, parallel = true, tied = array<i64: -1, -1>} : (tensor<6x6xf64>) -> (tensor<6x6xf64>, tensor<6xf64>)
  // CHECK: %[[Y:.*]] = gantk.dispatch @k0() {parallel = true, range = 6 : i64, tied = array<i64: -1>} : () -> tensor<6x1xf64>
  %y = gantk.dispatch @k0() {range = 6 : i64, parallel = true, tied = array<i64: -1>} : () -> tensor<6x1xf64>
  // CHECK: return %[[P]]#0, %[[P]]#1, %[[Y]]
  return %p#0, %p#1, %y : tensor<6x6xf64>, tensor<6xf64>, tensor<6x1xf64>
}

// The kernel type outside a gantk op prints with its dialect prefix.
// CHECK-LABEL: func.func private @kernel_type(!gantk.kernel<4, f32>) -> !gantk.kernel<12, f64>
func.func private @kernel_type(!gantk.kernel<4, f32>) -> !gantk.kernel<12, f64>

// The matrix-free level: an operator instead of K, the Gram diagonal from
// S, and a row-tiled backward region.
// CHECK-LABEL: func.func @matrix_free
func.func @matrix_free(%s: tensor<6x2xf64>, %y: tensor<6x1xf64>) -> (tensor<6x1xf64>, tensor<3x2xf64>) {
  // CHECK: %[[V:.*]] = gantk.gram_diag %{{.*}} {alpha = 5.000000e-01 : f64} : tensor<6x2xf64> -> tensor<6xf64>
  %v = gantk.gram_diag %s {alpha = 0.5 : f64} : tensor<6x2xf64> -> tensor<6xf64>
  // CHECK: %[[K:.*]] = gantk.kernel_operator %{{.*}}, %[[V]] {gram_alpha = 5.000000e-01 : f64, tile_rows = 4 : i64, trace_scale = 1.000000e-03 : f64} : tensor<6x2xf64>, tensor<6xf64> -> <6, f64> {
  // CHECK: gantk.yield %{{.*}} : f64
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 1.0e-3 : f64, tile_rows = 4 : i64} : tensor<6x2xf64>, tensor<6xf64> -> <6, f64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    %p = arith.mulf %q11, %q22 : f64
    %r = arith.addf %q12, %p : f64
    gantk.yield %r : f64
  }
  // CHECK: gantk.krylov_expm %[[K]], %{{.*}} : !gantk.operator<6, f64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %u = gantk.krylov_expm %k, %y {lambda = 0.7 : f64, max_iter = 6 : i64, tol = 1.0e-6 : f64} : !gantk.operator<6, f64>, tensor<6x1xf64> -> tensor<6x1xf64>
  // CHECK: gantk.krylov_expm_grad %[[K]], {{.*}} : !gantk.operator<6, f64>, tensor<6x1xf64>, tensor<6x1xf64> -> tensor<6x4xf64>, tensor<6x4xf64>
  %a, %b = gantk.krylov_expm_grad %k, %y, %u {lambda = 0.7 : f64, max_iter = 6 : i64, tol = 1.0e-6 : f64} : !gantk.operator<6, f64>, tensor<6x1xf64>, tensor<6x1xf64> -> tensor<6x4xf64>, tensor<6x4xf64>
  %rows = tensor.extract_slice %s[3, 0] [3, 2] [1, 1] : tensor<6x2xf64> to tensor<3x2xf64>
  // CHECK: %[[DZ:.*]] = gantk.row_tiles {rows = 3 : i64, tile_rows = 2 : i64} : tensor<3x2xf64> {
  // CHECK-NEXT: %[[G:.*]] = gantk.gemm
  // CHECK-NEXT: %[[Z:.*]] = gantk.gemm %[[G]]
  // CHECK-NEXT: gantk.yield %[[Z]] : tensor<3x2xf64>
  %dz = gantk.row_tiles {rows = 3 : i64, tile_rows = 2 : i64} : tensor<3x2xf64> {
    %g = gantk.gemm %rows, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<3x2xf64>, tensor<6x2xf64> -> tensor<3x6xf64>
    %z = gantk.gemm %g, %s {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<3x6xf64>, tensor<6x2xf64> -> tensor<3x2xf64>
    gantk.yield %z : tensor<3x2xf64>
  }
  // CHECK: return %{{.*}}, %[[DZ]]
  return %u, %dz : tensor<6x1xf64>, tensor<3x2xf64>
}

// After outlining the operator names its recursion kernel and has no body.
func.func private @recursion_kernel(memref<6x6xf64>, memref<6xf64>, index, index) attributes {gantk.kernel}
// CHECK-LABEL: func.func @outlined_operator
func.func @outlined_operator(%s: tensor<6x2xf64>, %v: tensor<6xf64>) -> !gantk.operator<6, f64> {
  // CHECK: gantk.kernel_operator %{{.*}}, %{{.*}} {gram_alpha = 5.000000e-01 : f64, recursion = @recursion_kernel, tile_rows = 6 : i64, trace_scale = 0.000000e+00 : f64} : tensor<6x2xf64>, tensor<6xf64> -> <6, f64> {
  // CHECK-NEXT: }
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = 6 : i64, recursion = @recursion_kernel} : tensor<6x2xf64>, tensor<6xf64> -> <6, f64> {
  }
  return %k : !gantk.operator<6, f64>
}

// GA-NTKg: the generator and its adjoint, and the library ops they lower to.
// CHECK-LABEL: func.func @generator_ops
func.func @generator_ops(%e: tensor<4x2xf64>, %theta: tensor<42xf64>, %dz: tensor<4x2xf64>) -> (tensor<4x2xf64>, tensor<42xf64>) {
  // CHECK: gantk.generator %{{.*}}, %{{.*}} {activations = ["relu", "sigmoid"], widths = array<i64: 2, 8, 2>} : tensor<4x2xf64>, tensor<42xf64> -> tensor<4x2xf64>
  %z = gantk.generator %e, %theta {widths = array<i64: 2, 8, 2>, activations = ["relu", "sigmoid"]} : tensor<4x2xf64>, tensor<42xf64> -> tensor<4x2xf64>
  // CHECK: gantk.generator_grad
  %g = gantk.generator_grad %e, %theta, %dz {widths = array<i64: 2, 8, 2>, activations = ["relu", "sigmoid"]} : tensor<4x2xf64>, tensor<42xf64>, tensor<4x2xf64> -> tensor<42xf64>
  // CHECK: gantk.param_view %{{.*}} {offset = 16 : i64} : tensor<42xf64> -> tensor<1x8xf64>
  %b = gantk.param_view %theta {offset = 16 : i64} : tensor<42xf64> -> tensor<1x8xf64>
  %w = gantk.param_view %theta {offset = 0 : i64} : tensor<42xf64> -> tensor<2x8xf64>
  %h = gantk.gemm %e, %w {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<4x2xf64>, tensor<2x8xf64> -> tensor<4x8xf64>
  // CHECK: gantk.bias_act %{{.*}}, %{{.*}} {activation = "tanh"} : tensor<4x8xf64>, tensor<1x8xf64> -> tensor<4x8xf64>
  %a = gantk.bias_act %h, %b {activation = "tanh"} : tensor<4x8xf64>, tensor<1x8xf64> -> tensor<4x8xf64>
  // CHECK: gantk.act_grad %{{.*}}, %{{.*}} {activation = "tanh"} : tensor<4x8xf64>, tensor<4x8xf64> -> tensor<4x8xf64>
  %dh = gantk.act_grad %a, %a {activation = "tanh"} : tensor<4x8xf64>, tensor<4x8xf64> -> tensor<4x8xf64>
  // CHECK: gantk.column_sum %{{.*}} : tensor<4x8xf64> -> tensor<1x8xf64>
  %db = gantk.column_sum %dh : tensor<4x8xf64> -> tensor<1x8xf64>
  // CHECK: gantk.concat %{{.*}}, %{{.*}} : tensor<2x8xf64>, tensor<1x8xf64> -> tensor<24xf64>
  %c = gantk.concat %w, %db : tensor<2x8xf64>, tensor<1x8xf64> -> tensor<24xf64>
  return %z, %g : tensor<4x2xf64>, tensor<42xf64>
}
