// GLA of examples/gla.mlir with every tensor in bf16 (the state and every
// accumulation stay f32; inputs are read in 16 bits, the output rounded once).
// Gated linear attention (Yang et al., 2024) with a per-key-channel decay:
//   S_t = diag(exp(g_t)) S_{t-1} + k_t v_tᵀ,   o_t = K^-1/2 · S_tᵀ q_t
// g[B,T,H,K] ≤ 0 is the log decay (precondition, not checked).
// H = 4, K = V = 64; B and T are dynamic.
func.func @gla_bf16(
    %q: tensor<?x?x4x64xbf16> {mixer.name = "q"},
    %k: tensor<?x?x4x64xbf16> {mixer.name = "k"},
    %v: tensor<?x?x4x64xbf16> {mixer.name = "v"},
    %g: tensor<?x?x4x64xbf16> {mixer.name = "g"})
    -> (tensor<?x?x4x64xbf16> {mixer.name = "o"}) {
  %o = mixer.semiseparable %q, %k, %v gate(%g)
      : (tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>,
         tensor<?x?x4x64xbf16>) -> tensor<?x?x4x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}
