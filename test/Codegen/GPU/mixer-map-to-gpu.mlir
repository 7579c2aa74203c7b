// RUN: mixir-opt %s -mixer-map-to-gpu -split-input-file | FileCheck %s
// RUN: mixir-opt %s -mixer-map-to-gpu="block-size=256" -split-input-file | FileCheck %s --check-prefix=WIDE

// A work-item loop becomes a grid of blocks (last index fastest); each
// linalg op in it a loop over the block's 128 threads, thread t taking the
// points t, t + 128, ... of its parallel dimensions (delinearised, the
// innermost fastest) with the reduction dimension whole; a barrier follows
// every thread loop.
// CHECK-LABEL: func @block
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]]) in (%{{.*}}, 4) {
// CHECK: scf.forall (%[[T:.*]]) in (128) {
// CHECK-NEXT: scf.for %[[I:.*]] = %[[T]] to %c4096 step %c128 {
// CHECK-NEXT: %[[P:.*]]:2 = affine.delinearize_index %[[I]] into (64, 64)
// CHECK: linalg.fill {{.*}} outs(%{{.*}} : memref<1x1xf32
// CHECK: } {mapping = [#gpu.thread<linear_dim_0>]}
// CHECK-NEXT: gpu.barrier
// A matvec: its 64 output points on 64 threads, the sum over k whole.
// CHECK: scf.forall (%[[T2:.*]]) in (64) {
// CHECK: memref.subview %{{.*}}[%[[T2]], 0] [1, 64] [1, 1]
// CHECK: linalg.matvec {{.*}} memref<1x64xf32
// CHECK: } {mapping = [#gpu.thread<linear_dim_0>]}
// CHECK-NEXT: gpu.barrier
// CHECK: } {mapping = [#gpu.block<linear_dim_1>, #gpu.block<linear_dim_0>]}
// WIDE-LABEL: func @block
// WIDE: scf.forall (%{{.*}}) in (256) {
// WIDE-NEXT: scf.for %{{.*}} = %{{.*}} to %c4096 step %c256 {
func.func @block(%n: index, %a: memref<?x4x64x64xf32>, %x: memref<?x4x64xf32>, %y: memref<?x4x64xf32>) {
  %zero = arith.constant 0.0 : f32
  scf.forall (%b, %h) in (%n, 4) {
    %s = memref.subview %a[%b, %h, 0, 0] [1, 1, 64, 64] [1, 1, 1, 1] : memref<?x4x64x64xf32> to memref<64x64xf32, strided<[64, 1], offset: ?>>
    linalg.fill ins(%zero : f32) outs(%s : memref<64x64xf32, strided<[64, 1], offset: ?>>)
    %xs = memref.subview %x[%b, %h, 0] [1, 1, 64] [1, 1, 1] : memref<?x4x64xf32> to memref<64xf32, strided<[1], offset: ?>>
    %ys = memref.subview %y[%b, %h, 0] [1, 1, 64] [1, 1, 1] : memref<?x4x64xf32> to memref<64xf32, strided<[1], offset: ?>>
    linalg.matvec ins(%s, %xs : memref<64x64xf32, strided<[64, 1], offset: ?>>, memref<64xf32, strided<[1], offset: ?>>) outs(%ys : memref<64xf32, strided<[1], offset: ?>>)
  }
  return
}

// -----

// Scalar code in a block: a store is made by one thread, and since the block
// reads memory outside thread loops, a barrier also precedes every thread
// loop (no thread overwrites what another has not read yet).
// CHECK-LABEL: func @scalar
// CHECK: scf.forall (%{{.*}}) in (%{{.*}}) {
// CHECK: memref.load
// CHECK: gpu.barrier
// CHECK-NEXT: scf.forall (%{{.*}}) in (1) {
// CHECK-NEXT: memref.store
// CHECK: } {mapping = [#gpu.thread<linear_dim_0>]}
// CHECK-NEXT: gpu.barrier
// CHECK: } {mapping = [#gpu.block<linear_dim_0>]}
func.func @scalar(%n: index, %a: memref<?xf32>) {
  scf.forall (%i) in (%n) {
    %v = memref.load %a[%i] : memref<?xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %a[%i] : memref<?xf32>
  }
  return
}

// -----

// A linalg op in host code becomes its own grid: ceil(n / 128) blocks, each
// thread one point, guarded by the point count.
// CHECK-LABEL: func @host
// CHECK: %[[COUNT:.*]] = affine.apply #{{.*}}()[%{{.*}}]
// CHECK: %[[N:.*]] = affine.apply #{{.*}}()[%{{.*}}]
// CHECK: scf.forall (%[[BLK:.*]]) in (%[[N]]) {
// CHECK: scf.forall (%[[T:.*]]) in (128) {
// CHECK: %[[I:.*]] = affine.apply #{{.*}}(%[[BLK]], %[[T]])
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[I]], %[[COUNT]] : index
// CHECK: scf.if %[[IN]] {
// CHECK: linalg.copy
// CHECK: } {mapping = [#gpu.thread<linear_dim_0>]}
// CHECK-NEXT: gpu.barrier
// CHECK: } {mapping = [#gpu.block<linear_dim_0>]}
func.func @host(%a: memref<?x512xf32>, %b: memref<?x512xf32>) {
  linalg.copy ins(%a : memref<?x512xf32>) outs(%b : memref<?x512xf32>)
  return
}

