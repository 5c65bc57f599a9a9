// RUN: gantk-opt %s -split-input-file -gantk-outline-kernels | FileCheck %s
// RUN: gantk-opt %s -split-input-file -gantk-outline-kernels -gantk-kernels-to-llvm | FileCheck %s --check-prefix=LLVM

// gantk-outline-kernels on maps (MapKernels.cpp). The gram of maps is never
// stored: per step, one kernel transposes S (so that s_j, for consecutive
// pairs j, is contiguous) and one makes the per-point maps v_i(p) =
// Σ_c s_i(p, c)² / C in the kernels' H x W x N layout; the pairwise kernel
// then computes each pair's map of G from S and Sᵀ, runs the body as loops
// over positions on scratch maps (allocated once per kernel) and stores one
// number per pair. Here 4 points of 2x2x2 images, and a body with an
// elementwise run (v_i v_j + q12: one loop over positions), a SAME 2x2
// window (zeroed scratch, a loop over taps around the output positions of
// each tap) and the mean (a sum over positions, scaled by 1/4 for the window
// times 1/4 for the positions). Loops over positions carry the
// "do not vectorise or unroll" hint; the loop over the pairs of a row is
// marked for gantk-vectorize-pairs. K is symmetric: the mirror fills j < i.
// CHECK-DAG: #[[NOVEC:.*]] = #llvm.loop_vectorize<disable = true>
// CHECK-DAG: #[[NOUNROLL:.*]] = #llvm.loop_unroll<disable = true>
// CHECK: #[[HINT:.*]] = #llvm.loop_annotation<vectorize = #[[NOVEC]], unroll = #[[NOUNROLL]]>
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[S:.*]]: tensor<4x8xf64>)
// CHECK-NEXT: %[[ST:.*]] = gantk.dispatch @transpose_kernel(%[[S]]) {parallel = true, range = 4 : i64, tied = array<i64: -1>} : (tensor<4x8xf64>) -> tensor<8x4xf64>
// CHECK-NEXT: %[[VT:.*]] = gantk.dispatch @map_diag_kernel(%[[S]]) {parallel = true, range = 4 : i64, tied = array<i64: -1>} : (tensor<4x8xf64>) -> tensor<2x2x4xf64>
// CHECK-NEXT: %[[KU:.*]] = gantk.dispatch @map_pairwise_kernel(%[[S]], %[[ST]], %[[VT]]) {parallel = true, range = 4 : i64, tied = array<i64: -1>} : (tensor<4x8xf64>, tensor<8x4xf64>, tensor<2x2x4xf64>) -> tensor<4x4xf64>
// CHECK-NEXT: %[[K:.*]] = gantk.dispatch @mirror_kernel(%[[KU]]) {in_place, parallel = true, range = 4 : i64, tied = array<i64: 0>}
// CHECK-NEXT: return %[[K]]

// CHECK-LABEL: func.func private @transpose_kernel
// CHECK-SAME: (%[[IN:.*]]: memref<4x8xf64>, %[[OUT:.*]]: memref<8x4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {gantk.kernel}
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK: scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NEXT: %[[X:.*]] = memref.load %[[IN]][%[[I]], %[[C]]] : memref<4x8xf64>
// CHECK-NEXT: memref.store %[[X]], %[[OUT]][%[[C]], %[[I]]] : memref<8x4xf64>

