// RUN: mixir-opt %s -mixer-lower-to-runtime -split-input-file | FileCheck %s

// The worker count becomes one call of the runtime per use, declared once.
// CHECK-LABEL: module
// CHECK: func.func private @mixir_rt_num_workers() -> i32
// CHECK-LABEL: func @two_uses
// CHECK: %[[N0:.*]] = call @mixir_rt_num_workers() : () -> i32
// CHECK: %[[W0:.*]] = arith.index_cast %[[N0]] : i32 to index
// CHECK: %[[N1:.*]] = call @mixir_rt_num_workers() : () -> i32
// CHECK: %[[W1:.*]] = arith.index_cast %[[N1]] : i32 to index
// CHECK: return %[[W0]], %[[W1]]
// CHECK-NOT: mixer.num_workers
func.func @two_uses() -> (index, index) {
  %a = mixer.num_workers
  %b = mixer.num_workers
  return %a, %b : index, index
}

// -----

// An existing declaration of the right type is reused.
// CHECK-LABEL: module
// CHECK-COUNT-1: func.func private @mixir_rt_num_workers
// CHECK-NOT: func.func private @mixir_rt_num_workers
func.func private @mixir_rt_num_workers() -> i32
func.func @reuse() -> index {
  %a = mixer.num_workers
  return %a : index
}
