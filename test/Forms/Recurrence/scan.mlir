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

// A body with a large matvec (U [512, 128], 65536 elements or more): when
// the batch is smaller than the worker count (decided at run time), the
// batch elements run one after another and each step's U·h is split by
// rows across the workers, an scf.forall over 8 chunks of 64 rows;
// otherwise the batch is parallel as above.
// CHECK-LABEL: func @split_matvec
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x512xf32>, %[[U:.*]]: tensor<512x128xf32>)
// CHECK: %[[B:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[W:.*]] = mixer.num_workers
// CHECK: %[[FEW:.*]] = arith.cmpi ult, %[[B]], %[[W]]
// CHECK: scf.if %[[FEW]]
// CHECK: scf.for %[[BI:.*]] = %c0 to %[[B]]
// CHECK: scf.for
// CHECK: %[[Y:.*]] = scf.forall (%[[C:.*]]) in (8) shared_outs(%[[SH:.*]] = %{{.*}}) -> (tensor<512xf32>)
// CHECK: %[[R0:.*]] = arith.muli %[[C]], %c64
// CHECK: %[[UR:.*]] = tensor.extract_slice %[[U]][%[[R0]], 0] [64, 128] [1, 1]
// CHECK: %[[YR:.*]] = tensor.extract_slice %[[SH]][%[[R0]]] [64] [1]
// CHECK: %[[P:.*]] = linalg.matvec ins(%[[UR]], %{{.*}} : tensor<64x128xf32>, tensor<128xf32>) outs(%[[YR]] : tensor<64xf32>)
// CHECK: tensor.parallel_insert_slice %[[P]] into %[[SH]][%[[R0]]] [64] [1]
// CHECK: tensor.extract_slice %[[Y]][0] [128] [1]
// CHECK: } else {
// CHECK: scf.forall (%{{.*}}) in (%[[B]])
// CHECK: linalg.matvec ins(%[[U]], %{{.*}} : tensor<512x128xf32>, tensor<128xf32>)
func.func @split_matvec(%x: tensor<?x?x512xf32>, %U: tensor<512x128xf32>) -> tensor<?x?x128xf32> {
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<128xf32>, %xt: tensor<512xf32>):
    %uh = linalg.matvec ins(%U, %h : tensor<512x128xf32>, tensor<128xf32>)
                        outs(%xt : tensor<512xf32>) -> tensor<512xf32>
    %g = tensor.extract_slice %uh[0] [128] [1] : tensor<512xf32> to tensor<128xf32>
    %n = math.tanh %g : tensor<128xf32>
    mixer.yield %n, %n : tensor<128xf32>, tensor<128xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x512xf32>) -> (tensor<?x?x128xf32>, tensor<?x128xf32>)
  return %o : tensor<?x?x128xf32>
}

// Not split: a row reduction of two matrices (y[m] += U[m, k]·V[m, k]),
// whose second operand is not read by k alone.
// CHECK-LABEL: func @no_split_rowsum
// CHECK-NOT: mixer.num_workers
// CHECK: scf.forall
// CHECK-NOT: scf.forall (
func.func @no_split_rowsum(%x: tensor<?x?x512xf32>, %U: tensor<512x128xf32>, %V: tensor<512x128xf32>) -> tensor<?x?x512xf32> {
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<512xf32>, %xt: tensor<512xf32>):
    %r = linalg.generic {indexing_maps = [affine_map<(m, k) -> (m, k)>, affine_map<(m, k) -> (m, k)>, affine_map<(m, k) -> (m)>],
                         iterator_types = ["parallel", "reduction"]}
        ins(%U, %V : tensor<512x128xf32>, tensor<512x128xf32>) outs(%xt : tensor<512xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<512xf32>
    %n = arith.addf %r, %h : tensor<512xf32>
    mixer.yield %n, %n : tensor<512xf32>, tensor<512xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x512xf32>) -> (tensor<?x?x512xf32>, tensor<?x512xf32>)
  return %o : tensor<?x?x512xf32>
}
