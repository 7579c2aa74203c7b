// RUN: mixir-opt %s -mixer-lower-forms | FileCheck %s

// The scan form of mixer.prefix_scan (docs/math.md, section 4.5): per batch
// element, from its initial state, each step's element (the element
// region), its combination with the state (the combine region) and its
// outputs (the read region), converted to the result's type at row t.
// CHECK-LABEL: func @scan
// CHECK-SAME: (%[[S:.*]]: tensor<?x?x8xf32>, %[[V:.*]]: tensor<?x?x8xbf16>, %[[M0:.*]]: tensor<?x8xf32>, %[[U0:.*]]: tensor<?x8xf32>)
// CHECK: %[[B:.*]] = tensor.dim %[[S]], %c0
// CHECK: %[[T:.*]] = tensor.dim %[[S]], %c1
// CHECK: scf.forall (%[[BI:.*]], %{{.*}}) in (%[[B]], %c1)
// CHECK: %[[M:.*]] = tensor.extract_slice %[[M0]][%[[BI]], 0] [1, 8] [1, 1] : tensor<?x8xf32> to tensor<8xf32>
// CHECK: %[[U:.*]] = tensor.extract_slice %[[U0]][%[[BI]], 0] [1, 8] [1, 1] : tensor<?x8xf32> to tensor<8xf32>
// CHECK: scf.for %[[TI:.*]] = %{{.*}} to %{{.*}} step %c1 iter_args(%[[MI:.*]] = %[[M]], %[[UI:.*]] = %[[U]], %[[ROWS:.*]] = %{{.*}}) -> (tensor<8xf32>, tensor<8xf32>, tensor<?x8xf16>)
// CHECK: %[[ST:.*]] = tensor.extract_slice %[[S]][%[[BI]], %[[TI]], 0] [1, 1, 8]
// CHECK: %[[VT:.*]] = tensor.extract_slice %[[V]][%[[BI]], %[[TI]], 0] [1, 1, 8]
// CHECK: %[[VF:.*]] = linalg.generic {{.*}} ins(%[[VT]] : tensor<8xbf16>)
// CHECK: arith.extf
// CHECK: %[[MN:.*]] = arith.maximumf %[[MI]], %[[ST]] : tensor<8xf32>
// CHECK: %[[KEEP:.*]] = arith.mulf %[[UI]], %{{.*}} : tensor<8xf32>
// CHECK: %[[NEW:.*]] = arith.mulf %[[VF]], %{{.*}} : tensor<8xf32>
// CHECK: %[[UN:.*]] = arith.addf %[[KEEP]], %[[NEW]] : tensor<8xf32>
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[UN]] : tensor<8xf32>)
// CHECK: arith.truncf
// CHECK: %[[INS:.*]] = tensor.insert_slice %[[Y]] into %[[ROWS]]
// CHECK: scf.yield %[[MN]], %[[UN]], %[[INS]]
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: mixer.prefix_scan
func.func @scan(%s: tensor<?x?x8xf32>, %v: tensor<?x?x8xbf16>, %m0: tensor<?x8xf32>, %u0: tensor<?x8xf32>) -> tensor<?x?x8xf16> {
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
  } {form = #mixer.form<scan>} : (tensor<?x?x8xf32>, tensor<?x?x8xbf16>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x?x8xf16>
  return %o : tensor<?x?x8xf16>
}
