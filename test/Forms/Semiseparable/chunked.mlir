// RUN: mixir-opt %s -mixer-lower-forms -split-input-file | FileCheck %s

// A scalar (per-token) gate with beta, chunks of 32: the chunk loop carries
// the K×V state; the tail chunk is zero-padded; the decay enters through the
// local cumulative sum G of the chunk and exp(min(G_t - G_s, 0)).
// CHECK-LABEL: func @token_gate_beta
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[LAST:.*]] = arith.constant 31 : index
// CHECK: scf.forall
// CHECK: %[[N:.*]] = arith.ceildivsi %{{.*}}, %[[C32]]
// CHECK: scf.for %[[C:.*]] = %c0 to %[[N]] step %c1 iter_args(%[[S:.*]] = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<16x8xf32>, tensor<?x8xf32>)
// CHECK: %[[T0:.*]] = arith.muli %[[C]], %[[C32]]
// CHECK: %[[LEN:.*]] = arith.minsi %{{.*}}, %[[C32]]
// CHECK: tensor.pad %{{.*}} low[0, 0] high[%{{.*}}, 0]
// CHECK: } : tensor<?x16xf32> to tensor<32x16xf32>
// Cumulative sum of the gate inside the chunk.
// CHECK: %[[G:.*]]:2 = scf.for {{.*}} -> (f32, tensor<32xf32>)
// CHECK: arith.addf
// CHECK: tensor.insert
// Intra-chunk scores, decayed and masked.
// CHECK: %[[SCORES:.*]] = linalg.generic {{.*}} ins(%[[G]]#1, %[[G]]#1 : tensor<32xf32>, tensor<32xf32>)
// CHECK: arith.minimumf
// CHECK: math.exp
// CHECK: arith.select
// Inter-chunk part against the carried state, then the scores times V.
// CHECK: %[[INTER:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[S]] : tensor<32x16xf32>, tensor<16x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[SCORES]], %{{.*}} : tensor<32x32xf32>, tensor<32x8xf32>) outs(%[[INTER]] : tensor<32x8xf32>)
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[%[[T0]], 0] [%[[LEN]], 8]
// State update with exp(G_last - G_s).
// CHECK: tensor.extract %[[G]]#1[%[[LAST]]]
func.func @token_gate_beta(%q: tensor<?x?x2x16xf32>, %k: tensor<?x?x2x16xf32>, %v: tensor<?x?x2x8xf32>, %g: tensor<?x?x2xf32>, %beta: tensor<?x?x2xf32>) -> tensor<?x?x2x8xf32> {
  %o = mixer.semiseparable %q, %k, %v gate(%g) beta(%beta) {scale = 1.0 : f64, form = #mixer.form<chunked, tile = 32>} : (tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> tensor<?x?x2x8xf32>
  return %o : tensor<?x?x2x8xf32>
}

// -----

// A per-channel gate: the decay sits inside the score dot product, so the
// diagonal block carries decayed keys D (C×K) through a loop over the chunk's
// tokens: D = select(s == t, k_t, D ⊙ exp(g_t)), then one row of scores
// D·q_t. Only C·K exponentials per chunk, none per pair; the default chunk
// for a per-channel gate is 16.
// CHECK-LABEL: func @channel_gate
// CHECK: arith.constant 16 : index
// CHECK: scf.for
// Cumulative sum of the gate, one row per step.
// CHECK: scf.for {{.*}} -> (tensor<8xf32>, tensor<16x8xf32>)
// CHECK: math.exp
// CHECK: scf.for %[[T:.*]] = %c0 to %c16 step %c1 iter_args(%[[D:.*]] = %{{.*}}, %[[A:.*]] = %{{.*}}) -> (tensor<16x8xf32>, tensor<16x16xf32>)
// CHECK: %[[AT:.*]] = tensor.extract_slice %{{.*}}[%[[T]], 0] [1, 8]
// D is updated in place: it is the generic's init.
// CHECK: %[[DN:.*]] = linalg.generic {{.*}} ins(%[[AT]], %{{.*}} : tensor<8xf32>, tensor<8xf32>) outs(%[[D]] : tensor<16x8xf32>)
// CHECK: arith.cmpi eq, %{{.*}}, %[[T]]
// CHECK-NOT: math.exp
// CHECK: arith.select
// CHECK: %[[ROW:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[DN]], %{{.*}} : tensor<16x8xf32>, tensor<8xf32>)
// CHECK: tensor.insert_slice %[[ROW]] into %[[A]][%[[T]], 0] [1, 16]
func.func @channel_gate(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>, %g: tensor<?x?x2x8xf32>) -> tensor<?x?x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v gate(%g) {form = #mixer.form<chunked>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2x8xf32>) -> tensor<?x?x2x4xf32>
  return %o : tensor<?x?x2x4xf32>
}

// -----

// No gate: no exponential at all.
// CHECK-LABEL: func @no_gate
// CHECK: scf.for
// CHECK-NOT: math.exp
// CHECK: return
func.func @no_gate(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>) -> tensor<?x?x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v {form = #mixer.form<chunked, tile = 8>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>) -> tensor<?x?x2x4xf32>
  return %o : tensor<?x?x2x4xf32>
}

// -----

// The run-time choice between one sequential chunk loop per (batch, head)
// and splitting each head's chunks into segments: split when at least two
// chunks and 2·B·H ≤ workers. The split runs (1) each segment's state
// contribution and total log decay from a zero state, in parallel over
// (b, h, segment); (2) the states entering the segments, in order, per
// (b, h), which also give the final state; (3) each segment's outputs from
// its entering state, in parallel over (b, h, segment).
// CHECK-LABEL: func @split
// CHECK-DAG: %[[T:.*]] = tensor.dim %{{.*}}, %c1
// CHECK-DAG: %[[NC:.*]] = arith.ceildivsi %[[T]], %c4
// CHECK-DAG: %[[BH:.*]] = arith.muli %{{.*}}, %c2
// CHECK-DAG: %[[W:.*]] = mixer.num_workers
// CHECK-DAG: %[[TWO_CHUNKS:.*]] = arith.cmpi sge, %[[NC]], %c2
// CHECK-DAG: %[[BH2:.*]] = arith.muli %[[BH]], %c2
// CHECK-DAG: %[[IDLE:.*]] = arith.cmpi sle, %[[BH2]], %[[W]]
// CHECK: %[[R:.*]]:2 = scf.if %{{.*}} -> (tensor<?x?x2x4xf32>, tensor<?x2x8x4xf32>) {
// CHECK: %[[PER_HEAD:.*]] = arith.divsi %[[W]], %[[BH]]
// CHECK: %[[SEGS:.*]] = arith.minsi %[[PER_HEAD]], %[[NC]]
// CHECK: %[[LEN:.*]] = arith.ceildivsi %[[NC]], %[[SEGS]]
// CHECK: %[[NS:.*]] = arith.ceildivsi %[[NC]], %[[LEN]]
// CHECK: %[[U:.*]]:2 = scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}}, 2, %[[NS]]) {{.*}} -> (tensor<?x2x?x8x4xf32>, tensor<?x2x?x1xf32>)
// CHECK: scf.for {{.*}} -> (tensor<8x4xf32>, f32)
// CHECK: tensor.parallel_insert_slice
// CHECK: tensor.parallel_insert_slice
// CHECK: %[[S:.*]]:2 = scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, 2) shared_outs(%{{.*}} = %[[U]]#0, %{{.*}} = %{{.*}}) -> (tensor<?x2x?x8x4xf32>, tensor<?x2x8x4xf32>)
// CHECK: scf.for %{{.*}} = %c0 to %[[NS]] step %c1 iter_args(%[[SIN:.*]] = %{{.*}}, %[[STATES:.*]] = %{{.*}}) -> (tensor<8x4xf32>, tensor<?x8x4xf32>)
// CHECK: math.exp
// CHECK: tensor.insert_slice %[[SIN]] into %[[STATES]]
// CHECK: %[[O:.*]] = scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}}, 2, %[[NS]]) {{.*}} -> (tensor<?x?x2x4xf32>)
// CHECK: tensor.extract_slice %[[S]]#0
// CHECK: scf.for
// CHECK: scf.yield %[[O]], %[[S]]#1
// CHECK: } else {
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, 2)
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @split(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>, %g: tensor<?x?x2xf32>, %h0: tensor<?x2x8x4xf32>) -> (tensor<?x?x2x4xf32>, tensor<?x2x8x4xf32>) {
  %o, %s = mixer.semiseparable %q, %k, %v gate(%g) initial_state(%h0) {form = #mixer.form<chunked, tile = 4>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2xf32>, tensor<?x2x8x4xf32>) -> (tensor<?x?x2x4xf32>, tensor<?x2x8x4xf32>)
  return %o, %s : tensor<?x?x2x4xf32>, tensor<?x2x8x4xf32>
}

// -----

// Static B and T: the lowering's dynamic results are cast back.
// CHECK-LABEL: func @static_sizes
// CHECK: scf.if
// CHECK: tensor.cast %{{.*}} : tensor<?x?x2x4xf32> to tensor<3x10x2x4xf32>
// CHECK: } else {
// CHECK: return
func.func @static_sizes(%q: tensor<3x10x2x8xf32>, %k: tensor<3x10x2x8xf32>, %v: tensor<3x10x2x4xf32>) -> tensor<3x10x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v {form = #mixer.form<chunked, tile = 4>} : (tensor<3x10x2x8xf32>, tensor<3x10x2x8xf32>, tensor<3x10x2x4xf32>) -> tensor<3x10x2x4xf32>
  return %o : tensor<3x10x2x4xf32>
}


// -----

// 16-bit tensors: tiles are widened to f32 as they are packed, the state and
// every accumulation are f32, and each chunk's output rows are rounded to
// bf16 once, when stored.
// CHECK-LABEL: func @bf16_tensors
// CHECK: scf.for {{.*}} -> (tensor<8x4xf32>, tensor<?x4xbf16>)
// CHECK: tensor.pad
// CHECK: } : tensor<?x8xbf16> to tensor<16x8xbf16>
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: tensor.insert_slice %{{.*}} : tensor<?x4xbf16> into tensor<?x4xbf16>
func.func @bf16_tensors(%q: tensor<?x?x2x8xbf16>, %v: tensor<?x?x2x4xbf16>) -> tensor<?x?x2x4xbf16> {
  %o = mixer.semiseparable %q, %q, %v {form = #mixer.form<chunked, tile = 16>} : (tensor<?x?x2x8xbf16>, tensor<?x?x2x8xbf16>, tensor<?x?x2x4xbf16>) -> tensor<?x?x2x4xbf16>
  return %o : tensor<?x?x2x4xbf16>
}

// -----

// The delta rule, chunks of 32: the chunk's strictly lower system
// L = −strict(diag(β) K Kᵀ) is solved for diag(β) V (and for
// −diag(β) K) in sub-blocks of 16 rows: row by row inside the diagonal
// blocks, a matmul for the block below; then U = u0 + wn·S feeds the
// output and the state update.
// CHECK-LABEL: func @delta_chunks
// CHECK: scf.for {{.*}} iter_args(%[[S:.*]] = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<8x4xf32>, tensor<?x4xf32>)
// CHECK: %[[L:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<32xf32>) outs(%{{.*}} : tensor<32x32xf32>)
// CHECK: arith.cmpi ult
// CHECK: arith.negf
// CHECK: %[[BLOCK0:.*]] = tensor.extract_slice %[[L]][0, 0] [16, 16]
// CHECK: scf.for {{.*}} -> (tensor<16x4xf32>)
// CHECK: tensor.extract_slice %[[BLOCK0]]
// CHECK: %[[BELOW:.*]] = tensor.extract_slice %[[L]][16, 0] [16, 16]
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[BELOW]], %{{.*}} : tensor<16x16xf32>, tensor<16x4xf32>)
// CHECK: tensor.extract_slice %[[L]][16, 16] [16, 16]
// CHECK: scf.for {{.*}} -> (tensor<16x4xf32>)
// The right-hand side −diag(β) K, solved the same way.
// CHECK: arith.negf
// CHECK: scf.for {{.*}} -> (tensor<16x8xf32>)
// U = u0 + wn·S
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[S]] : tensor<32x8xf32>, tensor<8x4xf32>) outs(%{{.*}} : tensor<32x4xf32>)
func.func @delta_chunks(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>, %beta: tensor<?x?x2xf32>) -> tensor<?x?x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v beta(%beta) {delta_rule, form = #mixer.form<chunked, tile = 32>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2xf32>) -> tensor<?x?x2x4xf32>
  return %o : tensor<?x?x2x4xf32>
}

