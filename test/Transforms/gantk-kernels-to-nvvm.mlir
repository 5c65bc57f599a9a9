// RUN: gantk-opt %s '-gantk-kernels-to-nvvm=chip=sm_80 features=+ptx70' | FileCheck %s

// Pipeline smoke test on outlined kernels (as CUDACodeGen hands them over:
// only the gantk.kernel functions). The kernels end as one gpu.binary that
// holds the PTX of the NVPTX chip asked for: one entry per kernel, named
// <name>_entry, with the buffers as .u64 pointers and then begin and end.
// f32 atan2 is a polynomial, not a libdevice call (sqrt is: without
// `libdevice=PATH` it stays an external __nv_sqrtf).
// CHECK-NOT: func.func
// CHECK: gpu.binary @gantk_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">, {{.*}}assembly = "
// CHECK-SAME: .version 7.0
// CHECK-SAME: .target sm_80
// CHECK-SAME: .entry pairwise_kernel_entry(
// CHECK-SAME: pairwise_kernel_entry_param_4
// CHECK-NOT: __nv_atan2f
func.func private @pairwise_kernel(%g: memref<4x4xf32>, %v: memref<4xf32>, %out: memref<4x4xf32>, %begin: index, %end: index) attributes {gantk.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %begin to %end step %c1 {
    %vi = memref.load %v[%i] : memref<4xf32>
    scf.for %j = %c0 to %c4 step %c1 {
      %gij = memref.load %g[%i, %j] : memref<4x4xf32>
      %vj = memref.load %v[%j] : memref<4xf32>
      %p = arith.mulf %vi, %vj : f32
      %s = math.sqrt %p : f32
      %t = math.atan2 %s, %gij : f32
      memref.store %t, %out[%i, %j] : memref<4x4xf32>
    }
  }
  return
}
