// RUN: mixir-opt %s -split-input-file -mixer-raise-recurrences -verify-diagnostics | FileCheck %s

// mixer-raise-recurrences (docs/math.md, section 4.2): each kind it
// recognises, written in two algebraically different ways, and each kind it
// refuses, with the remark that says why.

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// h = f·h + (1 − f)·x: a = f, b = (1 − f)·x.
// CHECK-LABEL: func @gated_mix
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>, %[[F:.*]]: tensor<?x?x8xf32>)
// CHECK: %[[AB:.*]]:2 = linalg.generic {{.*}} ins(%[[X]], %[[F]] : tensor<?x?x8xf32>, tensor<?x?x8xf32>)
// CHECK: ^bb0(%[[XE:.*]]: f32, %[[FE:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: %[[REST:.*]] = arith.subf %{{.*}}, %[[FE]] : f32
// CHECK: %[[B:.*]] = arith.mulf %[[REST]], %[[XE]] : f32
// CHECK: linalg.yield %[[FE]], %[[B]] : f32, f32
// CHECK: %[[H:.*]], %{{.*}} = mixer.diagonal_recurrence %[[AB]]#0, %[[AB]]#1 : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x8xf32>)
// CHECK-NOT: mixer.recurrence
// CHECK: return %[[H]]
func.func @gated_mix(%x: !x, %f: !x) -> !x {
  // expected-remark@+1 {{raised to mixer.diagonal_recurrence: new state 0 is element-wise affine in the state (h = a ⊙ h + b)}}
  %o, %hT = mixer.recurrence(%x, %f) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>, %ft: tensor<8xf32>):
    %one = arith.constant dense<1.0> : tensor<8xf32>
    %keep = arith.mulf %ft, %h : tensor<8xf32>
    %rest = arith.subf %one, %ft : tensor<8xf32>
    %new = arith.mulf %rest, %xt : tensor<8xf32>
    %hn = arith.addf %keep, %new : tensor<8xf32>
    mixer.yield %hn, %hn : tensor<8xf32>, tensor<8xf32>
  } : (!x, !x) -> (!x, !s)
  return %o : !x
}

// -----

!x = tensor<?x?x2x4xf32>
!s = tensor<?x2x4xf32>

// The same kind written as one linalg.generic over the state's [2, 4]
// shape, h = f·h + (1 − f)·(x·w) with a weight w[4] broadcast over the
// first dimension: the generic is read as the tensor ops of its body (w
// through a copy that broadcasts it), and raised as before.
// CHECK-LABEL: func @as_generic
// CHECK-NOT: mixer.recurrence
// CHECK: mixer.diagonal_recurrence
func.func @as_generic(%x: !x, %f: !x, %w: tensor<4xf32>) -> !x {
  // expected-remark@+1 {{raised to mixer.diagonal_recurrence: new state 0 is element-wise affine in the state (h = a ⊙ h + b)}}
  %o, %hT = mixer.recurrence(%x, %f) {
  ^bb0(%h: tensor<2x4xf32>, %xt: tensor<2x4xf32>, %ft: tensor<2x4xf32>):
    %e = tensor.empty() : tensor<2x4xf32>
    %hn = linalg.generic {
        indexing_maps = [affine_map<(c, d) -> (c, d)>, affine_map<(c, d) -> (c, d)>,
                         affine_map<(c, d) -> (c, d)>, affine_map<(c, d) -> (d)>,
                         affine_map<(c, d) -> (c, d)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%h, %xt, %ft, %w : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>)
        outs(%e : tensor<2x4xf32>) {
    ^bb0(%hh: f32, %xx: f32, %ff: f32, %ww: f32, %out: f32):
      %one = arith.constant 1.0 : f32
      %keep = arith.mulf %ff, %hh : f32
      %rest = arith.subf %one, %ff : f32
      %xw = arith.mulf %xx, %ww : f32
      %new = arith.mulf %rest, %xw : f32
      %r = arith.addf %keep, %new : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    mixer.yield %hn, %hn : tensor<2x4xf32>, tensor<2x4xf32>
  } : (!x, !x) -> (!x, !s)
  return %o : !x
}

// -----

!x = tensor<?x?x4x4xf32>
!s = tensor<?x4x4xf32>

// Not element-wise in the state: a generic that reads the state
// transposed is kept, and blocks.
// CHECK-LABEL: func @generic_transposes_state
// CHECK: mixer.recurrence
func.func @generic_transposes_state(%x: !x) -> !x {
  // expected-remark@+1 {{kept as a recurrence: 'linalg.generic'}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<4x4xf32>, %xt: tensor<4x4xf32>):
    %e = tensor.empty() : tensor<4x4xf32>
    %hn = linalg.generic {
        indexing_maps = [affine_map<(c, d) -> (d, c)>, affine_map<(c, d) -> (c, d)>,
                         affine_map<(c, d) -> (c, d)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%h, %xt : tensor<4x4xf32>, tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
    ^bb0(%hh: f32, %xx: f32, %out: f32):
      %r = arith.addf %hh, %xx : f32
      linalg.yield %r : f32
    } -> tensor<4x4xf32>
    mixer.yield %hn, %hn : tensor<4x4xf32>, tensor<4x4xf32>
  } : (!x) -> (!x, !s)
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// The same recurrence as h = f·(h − x) + x: a = f, b = f·(−x) + x.
// CHECK-LABEL: func @gated_lerp
// CHECK: ^bb0(%[[XE:.*]]: f32, %[[FE:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: %[[NX:.*]] = arith.negf %[[XE]] : f32
// CHECK: %[[FNX:.*]] = arith.mulf %[[NX]], %[[FE]] : f32
// CHECK: %[[B:.*]] = arith.addf %[[FNX]], %[[XE]] : f32
// CHECK: linalg.yield %[[FE]], %[[B]] : f32, f32
// CHECK: mixer.diagonal_recurrence
// CHECK-NOT: mixer.recurrence
func.func @gated_lerp(%x: !x, %f: !x) -> !x {
  // expected-remark@+1 {{raised to mixer.diagonal_recurrence}}
  %o, %hT = mixer.recurrence(%x, %f) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>, %ft: tensor<8xf32>):
    %d = arith.subf %h, %xt : tensor<8xf32>
    %s = arith.mulf %ft, %d : tensor<8xf32>
    %hn = arith.addf %s, %xt : tensor<8xf32>
    mixer.yield %hn, %hn : tensor<8xf32>, tensor<8xf32>
  } : (!x, !x) -> (!x, !s)
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// A select on an input-only condition: h = m ? a·h : x (a = m ? a : 0,
// b = m ? 0 : x), and a negation: h = x − (−a)·h (a = −(−a)).
// CHECK-LABEL: func @select_and_negate
// CHECK: ^bb0(%[[XE:.*]]: f32, %[[AE:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: %[[M:.*]] = arith.cmpf ogt, %[[XE]], %{{.*}} : f32
// CHECK: %[[COEF:.*]] = arith.select %[[M]], %[[AE]], %{{.*}} : f32
// CHECK: %[[OFF:.*]] = arith.select %[[M]], %{{.*}}, %[[XE]] : f32
// CHECK: linalg.yield %[[COEF]], %[[OFF]] : f32, f32
// CHECK: mixer.diagonal_recurrence
// CHECK: ^bb0(%[[XE2:.*]]: f32, %[[AE2:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: %[[NA:.*]] = arith.negf %[[AE2]] : f32
// CHECK: %[[NNA:.*]] = arith.negf %[[NA]] : f32
// CHECK: linalg.yield %[[NNA]], %[[XE2]] : f32, f32
// CHECK: mixer.diagonal_recurrence
// CHECK-NOT: mixer.recurrence
func.func @select_and_negate(%x: !x, %a: !x) -> (!x, !x) {
  // expected-remark@+1 {{raised to mixer.diagonal_recurrence}}
  %o, %hT = mixer.recurrence(%x, %a) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>, %at: tensor<8xf32>):
    %zero = arith.constant dense<0.0> : tensor<8xf32>
    %m = arith.cmpf ogt, %xt, %zero : tensor<8xf32>
    %ah = arith.mulf %at, %h : tensor<8xf32>
    %hn = arith.select %m, %ah, %xt : tensor<8xi1>, tensor<8xf32>
    mixer.yield %hn, %hn : tensor<8xf32>, tensor<8xf32>
  } : (!x, !x) -> (!x, !s)
  // expected-remark@+1 {{raised to mixer.diagonal_recurrence}}
  %o2, %hT2 = mixer.recurrence(%x, %a) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>, %at: tensor<8xf32>):
    %na = arith.negf %at : tensor<8xf32>
    %nah = arith.mulf %na, %h : tensor<8xf32>
    %hn = arith.subf %xt, %nah : tensor<8xf32>
    mixer.yield %hn, %hn : tensor<8xf32>, tensor<8xf32>
  } : (!x, !x) -> (!x, !s)
  return %o, %o2 : !x, !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// A decay written as exp(·) is kept in log space (log_decay); an outer
