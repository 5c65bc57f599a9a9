// RUN: gantk-opt %s -split-input-file -gantk-lower-to-library | FileCheck %s
// RUN: gantk-opt %s -split-input-file -gantk-lower-to-library -cse | FileCheck %s --check-prefix=CSE

// G = S Sᵀ / d is one GEMM with alpha = 1/d (d = 4).
// CHECK-LABEL: func.func @gram
// CHECK-SAME: (%[[S:.*]]: tensor<6x4xf64>)
// CHECK-NEXT: %[[G:.*]] = gantk.gemm %[[S]], %[[S]] {alpha = 2.500000e-01 : f64, trans_a = false, trans_b = true} : tensor<6x4xf64>, tensor<6x4xf64> -> tensor<6x6xf64>
// CHECK-NEXT: return %[[G]]
func.func @gram(%s: tensor<6x4xf64>) -> tensor<6x6xf64> {
  %g = gantk.gram %s : tensor<6x4xf64> -> tensor<6x6xf64>
  return %g : tensor<6x6xf64>
}

// -----

// Rows [2, 6) of dS = 2/d · C S: a row slice of C (a view, no copy), then
// one GEMM with alpha = 2/d = 0.5. All rows need no slice.
// CHECK-LABEL: func.func @gram_grad
// CHECK-SAME: (%[[S:.*]]: tensor<6x4xf64>, %[[C:.*]]: tensor<6x6xf64>)
// CHECK-NEXT: %[[ROWS:.*]] = tensor.extract_slice %[[C]][2, 0] [4, 6] [1, 1] : tensor<6x6xf64> to tensor<4x6xf64>
// CHECK-NEXT: %[[DZ:.*]] = gantk.gemm %[[ROWS]], %[[S]] {alpha = 5.000000e-01 : f64, trans_a = false, trans_b = false} : tensor<4x6xf64>, tensor<6x4xf64> -> tensor<4x4xf64>
// CHECK-NEXT: %[[DS:.*]] = gantk.gemm %[[C]], %[[S]] {alpha = 5.000000e-01 : f64, trans_a = false, trans_b = false} : tensor<6x6xf64>, tensor<6x4xf64> -> tensor<6x4xf64>
// CHECK-NEXT: return %[[DZ]], %[[DS]]
func.func @gram_grad(%s: tensor<6x4xf64>, %c: tensor<6x6xf64>) -> (tensor<4x4xf64>, tensor<6x4xf64>) {
  %dz = gantk.gram_grad %s, %c {row_offset = 2 : i64} : tensor<6x4xf64>, tensor<6x6xf64> -> tensor<4x4xf64>
  %ds = gantk.gram_grad %s, %c {row_offset = 0 : i64} : tensor<6x4xf64>, tensor<6x6xf64> -> tensor<6x4xf64>
  return %dz, %ds : tensor<4x4xf64>, tensor<6x4xf64>
}

// -----

