// DeltaNet (Schlag et al., 2021; Yang et al., 2024), the delta rule:
//   S_t = (I − β_t k_t k_tᵀ) S_{t-1} + β_t k_t v_tᵀ,   o_t = K^-1/2 · S_tᵀ q_t
// Preconditions (not checked): k_t L2-normalised, 0 < β_t < 1.
// H = 4, K = V = 64, beta [B,T,H]; B and T are dynamic.
func.func @deltanet(
    %q: tensor<?x?x4x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x4x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x4x64xf32> {mixer.name = "v"},
    %beta: tensor<?x?x4xf32> {mixer.name = "beta"})
    -> (tensor<?x?x4x64xf32> {mixer.name = "o"}) {
  %o = mixer.semiseparable %q, %k, %v beta(%beta) {delta_rule}
      : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>,
         tensor<?x?x4xf32>) -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
