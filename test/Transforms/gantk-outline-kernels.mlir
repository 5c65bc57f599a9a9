// RUN: gantk-opt %s -split-input-file -gantk-outline-kernels | FileCheck %s

// Each elementwise or per-pair op becomes a gantk.dispatch of a private
// kernel function on memrefs (operands, then results, then begin and end)
// whose outer scf.for runs over the rows [begin, end). Row-parallel kernels
// have range = N; the trace shift and the loss reduce over every row, so
// they run once (range = 1, not parallel). add_trace_diag works in place
// (tied to operand 0); pairwise_grad gives dG a buffer of its own (writing
// over the cotangent would keep LLVM from vectorising the loop). The
// pairwise body is inlined into the inner loop over j >= i with
// q12 = G[i, j], q11 = v[i], q22 = v[j]; K is symmetric, so an in-place
// mirror kernel fills j < i afterwards.
// CHECK-LABEL: func.func @f
// CHECK-SAME: (%[[G:.*]]: tensor<4x4xf64>, %[[C:.*]]: tensor<4x4xf64>)
// CHECK-NEXT: %[[V:.*]] = gantk.dispatch @diag_kernel(%[[G]]) {parallel = true, range = 4 : i64, tied = array<i64: -1>} : (tensor<4x4xf64>) -> tensor<4xf64>
// CHECK-NEXT: %[[KU:.*]] = gantk.dispatch @pairwise_kernel(%[[G]], %[[V]]) {parallel = true, range = 4 : i64, tied = array<i64: -1>} : (tensor<4x4xf64>, tensor<4xf64>) -> tensor<4x4xf64>
// CHECK-NEXT: %[[K:.*]] = gantk.dispatch @mirror_kernel(%[[KU]]) {in_place, parallel = true, range = 4 : i64, tied = array<i64: 0>} : (tensor<4x4xf64>) -> tensor<4x4xf64>
// CHECK-NEXT: %[[KS:.*]] = gantk.dispatch @add_trace_diag_kernel(%[[K]]) {in_place, parallel = false, range = 1 : i64, tied = array<i64: 0>} : (tensor<4x4xf64>) -> tensor<4x4xf64>
// CHECK-NEXT: %[[KS2:.*]] = gantk.dispatch @add_trace_diag_kernel_0(%[[KS]]) {in_place, parallel = false, range = 1 : i64, tied = array<i64: 0>}
// CHECK-NEXT: %[[D:.*]]:2 = gantk.dispatch @pairwise_grad_kernel(%[[G]], %[[V]], %[[C]]) {parallel = true, range = 4 : i64, tied = array<i64: -1, -1>} : (tensor<4x4xf64>, tensor<4xf64>, tensor<4x4xf64>) -> (tensor<4x4xf64>, tensor<4xf64>)
// CHECK-NEXT: %[[Y:.*]] = gantk.dispatch @labels_kernel() {parallel = true, range = 4 : i64, tied = array<i64: -1>} : () -> tensor<4x1xf64>
// CHECK-NEXT: %[[L:.*]] = gantk.dispatch @loss_kernel(%[[Y]], %[[Y]]) {parallel = false, range = 1 : i64, tied = array<i64: -1>} : (tensor<4x1xf64>, tensor<4x1xf64>) -> tensor<f64>
// CHECK-NEXT: return %[[KS2]], %[[D]]#0, %[[L]]

// CHECK-LABEL: func.func private @diag_kernel
// CHECK-SAME: (%[[A:.*]]: memref<4x4xf64>, %[[OUT:.*]]: memref<4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {gantk.kernel}
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK-NEXT: %[[X:.*]] = memref.load %[[A]][%[[I]], %[[I]]]
// CHECK-NEXT: memref.store %[[X]], %[[OUT]][%[[I]]]

// CHECK-LABEL: func.func private @pairwise_kernel
// CHECK-SAME: (%[[G:.*]]: memref<4x4xf64>, %[[V:.*]]: memref<4xf64>, %[[OUT:.*]]: memref<4x4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {gantk.kernel}
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK-NEXT: %[[VI:.*]] = memref.load %[[V]][%[[I]]]
// CHECK: scf.for %[[J:.*]] = %[[I]] to %{{.*}} step
// CHECK-NEXT: %[[GIJ:.*]] = memref.load %[[G]][%[[I]], %[[J]]]
// CHECK-NEXT: %[[VJ:.*]] = memref.load %[[V]][%[[J]]]
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[VI]], %[[VJ]] : f64
// CHECK-NEXT: %[[R:.*]] = arith.addf %[[GIJ]], %[[P]] : f64
// CHECK-NEXT: memref.store %[[R]], %[[OUT]][%[[I]], %[[J]]]

