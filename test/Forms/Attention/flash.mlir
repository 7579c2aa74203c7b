// RUN: mixir-opt %s -mixer-lower-forms -split-input-file | FileCheck %s

// Grouped-query attention with a causal mask: per (batch, kv head) an
// scf.forall iteration fills the slice of the 4 query heads h = 4·kvh + g
// that read it; per query block of 64 rows the 4 heads' rows are stacked
// into one 256-row tile, and key blocks of 64 (each K and V block packed
// once and read once per query block for the 4 heads), last first, are streamed with an online softmax
// carrying the row maximum m, the row sum l and the accumulator A. The
// mask is inlined into the score tile and masked scores become −inf; exp is
// guarded where m' = −inf, and a row with l = 0 gives 0, not NaN.
// CHECK-LABEL: func @causal_gqa
// CHECK: scf.forall (%[[B:.*]], %[[KVH:.*]]) in (%{{.*}}, 2)
// CHECK: %[[H0:.*]] = arith.muli %[[KVH]], %c4
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], 0, %[[H0]], 0] [1, %{{.*}}, 4, 64]
// The kv head's key blocks, packed once before the query loop: K
// transposed (K×Ck) and V (Ck×V), f32, zero-padded.
// CHECK: %[[PACKED:.*]]:2 = scf.for {{.*}} -> (tensor<?x64x64xf32>, tensor<?x64x64xf32>)
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], %{{.*}}, %[[KVH]], 0]
// CHECK: linalg.transpose
// CHECK: scf.for {{.*}} -> (tensor<?x4x64xf32>)
// CHECK: %[[T0:.*]] = arith.muli %{{.*}}, %c64
// CHECK-COUNT-4: tensor.insert_slice %{{.*}} into %{{.*}} [64, 64] [1, 1] : tensor<64x64xf32> into tensor<256x64xf32>
// CHECK: linalg.generic
// CHECK: arith.mulf %{{.*}}, %cst
// CHECK: scf.for {{.*}} iter_args(%[[M:.*]] = %{{.*}}, %[[L:.*]] = %{{.*}}, %[[A:.*]] = %{{.*}}) -> (tensor<256xf32>, tensor<256xf32>, tensor<256x64xf32>)
// CHECK: %[[J:.*]] = arith.subi %{{.*}}, %arg{{[0-9]+}} : index
// CHECK: %[[S0:.*]] = arith.muli %[[J]], %c64
// The block's class (docs/math.md, section 2.3), the mask interpreted over
// queries [t0, t0+len−1] × keys [s0, s0+lenK−1]: some key is visible iff
// s0 ≤ t0+len−1, all are iff not s0+lenK−1 > t0, and a full block has no
// padding. Empty blocks are skipped, full ones skip the mask.
// CHECK: %[[SOME:.*]] = arith.cmpi sle, %[[S0]], %{{.*}} : index
// CHECK: %[[HIDDEN:.*]] = arith.cmpi sgt, %{{.*}}, %[[T0]] : index
// CHECK: %[[ALL:.*]] = arith.xori %[[HIDDEN]], %true
// CHECK: %[[FULL:.*]] = arith.andi %[[ALL]], %{{.*}} : i1
// CHECK: scf.if %[[SOME]] -> (tensor<256xf32>, tensor<256xf32>, tensor<256x64xf32>)
// CHECK: tensor.extract_slice %[[PACKED]]#0[%{{.*}}, 0, 0] [1, 64, 64]
// The score tile over (head, query, key). Q is scaled once per query
// block, so a full block takes Q Kᵀ as it is; a partial one applies the
// mask (kv_idx ≤ q_idx) and −inf where hidden.
// CHECK: %[[QK:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<256x64xf32>)
// CHECK: tensor.extract_slice %[[PACKED]]#1[%{{.*}}, 0, 0] [1, 64, 64]
// CHECK: scf.if %[[FULL]] -> (tensor<256x64xf32>)
// CHECK-NEXT: scf.yield %[[QK]] : tensor<256x64xf32>
// CHECK-NEXT: } else {
// CHECK: tensor.expand_shape %[[QK]] {{\[\[}}0, 1], [2]] output_shape [4, 64, 64]
// CHECK: linalg.generic
// CHECK: %[[QI:.*]] = arith.addi %[[T0]], %{{.*}} : index
// CHECK: %[[KI:.*]] = arith.addi %[[S0]], %{{.*}} : index
// CHECK: arith.cmpi ule, %[[KI]], %[[QI]] : index
// CHECK: arith.select %{{.*}}, %{{.*}}, %cst{{.*}} : f32
// m' = max(m, rowmax S)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<256x64xf32>) outs(%[[M]] : tensor<256xf32>)
// CHECK: arith.maxnumf
// α = exp(m − m'), 1 where m' = −inf
// CHECK: arith.cmpf oeq
// CHECK: math.exp
// CHECK: arith.select
// A' = α A + P V
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<256x64xf32>, tensor<64x64xf32>) outs(%{{.*}} : tensor<256x64xf32>)
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

// -----

// A forget gate (docs/math.md, section 2.4), two query heads on one kv
// head: the window of Cq + Ck gates
// from the key block's start is summed cumulatively; the bias is a row term
// plus a column term, added where kv_idx < q_idx to the scaled logit. The
// carried `between` (one sum per query head) grows by the gates of each
// visited key block before the query block.
// CHECK-LABEL: func @forget
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (tensor<32xf32>, tensor<32xf32>, tensor<32x16xf32>, tensor<2xf32>)
// CHECK: } : tensor<?xf32> to tensor<32xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x16xf32>, tensor<2x16xf32>) outs(%{{.*}} : tensor<2x16x16xf32>)
// CHECK: ^bb0(%[[ROW:.*]]: f32, %[[COL:.*]]: f32, %[[LOGIT:.*]]: f32):
// CHECK: %[[Q:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK: %[[K:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK: %[[BEFORE:.*]] = arith.cmpi slt, %[[K]], %[[Q]] : index
// CHECK: %[[F:.*]] = arith.addf %[[ROW]], %[[COL]] : f32
// CHECK: %[[BIAS:.*]] = arith.select %[[BEFORE]], %[[F]], %{{.*}} : f32
// CHECK: arith.addf %[[LOGIT]], %[[BIAS]] : f32
// CHECK: scf.if %{{.*}} -> (tensor<2xf32>)
// CHECK: scf.yield %{{.*}} : tensor<2xf32>
func.func @forget(%q: tensor<?x?x2x16xf32>, %kv: tensor<?x?x1x16xf32>, %f: tensor<?x?x2xf32>) -> tensor<?x?x2x16xf32> {
  %o = mixer.attention %q, %kv, %kv forget %f mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %c = arith.cmpi ule, %s, %t : index
    mixer.yield %c : i1
  } {form = #mixer.form<flash, tile = 16>} : (tensor<?x?x2x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x2xf32>) -> tensor<?x?x2x16xf32>
  return %o : tensor<?x?x2x16xf32>
}
