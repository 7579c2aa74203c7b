// RUN: not mixir-opt %s -mixer-select-form="form=fft" 2>&1 | FileCheck %s --check-prefix=FORM
// RUN: not mixir-opt %s -mixer-select-form="form=chunked chunk-size=-2" 2>&1 | FileCheck %s --check-prefix=SIZE
// RUN: not mixir-opt %s -mixer-select-form="form=quadratic chunk-size=4096" 2>&1 | FileCheck %s --check-prefix=LARGE
// RUN: not mixir-opt %s -mixer-select-form="form=quadratic" 2>&1 | FileCheck %s --check-prefix=QUADRATIC
// RUN: not mixir-opt %s -mixer-select-form="form=chunked chunk-size=128" 2>&1 | FileCheck %s --check-prefix=DELTACHUNK
// RUN: not mixir-opt %s -mixer-select-form="chunk-size=128" 2>&1 | FileCheck %s --check-prefix=DELTACHUNK
// RUN: not mixir-opt %s -mixer-select-form="form=scan chunk-size=8" 2>&1 | FileCheck %s --check-prefix=SCANTILE

// A form the op does not have is an error at the op, naming the forms it has
// (and why, where the op says).
// FORM: 19:8: error: 'mixer.semiseparable' op has no 'fft' form (its forms: scan, chunked, quadratic)
// FORM: 24:8: error: 'mixer.semiseparable' op has no 'fft' form (its forms: scan, chunked)
// SIZE: error: chunk-size must be between 1 and 1024 (or 0 for the cost model's choice), got -2
// LARGE: error: chunk-size must be between 1 and 1024 (or 0 for the cost model's choice), got 4096
// QUADRATIC: 24:8: error: 'mixer.semiseparable' op has no 'quadratic' form (its forms: scan, chunked): a transition that is not diagonal has no cheap quadratic form
// DELTACHUNK: 24:8: error: 'mixer.semiseparable' op takes chunked tiles of at most 64 tokens, got 128
// SCANTILE: 19:8: error: 'mixer.semiseparable' op form 'scan' takes no tile size
func.func @f(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  %o = mixer.semiseparable %q, %q, %q : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

func.func @delta(%q: tensor<?x?x4x64xf32>, %beta: tensor<?x?x4xf32>) -> tensor<?x?x4x64xf32> {
  %o = mixer.semiseparable %q, %q, %q beta(%beta) {delta_rule} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
