// RUN: mixir-opt %s -mixer-lower-forms | FileCheck %s

// The scan form of mixer.recurrence (docs/math.md, section 3): an
// scf.forall over the batch; per batch element an scf.for over the steps
// carrying the state (from the bf16 initial state, converted to f32) and
// the element's output rows; each step reads row t of every input, runs the
// body, writes the output at row t; the final state is converted back to
// bf16.
// CHECK-LABEL: func @scan
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x4xf32>, %[[H0:.*]]: tensor<?x4xbf16>)
// CHECK: %[[T:.*]] = tensor.dim %[[X]], %c1
// CHECK: scf.forall (%[[B:.*]]) in
// CHECK: %[[INIT:.*]] = tensor.extract_slice %[[H0]][%[[B]], 0] [1, 4] [1, 1] : tensor<?x4xbf16> to tensor<4xbf16>
// CHECK: arith.extf
// CHECK: scf.for %[[S:.*]] = %c0 to %[[T]] {{.*}} -> (tensor<4xf32>, tensor<?x4xf32>)
// CHECK: tensor.extract_slice %[[X]][%[[B]], %[[S]], 0] [1, 1, 4] [1, 1, 1] : tensor<?x?x4xf32> to tensor<4xf32>
// CHECK: %[[NEW:.*]] = math.tanh
// CHECK: %[[ROWS:.*]] = tensor.insert_slice %[[NEW]] into %{{.*}}[%[[S]], 0] [1, 4] [1, 1]
// CHECK: scf.yield %[[NEW]], %[[ROWS]]
// CHECK: arith.truncf
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], 0, 0] [1, %[[T]], 4]
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], 0] [1, 4]
func.func @scan(%x: tensor<?x?x4xf32>, %h0: tensor<?x4xbf16>) -> (tensor<?x?x4xf32>, tensor<?x4xbf16>) {
  %o, %hT = mixer.recurrence(%x) init(%h0) {
  ^bb0(%h: tensor<4xf32>, %xt: tensor<4xf32>):
    %s = arith.addf %h, %xt : tensor<4xf32>
    %n = math.tanh %s : tensor<4xf32>
    mixer.yield %n, %n : tensor<4xf32>, tensor<4xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x4xf32>, tensor<?x4xbf16>) -> (tensor<?x?x4xf32>, tensor<?x4xbf16>)
  return %o, %hT : tensor<?x?x4xf32>, tensor<?x4xbf16>
}

// A yielded value defined above the op (here an output that is a constant)
// is used as it is at every step.
// CHECK-LABEL: func @outer_yield
// CHECK: %[[C:.*]] = arith.constant dense<2.000000e+00> : tensor<4xf32>
// CHECK: scf.for
// CHECK: tensor.insert_slice %[[C]] into
func.func @outer_yield(%x: tensor<?x?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>) {
  %c = arith.constant dense<2.0> : tensor<4xf32>
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<4xf32>, %xt: tensor<4xf32>):
    %s = arith.addf %h, %xt : tensor<4xf32>
    mixer.yield %s, %c : tensor<4xf32>, tensor<4xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
  return %o, %hT : tensor<?x?x4xf32>, tensor<?x4xf32>
}