// The mirror copies m[j][i] to m[i][j] for j < i in 32 x 32 tiles of the
// rows [begin, end).
// CHECK-LABEL: func.func private @mirror_kernel
// CHECK-SAME: (%[[M:.*]]: memref<4x4xf64>, %{{.*}}: memref<4x4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {gantk.kernel}
// CHECK: scf.for %[[IB:.*]] = %[[BEGIN]] to %[[END]] step %c32
// CHECK: scf.for %[[I:.*]] = %[[IB]] to
// CHECK: %[[JEND:.*]] = arith.minsi %{{.*}}, %[[I]] : index
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %[[JEND]]
// CHECK-NEXT: %[[X:.*]] = memref.load %[[M]][%[[J]], %[[I]]]
// CHECK-NEXT: memref.store %[[X]], %[[M]][%[[I]], %[[J]]]

// The trace shift is serial: it ignores begin and end. Its input is read by
// nothing else, so it works in place and touches only the diagonal: one
// loop over i, no copy of the matrix.
// CHECK-LABEL: func.func private @add_trace_diag_kernel(
// CHECK-SAME: %[[A:.*]]: memref<4x4xf64>, %{{.*}}: memref<4x4xf64>, %{{.*}}: index, %{{.*}}: index) attributes {gantk.kernel}
// CHECK: %[[TR:.*]] = scf.for {{.*}} iter_args
// CHECK: %[[SHIFT:.*]] = arith.mulf %{{.*}}, %[[TR]]
// CHECK: scf.for %[[I:.*]] =
// CHECK-NEXT: %[[X:.*]] = memref.load %[[A]][%[[I]], %[[I]]]
// CHECK-NEXT: %[[Y:.*]] = arith.addf %[[X]], %[[SHIFT]]
// CHECK-NEXT: memref.store %[[Y]], %[[A]][%[[I]], %[[I]]]
// CHECK-LABEL: func.func private @add_trace_diag_kernel_0(

// dG is stored per pair; dv[i] = 2 Σ_j ∂/∂q11. Local row i reads row
// i + row_offset (0 here) of G and of the cotangent.
// CHECK-LABEL: func.func private @pairwise_grad_kernel
// CHECK-SAME: (%{{.*}}: memref<4x4xf64>, %{{.*}}: memref<4xf64>, %[[C:.*]]: memref<4x4xf64>, %[[DG:.*]]: memref<4x4xf64>, %[[DV:.*]]: memref<4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {gantk.kernel}
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK: %[[GI:.*]] = arith.addi %[[I]], %{{.*}} : index
// CHECK: %[[ACC:.*]] = scf.for %[[J:.*]] = {{.*}} iter_args
// CHECK: %[[CIJ:.*]] = memref.load %[[C]][%[[GI]], %[[J]]]
// CHECK-NEXT: memref.store %[[CIJ]], %[[DG]][%[[I]], %[[J]]]
// CHECK: %[[TWO:.*]] = arith.constant 2.000000e+00 : f64
// CHECK-NEXT: %[[DVI:.*]] = arith.mulf %[[TWO]], %[[ACC]] : f64
// CHECK-NEXT: memref.store %[[DVI]], %[[DV]][%[[I]]]

// CHECK-LABEL: func.func private @labels_kernel
// CHECK-SAME: (%{{.*}}: memref<4x1xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {gantk.kernel}
// CHECK: scf.for %{{.*}} = %[[BEGIN]] to %[[END]] step

// CHECK-LABEL: func.func private @loss_kernel
// CHECK-SAME: (%{{.*}}: memref<4x1xf64>, %{{.*}}: memref<4x1xf64>, %[[OUT:.*]]: memref<f64>, %{{.*}}: index, %{{.*}}: index) attributes {gantk.kernel}
// CHECK: memref.store %{{.*}}, %[[OUT]][]
func.func @f(%g: tensor<4x4xf64>, %c: tensor<4x4xf64>) -> (tensor<4x4xf64>, tensor<4x4xf64>, tensor<f64>) {
  %v = gantk.diag %g : tensor<4x4xf64> -> tensor<4xf64>
  %k = gantk.pairwise %g, %v : tensor<4x4xf64>, tensor<4xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    %p = arith.mulf %q11, %q22 : f64
    %r = arith.addf %q12, %p : f64
    gantk.yield %r : f64
  }
  %ks = gantk.add_trace_diag %k {scale = 0.25 : f64} : tensor<4x4xf64>
  %ks2 = gantk.add_trace_diag %ks {scale = 0.25 : f64} : tensor<4x4xf64>
  %dg, %dv = gantk.pairwise_grad %g, %v, %c : tensor<4x4xf64>, tensor<4xf64>, tensor<4x4xf64> -> tensor<4x4xf64>, tensor<4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64, %cc: f64):
    gantk.yield %cc, %q22, %q11 : f64, f64, f64
  }
  %y = gantk.labels {num_real = 2 : i64} : tensor<4x1xf64>
  %l = gantk.loss %y, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<f64>
  return %ks2, %dg, %l : tensor<4x4xf64>, tensor<4x4xf64>, tensor<f64>
}