// tensor (one value per channel) is read broadcast over B and T; the
// initial and final states carry over.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$CH:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func @log_decay
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>, %[[R:.*]]: tensor<?x?x8xbf16>, %[[LAM:.*]]: tensor<8xf32>, %[[H0:.*]]: tensor<?x8xf32>)
// CHECK: %[[AB:.*]]:2 = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$CH]], #[[$ID]], #[[$ID]]]{{.*}} ins(%[[X]], %[[R]], %[[LAM]] :
// CHECK: ^bb0(%[[XE:.*]]: f32, %[[RE:.*]]: bf16, %[[LE:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: %[[RF:.*]] = arith.extf %[[RE]] : bf16 to f32
// CHECK: %[[LOGA:.*]] = arith.mulf %[[RF]], %[[LE]] : f32
// CHECK: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: %[[B:.*]] = arith.divf %[[XE]], %[[TWO]] : f32
// CHECK: linalg.yield %[[LOGA]], %[[B]] : f32, f32
// CHECK: %[[H:.*]], %[[HT:.*]] = mixer.diagonal_recurrence %[[AB]]#0, %[[AB]]#1 init(%[[H0]]) {log_decay}
// CHECK: return %[[H]], %[[HT]]
func.func @log_decay(%x: !x, %r: tensor<?x?x8xbf16>, %lam: tensor<8xf32>, %h0: !s) -> (!x, !s) {
  // expected-remark@+1 {{raised to mixer.diagonal_recurrence: new state 0 is element-wise affine in the state (h = a ⊙ h + b, a = exp(log a))}}
  %o, %hT = mixer.recurrence(%x, %r) init(%h0) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>, %rt: tensor<8xf32>):
    %two = arith.constant dense<2.0> : tensor<8xf32>
    %loga = arith.mulf %rt, %lam : tensor<8xf32>
    %a = math.exp %loga : tensor<8xf32>
    %ah = arith.mulf %a, %h : tensor<8xf32>
    %half = arith.divf %xt, %two : tensor<8xf32>
    %hn = arith.addf %ah, %half : tensor<8xf32>
    mixer.yield %hn, %hn : tensor<8xf32>, tensor<8xf32>
  } : (!x, tensor<?x?x8xbf16>, !s) -> (!x, !s)
  return %o, %hT : !x, !s
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// What depends on outer tensors alone is computed once per channel, in a
// generic over [d] that the per-step generic reads broadcast: here
// log σ(lam) = −log1p(exp(−lam)) (RG-LRU's decay). A decay of outer tensors
// alone (a = exp(−exp(nu))) becomes the per-channel decay operand itself.
// CHECK-DAG: #[[$D:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$CH:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func @per_channel
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>, %[[R:.*]]: tensor<?x?x8xf32>, %[[LAM:.*]]: tensor<8xf32>, %[[NU:.*]]: tensor<8xf32>)
// CHECK: %[[LOGSIG:.*]] = linalg.generic {indexing_maps = [#[[$D]], #[[$D]]], iterator_types = ["parallel"]} ins(%[[LAM]] : tensor<8xf32>)
// CHECK: math.log1p
// CHECK: -> tensor<8xf32>
// CHECK: %[[AB:.*]]:2 = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$CH]], #[[$ID]], #[[$ID]]]{{.*}} ins(%[[X]], %[[R]], %[[LOGSIG]] :
// CHECK: ^bb0(%[[XE:.*]]: f32, %[[RE:.*]]: f32, %[[LE:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NOT: math.log1p
// CHECK: %[[LOGA:.*]] = arith.mulf %[[RE]], %[[LE]] : f32
// CHECK: linalg.yield %[[LOGA]], %[[XE]] : f32, f32
// CHECK: %[[H1:.*]], %{{.*}} = mixer.diagonal_recurrence %[[AB]]#0, %[[AB]]#1 {log_decay} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>)
// CHECK: %[[LOGA2:.*]] = linalg.generic {indexing_maps = [#[[$D]], #[[$D]]], iterator_types = ["parallel"]} ins(%[[NU]] : tensor<8xf32>)
// CHECK: math.exp
// CHECK: arith.negf
// CHECK: -> tensor<8xf32>
// CHECK: %[[B2:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]]{{.*}} ins(%[[X]] : tensor<?x?x8xf32>)
// CHECK: %[[H2:.*]], %{{.*}} = mixer.diagonal_recurrence %[[LOGA2]], %[[B2]] {log_decay} : (tensor<8xf32>, tensor<?x?x8xf32>)
// CHECK: return %[[H1]], %[[H2]]
func.func @per_channel(%x: !x, %r: !x, %lam: tensor<8xf32>, %nu: tensor<8xf32>) -> (!x, !x) {
  // expected-remark@+1 {{raised to mixer.diagonal_recurrence}}
  %o, %hT = mixer.recurrence(%x, %r) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>, %rt: tensor<8xf32>):
    %nlam = arith.negf %lam : tensor<8xf32>
    %e = math.exp %nlam : tensor<8xf32>
    %softplus = math.log1p %e : tensor<8xf32>
    %logsig = arith.negf %softplus : tensor<8xf32>
    %loga = arith.mulf %rt, %logsig : tensor<8xf32>
    %a = math.exp %loga : tensor<8xf32>
    %ah = arith.mulf %a, %h : tensor<8xf32>
    %hn = arith.addf %ah, %xt : tensor<8xf32>
    mixer.yield %hn, %hn : tensor<8xf32>, tensor<8xf32>
  } : (!x, !x) -> (!x, !s)
  // expected-remark@+1 {{raised to mixer.diagonal_recurrence}}
  %o2, %hT2 = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %enu = math.exp %nu : tensor<8xf32>
    %loga = arith.negf %enu : tensor<8xf32>
    %a = math.exp %loga : tensor<8xf32>
    %ah = arith.mulf %a, %h : tensor<8xf32>
    %hn = arith.addf %ah, %xt : tensor<8xf32>
    mixer.yield %hn, %hn : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s)
  return %o, %o2 : !x, !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// Two states, each affine in itself: one diagonal recurrence per state. An
// affine value divided by an input (a = f / x) and an fma are affine.
// CHECK-LABEL: func @two_states
// CHECK: %[[H1:.*]], %{{.*}} = mixer.diagonal_recurrence
// CHECK: %[[H2:.*]], %[[F2:.*]] = mixer.diagonal_recurrence
// CHECK: return %[[H1]], %[[H2]], %[[F2]]
func.func @two_states(%x: !x, %f: !x) -> (!x, !x, !s) {
  // expected-remark@+1 {{new state 0 is element-wise affine in the state (h = a ⊙ h + b); new state 1 is element-wise affine in the state (h = a ⊙ h + b)}}
  %o1, %o2, %f1, %f2 = mixer.recurrence(%x, %f) {
  ^bb0(%h1: tensor<8xf32>, %h2: tensor<8xf32>, %xt: tensor<8xf32>, %ft: tensor<8xf32>):
    %a1 = arith.mulf %ft, %h1 : tensor<8xf32>
    %s1 = arith.addf %a1, %xt : tensor<8xf32>
    %n1 = arith.divf %s1, %xt : tensor<8xf32>
    %n2 = math.fma %h2, %xt, %ft : tensor<8xf32>
    mixer.yield %n1, %n2, %n1, %n2 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  } : (!x, !x) -> (!x, !x, !s, !s)
  return %o1, %o2, %f2 : !x, !x, !s
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// Refused: h·h. The remark names the op and its location:
// "kept as a recurrence: 'arith.mulf' at FILE:LINE:COL: arith.mulf
// multiplies two values that depend on the state".
// CHECK-LABEL: func @square
// CHECK: mixer.recurrence
// CHECK-NOT: mixer.diagonal_recurrence
func.func @square(%x: !x) -> !x {
  // expected-remark-re@+1 {{kept as a recurrence: 'arith.mulf' at {{.*}}mixer-raise-recurrences.mlir:{{[0-9]+}}:{{[0-9]+}}: arith.mulf multiplies two values that depend on the state}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %hh = arith.mulf %h, %h : tensor<8xf32>
    %hn = arith.addf %hh, %xt : tensor<8xf32>
    mixer.yield %hn, %hn : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s)
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// Refused: exp(h).
// CHECK-LABEL: func @exponential
// CHECK: mixer.recurrence
// CHECK-NOT: mixer.diagonal_recurrence
func.func @exponential(%x: !x) -> !x {
  // expected-remark@+1 {{math.exp of a value that depends on the state is not an element-wise affine operation}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %e = math.exp %h : tensor<8xf32>
    %hn = arith.mulf %e, %xt : tensor<8xf32>
    mixer.yield %hn, %hn : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s)
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// Refused: x / h.
// CHECK-LABEL: func @divide_by_state
// CHECK: mixer.recurrence
// CHECK-NOT: mixer.diagonal_recurrence
func.func @divide_by_state(%x: !x) -> !x {
  // expected-remark@+1 {{arith.divf divides by a value that depends on the state}}
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %hn = arith.divf %xt, %h : tensor<8xf32>
    mixer.yield %hn, %hn : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s)
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// Refused: a comparison of the state (a select on it); two states
// mixed other than as a complex number's parts (h1' = h1 + h2, h2' = x); an
// output that reads the previous state; an output that is not a new state; a coefficient computed with an
// op that is not element-wise.
// CHECK-LABEL: func @refusals
// CHECK-COUNT-4: mixer.recurrence
// CHECK-NOT: mixer.diagonal_recurrence
func.func @refusals(%x: !x, %w: tensor<8x8xf32>) -> (!x, !x, !x, !x) {
  // expected-remark@+1 {{arith.cmpf of a value that depends on the state is not an element-wise affine operation}}
  %o1, %f1 = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %m = arith.cmpf ogt, %h, %xt : tensor<8xf32>
    %hn = arith.select %m, %h, %xt : tensor<8xi1>, tensor<8xf32>
    mixer.yield %hn, %hn : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s)
  // expected-remark@+1 {{kept as a recurrence: new states 0 and 1 are coupled, but not as a complex number's parts}}
  %o2, %f2a, %f2b = mixer.recurrence(%x) {
  ^bb0(%h1: tensor<8xf32>, %h2: tensor<8xf32>, %xt: tensor<8xf32>):
    %n1 = arith.addf %h1, %h2 : tensor<8xf32>
    mixer.yield %n1, %xt, %n1 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s, !s)
  // expected-remark@+1 {{output 0 is not one of the new states or an element-wise function of them: it reads the previous state}}
  %o3, %f3 = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %hn = arith.addf %h, %xt : tensor<8xf32>
    %y = arith.mulf %h, %xt : tensor<8xf32>
    mixer.yield %hn, %y : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s)
  // expected-remark@+1 {{the coefficients of new state 0 are computed with an operation that is not element-wise on the state's shape}}
  %o4, %f4 = mixer.recurrence(%x) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>):
    %zero = arith.constant dense<0.0> : tensor<8xf32>
    %wx = linalg.matvec ins(%w, %xt : tensor<8x8xf32>, tensor<8xf32>) outs(%zero : tensor<8xf32>) -> tensor<8xf32>
    %ah = arith.mulf %wx, %h : tensor<8xf32>
    mixer.yield %ah, %ah : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s)
  return %o1, %o2, %o3, %o4 : !x, !x, !x, !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// Two states coupled as a complex number's parts, h = λ ⊙ h + b with
