// RUN: mixir-opt %s -mixer-mapped-to-gpu -split-input-file -verify-diagnostics -allow-unregistered-dialect

func.func @host_buffer(%n: index, %p: !llvm.ptr, %out: memref<?xf32>) {
  %host = memref.alloca() : memref<4xf32>
  scf.forall (%b) in (%n) {
    scf.forall (%i) in (4) {
      // expected-error @below {{mixer-mapped-to-gpu: a kernel reads a buffer in host memory (a stack buffer or a host global)}}
      %v = memref.load %host[%i] : memref<4xf32>
      memref.store %v, %out[%b] : memref<?xf32>
    } {mapping = [#gpu.thread<linear_dim_0>]}
    gpu.barrier
  } {mapping = [#gpu.block<linear_dim_0>]}
  return
}

// -----

func.func @offset(%n: index) {
  // expected-error @below {{mixer-mapped-to-gpu: a grid of blocks must start at 0 with step 1}}
  scf.forall (%b) = (1) to (%n) step (1) {
  } {mapping = [#gpu.block<linear_dim_0>]}
  return
}