// -----

// A transition with a rank-one part splits a head's sequence with a K×K
// transition per segment (the chunk maps applied to the identity).
// CHECK-LABEL: func @delta_split
// CHECK: scf.if
// CHECK: scf.forall {{.*}} -> (tensor<?x2x?x8x4xf32>, tensor<?x2x?x8x8xf32>)
// The identity the segment's transition starts from.
// CHECK: linalg.fill {{.*}} -> tensor<8x8xf32>
// CHECK: arith.cmpi eq
// CHECK: scf.for {{.*}} -> (tensor<8x4xf32>, tensor<8x8xf32>)
// CHECK: scf.forall {{.*}} -> (tensor<?x2x?x8x4xf32>)
// The entering states: S_in(j+1) = M_j S_in(j) + U_j.
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<8x8xf32>, tensor<8x4xf32>) outs(%{{.*}} : tensor<8x4xf32>)
func.func @delta_split(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>, %g: tensor<?x?x2x8xf32>) -> tensor<?x?x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v gate(%g) {delta_rule, form = #mixer.form<chunked, tile = 16>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2x8xf32>) -> tensor<?x?x2x4xf32>
  return %o : tensor<?x?x2x4xf32>
}

// -----

// Diagonal plus low rank, a token gate: the reads of b_t see the state
// before token t, so their scores decay with the sums shifted one token
// (exp(G_{t−1} − G_s), s < t).
// CHECK-LABEL: func @low_rank_chunks
// CHECK: scf.for {{.*}} -> (tensor<8x4xf32>, tensor<?x4xf32>)
// CHECK: %[[G:.*]]:2 = scf.for {{.*}} -> (f32, tensor<16xf32>)
// CHECK: %[[HEAD:.*]] = tensor.extract_slice %[[G]]#1[0] [15] [1]
// CHECK: %[[SHIFTED:.*]] = tensor.insert_slice %[[HEAD]] into %{{.*}}[1] [15] [1]
// CHECK: linalg.generic {{.*}} ins(%[[SHIFTED]], %[[G]]#1 : tensor<16xf32>, tensor<16xf32>)
// CHECK: arith.cmpi ult
func.func @low_rank_chunks(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>, %g: tensor<?x?x2xf32>, %a: tensor<?x?x2x8xf32>, %b: tensor<?x?x2x8xf32>) -> tensor<?x?x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v gate(%g) low_rank(%a, %b) {form = #mixer.form<chunked, tile = 16>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>) -> tensor<?x?x2x4xf32>
  return %o : tensor<?x?x2x4xf32>
}