// -----

// Library ops (eigh, gemm) stay; the pieces of the exponential action and
// of the loss gradient are row-parallel; add_diag writes in place.
// CHECK-LABEL: func.func @g
// CHECK-SAME: (%[[K:.*]]: tensor<4x4xf64>, %[[Y:.*]]: tensor<4x1xf64>, %[[A:.*]]: tensor<4x4xf64>, %[[V:.*]]: tensor<4xf64>)
// CHECK-NEXT: %[[QT:.*]], %[[MU:.*]] = gantk.eigh %[[K]]
// CHECK-NEXT: %[[B:.*]] = gantk.gemm %[[QT]], %[[Y]]
// CHECK-NEXT: %[[E:.*]] = gantk.dispatch @exp_scale_kernel(%[[MU]], %[[B]]) {parallel = true, range = 4 : i64, tied = array<i64: -1>} : (tensor<4xf64>, tensor<4x1xf64>) -> tensor<4x1xf64>
// CHECK-NEXT: %[[M:.*]] = gantk.dispatch @daleckii_krein_kernel(%[[MU]], %[[E]], %[[B]]) {parallel = true, range = 4 : i64, tied = array<i64: -1>} : (tensor<4xf64>, tensor<4x1xf64>, tensor<4x1xf64>) -> tensor<4x4xf64>
// CHECK-NEXT: %[[DU:.*]] = gantk.dispatch @loss_grad_kernel(%[[E]], %[[Y]]) {parallel = true, range = 4 : i64, tied = array<i64: -1>} : (tensor<4x1xf64>, tensor<4x1xf64>) -> tensor<4x1xf64>
// CHECK-NEXT: %[[R:.*]] = gantk.dispatch @add_diag_kernel(%[[A]], %[[V]]) {parallel = true, range = 4 : i64, tied = array<i64: 0>} : (tensor<4x4xf64>, tensor<4xf64>) -> tensor<4x4xf64>
// CHECK-NEXT: return %[[DU]], %[[M]], %[[R]]
// CHECK-LABEL: func.func private @exp_scale_kernel
// CHECK-SAME: attributes {gantk.kernel}
// CHECK: math.exp
// CHECK-LABEL: func.func private @daleckii_krein_kernel
// CHECK-SAME: attributes {gantk.kernel}
// CHECK: math.expm1
// CHECK-LABEL: func.func private @loss_grad_kernel
// CHECK-SAME: attributes {gantk.kernel}
// CHECK-LABEL: func.func private @add_diag_kernel
// CHECK-SAME: attributes {gantk.kernel}
func.func @g(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>, %a: tensor<4x4xf64>, %v: tensor<4xf64>) -> (tensor<4x1xf64>, tensor<4x4xf64>, tensor<4x4xf64>) {
  %qt, %mu = gantk.eigh %k : tensor<4x4xf64> -> tensor<4x4xf64>, tensor<4xf64>
  %b = gantk.gemm %qt, %y {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %e = gantk.exp_scale %mu, %b {lambda = 0.5 : f64} : tensor<4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %m = gantk.daleckii_krein %mu, %e, %b {lambda = 0.5 : f64} : tensor<4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>
  %du = gantk.loss_grad %e, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %r = gantk.add_diag %a, %v : tensor<4x4xf64>, tensor<4xf64> -> tensor<4x4xf64>
  return %du, %m, %r : tensor<4x1xf64>, tensor<4x4xf64>, tensor<4x4xf64>
}

// -----

// The Krylov products and the eigensolver read K's upper triangle only
// (the trace shift its diagonal): with no other reader, no mirror runs.
// CHECK-LABEL: func.func @upper
// CHECK: %[[KU:.*]] = gantk.dispatch @pairwise_kernel
// CHECK-NEXT: %[[KS:.*]] = gantk.dispatch @add_trace_diag_kernel(%[[KU]])
// CHECK-NEXT: gantk.krylov_expm %[[KS]]
// CHECK-NEXT: gantk.krylov_expm_grad %[[KS]]
// CHECK-NEXT: gantk.eigh %[[KU]]
// CHECK-NOT: mirror_kernel
func.func @upper(%g: tensor<4x4xf64>, %y: tensor<4x1xf64>) -> (tensor<4x1xf64>, tensor<4x4xf64>, tensor<4x4xf64>, tensor<4x4xf64>) {
  %v = gantk.diag %g : tensor<4x4xf64> -> tensor<4xf64>
  %k = gantk.pairwise %g, %v : tensor<4x4xf64>, tensor<4xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    %p = arith.mulf %q11, %q22 : f64
    %r = arith.addf %q12, %p : f64
    gantk.yield %r : f64
  }
  %ks = gantk.add_trace_diag %k {scale = 0.25 : f64} : tensor<4x4xf64>
  %u = gantk.krylov_expm %ks, %y {lambda = 0.7 : f64, tol = 1.0e-06 : f64, max_iter = 4 : i64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %a, %b = gantk.krylov_expm_grad %ks, %y, %u {lambda = 0.7 : f64, tol = 1.0e-06 : f64, max_iter = 4 : i64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>, tensor<4x4xf64>
  %qt, %mu = gantk.eigh %k : tensor<4x4xf64> -> tensor<4x4xf64>, tensor<4xf64>
  return %u, %a, %b, %qt : tensor<4x1xf64>, tensor<4x4xf64>, tensor<4x4xf64>, tensor<4x4xf64>
}

// -----

// Matrix-free: gram_diag becomes a row kernel (α Σ_c S[i, c]², reassociable
// so that it vectorises); the operator keeps its op, names its recursion
// kernel and loses its body, which becomes the in-place pairwise kernel
// over j >= i on the virtual N × N matrix (run on one row tile at a time).
// add_factor_trace is row-parallel: each call sums tr(A Bᵀ) itself and
// shifts only its rows [begin, end), so it can run in row tiles.
// CHECK-LABEL: func.func @matrix_free
// CHECK: %[[V:.*]] = gantk.dispatch @gram_diag_kernel(%{{.*}}) {parallel = true, range = 4 : i64, tied = array<i64: -1>} : (tensor<4x2xf64>) -> tensor<4xf64>
// CHECK-NEXT: gantk.kernel_operator %{{.*}}, %[[V]] {gram_alpha = 5.000000e-01 : f64, recursion = @recursion_kernel, tile_rows = 2 : i64, trace_scale = 0.000000e+00 : f64} : tensor<4x2xf64>, tensor<4xf64> -> <4, f64> {
// CHECK-NEXT: }
// CHECK: gantk.dispatch @add_factor_trace_kernel(%{{.*}}) {parallel = true, range = 2 : i64, tied = array<i64: 0>}

// CHECK-LABEL: func.func private @gram_diag_kernel
// CHECK-SAME: (%[[S:.*]]: memref<4x2xf64>, %[[OUT:.*]]: memref<4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK: %[[SUM:.*]] = scf.for %[[C:.*]] = {{.*}} iter_args(%[[ACC:.*]] = {{.*}})
// CHECK-NEXT: %[[X:.*]] = memref.load %[[S]][%[[I]], %[[C]]]
// CHECK-NEXT: %[[X2:.*]] = arith.mulf %[[X]], %[[X]]
// CHECK-NEXT: %[[NEXT:.*]] = arith.addf %[[ACC]], %[[X2]] fastmath<reassoc>
// CHECK: %[[R:.*]] = arith.mulf %{{.*}}, %[[SUM]]
// CHECK-NEXT: memref.store %[[R]], %[[OUT]][%[[I]]]

// CHECK-LABEL: func.func private @add_factor_trace_kernel
// CHECK-SAME: (%[[M:.*]]: memref<2x4xf64>, %{{.*}}: memref<4x3xf64>, %{{.*}}: memref<4x3xf64>, %{{.*}}: memref<2x4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// The trace's sum may be reassociated, so that it runs on vectors.
// CHECK: %[[TR:.*]] = scf.for
// CHECK: arith.mulf
// CHECK-NEXT: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc>
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step

// CHECK-LABEL: func.func private @recursion_kernel
// CHECK-SAME: (%[[G:.*]]: memref<4x4xf64>, %[[V:.*]]: memref<4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK: scf.for %[[J:.*]] = %[[I]] to
// CHECK-NEXT: %[[GIJ:.*]] = memref.load %[[G]][%[[I]], %[[J]]]
// CHECK: memref.store %{{.*}}, %[[G]][%[[I]], %[[J]]]
func.func @matrix_free(%s: tensor<4x2xf64>, %a: tensor<4x3xf64>, %b: tensor<4x3xf64>, %m: tensor<2x4xf64>) -> (!gantk.operator<4, f64>, tensor<2x4xf64>) {
  %v = gantk.gram_diag %s {alpha = 0.5 : f64} : tensor<4x2xf64> -> tensor<4xf64>
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = 2 : i64} : tensor<4x2xf64>, tensor<4xf64> -> <4, f64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  %r = gantk.add_factor_trace %m, %a, %b {scale = 0.25 : f64, row_offset = 2 : i64} : tensor<2x4xf64>, tensor<4x3xf64>, tensor<4x3xf64> -> tensor<2x4xf64>
  return %k, %r : !gantk.operator<4, f64>, tensor<2x4xf64>
}

// -----

// A per-pair body's scratch (the tape of a repeated layer) is allocated once
// at the kernel's entry, not once per pair: the body itself is inlined into
// the loop over pairs.
// CHECK-LABEL: func.func private @pairwise_grad_kernel
// CHECK-SAME: (%{{.*}}: memref<4x4xf64>, %{{.*}}: memref<4xf64>, %{{.*}}: memref<4x4xf64>, %{{.*}}: memref<4x4xf64>, %{{.*}}: memref<4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {gantk.kernel}
// CHECK-NEXT: %[[TAPE:.*]] = memref.alloca() : memref<3x1xf64>
// CHECK: scf.for %{{.*}} = %[[BEGIN]] to %[[END]] step
// CHECK-NOT: memref.alloca
// CHECK: memref.store %{{.*}}, %[[TAPE]]
// CHECK-NOT: memref.alloca
// CHECK: return
func.func @tape(%g: tensor<4x4xf64>, %c: tensor<4x4xf64>) -> tensor<4x4xf64> {
  %v = gantk.diag %g : tensor<4x4xf64> -> tensor<4xf64>
  %dg, %dv = gantk.pairwise_grad %g, %v, %c : tensor<4x4xf64>, tensor<4xf64>, tensor<4x4xf64> -> tensor<4x4xf64>, tensor<4xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64, %cc: f64):
    %tape = memref.alloca() : memref<3x1xf64>
    %c0 = arith.constant 0 : index
    memref.store %q12, %tape[%c0, %c0] : memref<3x1xf64>
    %t = memref.load %tape[%c0, %c0] : memref<3x1xf64>
    gantk.yield %cc, %t, %q11 : f64, f64, f64
  }
  return %dg : tensor<4x4xf64>
}