// λ = lr + i·li read per step: one mixer.complex_diagonal_recurrence whose
// decay is (lr, li). Spelled with an fma and a negation in the real part,
// products in the other order in the imaginary part.
// CHECK-LABEL: func @complex_per_step
// CHECK-SAME: (%[[LR:.*]]: tensor<?x?x8xf32>, %[[LI:.*]]: tensor<?x?x8xf32>, %[[X:.*]]: tensor<?x?x8xf32>)
// CHECK: %[[P:.*]]:4 = linalg.generic {{.*}} ins(%[[LR]], %[[LI]], %[[X]] :
// CHECK: ^bb0(%[[RE:.*]]: f32, %[[IM:.*]]: f32, %[[XE:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: linalg.yield %[[RE]], %[[IM]], %[[XE]], %{{.*}} : f32, f32, f32, f32
// CHECK: %[[H:.*]]:4 = mixer.complex_diagonal_recurrence %[[P]]#0, %[[P]]#1, %[[P]]#2, %[[P]]#3 : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>)
// CHECK: return %[[H]]#0, %[[H]]#1
func.func @complex_per_step(%lr: !x, %li: !x, %x: !x) -> (!x, !x) {
  // expected-remark@+1 {{raised to mixer.complex_diagonal_recurrence: new states 0 and 1 are the real and imaginary parts of a complex state affine in itself (h = λ ⊙ h + b)}}
  %o_re, %o_im, %t_re, %t_im = mixer.recurrence(%lr, %li, %x) {
  ^bb0(%hr: tensor<8xf32>, %hi: tensor<8xf32>, %a: tensor<8xf32>, %b: tensor<8xf32>, %xt: tensor<8xf32>):
    %bh = arith.mulf %b, %hi : tensor<8xf32>
    %nbh = arith.negf %bh : tensor<8xf32>
    %re0 = math.fma %a, %hr, %nbh : tensor<8xf32>
    %re = arith.addf %re0, %xt : tensor<8xf32>
    %im0 = arith.mulf %hr, %b : tensor<8xf32>
    %im1 = arith.mulf %hi, %a : tensor<8xf32>
    %im = arith.addf %im0, %im1 : tensor<8xf32>
    mixer.yield %re, %im, %re, %im : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  } : (!x, !x, !x) -> (!x, !x, !s, !s)
  return %o_re, %o_im : !x, !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// λ = exp(−exp(ν) + i·exp(θ)) from per-channel parameters (LRU): λ's parts
// and γ are computed once per channel; λ becomes the per-channel decay.
// CHECK-LABEL: func @complex_per_channel
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>, %[[NU:.*]]: tensor<8xf32>, %[[TH:.*]]: tensor<8xf32>, %[[H0R:.*]]: tensor<?x8xf32>, %[[H0I:.*]]: tensor<?x8xf32>)
// CHECK: %[[L:.*]]:3 = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[NU]], %[[TH]] : tensor<8xf32>, tensor<8xf32>)
// CHECK-DAG: math.cos
// CHECK-DAG: math.sin
// CHECK-DAG: math.expm1
// CHECK: %[[B:.*]]:2 = linalg.generic {{.*}} ins(%[[X]], %[[L]]#{{.}} : tensor<?x?x8xf32>, tensor<8xf32>)
// CHECK-NOT: math.cos
// CHECK: %[[H:.*]]:4 = mixer.complex_diagonal_recurrence %[[L]]#{{.}}, %[[L]]#{{.}}, %[[B]]#0, %[[B]]#1 init(%[[H0R]], %[[H0I]]) : (tensor<8xf32>, tensor<8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>)
// CHECK: return %[[H]]#0, %[[H]]#3
func.func @complex_per_channel(%x: !x, %nu: tensor<8xf32>, %theta: tensor<8xf32>, %h0r: !s, %h0i: !s) -> (!x, !s) {
  // expected-remark@+1 {{raised to mixer.complex_diagonal_recurrence}}
  %o_re, %o_im, %t_re, %t_im = mixer.recurrence(%x) init(%h0r, %h0i) {
  ^bb0(%hr: tensor<8xf32>, %hi: tensor<8xf32>, %xt: tensor<8xf32>):
    %one = arith.constant dense<1.0> : tensor<8xf32>
    %enu = math.exp %nu : tensor<8xf32>
    %lmod = arith.negf %enu : tensor<8xf32>
    %mod = math.exp %lmod : tensor<8xf32>
    %th = math.exp %theta : tensor<8xf32>
    %c = math.cos %th : tensor<8xf32>
    %s = math.sin %th : tensor<8xf32>
    %lr = arith.mulf %mod, %c : tensor<8xf32>
    %li = arith.mulf %mod, %s : tensor<8xf32>
    %mod2 = arith.mulf %mod, %mod : tensor<8xf32>
    %rest = arith.subf %one, %mod2 : tensor<8xf32>
    %g = math.sqrt %rest : tensor<8xf32>
    %gx = arith.mulf %g, %xt : tensor<8xf32>
    %rr = arith.mulf %lr, %hr : tensor<8xf32>
    %ii = arith.mulf %li, %hi : tensor<8xf32>
    %ri = arith.mulf %lr, %hi : tensor<8xf32>
    %ir = arith.mulf %li, %hr : tensor<8xf32>
    %re0 = arith.subf %rr, %ii : tensor<8xf32>
    %re = arith.addf %re0, %gx : tensor<8xf32>
    %im = arith.addf %ir, %ri : tensor<8xf32>
    mixer.yield %re, %im, %re, %im : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  } : (!x, !s, !s) -> (!x, !x, !s, !s)
  return %o_re, %t_im : !x, !s
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// Refused: a rotation whose parts do not match (h_i' = im·h_r + im·h_i), and
// three coupled states.
// CHECK-LABEL: func @complex_refusals
// CHECK-COUNT-2: mixer.recurrence
// CHECK-NOT: diagonal_recurrence
func.func @complex_refusals(%a: !x, %b: !x) -> (!x, !x) {
  // expected-remark@+1 {{kept as a recurrence: new states 0 and 1 are coupled, but not as a complex number's parts}}
  %o1, %o2, %t1, %t2 = mixer.recurrence(%a, %b) {
  ^bb0(%hr: tensor<8xf32>, %hi: tensor<8xf32>, %at: tensor<8xf32>, %bt: tensor<8xf32>):
    %rr = arith.mulf %at, %hr : tensor<8xf32>
    %ii = arith.mulf %bt, %hi : tensor<8xf32>
    %re = arith.subf %rr, %ii : tensor<8xf32>
    %ir = arith.mulf %bt, %hr : tensor<8xf32>
    %im = arith.addf %ir, %ii : tensor<8xf32>
    mixer.yield %re, %im, %re, %im : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  } : (!x, !x) -> (!x, !x, !s, !s)
  // expected-remark@+1 {{new states 0, 1, 2 are coupled: only a pair of states (a complex number's parts) may be mixed}}
  %p1, %q1, %q2, %q3 = mixer.recurrence(%a) {
  ^bb0(%h1: tensor<8xf32>, %h2: tensor<8xf32>, %h3: tensor<8xf32>, %at: tensor<8xf32>):
    %n1 = arith.addf %h1, %h2 : tensor<8xf32>
    %n2 = arith.addf %h2, %h3 : tensor<8xf32>
    %n3 = arith.addf %h3, %at : tensor<8xf32>
    mixer.yield %n1, %n2, %n3, %n1 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s, !s, !s)
  return %o1, %p1 : !x, !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// An output that is an element-wise function of the new state and the
// inputs (a gated readout y = h ⊙ σ(z), in bf16): the diagonal op computes
// h, and a generic over [B, T, d] computes y from it.
// CHECK-LABEL: func @gated_output
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>, %[[F:.*]]: tensor<?x?x8xf32>, %[[Z:.*]]: tensor<?x?x8xf32>)
// CHECK: %[[H:.*]], %[[HT:.*]] = mixer.diagonal_recurrence
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[Z]], %[[H]] : tensor<?x?x8xf32>, tensor<?x?x8xf32>) outs(%{{.*}} : tensor<?x?x8xbf16>)
// CHECK: ^bb0(%[[ZE:.*]]: f32, %[[HE:.*]]: f32, %{{.*}}: bf16):
// CHECK: math.exp
// CHECK: %[[G:.*]] = arith.mulf %[[HE]], %{{.*}} : f32
// CHECK: %[[GB:.*]] = arith.truncf %[[G]] : f32 to bf16
// CHECK: linalg.yield %[[GB]] : bf16
// CHECK: return %[[Y]], %[[HT]]
func.func @gated_output(%x: !x, %f: !x, %z: !x) -> (tensor<?x?x8xbf16>, !s) {
  // expected-remark@+1 {{raised to mixer.diagonal_recurrence: new state 0 is element-wise affine in the state (h = a ⊙ h + b); output computed element-wise from the new states}}
  %y, %hT = mixer.recurrence(%x, %f, %z) {
  ^bb0(%h: tensor<8xf32>, %xt: tensor<8xf32>, %ft: tensor<8xf32>, %zt: tensor<8xf32>):
    %one = arith.constant dense<1.0> : tensor<8xf32>
    %keep = arith.mulf %ft, %h : tensor<8xf32>
    %hn = arith.addf %keep, %xt : tensor<8xf32>
    %nz = arith.negf %zt : tensor<8xf32>
    %e = math.exp %nz : tensor<8xf32>
    %d = arith.addf %one, %e : tensor<8xf32>
    %gate = arith.divf %one, %d : tensor<8xf32>
    %yt = arith.mulf %hn, %gate : tensor<8xf32>
    mixer.yield %hn, %yt : tensor<8xf32>, tensor<8xf32>
  } : (!x, !x, !x) -> (tensor<?x?x8xbf16>, !s)
  return %y, %hT : tensor<?x?x8xbf16>, !s
}

// -----

!k = tensor<?x?x2x8xf32>
!v = tensor<?x?x2x4xf32>

// GLA as its recurrence, on a [heads, key, value] = [2, 8, 4] state:
// S' = exp(g) ⊙ S + k vᵀ, o = Σ_i S'·q·0.5. The raise proves it
// semiseparable: g is the gate, k and v are read as they are, the constant
// factor 0.5 becomes the scale.
// CHECK-LABEL: func @gla_as_recurrence
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x2x8xf32>, %[[K:.*]]: tensor<?x?x2x8xf32>, %[[V:.*]]: tensor<?x?x2x4xf32>, %[[G:.*]]: tensor<?x?x2x8xf32>)
// CHECK-NOT: mixer.recurrence
// CHECK: %[[O:.*]], %{{.*}} = mixer.semiseparable %[[Q]], %[[K]], %[[V]] gate(%[[G]]) {scale = 5.000000e-01 : f64} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2x8xf32>) -> (tensor<?x?x2x4xf32>, tensor<?x2x8x4xf32>)
// CHECK: return %[[O]]
func.func @gla_as_recurrence(%q: !k, %k: !k, %v: !v, %g: !k) -> !v {
  // expected-remark@+1 {{raised to mixer.semiseparable: the state is updated as S = diag(α) S + k vᵀ (decay: one per key channel and step) and read out as o = Sᵀ q}}
  %o, %ST = mixer.recurrence(%q, %k, %v, %g) {
  ^bb0(%S: tensor<2x8x4xf32>, %qt: tensor<2x8xf32>, %kt: tensor<2x8xf32>,
       %vt: tensor<2x4xf32>, %gt: tensor<2x8xf32>):
    %e = tensor.empty() : tensor<2x8x4xf32>
    %decay = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%gt : tensor<2x8xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%gg: f32, %out: f32):
      %a = math.exp %gg : f32
      linalg.yield %a : f32
    } -> tensor<2x8x4xf32>
    %kv = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, j)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%kt, %vt : tensor<2x8xf32>, tensor<2x4xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%kk: f32, %vv: f32, %out: f32):
      %p = arith.mulf %kk, %vv : f32
      linalg.yield %p : f32
    } -> tensor<2x8x4xf32>
    %decayed = arith.mulf %decay, %S : tensor<2x8x4xf32>
    %Sn = arith.addf %decayed, %kv : tensor<2x8x4xf32>
    %zero = arith.constant 0.0 : f32
    %eo = tensor.empty() : tensor<2x4xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4xf32>) -> tensor<2x4xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%Sn, %qt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%acc : tensor<2x4xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %half = arith.constant 0.5 : f32
      %sq = arith.mulf %s, %qq : f32
      %p = arith.mulf %sq, %half : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    mixer.yield %Sn, %ot : tensor<2x8x4xf32>, tensor<2x4xf32>
  } : (!k, !k, !v, !k) -> (!v, tensor<?x2x8x4xf32>)
  return %o : !v
}

// -----

!k = tensor<?x?x8xf32>
!v = tensor<?x?x4xf32>
!t = tensor<?x?xf32>

