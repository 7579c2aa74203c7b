// RUN: mixir-opt %s -mixer-approximate-math | FileCheck %s

// CHECK-LABEL: func @exp
// CHECK-NOT: math.exp
// CHECK: arith.bitcast
// CHECK: return
func.func @exp(%x: f32) -> f32 {
  %e = math.exp %x : f32
  return %e : f32
}

// -----

// CHECK-LABEL: func @tanh
// CHECK-NOT: math.tanh
// CHECK: arith.mulf
// CHECK: return
func.func @tanh(%x: f32) -> f32 {
  %e = math.tanh %x : f32
  return %e : f32
}

// -----

// exp2(x) = exp(x·ln 2), and exp by its polynomial.
// CHECK-LABEL: func @exp2
// CHECK-NOT: math.exp
// CHECK: arith.bitcast
// CHECK: return
func.func @exp2(%x: f32) -> f32 {
  %e = math.exp2 %x : f32
  return %e : f32
}

// -----

// log, log1p and expm1 (the raised recurrences' coefficients) by their
// polynomials too.
// CHECK-LABEL: func @logs
// CHECK-NOT: math.log
// CHECK-NOT: math.expm1
// CHECK: return
func.func @logs(%x: f32) -> (f32, f32, f32) {
  %l = math.log %x : f32
  %p = math.log1p %x : f32
  %e = math.expm1 %x : f32
  return %l, %p, %e : f32, f32, f32
}

// -----

// expm1 without a division: its degree-8 Taylor polynomial (eight fmas,
// then ·x) where |x| < 1/2, exp(x) − 1 elsewhere, chosen by a select; exp
// by its polynomial in turn.
// CHECK-LABEL: func @expm1
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK-NOT: math.expm1
// CHECK-NOT: arith.divf
// CHECK-COUNT-7: math.fma {{.*}}, %[[X]], {{.*}} : f32
// CHECK: %[[P:.*]] = arith.mulf %{{.*}}, %[[X]] : f32
// CHECK: %[[E:.*]] = arith.subf %{{.*}}, %{{.*}} : f32
// CHECK: %[[ABS:.*]] = math.absf %[[X]] : f32
// CHECK: %[[SMALL:.*]] = arith.cmpf olt, %[[ABS]], %{{.*}} : f32
// CHECK: %[[R:.*]] = arith.select %[[SMALL]], %[[P]], %[[E]] : f32
// CHECK: return %[[R]]
func.func @expm1(%x: f32) -> f32 {
  %e = math.expm1 %x : f32
  return %e : f32
}

// -----

/// Other math functions are left alone.
// CHECK-LABEL: func @negative_sin
// CHECK: math.sin
func.func @negative_sin(%x: f32) -> f32 {
  %e = math.sin %x : f32
  return %e : f32
}
