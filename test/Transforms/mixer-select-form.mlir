// RUN: mixir-opt %s -mixer-select-form -split-input-file | FileCheck %s --check-prefix=AUTO
// RUN: mixir-opt %s -mixer-select-form="form=chunked chunk-size=32" -split-input-file | FileCheck %s --check-prefix=PINNED
// RUN: mixir-opt %s -mixer-select-form="form=scan" -split-input-file | FileCheck %s --check-prefix=SCAN

// A dynamic length: auto versions the op on T. The thresholds come from the
// cost model (docs/forms-and-cost-model.md): scan below 18 tokens, the
// quadratic form (64-token blocks) up to 192, the chunked form (chunks of
// 32) from 193 on (K = V = 128, no gate).
// AUTO-LABEL: func @dynamic_length
// AUTO: %[[T:.*]] = tensor.dim %{{.*}}, %c1
// AUTO: %[[SHORT:.*]] = arith.cmpi slt, %[[T]], %c18
// AUTO: scf.if %[[SHORT]]
// AUTO: mixer.semiseparable {{.*}} {form = #mixer.form<scan>}
// AUTO: } else {
// AUTO: %[[MID:.*]] = arith.cmpi slt, %[[T]], %c193
// AUTO: scf.if %[[MID]]
// AUTO: mixer.semiseparable {{.*}} {form = #mixer.form<quadratic>}
// AUTO: } else {
// AUTO: mixer.semiseparable {{.*}} {form = #mixer.form<chunked>}
// PINNED-LABEL: func @dynamic_length
// PINNED-NOT: scf.if
// PINNED: mixer.semiseparable {{.*}} {form = #mixer.form<chunked, tile = 32>}
// SCAN-LABEL: func @dynamic_length
// SCAN: mixer.semiseparable {{.*}} {form = #mixer.form<scan>}
func.func @dynamic_length(%q: tensor<?x?x4x128xf32>, %k: tensor<?x?x4x128xf32>, %v: tensor<?x?x4x128xf32>) -> tensor<?x?x4x128xf32> {
  %o = mixer.semiseparable %q, %k, %v : (tensor<?x?x4x128xf32>, tensor<?x?x4x128xf32>, tensor<?x?x4x128xf32>) -> tensor<?x?x4x128xf32>
  return %o : tensor<?x?x4x128xf32>
}

// -----

// Static lengths: one form, no versioning. A single token decodes with the
// scan; a long sequence is chunked.
// AUTO-LABEL: func @static_lengths
// AUTO-NOT: scf.if
// AUTO: mixer.semiseparable {{.*}} {form = #mixer.form<scan>} : (tensor<1x1x4x64xf32>
// AUTO: mixer.semiseparable {{.*}} {form = #mixer.form<chunked>} : (tensor<1x4096x4x64xf32>
func.func @static_lengths(%q1: tensor<1x1x4x64xf32>, %q2: tensor<1x4096x4x64xf32>) -> (tensor<1x1x4x64xf32>, tensor<1x4096x4x64xf32>) {
  %o1 = mixer.semiseparable %q1, %q1, %q1 : (tensor<1x1x4x64xf32>, tensor<1x1x4x64xf32>, tensor<1x1x4x64xf32>) -> tensor<1x1x4x64xf32>
  %o2 = mixer.semiseparable %q2, %q2, %q2 : (tensor<1x4096x4x64xf32>, tensor<1x4096x4x64xf32>, tensor<1x4096x4x64xf32>) -> tensor<1x4096x4x64xf32>
  return %o1, %o2 : tensor<1x1x4x64xf32>, tensor<1x4096x4x64xf32>
}

// -----

// A per-channel gate at K = V = 64: the scan, whose sweeps keep their sums
// in registers, is cheapest below 226 tokens, the chunked form from 226 on;
// the quadratic form's C×C blocks never are.
// AUTO-LABEL: func @channel_gate
// AUTO: arith.cmpi slt, %{{.*}}, %c226
// AUTO: {form = #mixer.form<scan>}
// AUTO-NOT: quadratic
// AUTO: {form = #mixer.form<chunked>}
func.func @channel_gate(%q: tensor<?x?x4x64xf32>, %g: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  %o = mixer.semiseparable %q, %q, %q gate(%g) : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

/// A form the user pinned on the op is kept, whatever the pass option says.
// AUTO-LABEL: func @negative_user_pinned
// AUTO: {form = #mixer.form<quadratic, tile = 8>}
// PINNED-LABEL: func @negative_user_pinned
// PINNED: {form = #mixer.form<quadratic, tile = 8>}
// SCAN-LABEL: func @negative_user_pinned
// SCAN: {form = #mixer.form<quadratic, tile = 8>}
func.func @negative_user_pinned(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  %o = mixer.semiseparable %q, %q, %q {form = #mixer.form<quadratic, tile = 8>} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

// The delta rule has no quadratic form: auto chooses between the scan
// (below 12 tokens here: K = 64, V = 128, a per-token gate) and the chunked
// form (chunks of 16).
// AUTO-LABEL: func @delta_rule
// AUTO: arith.cmpi slt, %{{.*}}, %c12
// AUTO: {delta_rule, form = #mixer.form<scan>}
// AUTO: } else {
// AUTO-NOT: quadratic
// AUTO: {delta_rule, form = #mixer.form<chunked>}
// PINNED-LABEL: func @delta_rule
// PINNED: {delta_rule, form = #mixer.form<chunked, tile = 32>}
func.func @delta_rule(%q: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x128xf32>, %g: tensor<?x?x4xf32>, %beta: tensor<?x?x4xf32>) -> tensor<?x?x4x128xf32> {
  %o = mixer.semiseparable %q, %q, %v gate(%g) beta(%beta) {delta_rule} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x128xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4x128xf32>
  return %o : tensor<?x?x4x128xf32>
}
