// RUN: mixir-opt %s -mixer-vectorize-contractions -split-input-file | FileCheck %s
// RUN: mixir-opt %s -mixer-vectorize-contractions="rows=2 cols=8" -split-input-file | FileCheck %s --check-prefix=SMALL

// acc[t, j] += a[t, i] * b[i, j] (the chunked form's inter-chunk product,
// iterated (i, t, j)): 4×16 accumulator tiles held in four vector<16xf32>
// across the reduction over i.
// CHECK-LABEL: func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<16x32xf32>, %[[B:.*]]: tensor<32x48xf32>, %[[ACC:.*]]: tensor<16x48xf32>)
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C48:.*]] = arith.constant 48 : index
// CHECK: scf.for %[[M0:.*]] = %c0 to %[[C16]] step %[[C4]] iter_args(%[[T1:.*]] = %[[ACC]])
// CHECK: scf.for %[[N0:.*]] = %c0 to %[[C48]] step %[[C16]] iter_args(%[[T2:.*]] = %[[T1]])
// CHECK-COUNT-4: vector.transfer_read %[[T2]]{{.*}} : tensor<16x48xf32>, vector<16xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %[[C32]] step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: %[[BV:.*]] = vector.transfer_read %[[B]][%[[K]], %[[N0]]]
// CHECK: %[[AV:.*]] = tensor.extract %[[A]][%[[M0]], %[[K]]]
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[AV]] : f32 to vector<16xf32>
// CHECK: vector.fma %[[SPLAT]], %[[BV]]
// CHECK-COUNT-3: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-4: vector.transfer_write
// SMALL-LABEL: func @matmul
// SMALL: scf.for {{.*}} step %c2
// SMALL: scf.for {{.*}} step %c8
// SMALL: -> (vector<8xf32>, vector<8xf32>)
#a = affine_map<(i, t, j) -> (t, i)>
#b = affine_map<(i, t, j) -> (i, j)>
#c = affine_map<(i, t, j) -> (t, j)>
func.func @matmul(%a: tensor<16x32xf32>, %b: tensor<32x48xf32>, %acc: tensor<16x48xf32>) -> tensor<16x48xf32> {
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%a, %b : tensor<16x32xf32>, tensor<32x48xf32>) outs(%acc : tensor<16x48xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x48xf32>
  return %r : tensor<16x48xf32>
}

// -----

