// RG-LRU, the recurrence of Griffin (De et al., 2024, "Griffin: mixing gated
// linear recurrences with local attention"), as the paper states it:
//   a_t = σ(Λ)^(c·r_t) (c = 8), so log a_t = c · r_t · log σ(Λ);
//   h_t = a_t ⊙ h_{t−1} + sqrt(1 − a_t²) ⊙ (i_t ⊙ x_t),   o_t = h_t.
// r and i are the recurrence and input gates after their sigmoids (in
// (0, 1)); Λ is learned, one per channel. D = 256; B and T are dynamic.
// mixer-raise-recurrences finds the new state affine in the state and makes
// it a mixer.diagonal_recurrence with log a as its log decay; it computes
// 1 − a² as −expm1(2·log a) (docs/math.md, section 4.3).
func.func @rglru(
    %x: tensor<?x?x256xf32> {mixer.name = "x"},
    %r: tensor<?x?x256xf32> {mixer.name = "r"},
    %i: tensor<?x?x256xf32> {mixer.name = "i"},
    %lam: tensor<256xf32> {mixer.name = "lam"})
    -> (tensor<?x?x256xf32> {mixer.name = "o"}) {
  %o, %hT = mixer.recurrence(%x, %r, %i) {
  ^bb0(%h: tensor<256xf32>, %xt: tensor<256xf32>, %rt: tensor<256xf32>,
       %it: tensor<256xf32>):
    %c = arith.constant dense<8.0> : tensor<256xf32>
    %one = arith.constant dense<1.0> : tensor<256xf32>
    // log σ(Λ) = −log(1 + exp(−Λ))
    %nlam = arith.negf %lam : tensor<256xf32>
    %e = math.exp %nlam : tensor<256xf32>
    %softplus = math.log1p %e : tensor<256xf32>
    %logsig = arith.negf %softplus : tensor<256xf32>
    %cr = arith.mulf %c, %rt : tensor<256xf32>
    %loga = arith.mulf %cr, %logsig : tensor<256xf32>
    %a = math.exp %loga : tensor<256xf32>
    // sqrt(1 − a²) ⊙ (i ⊙ x)
    %a2 = arith.mulf %a, %a : tensor<256xf32>
    %rest = arith.subf %one, %a2 : tensor<256xf32>
    %gamma = math.sqrt %rest : tensor<256xf32>
    %ix = arith.mulf %it, %xt : tensor<256xf32>
    %input = arith.mulf %gamma, %ix : tensor<256xf32>
    %ah = arith.mulf %a, %h : tensor<256xf32>
    %hn = arith.addf %ah, %input : tensor<256xf32>
    mixer.yield %hn, %hn : tensor<256xf32>, tensor<256xf32>
  } : (tensor<?x?x256xf32>, tensor<?x?x256xf32>, tensor<?x?x256xf32>)
    -> (tensor<?x?x256xf32>, tensor<?x256xf32>)
  return %o : tensor<?x?x256xf32>
}