// The same kind written otherwise: a [key, value] = [8, 4] state without
// heads, S' = fma(S, f, k vᵀ) with a decay f ∈ (0, 1) given as it is, one
// per step ([B, T]), and a read-out fma(S, q, acc) onto v ⊙ v. The gate is
// log f ([B, T, 1], the missing head dimension a unit one), and v ⊙ v is
// added to the op's output.
// CHECK-LABEL: func @key_value_state
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x8xf32>, %[[K:.*]]: tensor<?x?x8xf32>, %[[V:.*]]: tensor<?x?x4xf32>, %[[F:.*]]: tensor<?x?xf32>)
// CHECK: %[[LOG:.*]] = linalg.generic {{.*}} ins(%[[F]] : tensor<?x?xf32>)
// CHECK: math.log
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[V]] : tensor<?x?x4xf32>)
// CHECK: arith.mulf
// CHECK-DAG: %[[Q4:.*]] = tensor.expand_shape %[[Q]] {{\[}}[0], [1, 2], [3]]
// CHECK-DAG: %[[K4:.*]] = tensor.expand_shape %[[K]] {{\[}}[0], [1, 2], [3]]
// CHECK-DAG: %[[V4:.*]] = tensor.expand_shape %[[V]] {{\[}}[0], [1, 2], [3]]
// CHECK: %[[G3:.*]] = tensor.expand_shape %[[LOG]] {{\[}}[0], [1, 2]]
// CHECK: %[[O:.*]], %{{.*}} = mixer.semiseparable %[[Q4]], %[[K4]], %[[V4]] gate(%[[G3]]) {scale = 1.000000e+00 : f64} : (tensor<?x?x1x8xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1xf32>) -> (tensor<?x?x1x4xf32>, tensor<?x1x8x4xf32>)
// CHECK: %[[O3:.*]] = tensor.collapse_shape %[[O]] {{\[}}[0], [1, 2], [3]]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[O3]], %[[R]] : tensor<?x?x4xf32>, tensor<?x?x4xf32>)
// CHECK: arith.addf
// CHECK: return %[[SUM]]
func.func @key_value_state(%q: !k, %k: !k, %v: !v, %f: !t) -> !v {
  // expected-remark@+1 {{raised to mixer.semiseparable: the state is updated as S = diag(α) S + k vᵀ (decay: one per head and step) and read out as o = Sᵀ q + r}}
  %o, %ST = mixer.recurrence(%q, %k, %v, %f) {
  ^bb0(%S: tensor<8x4xf32>, %qt: tensor<8xf32>, %kt: tensor<8xf32>,
       %vt: tensor<4xf32>, %ft: tensor<f32>):
    %e = tensor.empty() : tensor<8x4xf32>
    %decay = linalg.generic {
        indexing_maps = [affine_map<(i, j) -> ()>, affine_map<(i, j) -> (i, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%ft : tensor<f32>) outs(%e : tensor<8x4xf32>) {
    ^bb0(%ff: f32, %out: f32):
      linalg.yield %ff : f32
    } -> tensor<8x4xf32>
    %kv = linalg.generic {
        indexing_maps = [affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i)>,
                         affine_map<(i, j) -> (i, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%vt, %kt : tensor<4xf32>, tensor<8xf32>) outs(%e : tensor<8x4xf32>) {
    ^bb0(%vv: f32, %kk: f32, %out: f32):
      %p = arith.mulf %vv, %kk : f32
      linalg.yield %p : f32
    } -> tensor<8x4xf32>
    %Sn = math.fma %S, %decay, %kv : tensor<8x4xf32>
    %vv = arith.mulf %vt, %vt : tensor<4xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(j, i) -> (i, j)>, affine_map<(j, i) -> (i)>,
                         affine_map<(j, i) -> (j)>],
        iterator_types = ["parallel", "reduction"]}
        ins(%Sn, %qt : tensor<8x4xf32>, tensor<8xf32>) outs(%vv : tensor<4xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %r = math.fma %s, %qq, %a : f32
      linalg.yield %r : f32
    } -> tensor<4xf32>
    mixer.yield %Sn, %ot : tensor<8x4xf32>, tensor<4xf32>
  } : (!k, !k, !v, !t) -> (!v, tensor<?x8x4xf32>)
  return %o : !v
}

// -----

!k = tensor<?x?x8xf32>
!v = tensor<?x?x4xf32>

// Refused: the decay W[i, j] (a parameter) depends on the value dimension,
// so S' = W ⊙ S + k vᵀ is not diag(α)·S.
// CHECK-LABEL: func @decay_on_value
// CHECK: mixer.recurrence
func.func @decay_on_value(%q: !k, %k: !k, %v: !v, %W: tensor<8x4xf32>) -> !v {
  // expected-remark@+1 {{kept as a recurrence: the decay depends on the value dimension: the state's decay must be one per key channel}}
  %o, %ST = mixer.recurrence(%q, %k, %v) {
  ^bb0(%S: tensor<8x4xf32>, %qt: tensor<8xf32>, %kt: tensor<8xf32>, %vt: tensor<4xf32>):
    %e = tensor.empty() : tensor<8x4xf32>
    %kv = linalg.generic {
        indexing_maps = [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (j)>,
                         affine_map<(i, j) -> (i, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%kt, %vt : tensor<8xf32>, tensor<4xf32>) outs(%e : tensor<8x4xf32>) {
    ^bb0(%kk: f32, %vv: f32, %out: f32):
      %p = arith.mulf %kk, %vv : f32
      linalg.yield %p : f32
    } -> tensor<8x4xf32>
    %decayed = arith.mulf %W, %S : tensor<8x4xf32>
    %Sn = arith.addf %decayed, %kv : tensor<8x4xf32>
    %zero = arith.constant 0.0 : f32
    %eo = tensor.empty() : tensor<4xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<4xf32>) -> tensor<4xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>,
                         affine_map<(i, j) -> (j)>],
        iterator_types = ["reduction", "parallel"]}
        ins(%Sn, %qt : tensor<8x4xf32>, tensor<8xf32>) outs(%acc : tensor<4xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %p = arith.mulf %s, %qq : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<4xf32>
    mixer.yield %Sn, %ot : tensor<8x4xf32>, tensor<4xf32>
  } : (!k, !k, !v) -> (!v, tensor<?x8x4xf32>)
  return %o : !v
}

// -----

!k = tensor<?x?x8xf32>
!v = tensor<?x?x4xf32>

// Refused: the state's input k[i] + v[j] is not an outer product.
// CHECK-LABEL: func @input_not_outer_product
// CHECK: mixer.recurrence
func.func @input_not_outer_product(%q: !k, %k: !k, %v: !v) -> !v {
  // expected-remark@+1 {{the state's input is not an outer product k vᵀ: a factor of it depends on both the key and the value}}
  %o, %ST = mixer.recurrence(%q, %k, %v) {
  ^bb0(%S: tensor<8x4xf32>, %qt: tensor<8xf32>, %kt: tensor<8xf32>, %vt: tensor<4xf32>):
    %e = tensor.empty() : tensor<8x4xf32>
    %kv = linalg.generic {
        indexing_maps = [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (j)>,
                         affine_map<(i, j) -> (i, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%kt, %vt : tensor<8xf32>, tensor<4xf32>) outs(%e : tensor<8x4xf32>) {
    ^bb0(%kk: f32, %vv: f32, %out: f32):
      %p = arith.addf %kk, %vv : f32
      linalg.yield %p : f32
    } -> tensor<8x4xf32>
    %Sn = arith.addf %S, %kv : tensor<8x4xf32>
    %zero = arith.constant 0.0 : f32
    %eo = tensor.empty() : tensor<4xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<4xf32>) -> tensor<4xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>,
                         affine_map<(i, j) -> (j)>],
        iterator_types = ["reduction", "parallel"]}
        ins(%Sn, %qt : tensor<8x4xf32>, tensor<8xf32>) outs(%acc : tensor<4xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %p = arith.mulf %s, %qq : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<4xf32>
    mixer.yield %Sn, %ot : tensor<8x4xf32>, tensor<4xf32>
  } : (!k, !k, !v) -> (!v, tensor<?x8x4xf32>)
  return %o : !v
}

// -----

!x = tensor<?x?x8xf32>
!b = tensor<?x?x4xf32>

// Refused on purpose: a [channels, states] = [8, 4] state read out over
// its states (Mamba-1's shape) has no value dimension.
// CHECK-LABEL: func @no_value_dimension
// CHECK: mixer.recurrence
func.func @no_value_dimension(%x: !x, %bm: !b, %cm: !b, %A: tensor<8x4xf32>) -> !x {
  // expected-remark@+1 {{the state has no value dimension: as mixer.semiseparable (a value of size 1) its query, key and decay would be stored for every (channel, state) and step, which the recurrence's scan computes as it goes}}
  %y, %hT = mixer.recurrence(%x, %bm, %cm) {
  ^bb0(%h: tensor<8x4xf32>, %xt: tensor<8xf32>, %bt: tensor<4xf32>, %ct: tensor<4xf32>):
    %e = tensor.empty() : tensor<8x4xf32>
    %bx = linalg.generic {
        indexing_maps = [affine_map<(d, n) -> (d)>, affine_map<(d, n) -> (n)>,
                         affine_map<(d, n) -> (d, n)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%xt, %bt : tensor<8xf32>, tensor<4xf32>) outs(%e : tensor<8x4xf32>) {
    ^bb0(%xx: f32, %bb: f32, %out: f32):
      %p = arith.mulf %xx, %bb : f32
      linalg.yield %p : f32
    } -> tensor<8x4xf32>
    %decayed = arith.mulf %A, %h : tensor<8x4xf32>
    %hn = arith.addf %decayed, %bx : tensor<8x4xf32>
    %zero = arith.constant 0.0 : f32
    %eo = tensor.empty() : tensor<8xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<8xf32>) -> tensor<8xf32>
    %yt = linalg.generic {
        indexing_maps = [affine_map<(d, n) -> (d, n)>, affine_map<(d, n) -> (n)>,
                         affine_map<(d, n) -> (d)>],
        iterator_types = ["parallel", "reduction"]}
        ins(%hn, %ct : tensor<8x4xf32>, tensor<4xf32>) outs(%acc : tensor<8xf32>) {
    ^bb0(%hh: f32, %cc: f32, %a: f32):
      %p = arith.mulf %hh, %cc : f32
      %s = arith.addf %a, %p : f32
      linalg.yield %s : f32
    } -> tensor<8xf32>
    mixer.yield %hn, %yt : tensor<8x4xf32>, tensor<8xf32>
  } : (!x, !b, !b) -> (!x, tensor<?x8x4xf32>)
  return %y : !x
}

// -----

!x = tensor<?x?x4x16xf32>
!m = tensor<?x4xf32>
!w = tensor<?x4x16xf32>
#score = affine_map<(h, j) -> (h, j)>
#head = affine_map<(h, j) -> (h)>

// Aaren's RNN: a running maximum m of the scores s = qh·k, and the softmax's
// denominator c and numerator a rescaled to it. The element is (s, 1, v),
// the combine the associative ⊕ of running maxima and rescaled sums, the
// read-out a / c from the new state.
// CHECK-LABEL: func @softmax_running_sums
// CHECK-SAME: (%[[QH:.*]]: tensor<4x16xf32>, %[[K:.*]]: tensor<?x?x4x16xf32>, %[[V:.*]]: tensor<?x?x4x16xf32>, %[[M0:.*]]: tensor<?x4xf32>, %[[C0:.*]]: tensor<?x4xf32>, %[[A0:.*]]: tensor<?x4x16xf32>)
// CHECK: %[[O:.*]] = mixer.prefix_scan(%[[K]], %[[V]]) init(%[[M0]], %[[C0]], %[[A0]]) element {
// CHECK: ^bb0(%[[KT:.*]]: tensor<4x16xf32>, %[[VT:.*]]: tensor<4x16xf32>):
// CHECK: %[[DOT:.*]] = linalg.generic {{.*}} ins(%[[QH]], %[[KT]] : tensor<4x16xf32>, tensor<4x16xf32>)
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: mixer.yield %[[DOT]], %[[ONE]], %[[VT]] : tensor<4xf32>, tensor<4xf32>, tensor<4x16xf32>
// CHECK: } combine {
// CHECK: ^bb0(%[[MA:.*]]: tensor<4xf32>, %[[CA:.*]]: tensor<4xf32>, %[[AA:.*]]: tensor<4x16xf32>, %[[MB:.*]]: tensor<4xf32>, %[[CB:.*]]: tensor<4xf32>, %[[AB:.*]]: tensor<4x16xf32>):
// CHECK: %[[MAX:.*]] = arith.maximumf %[[MA]], %[[MB]] : tensor<4xf32>
// CHECK: %[[DA:.*]] = arith.subf %[[MA]], %[[MAX]]
// CHECK: %[[EA:.*]] = math.exp %[[DA]]
// CHECK: %[[DB:.*]] = arith.subf %[[MB]], %[[MAX]]
// CHECK: %[[EB:.*]] = math.exp %[[DB]]
// CHECK: %[[CEA:.*]] = arith.mulf %[[CA]], %[[EA]]
// CHECK: %[[CEB:.*]] = arith.mulf %[[CB]], %[[EB]]
// CHECK: %[[C:.*]] = arith.addf %[[CEA]], %[[CEB]]
// CHECK: %[[EAB:.*]] = linalg.generic {{.*}} ins(%[[EA]] : tensor<4xf32>)
// CHECK: %[[AEA:.*]] = arith.mulf %[[AA]], %[[EAB]] : tensor<4x16xf32>
// CHECK: %[[EBB:.*]] = linalg.generic {{.*}} ins(%[[EB]] : tensor<4xf32>)
// CHECK: %[[AEB:.*]] = arith.mulf %[[AB]], %[[EBB]] : tensor<4x16xf32>
// CHECK: %[[A:.*]] = arith.addf %[[AEA]], %[[AEB]]
// CHECK: mixer.yield %[[MAX]], %[[C]], %[[A]]
// CHECK: } read {
// CHECK: ^bb0(%{{.*}}: tensor<4xf32>, %[[CN:.*]]: tensor<4xf32>, %[[AN:.*]]: tensor<4x16xf32>, %{{.*}}: tensor<4x16xf32>, %{{.*}}: tensor<4x16xf32>):
// CHECK: %[[CNB:.*]] = linalg.broadcast ins(%[[CN]] : tensor<4xf32>)
// CHECK: %[[Q:.*]] = arith.divf %[[AN]], %[[CNB]]
// CHECK: mixer.yield %[[Q]] : tensor<4x16xf32>
// CHECK-NOT: mixer.recurrence
// CHECK: return %[[O]]
func.func @softmax_running_sums(%qh: tensor<4x16xf32>, %k: !x, %v: !x,
                                %m0: !m, %c0: !m, %a0: !w) -> !x {
  // expected-remark@+1 {{raised to mixer.prefix_scan: state 0 a running maximum (m = max(m, s)); states 1, 2 sums rescaled to it (u = u·exp(m − m') + g·exp(s − m')): h = h ⊕ (s, g), an associative combine}}
  %o, %mT, %cT, %aT = mixer.recurrence(%k, %v) init(%m0, %c0, %a0) {
  ^bb0(%m: tensor<4xf32>, %c: tensor<4xf32>, %a: tensor<4x16xf32>,
       %kt: tensor<4x16xf32>, %vt: tensor<4x16xf32>):
    %z = arith.constant dense<0.0> : tensor<4xf32>
    %s = linalg.generic {indexing_maps = [#score, #score, #head],
                         iterator_types = ["parallel", "reduction"]}
        ins(%qh, %kt : tensor<4x16xf32>, tensor<4x16xf32>) outs(%z : tensor<4xf32>) {
    ^bb0(%x: f32, %y: f32, %acc: f32):
      %p = arith.mulf %x, %y : f32
      %r = arith.addf %acc, %p : f32
      linalg.yield %r : f32
    } -> tensor<4xf32>
    %mn = arith.maximumf %m, %s : tensor<4xf32>
    %dm = arith.subf %m, %mn : tensor<4xf32>
    %keep = math.exp %dm : tensor<4xf32>
    %ds = arith.subf %s, %mn : tensor<4xf32>
    %w = math.exp %ds : tensor<4xf32>
    %ck = arith.mulf %c, %keep : tensor<4xf32>
    %cn = arith.addf %ck, %w : tensor<4xf32>
    %e = tensor.empty() : tensor<4x16xf32>
    %keepb = linalg.broadcast ins(%keep : tensor<4xf32>) outs(%e : tensor<4x16xf32>) dimensions = [1]
    %wb = linalg.broadcast ins(%w : tensor<4xf32>) outs(%e : tensor<4x16xf32>) dimensions = [1]
    %ak = arith.mulf %a, %keepb : tensor<4x16xf32>
    %vw = arith.mulf %vt, %wb : tensor<4x16xf32>
    %an = arith.addf %ak, %vw : tensor<4x16xf32>
    %cb = linalg.broadcast ins(%cn : tensor<4xf32>) outs(%e : tensor<4x16xf32>) dimensions = [1]
    %on = arith.divf %an, %cb : tensor<4x16xf32>
    mixer.yield %mn, %cn, %an, %on : tensor<4xf32>, tensor<4xf32>, tensor<4x16xf32>, tensor<4x16xf32>
  } : (!x, !x, !m, !m, !w) -> (!x, !m, !m, !w)
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// The same kind written differently: the maximum as maxnumf(s, m), the sum
// as (u·exp(m) + g·x·exp(s)) / exp(m'), from zero states, read out with the
// step's input: u' = u·exp(m − m') + g·x·exp(s − m').
// CHECK-LABEL: func @rescaled_by_division
// CHECK-SAME: (%[[S:.*]]: tensor<?x?x8xf32>, %[[G:.*]]: tensor<?x?x8xf32>, %[[X:.*]]: tensor<?x?x8xf32>)
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: %[[ZERO2:.*]] = linalg.fill
// CHECK: mixer.prefix_scan(%[[S]], %[[G]], %[[X]]) init(%[[ZERO]], %[[ZERO2]]) element {
// CHECK: ^bb0(%[[ST:.*]]: tensor<8xf32>, %[[GT:.*]]: tensor<8xf32>, %[[XT:.*]]: tensor<8xf32>):
// CHECK: %[[GX:.*]] = arith.mulf %[[GT]], %[[XT]] : tensor<8xf32>
// CHECK: mixer.yield %[[ST]], %[[GX]] : tensor<8xf32>, tensor<8xf32>
// CHECK: } combine {
// CHECK: arith.maximumf
// CHECK: } read {
// CHECK: ^bb0(%{{.*}}: tensor<8xf32>, %[[UN:.*]]: tensor<8xf32>, %{{.*}}: tensor<8xf32>, %{{.*}}: tensor<8xf32>, %[[XR:.*]]: tensor<8xf32>):
// CHECK: %[[Y:.*]] = arith.addf %[[UN]], %[[XR]]
// CHECK: mixer.yield %[[Y]]
func.func @rescaled_by_division(%s: !x, %g: !x, %x: !x) -> !x {
  // expected-remark@+1 {{raised to mixer.prefix_scan: state 0 a running maximum (m = max(m, s)); state 1 a sum rescaled to it (u = u·exp(m − m') + g·exp(s − m')): h = h ⊕ (s, g), an associative combine}}
  %o, %mT, %uT = mixer.recurrence(%s, %g, %x) {
  ^bb0(%m: tensor<8xf32>, %u: tensor<8xf32>, %st: tensor<8xf32>,
       %gt: tensor<8xf32>, %xt: tensor<8xf32>):
    %mn = arith.maxnumf %st, %m : tensor<8xf32>
    %em = math.exp %m : tensor<8xf32>
    %es = math.exp %st : tensor<8xf32>
    %emn = math.exp %mn : tensor<8xf32>
    %old = arith.mulf %u, %em : tensor<8xf32>
    %gx = arith.mulf %gt, %xt : tensor<8xf32>
    %new = arith.mulf %gx, %es : tensor<8xf32>
    %sum = arith.addf %old, %new : tensor<8xf32>
    %un = arith.divf %sum, %emn : tensor<8xf32>
    %y = arith.addf %un, %xt : tensor<8xf32>
    mixer.yield %mn, %un, %y : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  } : (!x, !x, !x) -> (!x, !s, !s)
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// Refused: the sum keeps its previous value unscaled, u' = u + exp(s − m').
// CHECK-LABEL: func @sum_not_rescaled
// CHECK: mixer.recurrence
func.func @sum_not_rescaled(%s: !x) -> !x {
  // expected-remark@+1 {{kept as a recurrence: new state 1 is not a sum rescaled to a running maximum: its previous value is not kept as u·exp(m − m'), m' = max(m, s) a running maximum}}
  %o, %mT, %uT = mixer.recurrence(%s) {
  ^bb0(%m: tensor<8xf32>, %u: tensor<8xf32>, %st: tensor<8xf32>):
    %mn = arith.maximumf %m, %st : tensor<8xf32>
    %d = arith.subf %st, %mn : tensor<8xf32>
    %w = math.exp %d : tensor<8xf32>
    %un = arith.addf %u, %w : tensor<8xf32>
    mixer.yield %mn, %un, %un : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s, !s)
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// Refused: the step's weight is not relative to the new maximum, exp(s).
// CHECK-LABEL: func @weight_not_relative
// CHECK: mixer.recurrence
func.func @weight_not_relative(%s: !x) -> !x {
  // expected-remark@+1 {{kept as a recurrence: new state 1 is not a sum rescaled to a running maximum: a term without the state is not g·exp(s − m'), s the score of its running maximum}}
  %o, %mT, %uT = mixer.recurrence(%s) {
  ^bb0(%m: tensor<8xf32>, %u: tensor<8xf32>, %st: tensor<8xf32>):
    %mn = arith.maximumf %m, %st : tensor<8xf32>
    %dm = arith.subf %m, %mn : tensor<8xf32>
    %keep = math.exp %dm : tensor<8xf32>
    %w = math.exp %st : tensor<8xf32>
    %uk = arith.mulf %u, %keep : tensor<8xf32>
    %un = arith.addf %uk, %w : tensor<8xf32>
    mixer.yield %mn, %un, %un : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s, !s)
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// Refused: the sum squares itself; the remark names the operation.
// CHECK-LABEL: func @sum_squared
// CHECK: mixer.recurrence
func.func @sum_squared(%s: !x) -> !x {
  // expected-remark@+1 {{kept as a recurrence: 'arith.mulf' at}}
  %o, %mT, %uT = mixer.recurrence(%s) {
  ^bb0(%m: tensor<8xf32>, %u: tensor<8xf32>, %st: tensor<8xf32>):
    %mn = arith.maximumf %m, %st : tensor<8xf32>
    %uu = arith.mulf %u, %u : tensor<8xf32>
    mixer.yield %mn, %uu, %uu : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s, !s)
  return %o : !x
}

// -----

!x = tensor<?x?x8xf32>
!s = tensor<?x8xf32>

// Refused: the final state is a result, which a prefix scan does not have.
// CHECK-LABEL: func @final_state_used
// CHECK: mixer.recurrence
func.func @final_state_used(%s: !x) -> (!x, !s) {
  // expected-remark@+1 {{kept as a recurrence: its final state 0 is used; a prefix scan returns only its outputs}}
  %o, %mT = mixer.recurrence(%s) {
  ^bb0(%m: tensor<8xf32>, %st: tensor<8xf32>):
    %mn = arith.maximumf %m, %st : tensor<8xf32>
    mixer.yield %mn, %mn : tensor<8xf32>, tensor<8xf32>
  } : (!x) -> (!x, !s)
  return %o, %mT : !x, !s
}

// -----

!k = tensor<?x?x2x8xf32>
!v = tensor<?x?x2x4xf32>
!b = tensor<?x?x2xf32>

// The delta rule as its recurrence (KDA's per-key decay): S̃ = exp(g) ⊙ S,
// its prediction c = S̃ᵀk, u = β(v − c), S' = S̃ + k uᵀ. With c a symbol the
// update is affine in S and in c, its correction −βk cᵀ written along c's
// own key with the decay c reads: the semiseparable op with delta_rule, the
// gate g, β read as it is.
// CHECK-LABEL: func @kda_as_recurrence
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x2x8xf32>, %[[K:.*]]: tensor<?x?x2x8xf32>, %[[V:.*]]: tensor<?x?x2x4xf32>, %[[G:.*]]: tensor<?x?x2x8xf32>, %[[BETA:.*]]: tensor<?x?x2xf32>)
// CHECK-NOT: mixer.recurrence
// CHECK: %[[O:.*]], %{{.*}} = mixer.semiseparable %[[Q]], %[[K]], %[[V]] gate(%[[G]]) beta(%[[BETA]]) {delta_rule, scale = 1.000000e+00 : f64}
// CHECK: return %[[O]]
func.func @kda_as_recurrence(%q: !k, %k: !k, %v: !v, %g: !k, %beta: !b) -> !v {
  // expected-remark@+1 {{raised to mixer.semiseparable: the state is updated as S = (I − β k kᵀ) diag(α) S + β k vᵀ, the delta rule (decay: one per key channel and step) and read out as o = Sᵀ q}}
  %o, %ST = mixer.recurrence(%q, %k, %v, %g, %beta) {
  ^bb0(%S: tensor<2x8x4xf32>, %qt: tensor<2x8xf32>, %kt: tensor<2x8xf32>,
       %vt: tensor<2x4xf32>, %gt: tensor<2x8xf32>, %bt: tensor<2xf32>):
    %e = tensor.empty() : tensor<2x8x4xf32>
    %ev = tensor.empty() : tensor<2x4xf32>
    %decay = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%gt : tensor<2x8xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%gg: f32, %out: f32):
      %x = math.exp %gg : f32
      linalg.yield %x : f32
    } -> tensor<2x8x4xf32>
    %decayed = arith.mulf %decay, %S : tensor<2x8x4xf32>
    %zero = arith.constant 0.0 : f32
    %c0 = linalg.fill ins(%zero : f32) outs(%ev : tensor<2x4xf32>) -> tensor<2x4xf32>
    %c = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%decayed, %kt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%c0 : tensor<2x4xf32>) {
    ^bb0(%s: f32, %kk: f32, %a: f32):
      %p = arith.mulf %s, %kk : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    %u = linalg.generic {
        indexing_maps = [affine_map<(h, j) -> (h, j)>, affine_map<(h, j) -> (h, j)>,
                         affine_map<(h, j) -> (h)>, affine_map<(h, j) -> (h, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%vt, %c, %bt : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) outs(%ev : tensor<2x4xf32>) {
    ^bb0(%vv: f32, %cc: f32, %bb: f32, %out: f32):
      %err = arith.subf %vv, %cc : f32
      %w = arith.mulf %bb, %err : f32
      linalg.yield %w : f32
    } -> tensor<2x4xf32>
    %ku = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, j)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%kt, %u : tensor<2x8xf32>, tensor<2x4xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%x: f32, %y: f32, %out: f32):
      %p = arith.mulf %x, %y : f32
      linalg.yield %p : f32
    } -> tensor<2x8x4xf32>
    %Sn = arith.addf %decayed, %ku : tensor<2x8x4xf32>
    %eo = tensor.empty() : tensor<2x4xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4xf32>) -> tensor<2x4xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%Sn, %qt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%acc : tensor<2x4xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %p = arith.mulf %s, %qq : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    mixer.yield %Sn, %ot : tensor<2x8x4xf32>, tensor<2x4xf32>
  } : (!k, !k, !v, !k, !b) -> (!v, tensor<?x2x8x4xf32>)
  return %o : !v
}

// -----

!k = tensor<?x?x2x8xf32>
!v = tensor<?x?x2x4xf32>
!b = tensor<?x?x2xf32>

// Written otherwise: no decay, S' = S + k (β v)ᵀ − k (β c)ᵀ, the
// prediction read from S itself, β·v written as v·(β·0.5)·2: the
// constants cancel and β and v are read as they are.
// CHECK-LABEL: func @deltanet_two_outer_products
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x2x8xf32>, %[[K:.*]]: tensor<?x?x2x8xf32>, %[[V:.*]]: tensor<?x?x2x4xf32>, %{{.*}}: tensor<?x?x2xf32>, %[[BETA:.*]]: tensor<?x?x2xf32>)
// CHECK-NOT: mixer.recurrence
// CHECK: mixer.semiseparable %[[Q]], %[[K]], %[[V]] beta(%[[BETA]]) {delta_rule, scale = 1.000000e+00 : f64}
func.func @deltanet_two_outer_products(%q: !k, %k: !k, %v: !v, %g: !b, %beta: !b) -> !v {
  // expected-remark@+1 {{raised to mixer.semiseparable: the state is updated as S = (I − β k kᵀ) diag(α) S + β k vᵀ, the delta rule (decay: none) and read out as o = Sᵀ q}}
  %o, %ST = mixer.recurrence(%q, %k, %v, %g, %beta) {
  ^bb0(%S: tensor<2x8x4xf32>, %qt: tensor<2x8xf32>, %kt: tensor<2x8xf32>,
       %vt: tensor<2x4xf32>, %gt: tensor<2xf32>, %bt: tensor<2xf32>):
    %e = tensor.empty() : tensor<2x8x4xf32>
    %ev = tensor.empty() : tensor<2x4xf32>
    %zero = arith.constant 0.0 : f32
    %c0 = linalg.fill ins(%zero : f32) outs(%ev : tensor<2x4xf32>) -> tensor<2x4xf32>
    %c = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%S, %kt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%c0 : tensor<2x4xf32>) {
    ^bb0(%s: f32, %kk: f32, %a: f32):
      %p = arith.mulf %s, %kk : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    %bv = linalg.generic {
        indexing_maps = [affine_map<(h, j) -> (h, j)>, affine_map<(h, j) -> (h)>, affine_map<(h, j) -> (h, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%vt, %bt : tensor<2x4xf32>, tensor<2xf32>) outs(%ev : tensor<2x4xf32>) {
    ^bb0(%vv: f32, %bb: f32, %out: f32):
      %half = arith.constant 0.5 : f32
      %two = arith.constant 2.0 : f32
      %h2 = arith.mulf %bb, %half : f32
      %p = arith.mulf %vv, %h2 : f32
      %w = arith.mulf %p, %two : f32
      linalg.yield %w : f32
    } -> tensor<2x4xf32>
    %bc = linalg.generic {
        indexing_maps = [affine_map<(h, j) -> (h, j)>, affine_map<(h, j) -> (h)>, affine_map<(h, j) -> (h, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%c, %bt : tensor<2x4xf32>, tensor<2xf32>) outs(%ev : tensor<2x4xf32>) {
    ^bb0(%cc: f32, %bb: f32, %out: f32):
      %w = arith.mulf %cc, %bb : f32
      linalg.yield %w : f32
    } -> tensor<2x4xf32>
    %kbv = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, j)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%kt, %bv : tensor<2x8xf32>, tensor<2x4xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%x: f32, %y: f32, %out: f32):
      %p = arith.mulf %x, %y : f32
      linalg.yield %p : f32
    } -> tensor<2x8x4xf32>
    %kbc = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, j)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%kt, %bc : tensor<2x8xf32>, tensor<2x4xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%x: f32, %y: f32, %out: f32):
      %p = arith.mulf %x, %y : f32
      linalg.yield %p : f32
    } -> tensor<2x8x4xf32>
    %plus = arith.addf %S, %kbv : tensor<2x8x4xf32>
    %Sn = arith.subf %plus, %kbc : tensor<2x8x4xf32>
    %eo = tensor.empty() : tensor<2x4xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4xf32>) -> tensor<2x4xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%Sn, %qt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%acc : tensor<2x4xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %p = arith.mulf %s, %qq : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    mixer.yield %Sn, %ot : tensor<2x8x4xf32>, tensor<2x4xf32>
  } : (!k, !k, !v, !b, !b) -> (!v, tensor<?x2x8x4xf32>)
  return %o : !v
}

