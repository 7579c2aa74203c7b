// RUN: mixir-opt %s -mixer-lower-forms | FileCheck %s

// The decode form (docs/math.md, section 2.5), 8 query heads on 2 kv heads:
// S = clamp(⌈2·workers / (B·2)⌉, 1, key blocks) splits of the key blocks;
// an scf.forall over (batch, kv head, split) streams split s's key blocks
// [s·n/S, (s+1)·n/S) for query blocks of 4 rows per head (16 rows for the
// group) and keeps the partial state (A, m, l) in [B, S, Tq, Hq(, V)]
// buffers; the merge takes the maximum over the splits, weighs each split by
// exp(m_s − m) (0 where m = −inf), and divides by the merged sum (0 where it
// is 0).
// CHECK-LABEL: func @decode
// CHECK: %[[W:.*]] = mixer.num_workers
// CHECK: %[[N:.*]] = arith.ceildivsi %{{.*}}, %c64 : index
// CHECK: %[[W2:.*]] = arith.muli %[[W]], %c2
// CHECK: %[[S:.*]] = arith.ceildivsi %[[W2]], %{{.*}} : index
// CHECK: %[[SMIN:.*]] = arith.minsi %[[S]], %[[N]]
// CHECK: %[[SPLITS:.*]] = arith.maxsi %[[SMIN]], %c1
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %[[SPLIT:.*]]) in (%{{.*}}, 2, %[[SPLITS]]) shared_outs({{.*}}) -> (tensor<?x?x?x8x64xf32>, tensor<?x?x?x8xf32>, tensor<?x?x?x8xf32>)
// CHECK: %[[LO:.*]] = arith.muli %[[SPLIT]], %[[N]]
// CHECK: %[[BEGIN:.*]] = arith.divsi %[[LO]], %[[SPLITS]]
// CHECK: %[[NEXT:.*]] = arith.addi %[[SPLIT]], %c1
// CHECK: %[[HI:.*]] = arith.muli %[[NEXT]], %[[N]]
// CHECK: %[[END:.*]] = arith.divsi %[[HI]], %[[SPLITS]]
// CHECK: scf.for {{.*}} -> (tensor<?x4x64xf32>, tensor<?x4xf32>, tensor<?x4xf32>)
// CHECK: %[[COUNT:.*]] = arith.subi %[[END]], %[[BEGIN]]
// CHECK: scf.for %{{.*}} = %c0 to %[[COUNT]] {{.*}} -> (tensor<16xf32>, tensor<16xf32>, tensor<16x64xf32>)
// Unpacked: a whole block of f32 keys and values is read in place (views
// of k and v), the last, shorter one from zero-padded copies.
// No mask: every block is visited.
// CHECK: scf.if %true -> (tensor<16xf32>, tensor<16xf32>, tensor<16x64xf32>)
// CHECK-NEXT: %[[WHOLE:.*]] = arith.cmpi eq, %{{.*}}, %c64 : index
// CHECK-NEXT: scf.if %[[WHOLE]] -> (tensor<16xf32>, tensor<16xf32>, tensor<16x64xf32>)
// CHECK: tensor.extract_slice %arg1[%{{.*}}, %{{.*}}, %{{.*}}, 0] [1, 64, 1, 64] [1, 1, 1, 1] : tensor<?x?x2x64xf32> to tensor<64x64xf32>
// CHECK: } else {
// CHECK: tensor.pad
// CHECK: scf.forall.in_parallel
// The merge.
// CHECK: %[[M:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<?x?x?x8xf32>) outs(%{{.*}} : tensor<?x?x8xf32>)
// CHECK: arith.maximumf
// CHECK: %[[L:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[M]] : tensor<?x?x?x8xf32>, tensor<?x?x?x8xf32>, tensor<?x?x8xf32>) outs(%{{.*}} : tensor<?x?x8xf32>)
// CHECK: math.exp
// CHECK: arith.cmpf oeq, %{{.*}}, %cst
// CHECK: arith.select
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}}, %[[M]] : tensor<?x?x?x8x64xf32>, tensor<?x?x?x8xf32>, tensor<?x?x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[L]] : tensor<?x?x8x64xf32>, tensor<?x?x8xf32>)
// CHECK: arith.divf
// CHECK: linalg.generic {{.*}} ins(%[[M]], %[[L]] : tensor<?x?x8xf32>, tensor<?x?x8xf32>)
// CHECK: math.log
func.func @decode(%q: tensor<?x?x8x64xf32>, %k: tensor<?x?x2x64xf32>) -> (tensor<?x?x8x64xf32>, tensor<?x?x8xf32>) {
  %o, %lse = mixer.attention %q, %k, %k {form = #mixer.form<decode>} : (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>) -> (tensor<?x?x8x64xf32>, tensor<?x?x8xf32>)
  return %o, %lse : tensor<?x?x8x64xf32>, tensor<?x?x8xf32>
}
