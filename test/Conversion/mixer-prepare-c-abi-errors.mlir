// RUN: mixir-opt %s -mixer-prepare-c-abi -split-input-file -verify-diagnostics

// expected-error @+1 {{C ABI: every argument and result must be a ranked tensor of f32, f16, bf16 or i32, but argument 1 is 'tensor<?x?x4x64xf64>'}}
func.func @f64_argument(%q: tensor<?x?x4x64xf32>, %x: tensor<?x?x4x64xf64>) -> tensor<?x?x4x64xf32> {
  return %q : tensor<?x?x4x64xf32>
}

// -----

// expected-error @+1 {{C ABI: every argument and result must be a ranked tensor of f32, f16, bf16 or i32, but result 0 is 'f32'}}
func.func @scalar_result(%q: tensor<?x?x4x64xf32>) -> f32 {
  %c = arith.constant 1.0 : f32
  return %c : f32
}

// -----

// expected-error @+1 {{C ABI: two tensors are named 'q'}}
func.func @duplicate_names(%q: tensor<?x?x4x64xf32> {mixer.name = "q"}) -> (tensor<?x?x4x64xf32> {mixer.name = "q"}) {
  return %q : tensor<?x?x4x64xf32>
}

// -----

// expected-error @+1 {{C ABI: tensor name 'my q' is not an identifier}}
func.func @bad_name(%q: tensor<?x?x4x64xf32> {mixer.name = "my q"}) -> tensor<?x?x4x64xf32> {
  return %q : tensor<?x?x4x64xf32>
}

// -----

func.func @opaque_size(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d = tensor.dim %q, %c0 : tensor<?x?x4x64xf32>
  %n = arith.addi %d, %c1 : index
  // expected-error @+1 {{'tensor.empty' op dynamic size 0 must come from tensor.dim of another tensor for mixirc to derive the C ABI shape contract}}
  %e = tensor.empty(%n, %n) : tensor<?x?x4x64xf32>
  return %e : tensor<?x?x4x64xf32>
}

// -----

func.func @unknown_op(%q: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{'tensor.extract_slice' op is not understood by the C ABI shape analysis: mixirc cannot tell which dynamic sizes it requires to be equal}}
  %s = tensor.extract_slice %q[0, 0, 0, 0] [1, 1, 4, 64] [1, 1, 1, 1] : tensor<?x?x4x64xf32> to tensor<1x1x4x64xf32>
  %c = tensor.cast %s : tensor<1x1x4x64xf32> to tensor<?x?x4x64xf32>
  return %c : tensor<?x?x4x64xf32>
}
