// Sliding-window attention: key s is visible to query t iff t − 128 < s ≤ t,
//   o_t = Σ_{t−128 < s ≤ t} softmax_s(q_t · k_s / 8) v_s.
// H = 4, K = V = 64; B and T are dynamic.
func.func @sliding_window(
    %q: tensor<?x?x4x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x4x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x4x64xf32> {mixer.name = "v"})
    -> (tensor<?x?x4x64xf32> {mixer.name = "o"}) {
  %o = mixer.attention %q, %k, %v
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %c128 = arith.constant 128 : index
        %causal = arith.cmpi ule, %s, %t : index
        %reach = arith.addi %s, %c128 : index
        %near = arith.cmpi ugt, %reach, %t : index
        %visible = arith.andi %causal, %near : i1
        mixer.yield %visible : i1
      }
      : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>)
      -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
