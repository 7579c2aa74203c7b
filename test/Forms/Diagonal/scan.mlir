// RUN: mixir-opt %s -mixer-lower-forms | FileCheck %s

// The scan form of mixer.diagonal_recurrence (docs/math.md, section 4.1):
// an scf.forall over (batch, leading channels, tiles of the last channel
// dimension); each item carries its state (from the initial state) through
// the T steps, one element-wise generic per step (h = exp(g)·h + b with a
// log decay, the bf16 input converted inside it, the f16 output row written
// from it), then writes its rows and its final state.
// CHECK-LABEL: func @scan
// CHECK-SAME: (%[[A:.*]]: tensor<?x?x2x8xf32>, %[[X:.*]]: tensor<?x?x2x8xbf16>, %[[H0:.*]]: tensor<?x2x8xf32>)
// CHECK: %[[T:.*]] = tensor.dim %[[X]], %c1
// CHECK: scf.forall (%[[B:.*]], %[[D0:.*]], %[[J:.*]]) in (%{{.*}}, 2, 1)
// CHECK: %[[COL:.*]] = arith.muli %[[J]], %c8
// CHECK: %[[INIT:.*]] = tensor.extract_slice %[[H0]][%[[B]], %[[D0]], %[[COL]]] [1, 1, 8]
// CHECK: %[[ROWS:.*]] = tensor.extract_slice %{{.*}}[%[[B]], %c0, %[[D0]], %[[COL]]] [1, %[[T]], 1, 8] {{.*}} to tensor<?x8xf16>
// CHECK: scf.for %[[S:[a-z0-9_]+]] = %c0 to %[[T]] step %c1 iter_args(%[[H:.*]] = %[[INIT]], %{{.*}} = %[[ROWS]])
// CHECK: %[[AT:.*]] = tensor.extract_slice %[[A]][%[[B]], %[[S]], %[[D0]], %[[COL]]] [1, 1, 1, 8]
// CHECK: %[[XT:.*]] = tensor.extract_slice %[[X]][%[[B]], %[[S]], %[[D0]], %[[COL]]] [1, 1, 1, 8]
// CHECK: linalg.generic {{.*}} ins(%[[AT]], %[[XT]] : tensor<8xf32>, tensor<8xbf16>) outs(%[[H]], %{{.*}} : tensor<8xf32>, tensor<8xf16>)
// CHECK: ^bb0(%[[G:.*]]: f32, %[[XE:.*]]: bf16, %[[HE:.*]]: f32, %{{.*}}: f16):
// CHECK: %[[BE:.*]] = arith.extf %[[XE]] : bf16 to f32
// CHECK: %[[E:.*]] = math.exp %[[G]] : f32
// CHECK: %[[P:.*]] = arith.mulf %[[E]], %[[HE]] : f32
// CHECK: %[[N:.*]] = arith.addf %[[P]], %[[BE]] : f32
// CHECK: %[[NH:.*]] = arith.truncf %[[N]] : f32 to f16
// CHECK: linalg.yield %[[N]], %[[NH]] : f32, f16
// CHECK: tensor.insert_slice
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.*}}#1 into %{{.*}}[%[[B]], %c0, %[[D0]], %[[COL]]] [1, %[[T]], 1, 8]
// CHECK: tensor.parallel_insert_slice %{{.*}}#0 into %{{.*}}[%[[B]], %[[D0]], %[[COL]]] [1, 1, 8]
func.func @scan(%a: tensor<?x?x2x8xf32>, %x: tensor<?x?x2x8xbf16>, %h0: tensor<?x2x8xf32>) -> (tensor<?x?x2x8xf16>, tensor<?x2x8xf32>) {
  %h, %hT = mixer.diagonal_recurrence %a, %x init(%h0) {log_decay, form = #mixer.form<scan>}
      : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xbf16>, tensor<?x2x8xf32>) -> (tensor<?x?x2x8xf16>, tensor<?x2x8xf32>)
  return %h, %hT : tensor<?x?x2x8xf16>, tensor<?x2x8xf32>
}

