// RUN: mixir-opt %s -mixer-mapped-to-gpu -split-input-file | FileCheck %s
// RUN: not mixir-opt %s -mixer-mapped-to-gpu="shared-memory-bytes=1000" -split-input-file 2>&1 | FileCheck %s --check-prefix=BUDGET

// A grid of (n, 4) blocks: one launch of n·4 blocks of 128 threads (the
// longest thread loop), the block index delinearised; the shared arena is
// the launch's dynamic shared memory, the spill arena this block's slice of
// a buffer the host allocates around the launch; a thread loop of 64 is
// guarded; a host buffer becomes a device buffer.
// CHECK-LABEL: func @grid
// CHECK: %[[TMP:.*]] = gpu.alloc (%{{.*}}) : memref<?xf32>
// CHECK: %[[GRID:.*]] = arith.muli %{{.*}}, %c4{{.*}} : index
// CHECK: %[[SPILLBYTES:.*]] = arith.constant 256 : index
// CHECK: %[[TOTAL:.*]] = arith.muli %[[GRID]], %[[SPILLBYTES]] : index
// CHECK: %[[SCRATCH:.*]] = gpu.alloc (%[[TOTAL]]) : memref<?xi8>
// CHECK: %[[SMEM:.*]] = arith.constant 1024 : i32
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[GRID]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c128{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) dynamic_shared_memory_size %[[SMEM]]
// CHECK: %[[IDX:.*]]:2 = affine.delinearize_index %[[BX]] into (%{{.*}}, 4)
// CHECK: %[[DSM:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK: %[[GEN:.*]] = memref.memory_space_cast %[[DSM]] : memref<?xi8, #gpu.address_space<workgroup>> to memref<?xi8>
// CHECK: %[[SHARED:.*]] = memref.cast %[[GEN]] : memref<?xi8> to memref<1024xi8>
// CHECK: %[[START:.*]] = arith.muli %[[BX]], %[[SPILLBYTES]] : index
// CHECK: memref.view %[[SHARED]][%{{.*}}][] : memref<1024xi8> to memref<256xf32>
// CHECK: %[[OFF:.*]] = arith.addi %[[START]], %{{.*}} : index
// CHECK: memref.view %[[SCRATCH]][%[[OFF]]][] : memref<?xi8> to memref<64xf32>
// CHECK: %[[T:.*]] = gpu.thread_id x
// CHECK-NEXT: memref.store %{{.*}}, %{{.*}}[%[[T]]] : memref<256xf32>
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: %[[T2:.*]] = gpu.thread_id x
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[T2]], %c64{{.*}} : index
// CHECK-NEXT: scf.if %[[IN]] {
// CHECK-NEXT: memref.store %{{.*}}, %{{.*}}[%[[T2]]] : memref<64xf32>
// CHECK: gpu.barrier
// CHECK-NEXT: gpu.terminator
// CHECK: gpu.dealloc %[[SCRATCH]]
// CHECK: gpu.dealloc %[[TMP]] : memref<?xf32>
// CHECK-NOT: scf.forall
// BUDGET: error: mixer-mapped-to-gpu: the block's shared arena has 1024 bytes; the target has 1000
func.func @grid(%n: index, %v: f32) {
  %tmp = memref.alloc(%n) : memref<?xf32>
  scf.forall (%b, %h) in (%n, 4) {
    %shared = memref.alloc() {alignment = 16 : i64, mixer.arena = "shared"} : memref<1024xi8>
    %spill = memref.alloc() {alignment = 16 : i64, mixer.arena = "spill"} : memref<256xi8>
    %c0 = arith.constant 0 : index
    %s = memref.view %shared[%c0][] : memref<1024xi8> to memref<256xf32>
    %p = memref.view %spill[%c0][] : memref<256xi8> to memref<64xf32>
    scf.forall (%t) in (128) {
      memref.store %v, %s[%t] : memref<256xf32>
    } {mapping = [#gpu.thread<linear_dim_0>]}
    gpu.barrier
    scf.forall (%t) in (64) {
      memref.store %v, %p[%t] : memref<64xf32>
    } {mapping = [#gpu.thread<linear_dim_0>]}
    gpu.barrier
    memref.dealloc %shared : memref<1024xi8>
    memref.dealloc %spill : memref<256xi8>
  } {mapping = [#gpu.block<linear_dim_1>, #gpu.block<linear_dim_0>]}
  memref.dealloc %tmp : memref<?xf32>
  return
}

// -----

// A constant table a kernel reads is taken inside the launch (outlining
// copies its global into the device module), not passed from the host.
// CHECK-LABEL: func @reads_table
// CHECK: gpu.launch
// CHECK: %[[T:.*]] = memref.get_global @table : memref<4xf32>
// CHECK: memref.load %[[T]]
memref.global "private" constant @table : memref<4xf32> = dense<1.0>
func.func @reads_table(%n: index, %out: memref<?xf32>) {
  %t = memref.get_global @table : memref<4xf32>
  scf.forall (%b) in (%n) {
    scf.forall (%i) in (4) {
      %v = memref.load %t[%i] : memref<4xf32>
      memref.store %v, %out[%b] : memref<?xf32>
    } {mapping = [#gpu.thread<linear_dim_0>]}
    gpu.barrier
  } {mapping = [#gpu.block<linear_dim_0>]}
  return
}
