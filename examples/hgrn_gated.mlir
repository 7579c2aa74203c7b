// HGRN's recurrence (examples/hgrn.mlir) read out through an output gate,
// o_t = h_t ⊙ σ(g_t), as gated recurrent layers do:
//   h_t = f_t ⊙ h_{t−1} + (1 − f_t) ⊙ i_t,   o_t = h_t ⊙ σ(g_t).
// The output is not the new state but an element-wise function of it:
// mixer-raise-recurrences makes the recurrence a mixer.diagonal_recurrence
// and computes o from its h in an element-wise generic. D = 512; B and T
// are dynamic; o is bf16.
func.func @hgrn_gated(
    %i: tensor<?x?x512xf32> {mixer.name = "i"},
    %f: tensor<?x?x512xf32> {mixer.name = "f"},
    %g: tensor<?x?x512xf32> {mixer.name = "g"})
    -> (tensor<?x?x512xbf16> {mixer.name = "o"}) {
  %o, %hT = mixer.recurrence(%i, %f, %g) {
  ^bb0(%h: tensor<512xf32>, %it: tensor<512xf32>, %ft: tensor<512xf32>,
       %gt: tensor<512xf32>):
    %one = arith.constant dense<1.0> : tensor<512xf32>
    %keep = arith.mulf %ft, %h : tensor<512xf32>
    %rest = arith.subf %one, %ft : tensor<512xf32>
    %new = arith.mulf %rest, %it : tensor<512xf32>
    %hn = arith.addf %keep, %new : tensor<512xf32>
    // σ(g) = 1 / (1 + exp(−g))
    %ng = arith.negf %gt : tensor<512xf32>
    %e = math.exp %ng : tensor<512xf32>
    %d = arith.addf %one, %e : tensor<512xf32>
    %gate = arith.divf %one, %d : tensor<512xf32>
    %ot = arith.mulf %hn, %gate : tensor<512xf32>
    mixer.yield %hn, %ot : tensor<512xf32>, tensor<512xf32>
  } : (tensor<?x?x512xf32>, tensor<?x?x512xf32>, tensor<?x?x512xf32>)
    -> (tensor<?x?x512xbf16>, tensor<?x512xf32>)
  return %o : tensor<?x?x512xbf16>
}
