// RUN: mixir-opt %s -split-input-file -verify-diagnostics

// Every verifier error of mixer.prefix_scan (docs/dialect.md).

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>
func.func @no_init(%x: !x) -> !x {
  // expected-error@+1 {{needs the initial state: at least one init [B, ...]}}
  %o = mixer.prefix_scan(%x) init() element {
  ^bb0(%xt: tensor<8xf32>):
    mixer.yield
  } combine {
  ^bb0:
    mixer.yield
  } read {
  ^bb0(%xr: tensor<8xf32>):
    mixer.yield %xr : tensor<8xf32>
  } : (!x) -> !x
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>
func.func @element_type(%x: !x, %h0: !s) -> !x {
  // expected-error@+1 {{region 'element' must take one step of each input ('tensor<8xf32>'), it takes ('tensor<4xf32>')}}
  %o = mixer.prefix_scan(%x) init(%h0) element {
  ^bb0(%xt: tensor<4xf32>):
    mixer.yield %xt : tensor<4xf32>
  } combine {
  ^bb0(%a: tensor<8xf32>, %b: tensor<8xf32>):
    mixer.yield %a : tensor<8xf32>
  } read {
  ^bb0(%h: tensor<8xf32>, %xr: tensor<8xf32>):
    mixer.yield %h : tensor<8xf32>
  } : (!x, !s) -> !x
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>
func.func @combine_arity(%x: !x, %h0: !s) -> !x {
  // expected-error@+1 {{region 'combine' must take two states ('tensor<8xf32>', 'tensor<8xf32>'), it takes ('tensor<8xf32>')}}
  %o = mixer.prefix_scan(%x) init(%h0) element {
  ^bb0(%xt: tensor<8xf32>):
    mixer.yield %xt : tensor<8xf32>
  } combine {
  ^bb0(%a: tensor<8xf32>):
    mixer.yield %a : tensor<8xf32>
  } read {
  ^bb0(%h: tensor<8xf32>, %xr: tensor<8xf32>):
    mixer.yield %h : tensor<8xf32>
  } : (!x, !s) -> !x
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>
func.func @read_yield(%x: !x, %h0: !s) -> !x {
  %o = mixer.prefix_scan(%x) init(%h0) element {
  ^bb0(%xt: tensor<8xf32>):
    mixer.yield %xt : tensor<8xf32>
  } combine {
  ^bb0(%a: tensor<8xf32>, %b: tensor<8xf32>):
    %c = arith.addf %a, %b : tensor<8xf32>
    mixer.yield %c : tensor<8xf32>
  } read {
  ^bb0(%h: tensor<8xf32>, %xr: tensor<8xf32>):
    %e = tensor.empty() : tensor<4xf32>
    // expected-error@+1 {{in region 'read' must yield one step of each output ('tensor<8xf32>'), it yields ('tensor<4xf32>')}}
    mixer.yield %e : tensor<4xf32>
  } : (!x, !s) -> !x
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
func.func @init_not_batched(%x: !x, %h0: tensor<?x?xf32>) -> !x {
  // expected-error@+1 {{initial state 0 must be [B, ...] with static sizes after B, got 'tensor<?x?xf32>'}}
  %o = mixer.prefix_scan(%x) init(%h0) element {
  ^bb0(%xt: tensor<8xf32>):
    mixer.yield %xt : tensor<8xf32>
  } combine {
  ^bb0(%a: tensor<8xf32>, %b: tensor<8xf32>):
    mixer.yield %a : tensor<8xf32>
  } read {
  ^bb0(%h: tensor<8xf32>, %xr: tensor<8xf32>):
    mixer.yield %h : tensor<8xf32>
  } : (!x, tensor<?x?xf32>) -> !x
  return %o : !x
}

// -----

!s = tensor<?x8xf32>
func.func @length_mismatch(%x: tensor<2x5x8xf32>, %h0: !s) -> tensor<2x6x8xf32> {
  // expected-error@+1 {{has T sizes 5 and 6: every operand and result shares T}}
  %o = mixer.prefix_scan(%x) init(%h0) element {
  ^bb0(%xt: tensor<8xf32>):
    mixer.yield %xt : tensor<8xf32>
  } combine {
  ^bb0(%a: tensor<8xf32>, %b: tensor<8xf32>):
    mixer.yield %a : tensor<8xf32>
  } read {
  ^bb0(%h: tensor<8xf32>, %xr: tensor<8xf32>):
    mixer.yield %h : tensor<8xf32>
  } : (tensor<2x5x8xf32>, !s) -> tensor<2x6x8xf32>
  return %o : tensor<2x6x8xf32>
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>
func.func @side_effect(%x: !x, %h0: !s) -> !x {
  %o = mixer.prefix_scan(%x) init(%h0) element {
  ^bb0(%xt: tensor<8xf32>):
    // expected-error@+1 {{has side effects, which a region of mixer.prefix_scan may not have}}
    %w = mixer.num_workers
    mixer.yield %xt : tensor<8xf32>
  } combine {
  ^bb0(%a: tensor<8xf32>, %b: tensor<8xf32>):
    mixer.yield %a : tensor<8xf32>
  } read {
  ^bb0(%h: tensor<8xf32>, %xr: tensor<8xf32>):
    mixer.yield %h : tensor<8xf32>
  } : (!x, !s) -> !x
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>
func.func @no_chunked_form(%x: !x, %h0: !s) -> !x {
  // expected-error@+1 {{'mixer.prefix_scan' op has no 'chunked' form (its forms: scan, parallel_scan): its combine is associative but not linear in the state, so no matrix form exists; parallel_scan regroups its steps instead}}
  %o = mixer.prefix_scan(%x) init(%h0) element {
  ^bb0(%xt: tensor<8xf32>):
    mixer.yield %xt : tensor<8xf32>
  } combine {
  ^bb0(%a: tensor<8xf32>, %b: tensor<8xf32>):
    %c = arith.maximumf %a, %b : tensor<8xf32>
    mixer.yield %c : tensor<8xf32>
  } read {
  ^bb0(%h: tensor<8xf32>, %xr: tensor<8xf32>):
    mixer.yield %h : tensor<8xf32>
  } {form = #mixer.form<chunked>} : (!x, !s) -> !x
  return %o : !x
}
