// RUN: mixir-opt %s -mixer-copy-to-linalg | FileCheck %s

// CHECK-LABEL: func @strided_copy
// CHECK-SAME: (%[[A:.*]]: memref<4x8xf32, strided<[16, 1], offset: ?>>, %[[B:.*]]: memref<4x8xf32>)
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%[[A]] : memref<4x8xf32, strided<[16, 1], offset: ?>>) outs(%[[B]] : memref<4x8xf32>)
func.func @strided_copy(%a: memref<4x8xf32, strided<[16, 1], offset: ?>>, %b: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x8xf32, strided<[16, 1], offset: ?>> to memref<4x8xf32>
  return
}
