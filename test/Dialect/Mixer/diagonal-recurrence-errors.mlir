// RUN: mixir-opt %s -split-input-file -verify-diagnostics

// Every verifier error of mixer.diagonal_recurrence (docs/dialect.md).

func.func @no_channel(%a: tensor<?x?xf32>, %x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // expected-error@+1 {{input must be [B, T, d...] with at least one channel dimension, got 'tensor<?x?xf32>'}}
  %h = mixer.diagonal_recurrence %a, %x : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %h : tensor<?x?xf32>
}

// -----

func.func @dynamic_channel(%a: tensor<?x?x?xf32>, %x: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  // expected-error@+1 {{input dimension 2 (a channel) must be static}}
  %h = mixer.diagonal_recurrence %a, %x : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  return %h : tensor<?x?x?xf32>
}

// -----

func.func @decay_rank(%a: tensor<?x8xf32>, %x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  // expected-error@+1 {{decay must be [B, T, d...] (per step) or [d...] (per channel) around input 'tensor<?x?x8xf32>', got 'tensor<?x8xf32>'}}
  %h = mixer.diagonal_recurrence %a, %x : (tensor<?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %h : tensor<?x?x8xf32>
}

// -----

func.func @decay_channels(%a: tensor<4xf32>, %x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  // expected-error@+1 {{decay dimension 0 (d0) is 4, expected 8}}
  %h = mixer.diagonal_recurrence %a, %x : (tensor<4xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %h : tensor<?x?x8xf32>
}

// -----

func.func @decay_length(%a: tensor<2x5x8xf32>, %x: tensor<2x6x8xf32>) -> tensor<2x6x8xf32> {
  // expected-error@+1 {{decay dimension 1 (T) is 5, expected 6}}
  %h = mixer.diagonal_recurrence %a, %x : (tensor<2x5x8xf32>, tensor<2x6x8xf32>) -> tensor<2x6x8xf32>
  return %h : tensor<2x6x8xf32>
}

// -----

func.func @init_shape(%a: tensor<?x?x8xf32>, %x: tensor<?x?x8xf32>, %h0: tensor<?x4xf32>) -> tensor<?x?x8xf32> {
  // expected-error@+1 {{init dimension 1 (d0) is 4, expected 8}}
  %h = mixer.diagonal_recurrence %a, %x init(%h0) : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x4xf32>) -> tensor<?x?x8xf32>
  return %h : tensor<?x?x8xf32>
}

// -----

func.func @init_batch(%a: tensor<2x?x8xf32>, %x: tensor<2x?x8xf32>, %h0: tensor<3x8xf32>) -> tensor<2x?x8xf32> {
  // expected-error@+1 {{init dimension 0 (B) is 3, expected 2}}
  %h = mixer.diagonal_recurrence %a, %x init(%h0) : (tensor<2x?x8xf32>, tensor<2x?x8xf32>, tensor<3x8xf32>) -> tensor<2x?x8xf32>
  return %h : tensor<2x?x8xf32>
}

// -----

func.func @output_shape(%a: tensor<?x?x8xf32>, %x: tensor<?x?x8xf32>) -> tensor<?x?x4xf32> {
  // expected-error@+1 {{output must have rank 3 [B, T, d0], got 'tensor<?x?x4x2xf32>'}}
  %h = mixer.diagonal_recurrence %a, %x : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x4x2xf32>
  %c = tensor.collapse_shape %h [[0], [1], [2, 3]] : tensor<?x?x4x2xf32> into tensor<?x?x8xf32>
  %d = tensor.extract_slice %c[0, 0, 0] [1, 1, 4] [1, 1, 1] : tensor<?x?x8xf32> to tensor<?x?x4xf32>
  return %d : tensor<?x?x4xf32>
}

// -----

func.func @final_shape(%a: tensor<?x?x8xf32>, %x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  // expected-error@+1 {{final_state must have rank 2 [B, d0], got 'tensor<?x?x8xf32>'}}
  %h, %hT = mixer.diagonal_recurrence %a, %x : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>)
  return %h : tensor<?x?x8xf32>
}

// -----

func.func @element_type(%a: tensor<?x?x8xf64>, %x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  // expected-error@+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<?x?x8xf64>'}}
  %h = mixer.diagonal_recurrence %a, %x : (tensor<?x?x8xf64>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %h : tensor<?x?x8xf32>
}

// -----

func.func @form(%a: tensor<?x?x8xf32>, %x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  // expected-error@+1 {{has no 'chunked' form (its forms: scan, parallel_scan)}}
  %h = mixer.diagonal_recurrence %a, %x {form = #mixer.form<chunked>} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %h : tensor<?x?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
func.func @complex_init_count(%l: tensor<8xf32>, %x: !x, %h0: tensor<?x8xf32>) -> !x {
  // expected-error@+1 {{init must be two tensors (its real and imaginary parts), got 1}}
  %hr, %hi, %tr, %ti = mixer.complex_diagonal_recurrence %l, %l, %x, %x init(%h0) : (tensor<8xf32>, tensor<8xf32>, !x, !x, tensor<?x8xf32>) -> (!x, !x, tensor<?x8xf32>, tensor<?x8xf32>)
  return %hr : !x
}

// -----

!x = tensor<?x?x8xf32>
func.func @complex_result_count(%l: tensor<8xf32>, %x: !x) -> !x {
  // expected-error@+1 {{must have 2 results (the real and imaginary parts of h) or 4 (and of h_T), got 3}}
  %hr, %hi, %tr = mixer.complex_diagonal_recurrence %l, %l, %x, %x : (tensor<8xf32>, tensor<8xf32>, !x, !x) -> (!x, !x, tensor<?x8xf32>)
  return %hr : !x
}

// -----

!x = tensor<?x?x8xf32>
func.func @complex_decay_parts(%l: tensor<8xf32>, %x: !x) -> !x {
  // expected-error@+1 {{decay_im must be [B, T, d...] (per step) or [d...] (per channel) around input 'tensor<?x?x8xf32>', like decay_re, got 'tensor<?x?x8xf32>'}}
  %hr, %hi = mixer.complex_diagonal_recurrence %l, %x, %x, %x : (tensor<8xf32>, !x, !x, !x) -> (!x, !x)
  return %hr : !x
}

// -----

!x = tensor<?x?x8xf32>
func.func @complex_input_im(%l: tensor<8xf32>, %x: !x, %y: tensor<?x?x4xf32>) -> !x {
  // expected-error@+1 {{input_im dimension 2 (d0) is 4, expected 8}}
  %hr, %hi = mixer.complex_diagonal_recurrence %l, %l, %x, %y : (tensor<8xf32>, tensor<8xf32>, !x, tensor<?x?x4xf32>) -> (!x, !x)
  return %hr : !x
}
