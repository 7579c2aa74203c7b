// RUN: mixir-opt %s -mixer-prepare-c-abi -split-input-file | FileCheck %s

// The signature names B and T after the mixer's roles, binds the final state
// to its initial state for in-place updates, and the results become
// out-parameters written with materialize_in_destination.
// CHECK: module attributes {mixer.c_abi = [{dims = [array<i64: -1, -2, 2, 48>, array<i64: -1, -2, 2, 48>, array<i64: -1, -2, 2, 80>, array<i64: -1, -2, 2, 48>, array<i64: -1, 2, 48, 80>, array<i64: -1, -2, 2, 80>, array<i64: -1, 2, 48, 80>], impl = "__mixir_gla_state", name = "gla_state", num_inputs = 5 : i64, num_symbols = 2 : i64,
// CHECK-SAME: signature = "gla_state(q:f32[B,T,2,48],k:f32[B,T,2,48],v:f32[B,T,2,80],g:f32[B,T,2,48],h0:f32[B,2,48,80])->(o:f32[B,T,2,80],hT:f32[B,2,48,80]@h0)"
// CHECK-LABEL: func.func @__mixir_gla_state
// CHECK-SAME: (%{{.*}}: tensor<?x?x2x48xf32>, %{{.*}}: tensor<?x?x2x48xf32>, %{{.*}}: tensor<?x?x2x80xf32>, %{{.*}}: tensor<?x?x2x48xf32>, %{{.*}}: tensor<?x2x48x80xf32>, %[[O:.*]]: memref<?x?x2x80xf32>, %[[HT:.*]]: memref<?x2x48x80xf32>) {
// CHECK: %[[R0:.*]], %[[R1:.*]] = mixer.semiseparable
// CHECK: bufferization.materialize_in_destination %[[R0]] in restrict writable %[[O]]
// CHECK: bufferization.materialize_in_destination %[[R1]] in restrict writable %[[HT]]
// CHECK: return
// CHECK-NOT: return %
func.func @gla_state(%q: tensor<?x?x2x48xf32> {mixer.name = "q"}, %k: tensor<?x?x2x48xf32> {mixer.name = "k"},
                     %v: tensor<?x?x2x80xf32> {mixer.name = "v"}, %g: tensor<?x?x2x48xf32> {mixer.name = "g"},
                     %h0: tensor<?x2x48x80xf32> {mixer.name = "h0"})
    -> (tensor<?x?x2x80xf32> {mixer.name = "o"}, tensor<?x2x48x80xf32> {mixer.name = "hT"}) {
  %o, %hT = mixer.semiseparable %q, %k, %v gate(%g) initial_state(%h0)
      : (tensor<?x?x2x48xf32>, tensor<?x?x2x48xf32>, tensor<?x?x2x80xf32>, tensor<?x?x2x48xf32>, tensor<?x2x48x80xf32>)
      -> (tensor<?x?x2x80xf32>, tensor<?x2x48x80xf32>)
  return %o, %hT : tensor<?x?x2x80xf32>, tensor<?x2x48x80xf32>
}

// -----

// Unnamed tensors get positional names; a static size seen anywhere in a
// CHECK: module attributes {mixer.c_abi = [{dims = [array<i64: 3, -1, 4, 8>
// class of equal sizes is used; sizes joined through linalg and tensor.empty
// share one symbol, and the per-head gate carries no T.
// CHECK-SAME: signature = "mamba_like(arg0:f32[3,T,4,8],arg1:f32[3,T,4],arg2:f32[4],arg3:f32[3,T,4,8])->(result0:f32[3,T,4,8])"
// CHECK-LABEL: func.func @__mixir_mamba_like
#id = affine_map<(b, t, h, p) -> (b, t, h, p)>
#tok = affine_map<(b, t, h, p) -> (b, t, h)>
#head = affine_map<(b, t, h, p) -> (h)>
func.func @mamba_like(%x: tensor<?x?x4x8xf32>, %dt: tensor<?x?x4xf32>, %a: tensor<4xf32>, %c: tensor<3x?x4x8xf32>) -> tensor<?x?x4x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x4x8xf32>
  %t = tensor.dim %x, %c1 : tensor<?x?x4x8xf32>
  %init = tensor.empty(%b, %t) : tensor<?x?x4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #tok, #head, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %dt, %a : tensor<?x?x4x8xf32>, tensor<?x?x4xf32>, tensor<4xf32>) outs(%init : tensor<?x?x4x8xf32>) {
  ^bb0(%xi: f32, %di: f32, %ai: f32, %out: f32):
    %p = arith.mulf %xi, %di : f32
    %r = arith.mulf %p, %ai : f32
    linalg.yield %r : f32
  } -> tensor<?x?x4x8xf32>
  %o = mixer.semiseparable %c, %c, %y : (tensor<3x?x4x8xf32>, tensor<3x?x4x8xf32>, tensor<?x?x4x8xf32>) -> tensor<?x?x4x8xf32>
  return %o : tensor<?x?x4x8xf32>
}

// -----

/// Private functions and declarations are not exported.
// CHECK: module attributes {mixer.c_abi = []}
// CHECK-LABEL: func.func private @negative_helper
func.func private @negative_helper(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  return %q : tensor<?x?x4x64xf32>
}

// -----

// Element types are spelled per tensor (f32, f16, bf16, i32). A final state
// of another element type than its initial state is not updated in place.
// CHECK: signature = "mixed(q:bf16[B,T,2,8],v:f16[B,T,2,4],h0:f32[B,2,8,4],ids:i32[5])->(o:bf16[B,T,2,4],hT:bf16[B,2,8,4])"
// CHECK-LABEL: func.func @__mixir_mixed
func.func @mixed(%q: tensor<?x?x2x8xbf16> {mixer.name = "q"}, %v: tensor<?x?x2x4xf16> {mixer.name = "v"},
                 %h0: tensor<?x2x8x4xf32> {mixer.name = "h0"}, %ids: tensor<5xi32> {mixer.name = "ids"})
    -> (tensor<?x?x2x4xbf16> {mixer.name = "o"}, tensor<?x2x8x4xbf16> {mixer.name = "hT"}) {
  %o, %hT = mixer.semiseparable %q, %q, %v initial_state(%h0)
      : (tensor<?x?x2x8xbf16>, tensor<?x?x2x8xbf16>, tensor<?x?x2x4xf16>, tensor<?x2x8x4xf32>)
      -> (tensor<?x?x2x4xbf16>, tensor<?x2x8x4xbf16>)
  return %o, %hT : tensor<?x?x2x4xbf16>, tensor<?x2x8x4xbf16>
}
