// Gated DeltaNet (Yang et al., 2025), from an initial state:
//   S_0 = h0,  S_t = exp(g_t) · (I − β_t k_t k_tᵀ) S_{t-1} + β_t k_t v_tᵀ,
//   o_t = K^-1/2 · S_tᵀ q_t,   hT = S_T (unscaled; may share h0's buffer).
// g [B,T,H] ≤ 0 is the log decay; k_t L2-normalised, 0 < β_t < 1
// (preconditions, not checked). H = 4, K = 64, V = 128; B and T are dynamic.
func.func @gated_deltanet(
    %q: tensor<?x?x4x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x4x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x4x128xf32> {mixer.name = "v"},
    %g: tensor<?x?x4xf32> {mixer.name = "g"},
    %beta: tensor<?x?x4xf32> {mixer.name = "beta"},
    %h0: tensor<?x4x64x128xf32> {mixer.name = "h0"})
    -> (tensor<?x?x4x128xf32> {mixer.name = "o"},
        tensor<?x4x64x128xf32> {mixer.name = "hT"}) {
  %o, %hT = mixer.semiseparable %q, %k, %v gate(%g) beta(%beta)
      initial_state(%h0) {delta_rule}
      : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x128xf32>,
         tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x4x64x128xf32>)
      -> (tensor<?x?x4x128xf32>, tensor<?x4x64x128xf32>)
  return %o, %hT : tensor<?x?x4x128xf32>, tensor<?x4x64x128xf32>
}
