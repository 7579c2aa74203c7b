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

/// Other math functions are left alone.
// CHECK-LABEL: func @negative_log
// CHECK: math.log
func.func @negative_log(%x: f32) -> f32 {
  %e = math.log %x : f32
  return %e : f32
}
