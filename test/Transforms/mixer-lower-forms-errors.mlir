// RUN: mixir-opt %s -mixer-lower-forms -split-input-file -verify-diagnostics

func.func @no_form(%q: tensor<?x?x2x8xf32>) -> tensor<?x?x2x8xf32> {
  // expected-error @+1 {{'mixer.semiseparable' op has no form: run mixer-select-form first, or pin one}}
  %o = mixer.semiseparable %q, %q, %q : (tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>) -> tensor<?x?x2x8xf32>
  return %o : tensor<?x?x2x8xf32>
}
