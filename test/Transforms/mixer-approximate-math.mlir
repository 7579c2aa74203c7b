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

/// Other math functions are left alone.
// CHECK-LABEL: func @negative_sin
// CHECK: math.sin
func.func @negative_sin(%x: f32) -> f32 {
  %e = math.sin %x : f32
  return %e : f32
}
