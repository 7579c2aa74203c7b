// minGRU (Feng et al., 2024, "Were RNNs all we needed?"), written as one
// step from an initial state, returning the final state:
//   z_t = σ(z_pre_t),   h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ htilde_t.
// D = 256; B and T are dynamic.
func.func @mingru(
    %z_pre: tensor<?x?x256xf32> {mixer.name = "z_pre"},
    %htilde: tensor<?x?x256xf32> {mixer.name = "htilde"},
    %h0: tensor<?x256xf32> {mixer.name = "h0"})
    -> (tensor<?x?x256xf32> {mixer.name = "h"},
        tensor<?x256xf32> {mixer.name = "hT"}) {
  %h, %hT = mixer.recurrence(%z_pre, %htilde) init(%h0) {
  ^bb0(%prev: tensor<256xf32>, %zp: tensor<256xf32>, %ht: tensor<256xf32>):
    %one = arith.constant dense<1.0> : tensor<256xf32>
    // z = 1 / (1 + exp(−z_pre))
    %neg = arith.negf %zp : tensor<256xf32>
    %e = math.exp %neg : tensor<256xf32>
    %den = arith.addf %one, %e : tensor<256xf32>
    %z = arith.divf %one, %den : tensor<256xf32>
    %keep = arith.subf %one, %z : tensor<256xf32>
    %old = arith.mulf %keep, %prev : tensor<256xf32>
    %new = arith.mulf %z, %ht : tensor<256xf32>
    %next = arith.addf %old, %new : tensor<256xf32>
    mixer.yield %next, %next : tensor<256xf32>, tensor<256xf32>
  } : (tensor<?x?x256xf32>, tensor<?x?x256xf32>, tensor<?x256xf32>)
    -> (tensor<?x?x256xf32>, tensor<?x256xf32>)
  return %h, %hT : tensor<?x?x256xf32>, tensor<?x256xf32>
}
