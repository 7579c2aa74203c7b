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
