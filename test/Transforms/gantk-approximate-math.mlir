// RUN: gantk-opt %s -split-input-file -gantk-approximate-math | FileCheck %s

// f32 atan2 and erf become call-free polynomials (fma chains, selects for
// the ranges), so the per-pair loops vectorise.
// CHECK-LABEL: func.func @f32
// CHECK-NOT: math.atan2
// CHECK-NOT: math.erf
// CHECK-NOT: call
// CHECK: math.fma
// CHECK: return
func.func @f32(%y: f32, %x: f32) -> (f32, f32) {
  %a = math.atan2 %y, %x : f32
  %e = math.erf %x : f32
  return %a, %e : f32, f32
}

// -----

// f32 atan2 divides once (t = min(|x|, |y|) / max(|x|, |y|), the min and
// max as selects on the one comparison the octant needs too), then
// t + t·z·Q(z), z = t², with Q of degree 7 by Estrin's scheme (its last fma
// takes z⁴: three levels, not Horner's seven), and the octant; its
// accuracy against libm is gantk-approximate-math-accuracy.mlir.
// CHECK-LABEL: func.func @atan2_one_division
// CHECK-NOT: arith.maximumf
// CHECK-NOT: arith.minimumf
// CHECK: %[[YBIG:.*]] = arith.cmpf ogt
// CHECK-NEXT: %[[BIG:.*]] = arith.select %[[YBIG]]
// CHECK-NEXT: %[[SMALL:.*]] = arith.select %[[YBIG]]
// CHECK-NEXT: %[[T:.*]] = arith.divf %[[SMALL]], %[[BIG]]
// CHECK-NEXT: %[[Z:.*]] = arith.mulf %[[T]], %[[T]]
// CHECK-NOT: arith.divf
// CHECK: %[[Z2:.*]] = arith.mulf %[[Z]], %[[Z]]
// CHECK: %[[Z4:.*]] = arith.mulf %[[Z2]], %[[Z2]]
// CHECK: %[[Q:.*]] = math.fma %{{.*}}, %[[Z4]], %{{.*}}
// CHECK-NEXT: %[[TZ:.*]] = arith.mulf %[[T]], %[[Z]]
// CHECK-NEXT: math.fma %[[TZ]], %[[Q]], %[[T]]
// CHECK-NOT: arith.divf
// CHECK: arith.select %[[YBIG]]
// CHECK: math.copysign
// CHECK-NEXT: return
func.func @atan2_one_division(%y: vector<8xf32>, %x: vector<8xf32>) -> vector<8xf32> {
  %a = math.atan2 %y, %x : vector<8xf32>
  return %a : vector<8xf32>
}

// -----

// f64 atan2 divides once as well: the ratio is brought below tan(π/12) in
// the same division ((√3·min − max) / (√3·max + min) beyond it, with √3's
// rounding error as a second fma), then u + u·z·Q(z) with 13 Taylor terms
// in Q (Estrin's scheme: 12 fmas in four levels, the last one taking z⁸),
// π/6 (hi + lo) added back; its accuracy against libm is
// gantk-approximate-math-accuracy.mlir.
// CHECK-LABEL: func.func @atan2_f64_one_division
// CHECK-NOT: arith.maximumf
// CHECK-NOT: arith.minimumf
// CHECK: %[[YBIG:.*]] = arith.cmpf ogt
// CHECK-NEXT: arith.select %[[YBIG]]
// CHECK-NEXT: arith.select %[[YBIG]]
// CHECK: arith.cmpf ogt
// CHECK-COUNT-2: math.fma
// CHECK: arith.select
// CHECK-COUNT-2: math.fma
// CHECK: arith.select
// CHECK: %[[U:.*]] = arith.divf
// CHECK: %[[Z:.*]] = arith.mulf %[[U]], %[[U]]
// CHECK-NOT: arith.divf
// CHECK: %[[Z2:.*]] = arith.mulf %[[Z]], %[[Z]]
// CHECK: %[[Z4:.*]] = arith.mulf %[[Z2]], %[[Z2]]
// CHECK: %[[Z8:.*]] = arith.mulf %[[Z4]], %[[Z4]]
// CHECK: %[[Q:.*]] = math.fma %{{.*}}, %[[Z8]], %{{.*}}
// CHECK-NEXT: %[[UZ:.*]] = arith.mulf %[[U]], %[[Z]]
// CHECK-NEXT: %[[R:.*]] = math.fma %[[UZ]], %[[Q]], %{{.*}}
// CHECK-NEXT: arith.addf %[[U]], %[[R]]
// CHECK-NOT: arith.divf
// CHECK: math.copysign
// CHECK-NEXT: return
func.func @atan2_f64_one_division(%y: vector<4xf64>, %x: vector<4xf64>) -> vector<4xf64> {
  %a = math.atan2 %y, %x : vector<4xf64>
  return %a : vector<4xf64>
}

// -----

// The other f64 special functions without an exact LLVM lowering become
// libm calls; the rest (sqrt, exp) stay for convert-math-to-llvm.
// CHECK-DAG: func.func private @erf(f64) -> f64
// CHECK-LABEL: func.func @f64
// CHECK-SAME: (%[[Y:.*]]: f64, %[[X:.*]]: f64)
// CHECK-NOT: call @atan2
// CHECK: math.copysign
// CHECK-NEXT: %[[E:.*]] = call @erf(%[[X]]) : (f64) -> f64
// CHECK-NEXT: %[[S:.*]] = math.sqrt %[[X]] : f64
// CHECK-NEXT: %[[X2:.*]] = math.exp %[[X]] : f64
// CHECK-NEXT: return %{{.*}}, %[[E]], %[[S]], %[[X2]]
func.func @f64(%y: f64, %x: f64) -> (f64, f64, f64, f64) {
  %a = math.atan2 %y, %x : f64
  %e = math.erf %x : f64
  %s = math.sqrt %x : f64
  %x2 = math.exp %x : f64
  return %a, %e, %s, %x2 : f64, f64, f64, f64
}
