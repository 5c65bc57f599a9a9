// RUN: gantk-opt %s -gantk-kernels-to-llvm | FileCheck %s \
// RUN:   --implicit-check-not='{{ (func|memref|scf|cf|arith|math|builtin)\.}}' \
// RUN:   --implicit-check-not=unrealized_conversion_cast \
// RUN:   --implicit-check-not=@atan2

// Pipeline smoke test on outlined kernels (as CPUCodeGen hands them over:
// only the gantk.kernel functions). Everything ends in the LLVM dialect:
// atan2 is a polynomial in both precisions, f64 erf a libm call, memrefs are bare
// pointers, and every kernel gets its internal body plus an exported
// <name>_entry(ptr, i64, i64). The implicit check-nots reject any op of the
// input dialects anywhere in the output.
// CHECK-DAG: llvm.func @erf(f64) -> f64
// CHECK-DAG: llvm.func internal @pairwise_kernel(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64) attributes {gantk.kernel
// CHECK-DAG: llvm.func @pairwise_kernel_entry(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// CHECK-DAG: llvm.func internal @pairwise_f64_kernel(
// CHECK-DAG: llvm.call @erf(
// CHECK-DAG: llvm.func @pairwise_f64_kernel_entry(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)

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

func.func private @pairwise_f64_kernel(%g: memref<4x4xf64>, %v: memref<4xf64>, %out: memref<4x4xf64>, %begin: index, %end: index) attributes {gantk.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %begin to %end step %c1 {
    %vi = memref.load %v[%i] : memref<4xf64>
    scf.for %j = %c0 to %c4 step %c1 {
      %gij = memref.load %g[%i, %j] : memref<4x4xf64>
      %vj = memref.load %v[%j] : memref<4xf64>
      %p = arith.mulf %vi, %vj : f64
      %s = math.sqrt %p : f64
      %t = math.atan2 %s, %gij : f64
      %e = math.erf %t : f64
      memref.store %e, %out[%i, %j] : memref<4x4xf64>
    }
  }
  return
}