// -----

// With a corner (the real-real pairs, made once) row i copies the corner's
// j in [i, c) and runs the body on j >= max(i, c) only. The corner's kernel
// is the plain pairwise kernel, and K reads its upper triangle only: no
// mirror kernel between them (K itself is mirrored: it leaves the step).
// CHECK-LABEL: func.func @corner
// CHECK-SAME: (%[[G:.*]]: tensor<5x5xf64>, %[[V:.*]]: tensor<5xf64>, %[[GRR:.*]]: tensor<3x3xf64>, %[[VC:.*]]: tensor<3xf64>)
// CHECK-NEXT: %[[KC:.*]] = gantk.dispatch @pairwise_kernel(%[[GRR]], %[[VC]]) {parallel = true, range = 3 : i64, tied = array<i64: -1>}
// CHECK-NEXT: %[[K:.*]] = gantk.dispatch @pairwise_kernel_0(%[[G]], %[[V]], %[[KC]]) {parallel = true, range = 5 : i64, tied = array<i64: -1>} : (tensor<5x5xf64>, tensor<5xf64>, tensor<3x3xf64>) -> tensor<5x5xf64>
// CHECK-NEXT: %[[KM:.*]] = gantk.dispatch @mirror_kernel(%[[K]])
// CHECK-NEXT: %[[KS:.*]] = gantk.dispatch @add_trace_diag_kernel(%[[KM]])
// CHECK-NEXT: return %[[KS]]