// -----

!k = tensor<?x?x2x8xf32>
!v = tensor<?x?x2x4xf32>
!b = tensor<?x?x2xf32>

// Refused: the prediction reads S, the update decays it (S' = S̃ + k uᵀ
// with u = β(v − Sᵀk)): not the delta rule's transition.
// CHECK-LABEL: func @prediction_undecayed
// CHECK: mixer.recurrence
func.func @prediction_undecayed(%q: !k, %k: !k, %v: !v, %g: !b, %beta: !b) -> !v {
  // expected-remark-re@+1 {{kept as a recurrence: 'linalg.generic' at {{.*}}: the state's prediction reads the state with another decay than its update: the delta rule predicts from the decayed state diag(α) S}}
  %o, %ST = mixer.recurrence(%q, %k, %v, %g, %beta) {
  ^bb0(%S: tensor<2x8x4xf32>, %qt: tensor<2x8xf32>, %kt: tensor<2x8xf32>,
       %vt: tensor<2x4xf32>, %gt: tensor<2xf32>, %bt: tensor<2xf32>):
    %e = tensor.empty() : tensor<2x8x4xf32>
    %ev = tensor.empty() : tensor<2x4xf32>
    %decay = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h)>, affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%gt : tensor<2xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%gg: f32, %out: f32):
      %x = math.exp %gg : f32
      linalg.yield %x : f32
    } -> tensor<2x8x4xf32>
    %decayed = arith.mulf %decay, %S : tensor<2x8x4xf32>
    %zero = arith.constant 0.0 : f32
    %c0 = linalg.fill ins(%zero : f32) outs(%ev : tensor<2x4xf32>) -> tensor<2x4xf32>
    %c = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%S, %kt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%c0 : tensor<2x4xf32>) {
    ^bb0(%s: f32, %kk: f32, %a: f32):
      %p = arith.mulf %s, %kk : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    %u = linalg.generic {
        indexing_maps = [affine_map<(h, j) -> (h, j)>, affine_map<(h, j) -> (h, j)>,
                         affine_map<(h, j) -> (h)>, affine_map<(h, j) -> (h, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%vt, %c, %bt : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) outs(%ev : tensor<2x4xf32>) {
    ^bb0(%vv: f32, %cc: f32, %bb: f32, %out: f32):
      %err = arith.subf %vv, %cc : f32
      %w = arith.mulf %bb, %err : f32
      linalg.yield %w : f32
    } -> tensor<2x4xf32>
    %ku = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, j)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%kt, %u : tensor<2x8xf32>, tensor<2x4xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%x: f32, %y: f32, %out: f32):
      %p = arith.mulf %x, %y : f32
      linalg.yield %p : f32
    } -> tensor<2x8x4xf32>
    %Sn = arith.addf %decayed, %ku : tensor<2x8x4xf32>
    %eo = tensor.empty() : tensor<2x4xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4xf32>) -> tensor<2x4xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%Sn, %qt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%acc : tensor<2x4xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %p = arith.mulf %s, %qq : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    mixer.yield %Sn, %ot : tensor<2x8x4xf32>, tensor<2x4xf32>
  } : (!k, !k, !v, !b, !b) -> (!v, tensor<?x2x8x4xf32>)
  return %o : !v
}

