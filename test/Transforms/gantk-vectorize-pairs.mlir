// RUN: gantk-opt %s -split-input-file -gantk-vectorize-pairs | FileCheck %s
// RUN: gantk-opt %s -split-input-file -gantk-vectorize-pairs='vector-bits=512 interleave=4' | FileCheck %s --check-prefix=BITS512
// RUN: gantk-opt %s -split-input-file -gantk-vectorize-pairs='light-live-values=9' | FileCheck %s --check-prefix=LIGHT9

// A pair loop whose body loops over layers: the pairs j of row i run 16 at
// a time (f32; 256-bit registers, two side by side, `interleave`) from i to
// the last whole vector, element j of
// each row as one vector load/store, v_i broadcast once per vector and a
// constant as a constant vector, the layer loop carrying vectors; the
// original loop then runs the pairs left over. The mark goes.
// CHECK-LABEL: func.func private @pairwise_kernel
// CHECK-SAME: (%[[G:.*]]: memref<12x12xf32>, %[[V:.*]]: memref<12xf32>, %[[OUT:.*]]: memref<12x12xf32>, %{{.*}}: index, %{{.*}}: index)
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[VI:.*]] = memref.load %[[V]][%[[I]]] : memref<12xf32>
// CHECK: %[[SPAN:.*]] = arith.subi %{{.*}}, %[[I]] : index
// CHECK: %[[WHOLE:.*]] = arith.divui %[[SPAN]], %[[C16:.*]] : index
// CHECK: %[[LEN:.*]] = arith.muli %[[WHOLE]], %{{.*}} : index
// CHECK: %[[END:.*]] = arith.addi %[[I]], %[[LEN]] : index
// CHECK: scf.for %[[J:.*]] = %[[I]] to %[[END]] step %{{.*}} {
// CHECK-NEXT: %[[VIV:.*]] = vector.broadcast %[[VI]] : f32 to vector<16xf32>
// CHECK-NEXT: %[[GV:.*]] = vector.load %[[G]][%[[I]], %[[J]]] : memref<12x12xf32>, vector<16xf32>
// CHECK-NEXT: %[[VJ:.*]] = vector.load %[[V]][%[[J]]] : memref<12xf32>, vector<16xf32>
// CHECK: %[[TWO:.*]] = arith.constant dense<2.000000e+00> : vector<16xf32>
// CHECK: %[[L:.*]] = scf.for {{.*}} iter_args(%[[S:.*]] = %[[GV]]) -> (vector<16xf32>) {
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[VIV]], %[[VJ]] : vector<16xf32>
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[P]], %[[S]] : vector<16xf32>
// CHECK-NEXT: arith.addf %[[M]], %[[TWO]] : vector<16xf32>
// CHECK: scf.yield %{{.*}} : vector<16xf32>
// CHECK: vector.store %{{.*}}, %[[OUT]][%[[I]], %[[J]]] : memref<12x12xf32>, vector<16xf32>
// CHECK: scf.for %{{.*}} = %[[END]] to %{{.*}} step %{{.*}} {
// CHECK: memref.load %[[G]]
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK-NOT: gantk.pairs
func.func private @pairwise_kernel(%g: memref<12x12xf32>, %v: memref<12xf32>, %out: memref<12x12xf32>, %begin: index, %end: index) attributes {gantk.kernel} {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c12 = arith.constant 12 : index
  scf.for %i = %begin to %end step %c1 {
    %vi = memref.load %v[%i] : memref<12xf32>
    scf.for %j = %i to %c12 step %c1 {
      %q12 = memref.load %g[%i, %j] : memref<12x12xf32>
      %vj = memref.load %v[%j] : memref<12xf32>
      %w = arith.constant 2.0 : f32
      %r = scf.for %l = %c0 to %c3 step %c1 iter_args(%s = %q12) -> (f32) {
        %p = arith.mulf %vi, %vj : f32
        %m = arith.mulf %p, %s : f32
        %a = arith.addf %m, %w : f32
        scf.yield %a : f32
      }
      memref.store %r, %out[%i, %j] : memref<12x12xf32>
    } {gantk.pairs}
  }
  return
}