// -----

// Four heads, without the sequence split: work items of G heads of one
// batch element (G = 2 where B·H/2 items cover the workers, else 1), each
// chunk computed for the group's heads in turn on their [G, K, V] states.
// CHECK-LABEL: func @head_groups
// CHECK: scf.if
// CHECK: } else {
// CHECK: %[[WORKERS:.*]] = mixer.num_workers
// CHECK: %[[G:.*]] = arith.select %{{.*}}, %c2, %c1 : index
// CHECK: %[[GROUPS:.*]] = arith.divui %c4, %[[G]]
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (%{{.*}}, %[[GROUPS]])
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c1 iter_args({{.*}}) -> (tensor<?x8x4xf32>, tensor<?x?x4xf32>)
// CHECK: scf.for %[[H:.*]] = %c0 to %[[G]] step %c1
// CHECK: tensor.extract_slice %{{.*}}[%[[H]], 0, 0] [1, 8, 4] [1, 1, 1] : tensor<?x8x4xf32> to tensor<8x4xf32>
func.func @head_groups(%q: tensor<?x?x4x8xf32>, %k: tensor<?x?x4x8xf32>, %v: tensor<?x?x4x4xf32>) -> tensor<?x?x4x4xf32> {
  %o = mixer.semiseparable %q, %k, %v {form = #mixer.form<chunked, tile = 4>} : (tensor<?x?x4x8xf32>, tensor<?x?x4x8xf32>, tensor<?x?x4x4xf32>) -> tensor<?x?x4x4xf32>
  return %o : tensor<?x?x4x4xf32>
}
