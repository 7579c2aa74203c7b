// GLA that starts from a given state and returns the final one:
//   S_0 = h0,  S_t = diag(exp(g_t)) S_{t-1} + k_t v_tᵀ,  o_t = 48^-1/2 · S_tᵀ q_t,
//   hT = S_T (unscaled). hT may be passed as the same buffer as h0.
// g ≤ 0 (precondition). H = 2, K = 48, V = 80; B and T are dynamic.
func.func @gla_state(
    %q: tensor<?x?x2x48xf32> {mixer.name = "q"},
    %k: tensor<?x?x2x48xf32> {mixer.name = "k"},
    %v: tensor<?x?x2x80xf32> {mixer.name = "v"},
    %g: tensor<?x?x2x48xf32> {mixer.name = "g"},
    %h0: tensor<?x2x48x80xf32> {mixer.name = "h0"})
    -> (tensor<?x?x2x80xf32> {mixer.name = "o"},
        tensor<?x2x48x80xf32> {mixer.name = "hT"}) {
  %o, %hT = mixer.semiseparable %q, %k, %v gate(%g) initial_state(%h0)
      : (tensor<?x?x2x48xf32>, tensor<?x?x2x48xf32>, tensor<?x?x2x80xf32>,
         tensor<?x?x2x48xf32>, tensor<?x2x48x80xf32>)
      -> (tensor<?x?x2x80xf32>, tensor<?x2x48x80xf32>)
  return %o, %hT : tensor<?x?x2x80xf32>, tensor<?x2x48x80xf32>
}
