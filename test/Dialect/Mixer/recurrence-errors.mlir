// RUN: mixir-opt %s -split-input-file -verify-diagnostics

// Every verifier error of mixer.recurrence (docs/dialect.md).

!x = tensor<?x?x8xf32>
func.func @no_input(%h0: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error@+1 {{needs at least one input [B, T, ...]: the inputs give the steps}}
  %hT = mixer.recurrence() init(%h0) {
  ^bb0(%h: tensor<8xf32>):
    mixer.yield %h : tensor<8xf32>
  } : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %hT : tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
func.func @no_state(%x: !x) -> !x {
  // expected-error@+1 {{body takes the states, then one step of each of the 1 inputs; it has 1 arguments, so no state}}
  %o = mixer.recurrence(%x) {
  ^bb0(%xt: tensor<8xf32>):
    mixer.yield %xt : tensor<8xf32>
  } : (!x) -> !x
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
func.func @no_output(%x: !x) -> tensor<?x8xf32> {
  %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    // expected-error@+1 {{yields the 1 new states, then at least one output; it yields 1 values}}
    mixer.yield %xt : tensor<8xf32>
  } : (!x) -> tensor<?x8xf32>
  return %hT : tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
func.func @step_type(%x: !x) -> (!x, tensor<?x8xf32>) {
  // expected-error@+1 {{body argument 1 (a step of input 0) must be 'tensor<8xf32>', got 'tensor<4xf32>'}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<4xf32>):
    mixer.yield %h, %h : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, tensor<?x8xf32>)
  return %o, %hT : !x, tensor<?x8xf32>
}

// -----

func.func @dynamic_step(%x: tensor<?x?x?xf32>) -> (tensor<?x?x8xf32>, tensor<?x8xf32>) {
  // expected-error@+1 {{input 0 dimension 2 must be static (a step is a static tile)}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    mixer.yield %h, %h : tensor<8xf32>, tensor<8xf32>
  } : (tensor<?x?x?xf32>) -> (tensor<?x?x8xf32>, tensor<?x8xf32>)
  return %o, %hT : tensor<?x?x8xf32>, tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
func.func @state_yield(%x: !x) -> (!x, tensor<?x8xf32>) {
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %s = tensor.extract_slice %h[0] [4] [1] : tensor<8xf32> to tensor<4xf32>
    // expected-error@+1 {{yields 'tensor<4xf32>' for state 0 of type 'tensor<8xf32>'}}
    mixer.yield %s, %xt : tensor<4xf32>, tensor<8xf32>
  } : (!x) -> (!x, tensor<?x8xf32>)
  return %o, %hT : !x, tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
func.func @init_count(%x: !x, %h0: tensor<?x8xf32>) -> (!x, tensor<?x8xf32>) {
  // expected-error@+1 {{has 2 initial states for 1 states}}
  %o, %hT = mixer.recurrence(%x) init(%h0, %h0) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    mixer.yield %h, %h : tensor<8xf32>, tensor<8xf32>
  } : (!x, tensor<?x8xf32>, tensor<?x8xf32>) -> (!x, tensor<?x8xf32>)
  return %o, %hT : !x, tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
func.func @init_shape(%x: !x, %h0: tensor<?x4xf32>) -> (!x, tensor<?x8xf32>) {
  // expected-error@+1 {{initial state 0 must be [B, ...] around its state 'tensor<8xf32>', got 'tensor<?x4xf32>'}}
  %o, %hT = mixer.recurrence(%x) init(%h0) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    mixer.yield %h, %h : tensor<8xf32>, tensor<8xf32>
  } : (!x, tensor<?x4xf32>) -> (!x, tensor<?x8xf32>)
  return %o, %hT : !x, tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
func.func @result_count(%x: !x) -> !x {
  // expected-error@+1 {{has 1 results; expected the 1 outputs then the 1 final states}}
  %o = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    mixer.yield %h, %h : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> !x
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
func.func @output_shape(%x: !x) -> (tensor<?x?x4xf32>, tensor<?x8xf32>) {
  // expected-error@+1 {{result 0 must be [B, T, ...] around its step 'tensor<8xf32>', got 'tensor<?x?x4xf32>'}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    mixer.yield %h, %h : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (tensor<?x?x4xf32>, tensor<?x8xf32>)
  return %o, %hT : tensor<?x?x4xf32>, tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
func.func @f16_state(%x: !x) -> (!x, tensor<?x8xf16>) {
  // expected-error@+1 {{state 0 must be a static f32 tensor, got 'tensor<8xf16>'}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf16>, %xt: tensor<8xf32>):
    mixer.yield %h, %xt : tensor<8xf16>, tensor<8xf32>
  } : (!x) -> (!x, tensor<?x8xf16>)
  return %o, %hT : !x, tensor<?x8xf16>
}

// -----

!x = tensor<?x?x8xf32>
func.func @side_effect(%x: !x, %m: memref<8xf32>) -> (!x, tensor<?x8xf32>) {
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %c0 = arith.constant 0 : index
    %v = tensor.extract %xt[%c0] : tensor<8xf32>
    // expected-error@+1 {{has side effects, which a mixer.recurrence body may not have}}
    memref.store %v, %m[%c0] : memref<8xf32>
    mixer.yield %h, %h : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, tensor<?x8xf32>)
  return %o, %hT : !x, tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
// A form other than scan on a body that is not linear in its state: the
// error names the operation that blocks it, and where it is.
func.func @no_chunked(%x: !x) -> (!x, tensor<?x8xf32>) {
  // expected-error-re@+1 {{'mixer.recurrence' op has no 'chunked' form (its forms: scan): only the scan is exact, 'math.tanh' at {{.*}}recurrence-errors.mlir:{{[0-9]+}}:{{[0-9]+}}: math.tanh of a value that depends on the state is not an element-wise affine operation}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %n = math.tanh %h : tensor<8xf32>
    mixer.yield %n, %n : tensor<8xf32>, tensor<8xf32>
  } {form = #mixer.form<chunked>} : (!x) -> (!x, tensor<?x8xf32>)
  return %o, %hT : !x, tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
// A body affine in its state: the form exists once it is raised.
func.func @raise_first(%x: !x) -> (!x, tensor<?x8xf32>) {
  // expected-error@+1 {{'mixer.recurrence' op has no 'parallel_scan' form (its forms: scan): its new states are element-wise affine in the states; mixer-raise-recurrences turns it into a mixer.diagonal_recurrence (or, for a pair of states that are a complex number's parts, a mixer.complex_diagonal_recurrence), which has that form}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %n = arith.addf %h, %xt : tensor<8xf32>
    mixer.yield %n, %n : tensor<8xf32>, tensor<8xf32>
  } {form = #mixer.form<parallel_scan>} : (!x) -> (!x, tensor<?x8xf32>)
  return %o, %hT : !x, tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
// Linear in its state but read out otherwise (here an output of the
// previous state; Mamba-1's contraction of the new one): the error says it
// is not raised, and why.
func.func @linear_readout(%x: !x) -> (!x, tensor<?x8xf32>) {
  // expected-error-re@+1 {{'mixer.recurrence' op has no 'parallel_scan' form (its forms: scan): its new states are affine in the states, but it is not raised to an op with that form: 'mixer.yield' at {{.*}}: output 0 is not one of the new states or an element-wise function of them: it reads the previous state}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %n = arith.addf %h, %xt : tensor<8xf32>
    %y = math.tanh %h : tensor<8xf32>
    mixer.yield %n, %y : tensor<8xf32>, tensor<8xf32>
  } {form = #mixer.form<parallel_scan>} : (!x) -> (!x, tensor<?x8xf32>)
  return %o, %hT : !x, tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
func.func @no_flash(%x: !x) -> (!x, tensor<?x8xf32>) {
  // expected-error@+1 {{'mixer.recurrence' op has no 'flash' form (its forms: scan): a recurrence is computed step by step (its form is scan)}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %n = arith.addf %h, %xt : tensor<8xf32>
    mixer.yield %n, %n : tensor<8xf32>, tensor<8xf32>
  } {form = #mixer.form<flash>} : (!x) -> (!x, tensor<?x8xf32>)
  return %o, %hT : !x, tensor<?x8xf32>
}

// -----

func.func @batch_mismatch(%x: tensor<2x?x8xf32>, %y: tensor<3x?x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x8xf32>) {
  // expected-error@+1 {{has B sizes 2 and 3: every operand and result shares B}}
  %o, %hT = mixer.recurrence(%x, %y) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>, %yt: tensor<8xf32>):
    mixer.yield %h, %h : tensor<8xf32>, tensor<8xf32>
  } : (tensor<2x?x8xf32>, tensor<3x?x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x8xf32>)
  return %o, %hT : tensor<?x?x8xf32>, tensor<?x8xf32>
}

// -----

func.func @length_mismatch(%x: tensor<?x5x8xf32>) -> (tensor<?x6x8xf32>, tensor<?x8xf32>) {
  // expected-error@+1 {{has T sizes 5 and 6: every operand and result shares T}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    mixer.yield %h, %h : tensor<8xf32>, tensor<8xf32>
  } : (tensor<?x5x8xf32>) -> (tensor<?x6x8xf32>, tensor<?x8xf32>)
  return %o, %hT : tensor<?x6x8xf32>, tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
func.func @final_shape(%x: !x) -> (!x, tensor<?x4xf32>) {
  // expected-error@+1 {{final state 0 must be [B, ...] around its state 'tensor<8xf32>', got 'tensor<?x4xf32>'}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    mixer.yield %h, %h : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, tensor<?x4xf32>)
  return %o, %hT : !x, tensor<?x4xf32>
}

// -----

func.func @f16_output(%x: tensor<?x?x8xf32>) -> (tensor<?x?x8xf16>, tensor<?x8xf32>) {
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %y = arith.truncf %h : tensor<8xf32> to tensor<8xf16>
    // expected-error@+1 {{output 0 must be a static f32 tensor, got 'tensor<8xf16>'}}
    mixer.yield %h, %y : tensor<8xf32>, tensor<8xf16>
  } : (tensor<?x?x8xf32>) -> (tensor<?x?x8xf16>, tensor<?x8xf32>)
  return %o, %hT : tensor<?x?x8xf16>, tensor<?x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
func.func @nested_mixer(%x: !x, %q: tensor<?x?x1x8xf32>) -> (!x, tensor<?x8xf32>) {
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    // expected-error@+1 {{may not be nested in a mixer.recurrence body}}
    %a = mixer.attention %q, %q, %q : (tensor<?x?x1x8xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x8xf32>) -> tensor<?x?x1x8xf32>
    mixer.yield %h, %h : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, tensor<?x8xf32>)
  return %o, %hT : !x, tensor<?x8xf32>
}