// -----

!k = tensor<?x?x2x8xf32>
!v = tensor<?x?x2x4xf32>
!b = tensor<?x?x2xf32>

// Refused: the correction is written along q, the prediction reads along k.
// CHECK-LABEL: func @correction_along_other_key
// CHECK: mixer.recurrence
func.func @correction_along_other_key(%q: !k, %k: !k, %v: !v, %g: !b, %beta: !b) -> !v {
  // expected-remark@+1 {{kept as a recurrence: the state's correction −γ (Sᵀk)ᵀ is not written along the prediction's key k (γ = −β k, β free of the key)}}
  %o, %ST = mixer.recurrence(%q, %k, %v, %g, %beta) {
  ^bb0(%S: tensor<2x8x4xf32>, %qt: tensor<2x8xf32>, %kt: tensor<2x8xf32>,
       %vt: tensor<2x4xf32>, %gt: tensor<2xf32>, %bt: tensor<2xf32>):
    %e = tensor.empty() : tensor<2x8x4xf32>
    %ev = tensor.empty() : tensor<2x4xf32>
    %zero = arith.constant 0.0 : f32
    %c0 = linalg.fill ins(%zero : f32) outs(%ev : tensor<2x4xf32>) -> tensor<2x4xf32>
    %c = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%S, %kt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%c0 : tensor<2x4xf32>) {
    ^bb0(%s: f32, %kk: f32, %a: f32):
      %p = arith.mulf %s, %kk : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    %u = linalg.generic {
        indexing_maps = [affine_map<(h, j) -> (h, j)>, affine_map<(h, j) -> (h, j)>,
                         affine_map<(h, j) -> (h)>, affine_map<(h, j) -> (h, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%vt, %c, %bt : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) outs(%ev : tensor<2x4xf32>) {
    ^bb0(%vv: f32, %cc: f32, %bb: f32, %out: f32):
      %err = arith.subf %vv, %cc : f32
      %w = arith.mulf %bb, %err : f32
      linalg.yield %w : f32
    } -> tensor<2x4xf32>
    %ku = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, j)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%qt, %u : tensor<2x8xf32>, tensor<2x4xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%x: f32, %y: f32, %out: f32):
      %p = arith.mulf %x, %y : f32
      linalg.yield %p : f32
    } -> tensor<2x8x4xf32>
    %Sn = arith.addf %S, %ku : tensor<2x8x4xf32>
    %eo = tensor.empty() : tensor<2x4xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4xf32>) -> tensor<2x4xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%Sn, %qt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%acc : tensor<2x4xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %p = arith.mulf %s, %qq : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    mixer.yield %Sn, %ot : tensor<2x8x4xf32>, tensor<2x4xf32>
  } : (!k, !k, !v, !b, !b) -> (!v, tensor<?x2x8x4xf32>)
  return %o : !v
}

