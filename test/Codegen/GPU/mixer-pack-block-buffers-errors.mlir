// RUN: mixir-opt %s -allow-unregistered-dialect -mixer-pack-block-buffers -split-input-file -verify-diagnostics

func.func @dynamic(%n: index, %sizes: memref<?xindex>) {
  scf.forall (%i) in (%n) {
    %m = memref.load %sizes[%i] : memref<?xindex>
    // expected-error @below {{mixer-pack-block-buffers: this buffer of a block has no fixed place: its shape depends on the block's own work}}
    %a = memref.alloc(%m) : memref<?xf32>
    "test.use"(%a) : (memref<?xf32>) -> ()
  } {mapping = [#gpu.block<linear_dim_0>]}
  return
}

// -----

func.func @carried(%n: index, %c: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%i) in (%n) {
    %b = memref.alloc() : memref<4xf32>
    %r = scf.for %t = %c0 to %n step %c1 iter_args(%s = %b) -> (memref<4xf32>) {
      %y = scf.if %c -> (memref<4xf32>) {
        // expected-error @below {{mixer-pack-block-buffers: this buffer of a block has no fixed place: it is carried from one loop iteration into the next}}
        %a = memref.alloc() : memref<4xf32>
        scf.yield %a : memref<4xf32>
      } else {
        scf.yield %s : memref<4xf32>
      }
      scf.yield %y : memref<4xf32>
    }
    "test.use"(%r) : (memref<4xf32>) -> ()
  } {mapping = [#gpu.block<linear_dim_0>]}
  return
}

// -----

func.func @per_thread(%n: index) {
  scf.forall (%i) in (%n) {
    scf.forall (%t) in (128) {
      // expected-error @below {{mixer-pack-block-buffers: this buffer of a block has no fixed place: it is allocated by one thread (use memref.alloca)}}
      %a = memref.alloc() : memref<4xf32>
      "test.use"(%a) : (memref<4xf32>) -> ()
    } {mapping = [#gpu.thread<linear_dim_0>]}
  } {mapping = [#gpu.block<linear_dim_0>]}
  return
}
