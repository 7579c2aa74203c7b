// RUN: mixir-opt %s | mixir-opt | FileCheck %s
// RUN: mixir-opt %s --mlir-print-op-generic | mixir-opt | FileCheck %s

// CHECK-LABEL: func @linear_attention
// CHECK: mixer.semiseparable %{{.*}}, %{{.*}}, %{{.*}} :
func.func @linear_attention(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>,
                            %v: tensor<?x?x4x32xf32>) -> tensor<?x?x4x32xf32> {
  %o = mixer.semiseparable %q, %k, %v
      : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x32xf32>) -> tensor<?x?x4x32xf32>
  return %o : tensor<?x?x4x32xf32>
}

// CHECK-LABEL: func @head_gate
// CHECK: gate(%{{.*}}) {scale = 1.250000e-01 : f64}
func.func @head_gate(%q: tensor<2x8x4x64xf32>, %k: tensor<2x8x4x64xf32>,
                     %v: tensor<2x8x4x96xf32>, %g: tensor<4xf32>) -> tensor<2x8x4x96xf32> {
  %o = mixer.semiseparable %q, %k, %v gate(%g) {scale = 0.125 : f64}
      : (tensor<2x8x4x64xf32>, tensor<2x8x4x64xf32>, tensor<2x8x4x96xf32>, tensor<4xf32>) -> tensor<2x8x4x96xf32>
  return %o : tensor<2x8x4x96xf32>
}

