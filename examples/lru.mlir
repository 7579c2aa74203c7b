// LRU, the Linear Recurrent Unit (Orvieto et al., 2023, "Resurrecting
// recurrent neural networks for long sequences"), as the paper states it:
//   λ = exp(−exp(ν) + i·exp(θ)),   γ = sqrt(1 − |λ|²),
//   h_t = λ ⊙ h_{t−1} + γ ⊙ (Bu)_t   (complex),   o_t = h_t,
// with ν = nu_log and θ = theta_log learned per channel and Bu the input
// projection, given by its real and imaginary parts. The complex state is
// written as two real states, h_re and h_im:
//   h_re' = re λ·h_re − im λ·h_im + γ·bu_re,
//   h_im' = im λ·h_re + re λ·h_im + γ·bu_im.
// D = 128; B and T are dynamic. mixer-raise-recurrences finds the two new
// states affine in the states, coupled as a complex number's parts, and makes
// them one mixer.complex_diagonal_recurrence; λ and γ depend on the
// parameters alone, so they are computed once per channel (λ becomes the op's
// per-channel decay), and 1 − |λ|² = 1 − exp(−exp(ν))² is computed as
// −expm1(−2·exp(ν)) (docs/math.md, sections 4.3 and 4.4).
func.func @lru(
    %bu_re: tensor<?x?x128xf32> {mixer.name = "bu_re"},
    %bu_im: tensor<?x?x128xf32> {mixer.name = "bu_im"},
    %nu_log: tensor<128xf32> {mixer.name = "nu_log"},
    %theta_log: tensor<128xf32> {mixer.name = "theta_log"})
    -> (tensor<?x?x128xf32> {mixer.name = "o_re"},
        tensor<?x?x128xf32> {mixer.name = "o_im"}) {
  %o_re, %o_im, %hT_re, %hT_im = mixer.recurrence(%bu_re, %bu_im) {
  ^bb0(%h_re: tensor<128xf32>, %h_im: tensor<128xf32>,
       %x_re: tensor<128xf32>, %x_im: tensor<128xf32>):
    %one = arith.constant dense<1.0> : tensor<128xf32>
    // |λ| = exp(−exp(ν)), arg λ = exp(θ)
    %e_nu = math.exp %nu_log : tensor<128xf32>
    %log_mod = arith.negf %e_nu : tensor<128xf32>
    %mod = math.exp %log_mod : tensor<128xf32>
    %theta = math.exp %theta_log : tensor<128xf32>
    %cos = math.cos %theta : tensor<128xf32>
    %sin = math.sin %theta : tensor<128xf32>
    %l_re = arith.mulf %mod, %cos : tensor<128xf32>
    %l_im = arith.mulf %mod, %sin : tensor<128xf32>
    // γ = sqrt(1 − |λ|²)
    %mod2 = arith.mulf %mod, %mod : tensor<128xf32>
    %rest = arith.subf %one, %mod2 : tensor<128xf32>
    %gamma = math.sqrt %rest : tensor<128xf32>
    %b_re = arith.mulf %gamma, %x_re : tensor<128xf32>
    %b_im = arith.mulf %gamma, %x_im : tensor<128xf32>
    // h ← λ ⊙ h + γ ⊙ Bu
    %rr = arith.mulf %l_re, %h_re : tensor<128xf32>
    %ii = arith.mulf %l_im, %h_im : tensor<128xf32>
    %ri = arith.mulf %l_re, %h_im : tensor<128xf32>
    %ir = arith.mulf %l_im, %h_re : tensor<128xf32>
    %n_re0 = arith.subf %rr, %ii : tensor<128xf32>
    %n_im0 = arith.addf %ir, %ri : tensor<128xf32>
    %n_re = arith.addf %n_re0, %b_re : tensor<128xf32>
    %n_im = arith.addf %n_im0, %b_im : tensor<128xf32>
    mixer.yield %n_re, %n_im, %n_re, %n_im
        : tensor<128xf32>, tensor<128xf32>, tensor<128xf32>, tensor<128xf32>
  } : (tensor<?x?x128xf32>, tensor<?x?x128xf32>)
    -> (tensor<?x?x128xf32>, tensor<?x?x128xf32>, tensor<?x128xf32>,
        tensor<?x128xf32>)
  return %o_re, %o_im : tensor<?x?x128xf32>, tensor<?x?x128xf32>
}
