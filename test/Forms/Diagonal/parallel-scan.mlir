// RUN: mixir-opt %s -mixer-lower-forms | FileCheck %s

// The parallel_scan form (docs/math.md, section 4.1): S = min(⌈workers /
// items⌉, ⌊T / tile⌋) at run time; S > 1 splits the steps into chunks of
// L = ⌈T / S⌉ (S recomputed as ⌈T / L⌉); otherwise the scan form runs.
// CHECK-LABEL: func @parallel_scan
// CHECK-SAME: (%[[A:.*]]: tensor<?x?x2048xf32>, %[[X:.*]]: tensor<?x?x2048xf32>, %[[H0:.*]]: tensor<?x2048xf32>)
// CHECK: %[[B:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[T:.*]] = tensor.dim %[[X]], %c1
// CHECK: %[[ITEMS:.*]] = arith.muli %[[B]], %c2
// CHECK: %[[ITEMS1:.*]] = arith.maxui %[[ITEMS]], %c1
// CHECK: %[[W:.*]] = mixer.num_workers
// CHECK: %[[WANT:.*]] = arith.ceildivui %[[W]], %[[ITEMS1]]
// CHECK: %[[FIT:.*]] = arith.divui %[[T]], %c16
// CHECK: %[[FIT1:.*]] = arith.maxui %[[FIT]], %c1
// CHECK: %[[S:.*]] = arith.minui %[[WANT]], %[[FIT1]]
// CHECK: %[[SPLIT:.*]] = arith.cmpi ugt, %[[S]], %c1
// CHECK: scf.if %[[SPLIT]]
// CHECK: %[[L:.*]] = arith.ceildivui %[[T]], %[[S]]
// CHECK: %[[S2:.*]] = arith.ceildivui %[[T]], %[[L]]
// CHECK: %[[SM1:.*]] = arith.subi %[[S2]], %c1
// 1. Chunk reductions over chunks 0..S-2: end state from zero, summed log decay.
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %[[C:.*]]) in (%[[B]], 2, %[[SM1]])
// CHECK: %[[T0:.*]] = arith.muli %[[C]], %[[L]]
// CHECK: %[[T1:.*]] = arith.addi %[[T0]], %[[L]]
// CHECK: scf.for %{{.*}} = %[[T0]] to %[[T1]]
// CHECK: math.exp
// CHECK: arith.addf
// 2. Carries: c_0 = h0, c_{s+1} = exp(P_s)·c_s + E_s.
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (%[[B]], 2)
// CHECK: tensor.extract_slice %[[H0]]
// CHECK: scf.for %{{.*}} = %c0 to %[[SM1]]
// CHECK: math.exp
// 3. Each chunk's scan from its carry, its end state into a per-chunk tensor.
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %[[C3:.*]]) in (%[[B]], 2, %[[S2]])
// CHECK: %[[U0:.*]] = arith.muli %[[C3]], %[[L]]
// CHECK: %[[U1:.*]] = arith.addi %[[U0]], %[[L]]
// CHECK: %[[U1T:.*]] = arith.minui %[[U1]], %[[T]]
// CHECK: scf.for %{{.*}} = %[[U0]] to %[[U1T]]
// The final state is the last chunk's end state.
// CHECK: tensor.extract_slice %{{.*}}[%[[SM1]], 0, 0] [1, %[[B]], 2048]
// CHECK: } else {
// CHECK: scf.forall
// CHECK: scf.for
func.func @parallel_scan(%a: tensor<?x?x2048xf32>, %x: tensor<?x?x2048xf32>, %h0: tensor<?x2048xf32>) -> (tensor<?x?x2048xf32>, tensor<?x2048xf32>) {
  %h, %hT = mixer.diagonal_recurrence %a, %x init(%h0) {log_decay, form = #mixer.form<parallel_scan, tile = 16>}
      : (tensor<?x?x2048xf32>, tensor<?x?x2048xf32>, tensor<?x2048xf32>) -> (tensor<?x?x2048xf32>, tensor<?x2048xf32>)
  return %h, %hT : tensor<?x?x2048xf32>, tensor<?x2048xf32>
}

// A complex decay: the chunk reductions accumulate P = Π λ as a complex
// product from 1 + 0i (no log space), and the carries are
// c_{s+1} = P_s ⊙ c_s + E_s in complex arithmetic.
// CHECK-LABEL: func @complex_parallel_scan
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: scf.if
// 1. Chunk reductions: the state (re, im) from zero, the decay from 1 + 0i.
// CHECK: scf.forall
// CHECK: %[[HR0:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[PR0:.*]] = linalg.fill ins(%[[ONE]] : f32)
// CHECK: %[[HI0:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[PI0:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[HR0]], %{{.*}} = %[[HI0]], %{{.*}} = %[[PR0]], %{{.*}} = %[[PI0]])
// CHECK: ^bb0(%[[AR:[a-z0-9_]+]]: f32, %[[AI:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32, %{{[a-z0-9_]+}}: f32, %{{[a-z0-9_]+}}: f32, %{{[a-z0-9_]+}}: f32, %[[PR:[a-z0-9_]+]]: f32, %[[PI:[a-z0-9_]+]]: f32):
// CHECK-DAG: %[[X1:.*]] = arith.mulf %[[PI]], %[[AI]]
// CHECK-DAG: %[[X2:.*]] = arith.mulf %[[PR]], %[[AR]]
// CHECK-DAG: %[[NPR:.*]] = arith.subf %[[X2]], %[[X1]]
// CHECK-DAG: %[[X3:.*]] = arith.mulf %[[PI]], %[[AR]]
// CHECK-DAG: %[[X4:.*]] = arith.mulf %[[PR]], %[[AI]]
// CHECK-DAG: %[[NPI:.*]] = arith.addf %[[X4]], %[[X3]]
// CHECK: linalg.yield %{{.*}}, %{{.*}}, %[[NPR]], %[[NPI]]
// 2. Carries, both parts, in complex arithmetic.
// CHECK: scf.forall
// CHECK: scf.for
// CHECK: ^bb0(%[[CR:[a-z0-9_]+]]: f32, %[[CI:[a-z0-9_]+]]: f32, %[[QR:[a-z0-9_]+]]: f32, %[[QI:[a-z0-9_]+]]: f32, %[[ER:[a-z0-9_]+]]: f32, %[[EI:[a-z0-9_]+]]: f32,
// CHECK-DAG: %[[Y1:.*]] = arith.mulf %[[QI]], %[[CI]]
// CHECK-DAG: %[[Y2:.*]] = arith.mulf %[[QR]], %[[CR]]
// CHECK-DAG: %[[Y3:.*]] = arith.subf %[[Y2]], %[[Y1]]
// CHECK-DAG: %[[NCR:.*]] = arith.addf %[[Y3]], %[[ER]]
// CHECK: linalg.yield %[[NCR]], %{{.*}} : f32, f32
// 3. Each chunk's scan from its carries.
// CHECK: scf.forall
// CHECK: } else {
func.func @complex_parallel_scan(%lr: tensor<?x?x8xf32>, %li: tensor<?x?x8xf32>, %xr: tensor<?x?x8xf32>, %xi: tensor<?x?x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>) {
  %hr, %hi = mixer.complex_diagonal_recurrence %lr, %li, %xr, %xi {form = #mixer.form<parallel_scan, tile = 16>}
      : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>)
  return %hr, %hi : tensor<?x?x8xf32>, tensor<?x?x8xf32>
}

// An output read only by an element-wise generic: every scan that writes
// rows (each chunk's scan from its carry, and the fallback scan) computes
// the generic in its step and writes its rows; the chunk reductions, which
// write none, do not read its other input.
// CHECK-LABEL: func @parallel_scan_consumer
// CHECK-SAME: (%[[A:[^:]*]]: tensor<?x?x2048xf32>, %[[X:[^:]*]]: tensor<?x?x2048xf32>, %[[G:[^:]*]]: tensor<?x?x2048xf32>)
// CHECK: scf.if
// 1. Chunk reductions: a and x only.
// CHECK: scf.forall
// CHECK-NOT: tensor.extract_slice %[[G]]
// CHECK: scf.forall
// CHECK-NOT: tensor.extract_slice %[[G]]
// 3. Each chunk's scan reads g and writes o.
// CHECK: scf.forall
// CHECK: scf.for {{.*}} -> (tensor<1024xf32>, tensor<?x1024xf32>)
// CHECK: tensor.extract_slice %[[G]]
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: } else {
// CHECK: scf.forall
// CHECK: scf.for {{.*}} -> (tensor<1024xf32>, tensor<?x1024xf32>)
// CHECK: tensor.extract_slice %[[G]]
// CHECK-NOT: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK: return
func.func @parallel_scan_consumer(%a: tensor<?x?x2048xf32>, %x: tensor<?x?x2048xf32>, %g: tensor<?x?x2048xf32>) -> tensor<?x?x2048xf32> {
  %h = mixer.diagonal_recurrence %a, %x {log_decay, form = #mixer.form<parallel_scan, tile = 16>}
      : (tensor<?x?x2048xf32>, tensor<?x?x2048xf32>) -> tensor<?x?x2048xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %B = tensor.dim %x, %c0 : tensor<?x?x2048xf32>
  %T = tensor.dim %x, %c1 : tensor<?x?x2048xf32>
  %e = tensor.empty(%B, %T) : tensor<?x?x2048xf32>
  %o = linalg.generic {
      indexing_maps = [affine_map<(b, t, d) -> (b, t, d)>, affine_map<(b, t, d) -> (b, t, d)>,
                       affine_map<(b, t, d) -> (b, t, d)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%h, %g : tensor<?x?x2048xf32>, tensor<?x?x2048xf32>) outs(%e : tensor<?x?x2048xf32>) {
  ^bb0(%hh: f32, %gg: f32, %out: f32):
    %p = arith.mulf %hh, %gg : f32
    linalg.yield %p : f32
  } -> tensor<?x?x2048xf32>
  return %o : tensor<?x?x2048xf32>
}
