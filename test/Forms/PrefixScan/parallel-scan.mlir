// RUN: mixir-opt %s -mixer-lower-forms | FileCheck %s

// The parallel_scan form of mixer.prefix_scan (docs/math.md, section 4.5):
// S = min(⌈workers / B⌉, ⌊T / tile⌋), at least 1, chunks of L = ⌈T / S⌉;
// 1. per batch element and chunk s < S−1, the chunk's combination from its
//    first element; 2. per batch element, the carries c_0 = h_0,
//    c_{s+1} = c_s ⊕ E_s; 3. per batch element and chunk, the steps from
//    the chunk's carry.
// CHECK-LABEL: func @parallel_scan
// CHECK-SAME: (%[[S:.*]]: tensor<?x?x8xf32>, %[[V:.*]]: tensor<?x?x8xbf16>, %[[M0:.*]]: tensor<?x8xf32>, %[[U0:.*]]: tensor<?x8xf32>)
// CHECK: %[[B:.*]] = tensor.dim %[[S]], %c0
// CHECK: %[[T:.*]] = tensor.dim %[[S]], %c1
// CHECK: %[[W:.*]] = mixer.num_workers
// CHECK: %[[B1:.*]] = arith.maxui %[[B]], %c1
// CHECK: %[[PER:.*]] = arith.ceildivui %[[W]], %[[B1]]
// CHECK: %[[FIT:.*]] = arith.divui %[[T]], %c16
// CHECK: %[[MIN:.*]] = arith.minui %[[PER]], %[[FIT]]
// CHECK: %[[WANT:.*]] = arith.maxui %[[MIN]], %c1
// CHECK: %[[L0:.*]] = arith.ceildivui %[[T]], %[[WANT]]
// CHECK: %[[L:.*]] = arith.maxui %[[L0]], %c1
// CHECK: %[[S0:.*]] = arith.ceildivui %[[T]], %[[L]]
// CHECK: %[[NS:.*]] = arith.maxui %[[S0]], %c1
// CHECK: %[[SM1:.*]] = arith.subi %[[NS]], %c1
// 1. The chunks' combinations.
// CHECK: %[[E:.*]]:2 = scf.forall (%[[B2:.*]], %[[C:.*]]) in (%[[B]], %[[SM1]])
// CHECK: %[[T0:.*]] = arith.muli %[[C]], %[[L]]
// CHECK: %[[T1:.*]] = arith.addi %[[T0]], %[[L]]
// CHECK: %[[FIRST:.*]] = tensor.extract_slice %[[S]][%[[B2]], %[[T0]], 0]
// CHECK: %[[NEXT:.*]] = arith.addi %[[T0]], %c1
// CHECK: scf.for %{{.*}} = %[[NEXT]] to %[[T1]] step %c1 iter_args(%{{.*}} = %[[FIRST]], %{{.*}} = %{{.*}})
// CHECK: arith.maximumf
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[C]], %[[B2]], 0] [1, 1, 8]
// 2. The carries.
// CHECK: %[[CARRY:.*]]:2 = scf.forall (%[[B3:.*]]) in (%[[B]])
// CHECK: tensor.extract_slice %[[M0]][%[[B3]], 0]
// CHECK: tensor.extract_slice %[[U0]][%[[B3]], 0]
// CHECK: scf.for %[[CI:.*]] = %c0 to %{{.*}} step %c1
// CHECK: tensor.extract_slice %[[E]]#0[%[[CI]], %[[B3]], 0]
// CHECK: arith.maximumf
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[0, %[[B3]], 0] [%[[NS]], 1, 8]
// 3. Each chunk from its carry.
// CHECK: scf.forall (%[[B4:.*]], %[[C4:.*]]) in (%[[B]], %[[NS]])
// CHECK: %[[U0T:.*]] = arith.muli %[[C4]], %[[L]]
// CHECK: %[[U1:.*]] = arith.addi %[[U0T]], %[[L]]
// CHECK: %[[U1T:.*]] = arith.minui %[[U1]], %[[T]]
// CHECK: tensor.extract_slice %[[CARRY]]#0[%[[C4]], %[[B4]], 0]
// CHECK: scf.for %{{.*}} = %[[U0T]] to %[[U1T]]
// CHECK: arith.maximumf
// CHECK: arith.truncf
// CHECK: tensor.insert_slice
// CHECK-NOT: mixer.prefix_scan
func.func @parallel_scan(%s: tensor<?x?x8xf32>, %v: tensor<?x?x8xbf16>, %m0: tensor<?x8xf32>, %u0: tensor<?x8xf32>) -> tensor<?x?x8xf16> {
  %o = mixer.prefix_scan(%s, %v) init(%m0, %u0) element {
  ^bb0(%st: tensor<8xf32>, %vt: tensor<8xf32>):
    mixer.yield %st, %vt : tensor<8xf32>, tensor<8xf32>
  } combine {
  ^bb0(%ma: tensor<8xf32>, %ua: tensor<8xf32>, %mb: tensor<8xf32>, %ub: tensor<8xf32>):
    %m = arith.maximumf %ma, %mb : tensor<8xf32>
    %da = arith.subf %ma, %m : tensor<8xf32>
    %ea = math.exp %da : tensor<8xf32>
    %db = arith.subf %mb, %m : tensor<8xf32>
    %eb = math.exp %db : tensor<8xf32>
    %a = arith.mulf %ua, %ea : tensor<8xf32>
    %b = arith.mulf %ub, %eb : tensor<8xf32>
    %u = arith.addf %a, %b : tensor<8xf32>
    mixer.yield %m, %u : tensor<8xf32>, tensor<8xf32>
  } read {
  ^bb0(%m: tensor<8xf32>, %u: tensor<8xf32>, %st: tensor<8xf32>, %vt: tensor<8xf32>):
    mixer.yield %u : tensor<8xf32>
  } {form = #mixer.form<parallel_scan, tile = 16>} : (tensor<?x?x8xf32>, tensor<?x?x8xbf16>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x?x8xf16>
  return %o : tensor<?x?x8xf16>
}
