// RUN: gantk-opt %s -split-input-file -verify-diagnostics -gantk-autodiff | FileCheck %s

// One fused GA-NTK step. gantk-autodiff clones it into @step_grad, which
// returns (loss, dL/dZ), and erases the primal @step. The adjoints run in
// reverse: loss_grad, expm_action_grad (Daleckii-Krein), pairwise_grad,
// add_diag (the adjoint of diag) and gram_grad for the generated rows
// [3, 6) of the stack. The pairwise_grad body first recomputes the forward
// body (mulf, sqrt, addf), then applies the scalar adjoint rules in reverse:
// d(q12 + s) passes c to q12 and to s; d√p is 0.5 c / √p where p > 1e-30
// and 0 elsewhere; d(q11 q22) gives dq11 = dp q22 and dq22 = dp q11.
// CHECK-NOT: func.func @step(
// CHECK-LABEL: func.func @step_grad
// CHECK-SAME: (%[[X:.*]]: tensor<3x2xf64>, %[[Z:.*]]: tensor<3x2xf64>) -> (tensor<f64>, tensor<3x2xf64>) {
// CHECK: %[[S:.*]] = gantk.stack %[[X]], %[[Z]]
// CHECK: %[[G:.*]] = gantk.gram %[[S]]
// CHECK: %[[V:.*]] = gantk.diag %[[G]]
// CHECK: %[[K:.*]] = gantk.pairwise %[[G]], %[[V]]
// CHECK: %[[Y:.*]] = gantk.labels
// CHECK: %[[U:.*]] = gantk.expm_action %[[K]], %[[Y]]
// CHECK: %[[L:.*]] = gantk.loss %[[U]], %[[Y]]
// CHECK-NEXT: %[[DU:.*]] = gantk.loss_grad %[[U]], %[[Y]] {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
// CHECK-NEXT: %[[DK:.*]] = gantk.expm_action_grad %[[K]], %[[Y]], %[[DU]] {eig_reg = 0.000000e+00 : f64, lambda = 5.000000e-01 : f64} : tensor<6x6xf64>, tensor<6x1xf64>, tensor<6x1xf64> -> tensor<6x6xf64>
// CHECK-NEXT: %[[DG:.*]], %[[DV:.*]] = gantk.pairwise_grad %[[G]], %[[V]], %[[DK]] : tensor<6x6xf64>, tensor<6xf64>, tensor<6x6xf64> -> tensor<6x6xf64>, tensor<6xf64> {
// CHECK-NEXT: ^bb0(%[[Q12:.*]]: f64, %[[Q11:.*]]: f64, %[[Q22:.*]]: f64, %[[C:.*]]: f64):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[Q11]], %[[Q22]] : f64
// CHECK-NEXT: %[[SQ:.*]] = math.sqrt %[[P]] : f64
// CHECK-NEXT: %[[R:.*]] = arith.addf %[[Q12]], %[[SQ]] : f64
// CHECK-NEXT: %[[EPS:.*]] = arith.constant 1.000000e-30 : f64
// CHECK-NEXT: %[[LIVE:.*]] = arith.cmpf ogt, %[[P]], %[[EPS]] : f64
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT: %[[HALF:.*]] = arith.constant 5.000000e-01 : f64
// CHECK-NEXT: %[[HC:.*]] = arith.mulf %[[HALF]], %[[C]] : f64
// CHECK-NEXT: %[[Q:.*]] = arith.divf %[[HC]], %[[SQ]] : f64
// CHECK-NEXT: %[[DP:.*]] = arith.select %[[LIVE]], %[[Q]], %[[ZERO]] : f64
// CHECK-NEXT: %[[D11:.*]] = arith.mulf %[[DP]], %[[Q22]] : f64
// CHECK-NEXT: %[[D22:.*]] = arith.mulf %[[DP]], %[[Q11]] : f64
// CHECK-NEXT: gantk.yield %[[C]], %[[D11]], %[[D22]] : f64, f64, f64
// CHECK-NEXT: }
// CHECK-NEXT: %[[DGV:.*]] = gantk.add_diag %[[DG]], %[[DV]] : tensor<6x6xf64>, tensor<6xf64> -> tensor<6x6xf64>
// CHECK-NEXT: %[[DZ:.*]] = gantk.gram_grad %[[S]], %[[DGV]] {row_offset = 3 : i64} : tensor<6x2xf64>, tensor<6x6xf64> -> tensor<3x2xf64>
// CHECK-NEXT: return %[[L]], %[[DZ]] : tensor<f64>, tensor<3x2xf64>
// CHECK-NOT: func.func @step(
func.func @step(%x: tensor<3x2xf64>, %z: tensor<3x2xf64>) -> tensor<f64> attributes {gantk.differentiate} {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<6x2xf64>
  %g = gantk.gram %s : tensor<6x2xf64> -> tensor<6x6xf64>
  %v = gantk.diag %g : tensor<6x6xf64> -> tensor<6xf64>
  %k = gantk.pairwise %g, %v : tensor<6x6xf64>, tensor<6xf64> -> tensor<6x6xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    %p = arith.mulf %q11, %q22 : f64
    %sq = math.sqrt %p : f64
    %r = arith.addf %q12, %sq : f64
    gantk.yield %r : f64
  }
  %y = gantk.labels {num_real = 3 : i64} : tensor<6x1xf64>
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// Functions without gantk.differentiate are left alone.
// CHECK-LABEL: func.func @plain
// CHECK-NOT: _grad
func.func @plain(%u: tensor<4x1xf64>, %y: tensor<4x1xf64>) -> tensor<f64> {
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// The differentiated result must be a GA-NTK loss.
// expected-error @+1 {{'func.func' op differentiated result must come from gantk.loss}}
func.func @not_a_loss(%x: tensor<f64>, %z: tensor<3x2xf64>) -> tensor<f64> attributes {gantk.differentiate} {
  return %x : tensor<f64>
}

// -----

// One loss result and the variable as the last argument.
// expected-error @+1 {{'func.func' op gantk.differentiate needs one block, one loss result and the variable as the last argument}}
func.func @two_results(%u: tensor<4x1xf64>, %y: tensor<4x1xf64>) -> (tensor<f64>, tensor<f64>) attributes {gantk.differentiate} {
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<4x1xf64>, tensor<4x1xf64> -> tensor<f64>
  return %l, %l : tensor<f64>, tensor<f64>
}

// -----

// The gradient flows to the generated rows through gantk.stack; a Gram
// matrix of the real rows alone does not depend on the variable.
// expected-error @+1 {{'func.func' op the loss does not depend on the last argument}}
func.func @independent(%x: tensor<6x2xf64>, %z: tensor<3x2xf64>) -> tensor<f64> attributes {gantk.differentiate} {
  %g = gantk.gram %x : tensor<6x2xf64> -> tensor<6x6xf64>
  %y = gantk.labels {num_real = 3 : i64} : tensor<6x1xf64>
  %u = gantk.expm_action %g, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// The layer ops have no adjoint rules: run gantk-fuse-recursion first.
func.func @unfused(%x: tensor<3x2xf64>, %z: tensor<3x2xf64>) -> tensor<f64> attributes {gantk.differentiate} {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<6x2xf64>
  %k0 = gantk.input %s : tensor<6x2xf64> -> !gantk.kernel<6, f64>
  %k1 = gantk.dense %k0 {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<6, f64>
  // expected-error @+1 {{'gantk.ntk' op has no adjoint rule}}
  %K = gantk.ntk %k1 : !gantk.kernel<6, f64> -> tensor<6x6xf64>
  %y = gantk.labels {num_real = 3 : i64} : tensor<6x1xf64>
  %u = gantk.expm_action %K, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// The scalar reverse mode knows arith add/sub/neg/mul/div/max/min, sqrt,
// atan2, erf and exp; other ops in a per-pair body are rejected.
func.func @tanh(%x: tensor<3x2xf64>, %z: tensor<3x2xf64>) -> tensor<f64> attributes {gantk.differentiate} {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<6x2xf64>
  %g = gantk.gram %s : tensor<6x2xf64> -> tensor<6x6xf64>
  %v = gantk.diag %g : tensor<6x6xf64> -> tensor<6xf64>
  %k = gantk.pairwise %g, %v : tensor<6x6xf64>, tensor<6xf64> -> tensor<6x6xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    // expected-error @+1 {{'math.tanh' op has no scalar adjoint rule}}
    %t = math.tanh %q12 : f64
    gantk.yield %t : f64
  }
  %y = gantk.labels {num_real = 3 : i64} : tensor<6x1xf64>
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// add_diag needs the adjoint of the diagonal's own matrix: a pairwise op
// whose diagonal comes from another Gram matrix has none.
func.func @foreign_diag(%x: tensor<3x2xf64>, %z: tensor<3x2xf64>) -> tensor<f64> attributes {gantk.differentiate} {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<6x2xf64>
  %g = gantk.gram %s : tensor<6x2xf64> -> tensor<6x6xf64>
  %g2 = gantk.gram %s : tensor<6x2xf64> -> tensor<6x6xf64>
  // expected-error @+1 {{'gantk.diag' op diagonal used without its matrix}}
  %v = gantk.diag %g2 : tensor<6x6xf64> -> tensor<6xf64>
  %k = gantk.pairwise %g, %v : tensor<6x6xf64>, tensor<6xf64> -> tensor<6x6xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  %y = gantk.labels {num_real = 3 : i64} : tensor<6x1xf64>
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// A loop in the per-pair body (a repeated layer): the forward is recomputed
// with a tape, a per-pair buffer at the start of the adjoint body that
// holds each iteration's input state; the reverse loop walks the
// iterations backwards (i = 4 − t), reloads that state, recomputes the
// iteration (the mulf) and applies its adjoint: d(s·q11) gives ds = c·q11,
// carried to the previous iteration, and dq11 = c·s, summed over all of
// them (q11 comes from outside the loop).
// CHECK-LABEL: func.func @loop_grad
// CHECK: gantk.pairwise_grad
// CHECK-NEXT: ^bb0(%[[Q12:.*]]: f64, %[[Q11:.*]]: f64, %[[Q22:.*]]: f64, %[[C:.*]]: f64):
// CHECK-NEXT: %[[TAPE:.*]] = memref.alloca() : memref<5x1xf64>
// CHECK: %[[FWD:.*]] = scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[S:.*]] = %[[Q12]]) -> (f64) {
// CHECK-NEXT: %[[K0:.*]] = arith.constant 0 : index
// CHECK-NEXT: memref.store %[[S]], %[[TAPE]][%[[I]], %[[K0]]] : memref<5x1xf64>
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[S]], %[[Q11]] : f64
// CHECK-NEXT: scf.yield %[[M]] : f64
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK: %[[BACK:.*]]:2 = scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[DS:.*]] = %[[C]], %[[DQ:.*]] = %[[ZERO]]) -> (f64, f64) {
// CHECK-NEXT: %[[LAST:.*]] = arith.constant 4 : index
// CHECK-NEXT: %[[J:.*]] = arith.subi %[[LAST]], %[[T]] : index
// CHECK-NEXT: %[[K1:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[OLD:.*]] = memref.load %[[TAPE]][%[[J]], %[[K1]]] : memref<5x1xf64>
// CHECK-NEXT: arith.mulf %[[OLD]], %[[Q11]] : f64
// CHECK-NEXT: %[[DPREV:.*]] = arith.mulf %[[DS]], %[[Q11]] : f64
// CHECK-NEXT: %[[DQI:.*]] = arith.mulf %[[DS]], %[[OLD]] : f64
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[DQ]], %[[DQI]] : f64
// CHECK-NEXT: scf.yield %[[DPREV]], %[[SUM]] : f64, f64
// CHECK: gantk.yield %[[BACK]]#0, %[[BACK]]#1, %{{.*}} : f64, f64, f64
func.func @loop(%x: tensor<3x2xf64>, %z: tensor<3x2xf64>) -> tensor<f64> attributes {gantk.differentiate} {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<6x2xf64>
  %g = gantk.gram %s : tensor<6x2xf64> -> tensor<6x6xf64>
  %v = gantk.diag %g : tensor<6x6xf64> -> tensor<6xf64>
  %k = gantk.pairwise %g, %v : tensor<6x6xf64>, tensor<6xf64> -> tensor<6x6xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    %c0 = arith.constant 0 : index
    %c5 = arith.constant 5 : index
    %c1 = arith.constant 1 : index
    %r = scf.for %i = %c0 to %c5 step %c1 iter_args(%acc = %q12) -> (f64) {
      %m = arith.mulf %acc, %q11 : f64
      scf.yield %m : f64
    }
    gantk.yield %r : f64
  }
  %y = gantk.labels {num_real = 3 : i64} : tensor<6x1xf64>
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// A loop whose bounds are not constants (here a computed one) has no tape of
// known size.
func.func @dynamic(%x: tensor<3x2xf64>, %z: tensor<3x2xf64>, %n: index) -> tensor<f64> attributes {gantk.differentiate} {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<6x2xf64>
  %g = gantk.gram %s : tensor<6x2xf64> -> tensor<6x6xf64>
  %v = gantk.diag %g : tensor<6x6xf64> -> tensor<6xf64>
  %k = gantk.pairwise %g, %v : tensor<6x6xf64>, tensor<6xf64> -> tensor<6x6xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c9 = arith.constant 9 : index
    %cm = arith.muli %c9, %c9 : index
    // expected-error @+1 {{'scf.for' op a loop in a per-pair body needs the bounds [0, constant) and step 1 to be differentiated}}
    %r = scf.for %i = %c0 to %cm step %c1 iter_args(%acc = %q12) -> (f64) {
      %m = arith.mulf %acc, %q11 : f64
      scf.yield %m : f64
    }
    gantk.yield %r : f64
  }
  %y = gantk.labels {num_real = 3 : i64} : tensor<6x1xf64>
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// A loop over layers that differ (a long chain): the forward is taped as any
// loop; in the reverse loop, layer l's adjoint is case l of a switch on the
// same index, which recomputes that layer from the iteration's taped state
// and yields the adjoints of what it read (the state): d(s·q11) = q11·ds for
// case 0, d(s + q11) = ds for case 1.
// CHECK-LABEL: func.func @layers_grad
// CHECK: gantk.pairwise_grad
// CHECK: %[[TAPE:.*]] = memref.alloca() : memref<2x1xf64>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (f64) {
// CHECK: memref.store %{{.*}}, %[[TAPE]]
// CHECK: scf.index_switch
// CHECK: scf.for %[[T:.*]] = {{.*}} iter_args(%[[DS:.*]] = %{{.*}}, %{{.*}} = %{{.*}}) -> (f64, f64) {
// CHECK: %[[OLD:.*]] = memref.load %[[TAPE]]
// CHECK: %[[BACK:.*]]:2 = scf.index_switch %{{.*}} -> f64, f64
// CHECK-NEXT: case 0 {
// CHECK-NEXT: arith.mulf %[[OLD]], %[[Q11:.*]] : f64
// CHECK-NEXT: %[[D0:.*]] = arith.mulf %[[DS]], %[[Q11]] : f64
// CHECK-NEXT: %[[E0:.*]] = arith.mulf %[[DS]], %[[OLD]] : f64
// CHECK-NEXT: scf.yield %[[D0]], %[[E0]] : f64, f64
// CHECK: case 1 {
// CHECK-NEXT: arith.addf %[[OLD]], %[[Q11]] : f64
// CHECK-NEXT: scf.yield %[[DS]], %[[DS]] : f64, f64
func.func @layers(%x: tensor<3x2xf64>, %z: tensor<3x2xf64>) -> tensor<f64> attributes {gantk.differentiate} {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<6x2xf64>
  %g = gantk.gram %s : tensor<6x2xf64> -> tensor<6x6xf64>
  %v = gantk.diag %g : tensor<6x6xf64> -> tensor<6xf64>
  %k = gantk.pairwise %g, %v : tensor<6x6xf64>, tensor<6xf64> -> tensor<6x6xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    %c0 = arith.constant 0 : index
    %c2 = arith.constant 2 : index
    %c1 = arith.constant 1 : index
    %r = scf.for %l = %c0 to %c2 step %c1 iter_args(%acc = %q12) -> (f64) {
      %next = scf.index_switch %l -> f64
      case 0 {
        %m = arith.mulf %acc, %q11 : f64
        scf.yield %m : f64
      }
      case 1 {
        %a = arith.addf %acc, %q11 : f64
        scf.yield %a : f64
      }
      default {
        scf.yield %acc : f64
      }
      scf.yield %next : f64
    }
    gantk.yield %r : f64
  }
  %y = gantk.labels {num_real = 3 : i64} : tensor<6x1xf64>
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// A pairwise op given its corner (gantk-split-pairs, after differentiation)
// has no adjoint rule: its corner's pairs would lose theirs.
func.func @corner(%x: tensor<3x2xf64>, %z: tensor<3x2xf64>, %kc: tensor<3x3xf64>) -> tensor<f64> attributes {gantk.differentiate} {
  %s = gantk.stack %x, %z : tensor<3x2xf64>, tensor<3x2xf64> -> tensor<6x2xf64>
  %g = gantk.gram %s : tensor<6x2xf64> -> tensor<6x6xf64>
  %v = gantk.diag %g : tensor<6x6xf64> -> tensor<6xf64>
  // expected-error @+1 {{'gantk.pairwise' op with a corner cannot be differentiated (gantk-split-pairs runs after gantk-autodiff)}}
  %k = gantk.pairwise %g, %v corner %kc : tensor<6x6xf64>, tensor<6xf64>, tensor<3x3xf64> -> tensor<6x6xf64> {
  ^bb0(%q12: f64, %q11: f64, %q22: f64):
    gantk.yield %q12 : f64
  }
  %y = gantk.labels {num_real = 3 : i64} : tensor<6x1xf64>
  %u = gantk.expm_action %k, %y {lambda = 0.5 : f64, eig_reg = 0.0 : f64} : tensor<6x6xf64>, tensor<6x1xf64> -> tensor<6x1xf64>
  %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<6x1xf64>, tensor<6x1xf64> -> tensor<f64>
  return %l : tensor<f64>
}
