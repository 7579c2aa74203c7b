// RUN: mixir-opt %s -allow-unregistered-dialect -mixer-pack-block-buffers="shared-memory-bytes=20000" -canonicalize -split-input-file | FileCheck %s
// RUN: mixir-opt %s -allow-unregistered-dialect -mixer-pack-block-buffers -split-input-file | FileCheck %s --check-prefix=DEFAULT

// A block's static buffers become views of its arenas at offsets aligned to
// 16 bytes, in program order: the shared arena while they fit in the
// budget (16384 + 272 bytes of 20000), the rest (the second 16 KiB state)
// in the spill arena. Their deallocations go; the arenas are freed at the
// end of the block.
// CHECK-LABEL: func @arenas
// CHECK: scf.forall
// CHECK-NEXT: %[[SHARED:.*]] = memref.alloc() {alignment = 16 : i64, mixer.arena = "shared"} : memref<16656xi8>
// CHECK-NEXT: %[[SPILL:.*]] = memref.alloc() {alignment = 16 : i64, mixer.arena = "spill"} : memref<16384xi8>
// CHECK: memref.view %[[SHARED]][%c0{{.*}}][] : memref<16656xi8> to memref<64x64xf32>
// CHECK: memref.view %[[SHARED]][%c16384{{.*}}][] : memref<16656xi8> to memref<67xf32>
// CHECK: memref.view %[[SPILL]][%c0{{.*}}][] : memref<16384xi8> to memref<64x64xf32>
// CHECK-NOT: memref.dealloc %{{.*}} : memref<64x64xf32>
// CHECK: memref.dealloc %[[SHARED]]
// CHECK-NEXT: memref.dealloc %[[SPILL]]
// CHECK-NEXT: } {mapping = [#gpu.block<linear_dim_0>]}
// With the default budget (48 KiB) everything is shared.
// DEFAULT-LABEL: func @arenas
// DEFAULT: memref.alloc() {alignment = 16 : i64, mixer.arena = "shared"} : memref<33040xi8>
// DEFAULT-NOT: mixer.arena = "spill"
// DEFAULT-LABEL: func @host
func.func @arenas(%n: index, %out: memref<?x64xf32>) {
  scf.forall (%i) in (%n) {
    %s = memref.alloc() : memref<64x64xf32>
    %r = memref.alloc() : memref<67xf32>
    %t = memref.alloc() : memref<64x64xf32>
    "test.use"(%s, %r, %t) : (memref<64x64xf32>, memref<67xf32>, memref<64x64xf32>) -> ()
    memref.dealloc %s : memref<64x64xf32>
    memref.dealloc %r : memref<67xf32>
    memref.dealloc %t : memref<64x64xf32>
  } {mapping = [#gpu.block<linear_dim_0>]}
  return
}

// -----

// Host buffers and loops that are not blocks are left alone.
// CHECK-LABEL: func @host
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK-NOT: mixer.arena
func.func @host(%n: index) {
  %a = memref.alloc(%n) : memref<?xf32>
  "test.use"(%a) : (memref<?xf32>) -> ()
  memref.dealloc %a : memref<?xf32>
  return
}

// -----

// A buffer sized by values from outside the block (a count of chunks) goes
// to the spill arena after its static part, at a size computed before the
// block loop (rounded up to 16 bytes), and a branch may yield a buffer the
// loop does not carry.
// CHECK-LABEL: func @dynamic
// CHECK-SAME: (%[[N:.*]]: index,
// CHECK: %[[SECOND:.*]] = affine.apply #{{.*}}()[%[[N]]]
// CHECK-NEXT: %[[BYTES:.*]] = affine.apply #{{.*}}()[%[[N]]]
// CHECK-NEXT: scf.forall
// CHECK-NEXT: %[[SPILL:.*]] = memref.alloc(%[[BYTES]]) {alignment = 16 : i64, mixer.arena = "spill"} : memref<?xi8>
// CHECK: memref.view %[[SPILL]][%c0{{.*}}][%[[N]]] : memref<?xi8> to memref<?x64xf32>
// CHECK: scf.if
// CHECK: memref.view %[[SPILL]][%[[SECOND]]][%[[N]]] : memref<?xi8> to memref<?x64xf32>
func.func @dynamic(%n: index, %c: i1) {
  scf.forall (%i) in (%n) {
    %a = memref.alloc(%n) : memref<?x64xf32>
    %r = scf.if %c -> (memref<?x64xf32>) {
      scf.yield %a : memref<?x64xf32>
    } else {
      %b = memref.alloc(%n) : memref<?x64xf32>
      scf.yield %b : memref<?x64xf32>
    }
    "test.use"(%r) : (memref<?x64xf32>) -> ()
  } {mapping = [#gpu.block<linear_dim_0>]}
  return
}

// -----

// Buffers never live at once share bytes: %a's last use comes before %b's
// first, and %b's before %s's, so all three take one place; %s, used in a
// loop that does not hold its allocation, lives through the whole loop, so
// %c, which lives inside it, takes the next place.
// CHECK-LABEL: func @live_ranges
// CHECK: memref.alloc() {alignment = 16 : i64, mixer.arena = "shared"} : memref<512xi8>
// CHECK: memref.view %{{.*}}[%c0{{.*}}][] : memref<512xi8> to memref<64xf32>
// CHECK: memref.view %{{.*}}[%c0{{.*}}][] : memref<512xi8> to memref<64xf32>
// CHECK: memref.view %{{.*}}[%c0{{.*}}][] : memref<512xi8> to memref<64xf32>
// CHECK: scf.for
// CHECK-NEXT: memref.view %{{.*}}[%c256{{.*}}][] : memref<512xi8> to memref<64xf32>
func.func @live_ranges(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%i) in (%n) {
    %a = memref.alloc() : memref<64xf32>
    "test.use"(%a) : (memref<64xf32>) -> ()
    %b = memref.alloc() : memref<64xf32>
    "test.use"(%b) : (memref<64xf32>) -> ()
    %s = memref.alloc() : memref<64xf32>
    scf.for %t = %c0 to %n step %c1 {
      %c = memref.alloc() : memref<64xf32>
      "test.use"(%c) : (memref<64xf32>) -> ()
      "test.use"(%s) : (memref<64xf32>) -> ()
    }
  } {mapping = [#gpu.block<linear_dim_0>]}
  return
}

// -----

// Two tiles a loop overwrites first in each iteration (a fill, a copy) and
// reads later in it: no value flows from one iteration into the next, so
// each lives only from its write to its last read, and the second takes
// the first's place. A third, read before it is written in the loop (its
// value carried from the previous iteration), lives through the whole loop.
// CHECK-LABEL: func @overwritten
// CHECK: memref.alloc() {alignment = 16 : i64, mixer.arena = "shared"} : memref<512xi8>
// CHECK-DAG: %[[X:.*]] = memref.view %{{.*}}[%c0{{.*}}][] : memref<512xi8> to memref<64xf32>
// CHECK-DAG: %[[C:.*]] = memref.view %{{.*}}[%c256{{.*}}][] : memref<512xi8> to memref<64xf32>
// CHECK: scf.for
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[X]] : memref<64xf32>)
// CHECK: linalg.copy ins(%{{.*}} : memref<64xf32>) outs(%[[Y:.*]] : memref<64xf32>)
// CHECK-NOT: mixer.arena = "spill"
func.func @overwritten(%n: index, %v: f32, %src: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.forall (%i) in (%n) {
    %x = memref.alloc() : memref<64xf32>
    %y = memref.alloc() : memref<64xf32>
    %c = memref.alloc() : memref<64xf32>
    scf.for %t = %c0 to %n step %c1 {
      "test.use"(%c) : (memref<64xf32>) -> ()
      linalg.fill ins(%v : f32) outs(%x : memref<64xf32>)
      "test.use"(%x) : (memref<64xf32>) -> ()
      linalg.copy ins(%src : memref<64xf32>) outs(%y : memref<64xf32>)
      "test.use"(%y) : (memref<64xf32>) -> ()
      linalg.fill ins(%v : f32) outs(%c : memref<64xf32>)
    }
  }
  return
}
