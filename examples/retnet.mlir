// RetNet retention (Sun et al., 2023), recurrent view:
//   S_t = γ_h S_{t-1} + k_t v_tᵀ,   o_t = K^-1/2 · S_tᵀ q_t
// with the paper's per-head decay γ_h = 1 − 2^(−5−h), given to the mixer in
// log space as a per-head gate [H] (docs/math.md, section 1). No normalisation.
// H = 4, K = 64, V = 96; B and T are dynamic.
func.func @retnet(
    %q: tensor<?x?x4x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x4x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x4x96xf32> {mixer.name = "v"})
    -> (tensor<?x?x4x96xf32> {mixer.name = "o"}) {
  // log(1 - 2^(-5-h)) for h = 0..3
  %log_gamma = arith.constant dense<[-3.174869831e-02, -1.574835697e-02, -7.843177461e-03, -3.913899321e-03]> : tensor<4xf32>
  %o = mixer.semiseparable %q, %k, %v gate(%log_gamma)
      : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x96xf32>,
         tensor<4xf32>) -> tensor<?x?x4x96xf32>
  return %o : tensor<?x?x4x96xf32>
}
