// Linear attention (Katharopoulos et al., 2020), causal, no feature map:
//   o_t = K^-1/2 · Σ_{s≤t} (q_t·k_s) v_s          (docs/math.md, section 1, A_t = I)
// H = 4 heads, K = V = 64; B and T are dynamic.
func.func @linear_attention(
    %q: tensor<?x?x4x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x4x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x4x64xf32> {mixer.name = "v"})
    -> (tensor<?x?x4x64xf32> {mixer.name = "o"}) {
  %o = mixer.semiseparable %q, %k, %v
      : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>)
      -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
