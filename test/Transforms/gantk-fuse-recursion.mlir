// RUN: gantk-opt %s -split-input-file -verify-diagnostics -gantk-fuse-recursion | FileCheck %s
// RUN: gantk-opt %s -split-input-file -verify-diagnostics -gantk-fuse-recursion=loop-from-layers=2 | FileCheck %s --check-prefix=LAYERS

// With more layers than loop-from-layers, the chain is a loop over its
// layers: layer l's rule is case l of a switch on the loop index (the
// state, Θ = 0 at first, is carried from case to case).
// LAYERS-LABEL: func.func @relu
// LAYERS: gantk.pairwise
// LAYERS-NEXT: ^bb0(%[[Q12:.*]]: f64, %[[Q11:.*]]: f64, %[[Q22:.*]]: f64):
// LAYERS: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// LAYERS: %[[N:.*]] = arith.constant 3 : index
// LAYERS: %[[S:.*]]:4 = scf.for %[[L:.*]] = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[A:.*]] = %[[Q12]], %[[T:.*]] = %[[ZERO]], %[[VI:.*]] = %[[Q11]], %[[VJ:.*]] = %[[Q22]]) -> (f64, f64, f64, f64) {
// LAYERS-NEXT: %[[NEXT:.*]]:4 = scf.index_switch %[[L]] -> f64, f64, f64, f64
// LAYERS-NEXT: case 0 {
// LAYERS: arith.constant 2.250000e+00 : f64
// LAYERS: case 1 {
// LAYERS: math.atan2
// LAYERS: case 2 {
// LAYERS: default {
// LAYERS-NEXT: scf.yield %[[A]], %[[T]], %[[VI]], %[[VJ]] : f64, f64, f64, f64
// LAYERS: scf.yield %[[NEXT]]#0, %[[NEXT]]#1, %[[NEXT]]#2, %[[NEXT]]#3
// LAYERS: gantk.yield %[[S]]#1 : f64

