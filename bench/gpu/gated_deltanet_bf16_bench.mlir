// Gated DeltaNet at the GPU benchmark shape, in bf16 (state and sums f32):
//   S_t = exp(g_t) · (I − β_t k_t k_tᵀ) S_{t-1} + β_t k_t v_tᵀ,
//   o_t = K^-1/2 · S_tᵀ q_t,
// g [B,T,H] ≤ 0, k_t L2-normalised, 0 < β_t < 1. H = 8, K = V = 128.
func.func @gated_deltanet(
    %q: tensor<?x?x8x128xbf16> {mixer.name = "q"},
    %k: tensor<?x?x8x128xbf16> {mixer.name = "k"},
    %v: tensor<?x?x8x128xbf16> {mixer.name = "v"},
    %g: tensor<?x?x8xf32> {mixer.name = "g"},
    %beta: tensor<?x?x8xbf16> {mixer.name = "beta"})
    -> (tensor<?x?x8x128xbf16> {mixer.name = "o"}) {
  %o = mixer.semiseparable %q, %k, %v gate(%g) beta(%beta) {delta_rule}
      : (tensor<?x?x8x128xbf16>, tensor<?x?x8x128xbf16>, tensor<?x?x8x128xbf16>,
         tensor<?x?x8xf32>, tensor<?x?x8xbf16>) -> tensor<?x?x8x128xbf16>
  return %o : tensor<?x?x8x128xbf16>
}
