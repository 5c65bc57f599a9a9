// RUN: gantk-opt %s -split-input-file | gantk-opt -split-input-file | FileCheck %s
// RUN: gantk-opt %s -split-input-file --mlir-print-op-generic | gantk-opt -split-input-file | FileCheck %s

// The run configuration on the module round-trips, with every enum spelled
// as in the spec language and defaults left out.
// CHECK: module attributes {
// CHECK-SAME: gantk.data = #gantk.data<source = idx, path = "train-images-idx3-ubyte", label = 3, scale = none, image = [28, 28, 1]>
// CHECK-SAME: gantk.output = #gantk.output<dir = "out/mnist", plot = grid, every = 25>
// CHECK-SAME: gantk.train = #gantk.train<optimizer = adam, lr = 3.000000e-03, clip = true, steps = 500, seed = 7, init = normal, memory_budget = 8.000000e+09, loc = #loc>
module attributes {
  gantk.data = #gantk.data<source = idx, path = "train-images-idx3-ubyte", label = 3, scale = none, image = [28, 28, 1]>,
  gantk.train = #gantk.train<optimizer = adam, lr = 0.003, clip = true, clip_lo = 0.0, clip_hi = 1.0, steps = 500, seed = 7, init = normal, memory_budget = 8.0e9, loc = loc("mnist.gantk":12:1)>,
  gantk.output = #gantk.output<dir = "out/mnist", plot = grid, every = 25>
} {}

// -----

// A folder of PNG images (images("dir")) with RGB images of 32x32.
// CHECK: gantk.data = #gantk.data<source = images, path = "faces", image = [32, 32, 3]>
module attributes {
  gantk.data = #gantk.data<source = images, path = "faces", image = [32, 32, 3]>
} {}

// -----

// The synthetic sources keep their parameters; the other enums' cases, which
// are the defaults (gd, uniform, unit), are left out.
// CHECK: gantk.data = #gantk.data<source = gaussian_ring, size = 8, spacing = 2.000000e+00, std = 2.000000e-02>
// CHECK-SAME: gantk.output = #gantk.output<plot = scatter>
// CHECK-SAME: gantk.train = #gantk.train<clip_hi = 5.000000e-01, beta1 = 5.000000e-01>} {
module attributes {
  gantk.data = #gantk.data<source = gaussian_ring, size = 8, spacing = 2.0, std = 0.02, scale = unit>,
  gantk.train = #gantk.train<optimizer = gd, clip_hi = 0.5, beta1 = 0.5, init = uniform>,
  gantk.output = #gantk.output<plot = scatter, dir = "out", every = 10>
} {}
