// The atan2 of gantk-approximate-math against libm's atan2 in double (a
// call to @atan2, which the pass leaves alone), run with mlir-runner:
// 1.4 million points over every angle at radii 1e-3 … 1e3.
// - f32: the largest absolute error must stay below 3e-7, about one
//   float32 ulp at π (measured 2.6e-7; MLIR's own f32 atan2, which this
//   replaces, measures 2.6e-6 here and gives NaN at (0, 0)).
// - f64: the largest error in units of the last place of libm's result
//   must stay below 3 (measured 2: the series' and the reduction's rounding).
// Then the octants, (0, 0) → 0, NaNs and infinities, on vectors as the
// kernels use them.
//
// RUN: %gantk-opt %s -gantk-approximate-math -convert-scf-to-cf \
// RUN:   -convert-vector-to-llvm -convert-math-to-llvm -convert-arith-to-llvm \
// RUN:   -convert-func-to-llvm -convert-cf-to-llvm -reconcile-unrealized-casts \
// RUN: | %mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils | FileCheck %s

func.func @approx(%y: f32, %x: f32) -> f32 {
  %a = math.atan2 %y, %x : f32
  return %a : f32
}

func.func @approx8(%y: vector<8xf32>, %x: vector<8xf32>) -> vector<8xf32> {
  %a = math.atan2 %y, %x : vector<8xf32>
  return %a : vector<8xf32>
}

func.func @approx64(%y: f64, %x: f64) -> f64 {
  %a = math.atan2 %y, %x : f64
  return %a : f64
}

func.func @approx64x8(%y: vector<8xf64>, %x: vector<8xf64>) -> vector<8xf64> {
  %a = math.atan2 %y, %x : vector<8xf64>
  return %a : vector<8xf64>
}

