// A graph-level module compiles to an artifact by itself: shapes and
// precision come from the function, the data, the optimiser loop and the
// outputs from the module's attributes; no spec is read. This is the module
// that toy16.gantk.in builds (`gantk compile toy16.gantk.in --emit=mlir`).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %gantk compile %s -o %t/module.bin | FileCheck %s --check-prefix=PLAN
// PLAN: memory plan (dense): peak {{[0-9]+}} bytes ({{.*}} MiB) at gantk.eigh; N = 16, d = 2
// PLAN-NEXT: recursion: 3 layers, {{[0-9]+}} flops and 0 values of scratch per pair
// PLAN: wrote {{.*}}module.bin
// RUN: %gantk describe %t/module.bin | FileCheck %s --check-prefix=DESCRIBE
// DESCRIBE: artifact {{.*}}module.bin: {{.*}}mlir-to-artifact.mlir, step, f64, n_real 8, n_fake 8, dim 2
// DESCRIBE: syevd n 16
//
// The runtime alone runs it, and the spec gives the same loss at every step
// and the same samples, bit for bit.
// RUN: %gantk-run %t/module.bin --out %t/module | FileCheck %s --check-prefix=LOSS
// RUN: cp %S/toy16.gantk.in %t/toy16.gantk
// RUN: %gantk run %t/toy16.gantk --out %t/spec | FileCheck %s --check-prefix=LOSS
// The module's settings are used: a line every step, a scatter plot.
// LOSS: step 1/3  loss 2.470341e+00
// LOSS-NEXT: step 2/3  loss 2.450670e+00
// LOSS-NEXT: step 3/3  loss 2.432182e+00
// LOSS-NEXT: wrote {{.*}}samples.npy and {{.*}}samples.png
// RUN: cmp %t/module/samples.npy %t/spec/samples.npy
//
// The memory budget applies to a module as to a spec.
// RUN: %gantk compile %s -o %t/small.bin --memory-budget 9700 | FileCheck %s --check-prefix=BUDGET
// BUDGET: memory plan (krylov, matrix-free, tiles of {{[0-9]+}} rows)
//
// And the module runs from `gantk run` directly.
// RUN: %gantk run %s --out %t/direct --steps 1 | FileCheck %s --check-prefix=DIRECT
// DIRECT: memory plan (dense)
// DIRECT: step 1/1 loss
module attributes {
  gantk.data = #gantk.data<source = gaussian_grid, size = 2, std = 2.000000e-02>,
  gantk.output = #gantk.output<plot = scatter, every = 1>,
  gantk.train = #gantk.train<optimizer = adam, lr = 1.000000e-02, clip = true, steps = 3, seed = 5>
} {
  func.func @step(%x: tensor<8x2xf64>, %z: tensor<8x2xf64>) -> tensor<f64> attributes {gantk.differentiate} {
    %s = gantk.stack %x, %z : tensor<8x2xf64>, tensor<8x2xf64> -> tensor<16x2xf64>
    %k0 = gantk.input %s : tensor<16x2xf64> -> !gantk.kernel<16, f64>
    %k1 = gantk.dense %k0 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<16, f64>
    %k2 = gantk.abrelu %k1 {a = 0.0 : f64, b = 1.0 : f64} : !gantk.kernel<16, f64>
    %k3 = gantk.dense %k2 {w_std = 1.2 : f64, b_std = 0.3 : f64} : !gantk.kernel<16, f64>
    %K = gantk.ntk %k3 : !gantk.kernel<16, f64> -> tensor<16x16xf64>
    %y = gantk.labels {num_real = 8 : i64} : tensor<16x1xf64>
    // λ = 100 normalized = 100 / N.
    %u = gantk.expm_action %K, %y {eig_reg = 0.0 : f64, lambda = 6.25 : f64} : tensor<16x16xf64>, tensor<16x1xf64> -> tensor<16x1xf64>
    %l = gantk.loss %u, %y {kind = #gantk.loss<squared>} : tensor<16x1xf64>, tensor<16x1xf64> -> tensor<f64>
    return %l : tensor<f64>
  }
}