// -----

!k = tensor<?x?x2x8xf32>
!v = tensor<?x?x2x4xf32>
!b = tensor<?x?x2xf32>

// Refused: the error squares the prediction.
// CHECK-LABEL: func @correction_not_affine
// CHECK: mixer.recurrence
func.func @correction_not_affine(%q: !k, %k: !k, %v: !v, %g: !b, %beta: !b) -> !v {
  // expected-remark-re@+1 {{kept as a recurrence: the state's correction is not affine in its prediction Sᵀk: 'arith.mulf' at {{.*}}: arith.mulf multiplies two values that depend on the state}}
  %o, %ST = mixer.recurrence(%q, %k, %v, %g, %beta) {
  ^bb0(%S: tensor<2x8x4xf32>, %qt: tensor<2x8xf32>, %kt: tensor<2x8xf32>,
       %vt: tensor<2x4xf32>, %gt: tensor<2xf32>, %bt: tensor<2xf32>):
    %e = tensor.empty() : tensor<2x8x4xf32>
    %ev = tensor.empty() : tensor<2x4xf32>
    %zero = arith.constant 0.0 : f32
    %c0 = linalg.fill ins(%zero : f32) outs(%ev : tensor<2x4xf32>) -> tensor<2x4xf32>
    %c = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%S, %kt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%c0 : tensor<2x4xf32>) {
    ^bb0(%s: f32, %kk: f32, %a: f32):
      %p = arith.mulf %s, %kk : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    %u = linalg.generic {
        indexing_maps = [affine_map<(h, j) -> (h, j)>, affine_map<(h, j) -> (h, j)>,
                         affine_map<(h, j) -> (h)>, affine_map<(h, j) -> (h, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%vt, %c, %bt : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) outs(%ev : tensor<2x4xf32>) {
    ^bb0(%vv: f32, %cc: f32, %bb: f32, %out: f32):
      %sq = arith.mulf %cc, %cc : f32
      %err = arith.subf %vv, %sq : f32
      %w = arith.mulf %bb, %err : f32
      linalg.yield %w : f32
    } -> tensor<2x4xf32>
    %ku = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, j)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%kt, %u : tensor<2x8xf32>, tensor<2x4xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%x: f32, %y: f32, %out: f32):
      %p = arith.mulf %x, %y : f32
      linalg.yield %p : f32
    } -> tensor<2x8x4xf32>
    %Sn = arith.addf %S, %ku : tensor<2x8x4xf32>
    %eo = tensor.empty() : tensor<2x4xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4xf32>) -> tensor<2x4xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%Sn, %qt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%acc : tensor<2x4xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %p = arith.mulf %s, %qq : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    mixer.yield %Sn, %ot : tensor<2x8x4xf32>, tensor<2x4xf32>
  } : (!k, !k, !v, !b, !b) -> (!v, tensor<?x2x8x4xf32>)
  return %o : !v
}

// -----

!k = tensor<?x?x2x8xf32>
!v = tensor<?x?x2x4xf32>
!b = tensor<?x?x2xf32>

// Refused: β is one per value channel ([H, V]), not per head.
// CHECK-LABEL: func @beta_per_value
// CHECK: mixer.recurrence
func.func @beta_per_value(%q: !k, %k: !k, %v: !v, %g: !k, %beta: !v) -> !v {
  // expected-remark-re@+1 {{kept as a recurrence: {{.*}}the delta rule's β depends on the key or the value dimension: it must be one per head and step}}
  %o, %ST = mixer.recurrence(%q, %k, %v, %g, %beta) {
  ^bb0(%S: tensor<2x8x4xf32>, %qt: tensor<2x8xf32>, %kt: tensor<2x8xf32>,
       %vt: tensor<2x4xf32>, %gt: tensor<2x8xf32>, %bt: tensor<2x4xf32>):
    %e = tensor.empty() : tensor<2x8x4xf32>
    %ev = tensor.empty() : tensor<2x4xf32>
    %zero = arith.constant 0.0 : f32
    %c0 = linalg.fill ins(%zero : f32) outs(%ev : tensor<2x4xf32>) -> tensor<2x4xf32>
    %c = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%S, %kt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%c0 : tensor<2x4xf32>) {
    ^bb0(%s: f32, %kk: f32, %a: f32):
      %p = arith.mulf %s, %kk : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    %u = linalg.generic {
        indexing_maps = [affine_map<(h, j) -> (h, j)>, affine_map<(h, j) -> (h, j)>,
                         affine_map<(h, j) -> (h, j)>, affine_map<(h, j) -> (h, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%vt, %c, %bt : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) outs(%ev : tensor<2x4xf32>) {
    ^bb0(%vv: f32, %cc: f32, %bb: f32, %out: f32):
      %err = arith.subf %vv, %cc : f32
      %w = arith.mulf %bb, %err : f32
      linalg.yield %w : f32
    } -> tensor<2x4xf32>
    %ku = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, j)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%kt, %u : tensor<2x8xf32>, tensor<2x4xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%x: f32, %y: f32, %out: f32):
      %p = arith.mulf %x, %y : f32
      linalg.yield %p : f32
    } -> tensor<2x8x4xf32>
    %Sn = arith.addf %S, %ku : tensor<2x8x4xf32>
    %eo = tensor.empty() : tensor<2x4xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4xf32>) -> tensor<2x4xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%Sn, %qt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%acc : tensor<2x4xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %p = arith.mulf %s, %qq : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    mixer.yield %Sn, %ot : tensor<2x8x4xf32>, tensor<2x4xf32>
  } : (!k, !k, !v, !k, !v) -> (!v, tensor<?x2x8x4xf32>)
  return %o : !v
}

// -----

!k = tensor<?x?x2x8xf32>
!v = tensor<?x?x2x4xf32>
!b = tensor<?x?x2xf32>

// Refused: the prediction starts from 1, c = 1 + S̃ᵀk (its correction
// would carry γ·1 into the input).
// CHECK-LABEL: func @prediction_from_one
// CHECK: mixer.recurrence
func.func @prediction_from_one(%q: !k, %k: !k, %v: !v, %g: !k, %beta: !b) -> !v {
  // expected-remark-re@+1 {{kept as a recurrence: 'linalg.generic' at {{.*}}: the state's prediction Sᵀk starts from a value that is not zero}}
  %o, %ST = mixer.recurrence(%q, %k, %v, %g, %beta) {
  ^bb0(%S: tensor<2x8x4xf32>, %qt: tensor<2x8xf32>, %kt: tensor<2x8xf32>,
       %vt: tensor<2x4xf32>, %gt: tensor<2x8xf32>, %bt: tensor<2xf32>):
    %e = tensor.empty() : tensor<2x8x4xf32>
    %ev = tensor.empty() : tensor<2x4xf32>
    %decay = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%gt : tensor<2x8xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%gg: f32, %out: f32):
      %x = math.exp %gg : f32
      linalg.yield %x : f32
    } -> tensor<2x8x4xf32>
    %decayed = arith.mulf %decay, %S : tensor<2x8x4xf32>
    %zero = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %c0 = linalg.fill ins(%one : f32) outs(%ev : tensor<2x4xf32>) -> tensor<2x4xf32>
    %c = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%decayed, %kt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%c0 : tensor<2x4xf32>) {
    ^bb0(%s: f32, %kk: f32, %a: f32):
      %p = arith.mulf %s, %kk : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    %u = linalg.generic {
        indexing_maps = [affine_map<(h, j) -> (h, j)>, affine_map<(h, j) -> (h, j)>,
                         affine_map<(h, j) -> (h)>, affine_map<(h, j) -> (h, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%vt, %c, %bt : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) outs(%ev : tensor<2x4xf32>) {
    ^bb0(%vv: f32, %cc: f32, %bb: f32, %out: f32):
      %err = arith.subf %vv, %cc : f32
      %w = arith.mulf %bb, %err : f32
      linalg.yield %w : f32
    } -> tensor<2x4xf32>
    %ku = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, j)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%kt, %u : tensor<2x8xf32>, tensor<2x4xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%x: f32, %y: f32, %out: f32):
      %p = arith.mulf %x, %y : f32
      linalg.yield %p : f32
    } -> tensor<2x8x4xf32>
    %Sn = arith.addf %decayed, %ku : tensor<2x8x4xf32>
    %eo = tensor.empty() : tensor<2x4xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4xf32>) -> tensor<2x4xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%Sn, %qt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%acc : tensor<2x4xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %p = arith.mulf %s, %qq : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    mixer.yield %Sn, %ot : tensor<2x8x4xf32>, tensor<2x4xf32>
  } : (!k, !k, !v, !k, !b) -> (!v, tensor<?x2x8x4xf32>)
  return %o : !v
}

// -----

!k = tensor<?x?x2x8xf32>
!v = tensor<?x?x2x4xf32>
!b = tensor<?x?x2xf32>

// Refused: c reaches the new state only as the output operand the outer
// product k vᵀ overwrites (an operand StateDependence counts, but no
// element of which is read).
// CHECK-LABEL: func @prediction_as_output_operand
// CHECK: mixer.recurrence
func.func @prediction_as_output_operand(%q: !k, %k: !k, %v: !v, %g: !k, %beta: !b) -> !v {
  // expected-remark-re@+1 {{kept as a recurrence: 'linalg.generic' at {{.*}}: the state's prediction Sᵀk reaches the new state other than as a value read element by element (an output operand, a fill)}}
  %o, %ST = mixer.recurrence(%q, %k, %v, %g, %beta) {
  ^bb0(%S: tensor<2x8x4xf32>, %qt: tensor<2x8xf32>, %kt: tensor<2x8xf32>,
       %vt: tensor<2x4xf32>, %gt: tensor<2x8xf32>, %bt: tensor<2xf32>):
    %e = tensor.empty() : tensor<2x8x4xf32>
    %ev = tensor.empty() : tensor<2x4xf32>
    %decay = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%gt : tensor<2x8xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%gg: f32, %out: f32):
      %x = math.exp %gg : f32
      linalg.yield %x : f32
    } -> tensor<2x8x4xf32>
    %decayed = arith.mulf %decay, %S : tensor<2x8x4xf32>
    %zero = arith.constant 0.0 : f32
    %c0 = linalg.fill ins(%zero : f32) outs(%ev : tensor<2x4xf32>) -> tensor<2x4xf32>
    %c = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%decayed, %kt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%c0 : tensor<2x4xf32>) {
    ^bb0(%s: f32, %kk: f32, %a: f32):
      %p = arith.mulf %s, %kk : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    %u = linalg.generic {
        indexing_maps = [affine_map<(h, j) -> (h, j)>, affine_map<(h, j) -> (h, j)>,
                         affine_map<(h, j) -> (h)>, affine_map<(h, j) -> (h, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%vt, %c, %bt : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) outs(%ev : tensor<2x4xf32>) {
    ^bb0(%vv: f32, %cc: f32, %bb: f32, %out: f32):
      %err = arith.subf %vv, %cc : f32
      %w = arith.mulf %bb, %err : f32
      linalg.yield %w : f32
    } -> tensor<2x4xf32>
    %cb = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, j)>, affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%c : tensor<2x4xf32>) outs(%e : tensor<2x8x4xf32>) {
    ^bb0(%x: f32, %out: f32):
      linalg.yield %x : f32
    } -> tensor<2x8x4xf32>
    %ku = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>, affine_map<(h, i, j) -> (h, j)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%kt, %vt : tensor<2x8xf32>, tensor<2x4xf32>) outs(%cb : tensor<2x8x4xf32>) {
    ^bb0(%x: f32, %y: f32, %out: f32):
      %p = arith.mulf %x, %y : f32
      linalg.yield %p : f32
    } -> tensor<2x8x4xf32>
    %Sn = arith.addf %decayed, %ku : tensor<2x8x4xf32>
    %eo = tensor.empty() : tensor<2x4xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4xf32>) -> tensor<2x4xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>, affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%Sn, %qt : tensor<2x8x4xf32>, tensor<2x8xf32>) outs(%acc : tensor<2x4xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %p = arith.mulf %s, %qq : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<2x4xf32>
    mixer.yield %Sn, %ot : tensor<2x8x4xf32>, tensor<2x4xf32>
  } : (!k, !k, !v, !k, !b) -> (!v, tensor<?x2x8x4xf32>)
  return %o : !v
}

