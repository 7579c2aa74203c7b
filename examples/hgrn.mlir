// HGRN (Qin et al., 2023), the element-wise gated linear recurrence, written
// as one step:
//   h_t = f_t ⊙ h_{t−1} + (1 − f_t) ⊙ i_t,   o_t = h_t,   h_0 = 0,
// with forget gates 0 < f < 1 (after their sigmoid). D = 512; B and T are
// dynamic. The final state is a result too.
func.func @hgrn(
    %i: tensor<?x?x512xf32> {mixer.name = "i"},
    %f: tensor<?x?x512xf32> {mixer.name = "f"})
    -> (tensor<?x?x512xf32> {mixer.name = "o"}) {
  %o, %hT = mixer.recurrence(%i, %f) {
  ^bb0(%h: tensor<512xf32>, %it: tensor<512xf32>, %ft: tensor<512xf32>):
    %one = arith.constant dense<1.0> : tensor<512xf32>
    %keep = arith.mulf %ft, %h : tensor<512xf32>
    %rest = arith.subf %one, %ft : tensor<512xf32>
    %new = arith.mulf %rest, %it : tensor<512xf32>
    %hn = arith.addf %keep, %new : tensor<512xf32>
    mixer.yield %hn, %hn : tensor<512xf32>, tensor<512xf32>
  } : (tensor<?x?x512xf32>, tensor<?x?x512xf32>)
    -> (tensor<?x?x512xf32>, tensor<?x512xf32>)
  return %o : tensor<?x?x512xf32>
}