// -----

// A parallel dimension missing from an output (d1 here) is not split over
// threads: two threads would write one element. Only d0's 16 points are.
// CHECK-LABEL: func @owned
// CHECK: scf.forall (%[[T:.*]]) in (16) {
// CHECK: memref.subview %{{.*}}[%[[T]], 0] [1, 32] [1, 1]
// CHECK: memref.subview %{{.*}}[%[[T]]] [1] [1]
// CHECK: linalg.generic
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @owned(%n: index, %a: memref<16x32xf32>, %b: memref<16xf32>) {
  scf.forall (%i) in (%n) {
    linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel"]}
        ins(%a : memref<16x32xf32>) outs(%b : memref<16xf32>) {
    ^bb0(%x: f32, %y: f32):
      linalg.yield %x : f32
    }
  }
  return
}

// -----

// A row copied through a vector (as the forms copy an initial state) is a
// linalg.copy of its two windows, spread over 80 threads; a vector store
// of anything else is one thread's.
// CHECK-LABEL: func @vector_copy
// CHECK: scf.for %[[R:.*]] =
// CHECK: %[[FROM:.*]] = memref.subview %{{.*}}[%[[R]], %c0{{.*}}] [1, 80] [1, 1]
// CHECK: %[[TO:.*]] = memref.subview %{{.*}}[%[[R]], %c0{{.*}}] [1, 80] [1, 1]
// CHECK: scf.forall (%[[T:.*]]) in (80) {
// CHECK: linalg.copy
// CHECK: } {mapping = [#gpu.thread<linear_dim_0>]}
// CHECK-NOT: vector.transfer_read
// CHECK: scf.forall (%{{.*}}) in (1) {
// CHECK-NEXT: vector.transfer_write %{{.*}}, %{{.*}}[%c0{{.*}}, %c0{{.*}}]
func.func @vector_copy(%n: index, %a: memref<48x80xf32>, %b: memref<48x80xf32>, %v: vector<80xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c48 = arith.constant 48 : index
  %pad = arith.constant 0.0 : f32
  scf.forall (%i) in (%n) {
    scf.for %r = %c0 to %c48 step %c1 {
      %row = vector.transfer_read %a[%r, %c0], %pad {in_bounds = [true]} : memref<48x80xf32>, vector<80xf32>
      vector.transfer_write %row, %b[%r, %c0] {in_bounds = [true]} : vector<80xf32>, memref<48x80xf32>
    }
    vector.transfer_write %v, %b[%c0, %c0] {in_bounds = [true]} : vector<80xf32>, memref<48x80xf32>
  }
  return
}
