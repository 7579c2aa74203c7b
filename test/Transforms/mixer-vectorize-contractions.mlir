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

// -----

// A state sweep (the scan form's pass over one token's 16×64 state):
// S = d·S + k vᵀ and o = Sᵀ q, with the captured scalar decay d. Blocks of
// 32 columns (2·cols); in each, o's block is a vector<32xf32> carried over
// i in registers, S's rows are read and written once, v's block is read
// once, and k[i], q[i] are broadcast.
// CHECK-LABEL: func @state_sweep
// CHECK-SAME: (%[[K:.*]]: tensor<1x16xf32>, %[[V:.*]]: tensor<1x64xf32>, %[[Q:.*]]: tensor<1x16xf32>, %[[D:.*]]: f32, %[[S:.*]]: tensor<16x64xf32>, %[[O:.*]]: tensor<1x64xf32>)
// CHECK: scf.for %[[J0:.*]] = %c0 to %c64 step %c32 iter_args(%[[S1:.*]] = %[[S]], %[[O1:.*]] = %[[O]])
// CHECK: %[[VV:.*]] = vector.transfer_read %[[V]][%c0, %[[J0]]]{{.*}} : tensor<1x64xf32>, vector<32xf32>
// CHECK: %[[OV:.*]] = vector.transfer_read %[[O1]][%c0, %[[J0]]]{{.*}} : tensor<1x64xf32>, vector<32xf32>
// CHECK: scf.for %[[I:.*]] = %c0 to %c16 step %c1 iter_args(%[[ACC:.*]] = %[[OV]], %[[S2:.*]] = %[[S1]]) -> (vector<32xf32>, tensor<16x64xf32>)
// CHECK: %[[KI:.*]] = tensor.extract %[[K]][%c0, %[[I]]]
// CHECK: %[[KB:.*]] = vector.broadcast %[[KI]] : f32 to vector<32xf32>
// CHECK: %[[QI:.*]] = tensor.extract %[[Q]][%c0, %[[I]]]
// CHECK: %[[QB:.*]] = vector.broadcast %[[QI]] : f32 to vector<32xf32>
// CHECK: %[[SV:.*]] = vector.transfer_read %[[S2]][%[[I]], %[[J0]]]
// CHECK: %[[DB:.*]] = vector.broadcast %[[D]] : f32 to vector<32xf32>
// CHECK: %[[SD:.*]] = arith.mulf %[[SV]], %[[DB]] : vector<32xf32>
// CHECK: %[[KV:.*]] = arith.mulf %[[KB]], %[[VV]] : vector<32xf32>
// CHECK: %[[SN:.*]] = arith.addf %[[SD]], %[[KV]] : vector<32xf32>
// CHECK: %[[SQ:.*]] = arith.mulf %[[SN]], %[[QB]] : vector<32xf32>
// CHECK: %[[ON:.*]] = arith.addf %[[ACC]], %[[SQ]] : vector<32xf32>
// CHECK: %[[SW:.*]] = vector.transfer_write %[[SN]], %[[S2]][%[[I]], %[[J0]]]
// CHECK: scf.yield %[[ON]], %[[SW]]
// CHECK: %[[OW:.*]] = vector.transfer_write %{{.*}}#0, %[[O1]][%c0, %[[J0]]]
// CHECK: scf.yield %{{.*}}#1, %[[OW]]
// CHECK-NOT: linalg.generic
// SMALL-LABEL: func @state_sweep
// SMALL: scf.for {{.*}} step %c16
// SMALL: -> (vector<16xf32>, tensor<16x64xf32>)
#key = affine_map<(i, j) -> (0, i)>
#value = affine_map<(i, j) -> (0, j)>
#state = affine_map<(i, j) -> (i, j)>
func.func @state_sweep(%k: tensor<1x16xf32>, %v: tensor<1x64xf32>, %q: tensor<1x16xf32>, %d: f32,
                       %s: tensor<16x64xf32>, %o: tensor<1x64xf32>) -> (tensor<16x64xf32>, tensor<1x64xf32>) {
  %r:2 = linalg.generic {indexing_maps = [#key, #value, #key, #state, #value],
                         iterator_types = ["reduction", "parallel"]}
      ins(%k, %v, %q : tensor<1x16xf32>, tensor<1x64xf32>, tensor<1x16xf32>)
      outs(%s, %o : tensor<16x64xf32>, tensor<1x64xf32>) {
  ^bb0(%ki: f32, %vj: f32, %qi: f32, %sij: f32, %oj: f32):
    %sd = arith.mulf %sij, %d : f32
    %kv = arith.mulf %ki, %vj : f32
    %sn = arith.addf %sd, %kv : f32
    %sq = arith.mulf %sn, %qi : f32
    %on = arith.addf %oj, %sq : f32
    linalg.yield %sn, %on : f32, f32
  } -> (tensor<16x64xf32>, tensor<1x64xf32>)
  return %r#0, %r#1 : tensor<16x64xf32>, tensor<1x64xf32>
}

// -----

// Any element-wise body is applied to vectors, comparisons included (their
// i1 results become vector<32xi1>) and constants splat.
// CHECK-LABEL: func @state_sweep_select
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<32xf32>
// CHECK: %[[POS:.*]] = arith.cmpf ogt, %{{.*}}, %[[ZERO]] : vector<32xf32>
// CHECK: arith.select %[[POS]], %{{.*}}, %[[ZERO]] : vector<32xi1>, vector<32xf32>
#key = affine_map<(i, j) -> (0, i)>
#state = affine_map<(i, j) -> (i, j)>
func.func @state_sweep_select(%k: tensor<1x16xf32>, %s: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %r = linalg.generic {indexing_maps = [#key, #state], iterator_types = ["reduction", "parallel"]}
      ins(%k : tensor<1x16xf32>) outs(%s : tensor<16x32xf32>) {
  ^bb0(%ki: f32, %sij: f32):
    %zero = arith.constant 0.0 : f32
    %p = arith.mulf %ki, %sij : f32
    %pos = arith.cmpf ogt, %p, %zero : f32
    %relu = arith.select %pos, %p, %zero : f32
    linalg.yield %relu : f32
  } -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

// Not a state sweep: an output indexed by i (a sum over j).
// CHECK-LABEL: func @negative_row_output
// CHECK: linalg.generic
// CHECK-NOT: vector.transfer_read
#state = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (0, i)>
func.func @negative_row_output(%s: tensor<16x32xf32>, %r: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %0 = linalg.generic {indexing_maps = [#state, #row], iterator_types = ["reduction", "parallel"]}
      ins(%s : tensor<16x32xf32>) outs(%r : tensor<1x16xf32>) {
  ^bb0(%sij: f32, %ri: f32):
    %a = arith.addf %ri, %sij : f32
    linalg.yield %a : f32
  } -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}