// exp(−λK) Y = Q exp(−λ max(μ, 0)) Qᵀ Y: eigh gives Qᵀ and μ, a GEMM Qᵀ Y,
// exp_scale, and a GEMM with trans_a. Without eig_reg there is no shift.
// CHECK-LABEL: func.func @expm_action
// CHECK-SAME: (%[[K:.*]]: tensor<4x4xf64>, %[[Y:.*]]: tensor<4x1xf64>)
// CHECK-NOT: gantk.add_trace_diag
// CHECK-NEXT: %[[QT:.*]], %[[MU:.*]] = gantk.eigh %[[K]] : tensor<4x4xf64> -> tensor<4x4xf64>, tensor<4xf64>
// CHECK-NEXT: %[[B:.*]] = gantk.gemm %[[QT]], %[[Y]] {alpha = 1.000000e+00 : f64, trans_a = false, trans_b = false} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
// CHECK-NEXT: %[[E:.*]] = gantk.exp_scale %[[MU]], %[[B]] {lambda = 5.000000e-01 : f64} : tensor<4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
// CHECK-NEXT: %[[U:.*]] = gantk.gemm %[[QT]], %[[E]] {alpha = 1.000000e+00 : f64, trans_a = true, trans_b = false} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
// CHECK-NEXT: return %[[U]]
func.func @expm_action(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// With eig_reg > 0 the kernel is shifted first: K' = K + eig_reg/N · tr K · I
// (eig_reg = 0.5, N = 4: scale 0.125).
// CHECK-LABEL: func.func @expm_action_eig_reg
// CHECK-SAME: (%[[K:.*]]: tensor<4x4xf64>, %[[Y:.*]]: tensor<4x1xf64>)
// CHECK-NEXT: %[[KS:.*]] = gantk.add_trace_diag %[[K]] {scale = 1.250000e-01 : f64} : tensor<4x4xf64>
// CHECK-NEXT: %{{.*}}, %{{.*}} = gantk.eigh %[[KS]]
func.func @expm_action_eig_reg(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.5 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// dL/dK' = Q (F ∘ ½(a bᵀ + b aᵀ)) Qᵀ with b = Qᵀ Y and a = Qᵀ dU, then the
// adjoint of the shift (the shift itself: add_trace_diag is self-adjoint).
// CHECK-LABEL: func.func @expm_action_grad
// CHECK-SAME: (%[[K:.*]]: tensor<4x4xf64>, %[[Y:.*]]: tensor<4x1xf64>, %[[DU:.*]]: tensor<4x1xf64>)
// CHECK-NEXT: %[[KS:.*]] = gantk.add_trace_diag %[[K]] {scale = 1.250000e-01 : f64}
// CHECK-NEXT: %[[QT:.*]], %[[MU:.*]] = gantk.eigh %[[KS]]
// CHECK-NEXT: %[[B:.*]] = gantk.gemm %[[QT]], %[[Y]] {alpha = 1.000000e+00 : f64, trans_a = false, trans_b = false}
// CHECK-NEXT: %[[A:.*]] = gantk.gemm %[[QT]], %[[DU]] {alpha = 1.000000e+00 : f64, trans_a = false, trans_b = false}
// CHECK-NEXT: %[[M:.*]] = gantk.daleckii_krein %[[MU]], %[[A]], %[[B]] {lambda = 5.000000e-01 : f64} : tensor<4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>
// CHECK-NEXT: %[[T:.*]] = gantk.gemm %[[QT]], %[[M]] {alpha = 1.000000e+00 : f64, trans_a = true, trans_b = false}
// CHECK-NEXT: %[[DKS:.*]] = gantk.gemm %[[T]], %[[QT]] {alpha = 1.000000e+00 : f64, trans_a = false, trans_b = false}
// CHECK-NEXT: %[[DK:.*]] = gantk.add_trace_diag %[[DKS]] {scale = 1.250000e-01 : f64}
// CHECK-NEXT: return %[[DK]]
func.func @expm_action_grad(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>, %du: tensor<4x1xf64>) -> tensor<4x4xf64> {
  %dk = gantk.expm_action_grad %k, %y, %du {lambda = 0.5 : f64, eig_reg = 0.5 : f64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>
  return %dk : tensor<4x4xf64>
}

// -----

// The forward and the backward of one kernel build the same shift and
// eigendecomposition; after -cse one gantk.eigh serves both.
// CHECK-LABEL: func.func @shared
// CHECK-COUNT-2: gantk.eigh
// CSE-LABEL: func.func @shared
// CSE-SAME: (%[[K:.*]]: tensor<4x4xf64>,
// CSE: %[[KS:.*]] = gantk.add_trace_diag %[[K]]
// CSE-NEXT: %[[QT:.*]], %[[MU:.*]] = gantk.eigh %[[KS]]
// CSE-NOT: gantk.eigh
// CSE: gantk.exp_scale %[[MU]]
// CSE-NOT: gantk.eigh
// CSE: gantk.daleckii_krein %[[MU]]
// CSE-NOT: gantk.eigh
// CSE: return
func.func @shared(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>, %du: tensor<4x1xf64>) -> (tensor<4x1xf64>, tensor<4x4xf64>) {
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.5 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %dk = gantk.expm_action_grad %k, %y, %du {lambda = 0.5 : f64, eig_reg = 0.5 : f64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>
  return %u, %dk : tensor<4x1xf64>, tensor<4x4xf64>
}

// -----

// solver = #gantk.solver<krylov>: one library call, gantk.krylov_expm, with lambda and
// tol carried over and max_iter capped at N (4: each block adds a direction
// or ends the iteration); no eigh, no N x N eigenbasis. Without eig_reg the
// kernel goes in unshifted.
// CHECK-LABEL: func.func @expm_action_krylov
// CHECK-SAME: (%[[K:.*]]: tensor<4x4xf64>, %[[Y:.*]]: tensor<4x1xf64>)
// CHECK-NEXT: %[[U:.*]] = gantk.krylov_expm %[[K]], %[[Y]] {lambda = 5.000000e-01 : f64, max_iter = 4 : i64, tol = 1.000000e-08 : f64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
// CHECK-NEXT: return %[[U]]
func.func @expm_action_krylov(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64, solver = #gantk.solver<krylov>, tol = 1.0e-8 : f64, max_iter = 20 : i64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// With eig_reg > 0 the Krylov action runs on the shifted kernel, as the
// dense path does (eig_reg = 0.5, N = 4: scale 0.125).
// CHECK-LABEL: func.func @expm_action_krylov_eig_reg
// CHECK-SAME: (%[[K:.*]]: tensor<4x4xf64>, %[[Y:.*]]: tensor<4x1xf64>)
// CHECK-NEXT: %[[KS:.*]] = gantk.add_trace_diag %[[K]] {scale = 1.250000e-01 : f64} : tensor<4x4xf64>
// CHECK-NEXT: %[[U:.*]] = gantk.krylov_expm %[[KS]], %[[Y]] {lambda = 5.000000e-01 : f64, max_iter = 4 : i64, tol = 1.000000e-08 : f64}
// CHECK-NEXT: return %[[U]]
func.func @expm_action_krylov_eig_reg(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> tensor<4x1xf64> {
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.5 : f64, solver = #gantk.solver<krylov>, tol = 1.0e-8 : f64, max_iter = 20 : i64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  return %u : tensor<4x1xf64>
}

// -----

// The Krylov gradient: krylov_expm_grad gives dL/dK ≈ A Bᵀ as two N x r
// factors, r = min(N, 64), and one GEMM with trans_b forms A Bᵀ. Without
// eig_reg there is no shift before or after. Here N = 100 > 64 (f32, two
// label columns): the factors are 100 x 64; the defaults tol = 1e-6 and
// max_iter = 100 are carried explicitly.
// CHECK-LABEL: func.func @expm_action_grad_krylov
// CHECK-SAME: (%[[K:.*]]: tensor<100x100xf32>, %[[Y:.*]]: tensor<100x2xf32>, %[[DU:.*]]: tensor<100x2xf32>)
// CHECK-NOT: gantk.add_trace_diag
// CHECK-NEXT: %[[A:.*]], %[[B:.*]] = gantk.krylov_expm_grad %[[K]], %[[Y]], %[[DU]] {lambda = 5.000000e-01 : f64, max_iter = 100 : i64, tol = 9.9999999999999995E-7 : f64} : tensor<100x100xf32>, tensor<100x2xf32>, tensor<100x2xf32> -> tensor<100x64xf32>, tensor<100x64xf32>
// CHECK-NEXT: %[[DK:.*]] = gantk.gemm %[[A]], %[[B]] {alpha = 1.000000e+00 : f64, trans_a = false, trans_b = true} : tensor<100x64xf32>, tensor<100x64xf32> -> tensor<100x100xf32>
// CHECK-NEXT: return %[[DK]]
func.func @expm_action_grad_krylov(%k: tensor<100x100xf32>, %y: tensor<100x2xf32>, %du: tensor<100x2xf32>) -> tensor<100x100xf32> {
  %dk = gantk.expm_action_grad %k, %y, %du {lambda = 0.5 : f64, eig_reg = 0.0 : f64, solver = #gantk.solver<krylov>} : tensor<100x100xf32>, tensor<100x2xf32>, tensor<100x2xf32> -> tensor<100x100xf32>
  return %dk : tensor<100x100xf32>
}

// -----

// With eig_reg the factors come from the shifted kernel and the adjoint of
// the shift (the shift itself) is applied to A Bᵀ. N = 4 < 64: the factors
// are 4 x 4.
// CHECK-LABEL: func.func @expm_action_grad_krylov_eig_reg
// CHECK-SAME: (%[[K:.*]]: tensor<4x4xf64>, %[[Y:.*]]: tensor<4x1xf64>, %[[DU:.*]]: tensor<4x1xf64>)
// CHECK-NEXT: %[[KS:.*]] = gantk.add_trace_diag %[[K]] {scale = 1.250000e-01 : f64} : tensor<4x4xf64>
// CHECK-NEXT: %[[A:.*]], %[[B:.*]] = gantk.krylov_expm_grad %[[KS]], %[[Y]], %[[DU]] {lambda = 5.000000e-01 : f64, max_iter = 4 : i64, tol = 1.000000e-10 : f64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>, tensor<4x4xf64>
// CHECK-NEXT: %[[DKS:.*]] = gantk.gemm %[[A]], %[[B]] {alpha = 1.000000e+00 : f64, trans_a = false, trans_b = true}
// CHECK-NEXT: %[[DK:.*]] = gantk.add_trace_diag %[[DKS]] {scale = 1.250000e-01 : f64} : tensor<4x4xf64>
// CHECK-NEXT: return %[[DK]]
func.func @expm_action_grad_krylov_eig_reg(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>, %du: tensor<4x1xf64>) -> tensor<4x4xf64> {
  %dk = gantk.expm_action_grad %k, %y, %du {lambda = 0.5 : f64, eig_reg = 0.5 : f64, solver = #gantk.solver<krylov>, tol = 1.0e-10 : f64, max_iter = 30 : i64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>
  return %dk : tensor<4x4xf64>
}

// -----

// The forward and the backward of one kernel each build the shift; after
// -cse one gantk.add_trace_diag feeds both Krylov calls (which keep their
// own Lanczos runs: their start blocks differ).
// CHECK-LABEL: func.func @shared_krylov
// CHECK-COUNT-3: gantk.add_trace_diag
// CSE-LABEL: func.func @shared_krylov
// CSE-SAME: (%[[K:.*]]: tensor<4x4xf64>, %[[Y:.*]]: tensor<4x1xf64>, %[[DU:.*]]: tensor<4x1xf64>)
// CSE-NEXT: %[[KS:.*]] = gantk.add_trace_diag %[[K]] {scale = 1.250000e-01 : f64}
// CSE-NEXT: %[[U:.*]] = gantk.krylov_expm %[[KS]], %[[Y]]
// CSE-NEXT: %[[A:.*]], %[[B:.*]] = gantk.krylov_expm_grad %[[KS]], %[[Y]], %[[DU]]
// CSE-NEXT: %[[DKS:.*]] = gantk.gemm %[[A]], %[[B]]
// CSE-NEXT: %[[DK:.*]] = gantk.add_trace_diag %[[DKS]] {scale = 1.250000e-01 : f64}
// CSE-NEXT: return %[[U]], %[[DK]]
func.func @shared_krylov(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>, %du: tensor<4x1xf64>) -> (tensor<4x1xf64>, tensor<4x4xf64>) {
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.5 : f64, solver = #gantk.solver<krylov>} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %dk = gantk.expm_action_grad %k, %y, %du {lambda = 0.5 : f64, eig_reg = 0.5 : f64, solver = #gantk.solver<krylov>} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>
  return %u, %dk : tensor<4x1xf64>, tensor<4x4xf64>
}
