// RUN: mixir-opt %s -mixer-lower-forms -split-input-file | FileCheck %s

// Every mixer op is replaced by the loops of its form, whichever structure
// class lowers it; what the form builds is tested per class in
// test/Forms/<Class>/.
// CHECK-LABEL: func @every_op_lowered
// CHECK-NOT: mixer.semiseparable
// CHECK: scf.forall
// CHECK: scf.if
// CHECK-NOT: mixer.semiseparable
// CHECK: return
func.func @every_op_lowered(%q: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x4xf32>) -> (tensor<?x?x2x4xf32>, tensor<?x?x2x4xf32>) {
  %a = mixer.semiseparable %q, %q, %v {form = #mixer.form<scan>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>) -> tensor<?x?x2x4xf32>
  %b = mixer.semiseparable %q, %q, %v {form = #mixer.form<chunked, tile = 4>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>) -> tensor<?x?x2x4xf32>
  return %a, %b : tensor<?x?x2x4xf32>, tensor<?x?x2x4xf32>
}

// -----

// A mixer reading another mixer's output reads the lowered value.
// CHECK-LABEL: func @chained
// CHECK: %[[FIRST:.*]] = scf.forall
// CHECK: %[[SECOND:.*]] = scf.forall
// CHECK: tensor.extract_slice %[[FIRST]]
// CHECK: return %[[SECOND]]
func.func @chained(%q: tensor<?x?x2x8xf32>, %v: tensor<?x?x2x8xf32>) -> tensor<?x?x2x8xf32> {
  %a = mixer.semiseparable %q, %q, %v {form = #mixer.form<scan>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>) -> tensor<?x?x2x8xf32>
  %b = mixer.semiseparable %a, %q, %v {form = #mixer.form<scan>} : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>) -> tensor<?x?x2x8xf32>
  return %b : tensor<?x?x2x8xf32>
}