// CHECK-LABEL: func @token_gate_beta
// CHECK: gate(%{{.*}}) beta(%{{.*}}) {form = #mixer.form<chunked, tile = 32>, scale = 1.000000e+00 : f64}
func.func @token_gate_beta(%q: tensor<?x?x2x16xf32>, %k: tensor<?x?x2x16xf32>,
                           %v: tensor<?x?x2x8xf32>, %g: tensor<?x?x2xf32>,
                           %beta: tensor<?x?x2xf32>) -> tensor<?x?x2x8xf32> {
  %o = mixer.semiseparable %q, %k, %v gate(%g) beta(%beta)
      {scale = 1.0 : f64, form = #mixer.form<chunked, tile = 32>}
      : (tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>) -> tensor<?x?x2x8xf32>
  return %o : tensor<?x?x2x8xf32>
}

// CHECK-LABEL: func @channel_gate_state
// CHECK: %{{.*}}, %{{.*}} = mixer.semiseparable {{.*}} gate(%{{.*}}) initial_state(%{{.*}}) {form = #mixer.form<scan>}
func.func @channel_gate_state(%q: tensor<?x?x2x48xf32>, %k: tensor<?x?x2x48xf32>,
                              %v: tensor<?x?x2x80xf32>, %g: tensor<?x?x2x48xf32>,
                              %h0: tensor<?x2x48x80xf32>)
    -> (tensor<?x?x2x80xf32>, tensor<?x2x48x80xf32>) {
  %o, %hT = mixer.semiseparable %q, %k, %v gate(%g) initial_state(%h0) {form = #mixer.form<scan>}
      : (tensor<?x?x2x48xf32>, tensor<?x?x2x48xf32>, tensor<?x?x2x80xf32>, tensor<?x?x2x48xf32>, tensor<?x2x48x80xf32>)
      -> (tensor<?x?x2x80xf32>, tensor<?x2x48x80xf32>)
  return %o, %hT : tensor<?x?x2x80xf32>, tensor<?x2x48x80xf32>
}

// CHECK-LABEL: func @final_state_only
// CHECK: #mixer.form<quadratic>
func.func @final_state_only(%q: tensor<1x3x1x4xf32>, %k: tensor<1x3x1x4xf32>,
                            %v: tensor<1x3x1x4xf32>) -> tensor<1x1x4x4xf32> {
  %o, %hT = mixer.semiseparable %q, %k, %v {form = #mixer.form<quadratic>}
      : (tensor<1x3x1x4xf32>, tensor<1x3x1x4xf32>, tensor<1x3x1x4xf32>) -> (tensor<1x3x1x4xf32>, tensor<1x1x4x4xf32>)
  return %hT : tensor<1x1x4x4xf32>
}

// CHECK-LABEL: func @num_workers
// CHECK: %[[W:.*]] = mixer.num_workers
// CHECK: return %[[W]] : index
func.func @num_workers() -> index {
  %w = mixer.num_workers
  return %w : index
}

// CHECK-LABEL: func @diagonal_recurrence
// CHECK: mixer.diagonal_recurrence %{{.*}}, %{{.*}} init(%{{.*}}) {log_decay} : (tensor<?x?x4x8xf32>, tensor<?x?x4x8xbf16>, tensor<?x4x8xf32>) -> (tensor<?x?x4x8xf16>, tensor<?x4x8xf32>)
// CHECK: mixer.diagonal_recurrence %{{.*}}, %{{.*}} {form = #mixer.form<parallel_scan, tile = 16>} : (tensor<4x8xf32>, tensor<?x?x4x8xf32>) -> tensor<?x?x4x8xf32>
func.func @diagonal_recurrence(%a: tensor<?x?x4x8xf32>, %x: tensor<?x?x4x8xbf16>,
                               %h0: tensor<?x4x8xf32>, %lam: tensor<4x8xf32>,
                               %y: tensor<?x?x4x8xf32>)
    -> (tensor<?x?x4x8xf16>, tensor<?x4x8xf32>, tensor<?x?x4x8xf32>) {
  %h, %hT = mixer.diagonal_recurrence %a, %x init(%h0) {log_decay}
      : (tensor<?x?x4x8xf32>, tensor<?x?x4x8xbf16>, tensor<?x4x8xf32>) -> (tensor<?x?x4x8xf16>, tensor<?x4x8xf32>)
  %g = mixer.diagonal_recurrence %lam, %y {form = #mixer.form<parallel_scan, tile = 16>}
      : (tensor<4x8xf32>, tensor<?x?x4x8xf32>) -> tensor<?x?x4x8xf32>
  return %h, %hT, %g : tensor<?x?x4x8xf16>, tensor<?x4x8xf32>, tensor<?x?x4x8xf32>
}

// CHECK-LABEL: func @complex_diagonal_recurrence
// CHECK: mixer.complex_diagonal_recurrence %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} init(%{{.*}}, %{{.*}}) : (tensor<8xf32>, tensor<8xf32>, tensor<?x?x8xbf16>, tensor<?x?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>)
// CHECK: mixer.complex_diagonal_recurrence %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {form = #mixer.form<scan>} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> (tensor<?x?x8xf16>, tensor<?x?x8xf16>)
func.func @complex_diagonal_recurrence(%lr: tensor<8xf32>, %li: tensor<8xf32>,
                                       %xr: tensor<?x?x8xbf16>, %xi: tensor<?x?x8xf32>,
                                       %h0r: tensor<?x8xf32>, %h0i: tensor<?x8xf32>,
                                       %ar: tensor<?x?x8xf32>, %ai: tensor<?x?x8xf32>)
    -> (tensor<?x?x8xf32>, tensor<?x8xf32>, tensor<?x?x8xf16>) {
  %hr, %hi, %tr, %ti = mixer.complex_diagonal_recurrence %lr, %li, %xr, %xi init(%h0r, %h0i)
      : (tensor<8xf32>, tensor<8xf32>, tensor<?x?x8xbf16>, tensor<?x?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>)
     -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>)
  %gr, %gi = mixer.complex_diagonal_recurrence %ar, %ai, %xi, %xi {form = #mixer.form<scan>}
      : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>)
     -> (tensor<?x?x8xf16>, tensor<?x?x8xf16>)
  return %hr, %ti, %gi : tensor<?x?x8xf32>, tensor<?x8xf32>, tensor<?x?x8xf16>
}

// CHECK-LABEL: func @prefix_scan
// CHECK: mixer.prefix_scan(%{{.*}}, %{{.*}}) init(%{{.*}}, %{{.*}}) element {
// CHECK: } combine {
// CHECK: } read {
// CHECK: } {form = #mixer.form<scan>} : (tensor<?x?x8xf32>, tensor<?x?x8xbf16>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x?x8xf16>
func.func @prefix_scan(%s: tensor<?x?x8xf32>, %v: tensor<?x?x8xbf16>, %m0: tensor<?x8xf32>, %u0: tensor<?x8xf32>) -> tensor<?x?x8xf16> {
  %o = mixer.prefix_scan(%s, %v) init(%m0, %u0) element {
  ^bb0(%st: tensor<8xf32>, %vt: tensor<8xf32>):
    mixer.yield %st, %vt : tensor<8xf32>, tensor<8xf32>
  } combine {
  ^bb0(%ma: tensor<8xf32>, %ua: tensor<8xf32>, %mb: tensor<8xf32>, %ub: tensor<8xf32>):
    %m = arith.maximumf %ma, %mb : tensor<8xf32>
    %da = arith.subf %ma, %m : tensor<8xf32>
    %ea = math.exp %da : tensor<8xf32>
    %db = arith.subf %mb, %m : tensor<8xf32>
    %eb = math.exp %db : tensor<8xf32>
    %a = arith.mulf %ua, %ea : tensor<8xf32>
    %b = arith.mulf %ub, %eb : tensor<8xf32>
    %u = arith.addf %a, %b : tensor<8xf32>
    mixer.yield %m, %u : tensor<8xf32>, tensor<8xf32>
  } read {
  ^bb0(%m: tensor<8xf32>, %u: tensor<8xf32>, %st: tensor<8xf32>, %vt: tensor<8xf32>):
    mixer.yield %u : tensor<8xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x8xf32>, tensor<?x?x8xbf16>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x?x8xf16>
  return %o : tensor<?x?x8xf16>
}