// CHECK-LABEL: func.func private @pairwise_kernel_0
// CHECK-SAME: (%[[G:.*]]: memref<5x5xf64>, %[[V:.*]]: memref<5xf64>, %[[KC:.*]]: memref<3x3xf64>, %[[OUT:.*]]: memref<5x5xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {gantk.kernel}
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK-NEXT: %[[VI:.*]] = memref.load %[[V]][%[[I]]]
// CHECK-NEXT: %[[C:.*]] = arith.constant 3 : index
// CHECK: scf.for %[[J:.*]] = %[[I]] to %[[C]] step
// CHECK-NEXT: %[[X:.*]] = memref.load %[[KC]][%[[I]], %[[J]]]
// CHECK-NEXT: memref.store %[[X]], %[[OUT]][%[[I]], %[[J]]]
// CHECK: %[[FIRST:.*]] = arith.maxsi %[[I]], %[[C]]
// CHECK: scf.for %[[J2:.*]] = %[[FIRST]] to %{{.*}} step
// CHECK-NEXT: memref.load %[[G]][%[[I]], %[[J2]]]
// CHECK: } {gantk.pairs}
func.func @corner(%g: tensor<5x5xf64>, %v: tensor<5xf64>, %grr: tensor<3x3xf64>, %vc: tensor<3xf64>) -> tensor<5x5xf64> {
  %kc = gantk.pairwise %grr, %vc : tensor<3x3xf64>, tensor<3xf64> -> tensor<3x3xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  %k = gantk.pairwise %g, %v corner %kc : tensor<5x5xf64>, tensor<5xf64>, tensor<3x3xf64> -> tensor<5x5xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  %ks = gantk.add_trace_diag %k {scale = 1.0e-3 : f64} : tensor<5x5xf64>
  return %ks : tensor<5x5xf64>
}