// dense -> relu -> dense: the layer chain becomes one Gram matrix, its
// diagonal and one per-pair body. The body runs the dense rule
// (2.25 q + 0.25), the arc-cosine rule (sqrt of q11 q22 - q12^2, atan2 of it
// against q12: Σ1 = sqrt/(2π) + σ̇ q12 with σ̇ = 1/2 - θ/(2π), Θ1 = σ̇ Σ0)
// and the dense rule again, and yields Θ2 = Σ2 + σw² Θ1.
// CHECK-LABEL: func.func @relu
// CHECK-SAME: (%[[X:.*]]: tensor<3x2xf64>, %[[Z:.*]]: tensor<3x2xf64>)
// CHECK: %[[S:.*]] = gantk.stack %[[X]], %[[Z]]
// CHECK-NEXT: %[[G:.*]] = gantk.gram %[[S]] : tensor<6x2xf64> -> tensor<6x6xf64>
// CHECK-NEXT: %[[V:.*]] = gantk.diag %[[G]] : tensor<6x6xf64> -> tensor<6xf64>
// CHECK-NEXT: %[[K:.*]] = gantk.pairwise %[[G]], %[[V]] : tensor<6x6xf64>, tensor<6xf64> -> tensor<6x6xf64> {
// CHECK-NEXT: ^bb0(%[[Q12:.*]]: f64, %[[Q11:.*]]: f64, %[[Q22:.*]]: f64):
// CHECK-NEXT: %[[W2:.*]] = arith.constant 2.250000e+00 : f64
// CHECK-NEXT: %[[B2:.*]] = arith.constant 2.500000e-01 : f64
// CHECK-NEXT: %[[M12:.*]] = arith.mulf %[[W2]], %[[Q12]] : f64
// CHECK-NEXT: %[[S12:.*]] = arith.addf %[[M12]], %[[B2]] : f64
// CHECK-NEXT: %[[M11:.*]] = arith.mulf %[[W2]], %[[Q11]] : f64
// CHECK-NEXT: %[[S11:.*]] = arith.addf %[[M11]], %[[B2]] : f64
// CHECK-NEXT: %[[M22:.*]] = arith.mulf %[[W2]], %[[Q22]] : f64
// CHECK-NEXT: %[[S22:.*]] = arith.addf %[[M22]], %[[B2]] : f64
// CHECK: %[[SQ12:.*]] = arith.mulf %[[S12]], %[[S12]] : f64
// CHECK-NEXT: %[[PROD:.*]] = arith.mulf %[[S11]], %[[S22]] : f64
// CHECK-NEXT: %[[DET:.*]] = arith.subf %[[PROD]], %[[SQ12]] : f64
// CHECK-NEXT: %[[CLAMP:.*]] = arith.maximumf %[[DET]]
// CHECK-NEXT: %[[SQRT:.*]] = math.sqrt %[[CLAMP]] : f64
// CHECK-NEXT: %[[THETA:.*]] = math.atan2 %[[SQRT]], %[[S12]] : f64
// CHECK-NEXT: arith.constant 0.15915494309189535 : f64
// CHECK-NEXT: %[[FT:.*]] = arith.mulf %{{.*}}, %[[THETA]] : f64
// CHECK-NEXT: arith.constant 5.000000e-01 : f64
// CHECK-NEXT: %[[SDOT:.*]] = arith.subf %{{.*}}, %[[FT]] : f64
// CHECK-NEXT: %[[SDQ:.*]] = arith.mulf %[[SDOT]], %[[S12]] : f64
// CHECK-NEXT: arith.constant 0.15915494309189535 : f64
// CHECK-NEXT: %[[FSQ:.*]] = arith.mulf %{{.*}}, %[[SQRT]] : f64
// CHECK-NEXT: %[[SIG1:.*]] = arith.addf %[[FSQ]], %[[SDQ]] : f64
// CHECK: %[[THETA1:.*]] = arith.mulf %[[SDOT]], %[[S12]] : f64
// CHECK: %[[M:.*]] = arith.mulf %{{.*}}, %[[SIG1]] : f64
// CHECK-NEXT: %[[SIG2:.*]] = arith.addf %[[M]], %{{.*}} : f64
// CHECK: %[[WT:.*]] = arith.mulf %{{.*}}, %[[THETA1]] : f64
// CHECK-NEXT: %[[OUT:.*]] = arith.addf %[[SIG2]], %[[WT]] : f64
// CHECK-NEXT: gantk.yield %[[OUT]] : f64
// CHECK-NEXT: }
// CHECK: gantk.expm_action %[[K]]
// CHECK-NOT: gantk.input
// CHECK-NOT: gantk.dense
// CHECK-NOT: gantk.abrelu
// CHECK-NOT: gantk.ntk
func.func @relu(%x: tensor<3x2xf64>, %z: tensor<3x2xf64>) -> tensor<f64> {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<6x2xf64>
  %k0 = gantk.input %s : tensor<6x2xf64> -> !gantk.kernel<6, f64>
  %k1 = gantk.dense %k0 {w_std = 1.5 : f64, b_std = 0.5 : f64} : !gantk.kernel<6, f64>
  %k2 = gantk.abrelu %k1 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<6, f64>
  %k3 = gantk.dense %k2 {w_std = 1.5 : f64, b_std = 0.5 : f64} : !gantk.kernel<6, f64>
  %K = gantk.ntk %k3 : !gantk.kernel<6, f64> -> tensor<6x6xf64>
  %y = gantk.labels {num_real = 3 : i64} : tensor<6x1xf64>
  %u = gantk.expm_action %K, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// dense -> erf -> dense in f32: the erf rule is the arcsine kernel, written
// as atan2(2 q12, sqrt((1 + 2 q11)(1 + 2 q22) - 4 q12²)); its NTK factor
// divides by the same square root. No math.erf is left in the body.
// CHECK-LABEL: func.func @erf
// CHECK: %[[G:.*]] = gantk.gram %{{.*}} : tensor<4x3xf32> -> tensor<4x4xf32>
// CHECK: %[[V:.*]] = gantk.diag %[[G]]
// CHECK: gantk.pairwise %[[G]], %[[V]] : tensor<4x4xf32>, tensor<4xf32> -> tensor<4x4xf32> {
// CHECK: %[[D:.*]] = math.sqrt %{{.*}} : f32
// CHECK: math.atan2 %{{.*}}, %[[D]] : f32
// CHECK: arith.divf %{{.*}}, %[[D]] : f32
// CHECK-NOT: math.erf
// CHECK: gantk.yield %{{.*}} : f32
func.func @erf(%s: tensor<4x3xf32>) -> tensor<4x4xf32> {
  %k0 = gantk.input %s : tensor<4x3xf32> -> !gantk.kernel<4, f32>
  %k1 = gantk.dense %k0 {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f32>
  %k2 = gantk.erf %k1 {a = 1.0 : f64, b = 1.0 : f64, c = 0.0 : f64} : !gantk.kernel<4, f32>
  %k3 = gantk.dense %k2 {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f32>
  %K = gantk.ntk %k3 : !gantk.kernel<4, f32> -> tensor<4x4xf32>
  return %K : tensor<4x4xf32>
}

// -----

// Two readouts of one input share one Gram matrix and diagonal. The NNGP
// readout of a dense layer yields Σ' = σw² q12 + σb² (here 4 q12 + 0), the
// NNGP of the bare input yields q12 itself.
// CHECK-LABEL: func.func @nngp
// CHECK: %[[G:.*]] = gantk.gram
// CHECK-NEXT: %[[V:.*]] = gantk.diag %[[G]]
// CHECK-NOT: gantk.gram
// CHECK: gantk.pairwise %[[G]], %[[V]]
// CHECK-NEXT: ^bb0(%[[A12:.*]]: f64, %{{.*}}: f64, %{{.*}}: f64):
// CHECK-NEXT: %[[W2:.*]] = arith.constant 4.000000e+00 : f64
// CHECK-NEXT: %[[B2:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[W2]], %[[A12]] : f64
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[M]], %[[B2]] : f64
// CHECK: gantk.yield %[[S]] : f64
// CHECK: gantk.pairwise %[[G]], %[[V]]
// CHECK-NEXT: ^bb0(%[[B12:.*]]: f64, %{{.*}}: f64, %{{.*}}: f64):
// CHECK-NEXT: gantk.yield %[[B12]] : f64
// CHECK-NOT: gantk.gram
func.func @nngp(%s: tensor<4x3xf64>) -> (tensor<4x4xf64>, tensor<4x4xf64>) {
  %k0 = gantk.input %s : tensor<4x3xf64> -> !gantk.kernel<4, f64>
  %k1 = gantk.dense %k0 {w_std = 2.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64>
  %S1 = gantk.nngp %k1 : !gantk.kernel<4, f64> -> tensor<4x4xf64>
  %S0 = gantk.nngp %k0 : !gantk.kernel<4, f64> -> tensor<4x4xf64>
  return %S1, %S0 : tensor<4x4xf64>, tensor<4x4xf64>
}

// -----

// A kernel state that does not start at gantk.input cannot be fused.
func.func @no_input(%k: !gantk.kernel<4, f64>) -> tensor<4x4xf64> {
  %k1 = gantk.dense %k {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64>
  // expected-error @+1 {{'gantk.ntk' op kernel state does not come from gantk.input through layer ops}}
  %K = gantk.ntk %k1 : !gantk.kernel<4, f64> -> tensor<4x4xf64>
  return %K : tensor<4x4xf64>
}

// -----

// A repeated block is a loop in the per-pair body, whatever its count: the
// loop carries Σ, Θ (zero before the first dense layer) and the two
// variances, and runs the rules of the body's layers once per iteration.
// CHECK-LABEL: func.func @repeat
// CHECK: gantk.pairwise
// CHECK-NEXT: ^bb0(%[[Q12:.*]]: f64, %[[Q11:.*]]: f64, %[[Q22:.*]]: f64):
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C100:.*]] = arith.constant 100 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[LOOP:.*]]:4 = scf.for %{{.*}} = %[[C0]] to %[[C100]] step %[[C1]] iter_args(%[[S:.*]] = %[[Q12]], %[[T:.*]] = %[[ZERO]], %[[VI:.*]] = %[[Q11]], %[[VJ:.*]] = %[[Q22]]) -> (f64, f64, f64, f64) {
// CHECK: math.atan2
// CHECK: scf.yield
// CHECK-NOT: math.atan2
// CHECK: gantk.yield
func.func @repeat(%s: tensor<6x2xf64>) -> tensor<6x6xf64> {
  %k0 = gantk.input %s : tensor<6x2xf64> -> !gantk.kernel<6, f64>
  %k1 = gantk.repeat 100 (%k0) : !gantk.kernel<6, f64> {
  ^bb0(%a: !gantk.kernel<6, f64>):
    %d = gantk.dense %a {w_std = 1.5 : f64, b_std = 0.5 : f64} : !gantk.kernel<6, f64>
    %r = gantk.abrelu %d {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<6, f64>
    gantk.yield %r : !gantk.kernel<6, f64>
  }
  %k2 = gantk.dense %k1 {w_std = 1.5 : f64, b_std = 0.5 : f64} : !gantk.kernel<6, f64>
  %K = gantk.ntk %k2 : !gantk.kernel<6, f64> -> tensor<6x6xf64>
  return %K : tensor<6x6xf64>
}

// -----

// gelu and sin are rules like any other: gelu's angle atan2(q12, δ) with
// δ² = (q11 + 1)(q22 + 1) − q12², sin's two exponentials.
// CHECK-LABEL: func.func @gelu_sin
// CHECK: gantk.pairwise
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG: %[[P1:.*]] = arith.addf %[[Q11:.*]], %[[ONE]] : f64
// CHECK-DAG: %[[P2:.*]] = arith.addf %[[Q22:.*]], %[[ONE]] : f64
// CHECK: %[[PROD1:.*]] = arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK-NEXT: %[[SQ:.*]] = arith.mulf %[[Q:.*]], %[[Q]] : f64
// CHECK-NEXT: %[[D2:.*]] = arith.subf %[[PROD1]], %[[SQ]] : f64
// CHECK: %[[D:.*]] = math.sqrt
// CHECK-NEXT: math.atan2 %[[Q]], %[[D]] : f64
// CHECK: math.exp
// CHECK: math.exp
// CHECK: gantk.yield
func.func @gelu_sin(%s: tensor<6x2xf64>) -> tensor<6x6xf64> {
  %k0 = gantk.input %s : tensor<6x2xf64> -> !gantk.kernel<6, f64>
  %k1 = gantk.dense %k0 {w_std = 1.5 : f64, b_std = 0.5 : f64} : !gantk.kernel<6, f64>
  %k2 = gantk.gelu %k1 : !gantk.kernel<6, f64>
  %k3 = gantk.dense %k2 {w_std = 1.5 : f64, b_std = 0.5 : f64} : !gantk.kernel<6, f64>
  %k4 = gantk.sin %k3 {a = 1.0 : f64, b = 1.0 : f64, c = 0.0 : f64} : !gantk.kernel<6, f64>
  %k5 = gantk.dense %k4 {w_std = 1.5 : f64, b_std = 0.5 : f64} : !gantk.kernel<6, f64>
  %K = gantk.ntk %k5 : !gantk.kernel<6, f64> -> tensor<6x6xf64>
  return %K : tensor<6x6xf64>
}
