// RUN: mixir-opt %s -mixer-lower-forms -split-input-file | FileCheck %s

// First, once per head, every key block decayed to its block's end
// (K ⊙ exp(tot − G)), stored transposed and contiguous per block, and the
// block totals. Then query blocks in an outer
// loop carrying the decay of earlier blocks (pre); key blocks j < i visited
// backwards in an inner loop carrying the factor exp(mid) of the blocks in
// between, as a product of exp(tot) (no exponential of a sum, none per
// element); the off-diagonal block is a plain contraction of the
// mid-scaled queries and the decayed keys. An initial state adds
// (q ⊙ exp(G + pre)) S0, and a final state is computed by a separate state
// pass over the decayed key blocks.
// CHECK-LABEL: func @token_gate_state
// CHECK: scf.forall
// CHECK: %[[NB:.*]] = arith.ceildivsi
// CHECK: %[[DK:.*]]:2 = scf.for %{{.*}} = %c0 to %[[NB]] step %c1 iter_args({{.*}}) -> (tensor<?x8x16xf32>, tensor<?xf32>)
// CHECK: math.exp
// CHECK: linalg.transpose
// CHECK: tensor.insert_slice %{{.*}} : tensor<8x16xf32> into tensor<?x8x16xf32>
// CHECK: tensor.insert %{{.*}} : tensor<?xf32>
// CHECK: %[[OUTER:.*]]:2 = scf.for %[[QB:.*]] = %c0 to %[[NB]] step %c1 iter_args(%{{.*}} = %{{.*}}, %[[PRE:.*]] = %{{.*}}) -> (tensor<?x4xf32>, f32)
// CHECK: scf.for %{{.*}} = %c0 to %[[QB]] step %c1 iter_args(%{{.*}} = %{{.*}}, %[[MID:.*]] = %cst{{.*}}) -> (tensor<16x4xf32>, f32)
// CHECK-NOT: scf.yield
// The two in either order (GCC and Clang evaluate the builder's arguments
// in different orders):
// CHECK-DAG: %[[KD:.*]] = tensor.extract_slice %[[DK]]#0{{.*}} to tensor<8x16xf32>
// CHECK-DAG: arith.mulf %{{.*}}, %[[MID]] : f32
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "parallel"]} ins(%{{.*}}, %[[KD]] : tensor<16x8xf32>, tensor<8x16xf32>)
// CHECK: %[[TOT:.*]] = tensor.extract %[[DK]]#1
// CHECK: %[[E:.*]] = math.exp %[[TOT]]
// CHECK: arith.mulf %[[MID]], %[[E]]
// CHECK: scf.yield
// CHECK: arith.addf %{{.*}}, %[[PRE]]
// CHECK: scf.yield
// CHECK: %[[FINAL:.*]] = scf.for %{{.*}} = %c0 to %[[NB]] step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<8x4xf32>)
// CHECK-DAG: tensor.extract %[[DK]]#1
// CHECK-DAG: tensor.extract_slice %[[DK]]#0
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %[[OUTER]]#0
// CHECK: tensor.parallel_insert_slice %[[FINAL]]
func.func @token_gate_state(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>, %g: tensor<?x?x2xf32>, %h0: tensor<?x2x8x4xf32>) -> (tensor<?x?x2x4xf32>, tensor<?x2x8x4xf32>) {
  %o, %hT = mixer.semiseparable %q, %k, %v gate(%g) initial_state(%h0) {form = #mixer.form<quadratic, tile = 16>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2xf32>, tensor<?x2x8x4xf32>) -> (tensor<?x?x2x4xf32>, tensor<?x2x8x4xf32>)
  return %o, %hT : tensor<?x?x2x4xf32>, tensor<?x2x8x4xf32>
}

// -----

// A per-channel gate carries its block decays as vectors over K.
// CHECK-LABEL: func @channel_gate
// CHECK: scf.for {{.*}} -> (tensor<?x8x16xf32>, tensor<?x8xf32>)
// CHECK: scf.for {{.*}} -> (tensor<?x4xf32>, tensor<8xf32>)
// CHECK: scf.for {{.*}} -> (tensor<16x4xf32>, tensor<8xf32>)
func.func @channel_gate(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>, %g: tensor<?x?x2x8xf32>) -> tensor<?x?x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v gate(%g) {form = #mixer.form<quadratic>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2x8xf32>) -> tensor<?x?x2x4xf32>
  return %o : tensor<?x?x2x4xf32>
}

// -----

// Without a gate the loops carry no decay.
// CHECK-LABEL: func @no_gate
// CHECK: scf.for {{.*}} -> (tensor<?x4xf32>) {
// CHECK-NOT: math.exp
// CHECK: return
func.func @no_gate(%q: tensor<?x?x2x8xf32>, %k: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>) -> tensor<?x?x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v {form = #mixer.form<quadratic, tile = 8>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>) -> tensor<?x?x2x4xf32>
  return %o : tensor<?x?x2x4xf32>
}

// -----

// Static B and T: the lowering's dynamic results are cast back.
// CHECK-LABEL: func @static_sizes
// CHECK: scf.forall
// CHECK: tensor.cast %{{.*}} : tensor<?x?x2x4xf32> to tensor<3x10x2x4xf32>
func.func @static_sizes(%q: tensor<3x10x2x8xf32>, %k: tensor<3x10x2x8xf32>, %v: tensor<3x10x2x4xf32>) -> tensor<3x10x2x4xf32> {
  %o = mixer.semiseparable %q, %k, %v {form = #mixer.form<quadratic>} : (tensor<3x10x2x8xf32>, tensor<3x10x2x8xf32>, tensor<3x10x2x4xf32>) -> tensor<3x10x2x4xf32>
  return %o : tensor<3x10x2x4xf32>
}
