// RUN: mixir-opt %s -split-input-file -verify-diagnostics

func.func @q_rank(%q: tensor<8x4x64xf32>, %k: tensor<8x4x64xf32>, %v: tensor<8x4x64xf32>) -> tensor<8x4x64xf32> {
  // expected-error @+1 {{q must have rank 4 [B, T, H, K], got 'tensor<8x4x64xf32>'}}
  %o = mixer.semiseparable %q, %k, %v : (tensor<8x4x64xf32>, tensor<8x4x64xf32>, tensor<8x4x64xf32>) -> tensor<8x4x64xf32>
  return %o : tensor<8x4x64xf32>
}

// -----

func.func @dynamic_heads(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>, %v: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> {
  // expected-error @+1 {{q dimension 2 (H) must be static}}
  %o = mixer.semiseparable %q, %k, %v : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// -----

func.func @dynamic_value_dim(%q: tensor<1x8x4x64xf32>, %k: tensor<1x8x4x64xf32>, %v: tensor<1x8x4x?xf32>) -> tensor<1x8x4x?xf32> {
  // expected-error @+1 {{v dimension 3 (V) must be static}}
  %o = mixer.semiseparable %q, %k, %v : (tensor<1x8x4x64xf32>, tensor<1x8x4x64xf32>, tensor<1x8x4x?xf32>) -> tensor<1x8x4x?xf32>
  return %o : tensor<1x8x4x?xf32>
}

// -----

func.func @key_length(%q: tensor<1x8x4x64xf32>, %k: tensor<1x7x4x64xf32>, %v: tensor<1x8x4x64xf32>) -> tensor<1x8x4x64xf32> {
  // expected-error @+1 {{k dimension 1 (T) is 7, expected 8}}
  %o = mixer.semiseparable %q, %k, %v : (tensor<1x8x4x64xf32>, tensor<1x7x4x64xf32>, tensor<1x8x4x64xf32>) -> tensor<1x8x4x64xf32>
  return %o : tensor<1x8x4x64xf32>
}

// -----

func.func @value_rank(%q: tensor<1x8x4x64xf32>, %k: tensor<1x8x4x64xf32>, %v: tensor<8x4x64xf32>) -> tensor<1x8x4x64xf32> {
  // expected-error @+1 {{v must have rank 4 [B, T, H, V], got 'tensor<8x4x64xf32>'}}
  %o = mixer.semiseparable %q, %k, %v : (tensor<1x8x4x64xf32>, tensor<1x8x4x64xf32>, tensor<8x4x64xf32>) -> tensor<1x8x4x64xf32>
  return %o : tensor<1x8x4x64xf32>
}

// -----

func.func @output_shape(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x32xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{output dimension 3 (V) is 64, expected 32}}
  %o = mixer.semiseparable %q, %k, %v : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x32xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @gate_rank(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x64xf32>, %g: tensor<?x4xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{gate must have shape [H] (per head), [B, T, H] (per token) or [B, T, H, K] (per key channel), got 'tensor<?x4xf32>'}}
  %o = mixer.semiseparable %q, %k, %v gate(%g) : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x4xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @gate_heads(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x64xf32>, %g: tensor<3xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{gate dimension 0 (H) is 3, expected 4}}
  %o = mixer.semiseparable %q, %k, %v gate(%g) : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<3xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @gate_channels(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x64xf32>, %g: tensor<?x?x4x32xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{gate dimension 3 (K) is 32, expected 64}}
  %o = mixer.semiseparable %q, %k, %v gate(%g) : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x32xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @beta_shape(%q: tensor<2x?x4x64xf32>, %k: tensor<2x?x4x64xf32>, %v: tensor<2x?x4x64xf32>, %b: tensor<3x?x4xf32>) -> tensor<2x?x4x64xf32> {
  // expected-error @+1 {{beta dimension 0 (B) is 3, expected 2}}
  %o = mixer.semiseparable %q, %k, %v beta(%b) : (tensor<2x?x4x64xf32>, tensor<2x?x4x64xf32>, tensor<2x?x4x64xf32>, tensor<3x?x4xf32>) -> tensor<2x?x4x64xf32>
  return %o : tensor<2x?x4x64xf32>
}

// -----

func.func @initial_state_shape(%q: tensor<?x?x2x48xf32>, %k: tensor<?x?x2x48xf32>, %v: tensor<?x?x2x80xf32>, %h0: tensor<?x2x80x48xf32>) -> tensor<?x?x2x80xf32> {
  // expected-error @+1 {{initial_state dimension 2 (K) is 80, expected 48}}
  %o = mixer.semiseparable %q, %k, %v initial_state(%h0) : (tensor<?x?x2x48xf32>, tensor<?x?x2x48xf32>, tensor<?x?x2x80xf32>, tensor<?x2x80x48xf32>) -> tensor<?x?x2x80xf32>
  return %o : tensor<?x?x2x80xf32>
}

// -----

func.func @final_state_shape(%q: tensor<?x?x2x48xf32>, %k: tensor<?x?x2x48xf32>, %v: tensor<?x?x2x80xf32>) -> tensor<?x2x48xf32> {
  // expected-error @+1 {{final_state must have rank 4 [B, H, K, V], got 'tensor<?x2x48xf32>'}}
  %o, %hT = mixer.semiseparable %q, %k, %v : (tensor<?x?x2x48xf32>, tensor<?x?x2x48xf32>, tensor<?x?x2x80xf32>) -> (tensor<?x?x2x80xf32>, tensor<?x2x48xf32>)
  return %hT : tensor<?x2x48xf32>
}

// -----

func.func @bidirectional(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{bidirectional (causal = false) semiseparable mixers are not supported yet}}
  %o = mixer.semiseparable %q, %k, %v {causal = false} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @zero_scale(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{scale must be finite and non-zero}}
  %o = mixer.semiseparable %q, %k, %v {scale = 0.0 : f64} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @element_type(%q: tensor<?x?x4x64xf64>, %k: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %o = mixer.semiseparable %q, %k, %v : (tensor<?x?x4x64xf64>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @negative_tile(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{form tile size must be positive (or 0 for the cost model's choice), got -4}}
  %o = mixer.semiseparable %q, %k, %v {form = #mixer.form<chunked, tile = -4>} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @huge_tile(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{form tile size must be at most 1024, got 100000}}
  %o = mixer.semiseparable %q, %k, %v {form = #mixer.form<quadratic, tile = 100000>} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @scan_tile(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{the scan form takes no tile size}}
  %o = mixer.semiseparable %q, %k, %v {form = #mixer.form<scan, tile = 8>} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @unknown_form(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{'mixer.semiseparable' op has no 'fft' form (its forms: scan, chunked, quadratic)}}
  %o = mixer.semiseparable %q, %k, %v {form = #mixer.form<fft>} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @delta_and_low_rank(%q: tensor<?x?x4x64xf32>, %a: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{a delta-rule transition takes its rank-one part from k and beta; low_rank(a, b) is for a general diagonal-plus-low-rank transition, not both}}
  %o = mixer.semiseparable %q, %q, %q low_rank(%a, %a) {delta_rule} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @low_rank_shape(%q: tensor<?x?x4x64xf32>, %a: tensor<?x?x4x32xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{low_rank a dimension 3 (K) is 32, expected 64}}
  %o = mixer.semiseparable %q, %q, %q low_rank(%a, %q) : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x32xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @delta_quadratic(%q: tensor<?x?x4x64xf32>, %beta: tensor<?x?x4xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{'mixer.semiseparable' op has no 'quadratic' form (its forms: scan, chunked): a transition that is not diagonal has no cheap quadratic form (building M needs the triangular solves of the chunked form for every pair of blocks); use chunked}}
  %o = mixer.semiseparable %q, %q, %q beta(%beta) {delta_rule, form = #mixer.form<quadratic>} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @delta_long_chunks(%q: tensor<?x?x4x64xf32>, %beta: tensor<?x?x4xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{'mixer.semiseparable' op takes chunked tiles of at most 64 tokens, got 128}}
  %o = mixer.semiseparable %q, %q, %q beta(%beta) {delta_rule, form = #mixer.form<chunked, tile = 128>} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @low_rank_half(%q: tensor<?x?x4x64xf32>, %a: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{low_rank needs both a and b}}
  %o = "mixer.semiseparable"(%q, %q, %q, %a) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 1, 0, 0>}> : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

func.func @unnamed_form(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-error @+1 {{a form needs a name}}
  %o = mixer.semiseparable %q, %q, %q {form = #mixer.form<"">} : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