// CHECK-LABEL: func.func private @map_diag_kernel
// CHECK-SAME: (%[[IN:.*]]: memref<4x8xf64>, %[[OUT:.*]]: memref<2x2x4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {gantk.kernel}
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK: scf.for %[[H:.*]] =
// CHECK: scf.for %[[W:.*]] =
// CHECK: %[[X0:.*]] = memref.load %[[IN]][%[[I]], %{{.*}}] : memref<4x8xf64>
// CHECK-NEXT: arith.mulf %[[X0]], %[[X0]] : f64
// CHECK: %[[X1:.*]] = memref.load %[[IN]][%[[I]], %{{.*}}] : memref<4x8xf64>
// CHECK-NEXT: arith.mulf %[[X1]], %[[X1]] : f64
// CHECK-NEXT: %[[SUM:.*]] = arith.addf
// CHECK-NEXT: %[[INV:.*]] = arith.constant 5.000000e-01 : f64
// CHECK-NEXT: %[[V:.*]] = arith.mulf %[[SUM]], %[[INV]] : f64
// CHECK-NEXT: memref.store %[[V]], %[[OUT]][%[[H]], %[[W]], %[[I]]] : memref<2x2x4xf64>
// CHECK-NEXT: } {llvm.loop_annotation = #[[HINT]]}
// CHECK-NEXT: } {llvm.loop_annotation = #[[HINT]]}

// CHECK-LABEL: func.func private @map_pairwise_kernel
// CHECK-SAME: (%[[S:.*]]: memref<4x8xf64>, %[[ST:.*]]: memref<8x4xf64>, %[[VT:.*]]: memref<2x2x4xf64>, %[[OUT:.*]]: memref<4x4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {gantk.kernel}
// CHECK-NEXT: %[[WIN:.*]] = memref.alloca() : memref<2x2xf64>
// CHECK-NEXT: %[[SUMS:.*]] = memref.alloca() : memref<2x2xf64>
// CHECK-NEXT: %[[G:.*]] = memref.alloca() : memref<2x2xf64>
// CHECK-NOT: memref.alloca
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK: scf.for %[[J:.*]] = %[[I]] to %{{.*}} step
// The pair's map of G, from row i of S and column j of Sᵀ (1/C = 0.5).
// CHECK: scf.for %[[H:.*]] =
// CHECK: scf.for %[[W:.*]] =
// CHECK: memref.load %[[ST]][%{{.*}}, %[[J]]] : memref<8x4xf64>
// CHECK: memref.load %[[S]][%[[I]], %{{.*}}] : memref<4x8xf64>
// CHECK: arith.constant 5.000000e-01 : f64
// CHECK: memref.store %{{.*}}, %[[G]][%[[H]], %[[W]]] : memref<2x2xf64>
// CHECK-NEXT: } {llvm.loop_annotation = #[[HINT]]}
// CHECK-NEXT: } {llvm.loop_annotation = #[[HINT]]}
// The elementwise run, one loop: v_i(p) v_j(p) + G_ij(p), kept for the
// window.
// CHECK: scf.for %[[H2:.*]] =
// CHECK: scf.for %[[W2:.*]] =
// CHECK-NEXT: %[[VI:.*]] = memref.load %[[VT]][%[[H2]], %[[W2]], %[[I]]] : memref<2x2x4xf64>
// CHECK-NEXT: %[[VJ:.*]] = memref.load %[[VT]][%[[H2]], %[[W2]], %[[J]]] : memref<2x2x4xf64>
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[VI]], %[[VJ]] : f64
// CHECK-NEXT: %[[GIJ:.*]] = memref.load %[[G]][%[[H2]], %[[W2]]] : memref<2x2xf64>
// CHECK-NEXT: %[[R:.*]] = arith.addf %[[GIJ]], %[[P]] : f64
// CHECK-NEXT: memref.store %[[R]], %[[SUMS]][%[[H2]], %[[W2]]] : memref<2x2xf64>
// The window: its scratch zeroed, then taps around output positions.
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT: memref.store %[[ZERO]], %[[WIN]][%{{.*}}, %{{.*}}] : memref<2x2xf64>
// CHECK: scf.for %[[TH:.*]] =
// CHECK: scf.for %[[TW:.*]] =
// CHECK: scf.for %[[OH:.*]] =
// CHECK: scf.for %[[OW:.*]] =
// CHECK: %[[IN:.*]] = memref.load %[[SUMS]][%{{.*}}, %{{.*}}] : memref<2x2xf64>
// CHECK-NEXT: %[[ACC:.*]] = memref.load %[[WIN]][%[[OH]], %[[OW]]] : memref<2x2xf64>
// CHECK-NEXT: %[[ADD:.*]] = arith.addf %[[ACC]], %[[IN]] : f64
// CHECK-NEXT: memref.store %[[ADD]], %[[WIN]][%[[OH]], %[[OW]]] : memref<2x2xf64>
// CHECK-NEXT: } {llvm.loop_annotation = #[[HINT]]}
// The mean: a sum over positions, scaled once.
// CHECK: %[[TOTAL:.*]] = scf.for {{.*}} iter_args(%{{.*}}) -> (f64) {
// CHECK: memref.load %[[WIN]]
// CHECK: } {llvm.loop_annotation = #[[HINT]]}
// CHECK: } {llvm.loop_annotation = #[[HINT]]}
// CHECK-NEXT: %[[SCALE:.*]] = arith.constant 6.250000e-02 : f64
// CHECK-NEXT: %[[KIJ:.*]] = arith.mulf %[[TOTAL]], %[[SCALE]] : f64
// CHECK-NEXT: memref.store %[[KIJ]], %[[OUT]][%[[I]], %[[J]]] : memref<4x4xf64>
// CHECK-NEXT: } {gantk.pairs}