// -----

// Aaren written as one linalg.generic per statement (what the .mix frontend
// builds): ExpandStateGenerics broadcasts the state-dependent maxima with
// linalg.broadcast and the score with a copy, which the prefix-scan rules
// read through to the score itself.
// CHECK-LABEL: func @aaren_as_generics
// CHECK-NOT: mixer.recurrence
// CHECK: mixer.prefix_scan
// CHECK-NOT: mixer.recurrence
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0)>
#map2 = affine_map<(d0) -> (d0)>
#map3 = affine_map<(d0, d1, d2) -> (d0)>
#map4 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map5 = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
#map6 = affine_map<(d0, d1, d2) -> (d0, d2)>
#map7 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @aaren_as_generics(%arg0: tensor<2x4xf32> {mixer.name = "qh"}, %arg1: tensor<?x?x2x4xf32> {mixer.name = "k"}, %arg2: tensor<?x?x2x4xf32> {mixer.name = "v"}) -> (tensor<?x?x2x4xf32> {mixer.name = "o"}) {
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg1, %c0 : tensor<?x?x2x4xf32>
  %0 = tensor.empty(%dim) : tensor<?x2xf32>
  %cst = arith.constant 0xFF800000 : f32
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<?x2xf32>) -> tensor<?x2xf32>
  %c0_0 = arith.constant 0 : index
  %dim_1 = tensor.dim %arg1, %c0_0 : tensor<?x?x2x4xf32>
  %2 = tensor.empty(%dim_1) : tensor<?x2xf32>
  %cst_2 = arith.constant 0.000000e+00 : f32
  %3 = linalg.fill ins(%cst_2 : f32) outs(%2 : tensor<?x2xf32>) -> tensor<?x2xf32>
  %c0_3 = arith.constant 0 : index
  %dim_4 = tensor.dim %arg1, %c0_3 : tensor<?x?x2x4xf32>
  %4 = tensor.empty(%dim_4) : tensor<?x2x4xf32>
  %cst_5 = arith.constant 0.000000e+00 : f32
  %5 = linalg.fill ins(%cst_5 : f32) outs(%4 : tensor<?x2x4xf32>) -> tensor<?x2x4xf32>
  // expected-remark@+1 {{raised to mixer.prefix_scan}}
  %6:4 = mixer.recurrence(%arg1, %arg2) init(%1, %3, %5) {
  ^bb0(%arg3: tensor<2xf32>, %arg4: tensor<2xf32>, %arg5: tensor<2x4xf32>, %arg6: tensor<2x4xf32>, %arg7: tensor<2x4xf32>):
    %7 = tensor.empty() : tensor<2xf32>
    %cst_6 = arith.constant 0.000000e+00 : f32
    %8 = linalg.fill ins(%cst_6 : f32) outs(%7 : tensor<2xf32>) -> tensor<2xf32>
    %9 = linalg.generic {indexing_maps = [#map, #map, #map1], iterator_types = ["parallel", "reduction"]} ins(%arg0, %arg6 : tensor<2x4xf32>, tensor<2x4xf32>) outs(%8 : tensor<2xf32>) {
    ^bb0(%in: f32, %in_7: f32, %out: f32):
      %18 = arith.mulf %in, %in_7 : f32
      %cst_8 = arith.constant 1.250000e-01 : f32
      %19 = arith.mulf %18, %cst_8 : f32
      %20 = arith.addf %out, %19 : f32
      linalg.yield %20 : f32
    } -> tensor<2xf32>
    %10 = tensor.empty() : tensor<2xf32>
    %11 = linalg.generic {indexing_maps = [#map2, #map2, #map2], iterator_types = ["parallel"]} ins(%arg3, %9 : tensor<2xf32>, tensor<2xf32>) outs(%10 : tensor<2xf32>) {
    ^bb0(%in: f32, %in_7: f32, %out: f32):
      %18 = arith.maximumf %in, %in_7 : f32
      linalg.yield %18 : f32
    } -> tensor<2xf32>
    %12 = tensor.empty() : tensor<2xf32>
    %13 = linalg.generic {indexing_maps = [#map2, #map2, #map2, #map2, #map2], iterator_types = ["parallel"]} ins(%arg4, %arg3, %11, %9 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) outs(%12 : tensor<2xf32>) {
    ^bb0(%in: f32, %in_7: f32, %in_8: f32, %in_9: f32, %out: f32):
      %18 = arith.subf %in_7, %in_8 : f32
      %19 = math.exp %18 : f32
      %20 = arith.mulf %in, %19 : f32
      %21 = arith.subf %in_9, %in_8 : f32
      %22 = math.exp %21 : f32
      %23 = arith.addf %20, %22 : f32
      linalg.yield %23 : f32
    } -> tensor<2xf32>
    %14 = tensor.empty() : tensor<2x4xf32>
    %15 = linalg.generic {indexing_maps = [#map, #map1, #map1, #map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%arg5, %arg3, %11, %arg7, %9 : tensor<2x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2x4xf32>, tensor<2xf32>) outs(%14 : tensor<2x4xf32>) {
    ^bb0(%in: f32, %in_7: f32, %in_8: f32, %in_9: f32, %in_10: f32, %out: f32):
      %18 = arith.subf %in_7, %in_8 : f32
      %19 = math.exp %18 : f32
      %20 = arith.mulf %in, %19 : f32
      %21 = arith.subf %in_10, %in_8 : f32
      %22 = math.exp %21 : f32
      %23 = arith.mulf %in_9, %22 : f32
      %24 = arith.addf %20, %23 : f32
      linalg.yield %24 : f32
    } -> tensor<2x4xf32>
    %16 = tensor.empty() : tensor<2x4xf32>
    %17 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%15, %13 : tensor<2x4xf32>, tensor<2xf32>) outs(%16 : tensor<2x4xf32>) {
    ^bb0(%in: f32, %in_7: f32, %out: f32):
      %18 = arith.divf %in, %in_7 : f32
      linalg.yield %18 : f32
    } -> tensor<2x4xf32>
    mixer.yield %11, %13, %15, %17 : tensor<2xf32>, tensor<2xf32>, tensor<2x4xf32>, tensor<2x4xf32>
  } : (tensor<?x?x2x4xf32>, tensor<?x?x2x4xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2x4xf32>) -> (tensor<?x?x2x4xf32>, tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2x4xf32>)
  return %6#0 : tensor<?x?x2x4xf32>
}

// -----

// Gated DeltaNet written as one linalg.generic per statement: the
// correction β(v − c) is read at (h, i, j) through a broadcast of a value
// that depends on the prediction c, which ExpandStateGenerics writes as
// linalg.broadcast and the lifter reads as one.
// CHECK-LABEL: func @delta_rule_as_generics
// CHECK-NOT: mixer.recurrence
// CHECK: mixer.semiseparable
// CHECK-SAME: delta_rule
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0)>
#map2 = affine_map<(d0) -> (d0)>
#map3 = affine_map<(d0, d1, d2) -> (d0)>
#map4 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map5 = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
#map6 = affine_map<(d0, d1, d2) -> (d0, d2)>
#map7 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @delta_rule_as_generics(%arg0: tensor<?x?x2x4xf32> {mixer.name = "q"}, %arg1: tensor<?x?x2x4xf32> {mixer.name = "k"}, %arg2: tensor<?x?x2x4xf32> {mixer.name = "v"}, %arg3: tensor<?x?x2xf32> {mixer.name = "g"}, %arg4: tensor<?x?x2xf32> {mixer.name = "beta"}) -> (tensor<?x?x2x4xf32> {mixer.name = "o"}) {
  // expected-remark@+1 {{raised to mixer.semiseparable: the state is updated as S = (I − β k kᵀ) diag(α) S + β k vᵀ, the delta rule}}
  %0:2 = mixer.recurrence(%arg0, %arg1, %arg2, %arg3, %arg4) {
  ^bb0(%arg5: tensor<2x4x4xf32>, %arg6: tensor<2x4xf32>, %arg7: tensor<2x4xf32>, %arg8: tensor<2x4xf32>, %arg9: tensor<2xf32>, %arg10: tensor<2xf32>):
    %1 = tensor.empty() : tensor<2x4x4xf32>
    %2 = linalg.generic {indexing_maps = [#map3, #map4, #map4], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg9, %arg5 : tensor<2xf32>, tensor<2x4x4xf32>) outs(%1 : tensor<2x4x4xf32>) {
    ^bb0(%in: f32, %in_1: f32, %out: f32):
      %11 = math.exp %in : f32
      %12 = arith.mulf %11, %in_1 : f32
      linalg.yield %12 : f32
    } -> tensor<2x4x4xf32>
    %3 = tensor.empty() : tensor<2x4xf32>
    %cst = arith.constant 0.000000e+00 : f32
    %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<2x4xf32>) -> tensor<2x4xf32>
    %5 = linalg.generic {indexing_maps = [#map5, #map6, #map7], iterator_types = ["parallel", "parallel", "reduction"]} ins(%2, %arg7 : tensor<2x4x4xf32>, tensor<2x4xf32>) outs(%4 : tensor<2x4xf32>) {
    ^bb0(%in: f32, %in_1: f32, %out: f32):
      %11 = arith.mulf %in, %in_1 : f32
      %12 = arith.addf %out, %11 : f32
      linalg.yield %12 : f32
    } -> tensor<2x4xf32>
    %6 = tensor.empty() : tensor<2x4x4xf32>
    %7 = linalg.generic {indexing_maps = [#map4, #map7, #map3, #map6, #map6, #map4], iterator_types = ["parallel", "parallel", "parallel"]} ins(%2, %arg7, %arg10, %arg8, %5 : tensor<2x4x4xf32>, tensor<2x4xf32>, tensor<2xf32>, tensor<2x4xf32>, tensor<2x4xf32>) outs(%6 : tensor<2x4x4xf32>) {
    ^bb0(%in: f32, %in_1: f32, %in_2: f32, %in_3: f32, %in_4: f32, %out: f32):
      %11 = arith.subf %in_3, %in_4 : f32
      %12 = arith.mulf %in_2, %11 : f32
      %13 = arith.mulf %in_1, %12 : f32
      %14 = arith.addf %in, %13 : f32
      linalg.yield %14 : f32
    } -> tensor<2x4x4xf32>
    %8 = tensor.empty() : tensor<2x4xf32>
    %cst_0 = arith.constant 0.000000e+00 : f32
    %9 = linalg.fill ins(%cst_0 : f32) outs(%8 : tensor<2x4xf32>) -> tensor<2x4xf32>
    %10 = linalg.generic {indexing_maps = [#map5, #map6, #map7], iterator_types = ["parallel", "parallel", "reduction"]} ins(%7, %arg6 : tensor<2x4x4xf32>, tensor<2x4xf32>) outs(%9 : tensor<2x4xf32>) {
    ^bb0(%in: f32, %in_1: f32, %out: f32):
      %11 = arith.mulf %in, %in_1 : f32
      %12 = arith.addf %out, %11 : f32
      linalg.yield %12 : f32
    } -> tensor<2x4xf32>
    mixer.yield %7, %10 : tensor<2x4x4xf32>, tensor<2x4xf32>
  } : (tensor<?x?x2x4xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2x4xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> (tensor<?x?x2x4xf32>, tensor<?x2x4x4xf32>)
  return %0#0 : tensor<?x?x2x4xf32>
}
