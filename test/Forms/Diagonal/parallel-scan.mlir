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
