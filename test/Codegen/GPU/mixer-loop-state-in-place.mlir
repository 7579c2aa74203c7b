// RUN: mixir-opt %s -mixer-loop-state-in-place -split-input-file | FileCheck %s

// Inside a work item, a carried tensor computed into a new tensor is copied
// back into the iter_arg, so that it bufferizes in place.
// CHECK-LABEL: func @copied
// CHECK: scf.for {{.*}} iter_args(%[[S:.*]] = %{{.*}})
// CHECK: %[[NEW:.*]] = linalg.matvec
// CHECK-NEXT: %[[C:.*]] = linalg.copy ins(%[[NEW]] : tensor<64xf32>) outs(%[[S]] : tensor<64xf32>)
// CHECK-NEXT: scf.yield %[[C]]
func.func @copied(%n: index, %m: tensor<64x64xf32>, %init: tensor<64xf32>, %out: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.forall (%i) in (%n) shared_outs(%o = %out) -> (tensor<?x64xf32>) {
    %s = scf.for %t = %c0 to %n step %c1 iter_args(%s = %init) -> (tensor<64xf32>) {
      %e = tensor.empty() : tensor<64xf32>
      %new = linalg.matvec ins(%m, %s : tensor<64x64xf32>, tensor<64xf32>) outs(%e : tensor<64xf32>) -> tensor<64xf32>
      scf.yield %new : tensor<64xf32>
    }
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i, 0] [1, 64] [1, 1] : tensor<64xf32> into tensor<?x64xf32>
    }
  }
  return %r : tensor<?x64xf32>
}

// -----

// A value computed from the iter_arg in place at the tensor level is copied
// too (one-shot bufferization may still put it out of place, where another
// read of the old value follows); an iter_arg yielded unchanged and a loop
// outside every work item are left alone.
// CHECK-LABEL: func @in_place
// CHECK: scf.for {{.*}} iter_args(%[[S:.*]] = %{{.*}}, %[[U:.*]] = %{{.*}})
// CHECK: %[[Y:.*]] = linalg.fill
// CHECK-NEXT: %[[C:.*]] = linalg.copy ins(%[[Y]] : tensor<8x4xf32>) outs(%[[S]] : tensor<8x4xf32>)
// CHECK-NEXT: scf.yield %[[C]], %[[U]]
// CHECK-NOT: linalg.copy
func.func @in_place(%n: index, %row: tensor<4xf32>, %init: tensor<8x4xf32>, %out: tensor<?x8x4xf32>) -> tensor<?x8x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.forall (%i) in (%n) shared_outs(%o = %out) -> (tensor<?x8x4xf32>) {
    %s:2 = scf.for %t = %c0 to %n step %c1 iter_args(%s = %init, %u = %row) -> (tensor<8x4xf32>, tensor<4xf32>) {
      %x = tensor.insert_slice %u into %s[0, 0] [1, 4] [1, 1] : tensor<4xf32> into tensor<8x4xf32>
      %f = arith.constant 1.0 : f32
      %y = linalg.fill ins(%f : f32) outs(%x : tensor<8x4xf32>) -> tensor<8x4xf32>
      scf.yield %y, %u : tensor<8x4xf32>, tensor<4xf32>
    }
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s#0 into %o[%i, 0, 0] [1, 8, 4] [1, 1, 1] : tensor<8x4xf32> into tensor<?x8x4xf32>
    }
  }
  %h = scf.for %t = %c0 to %n step %c1 iter_args(%s = %row) -> (tensor<4xf32>) {
    %e = tensor.empty() : tensor<4xf32>
    %f = arith.constant 1.0 : f32
    %y = linalg.fill ins(%f : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    scf.yield %y : tensor<4xf32>
  }
  return %r : tensor<?x8x4xf32>
}
