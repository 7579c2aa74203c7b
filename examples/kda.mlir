// Kimi Delta Attention (Kimi Linear, 2025): the delta rule with a decay per
// key channel,
//   S_t = (I − β_t k_t k_tᵀ) · diag(exp(g_t)) · S_{t-1} + β_t k_t v_tᵀ,
//   o_t = K^-1/2 · S_tᵀ q_t.
// g [B,T,H,K] ≤ 0 is the log decay; k_t L2-normalised, 0 < β_t < 1
// (preconditions, not checked). H = 2, K = V = 64; B and T are dynamic.
func.func @kda(
    %q: tensor<?x?x2x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x2x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x2x64xf32> {mixer.name = "v"},
    %g: tensor<?x?x2x64xf32> {mixer.name = "g"},
    %beta: tensor<?x?x2xf32> {mixer.name = "beta"})
    -> (tensor<?x?x2x64xf32> {mixer.name = "o"}) {
  %o = mixer.semiseparable %q, %k, %v gate(%g) beta(%beta) {delta_rule}
      : (tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>,
         tensor<?x?x2x64xf32>, tensor<?x?x2xf32>) -> tensor<?x?x2x64xf32>
  return %o : tensor<?x?x2x64xf32>
}
