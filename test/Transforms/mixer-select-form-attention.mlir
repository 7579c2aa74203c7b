// RUN: mixir-opt %s -mixer-select-form -split-input-file | FileCheck %s
// RUN: mixir-opt %s -mixer-select-form="form=flash chunk-size=32" -split-input-file | FileCheck %s --check-prefix=PINNED

// mixer-select-form on mixer.attention (docs/forms-and-cost-model.md,
// "Attention"): the query length Tq is the op's length T. With 8 query
// heads on 2 kv heads the decode form's query blocks are 4 rows per head,
// and it costs 4× per row: below 13 queries its padded rows (at most 12,
// 48 weighted) undercut the flash form's one block of 64, so auto versions
// the op on Tq.
// CHECK-LABEL: func @decode_or_flash
// CHECK: %[[TQ:.*]] = tensor.dim %arg0, %c1
// CHECK: %[[FEW:.*]] = arith.cmpi slt, %[[TQ]], %c13
// CHECK: scf.if %[[FEW]]
// CHECK: mixer.attention {{.*}} {form = #mixer.form<decode>}
// CHECK: } else {
// CHECK: mixer.attention {{.*}} {form = #mixer.form<flash>}
// PINNED-LABEL: func @decode_or_flash
// PINNED-NOT: scf.if
// PINNED: mixer.attention {{.*}} {form = #mixer.form<flash, tile = 32>}
func.func @decode_or_flash(%q: tensor<?x?x8x128xf32>, %k: tensor<?x?x2x128xf32>) -> tensor<?x?x8x128xf32> {
  %o = mixer.attention %q, %k, %k : (tensor<?x?x8x128xf32>, tensor<?x?x2x128xf32>, tensor<?x?x2x128xf32>) -> tensor<?x?x8x128xf32>
  return %o : tensor<?x?x8x128xf32>
}

// -----

// A static query length picks one form: decode for a single query.
// CHECK-LABEL: func @one_query
// CHECK-NOT: scf.if
// CHECK: mixer.attention {{.*}} {form = #mixer.form<decode>}
func.func @one_query(%q: tensor<1x1x8x128xf32>, %k: tensor<1x?x2x128xf32>) -> tensor<1x1x8x128xf32> {
  %o = mixer.attention %q, %k, %k : (tensor<1x1x8x128xf32>, tensor<1x?x2x128xf32>, tensor<1x?x2x128xf32>) -> tensor<1x1x8x128xf32>
  return %o : tensor<1x1x8x128xf32>
}

// -----

// A forget gate leaves only the flash form.
// CHECK-LABEL: func @forget
// CHECK-NOT: scf.if
// CHECK: mixer.attention {{.*}} {form = #mixer.form<flash>}
func.func @forget(%q: tensor<?x?x4x16xf32>, %f: tensor<?x?x4xf32>) -> tensor<?x?x4x16xf32> {
  %o = mixer.attention %q, %q, %q forget %f : (tensor<?x?x4x16xf32>, tensor<?x?x4x16xf32>, tensor<?x?x4x16xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4x16xf32>
  return %o : tensor<?x?x4x16xf32>
}