// -----

// gram_blocks writes the real rows of G: the corner's rows (or, with
// corner_diagonal_only, its diagonal alone) and the transposed block of the
// Z rows in 32 x 32 tiles, whole 8 x 8 blocks as 8 vector loads, 24
// shuffles and 8 vector stores, the edges one element at a time; the Z rows
// lie inside G already (operand 1, at the byte offset of row n: 3 rows of
// 5 doubles). (That the blocks are the transpose: e2e/gram_blocks_tiles.)
// CHECK-LABEL: func.func @blocks
// CHECK-NEXT: gantk.dispatch @gram_blocks_kernel(%arg0, %arg1) {gantk.operand_inside = array<i64: 1, 120>, parallel = true, range = 3 : i64
// CHECK-NEXT: gantk.dispatch @gram_blocks_kernel_0(%arg0, %arg1) {gantk.operand_inside = array<i64: 1, 120>, parallel = true, range = 3 : i64

// CHECK-LABEL: func.func private @gram_blocks_kernel(
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %c1 {
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NEXT: %[[X:.*]] = memref.load %arg0[%[[I]], %[[J]]]
// CHECK-NEXT: memref.store %[[X]], %arg2[%[[I]], %[[J]]]
// CHECK-COUNT-8: vector.load %arg1[{{.*}}] : memref<2x5xf64>, vector<8xf64>
// CHECK-COUNT-24: vector.shuffle
// CHECK-COUNT-8: vector.store %{{.*}}, %arg2[{{.*}}] : memref<5x5xf64>, vector<8xf64>
// CHECK: memref.load %arg1
// CHECK-NEXT: memref.store
// CHECK: memref.load %arg1
// CHECK-NEXT: memref.store

// CHECK-LABEL: func.func private @gram_blocks_kernel_0(
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %c1 {
// CHECK-NEXT: %[[X:.*]] = memref.load %arg0[%[[I]], %[[I]]]
// CHECK-NEXT: memref.store %[[X]], %arg2[%[[I]], %[[I]]]
// CHECK-NEXT: }
// CHECK: memref.load %arg1
// CHECK-NEXT: memref.store
func.func @blocks(%grr: tensor<3x3xf64>, %gz: tensor<2x5xf64>) -> (tensor<5x5xf64>, tensor<5x5xf64>) {
  %g = gantk.gram_blocks %grr, %gz : tensor<3x3xf64>, tensor<2x5xf64> -> tensor<5x5xf64>
  %h = gantk.gram_blocks %grr, %gz {corner_diagonal_only} : tensor<3x3xf64>, tensor<2x5xf64> -> tensor<5x5xf64>
  return %g, %h : tensor<5x5xf64>, tensor<5x5xf64>
}

// -----

// The adjoint of the last 2 rows of 5, on a G nothing reads afterwards:
// the pairs of two of those rows come twice, so row i runs the body on the
// real columns [0, 3) and on j >= 3 + i only, storing each pair's
// q22-adjoint over the G entry it read (result 2, tied to G); a fold kernel
// (in place on dG and dv) adds those into dv of the other row and mirrors
// dG's 2 x 2 block.
// CHECK-LABEL: func.func @symmetric
// CHECK: %[[G:.*]] = gantk.dispatch @gram_blocks_kernel
// CHECK-NEXT: %[[D:.*]]:3 = gantk.dispatch @pairwise_grad_kernel(%[[G]], %arg2, %arg3) {in_place, parallel = true, range = 2 : i64, tied = array<i64: -1, -1, 0>} : (tensor<5x5xf64>, tensor<5xf64>, tensor<2x5xf64>) -> (tensor<2x5xf64>, tensor<2xf64>, tensor<5x5xf64>)
// CHECK-NEXT: %[[F:.*]]:2 = gantk.dispatch @pairwise_grad_fold_kernel(%[[D]]#0, %[[D]]#1, %[[D]]#2) {in_place, parallel = true, range = 2 : i64, tied = array<i64: 0, 1>}
// CHECK-NEXT: return %[[F]]#0, %[[F]]#1

// CHECK-LABEL: func.func private @pairwise_grad_kernel(
// CHECK-SAME: %[[G:[^:]*]]: memref<5x5xf64>, %[[V:[^:]*]]: memref<5xf64>, %[[C:[^:]*]]: memref<2x5xf64>, %[[DG:[^:]*]]: memref<2x5xf64>, %[[DV:[^:]*]]: memref<2xf64>, %{{[^:]*}}: memref<5x5xf64>,
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NEXT: %[[C3:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[GI:.*]] = arith.addi %[[I]], %[[C3]]
// CHECK: %[[REAL:.*]] = scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK-NEXT: memref.load %[[G]][%[[GI]], %[[J]]]
// CHECK-NOT: memref.store %{{.*}}, %[[G]]
// CHECK: } {gantk.pairs}
// CHECK: %[[UP:.*]] = scf.for %[[J2:.*]] = %[[GI]] to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %[[REAL]])
// CHECK: memref.store %[[A:.*]], %[[G]][%[[GI]], %[[J2]]]
// CHECK: } {gantk.pairs}
// CHECK: memref.store %{{.*}}, %[[DV]][%[[I]]]

// CHECK-LABEL: func.func private @pairwise_grad_fold_kernel(
// CHECK-SAME: %[[FDG:[^:]*]]: memref<2x5xf64>
// CHECK: memref.store %{{.*}}, %[[FDG]]
func.func @symmetric(%grr: tensor<3x3xf64>, %gz: tensor<2x5xf64>, %v: tensor<5xf64>, %c: tensor<2x5xf64>) -> (tensor<2x5xf64>, tensor<2xf64>) {
  %g = gantk.gram_blocks %grr, %gz : tensor<3x3xf64>, tensor<2x5xf64> -> tensor<5x5xf64>
  %dg, %dv = gantk.pairwise_grad %g, %v, %c {row_offset = 3 : i64} : tensor<5x5xf64>, tensor<5xf64>, tensor<2x5xf64> -> tensor<2x5xf64>, tensor<2xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64, %k: f64):
    %a = arith.mulf %k, %q11 : f64
    %b = arith.mulf %k, %q22 : f64
    gantk.yield %k, %a, %b : f64, f64, f64
  }
  return %dg, %dv : tensor<2x5xf64>, tensor<2xf64>
}

// -----

// The same adjoint read only by a GEMM (through add_diag, which adds on the
// block's diagonal): the GEMM takes the 2 x 2 block's upper triangle
// (a_symmetric_from = 3, ?symm), and the fold does not mirror it.
// CHECK-LABEL: func.func @symmetric_into_gemm
// CHECK: gantk.dispatch @pairwise_grad_fold_kernel
// CHECK-NEXT: %[[A:.*]] = gantk.dispatch @add_diag_kernel
// CHECK-NEXT: gantk.gemm %[[A]], %arg4 {a_symmetric_from = 3 : i64, alpha = 2.000000e+00 : f64, trans_a = false, trans_b = false}
// CHECK-LABEL: func.func private @pairwise_grad_fold_kernel(
// CHECK-SAME: %[[FDG:[^:]*]]: memref<2x5xf64>, %[[FDV:[^:]*]]: memref<2xf64>
// CHECK-NOT: memref.store %{{.*}}, %[[FDG]]
// CHECK: memref.store %{{.*}}, %[[FDV]]
// CHECK-NOT: memref.store %{{.*}}, %[[FDG]]
// CHECK: return
func.func @symmetric_into_gemm(%grr: tensor<3x3xf64>, %gz: tensor<2x5xf64>, %v: tensor<5xf64>, %c: tensor<2x5xf64>, %s: tensor<5x4xf64>) -> tensor<2x4xf64> {
  %g = gantk.gram_blocks %grr, %gz : tensor<3x3xf64>, tensor<2x5xf64> -> tensor<5x5xf64>
  %dg, %dv = gantk.pairwise_grad %g, %v, %c {row_offset = 3 : i64} : tensor<5x5xf64>, tensor<5xf64>, tensor<2x5xf64> -> tensor<2x5xf64>, tensor<2xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64, %k: f64):
    %a = arith.mulf %k, %q11 : f64
    %b = arith.mulf %k, %q22 : f64
    gantk.yield %k, %a, %b : f64, f64, f64
  }
  %d = gantk.add_diag %dg, %dv {row_offset = 3 : i64} : tensor<2x5xf64>, tensor<2xf64> -> tensor<2x5xf64>
  %dz = gantk.gemm %d, %s {alpha = 2.0 : f64, trans_a = false, trans_b = false} : tensor<2x5xf64>, tensor<5x4xf64> -> tensor<2x4xf64>
  return %dz : tensor<2x4xf64>
}

