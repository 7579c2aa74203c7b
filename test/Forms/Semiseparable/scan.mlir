// RUN: mixir-opt %s -mixer-lower-forms -split-input-file | FileCheck %s

// A per-token gate: one fused update + read-out per token, the decay
// exponentiated once per token, the state carried by the token loop.
// CHECK-LABEL: func @token_gate
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x2x8xf32>, %{{.*}}: tensor<?x?x2x8xf32>, %{{.*}}: tensor<?x?x2x4xf32>, %[[G:.*]]: tensor<?x?x2xf32>)
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 0.353553385 : f32
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[Q]], %c0
// CHECK-DAG: %[[T:.*]] = tensor.dim %[[Q]], %c1
// CHECK: scf.forall (%[[BI:.*]], %[[HI:.*]]) in (%[[B]], 2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<?x?x2x4xf32>)
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<8x4xf32>
// CHECK: scf.for %[[TI:.*]] = %c0 to %[[T]] step %c1 iter_args(%[[S:.*]] = %[[ZERO]], %{{.*}} = %{{.*}}) -> (tensor<8x4xf32>, tensor<?x4xf32>)
// CHECK: arith.mulf %{{.*}}, %[[SCALE]]
// CHECK: %[[GT:.*]] = tensor.extract %[[G]][%[[BI]], %[[TI]], %[[HI]]]
// CHECK: %[[DECAY:.*]] = math.exp %[[GT]]
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK-SAME: outs(%[[S]], %{{.*}} : tensor<8x4xf32>, tensor<1x4xf32>)
// CHECK: arith.mulf %{{.*}}, %[[DECAY]]
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[BI]], 0, %[[HI]], 0] [1, %[[T]], 1, 4]
func.func @token_gate(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>, %g: tensor<?x?x2xf32>) -> tensor<?x?x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v gate(%g) {form = #mixer.form<scan>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2xf32>) -> tensor<?x?x2x4xf32>
  return %o : tensor<?x?x2x4xf32>
}

// -----

// A per-channel gate enters the fused update as an exponentiated vector;
// the initial state seeds the loop and the final state is written back.
// An f32 final state is the head's working state: h0's slice is copied row
// by row (vector transfers) into the head's slice of the result, which the
// token loop then updates in place.
// CHECK-LABEL: func @channel_gate_state
// CHECK-SAME: %[[H0:[^:]*]]: tensor<?x2x8x4xf32>)
// CHECK: scf.forall {{.*}} shared_outs(%{{.*}} = %{{.*}}, %[[FINAL:.*]] = %{{.*}})
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[FINAL]]
// CHECK: %[[INIT:.*]] = tensor.extract_slice %[[H0]]
// CHECK: %[[COPY:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[SLICE]]) -> (tensor<8x4xf32>)
// CHECK: %[[ROW:.*]] = vector.transfer_read %[[INIT]]
// CHECK: vector.transfer_write %[[ROW]], %[[ACC]]
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[COPY]],
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[FINAL]]
func.func @channel_gate_state(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>, %g: tensor<?x?x2x8xf32>, %h0: tensor<?x2x8x4xf32>) -> (tensor<?x?x2x4xf32>, tensor<?x2x8x4xf32>) {
  %o, %hT = mixer.semiseparable %q, %k, %v gate(%g) initial_state(%h0) {form = #mixer.form<scan>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2x8xf32>, tensor<?x2x8x4xf32>) -> (tensor<?x?x2x4xf32>, tensor<?x2x8x4xf32>)
  return %o, %hT : tensor<?x?x2x4xf32>, tensor<?x2x8x4xf32>
}

// -----

// Static B and T: the lowering's dynamic results are cast back.
// CHECK-LABEL: func @static_sizes
// CHECK: scf.forall
// CHECK: tensor.cast %{{.*}} : tensor<?x?x2x4xf32> to tensor<3x10x2x4xf32>
func.func @static_sizes(%q: tensor<3x10x2x8xf32>, %k: tensor<3x10x2x8xf32>, %v: tensor<3x10x2x4xf32>) -> tensor<3x10x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v {form = #mixer.form<scan>} : (tensor<3x10x2x8xf32>, tensor<3x10x2x8xf32>, tensor<3x10x2x4xf32>) -> tensor<3x10x2x4xf32>
  return %o : tensor<3x10x2x4xf32>
}

// -----

// The delta rule: per token, a first pass decays the state and reduces
// r = S̃ᵀ k, then u = β (v − r), then a second pass updates S̃ + k uᵀ and
// reads the output out. β is not folded into k.
// CHECK-LABEL: func @delta_token_gate
// CHECK-SAME: %[[BETA:[^:]*]]: tensor<?x?x2xf32>)
// CHECK: scf.for %[[T:.*]] = {{.*}} iter_args(%[[S:.*]] = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<8x4xf32>, tensor<?x4xf32>)
// CHECK: %[[DECAY:.*]] = math.exp
// CHECK: %[[FIRST:.*]]:2 = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%{{.*}} : tensor<1x8xf32>) outs(%[[S]], %{{.*}} : tensor<8x4xf32>, tensor<1x4xf32>)
// CHECK: %[[SD:.*]] = arith.mulf %{{.*}}, %[[DECAY]]
// CHECK: %[[KS:.*]] = arith.mulf %{{.*}}, %[[SD]]
// CHECK: arith.addf %{{.*}}, %[[KS]]
// CHECK: %[[B:.*]] = tensor.extract %[[BETA]][%{{.*}}, %[[T]], %{{.*}}]
// CHECK: %[[U:.*]] = linalg.generic {{.*}} outs(%[[FIRST]]#1 : tensor<1x4xf32>)
// CHECK: arith.subf
// CHECK: arith.mulf %[[B]]
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%{{.*}}, %[[U]], %{{.*}} : tensor<1x8xf32>, tensor<1x4xf32>, tensor<1x8xf32>) outs(%[[FIRST]]#0, %{{.*}} : tensor<8x4xf32>, tensor<1x4xf32>)
func.func @delta_token_gate(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>, %g: tensor<?x?x2xf32>, %beta: tensor<?x?x2xf32>) -> tensor<?x?x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v gate(%g) beta(%beta) {delta_rule, form = #mixer.form<scan>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> tensor<?x?x2x4xf32>
  return %o : tensor<?x?x2x4xf32>
}

// -----

// Diagonal plus low rank: a first pass reads w = Sᵀ b from the state before
// the token's decay, then one pass updates diag(exp(g)) S + a wᵀ + k vᵀ and
// reads the output out.
// CHECK-LABEL: func @low_rank_channel_gate
// CHECK: scf.for {{.*}} iter_args(%[[S:.*]] = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<8x4xf32>, tensor<?x4xf32>)
// CHECK: %[[W:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%{{.*}}, %[[S]] : tensor<1x8xf32>, tensor<8x4xf32>) outs(%{{.*}} : tensor<1x4xf32>)
// CHECK: %[[DECAY:.*]] = linalg.generic
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%{{.*}}, %[[W]], %{{.*}}, %{{.*}}, %{{.*}}, %[[DECAY]] : {{.*}}) outs(%[[S]], %{{.*}} : tensor<8x4xf32>, tensor<1x4xf32>)
func.func @low_rank_channel_gate(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>, %g: tensor<?x?x2x8xf32>, %a: tensor<?x?x2x8xf32>, %b: tensor<?x?x2x8xf32>) -> tensor<?x?x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v gate(%g) low_rank(%a, %b) {form = #mixer.form<scan>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>) -> tensor<?x?x2x4xf32>
  return %o : tensor<?x?x2x4xf32>
}

