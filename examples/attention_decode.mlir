// Decoding: a few new queries against a long key/value cache. Query t (the
// (Tk − Tq + t)-th token) sees key s iff s ≤ Tk − Tq + t (Tq ≤ Tk),
//   o_t = Σ_{s ≤ Tk−Tq+t} softmax_s(q_t · k_s / √128) v_s,
// with 8 query heads on 2 key/value heads (head h reads kv head h / 4).
// B, Tq and Tk are dynamic.
func.func @attention_decode(
    %q: tensor<?x?x8x128xf32> {mixer.name = "q"},
    %k: tensor<?x?x2x128xf32> {mixer.name = "k"},
    %v: tensor<?x?x2x128xf32> {mixer.name = "v"})
    -> (tensor<?x?x8x128xf32> {mixer.name = "o"}) {
  %c1 = arith.constant 1 : index
  %tq = tensor.dim %q, %c1 : tensor<?x?x8x128xf32>
  %tk = tensor.dim %k, %c1 : tensor<?x?x2x128xf32>
  %past = arith.subi %tk, %tq : index
  %o = mixer.attention %q, %k, %v
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %last = arith.addi %t, %past : index
        %visible = arith.cmpi sle, %s, %last : index
        mixer.yield %visible : i1
      }
      : (tensor<?x?x8x128xf32>, tensor<?x?x2x128xf32>, tensor<?x?x2x128xf32>)
      -> tensor<?x?x8x128xf32>
  return %o : tensor<?x?x8x128xf32>
}
