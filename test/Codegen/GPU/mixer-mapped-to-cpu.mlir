// RUN: mixir-opt %s -mixer-mapped-to-cpu | FileCheck %s

// Thread loops run their threads in sequence, barriers go, and the grid of
// blocks stays a parallel loop without its mapping.
// CHECK-LABEL: func @mapped
// CHECK: scf.forall (%[[B:.*]]) in (%{{.*}}) {
// CHECK: scf.for %[[T:.*]] = %c0 to %c128 step %c1 {
// CHECK-NEXT: memref.store %{{.*}}, %{{.*}}[%[[B]], %[[T]]]
// CHECK-NEXT: }
// CHECK-NOT: gpu.barrier
// CHECK-NEXT: }
// CHECK-NOT: mapping
func.func @mapped(%n: index, %a: memref<?x128xf32>, %v: f32) {
  scf.forall (%b) in (%n) {
    scf.forall (%t) in (128) {
      memref.store %v, %a[%b, %t] : memref<?x128xf32>
    } {mapping = [#gpu.thread<linear_dim_0>]}
    gpu.barrier
  } {mapping = [#gpu.block<linear_dim_0>]}
  return
}
