// RUN: mixir-opt %s -mixer-map-owned-loops -split-input-file | FileCheck %s

// A scan over channels (HGRN): the step's op owns its channel in the state
// and in the output row, so each of 128 threads runs every step for the
// channels t, t + 128, ... with no barrier between steps.
// CHECK-LABEL: func @channels
// CHECK: scf.forall (%[[T:.*]]) in (128) {
// CHECK: scf.for %[[C:.*]] = %[[T]] to %c512{{.*}} step %c128{{.*}} {
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %{{.*}} step %c1 {
// CHECK: memref.subview %{{.*}}[%[[C]]] [1] [1]
// CHECK: linalg.generic
// CHECK: } {mapping = [#gpu.thread<linear_dim_0>]}
#id = affine_map<(d0) -> (d0)>
func.func @channels(%n: index, %T: index, %x: memref<?x?x512xf32>, %o: memref<?x?x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%b) in (%n) {
    %h = memref.alloc() : memref<512xf32>
    scf.for %t = %c0 to %T step %c1 {
      %xt = memref.subview %x[%b, %t, 0] [1, 1, 512] [1, 1, 1] : memref<?x?x512xf32> to memref<512xf32, strided<[1], offset: ?>>
      %ot = memref.subview %o[%b, %t, 0] [1, 1, 512] [1, 1, 1] : memref<?x?x512xf32> to memref<512xf32, strided<[1], offset: ?>>
      linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
          ins(%xt : memref<512xf32, strided<[1], offset: ?>>)
          outs(%h, %ot : memref<512xf32>, memref<512xf32, strided<[1], offset: ?>>) {
      ^bb0(%a: f32, %s: f32, %y: f32):
        %m = arith.mulf %s, %a : f32
        linalg.yield %m, %m : f32, f32
      }
    }
    memref.dealloc %h : memref<512xf32>
  }
  return
}

// -----

