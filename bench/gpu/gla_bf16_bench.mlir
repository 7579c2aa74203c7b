// GLA at the GPU benchmark shape, in bf16 (the state and every accumulation
// stay f32): S_t = diag(exp(g_t)) S_{t-1} + k_t v_tᵀ, o_t = K^-1/2 · S_tᵀ q_t,
// g[B,T,H,K] ≤ 0 the log decay. H = 8, K = V = 128; B and T are dynamic.
func.func @gla(
    %q: tensor<?x?x8x128xbf16> {mixer.name = "q"},
    %k: tensor<?x?x8x128xbf16> {mixer.name = "k"},
    %v: tensor<?x?x8x128xbf16> {mixer.name = "v"},
    %g: tensor<?x?x8x128xbf16> {mixer.name = "g"})
    -> (tensor<?x?x8x128xbf16> {mixer.name = "o"}) {
  %o = mixer.semiseparable %q, %k, %v gate(%g)
      : (tensor<?x?x8x128xbf16>, tensor<?x?x8x128xbf16>, tensor<?x?x8x128xbf16>,
         tensor<?x?x8x128xbf16>) -> tensor<?x?x8x128xbf16>
  return %o : tensor<?x?x8x128xbf16>
}
