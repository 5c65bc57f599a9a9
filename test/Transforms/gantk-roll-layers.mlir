// RUN: gantk-opt %s -split-input-file -gantk-roll-layers | FileCheck %s
// RUN: gantk-opt %s -split-input-file -gantk-roll-layers=min-layers=4 | FileCheck %s --check-prefix=FOUR

// Ten identical [dense, relu] groups (20 layers) become one repeated block;
// the final dense stays as it is.
// CHECK-LABEL: func.func @deep
// CHECK: %[[IN:.*]] = gantk.input
// CHECK-NEXT: %[[R:.*]] = gantk.repeat 10 (%[[IN]]) : <4, f64> {
// CHECK-NEXT: ^bb0(%[[A:.*]]: !gantk.kernel<4, f64>):
// CHECK-NEXT: %[[D:.*]] = gantk.dense %[[A]] {b_std = 3.000000e-01 : f64, w_std = 1.200000e+00 : f64}
// CHECK-NEXT: %[[X:.*]] = gantk.abrelu %[[D]]
// CHECK-NEXT: gantk.yield %[[X]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[LAST:.*]] = gantk.dense %[[R]]
// CHECK-NEXT: gantk.ntk %[[LAST]]
func.func @deep(%s: tensor<4x2xf64>) -> tensor<4x4xf64> {
  %k0 = gantk.input %s : tensor<4x2xf64> -> !gantk.kernel<4, f64>
  %d1 = gantk.dense %k0 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r1 = gantk.abrelu %d1 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d2 = gantk.dense %r1 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r2 = gantk.abrelu %d2 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d3 = gantk.dense %r2 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r3 = gantk.abrelu %d3 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d4 = gantk.dense %r3 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r4 = gantk.abrelu %d4 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d5 = gantk.dense %r4 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r5 = gantk.abrelu %d5 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d6 = gantk.dense %r5 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r6 = gantk.abrelu %d6 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d7 = gantk.dense %r6 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r7 = gantk.abrelu %d7 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d8 = gantk.dense %r7 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r8 = gantk.abrelu %d8 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d9 = gantk.dense %r8 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r9 = gantk.abrelu %d9 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d10 = gantk.dense %r9 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r10 = gantk.abrelu %d10 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d11 = gantk.dense %r10 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %K = gantk.ntk %d11 : !gantk.kernel<4, f64> -> tensor<4x4xf64>
  return %K : tensor<4x4xf64>
}

// -----

// Six layers are below the default threshold (a shallow network keeps its
// straight-line code); with min-layers=4 the three groups roll.
// CHECK-LABEL: func.func @shallow
// CHECK-NOT: gantk.repeat
// FOUR-LABEL: func.func @shallow
// FOUR: %[[R:.*]] = gantk.repeat 3
// FOUR: gantk.yield
// FOUR-NEXT: }
// FOUR-NEXT: gantk.dense %[[R]] {b_std = 0.000000e+00 : f64, w_std = 1.000000e+00 : f64}
func.func @shallow(%s: tensor<4x2xf64>) -> tensor<4x4xf64> {
  %k0 = gantk.input %s : tensor<4x2xf64> -> !gantk.kernel<4, f64>
  %d1 = gantk.dense %k0 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r1 = gantk.abrelu %d1 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d2 = gantk.dense %r1 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r2 = gantk.abrelu %d2 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d3 = gantk.dense %r2 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r3 = gantk.abrelu %d3 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d4 = gantk.dense %r3 {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64>
  %K = gantk.ntk %d4 : !gantk.kernel<4, f64> -> tensor<4x4xf64>
  return %K : tensor<4x4xf64>
}

// -----

// Layers that differ in an attribute are different rules: nothing rolls.
// FOUR-LABEL: func.func @different
// FOUR-NOT: gantk.repeat
func.func @different(%s: tensor<4x2xf64>) -> tensor<4x4xf64> {
  %k0 = gantk.input %s : tensor<4x2xf64> -> !gantk.kernel<4, f64>
  %d1 = gantk.dense %k0 {w_std = 1.1 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r1 = gantk.abrelu %d1 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d2 = gantk.dense %r1 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r2 = gantk.abrelu %d2 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d3 = gantk.dense %r2 {w_std = 1.3 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r3 = gantk.abrelu %d3 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d4 = gantk.dense %r3 {w_std = 1.4 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %K = gantk.ntk %d4 : !gantk.kernel<4, f64> -> tensor<4x4xf64>
  return %K : tensor<4x4xf64>
}

// -----

// A layer read by more than the next layer (here NTK and NNGP after a
// middle layer) ends a chain: only runs inside one chain roll.
// FOUR-LABEL: func.func @branch
// FOUR: %[[R:.*]] = gantk.repeat 2
// FOUR: gantk.nngp %[[R]]
// FOUR: gantk.repeat 2 (%[[R]])
func.func @branch(%s: tensor<4x2xf64>) -> (tensor<4x4xf64>, tensor<4x4xf64>) {
  %k0 = gantk.input %s : tensor<4x2xf64> -> !gantk.kernel<4, f64>
  %d1 = gantk.dense %k0 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r1 = gantk.abrelu %d1 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d2 = gantk.dense %r1 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r2 = gantk.abrelu %d2 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %P = gantk.nngp %r2 : !gantk.kernel<4, f64> -> tensor<4x4xf64>
  %d3 = gantk.dense %r2 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r3 = gantk.abrelu %d3 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d4 = gantk.dense %r3 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<4, f64>
  %r4 = gantk.abrelu %d4 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<4, f64>
  %d5 = gantk.dense %r4 {w_std = 1.0 : f64, b_std = 0.0 : f64} : !gantk.kernel<4, f64>
  %K = gantk.ntk %d5 : !gantk.kernel<4, f64> -> tensor<4x4xf64>
  return %K, %P : tensor<4x4xf64>, tensor<4x4xf64>
}