// -----

// Four heads: work items of G heads of one batch element, each token
// computed for the group's heads in turn (a token's heads share their
// rows' pages), the group's states one [G, K, V] tensor. G is chosen at run
// time: 2 where B·H/2 items still cover the workers (and T ≥ 8), else 1.
// Under 8 tokens (a decode step) the per-head program runs.
// CHECK-LABEL: func @head_groups
// CHECK: %[[T:.*]] = tensor.dim %{{.*}}, %c1
// CHECK: %[[FEW:.*]] = arith.cmpi slt, %[[T]], %c8
// CHECK: scf.if %[[FEW]]
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, 4)
// CHECK: } else {
// CHECK: %[[WORKERS:.*]] = mixer.num_workers
// CHECK: %[[LONG:.*]] = arith.cmpi sge, %{{.*}}, %c8
// CHECK: %[[ITEMS:.*]] = arith.muli %{{.*}}, %c2
// CHECK: %[[COVER:.*]] = arith.cmpi sge, %[[ITEMS]], %[[WORKERS]]
// CHECK: %[[ENOUGH:.*]] = arith.andi %[[LONG]], %[[COVER]]
// CHECK: %[[G:.*]] = arith.select %[[ENOUGH]], %c2, %c1
// CHECK: %[[GROUPS:.*]] = arith.divui %c4, %[[G]]
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, %[[GROUPS]])
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[G]]) : tensor<?x8x4xf32>
// CHECK: %[[STATES:.*]] = linalg.fill {{.*}} outs(%[[EMPTY]]
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[STATES]], %{{.*}} = %{{.*}}) -> (tensor<?x8x4xf32>, tensor<?x?x4xf32>)
// CHECK: scf.for %[[H:.*]] = %c0 to %[[G]]
// CHECK: tensor.extract_slice %{{.*}}[%[[H]], 0, 0] [1, 8, 4] [1, 1, 1] : tensor<?x8x4xf32> to tensor<8x4xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[%[[H]], 0, 0] [1, 8, 4]
func.func @head_groups(%q: tensor<?x?x4x8xf32>, %k: tensor<?x?x4x8xf32>, %v: tensor<?x?x4x4xf32>) -> tensor<?x?x4x4xf32> {
  %o = mixer.semiseparable %q, %k, %v {form = #mixer.form<scan>} : (tensor<?x?x4x8xf32>, tensor<?x?x4x8xf32>, tensor<?x?x4x4xf32>) -> tensor<?x?x4x4xf32>
  return %o : tensor<?x?x4x4xf32>
}
