// Gated linear attention (Yang et al., 2024) with a per-key-channel decay:
//   S_t = diag(exp(g_t)) S_{t-1} + k_t v_tᵀ,   o_t = K^-1/2 · S_tᵀ q_t
// g[B,T,H,K] ≤ 0 is the log decay (precondition, not checked).
// H = 8, K = V = 128 (the benchmark shape); B and T are dynamic.
func.func @gla(
    %q: tensor<?x?x8x128xf32> {mixer.name = "q"},
    %k: tensor<?x?x8x128xf32> {mixer.name = "k"},
    %v: tensor<?x?x8x128xf32> {mixer.name = "v"},
    %g: tensor<?x?x8x128xf32> {mixer.name = "g"})
    -> (tensor<?x?x8x128xf32> {mixer.name = "o"}) {
  %o = mixer.semiseparable %q, %k, %v gate(%g)
      : (tensor<?x?x8x128xf32>, tensor<?x?x8x128xf32>, tensor<?x?x8x128xf32>,
         tensor<?x?x8x128xf32>) -> tensor<?x?x8x128xf32>
  return %o : tensor<?x?x8x128xf32>
}
