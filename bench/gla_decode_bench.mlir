// GLA's decode step at the decode benchmark's shape: one token (T = 1 at
// the call) from a state, which the call updates in place (hT may be
// passed as h0's buffer):
//   S_t = diag(exp(g_t)) S_{t-1} + k_t v_tᵀ,  o_t = K^-1/2 · S_tᵀ q_t
// g ≤ 0 (precondition). H = 16, K = V = 128 (a 1 MiB state at B = 1); B and
// T dynamic.
func.func @gla_decode(
    %q: tensor<?x?x16x128xf32> {mixer.name = "q"},
    %k: tensor<?x?x16x128xf32> {mixer.name = "k"},
    %v: tensor<?x?x16x128xf32> {mixer.name = "v"},
    %g: tensor<?x?x16x128xf32> {mixer.name = "g"},
    %h0: tensor<?x16x128x128xf32> {mixer.name = "h0"})
    -> (tensor<?x?x16x128xf32> {mixer.name = "o"},
        tensor<?x16x128x128xf32> {mixer.name = "hT"}) {
  %o, %hT = mixer.semiseparable %q, %k, %v gate(%g) initial_state(%h0)
      : (tensor<?x?x16x128xf32>, tensor<?x?x16x128xf32>, tensor<?x?x16x128xf32>,
         tensor<?x?x16x128xf32>, tensor<?x16x128x128xf32>)
      -> (tensor<?x?x16x128xf32>, tensor<?x16x128x128xf32>)
  return %o, %hT : tensor<?x?x16x128xf32>, tensor<?x16x128x128xf32>
}