func.func private @atan2(f64, f64) -> f64

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %angles = arith.constant 200000 : index
  %radii = arith.constant 7 : index
  %zero = arith.constant 0.0 : f64
  %half = arith.constant 0.5 : f64
  %pi = arith.constant 3.141592653589793 : f64
  %ten = arith.constant 10.0 : f64
  %count = arith.index_cast %angles : index to i64
  %n = arith.uitofp %count : i64 to f64
  %worst = scf.for %r = %c0 to %radii step %c1 iter_args(%w0 = %zero) -> f64 {
    // radius 10^(r − 3)
    %ri = arith.index_cast %r : index to i64
    %rf = arith.sitofp %ri : i64 to f64
    %three = arith.constant 3.0 : f64
    %e = arith.subf %rf, %three : f64
    %radius = math.powf %ten, %e : f64
    %w = scf.for %i = %c0 to %angles step %c1 iter_args(%w1 = %w0) -> f64 {
      // angle −π + 2π (i + 1/2) / n
      %ii = arith.index_cast %i : index to i64
      %if = arith.uitofp %ii : i64 to f64
      %u0 = arith.addf %if, %half : f64
      %u = arith.divf %u0, %n : f64
      %twopi = arith.addf %pi, %pi : f64
      %s = arith.mulf %u, %twopi : f64
      %phi = arith.subf %s, %pi : f64
      %sin = math.sin %phi : f64
      %cos = math.cos %phi : f64
      %y64 = arith.mulf %radius, %sin : f64
      %x64 = arith.mulf %radius, %cos : f64
      %y = arith.truncf %y64 : f64 to f32
      %x = arith.truncf %x64 : f64 to f32
      %a = func.call @approx(%y, %x) : (f32, f32) -> f32
      %a64 = arith.extf %a : f32 to f64
      %ye = arith.extf %y : f32 to f64
      %xe = arith.extf %x : f32 to f64
      %exact = func.call @atan2(%ye, %xe) : (f64, f64) -> f64
      %d = arith.subf %a64, %exact : f64
      %err = math.absf %d : f64
      %next = arith.maximumf %w1, %err : f64
      scf.yield %next : f64
    }
    scf.yield %w : f64
  }
  %bound = arith.constant 3.0e-7 : f64
  %ok = arith.cmpf olt, %worst, %bound : f64
  // CHECK: {{^}}1{{$}}
  vector.print %ok : i1

  // (y, x): (0, 1) (0, −1) (1, 0) (−1, 0) (1, 1) (1, −1) (−1, 1) (0, 0)
  %ys = arith.constant dense<[0.0, 0.0, 1.0, -1.0, 1.0, 1.0, -1.0, 0.0]> : vector<8xf32>
  %xs = arith.constant dense<[1.0, -1.0, 0.0, 0.0, 1.0, -1.0, 1.0, 0.0]> : vector<8xf32>
  %v = func.call @approx8(%ys, %xs) : (vector<8xf32>, vector<8xf32>) -> vector<8xf32>
  %c8 = arith.constant 8 : index
  scf.for %l = %c0 to %c8 step %c1 {
    %lane = vector.extract %v[%l] : f32 from vector<8xf32>
    vector.print %lane : f32
  }
  // CHECK-NEXT: 0
  // CHECK-NEXT: 3.14159
  // CHECK-NEXT: 1.5708
  // CHECK-NEXT: -1.5708
  // CHECK-NEXT: 0.785398
  // CHECK-NEXT: 2.35619
  // CHECK-NEXT: -0.785398
  // CHECK-NEXT: 0

  // A NaN in either argument reaches the result; infinities as libm's:
  // (NaN, 1) (1, NaN) (NaN, NaN) (∞, 1) (1, ∞) (−∞, −1) (2, −∞) (−3, 0)
  %z32 = arith.constant 0.0 : f32
  %o32 = arith.constant 1.0 : f32
  %nan32 = arith.divf %z32, %z32 : f32
  %inf32 = arith.divf %o32, %z32 : f32
  %ninf32 = arith.negf %inf32 : f32
  %m132 = arith.constant -1.0 : f32
  %p232 = arith.constant 2.0 : f32
  %m332 = arith.constant -3.0 : f32
  %ysx32 = vector.from_elements %nan32, %o32, %nan32, %inf32, %o32, %ninf32, %p232, %m332 : vector<8xf32>
  %xsx32 = vector.from_elements %o32, %nan32, %nan32, %o32, %inf32, %m132, %ninf32, %z32 : vector<8xf32>
  %vx32 = func.call @approx8(%ysx32, %xsx32) : (vector<8xf32>, vector<8xf32>) -> vector<8xf32>
  scf.for %l = %c0 to %c8 step %c1 {
    %lane = vector.extract %vx32[%l] : f32 from vector<8xf32>
    vector.print %lane : f32
  }
  // CHECK-NEXT: nan
  // CHECK-NEXT: nan
  // CHECK-NEXT: nan
  // CHECK-NEXT: 1.5708
  // CHECK-NEXT: 0
  // CHECK-NEXT: -1.5708
  // CHECK-NEXT: 3.14159
  // CHECK-NEXT: -1.5708

  // f64: the error in ulps of libm's result (the gap from |exact| to the
  // next double up).
  %ulps = scf.for %r = %c0 to %radii step %c1 iter_args(%w0 = %zero) -> f64 {
    %ri = arith.index_cast %r : index to i64
    %rf = arith.sitofp %ri : i64 to f64
    %three = arith.constant 3.0 : f64
    %e = arith.subf %rf, %three : f64
    %radius = math.powf %ten, %e : f64
    %w = scf.for %i = %c0 to %angles step %c1 iter_args(%w1 = %w0) -> f64 {
      %ii = arith.index_cast %i : index to i64
      %if = arith.uitofp %ii : i64 to f64
      %u0 = arith.addf %if, %half : f64
      %u = arith.divf %u0, %n : f64
      %twopi = arith.addf %pi, %pi : f64
      %s = arith.mulf %u, %twopi : f64
      %phi = arith.subf %s, %pi : f64
      %sin = math.sin %phi : f64
      %cos = math.cos %phi : f64
      %y = arith.mulf %radius, %sin : f64
      %x = arith.mulf %radius, %cos : f64
      %a = func.call @approx64(%y, %x) : (f64, f64) -> f64
      %exact = func.call @atan2(%y, %x) : (f64, f64) -> f64
      %magnitude = math.absf %exact : f64
      %bits = arith.bitcast %magnitude : f64 to i64
      %one = arith.constant 1 : i64
      %nextbits = arith.addi %bits, %one : i64
      %next = arith.bitcast %nextbits : i64 to f64
      %ulp = arith.subf %next, %magnitude : f64
      %d = arith.subf %a, %exact : f64
      %err = math.absf %d : f64
      %inulps = arith.divf %err, %ulp : f64
      %worse = arith.maximumf %w1, %inulps : f64
      scf.yield %worse : f64
    }
    scf.yield %w : f64
  }
  // CHECK-NEXT: {{^[0-9.e+-]+$}}
  vector.print %ulps : f64
  %ulpbound = arith.constant 3.0 : f64
  %ok64 = arith.cmpf olt, %ulps, %ulpbound : f64
  // CHECK-NEXT: {{^}}1{{$}}
  vector.print %ok64 : i1

  %ys64 = arith.constant dense<[0.0, 0.0, 1.0, -1.0, 1.0, 1.0, -1.0, 0.0]> : vector<8xf64>
  %xs64 = arith.constant dense<[1.0, -1.0, 0.0, 0.0, 1.0, -1.0, 1.0, 0.0]> : vector<8xf64>
  %v64 = func.call @approx64x8(%ys64, %xs64) : (vector<8xf64>, vector<8xf64>) -> vector<8xf64>
  scf.for %l = %c0 to %c8 step %c1 {
    %lane = vector.extract %v64[%l] : f64 from vector<8xf64>
    vector.print %lane : f64
  }
  // CHECK-NEXT: 0
  // CHECK-NEXT: 3.14159
  // CHECK-NEXT: 1.5708
  // CHECK-NEXT: -1.5708
  // CHECK-NEXT: 0.785398
  // CHECK-NEXT: 2.35619
  // CHECK-NEXT: -0.785398
  // CHECK-NEXT: 0

  // A NaN in either argument reaches the result; infinities as libm's:
  // (NaN, 1) (1, NaN) (NaN, NaN) (∞, 1) (1, ∞) (−∞, −1) (2, −∞) (−3, 0)
  %z64 = arith.constant 0.0 : f64
  %o64 = arith.constant 1.0 : f64
  %nan64 = arith.divf %z64, %z64 : f64
  %inf64 = arith.divf %o64, %z64 : f64
  %ninf64 = arith.negf %inf64 : f64
  %m164 = arith.constant -1.0 : f64
  %p264 = arith.constant 2.0 : f64
  %m364 = arith.constant -3.0 : f64
  %ysx64 = vector.from_elements %nan64, %o64, %nan64, %inf64, %o64, %ninf64, %p264, %m364 : vector<8xf64>
  %xsx64 = vector.from_elements %o64, %nan64, %nan64, %o64, %inf64, %m164, %ninf64, %z64 : vector<8xf64>
  %vx64 = func.call @approx64x8(%ysx64, %xsx64) : (vector<8xf64>, vector<8xf64>) -> vector<8xf64>
  scf.for %l = %c0 to %c8 step %c1 {
    %lane = vector.extract %vx64[%l] : f64 from vector<8xf64>
    vector.print %lane : f64
  }
  // CHECK-NEXT: nan
  // CHECK-NEXT: nan
  // CHECK-NEXT: nan
  // CHECK-NEXT: 1.5708
  // CHECK-NEXT: 0
  // CHECK-NEXT: -1.5708
  // CHECK-NEXT: 3.14159
  // CHECK-NEXT: -1.5708
  return
}
