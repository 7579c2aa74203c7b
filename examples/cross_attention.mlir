// Cross attention: Tq queries against Tk keys of another sequence, no mask,
//   o_t = Σ_s softmax_s(q_t · k_s / 8) v_s.
// H = 4, K = V = 64; B, Tq and Tk are dynamic and independent.
func.func @cross_attention(
    %q: tensor<?x?x4x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x4x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x4x64xf32> {mixer.name = "v"})
    -> (tensor<?x?x4x64xf32> {mixer.name = "o"}) {
  %o = mixer.attention %q, %k, %v
      : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>)
      -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