// The state update S[i, j] += kd[s, i] * v[s, j]: a is read transposed.
// CHECK-LABEL: func @transposed_a
// CHECK: %[[AV:.*]] = tensor.extract %arg0[%[[K:.*]], %[[M:.*]]] : tensor<16x8xf32>
#ta = affine_map<(i, s, j) -> (s, i)>
#tb = affine_map<(i, s, j) -> (s, j)>
#tc = affine_map<(i, s, j) -> (i, j)>
func.func @transposed_a(%a: tensor<16x8xf32>, %b: tensor<16x16xf32>, %acc: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#ta, #tb, #tc], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<16x8xf32>, tensor<16x16xf32>) outs(%acc : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

/// b is not contiguous along the accumulator's columns (scores q·kᵀ): left
/// alone.
// CHECK-LABEL: func @negative_transposed_b
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
#na = affine_map<(t, s, i) -> (t, i)>
#nb = affine_map<(t, s, i) -> (s, i)>
#nc = affine_map<(t, s, i) -> (t, s)>
func.func @negative_transposed_b(%a: tensor<16x8xf32>, %b: tensor<16x8xf32>, %acc: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %r = linalg.generic {indexing_maps = [#na, #nb, #nc], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<16x8xf32>, tensor<16x8xf32>) outs(%acc : tensor<16x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x16xf32>
  return %r : tensor<16x16xf32>
}

// -----

/// Columns that are not a multiple of 8: left alone.
// CHECK-LABEL: func @negative_narrow
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
#a = affine_map<(i, t, j) -> (t, i)>
#b = affine_map<(i, t, j) -> (i, j)>
#c = affine_map<(i, t, j) -> (t, j)>
func.func @negative_narrow(%a: tensor<4x8xf32>, %b: tensor<8x12xf32>, %acc: tensor<4x12xf32>) -> tensor<4x12xf32> {
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<8x12xf32>) outs(%acc : tensor<4x12xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x12xf32>
  return %r : tensor<4x12xf32>
}

// -----

/// A body that is not a multiply-add: left alone.
// CHECK-LABEL: func @negative_body
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
#a = affine_map<(i, t, j) -> (t, i)>
#b = affine_map<(i, t, j) -> (i, j)>
#c = affine_map<(i, t, j) -> (t, j)>
func.func @negative_body(%a: tensor<16x32xf32>, %b: tensor<32x48xf32>, %acc: tensor<16x48xf32>) -> tensor<16x48xf32> {
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%a, %b : tensor<16x32xf32>, tensor<32x48xf32>) outs(%acc : tensor<16x48xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.subf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x48xf32>
  return %r : tensor<16x48xf32>
}

// -----

/// A contraction of bf16 tensors (a user's op beside the mixer): the
/// register tiles are f32 vectors, so it is left alone.
// CHECK-LABEL: func @negative_bf16
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
#a = affine_map<(i, t, j) -> (t, i)>
#b = affine_map<(i, t, j) -> (i, j)>
#c = affine_map<(i, t, j) -> (t, j)>
func.func @negative_bf16(%a: tensor<16x32xbf16>, %b: tensor<32x48xbf16>, %acc: tensor<16x48xbf16>) -> tensor<16x48xbf16> {
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%a, %b : tensor<16x32xbf16>, tensor<32x48xbf16>) outs(%acc : tensor<16x48xbf16>) {
  ^bb0(%x: bf16, %y: bf16, %o: bf16):
    %p = arith.mulf %x, %y : bf16
    %s = arith.addf %o, %p : bf16
    linalg.yield %s : bf16
  } -> tensor<16x48xbf16>
  return %r : tensor<16x48xbf16>
}

// -----

// y[m] += U[m, k] h[k] (an LSTM's per-step matvec, a named linalg.matvec):
// 4 rows at a time, each a vector<16xf32> accumulator over k, reduced at
// the end and added to y.
// CHECK-LABEL: func @matvec
// CHECK-SAME: (%[[U:.*]]: tensor<8x32xf32>, %[[H:.*]]: tensor<32xf32>, %[[Y:.*]]: tensor<8xf32>)
// CHECK-DAG: %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK: scf.for %[[M0:.*]] = %c0 to %c8 step %c4 iter_args(%[[Y1:.*]] = %[[Y]])
// CHECK: %[[R1:.*]] = arith.addi %[[M0]], %c1
// CHECK: scf.for %[[K0:.*]] = %c0 to %c32 step %c16 iter_args(%[[A0:.*]] = %[[ZEROS]], %{{.*}} = %[[ZEROS]], %{{.*}} = %[[ZEROS]], %{{.*}} = %[[ZEROS]])
// CHECK: %[[XV:.*]] = vector.transfer_read %[[H]][%[[K0]]]
// CHECK: %[[AV:.*]] = vector.transfer_read %[[U]][%[[M0]], %[[K0]]]
// CHECK: vector.fma %[[AV]], %[[XV]], %[[A0]] : vector<16xf32>
// CHECK-COUNT-3: vector.fma
// CHECK: %[[S0:.*]] = vector.reduction <add>, %{{.*}}#0 : vector<16xf32> into f32
// CHECK: %[[OLD:.*]] = tensor.extract %[[Y1]][%[[M0]]]
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %[[S0]]
// CHECK: tensor.insert %[[NEW]] into %[[Y1]][%[[M0]]]
// CHECK-COUNT-3: vector.reduction <add>
// SMALL-LABEL: func @matvec
// SMALL: scf.for {{.*}} step %c2
// SMALL: scf.for {{.*}} step %c8 {{.*}} -> (vector<8xf32>, vector<8xf32>)
func.func @matvec(%u: tensor<8x32xf32>, %h: tensor<32xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %r = linalg.matvec ins(%u, %h : tensor<8x32xf32>, tensor<32xf32>) outs(%y : tensor<8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// Not vectorized: a reduction length that is not a multiple of 8.
// CHECK-LABEL: func @matvec_odd
// CHECK: linalg.matvec
// CHECK-NOT: vector.fma
func.func @matvec_odd(%u: tensor<8x12xf32>, %h: tensor<12xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %r = linalg.matvec ins(%u, %h : tensor<8x12xf32>, tensor<12xf32>) outs(%y : tensor<8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}