// A matrix state read out by a sum over the key (GLA's scan): both ops own
// the value column v of the state (the update over (k, v), the read-out
// over v summing k), so each of 64 threads runs the steps for its column,
// the update's whole key column included.
// CHECK-LABEL: func @columns
// CHECK: scf.forall (%[[V:.*]]) in (64) {
// CHECK-NEXT: scf.for
// CHECK: memref.subview %{{.*}}[0, %[[V]]] [64, 1] [1, 1]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: memref.subview %{{.*}}[0, %[[V]]] [64, 1] [1, 1]
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: } {mapping = [#gpu.thread<linear_dim_0>]}
#s = affine_map<(k, v) -> (k, v)>
#k = affine_map<(k, v) -> (k)>
#v = affine_map<(k, v) -> (v)>
func.func @columns(%n: index, %T: index, %q: memref<64xf32>, %o: memref<?x?x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%b) in (%n) {
    %S = memref.alloc() : memref<64x64xf32>
    scf.for %t = %c0 to %T step %c1 {
      linalg.generic {indexing_maps = [#k, #s], iterator_types = ["parallel", "parallel"]}
          ins(%q : memref<64xf32>) outs(%S : memref<64x64xf32>) {
      ^bb0(%a: f32, %s: f32):
        %m = arith.mulf %s, %a : f32
        linalg.yield %m : f32
      }
      %ot = memref.subview %o[%b, %t, 0] [1, 1, 64] [1, 1, 1] : memref<?x?x64xf32> to memref<64xf32, strided<[1], offset: ?>>
      linalg.generic {indexing_maps = [#s, #k, #v], iterator_types = ["reduction", "parallel"]}
          ins(%S, %q : memref<64x64xf32>, memref<64xf32>) outs(%ot : memref<64xf32, strided<[1], offset: ?>>) {
      ^bb0(%s: f32, %a: f32, %y: f32):
        %m = arith.mulf %s, %a : f32
        %r = arith.addf %y, %m : f32
        linalg.yield %r : f32
      }
    }
    memref.dealloc %S : memref<64x64xf32>
  }
  return
}

// -----

// GLA's scan as the forms build it: a per-key temporary (the decay, no
// value column), the update by it, and the read-out summing the keys. Each
// thread computes the whole decay into its own copy (the shared buffer
// goes), and owns a value column of the state for the update and the
// read-out.
// CHECK-LABEL: func @shared_temporary
// CHECK-NOT: memref.alloc() : memref<64xf32>
// CHECK: scf.forall (%[[V:.*]]) in (64) {
// CHECK-NEXT: %[[D:.*]] = memref.alloca() : memref<64xf32>
// CHECK-NEXT: scf.for
// CHECK: linalg.generic {{.*}} outs(%[[D]] : memref<64xf32>)
// CHECK-DAG: memref.subview %[[D]][0] [64] [1]
// CHECK-DAG: memref.subview %{{.*}}[0, %[[V]]] [64, 1] [1, 1]
// CHECK: linalg.generic
// CHECK: } {mapping = [#gpu.thread<linear_dim_0>]}
#s = affine_map<(k, v) -> (k, v)>
#k = affine_map<(k, v) -> (k)>
#v = affine_map<(k, v) -> (v)>
func.func @shared_temporary(%n: index, %T: index, %q: memref<64xf32>, %o: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%b) in (%n) {
    %S = memref.alloc() : memref<64x64xf32>
    %d = memref.alloc() : memref<64xf32>
    scf.for %t = %c0 to %T step %c1 {
      linalg.generic {indexing_maps = [affine_map<(k) -> (k)>, affine_map<(k) -> (k)>], iterator_types = ["parallel"]}
          ins(%q : memref<64xf32>) outs(%d : memref<64xf32>) {
      ^bb0(%a: f32, %y: f32):
        %e = math.exp %a : f32
        linalg.yield %e : f32
      }
      linalg.generic {indexing_maps = [#k, #s], iterator_types = ["parallel", "parallel"]}
          ins(%d : memref<64xf32>) outs(%S : memref<64x64xf32>) {
      ^bb0(%a: f32, %s: f32):
        %m = arith.mulf %s, %a : f32
        linalg.yield %m : f32
      }
      linalg.generic {indexing_maps = [#s, #k, #v], iterator_types = ["reduction", "parallel"]}
          ins(%S, %q : memref<64x64xf32>, memref<64xf32>) outs(%o : memref<64xf32>) {
      ^bb0(%s: f32, %a: f32, %y: f32):
        %m = arith.mulf %s, %a : f32
        %r = arith.addf %y, %m : f32
        linalg.yield %r : f32
      }
    }
    memref.dealloc %S : memref<64x64xf32>
    memref.dealloc %d : memref<64xf32>
  }
  return
}

// -----

// The state read transposed (its rows where it was written by columns):
// another thread's column, so the loop is not taken.
// CHECK-LABEL: func @transposed
// CHECK-NOT: #gpu.thread
#t = affine_map<(k, v) -> (v, k)>
#s = affine_map<(k, v) -> (k, v)>
#k = affine_map<(k, v) -> (k)>
#v = affine_map<(k, v) -> (v)>

func.func @transposed(%n: index, %T: index, %q: memref<64xf32>, %o: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%b) in (%n) {
    %S = memref.alloc() : memref<64x64xf32>
    scf.for %t = %c0 to %T step %c1 {
      linalg.generic {indexing_maps = [#k, #s], iterator_types = ["parallel", "parallel"]}
          ins(%q : memref<64xf32>) outs(%S : memref<64x64xf32>) {
      ^bb0(%a: f32, %s: f32):
        %m = arith.mulf %s, %a : f32
        linalg.yield %m : f32
      }
      linalg.generic {indexing_maps = [#t, #v, #s], iterator_types = ["parallel", "parallel"]}
          ins(%S, %q : memref<64x64xf32>, memref<64xf32>) outs(%S : memref<64x64xf32>) {
      ^bb0(%s: f32, %a: f32, %y: f32):
        %m = arith.mulf %s, %a : f32
        linalg.yield %m : f32
      }
    }
    memref.dealloc %S : memref<64x64xf32>
  }
  return
}

// -----

// A temporary computed whole from a buffer the owned ops update column by
// column (as gla_bf16's converted rows share one buffer): computing it
// whole would read other threads' columns, so the loop is not taken.
// CHECK-LABEL: func @private_reads_owned
// CHECK-NOT: #gpu.thread
#s = affine_map<(k, v) -> (k, v)>
#k = affine_map<(k, v) -> (k)>
#v = affine_map<(k, v) -> (v)>
#id = affine_map<(d) -> (d)>
func.func @private_reads_owned(%n: index, %T: index, %q: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%b) in (%n) {
    %S = memref.alloc() : memref<64x64xf32>
    %row = memref.alloc() : memref<64xf32>
    %d = memref.alloc() : memref<64xf32>
    scf.for %t = %c0 to %T step %c1 {
      linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
          ins(%q : memref<64xf32>) outs(%row : memref<64xf32>) {
      ^bb0(%a: f32, %y: f32):
        %u = arith.addf %a, %y : f32
        linalg.yield %u : f32
      }
      linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
          ins(%row : memref<64xf32>) outs(%d : memref<64xf32>) {
      ^bb0(%a: f32, %y: f32):
        %e = math.exp %a : f32
        linalg.yield %e : f32
      }
      linalg.generic {indexing_maps = [#k, #v, #s], iterator_types = ["parallel", "parallel"]}
          ins(%d, %row : memref<64xf32>, memref<64xf32>) outs(%S : memref<64x64xf32>) {
      ^bb0(%a: f32, %r: f32, %s: f32):
        %m = arith.mulf %s, %a : f32
        %x = arith.addf %m, %r : f32
        linalg.yield %x : f32
      }
    }
    memref.dealloc %S : memref<64x64xf32>
    memref.dealloc %row : memref<64xf32>
    memref.dealloc %d : memref<64xf32>
  }
  return
}

// -----

// A scalar the step loads (a head's gate at this token, as the delta rule's
// scans read it) is read by every thread, from a buffer the loop does not
// write; one loaded from a buffer the loop writes would be another
// thread's, so that loop is not taken.
// CHECK-LABEL: func @scalar_gate
// CHECK: scf.forall (%{{.*}}) in (64) {
// CHECK-NEXT: scf.for %[[T:.*]] =
// CHECK-NEXT: memref.load %{{.*}}[%[[T]]] : memref<?xf32>
// CHECK-LABEL: func @scalar_of_state
// CHECK-NOT: #gpu.thread
#id = affine_map<(d) -> (d)>
func.func @scalar_gate(%n: index, %T: index, %g: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%b) in (%n) {
    %h = memref.alloc() : memref<64xf32>
    scf.for %t = %c0 to %T step %c1 {
      %a = memref.load %g[%t] : memref<?xf32>
      linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]} outs(%h : memref<64xf32>) {
      ^bb0(%s: f32):
        %m = arith.mulf %s, %a : f32
        linalg.yield %m : f32
      }
    }
    memref.dealloc %h : memref<64xf32>
  }
  return
}
func.func @scalar_of_state(%n: index, %T: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%b) in (%n) {
    %h = memref.alloc() : memref<64xf32>
    scf.for %t = %c0 to %T step %c1 {
      %a = memref.load %h[%c0] : memref<64xf32>
      linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]} outs(%h : memref<64xf32>) {
      ^bb0(%s: f32):
        %m = arith.mulf %s, %a : f32
        linalg.yield %m : f32
      }
    }
    memref.dealloc %h : memref<64xf32>
  }
  return
}
