// RUN: mixir-opt %s -mixer-lower-forms -split-input-file | FileCheck %s

// Grouped-query attention with a causal mask: per (batch, query head) an scf.forall
// iteration reads kv head h / 4; per query block of 64 rows, key blocks of
// 64 are streamed with an online softmax carrying the row maximum m, the row
// sum l and the accumulator A. The mask is inlined into the score tile and
// masked scores become −inf; exp is guarded where m' = −inf, and a row with
// l = 0 gives 0, not NaN.
// CHECK-LABEL: func @causal_gqa
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]]) in (%{{.*}}, 8)
// CHECK: %[[KVH:.*]] = arith.divui %[[H]], %c4
// CHECK: scf.for {{.*}} -> (tensor<?x64xf32>)
// CHECK: %[[T0:.*]] = arith.muli %{{.*}}, %c64
// CHECK: scf.for {{.*}} iter_args(%[[M:.*]] = %{{.*}}, %[[L:.*]] = %{{.*}}, %[[A:.*]] = %{{.*}}) -> (tensor<64xf32>, tensor<64xf32>, tensor<64x64xf32>)
// CHECK: %[[S0:.*]] = arith.muli %{{.*}}, %c64
// The block's class (docs/math.md, section 2.3), the mask interpreted over
// queries [t0, t0+len−1] × keys [s0, s0+lenK−1]: some key is visible iff
// s0 ≤ t0+len−1, all are iff not s0+lenK−1 > t0, and a full block has no
// padding. Empty blocks are skipped, full ones skip the mask.
// CHECK: %[[SOME:.*]] = arith.cmpi sle, %[[S0]], %{{.*}} : index
// CHECK: %[[HIDDEN:.*]] = arith.cmpi sgt, %{{.*}}, %[[T0]] : index
// CHECK: %[[ALL:.*]] = arith.xori %[[HIDDEN]], %true
// CHECK: %[[FULL:.*]] = arith.andi %[[ALL]], %{{.*}} : i1
// CHECK: scf.if %[[SOME]] -> (tensor<64xf32>, tensor<64xf32>, tensor<64x64xf32>)
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], %[[S0]], %[[KVH]], 0]
// The score tile: scale only in a full block; the mask (kv_idx ≤ q_idx)
// and −inf where hidden in a partial one.
// CHECK: scf.if %[[FULL]] -> (tensor<64x64xf32>)
// CHECK: linalg.generic
// CHECK-NOT: arith.cmpi
// CHECK: arith.mulf %{{.*}}, %cst
// CHECK-NOT: arith.cmpi
// CHECK: } else {
// CHECK: linalg.generic
// CHECK: %[[QI:.*]] = arith.addi %[[T0]], %{{.*}} : index
// CHECK: %[[KI:.*]] = arith.addi %[[S0]], %{{.*}} : index
// CHECK: arith.mulf %{{.*}}, %cst
// CHECK: arith.cmpi ule, %[[KI]], %[[QI]] : index
// CHECK: arith.select %{{.*}}, %{{.*}}, %cst{{.*}} : f32
// m' = max(m, rowmax S)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<64x64xf32>) outs(%[[M]] : tensor<64xf32>)
// CHECK: arith.maximumf
// α = exp(m − m'), 1 where m' = −inf
// CHECK: arith.cmpf oeq
// CHECK: math.exp
// CHECK: arith.select
// A' = α A + P V
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<64x64xf32>, tensor<64x64xf32>) outs(%{{.*}} : tensor<64x64xf32>)
// CHECK: scf.yield
// O = A / l, 0 where l = 0
// CHECK: arith.cmpf oeq
// CHECK: arith.divf
func.func @causal_gqa(%q: tensor<?x?x8x64xf32>, %k: tensor<?x?x2x64xf32>, %v: tensor<?x?x2x64xf32>) -> tensor<?x?x8x64xf32> {
  %o = mixer.attention %q, %k, %v mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %c = arith.cmpi ule, %s, %t : index
    mixer.yield %c : i1
  } {form = #mixer.form<flash>} : (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>) -> tensor<?x?x8x64xf32>
  return %o : tensor<?x?x8x64xf32>
}

// -----

// A score_mod reading a per-head tensor (ALiBi slopes) is inlined into the
// score tile, its tensor.extract indexed by the query head.
// CHECK-LABEL: func @score_mod_slopes
// CHECK-SAME: %[[SLOPES:[^:]*]]: tensor<4xf32>)
// CHECK: scf.forall (%{{.*}}, %[[H:.*]]) in
// CHECK: linalg.generic
// CHECK: tensor.extract %[[SLOPES]][%[[H]]] : tensor<4xf32>
// The log-sum-exp result: m + log l, −inf where l = 0.
// CHECK: math.log
func.func @score_mod_slopes(%q: tensor<?x?x4x16xf32>, %slopes: tensor<4xf32>) -> (tensor<?x?x4x16xf32>, tensor<?x?x4xf32>) {
  %o, %lse = mixer.attention %q, %q, %q score_mod {
  ^bb0(%x: f32, %b: index, %h: index, %t: index, %s: index):
    %m = tensor.extract %slopes[%h] : tensor<4xf32>
    %y = arith.addf %x, %m : f32
    mixer.yield %y : f32
  } {form = #mixer.form<flash, tile = 16>} : (tensor<?x?x4x16xf32>, tensor<?x?x4x16xf32>, tensor<?x?x4x16xf32>) -> (tensor<?x?x4x16xf32>, tensor<?x?x4xf32>)
  return %o, %lse : tensor<?x?x4x16xf32>, tensor<?x?x4xf32>
}
