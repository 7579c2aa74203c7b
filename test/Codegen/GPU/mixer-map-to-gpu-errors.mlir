// RUN: mixir-opt %s -mixer-map-to-gpu -split-input-file -verify-diagnostics

func.func @host_load(%a: memref<?xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{mixer-map-to-gpu: host code touches a buffer's elements (device memory on a GPU)}}
  %v = memref.load %a[%c0] : memref<?xf32>
  return %v : f32
}

// -----

func.func @tensors(%n: index, %t: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @below {{mixer-map-to-gpu: a work-item loop still on tensors (run after bufferization)}}
  %r = scf.forall (%i) in (%n) shared_outs(%o = %t) -> (tensor<?xf32>) {
  }
  return %r : tensor<?xf32>
}

// -----

func.func @nested(%n: index, %a: memref<?xf32>) {
  scf.forall (%i) in (%n) {
    // expected-error @below {{mixer-map-to-gpu: a parallel loop inside a work item is not mapped to threads yet}}
    scf.forall (%j) in (%n) {
    }
  }
  return
}

// -----

func.func @copy(%n: index, %a: memref<4xf32>, %b: memref<4xf32>) {
  scf.forall (%i) in (%n) {
    // expected-error @below {{mixer-map-to-gpu: memref.copy in a work item (run mixer-copy-to-linalg first)}}
    memref.copy %a, %b : memref<4xf32> to memref<4xf32>
  }
  return
}