// -----

// The backward's pair loop: the per-pair tape becomes one vector per
// element (its own alloca; the scalar one stays for the leftover pairs),
// and the row's sum is a vector sum, reduced once and carried on by the
// leftover loop.
// CHECK-LABEL: func.func private @pairwise_grad_kernel
// CHECK-DAG: %[[TAPE:.*]] = memref.alloca() : memref<3x1xf64>
// CHECK-DAG: %[[WIDE:.*]] = memref.alloca() : memref<3x1xvector<8xf64>>
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<8xf64>
// CHECK: %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (vector<8xf64>) {
// CHECK: memref.store %{{.*}}, %[[WIDE]][%{{.*}}, %{{.*}}] : memref<3x1xvector<8xf64>>
// CHECK: memref.load %[[WIDE]]
// CHECK: arith.addf %[[ACC]], %{{.*}} : vector<8xf64>
// CHECK: %[[RED:.*]] = vector.reduction <add>, %[[SUM]] : vector<8xf64> into f64
// CHECK: %[[START:.*]] = arith.addf %{{.*}}, %[[RED]] : f64
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[START]]) -> (f64) {
// CHECK: memref.store %{{.*}}, %[[TAPE]]
func.func private @pairwise_grad_kernel(%g: memref<12x12xf64>, %dv: memref<12xf64>, %begin: index, %end: index) attributes {gantk.kernel} {
  %tape = memref.alloca() : memref<3x1xf64>
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c12 = arith.constant 12 : index
  %zero = arith.constant 0.0 : f64
  scf.for %i = %begin to %end step %c1 {
    %sum = scf.for %j = %c0 to %c12 step %c1 iter_args(%acc = %zero) -> (f64) {
      %q = memref.load %g[%i, %j] : memref<12x12xf64>
      %r = scf.for %l = %c0 to %c3 step %c1 iter_args(%s = %q) -> (f64) {
        memref.store %s, %tape[%l, %c0] : memref<3x1xf64>
        %m = arith.mulf %s, %s : f64
        scf.yield %m : f64
      }
      %back = memref.load %tape[%c1, %c0] : memref<3x1xf64>
      %t = arith.addf %r, %back : f64
      %next = arith.addf %acc, %t : f64
      scf.yield %next : f64
    } {gantk.pairs}
    memref.store %sum, %dv[%i] : memref<12xf64>
  }
  return
}

// -----

// A straight-line body is LLVM's to vectorise: the loop stays, unmarked,
// with the hint that asks for vectors of `vector-bits` (LLVM's cost model
// would stop at 256 bits on AVX-512 server parts), four of them side by
// side: the body is light (one value live at a time, at most
// `light-live-values`), so `light-interleave` applies.
// CHECK: #[[SIDE:.+]] = #llvm.loop_interleave<count = 4 : i32>
// CHECK: #[[VEC:.+]] = #llvm.loop_vectorize<width = 8 : i32>
// CHECK: #[[HINT:.+]] = #llvm.loop_annotation<vectorize = #[[VEC]], interleave = #[[SIDE]]>
// BITS512: #llvm.loop_interleave<count = 4 : i32>
// BITS512: #llvm.loop_vectorize<width = 16 : i32>
// CHECK-LABEL: func.func private @straight
// CHECK-NOT: vector
// CHECK: scf.for
// CHECK-NOT: gantk.pairs
// CHECK: } {llvm.loop_annotation = #[[HINT]]}
func.func private @straight(%g: memref<4x4xf32>, %begin: index, %end: index) attributes {gantk.kernel} {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %begin to %end step %c1 {
    scf.for %j = %i to %c4 step %c1 {
      %q = memref.load %g[%i, %j] : memref<4x4xf32>
      %m = arith.mulf %q, %q : f32
      memref.store %m, %g[%i, %j] : memref<4x4xf32>
    } {gantk.pairs}
  }
  return
}

// -----

// A heavy straight-line body: nine values live at once (while %k is made,
// %q and the products %a … %h, which wait for the sum), one more than `light-live-values`, so two
// vectors side by side (`interleave`); with light-live-values=9 it is light.
// CHECK: #[[SIDE2:.+]] = #llvm.loop_interleave<count = 2 : i32>
// CHECK: #[[HINT2:.+]] = #llvm.loop_annotation<vectorize = #{{.+}}, interleave = #[[SIDE2]]>
// CHECK-LABEL: func.func private @heavy
// CHECK: } {llvm.loop_annotation = #[[HINT2]]}
// LIGHT9: #llvm.loop_interleave<count = 4 : i32>
// LIGHT9-NOT: #llvm.loop_interleave<count = 2 : i32>
func.func private @heavy(%g: memref<4x4xf32>, %begin: index, %end: index) attributes {gantk.kernel} {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %begin to %end step %c1 {
    scf.for %j = %i to %c4 step %c1 {
      %q = memref.load %g[%i, %j] : memref<4x4xf32>
      %a = arith.mulf %q, %q : f32
      %b = arith.mulf %a, %q : f32
      %c = arith.mulf %b, %q : f32
      %d = arith.mulf %c, %q : f32
      %e = arith.mulf %d, %q : f32
      %f = arith.mulf %e, %q : f32
      %g2 = arith.mulf %f, %q : f32
      %h = arith.mulf %g2, %q : f32
      %k = arith.mulf %h, %q : f32
      %s0 = arith.addf %k, %h : f32
      %s1 = arith.addf %s0, %g2 : f32
      %s2 = arith.addf %s1, %f : f32
      %s3 = arith.addf %s2, %e : f32
      %s4 = arith.addf %s3, %d : f32
      %s5 = arith.addf %s4, %c : f32
      %s6 = arith.addf %s5, %b : f32
      %s7 = arith.addf %s6, %a : f32
      memref.store %s7, %g[%i, %j] : memref<4x4xf32>
    } {gantk.pairs}
  }
  return
}

// -----

// A loop that uses j for anything but the column of a row access is not of
// the per-pair shape: it is left for LLVM as it is.
// CHECK-LABEL: func.func private @other
// CHECK-NOT: vector
func.func private @other(%g: memref<4x4xf32>, %begin: index, %end: index) attributes {gantk.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %begin to %end step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %q = memref.load %g[%j, %i] : memref<4x4xf32>
      %r = scf.for %l = %c0 to %c2 step %c1 iter_args(%s = %q) -> (f32) {
        %m = arith.mulf %s, %s : f32
        scf.yield %m : f32
      }
      memref.store %r, %g[%j, %i] : memref<4x4xf32>
    } {gantk.pairs}
  }
  return
}