// -----

// The Gram's Z rows, Z Sᵀ, whose Z Zᵀ block every reader of the Gram takes
// by its upper triangle (diag; the pairwise kernel, j >= i; the backward's
// folded pairs, the real columns and j >= i) get upper_only: the runtime
// need not mirror their ?syrk. Where anything else reads the Gram (here the
// return), they do not.
// CHECK-LABEL: func.func @upper_only_gram_rows
// CHECK: gantk.gemm %arg1, %arg2 {alpha = 5.000000e-01 : f64, trans_a = false, trans_b = true, upper_only}
// CHECK-LABEL: func.func @gram_read_whole
// CHECK: gantk.gemm %arg1, %arg2 {alpha = 5.000000e-01 : f64, trans_a = false, trans_b = true}
func.func @upper_only_gram_rows(%grr: tensor<3x3xf64>, %z: tensor<2x4xf64>, %s: tensor<5x4xf64>, %c: tensor<2x5xf64>) -> (tensor<5x5xf64>, tensor<2x5xf64>, tensor<2xf64>) {
  %gz = gantk.gemm %z, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<2x4xf64>, tensor<5x4xf64> -> tensor<2x5xf64>
  %g = gantk.gram_blocks %grr, %gz : tensor<3x3xf64>, tensor<2x5xf64> -> tensor<5x5xf64>
  %v = gantk.diag %g : tensor<5x5xf64> -> tensor<5xf64>
  %k = gantk.pairwise %g, %v : tensor<5x5xf64>, tensor<5xf64> -> tensor<5x5xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    %p = arith.mulf %q11, %q22 : f64
    %r = arith.addf %q12, %p : f64
    gantk.yield %r : f64
  }
  %dg, %dv = gantk.pairwise_grad %g, %v, %c {row_offset = 3 : i64} : tensor<5x5xf64>, tensor<5xf64>, tensor<2x5xf64> -> tensor<2x5xf64>, tensor<2xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64, %x: f64):
    %a = arith.mulf %x, %q11 : f64
    %b = arith.mulf %x, %q22 : f64
    gantk.yield %x, %a, %b : f64, f64, f64
  }
  return %k, %dg, %dv : tensor<5x5xf64>, tensor<2x5xf64>, tensor<2xf64>
}
func.func @gram_read_whole(%grr: tensor<3x3xf64>, %z: tensor<2x4xf64>, %s: tensor<5x4xf64>) -> (tensor<5x5xf64>, tensor<5x5xf64>) {
  %gz = gantk.gemm %z, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<2x4xf64>, tensor<5x4xf64> -> tensor<2x5xf64>
  %g = gantk.gram_blocks %grr, %gz : tensor<3x3xf64>, tensor<2x5xf64> -> tensor<5x5xf64>
  %v = gantk.diag %g : tensor<5x5xf64> -> tensor<5xf64>
  %k = gantk.pairwise %g, %v : tensor<5x5xf64>, tensor<5xf64> -> tensor<5x5xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    %p = arith.mulf %q11, %q22 : f64
    %r = arith.addf %q12, %p : f64
    gantk.yield %r : f64
  }
  return %g, %k : tensor<5x5xf64>, tensor<5x5xf64>
}