// A decay per channel is sliced once, outside the steps; no initial state
// starts from zero. 2048 channels are two tiles of 1024 (a step's row of a
// stream fills a 4 KiB page).
// CHECK-LABEL: func @channel_decay
// CHECK-SAME: (%[[LAM:.*]]: tensor<2048xf32>, %[[X:.*]]: tensor<?x?x2048xf32>)
// CHECK: scf.forall (%[[B:.*]], %[[J:.*]]) in (%{{.*}}, 2)
// CHECK: %[[COL:.*]] = arith.muli %[[J]], %c1024
// CHECK: linalg.fill
// CHECK: %[[L:.*]] = tensor.extract_slice %[[LAM]][%[[COL]]] [1024] [1]
// CHECK: scf.for
// CHECK-NOT: tensor.extract_slice %[[LAM]]
// CHECK: linalg.generic {{.*}} ins(%[[L]], %{{.*}} : tensor<1024xf32>, tensor<1024xf32>)
func.func @channel_decay(%lam: tensor<2048xf32>, %x: tensor<?x?x2048xf32>) -> tensor<?x?x2048xf32> {
  %h = mixer.diagonal_recurrence %lam, %x {form = #mixer.form<scan>}
      : (tensor<2048xf32>, tensor<?x?x2048xf32>) -> tensor<?x?x2048xf32>
  return %h : tensor<?x?x2048xf32>
}

// A per-channel decay in log space: its factor exp(log a) is the same at
// every step, computed once per tile before the steps, which read it.
// CHECK-LABEL: func @channel_log_decay
// CHECK-SAME: (%[[LAM:.*]]: tensor<8xf32>, %[[X:.*]]: tensor<?x?x8xf32>)
// CHECK: %[[L:.*]] = tensor.extract_slice %[[LAM]]
// CHECK: %[[F:.*]] = linalg.generic {{.*}} ins(%[[L]] : tensor<8xf32>)
// CHECK: math.exp
// CHECK: scf.for
// CHECK: linalg.generic {{.*}} ins(%[[L]], %{{.*}}, %[[F]] : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK-NOT: math.exp
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.yield
func.func @channel_log_decay(%lam: tensor<8xf32>, %x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %h = mixer.diagonal_recurrence %lam, %x {log_decay, form = #mixer.form<scan>}
      : (tensor<8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %h : tensor<?x?x8xf32>
}

// The decay and input computed by one element-wise generic over [B, T, D]
// (as mixer-raise-recurrences builds them) are read through it: each step
// slices the generic's inputs and computes a and b in the step's generic.
// CHECK-LABEL: func @through_producer
// CHECK-SAME: (%[[I:.*]]: tensor<?x?x8xf32>, %[[F:.*]]: tensor<?x?x8xf32>)
// CHECK: scf.for %[[S:[a-z0-9_]+]] =
// CHECK-DAG: %[[IT:.*]] = tensor.extract_slice %[[I]][%{{.*}}, %[[S]], %{{.*}}] [1, 1, 8]
// CHECK-DAG: %[[FT:.*]] = tensor.extract_slice %[[F]][%{{.*}}, %[[S]], %{{.*}}] [1, 1, 8]
// CHECK: linalg.generic {{.*}} ins(%[[IT]], %[[FT]] : tensor<8xf32>, tensor<8xf32>)
// CHECK: ^bb0(%[[IE:.*]]: f32, %[[FE:.*]]: f32, %[[HE:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[REST:.*]] = arith.subf %{{.*}}, %[[FE]] : f32
// CHECK: %[[BE:.*]] = arith.mulf %[[REST]], %[[IE]] : f32
// CHECK: %[[P:.*]] = arith.mulf %[[FE]], %[[HE]] : f32
// CHECK: arith.addf %[[P]], %[[BE]] : f32
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @through_producer(%i: tensor<?x?x8xf32>, %f: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %B = tensor.dim %i, %c0 : tensor<?x?x8xf32>
  %T = tensor.dim %i, %c1 : tensor<?x?x8xf32>
  %e0 = tensor.empty(%B, %T) : tensor<?x?x8xf32>
  %e1 = tensor.empty(%B, %T) : tensor<?x?x8xf32>
  %ab:2 = linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%i, %f : tensor<?x?x8xf32>, tensor<?x?x8xf32>) outs(%e0, %e1 : tensor<?x?x8xf32>, tensor<?x?x8xf32>) {
  ^bb0(%ie: f32, %fe: f32, %o0: f32, %o1: f32):
    %one = arith.constant 1.0 : f32
    %rest = arith.subf %one, %fe : f32
    %b = arith.mulf %rest, %ie : f32
    linalg.yield %fe, %b : f32, f32
  } -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>)
  %h = mixer.diagonal_recurrence %ab#0, %ab#1 {form = #mixer.form<scan>}
      : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %h : tensor<?x?x8xf32>
}

// A complex decay (mixer.complex_diagonal_recurrence): the state is two
// tensor<W> (re, im), and each step is one generic computing
// h = λ ⊙ h + b in complex arithmetic on them, writing both parts' rows;
// the final state is both parts.
// CHECK-LABEL: func @complex_scan
// CHECK-SAME: (%[[LR:.*]]: tensor<8xf32>, %[[LI:.*]]: tensor<8xf32>, %[[XR:.*]]: tensor<?x?x8xf32>, %[[XI:.*]]: tensor<?x?x8xbf16>, %[[H0R:.*]]: tensor<?x8xf32>, %[[H0I:.*]]: tensor<?x8xf32>)
// CHECK: scf.forall {{.*}} -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>)
// CHECK: %[[R0:.*]] = tensor.extract_slice %[[H0R]]
// CHECK: %[[I0:.*]] = tensor.extract_slice %[[H0I]]
// CHECK: %[[LRT:.*]] = tensor.extract_slice %[[LR]]
// CHECK: %[[LIT:.*]] = tensor.extract_slice %[[LI]]
// CHECK: scf.for {{.*}} iter_args(%[[HR:.*]] = %[[R0]], %[[HI:.*]] = %[[I0]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}})
// CHECK: linalg.generic {{.*}} ins(%[[LRT]], %[[LIT]], %{{.*}}, %{{.*}} : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xbf16>) outs(%[[HR]], %[[HI]], %{{.*}}, %{{.*}} : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK: ^bb0(%[[AR:[a-z0-9_]+]]: f32, %[[AI:[a-z0-9_]+]]: f32, %[[BR:[a-z0-9_]+]]: f32, %[[BI16:[a-z0-9_]+]]: bf16, %[[SR:[a-z0-9_]+]]: f32, %[[SI:[a-z0-9_]+]]: f32,
// CHECK: %[[BI:.*]] = arith.extf %[[BI16]]
// CHECK-DAG: %[[II:.*]] = arith.mulf %[[AI]], %[[SI]]
// CHECK-DAG: %[[RR:.*]] = arith.mulf %[[AR]], %[[SR]]
// CHECK-DAG: %[[RE:.*]] = arith.subf %[[RR]], %[[II]]
// CHECK-DAG: %[[IR:.*]] = arith.mulf %[[AI]], %[[SR]]
// CHECK-DAG: %[[RI:.*]] = arith.mulf %[[AR]], %[[SI]]
// CHECK-DAG: %[[IM:.*]] = arith.addf %[[RI]], %[[IR]]
// CHECK-DAG: %[[NR:.*]] = arith.addf %[[RE]], %[[BR]]
// CHECK-DAG: %[[NI:.*]] = arith.addf %[[IM]], %[[BI]]
// CHECK: linalg.yield %[[NR]], %[[NI]], %[[NR]], %[[NI]]
// CHECK: tensor.parallel_insert_slice
// CHECK: tensor.parallel_insert_slice
// CHECK: tensor.parallel_insert_slice
// CHECK: tensor.parallel_insert_slice
func.func @complex_scan(%lr: tensor<8xf32>, %li: tensor<8xf32>, %xr: tensor<?x?x8xf32>, %xi: tensor<?x?x8xbf16>, %h0r: tensor<?x8xf32>, %h0i: tensor<?x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) {
  %hr, %hi, %tr, %ti = mixer.complex_diagonal_recurrence %lr, %li, %xr, %xi init(%h0r, %h0i) {form = #mixer.form<scan>}
      : (tensor<8xf32>, tensor<8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xbf16>, tensor<?x8xf32>, tensor<?x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>)
  return %hr, %hi, %tr, %ti : tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}

// A per-channel log decay computed by a generic over [d] (as the raise pass
// hoists exp(nu) → −exp(nu)) is read as a channel tensor, not through its
// producer: sliced once per tile, its exp taken once per tile.
// CHECK-LABEL: func @channel_decay_producer
// CHECK: %[[G:.*]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%{{.*}} : tensor<8xf32>)
// CHECK: scf.forall
// CHECK: %[[L:.*]] = tensor.extract_slice %[[G]]
// CHECK: %[[F:.*]] = linalg.generic {{.*}} ins(%[[L]] : tensor<8xf32>)
// CHECK: math.exp
// CHECK: scf.for
// CHECK: linalg.generic {{.*}} ins(%[[L]], %{{.*}}, %[[F]] : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
func.func @channel_decay_producer(%nu: tensor<8xf32>, %x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d) -> (d)>, affine_map<(d) -> (d)>], iterator_types = ["parallel"]}
      ins(%nu : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%n: f32, %o: f32):
    %en = math.exp %n : f32
    %l = arith.negf %en : f32
    linalg.yield %l : f32
  } -> tensor<8xf32>
  %h = mixer.diagonal_recurrence %g, %x {log_decay, form = #mixer.form<scan>}
      : (tensor<8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %h : tensor<?x?x8xf32>
}

// The output's only reader, an element-wise generic over [B, T, d...] (a
// gated read-out o = h ⊙ σ(g), as mixer-raise-recurrences builds for an
// output computed from the new state), is computed in the step: the step
// reads g's row too and writes o's bf16 row, h itself is never stored, and
// the generic is gone.
// CHECK-LABEL: func @through_consumer
// CHECK-SAME: (%[[A:[^:]*]]: tensor<?x?x16xf32>, %[[X:[^:]*]]: tensor<?x?x16xf32>, %[[G:[^:]*]]: tensor<?x?x16xf32>)
// CHECK: %[[OUT:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?x16xbf16>
// CHECK: scf.forall ({{.*}}) in ({{.*}}) shared_outs(%{{.*}} = %[[OUT]]
// CHECK: scf.for {{.*}} -> (tensor<16xf32>, tensor<?x16xbf16>)
// CHECK: %[[GT:.*]] = tensor.extract_slice %[[G]]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[GT]] : tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) outs(%{{.*}}, %{{.*}} : tensor<16xf32>, tensor<16xbf16>)
// CHECK: %[[N:.*]] = arith.addf
// CHECK: math.exp
// CHECK: %[[O:.*]] = arith.mulf %[[N]], %{{.*}} : f32
// CHECK: %[[OB:.*]] = arith.truncf %[[O]] : f32 to bf16
// CHECK: linalg.yield %[[N]], %[[OB]] : f32, bf16
// CHECK-NOT: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK: return
func.func @through_consumer(%a: tensor<?x?x16xf32>, %x: tensor<?x?x16xf32>, %g: tensor<?x?x16xf32>) -> tensor<?x?x16xbf16> {
  %h = mixer.diagonal_recurrence %a, %x {form = #mixer.form<scan>}
      : (tensor<?x?x16xf32>, tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %B = tensor.dim %x, %c0 : tensor<?x?x16xf32>
  %T = tensor.dim %x, %c1 : tensor<?x?x16xf32>
  %e = tensor.empty(%B, %T) : tensor<?x?x16xbf16>
  %o = linalg.generic {
      indexing_maps = [affine_map<(b, t, d) -> (b, t, d)>, affine_map<(b, t, d) -> (b, t, d)>,
                       affine_map<(b, t, d) -> (b, t, d)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%h, %g : tensor<?x?x16xf32>, tensor<?x?x16xf32>) outs(%e : tensor<?x?x16xbf16>) {
  ^bb0(%hh: f32, %gg: f32, %out: bf16):
    %one = arith.constant 1.0 : f32
    %ng = arith.negf %gg : f32
    %en = math.exp %ng : f32
    %den = arith.addf %one, %en : f32
    %s = arith.divf %one, %den : f32
    %p = arith.mulf %hh, %s : f32
    %r = arith.truncf %p : f32 to bf16
    linalg.yield %r : bf16
  } -> tensor<?x?x16xbf16>
  return %o : tensor<?x?x16xbf16>
}

// Not fused: the output has a second reader (it is returned too), so h is
// written and the generic stays.
// CHECK-LABEL: func @consumer_and_result
// CHECK: scf.for {{.*}} -> (tensor<16xf32>, tensor<?x16xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]
func.func @consumer_and_result(%a: tensor<?x?x16xf32>, %x: tensor<?x?x16xf32>) -> (tensor<?x?x16xf32>, tensor<?x?x16xf32>) {
  %h = mixer.diagonal_recurrence %a, %x {form = #mixer.form<scan>}
      : (tensor<?x?x16xf32>, tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  %o = linalg.generic {
      indexing_maps = [affine_map<(b, t, d) -> (b, t, d)>, affine_map<(b, t, d) -> (b, t, d)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%h : tensor<?x?x16xf32>) outs(%x : tensor<?x?x16xf32>) {
  ^bb0(%hh: f32, %out: f32):
    %p = arith.mulf %hh, %hh : f32
    linalg.yield %p : f32
  } -> tensor<?x?x16xf32>
  return %h, %o : tensor<?x?x16xf32>, tensor<?x?x16xf32>
}