// -----

// The row accumulators of a backward on maps: an alloca outside the pair
// loop that the loop only adds to (a load, one addition, a store to the same
// element) gets one vector per element, zeroed before the vectors and
// reduced into the scalar sums after them; the leftover pairs go on adding
// to the scalar sums.
// CHECK-LABEL: func.func private @map_backward_kernel
// CHECK-DAG: %[[ACC:.*]] = memref.alloca() : memref<2x2xf64>
// CHECK-DAG: %[[LANES:.*]] = memref.alloca() : memref<2x2xvector<8xf64>>
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<8xf64>
// CHECK: memref.store %[[ZERO]], %[[LANES]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[END:.*]] step %{{.*}} {
// CHECK: %[[OLD:.*]] = memref.load %[[LANES]][%[[A:.*]], %[[B:.*]]] : memref<2x2xvector<8xf64>>
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %{{.*}} : vector<8xf64>
// CHECK: memref.store %[[NEW]], %[[LANES]][%[[A]], %[[B]]] : memref<2x2xvector<8xf64>>
// CHECK: %[[LSUM:.*]] = vector.reduction <add>, %{{.*}} : vector<8xf64> into f64
// CHECK: %[[SSUM:.*]] = memref.load %[[ACC]]
// CHECK: %[[TOTAL:.*]] = arith.addf %[[SSUM]], %[[LSUM]] : f64
// CHECK: memref.store %[[TOTAL]], %[[ACC]]
// CHECK: scf.for %{{.*}} = %[[END]] to %{{.*}} step %{{.*}} {
// CHECK: memref.load %[[ACC]]{{.*}} : memref<2x2xf64>
// CHECK: memref.store %{{.*}}, %[[ACC]]{{.*}} : memref<2x2xf64>
func.func private @map_backward_kernel(%g: memref<12x12xf64>, %dv: memref<12x2x2xf64>, %begin: index, %end: index) attributes {gantk.kernel} {
  %acc = memref.alloca() : memref<2x2xf64>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c12 = arith.constant 12 : index
  %zero = arith.constant 0.0 : f64
  scf.for %i = %begin to %end step %c1 {
    scf.for %a = %c0 to %c2 step %c1 {
      scf.for %b = %c0 to %c2 step %c1 {
        memref.store %zero, %acc[%a, %b] : memref<2x2xf64>
      }
    }
    scf.for %j = %c0 to %c12 step %c1 {
      %q = memref.load %g[%i, %j] : memref<12x12xf64>
      scf.for %a = %c0 to %c2 step %c1 {
        scf.for %b = %c0 to %c2 step %c1 {
          %old = memref.load %acc[%a, %b] : memref<2x2xf64>
          %new = arith.addf %old, %q : f64
          memref.store %new, %acc[%a, %b] : memref<2x2xf64>
        }
      }
    } {gantk.pairs}
    scf.for %a = %c0 to %c2 step %c1 {
      scf.for %b = %c0 to %c2 step %c1 {
        %s = memref.load %acc[%a, %b] : memref<2x2xf64>
        memref.store %s, %dv[%i, %a, %b] : memref<12x2x2xf64>
      }
    }
  }
  return
}

