// Causal grouped-query softmax attention: 8 query heads share 2 key/value
// heads (query head h reads kv head h / 4),
//   o_t = Σ_{s ≤ t} softmax_s(q_t · k_s / 8) v_s.
// K = V = 64, scale 64^-1/2; B and T are dynamic. Causal is a mask like any
// other: key s is visible to query t iff s ≤ t.
func.func @attention_gqa(
    %q: tensor<?x?x8x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x2x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x2x64xf32> {mixer.name = "v"})
    -> (tensor<?x?x8x64xf32> {mixer.name = "o"}) {
  %o = mixer.attention %q, %k, %v
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %causal = arith.cmpi ule, %s, %t : index
        mixer.yield %causal : i1
      }
      : (tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>)
      -> tensor<?x?x8x64xf32>
  return %o : tensor<?x?x8x64xf32>
}