// Through the kernels' LLVM pipeline the position loops' hints end on the
// back branches' loop_annotation, where the translation to LLVM IR reads
// them (gantk-loop-annotations), not as discardable attributes.
// LLVM: #[[HINT:.*]] = #llvm.loop_annotation<vectorize = #{{.*}}, unroll = #{{.*}}>
// LLVM-LABEL: llvm.func @map_pairwise_kernel
// LLVM: llvm.br ^{{.*}} {loop_annotation = #[[HINT]]}
// LLVM-NOT: llvm.loop_annotation =
func.func @forward(%s: tensor<4x8xf64>) -> tensor<4x4xf64> {
  %g = gantk.gram %s : tensor<4x8xf64> -> tensor<4x4x2x2xf64>
  %v = gantk.diag %g : tensor<4x4x2x2xf64> -> tensor<4x2x2xf64>
  %k = gantk.pairwise %g, %v : tensor<4x4x2x2xf64>, tensor<4x2x2xf64> -> tensor<4x4xf64> {
  ^bb0(%q12: tensor<2x2xf64>, %q11: tensor<2x2xf64>, %q22: tensor<2x2xf64>):
    %p = arith.mulf %q11, %q22 : tensor<2x2xf64>
    %r = arith.addf %q12, %p : tensor<2x2xf64>
    %w = gantk.window %r {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, padding = #gantk.padding<same>} : tensor<2x2xf64> -> tensor<2x2xf64>
    %m = gantk.spatial_mean %w : tensor<2x2xf64> -> f64
    gantk.yield %m : f64
  }
  return %k : tensor<4x4xf64>
}

// -----

// The backward of the generated rows [2, 4): pairwise_grad, add_diag and
// gram_grad of maps become one map_backward kernel over the 2 rows of
// dL/dZ (4 points of 2x2x4 images). Row i is point i + 2; each pair (i, j)
// runs the adjoint body (dq12 = c stays a number: a splat), adds
// dG_ij(p) s_j(p, c) into a row accumulator of the 16 values of a row and
// ∂/∂v_i(p) into one of maps; then dS_i(p, c) = 2/C (acc + 2 Σ ∂v_i(p)
// s_i(p, c)), 2/C = 0.5.
// CHECK-LABEL: func.func @backward
// CHECK-SAME: (%[[S:.*]]: tensor<4x16xf64>, %[[C:.*]]: tensor<4x4xf64>)
// CHECK-NEXT: %[[ST:.*]] = gantk.dispatch @transpose_kernel(%[[S]])
// CHECK-NEXT: %[[VT:.*]] = gantk.dispatch @map_diag_kernel(%[[S]])
// CHECK-NEXT: %[[DZ:.*]] = gantk.dispatch @map_backward_kernel(%[[S]], %[[ST]], %[[VT]], %[[C]]) {parallel = true, range = 2 : i64, tied = array<i64: -1>} : (tensor<4x16xf64>, tensor<16x4xf64>, tensor<2x2x4xf64>, tensor<4x4xf64>) -> tensor<2x16xf64>
// CHECK-NEXT: return %[[DZ]]

// CHECK-LABEL: func.func private @map_backward_kernel
// CHECK-SAME: (%[[S:.*]]: memref<4x16xf64>, %[[ST:.*]]: memref<16x4xf64>, %[[VT:.*]]: memref<2x2x4xf64>, %[[C:.*]]: memref<4x4xf64>, %[[OUT:.*]]: memref<2x16xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {gantk.kernel}
// CHECK-NEXT: memref.alloca() : memref<2x2xf64>
// CHECK-NEXT: memref.alloca() : memref<2x2xf64>
// CHECK-NEXT: %[[ACCV:.*]] = memref.alloca() : memref<2x2xf64>
// CHECK-NEXT: %[[ACC:.*]] = memref.alloca() : memref<16xf64>
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK-NEXT: %[[OFFSET:.*]] = arith.constant 2 : index
// CHECK-NEXT: %[[GI:.*]] = arith.addi %[[I]], %[[OFFSET]] : index
// CHECK: memref.store %{{.*}}, %[[ACC]][%{{.*}}] : memref<16xf64>
// CHECK: memref.store %{{.*}}, %[[ACCV]][%{{.*}}, %{{.*}}] : memref<2x2xf64>
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
// CHECK: memref.load %[[S]][%[[GI]], %{{.*}}] : memref<4x16xf64>
// CHECK: %[[CIJ:.*]] = memref.load %[[C]][%[[GI]], %[[J]]] : memref<4x4xf64>
// CHECK: %[[SJ:.*]] = memref.load %[[ST]][%{{.*}}, %[[J]]] : memref<16x4xf64>
// CHECK-NEXT: %[[TERM:.*]] = arith.mulf %[[CIJ]], %[[SJ]] : f64
// CHECK-NEXT: %[[OLD:.*]] = memref.load %[[ACC]][%{{.*}}] : memref<16xf64>
// CHECK-NEXT: %[[NEW:.*]] = arith.addf %[[OLD]], %[[TERM]] : f64
// CHECK-NEXT: memref.store %[[NEW]], %[[ACC]][%{{.*}}] : memref<16xf64>
// CHECK: memref.store %{{.*}}, %[[ACCV]]
// CHECK: } {gantk.pairs}
// CHECK: %[[DV:.*]] = memref.load %[[ACCV]]
// CHECK: %[[TWO:.*]] = arith.constant 2.000000e+00 : f64
// CHECK-NEXT: arith.mulf %[[TWO]], %[[DV]] : f64
// CHECK: %[[HALF:.*]] = arith.constant 5.000000e-01 : f64
// CHECK-NEXT: %[[D:.*]] = arith.mulf %[[HALF]], %{{.*}} : f64
// CHECK-NEXT: memref.store %[[D]], %[[OUT]][%[[I]], %{{.*}}] : memref<2x16xf64>
// CHECK-NOT: gantk.pairwise_grad
// CHECK-NOT: gantk.add_diag
// CHECK-NOT: gantk.gram_grad
func.func @backward(%s: tensor<4x16xf64>, %c: tensor<4x4xf64>) -> tensor<2x16xf64> {
  %g = gantk.gram %s : tensor<4x16xf64> -> tensor<4x4x2x2xf64>
  %v = gantk.diag %g : tensor<4x4x2x2xf64> -> tensor<4x2x2xf64>
  %dg, %dv = gantk.pairwise_grad %g, %v, %c {row_offset = 2 : i64} : tensor<4x4x2x2xf64>, tensor<4x2x2xf64>, tensor<4x4xf64> -> tensor<2x4x2x2xf64>, tensor<2x2x2xf64> {
  ^bb0(%q12: tensor<2x2xf64>, %q11: tensor<2x2xf64>, %q22: tensor<2x2xf64>, %cc: f64):
    %s12 = tensor.splat %cc : tensor<2x2xf64>
    %d11 = arith.mulf %s12, %q22 : tensor<2x2xf64>
    gantk.yield %s12, %d11, %q11 : tensor<2x2xf64>, tensor<2x2xf64>, tensor<2x2xf64>
  }
  %r = gantk.add_diag %dg, %dv {row_offset = 2 : i64} : tensor<2x4x2x2xf64>, tensor<2x2x2xf64> -> tensor<2x4x2x2xf64>
  %dz = gantk.gram_grad %s, %r {row_offset = 2 : i64} : tensor<4x16xf64>, tensor<2x4x2x2xf64> -> tensor<2x16xf64>
  return %dz : tensor<2x16xf64>
}

// -----

// A matrix-free operator on maps keeps its op: the body becomes
// map_recursion_kernel (the tile, diag(G)ᵀ, S, Sᵀ: rows [begin, end) of K
// from the points, j >= i), and the operator gets the transposed diagonal
// and `maps(S, Sᵀ)`, no body. The gram and its diagonal are gone.
// CHECK-LABEL: func.func @operator
// CHECK-SAME: (%[[S:.*]]: tensor<4x8xf64>)
// CHECK-NEXT: %[[ST:.*]] = gantk.dispatch @transpose_kernel(%[[S]])
// CHECK-NEXT: %[[VT:.*]] = gantk.dispatch @map_diag_kernel(%[[S]])
// CHECK-NEXT: %[[K:.*]] = gantk.kernel_operator %[[S]], %[[VT]] maps(%[[S]], %[[ST]] : tensor<4x8xf64>, tensor<8x4xf64>) {gram_alpha = 5.000000e-01 : f64, recursion = @map_recursion_kernel, tile_rows = 2 : i64, trace_scale = 0.000000e+00 : f64} : tensor<4x8xf64>, tensor<2x2x4xf64> -> <4, f64> {
// CHECK-NEXT: }
// CHECK-NEXT: return %[[K]]

// CHECK-LABEL: func.func private @map_recursion_kernel
// CHECK-SAME: (%[[TILE:.*]]: memref<4x4xf64>, %[[VT:.*]]: memref<2x2x4xf64>, %[[S:.*]]: memref<4x8xf64>, %[[ST:.*]]: memref<8x4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) attributes {gantk.kernel}
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK: scf.for %[[J:.*]] = %[[I]] to %{{.*}} step
// CHECK: memref.load %[[ST]][%{{.*}}, %[[J]]] : memref<8x4xf64>
// CHECK: memref.load %[[S]][%[[I]], %{{.*}}] : memref<4x8xf64>
// CHECK: %[[QUARTER:.*]] = arith.constant 2.500000e-01 : f64
// CHECK-NEXT: %[[KIJ:.*]] = arith.mulf %{{.*}}, %[[QUARTER]] : f64
// CHECK-NEXT: memref.store %[[KIJ]], %[[TILE]][%[[I]], %[[J]]] : memref<4x4xf64>
// CHECK-NEXT: } {gantk.pairs}
func.func @operator(%s: tensor<4x8xf64>) -> !gantk.operator<4, f64> {
  %g = gantk.gram %s : tensor<4x8xf64> -> tensor<4x4x2x2xf64>
  %v = gantk.diag %g : tensor<4x4x2x2xf64> -> tensor<4x2x2xf64>
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = 2 : i64} : tensor<4x8xf64>, tensor<4x2x2xf64> -> <4, f64> {
  ^bb0(%q12: tensor<2x2xf64>, %q11: tensor<2x2xf64>, %q22: tensor<2x2xf64>):
    %m = gantk.spatial_mean %q12 : tensor<2x2xf64> -> f64
    gantk.yield %m : f64
  }
  return %k : !gantk.operator<4, f64>
}