// -----

// An accumulator read after the loop that the loop updates by anything but
// an addition is neither a row sum nor per-pair scratch: the loop stays
// scalar.
// CHECK-LABEL: func.func private @not_a_sum
// CHECK-NOT: vector
func.func private @not_a_sum(%g: memref<12x12xf64>, %begin: index, %end: index) attributes {gantk.kernel} {
  %acc = memref.alloca() : memref<2xf64>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c12 = arith.constant 12 : index
  scf.for %i = %begin to %end step %c1 {
    scf.for %j = %c0 to %c12 step %c1 {
      %q = memref.load %g[%i, %j] : memref<12x12xf64>
      scf.for %a = %c0 to %c2 step %c1 {
        %old = memref.load %acc[%a] : memref<2xf64>
        %new = arith.mulf %old, %q : f64
        memref.store %new, %acc[%a] : memref<2xf64>
      }
    } {gantk.pairs}
    %p = memref.load %acc[%c0] : memref<2xf64>
    memref.store %p, %g[%i, %c0] : memref<12x12xf64>
  }
  return
}

// -----

// A pair whose scratch is large (maps over positions, as a convolution's
// pairs keep) runs on vectors of one register: its loops over positions
// give the core independent work already, and its 16 KiB of scratch per
// call (2 KiB per pair, 8 pairs) would double.
// CHECK-LABEL: func.func private @large_scratch
// CHECK: memref.alloca() : memref<512xvector<8xf32>>
// CHECK-NOT: vector<16xf32>
func.func private @large_scratch(%g: memref<12x12xf32>, %begin: index, %end: index) attributes {gantk.kernel} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c12 = arith.constant 12 : index
  %c512 = arith.constant 512 : index
  %map = memref.alloca() : memref<512xf32>
  scf.for %i = %begin to %end step %c1 {
    scf.for %j = %i to %c12 step %c1 {
      %q = memref.load %g[%i, %j] : memref<12x12xf32>
      scf.for %p = %c0 to %c512 step %c1 {
        memref.store %q, %map[%p] : memref<512xf32>
      }
      %r = scf.for %p = %c0 to %c512 step %c1 iter_args(%s = %q) -> (f32) {
        %m = memref.load %map[%p] : memref<512xf32>
        %a = arith.addf %s, %m : f32
        scf.yield %a : f32
      }
      memref.store %r, %g[%i, %j] : memref<12x12xf32>
    } {gantk.pairs}
  }
  return
}
