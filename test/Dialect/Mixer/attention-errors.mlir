// RUN: mixir-opt %s -split-input-file -verify-diagnostics

func.func @kv_heads(%q: tensor<?x?x6x64xf32>, %k: tensor<?x?x4x64xf32>) -> tensor<?x?x6x64xf32> {
  // expected-error @+1 {{the 4 key/value heads must divide the 6 query heads}}
  %o = mixer.attention %q, %k, %k : (tensor<?x?x6x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x6x64xf32>
  return %o : tensor<?x?x6x64xf32>
}

// -----

func.func @key_dim(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x32xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{k dimension 3 (K) is 32, expected 64}}
  %o = mixer.attention %q, %k, %q : (tensor<?x?x4x64xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @lse_shape(%q: tensor<?x?x4x64xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{lse must have rank 3 [B, Tq, Hq], got 'tensor<?x4xf32>'}}
  %o, %lse = mixer.attention %q, %q, %q : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> (tensor<?x?x4x64xf32>, tensor<?x4xf32>)
  return %lse : tensor<?x4xf32>
}

// -----

func.func @mask_arity(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{mask_mod takes 4 arguments (index, index, index, index), got 2}}
  %o = mixer.attention %q, %q, %q mask_mod {
  ^bb0(%t: index, %s: index):
    %m = arith.cmpi ule, %s, %t : index
    mixer.yield %m : i1
  } : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @score_type(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{score_mod argument 0 must be 'f32', got 'index'}}
  %o = mixer.attention %q, %q, %q score_mod {
  ^bb0(%x: index, %b: index, %h: index, %t: index, %s: index):
    %c = arith.constant 1.0 : f32
    mixer.yield %c : f32
  } : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @mask_yield(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{mask_mod must yield one 'i1'}}
  %o = mixer.attention %q, %q, %q mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %c = arith.constant 1.0 : f32
    mixer.yield %c : f32
  } : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @unsupported_op(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  %o = mixer.attention %q, %q, %q score_mod {
  ^bb0(%x: f32, %b: index, %h: index, %t: index, %s: index):
    // expected-error @+1 {{'tensor.empty' op is not supported in a score_mod (arith and math ops, tensor.extract and mixer.yield are)}}
    %e = tensor.empty() : tensor<4xf32>
    mixer.yield %x : f32
  } : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @computed_index(%q: tensor<?x?x4x64xf32>, %doc: tensor<?x?xi32>) -> tensor<?x?x4x64xf32> {
  %o = mixer.attention %q, %q, %q mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %c1 = arith.constant 1 : index
    %next = arith.addi %t, %c1 : index
    // expected-error @+1 {{index 1 in a mask_mod must be an argument of the region (b, h, q_idx, kv_idx) or a constant}}
    %d = tensor.extract %doc[%b, %next] : tensor<?x?xi32>
    %z = arith.constant 0 : i32
    %m = arith.cmpi eq, %d, %z : i32
    mixer.yield %m : i1
  } : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @constant_out_of_range(%q: tensor<?x?x4x64xf32>, %slopes: tensor<4xf32>) -> tensor<?x?x4x64xf32> {
  %o = mixer.attention %q, %q, %q score_mod {
  ^bb0(%x: f32, %b: index, %h: index, %t: index, %s: index):
    %c4 = arith.constant 4 : index
    // expected-error @+1 {{index 0 in a score_mod is 4, which may be out of range for 'tensor<4xf32>'}}
    %m = tensor.extract %slopes[%c4] : tensor<4xf32>
    %y = arith.addf %x, %m : f32
    mixer.yield %y : f32
  } : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @no_scan(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{'mixer.attention' op has no 'scan' form (its forms: flash, decode): softmax attention has no sequential form}}
  %o = mixer.attention %q, %q, %q {form = #mixer.form<scan>} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

!q = tensor<?x?x4x16xf32>
func.func @zero_scale(%q: !q) -> !q {
  // expected-error@+1 {{scale must be finite and non-zero}}
  %o = mixer.attention %q, %q, %q {scale = 0.0 : f64} : (!q, !q, !q) -> !q
  return %o : !q
}

// -----

!q = tensor<?x?x4x16xf32>
func.func @tensor_from_inside(%q: !q) -> !q {
  %o = mixer.attention %q, %q, %q mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %c = arith.constant dense<true> : tensor<4xi1>
    // expected-error@+1 {{in a mask_mod must read a tensor defined above the mixer op}}
    %m = tensor.extract %c[%h] : tensor<4xi1>
    mixer.yield %m : i1
  } : (!q, !q, !q) -> !q
  return %o : !q
}

// -----

func.func @forget_cross(%q: tensor<2x8x4x16xf32>, %k: tensor<2x9x4x16xf32>, %f: tensor<2x8x4xf32>) -> tensor<2x8x4x16xf32> {
  // expected-error@+1 {{with a forget gate is self-attention: q has 8 tokens and k 9}}
  %o = mixer.attention %q, %k, %k forget %f : (tensor<2x8x4x16xf32>, tensor<2x9x4x16xf32>, tensor<2x9x4x16xf32>, tensor<2x8x4xf32>) -> tensor<2x8x4x16xf32>
  return %o : tensor<2x8x4x16xf32>
}

// -----

!q = tensor<?x?x4x16xf32>
func.func @forget_heads(%q: !q, %f: tensor<?x?x2xf32>) -> !q {
  // expected-error@+1 {{forget dimension 2 (Hq) is 2, expected 4}}
  %o = mixer.attention %q, %q, %q forget %f : (!q, !q, !q, tensor<?x?x2xf32>) -> !q
  return %o : !q
}

// -----

!q = tensor<?x?x4x16xf32>
func.func @forget_decode(%q: !q, %f: tensor<?x?x4xf32>) -> !q {
  // expected-error@+1 {{has no 'decode' form (its forms: flash): the decode form splits the keys across workers, and a forget gate's sums run across the splits}}
  %o = mixer.attention %q, %q, %q forget %f {form = #mixer.form<decode>} : (!q, !q, !q, tensor<?x?x4xf32>) -> !q
  return %o : !q
}
