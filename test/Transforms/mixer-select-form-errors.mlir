// RUN: not mixir-opt %s -mixer-select-form="form=fft" 2>&1 | FileCheck %s --check-prefix=FORM
// RUN: not mixir-opt %s -mixer-select-form="form=chunked chunk-size=-2" 2>&1 | FileCheck %s --check-prefix=SIZE

// FORM: error: 'mixer.semiseparable' op has no 'fft' form (its forms: scan, chunked, quadratic)
// RUN: not mixir-opt %s -mixer-select-form="form=quadratic chunk-size=4096" 2>&1 | FileCheck %s --check-prefix=LARGE
// SIZE: error: chunk-size must be between 1 and 1024 (or 0 for the cost model's choice), got -2
// LARGE: error: chunk-size must be between 1 and 1024 (or 0 for the cost model's choice), got 4096
func.func @f(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  %o = mixer.semiseparable %q, %q, %q : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
