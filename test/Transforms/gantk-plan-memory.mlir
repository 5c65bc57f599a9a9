// RUN: gantk-opt %s -split-input-file -verify-diagnostics -gantk-plan-memory | FileCheck %s

// One forward step, N = 4 points of d = 2 features in f64. Every buffer is
// rounded up to 64 bytes (a cache line) and placed first fit by liveness;
// a buffer is freed after the op of its last use, returned values live to
// the end, and the arguments (with the stack that holds them) live through
// the whole step: the runtime sets X once and keeps it for every step.
//   stack S (64 B) at 0; its operands live inside it: x at 0, z at 32.
//   G = gemm (128 B) at 64.
//   v = diag (32 -> 64 B) at 192.
//   K = pairwise (128 B) at 256; G and v die after it.
//   add_trace_diag is tied to operand 0 and K dies there: in place at 256.
//   eigh writes Qᵀ over its input (256); μ (64 B) at 64. Its LAPACK
//   workspaces are live during the op only: work = 1 + 6N + 2N² = 57
//   elements (456 -> 512 B) at 384 and iwork = 3 + 5N = 23 i32 (92 -> 128 B)
//   first fit at 128. gantk.scratch holds the offsets only, [work, iwork];
//   the artifact writer recomputes the sizes from N.
//   This is the peak: 64 + 64 + 128 + 512 + 128 = 896 bytes.
//   y = labels at 128, b = Qᵀ y at 192, e = exp_scale at 384 (μ and b die
//   after it, not before), u = Q e at 64, the loss (8 -> 64 B) at 192.
// CHECK: module attributes {gantk.arena_bytes = 896 : i64, gantk.entry = "step", gantk.peak_op = "gantk.eigh"}
// CHECK-LABEL: func.func @step
// CHECK-SAME: attributes {gantk.arg_offsets = array<i64: 0, 32>}
// CHECK-NEXT: gantk.stack {{.*}}gantk.offsets = array<i64: 0>
// CHECK-NEXT: gantk.gemm {{.*}}gantk.offsets = array<i64: 64>
// CHECK-NEXT: gantk.dispatch @diag_kernel{{.*}}gantk.offsets = array<i64: 192>
// CHECK-NEXT: gantk.dispatch @pairwise_kernel{{.*}}gantk.offsets = array<i64: 256>
// CHECK-NEXT: gantk.dispatch @add_trace_diag_kernel{{.*}}gantk.offsets = array<i64: 256>
// CHECK-NEXT: gantk.eigh {{.*}}{gantk.offsets = array<i64: 256, 64>, gantk.scratch = array<i64: 384, 128>}
// CHECK-NEXT: gantk.dispatch @labels_kernel{{.*}}gantk.offsets = array<i64: 128>
// CHECK-NEXT: gantk.gemm {{.*}}gantk.offsets = array<i64: 192>
// CHECK-NEXT: gantk.dispatch @exp_scale_kernel{{.*}}gantk.offsets = array<i64: 384>
// CHECK-NEXT: gantk.gemm {{.*}}gantk.offsets = array<i64: 64>
// CHECK-NEXT: gantk.dispatch @loss_kernel{{.*}}gantk.offsets = array<i64: 192>
func.func private @diag_kernel(memref<4x4xf64>, memref<4xf64>, index, index) attributes {gantk.kernel}
func.func private @pairwise_kernel(memref<4x4xf64>, memref<4xf64>, memref<4x4xf64>, index, index) attributes {gantk.kernel}
func.func private @add_trace_diag_kernel(memref<4x4xf64>, memref<4x4xf64>, index, index) attributes {gantk.kernel}
func.func private @labels_kernel(memref<4x1xf64>, index, index) attributes {gantk.kernel}
func.func private @exp_scale_kernel(memref<4xf64>, memref<4x1xf64>, memref<4x1xf64>, index, index) attributes {gantk.kernel}
func.func private @loss_kernel(memref<4x1xf64>, memref<4x1xf64>, memref<f64>, index, index) attributes {gantk.kernel}
func.func @step(%x: tensor<2x2xf64>, %z: tensor<2x2xf64>) -> tensor<f64> {
  %s = gantk.stack %x, %z : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<4x2xf64>
  %g = gantk.gemm %s, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<4x2xf64>, tensor<4x2xf64> -> tensor<4x4xf64>
  %v = gantk.dispatch @diag_kernel(%g) {range = 4 : i64, parallel = true, tied = array<i64: -1>} : (tensor<4x4xf64>) -> tensor<4xf64>
  %k = gantk.dispatch @pairwise_kernel(%g, %v) {range = 4 : i64, parallel = true, tied = array<i64: -1>} : (tensor<4x4xf64>, tensor<4xf64>) -> tensor<4x4xf64>
  %ks = gantk.dispatch @add_trace_diag_kernel(%k) {range = 1 : i64, parallel = false, tied = array<i64: 0>} : (tensor<4x4xf64>) -> tensor<4x4xf64>
  %qt, %mu = gantk.eigh %ks : tensor<4x4xf64> -> tensor<4x4xf64>, tensor<4xf64>
  %y = gantk.dispatch @labels_kernel() {range = 4 : i64, parallel = true, tied = array<i64: -1>} : () -> tensor<4x1xf64>
  %b = gantk.gemm %qt, %y {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %e = gantk.dispatch @exp_scale_kernel(%mu, %b) {range = 4 : i64, parallel = true, tied = array<i64: -1>} : (tensor<4xf64>, tensor<4x1xf64>) -> tensor<4x1xf64>
  %u = gantk.gemm %qt, %e {alpha = 1.0 : f64, trans_a = true, trans_b = false} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %l = gantk.dispatch @loss_kernel(%u, %y) {range = 1 : i64, parallel = false, tied = array<i64: -1>} : (tensor<4x1xf64>, tensor<4x1xf64>) -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// A tied dispatch whose operand is still needed gets a fresh buffer; a row
// slice lives inside its source. S at 0 (64 B), G at 64 (128 B); the trace
// shift of G cannot overwrite G, which the slice reads later: 192. Rows
// [2, 4) of G start 2 rows x 32 B into it: 64 + 64 = 128. dZ (32 -> 64 B)
// at 320.
// CHECK: module attributes {gantk.arena_bytes = 384 : i64, gantk.entry = "alias", gantk.peak_op = "gantk.gemm"}
// CHECK-LABEL: func.func @alias
// CHECK-SAME: attributes {gantk.arg_offsets = array<i64: 0, 32>}
// CHECK: gantk.gemm {{.*}}gantk.offsets = array<i64: 64>
// CHECK-NEXT: gantk.dispatch @add_trace_diag_kernel{{.*}}gantk.offsets = array<i64: 192>
// CHECK-NEXT: tensor.extract_slice {{.*}}gantk.offsets = array<i64: 128>
// CHECK-NEXT: gantk.gemm {{.*}}gantk.offsets = array<i64: 320>
func.func private @add_trace_diag_kernel(memref<4x4xf64>, memref<4x4xf64>, index, index) attributes {gantk.kernel}
func.func @alias(%x: tensor<2x2xf64>, %z: tensor<2x2xf64>) -> (tensor<4x4xf64>, tensor<2x2xf64>) {
  %s = gantk.stack %x, %z : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<4x2xf64>
  %g = gantk.gemm %s, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<4x2xf64>, tensor<4x2xf64> -> tensor<4x4xf64>
  %ks = gantk.dispatch @add_trace_diag_kernel(%g) {range = 1 : i64, parallel = false, tied = array<i64: 0>} : (tensor<4x4xf64>) -> tensor<4x4xf64>
  %rows = tensor.extract_slice %g[2, 0] [2, 4] [1, 1] : tensor<4x4xf64> to tensor<2x4xf64>
  %dz = gantk.gemm %rows, %s {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<2x4xf64>, tensor<4x2xf64> -> tensor<2x2xf64>
  return %ks, %dz : tensor<4x4xf64>, tensor<2x2xf64>
}

// -----

// Without entry=<name> the module must have exactly one entry function.
// expected-error @+1 {{several entry functions; pass entry=<name>}}
module {
  func.func @a(%x: tensor<2x2xf64>) -> tensor<2x2xf64> {
    return %x : tensor<2x2xf64>
  }
  func.func @b(%x: tensor<2x2xf64>) -> tensor<2x2xf64> {
    return %x : tensor<2x2xf64>
  }
}

// -----

// Kernel functions are not entry functions.
// expected-error @+1 {{no entry function to plan}}
module {
  func.func private @k(memref<4xf64>, index, index) attributes {gantk.kernel}
}

// -----

// The stack's real rows must be the function's argument, which the runtime
// writes straight into it.
func.func @stack_of_gemm(%x: tensor<2x2xf64>, %z: tensor<2x2xf64>) -> tensor<4x2xf64> {
  %g = gantk.gemm %x, %z {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<2x2xf64>
  // expected-error @+1 {{'gantk.stack' op memory plan needs the real rows as a function argument and the generated rows as one or made by the step}}
  %s = gantk.stack %g, %z : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<4x2xf64>
  return %s : tensor<4x2xf64>
}

// -----

// GA-NTKg: Z made by the step (a generator's last layer) is made inside the
// stack, after X; param_view reads θ in place at its offset (8 bytes an
// element); the concat's pieces are made in their places in it.
//   stack (64 B) at 0: x at 0, Z (the gemm) at 32. e (64 B) at 64. θ (6
//   elements, 64 B) at 128: w = θ[0:4] at 128, b = θ[4:6] at 160. The
//   concat (48 -> 64 B) at 192: the column_sum (16 B) at 192, the second
//   gemm (32 B) right after it at 208.
// CHECK-LABEL: func.func @generated_rows
// CHECK-SAME: gantk.arg_offsets = array<i64: 0, 64, 128>
// CHECK: gantk.param_view {{.*}}gantk.offsets = array<i64: 128>
// CHECK: gantk.param_view {{.*}}gantk.offsets = array<i64: 160>
// CHECK: gantk.gemm {{.*}}gantk.offsets = array<i64: 32>
// CHECK: gantk.stack {{.*}}gantk.offsets = array<i64: 0>
// CHECK: gantk.column_sum {{.*}}gantk.offsets = array<i64: 192>
// CHECK: gantk.gemm {{.*}}gantk.offsets = array<i64: 208>
// CHECK: gantk.concat {{.*}}gantk.offsets = array<i64: 192>
func.func @generated_rows(%x: tensor<2x2xf64>, %e: tensor<2x2xf64>, %theta: tensor<6xf64>) -> (tensor<4x2xf64>, tensor<6xf64>) {
  %w = gantk.param_view %theta {offset = 0 : i64} : tensor<6xf64> -> tensor<2x2xf64>
  %b = gantk.param_view %theta {offset = 4 : i64} : tensor<6xf64> -> tensor<1x2xf64>
  %z = gantk.gemm %e, %w {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<2x2xf64>
  %s = gantk.stack %x, %z : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<4x2xf64>
  %db = gantk.column_sum %z : tensor<2x2xf64> -> tensor<1x2xf64>
  %dw = gantk.gemm %e, %z {alpha = 1.0 : f64, trans_a = true, trans_b = false} : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<2x2xf64>
  %g = gantk.concat %db, %dw : tensor<1x2xf64>, tensor<2x2xf64> -> tensor<6xf64>
  return %s, %g : tensor<4x2xf64>, tensor<6xf64>
}

// -----

// A concat's piece is made for it alone: one read elsewhere too would see
// the bytes of dL/dθ.
func.func @concat_shared(%e: tensor<2x2xf64>, %w: tensor<2x2xf64>) -> (tensor<4xf64>, tensor<2x2xf64>) {
  %p = gantk.gemm %e, %w {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<2x2xf64>
  // expected-error @+1 {{'gantk.concat' op memory plan needs each piece made by an op of the step for this concat alone}}
  %g = gantk.concat %p : tensor<2x2xf64> -> tensor<4xf64>
  return %g, %p : tensor<4xf64>, tensor<2x2xf64>
}

// -----

// Only whole rows of a row-major matrix are a contiguous view.
func.func @column_slice(%g: tensor<4x4xf64>) -> tensor<4x2xf64> {
  // expected-error @+1 {{'tensor.extract_slice' op memory plan supports static row slices only}}
  %c = tensor.extract_slice %g[0, 0] [4, 2] [1, 1] : tensor<4x4xf64> to tensor<4x2xf64>
  return %c : tensor<4x2xf64>
}

// -----

// eigh overwrites its input with the eigenvectors, so the input must die
// there.
func.func @eigh_clobbers(%k: tensor<4x4xf64>) -> (tensor<4xf64>, tensor<4x4xf64>) {
  // expected-error @+1 {{'gantk.eigh' op input is used after the eigendecomposition; the in-place solver would clobber it}}
  %qt, %mu = gantk.eigh %k : tensor<4x4xf64> -> tensor<4x4xf64>, tensor<4xf64>
  return %mu, %k : tensor<4xf64>, tensor<4x4xf64>
}

// -----

// The Krylov library calls: N = 4 in f64, one label column. gantk.scratch
// lists the byte offsets of their three workspaces, live during the call
// only: [basis, block, stats] with basis N·w·(max_iter + 1) elements, block
// N·w and stats 2 elements, where w is the start block's width: the rhs
// columns (1) for the action, doubled for the gradient ([Y, dU]: 2).
//   Arguments first: K (128 B) at 0, y (32 -> 64 B) at 128, dU at 192.
//   krylov_expm (max_iter = 3): u (64 B) at 256, returned so live to the
//   end. basis 4·1·4 = 16 elements (128 B) at 320, block 4 (32 -> 64 B) at
//   448, stats 2 (16 -> 64 B) at 512.
//   krylov_expm_grad (max_iter = 2): A and B (4 x 4, 128 B each) at 320 and
//   448, where the action's workspaces were. basis 4·2·3 = 24 elements
//   (192 B) at 576, block 4·2 = 8 (64 B) at 768, stats at 832. This is the
//   peak: 128 + 3·64 + 2·128 + 192 + 2·64 = 896 bytes. K, y and dU are arguments and stay.
//   gemm A Bᵀ (128 B) at 576: K, an argument, is kept.
// There is no eigh: no LAPACK work/iwork and no N x N eigenbasis.
// CHECK: module attributes {gantk.arena_bytes = 896 : i64, gantk.entry = "krylov", gantk.peak_op = "gantk.krylov_expm_grad"}
// CHECK-LABEL: func.func @krylov
// CHECK-SAME: attributes {gantk.arg_offsets = array<i64: 0, 128, 192>}
// CHECK-NEXT: gantk.krylov_expm {{.*}}{gantk.offsets = array<i64: 256>, gantk.scratch = array<i64: 320, 448, 512>
// CHECK-NEXT: gantk.krylov_expm_grad {{.*}}{gantk.offsets = array<i64: 320, 448>, gantk.scratch = array<i64: 576, 768, 832>
// CHECK-NEXT: gantk.gemm {{.*}}{alpha = {{.*}}, gantk.offsets = array<i64: 576>, trans_a = false, trans_b = true}
// CHECK-NOT: gantk.eigh
func.func @krylov(%k: tensor<4x4xf64>, %y: tensor<4x1xf64>, %du: tensor<4x1xf64>) -> (tensor<4x1xf64>, tensor<4x4xf64>) {
  %u = gantk.krylov_expm %k, %y {lambda = 0.5 : f64, tol = 1.0e-8 : f64, max_iter = 3 : i64} : tensor<4x4xf64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %a, %b = gantk.krylov_expm_grad %k, %y, %du {lambda = 0.5 : f64, tol = 1.0e-8 : f64, max_iter = 2 : i64} : tensor<4x4xf64>, tensor<4x1xf64>, tensor<4x1xf64> -> tensor<4x4xf64>, tensor<4x4xf64>
  %dk = gantk.gemm %a, %b {alpha = 1.0 : f64, trans_a = false, trans_b = true} : tensor<4x4xf64>, tensor<4x4xf64> -> tensor<4x4xf64>
  return %u, %dk : tensor<4x1xf64>, tensor<4x4xf64>
}

// -----

// An in_place kernel writes through its operand, so the operand must die at
// the dispatch; here it is still returned afterwards.
func.func private @k(memref<4x4xf64>, memref<4x4xf64>, index, index) attributes {gantk.kernel}
func.func @in_place_needs_the_buffer(%x: tensor<2x4xf64>, %z: tensor<2x4xf64>) -> (tensor<4x4xf64>, tensor<4x4xf64>) {
  %s = gantk.stack %x, %z : tensor<2x4xf64>, tensor<2x4xf64> -> tensor<4x4xf64>
  %g = gantk.gemm %s, %s {alpha = 1.0 : f64, trans_a = false, trans_b = true} : tensor<4x4xf64>, tensor<4x4xf64> -> tensor<4x4xf64>
  // expected-error @+1 {{'gantk.dispatch' op in-place kernel needs operand 0's buffer, which is still read later}}
  %r = gantk.dispatch @k(%g) {range = 4 : i64, parallel = true, tied = array<i64: 0>, in_place} : (tensor<4x4xf64>) -> tensor<4x4xf64>
  return %g, %r : tensor<4x4xf64>, tensor<4x4xf64>
}

// -----

// Placement is offline: every buffer's lifetime is known, and the plan is
// the better of two greedy orders. In program order a (64 B) goes to 0, b
// (live with a at op 2) to 64 and c (256 B, live with b at op 3) to 128:
// 384 bytes. Largest first puts c at 0, a there too (their lifetimes do not
// meet) and b at 256: 320 bytes, which the plan takes.
// CHECK: module attributes {gantk.arena_bytes = 320 : i64, gantk.entry = "holes", gantk.peak_op = "gantk.dispatch @grow"}
// CHECK-LABEL: func.func @holes
// CHECK-NEXT: gantk.dispatch @first{{.*}}gantk.offsets = array<i64: 0>
// CHECK-NEXT: gantk.dispatch @second{{.*}}gantk.offsets = array<i64: 256>
// CHECK-NEXT: gantk.dispatch @grow{{.*}}gantk.offsets = array<i64: 0>
func.func private @first(memref<8xf64>, index, index) attributes {gantk.kernel}
func.func private @second(memref<8xf64>, memref<8xf64>, index, index) attributes {gantk.kernel}
func.func private @grow(memref<8xf64>, memref<32xf64>, index, index) attributes {gantk.kernel}
func.func @holes() -> tensor<32xf64> {
  %a = gantk.dispatch @first() {range = 8 : i64, parallel = true, tied = array<i64: -1>} : () -> tensor<8xf64>
  %b = gantk.dispatch @second(%a) {range = 8 : i64, parallel = true, tied = array<i64: -1>} : (tensor<8xf64>) -> tensor<8xf64>
  %c = gantk.dispatch @grow(%b) {range = 8 : i64, parallel = true, tied = array<i64: -1>} : (tensor<8xf64>) -> tensor<32xf64>
  return %c : tensor<32xf64>
}

// -----

// Matrix-free: the operator's buffer is one row tile of K (3 rows × 4 × 8 =
// 96 -> 128 B, at 128 after S at 0 and v at 64); the Krylov call's output
// and workspaces follow (basis N·w·(max_iter + 1) = 8 elements, block 4,
// stats 2: 64 B each) and make the peak, 512 B. The row_tiles op is one
// point of program order: its result dZ (32 -> 64 B) takes the dead labels'
// 64, its body's 2 × 4 rows get one 1-row tile (32 -> 64 B) in the dead
// operator tile's 128, the in-place kernel writes that tile, and the last
// gemm, which the region yields, writes dZ.
// CHECK-LABEL: module attributes {gantk.arena_bytes = 512 : i64, gantk.entry = "step", gantk.peak_op = "gantk.krylov_expm"}
// CHECK: gantk.kernel_operator {{.*}}gantk.offsets = array<i64: 128>
// CHECK: gantk.krylov_expm {{.*}}gantk.offsets = array<i64: 256>, gantk.scratch = array<i64: 320, 384, 448>
// CHECK: gantk.row_tiles {gantk.offsets = array<i64: 64>
// CHECK-NEXT: gantk.gemm {{.*}}gantk.offsets = array<i64: 128>
// CHECK-NEXT: gantk.dispatch @rows_kernel{{.*}}gantk.offsets = array<i64: 128>
// CHECK-NEXT: gantk.gemm {{.*}}gantk.offsets = array<i64: 64>
func.func private @gram_diag_kernel(memref<4x2xf64>, memref<4xf64>, index, index) attributes {gantk.kernel}
func.func private @recursion_kernel(memref<4x4xf64>, memref<4xf64>, index, index) attributes {gantk.kernel}
func.func private @labels_kernel(memref<4x1xf64>, index, index) attributes {gantk.kernel}
func.func private @rows_kernel(memref<2x4xf64>, memref<2x4xf64>, index, index) attributes {gantk.kernel}
func.func @step(%x: tensor<2x2xf64>, %z: tensor<2x2xf64>) -> (tensor<4x1xf64>, tensor<2x2xf64>) {
  %s = gantk.stack %x, %z : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<4x2xf64>
  %v = gantk.dispatch @gram_diag_kernel(%s) {range = 4 : i64, parallel = true, tied = array<i64: -1>} : (tensor<4x2xf64>) -> tensor<4xf64>
  %k = gantk.kernel_operator %s, %v {gram_alpha = 0.5 : f64, trace_scale = 0.0 : f64, tile_rows = 3 : i64, recursion = @recursion_kernel} : tensor<4x2xf64>, tensor<4xf64> -> <4, f64> {
  }
  %y = gantk.dispatch @labels_kernel() {range = 4 : i64, parallel = true, tied = array<i64: -1>} : () -> tensor<4x1xf64>
  %u = gantk.krylov_expm %k, %y {lambda = 0.7 : f64, max_iter = 1 : i64, tol = 1.0e-06 : f64} : !gantk.operator<4, f64>, tensor<4x1xf64> -> tensor<4x1xf64>
  %rows = tensor.extract_slice %s[2, 0] [2, 2] [1, 1] : tensor<4x2xf64> to tensor<2x2xf64>
  %dz = gantk.row_tiles {rows = 2 : i64, tile_rows = 1 : i64} : tensor<2x2xf64> {
    %g = gantk.gemm %rows, %s {alpha = 0.5 : f64, trans_a = false, trans_b = true} : tensor<2x2xf64>, tensor<4x2xf64> -> tensor<2x4xf64>
    %h = gantk.dispatch @rows_kernel(%g) {range = 2 : i64, parallel = true, tied = array<i64: 0>, in_place} : (tensor<2x4xf64>) -> tensor<2x4xf64>
    %w = gantk.gemm %h, %s {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<2x4xf64>, tensor<4x2xf64> -> tensor<2x2xf64>
    gantk.yield %w : tensor<2x2xf64>
  }
  return %u, %dz : tensor<4x1xf64>, tensor<2x2xf64>
}

// -----

// A result of a gantk.invariant op (gantk-hoist-invariants: X only, run
// once) lives through the whole step, like the arguments: %c may not take
// the bytes of %a after %a's last use, as it would without the mark
// (%c at 64 in @plain, at 192 in @hoisted).
// CHECK-LABEL: func.func @hoisted
// CHECK: gantk.gemm {{.*}}gantk.invariant, gantk.offsets = array<i64: 64>
// CHECK-NEXT: gantk.gemm {{.*}}gantk.offsets = array<i64: 128>
// CHECK-NEXT: gantk.gemm {{.*}}gantk.offsets = array<i64: 192>
func.func @hoisted(%x: tensor<2x2xf64>, %z: tensor<2x2xf64>) -> tensor<2x2xf64> {
  %s = gantk.stack %x, %z : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<4x2xf64>
  %a = gantk.gemm %x, %x {alpha = 1.0 : f64, trans_a = false, trans_b = true, gantk.invariant} : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<2x2xf64>
  %b = gantk.gemm %a, %z {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<2x2xf64>
  %c = gantk.gemm %b, %b {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<2x2xf64>
  return %c : tensor<2x2xf64>
}

// -----

// CHECK-LABEL: func.func @plain
// CHECK: gantk.gemm {{.*}}gantk.offsets = array<i64: 64>
// CHECK-NEXT: gantk.gemm {{.*}}gantk.offsets = array<i64: 128>
// CHECK-NEXT: gantk.gemm {{.*}}gantk.offsets = array<i64: 64>
func.func @plain(%x: tensor<2x2xf64>, %z: tensor<2x2xf64>) -> tensor<2x2xf64> {
  %s = gantk.stack %x, %z : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<4x2xf64>
  %a = gantk.gemm %x, %x {alpha = 1.0 : f64, trans_a = false, trans_b = true} : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<2x2xf64>
  %b = gantk.gemm %a, %z {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<2x2xf64>
  %c = gantk.gemm %b, %b {alpha = 1.0 : f64, trans_a = false, trans_b = false} : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<2x2xf64>
  return %c : tensor<2x2xf64>
}

// -----

// gantk.operand_inside = [1, 64]: the dispatch's operand 1 (%r, 2 × 4 f64,
// 64 B) is made inside its result (%g, 4 × 4, 128 B) at byte 64, so the
// result's buffer begins at the GEMM that makes %r (both at 128: the stack
// holds 0..64, %c 64..128), and %r has no buffer of its own.
// CHECK-LABEL: func.func @inside
// CHECK: gantk.gemm {{.*}}gantk.offsets = array<i64: 64>
// CHECK-NEXT: gantk.gemm {{.*}}gantk.offsets = array<i64: 192>
// CHECK-NEXT: gantk.dispatch @blocks({{.*}}gantk.offsets = array<i64: 128>
func.func private @blocks(memref<2x2xf64>, memref<2x4xf64>, memref<4x4xf64>, index, index) attributes {gantk.kernel}
func.func @inside(%x: tensor<2x2xf64>, %z: tensor<2x2xf64>) -> tensor<4x4xf64> {
  %s = gantk.stack %x, %z : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<4x2xf64>
  %c = gantk.gemm %x, %x {alpha = 1.0 : f64, trans_a = false, trans_b = true} : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<2x2xf64>
  %r = gantk.gemm %z, %s {alpha = 1.0 : f64, trans_a = false, trans_b = true} : tensor<2x2xf64>, tensor<4x2xf64> -> tensor<2x4xf64>
  %g = gantk.dispatch @blocks(%c, %r) {parallel = true, range = 2 : i64, tied = array<i64: -1>, gantk.operand_inside = array<i64: 1, 64>} : (tensor<2x2xf64>, tensor<2x4xf64>) -> tensor<4x4xf64>
  return %g : tensor<4x4xf64>
}

// -----

func.func private @blocks2(memref<2x2xf64>, memref<2x4xf64>, memref<4x4xf64>, index, index) attributes {gantk.kernel}
func.func @inside_too_far(%x: tensor<2x2xf64>, %z: tensor<2x2xf64>) -> tensor<4x4xf64> {
  %s = gantk.stack %x, %z : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<4x2xf64>
  %c = gantk.gemm %x, %x {alpha = 1.0 : f64, trans_a = false, trans_b = true} : tensor<2x2xf64>, tensor<2x2xf64> -> tensor<2x2xf64>
  %r = gantk.gemm %z, %s {alpha = 1.0 : f64, trans_a = false, trans_b = true} : tensor<2x2xf64>, tensor<4x2xf64> -> tensor<2x4xf64>
  // expected-error @+1 {{gantk.operand_inside needs an operand made by an op of the step that fits in the result}}
  %g = gantk.dispatch @blocks2(%c, %r) {parallel = true, range = 2 : i64, tied = array<i64: -1>, gantk.operand_inside = array<i64: 1, 96>} : (tensor<2x2xf64>, tensor<2x4xf64>) -> tensor<4x4xf64>
  return %g : tensor<4x4xf64>
}
