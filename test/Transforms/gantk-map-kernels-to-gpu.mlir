// RUN: gantk-opt %s -split-input-file -verify-diagnostics -gantk-map-kernels-to-gpu | FileCheck %s

// A row kernel: its outer loop over [begin, end) becomes one iteration per
// thread, i = begin + (blockIdx.x * blockDim.x + threadIdx.x) * step,
// guarded by i < end; the loop body is inlined with i for the induction
// variable. The kernel moves into gpu.module @gantk_kernels as
// @<name>_entry with the same arguments.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK-NOT: func.func
// CHECK: gpu.module @gantk_kernels
// CHECK: gpu.func @diag_kernel_entry(%[[A:.*]]: memref<4x4xf64>, %[[OUT:.*]]: memref<4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) kernel
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[BID:.*]] = gpu.block_id x
// CHECK-NEXT: %[[BDIM:.*]] = gpu.block_dim x
// CHECK-NEXT: %[[TID:.*]] = gpu.thread_id x
// CHECK-NEXT: %[[BASE:.*]] = arith.muli %[[BID]], %[[BDIM]] : index
// CHECK-NEXT: %[[GID:.*]] = arith.addi %[[BASE]], %[[TID]] : index
// CHECK-NEXT: %[[OFF:.*]] = arith.muli %[[GID]], %[[C1]] : index
// CHECK-NEXT: %[[I:.*]] = arith.addi %[[BEGIN]], %[[OFF]] : index
// CHECK-NEXT: %[[IN:.*]] = arith.cmpi slt, %[[I]], %[[END]] : index
// CHECK-NEXT: scf.if %[[IN]] {
// CHECK-NEXT: %[[X:.*]] = memref.load %[[A]][%[[I]], %[[I]]]
// CHECK-NEXT: memref.store %[[X]], %[[OUT]][%[[I]]]
// CHECK-NEXT: }
// CHECK-NEXT: gpu.return
func.func private @diag_kernel(%a: memref<4x4xf64>, %out: memref<4xf64>, %begin: index, %end: index) attributes {gantk.kernel} {
  %c1 = arith.constant 1 : index
  scf.for %i = %begin to %end step %c1 {
    %x = memref.load %a[%i, %i] : memref<4x4xf64>
    memref.store %x, %out[%i] : memref<4xf64>
  }
  return
}

// -----

// A strided outer loop (the mirror's 32-row tiles): each thread takes one
// tile, i = begin + global index * 32; the inner loops still read end.
// CHECK-LABEL: gpu.func @mirror_kernel_entry
// CHECK-SAME: %[[BEGIN:[^:]*]]: index, %[[END:[^:]*]]: index) kernel
// CHECK: %[[C32:.*]] = arith.constant 32 : index
// CHECK: %[[GID:.*]] = arith.addi
// CHECK-NEXT: %[[OFF:.*]] = arith.muli %[[GID]], %[[C32]] : index
// CHECK-NEXT: %[[I:.*]] = arith.addi %[[BEGIN]], %[[OFF]] : index
// CHECK-NEXT: %[[IN:.*]] = arith.cmpi slt, %[[I]], %[[END]] : index
// CHECK-NEXT: scf.if %[[IN]] {
// CHECK-NEXT: %[[TILE:.*]] = arith.addi %[[I]], %[[C32]] : index
// CHECK-NEXT: arith.minsi %[[TILE]], %[[END]] : index
func.func private @mirror_kernel(%m: memref<64x64xf64>, %alias: memref<64x64xf64>, %begin: index, %end: index) attributes {gantk.kernel} {
  %c32 = arith.constant 32 : index
  %c1 = arith.constant 1 : index
  scf.for %ib = %begin to %end step %c32 {
    %0 = arith.addi %ib, %c32 : index
    %1 = arith.minsi %0, %end : index
    scf.for %i = %ib to %1 step %c1 {
      %x = memref.load %m[%i, %i] : memref<64x64xf64>
      memref.store %x, %m[%i, %i] : memref<64x64xf64>
    }
  }
  return
}

// -----

// A serial kernel (a reduction over every row, range 1): the whole body runs
// in the thread whose global x index is 0.
// CHECK-LABEL: gpu.func @loss_kernel_entry
// CHECK-SAME: (%[[Y:.*]]: memref<4xf64>, %[[OUT:.*]]: memref<f64>, %{{.*}}: index, %{{.*}}: index) kernel
// CHECK-NEXT: %[[BID:.*]] = gpu.block_id x
// CHECK-NEXT: %[[BDIM:.*]] = gpu.block_dim x
// CHECK-NEXT: %[[TID:.*]] = gpu.thread_id x
// CHECK-NEXT: %[[BASE:.*]] = arith.muli %[[BID]], %[[BDIM]] : index
// CHECK-NEXT: %[[GID:.*]] = arith.addi %[[BASE]], %[[TID]] : index
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[FIRST:.*]] = arith.cmpi eq, %[[GID]], %[[C0]] : index
// CHECK-NEXT: scf.if %[[FIRST]] {
// CHECK: %[[SUM:.*]] = scf.for
// CHECK: memref.store %[[SUM]], %[[OUT]][]
// CHECK-NEXT: }
// CHECK-NEXT: gpu.return
func.func private @loss_kernel(%y: memref<4xf64>, %out: memref<f64>, %begin: index, %end: index) attributes {gantk.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f64
  %sum = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> (f64) {
    %x = memref.load %y[%i] : memref<4xf64>
    %s = arith.addf %acc, %x : f64
    scf.yield %s : f64
  }
  memref.store %sum, %out[] : memref<f64>
  return
}

// -----

// Per-pair scratch allocated before the rows (a repeated layer's tape) stays
// at the kernel's entry: on a GPU an alloca is each thread's own local
// memory, so the rows still go one per thread.
// CHECK-LABEL: gpu.func @tape_kernel_entry
// CHECK-SAME: (%{{.*}}: memref<4xf64>, %[[BEGIN:.*]]: index, %[[END:.*]]: index) kernel
// CHECK: %[[TAPE:.*]] = memref.alloca() : memref<3x1xf64>
// CHECK: gpu.thread_id x
// CHECK: scf.if
// CHECK: memref.store %{{.*}}, %[[TAPE]]
func.func private @tape_kernel(%out: memref<4xf64>, %begin: index, %end: index) attributes {gantk.kernel} {
  %tape = memref.alloca() : memref<3x1xf64>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %begin to %end step %c1 {
    %x = memref.load %out[%i] : memref<4xf64>
    memref.store %x, %tape[%c0, %c0] : memref<3x1xf64>
    %y = memref.load %tape[%c0, %c0] : memref<3x1xf64>
    memref.store %y, %out[%i] : memref<4xf64>
  }
  return
}

// -----

// Functions that are not kernels stay where they are; a module without
// kernels gets no gpu.module.
// CHECK-LABEL: func.func @host
// CHECK-NOT: gpu.module
func.func @host() {
  return
}

// -----

// The row range must end the argument list.
// expected-error @+1 {{'func.func' op kernel must be one block ending in the (index begin, index end) row range, with no results}}
func.func private @bad_kernel(%a: memref<4xf64>, %n: i64) attributes {gantk.kernel} {
  return
}
