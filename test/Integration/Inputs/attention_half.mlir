// Attention on 16-bit tensors, each of its own type (q bf16, k f16, v bf16,
// the output f16; the log-sum-exp f32), 4 query heads on 2 kv heads, K = V =
// 32, Tq and Tk independent. Nothing is masked: the score_mod yields −inf
// for keys after the query (s > t) and for every key of the queries with
// t mod 4 = 1, whose rows must then give 0 and a log-sum-exp of −inf.
func.func @attention_half(
    %q: tensor<?x?x4x32xbf16> {mixer.name = "q"},
    %k: tensor<?x?x2x32xf16> {mixer.name = "k"},
    %v: tensor<?x?x2x32xbf16> {mixer.name = "v"})
    -> (tensor<?x?x4x32xf16> {mixer.name = "o"},
        tensor<?x?x4xf32> {mixer.name = "lse"}) {
  %o, %lse = mixer.attention %q, %k, %v
      score_mod {
      ^bb0(%score: f32, %b: index, %h: index, %t: index, %s: index):
        %c1 = arith.constant 1 : index
        %c4 = arith.constant 4 : index
        %ninf = arith.constant 0xFF800000 : f32
        %future = arith.cmpi ugt, %s, %t : index
        %r = arith.remui %t, %c4 : index
        %blind = arith.cmpi eq, %r, %c1 : index
        %hidden = arith.ori %future, %blind : i1
        %logit = arith.select %hidden, %ninf, %score : f32
        mixer.yield %logit : f32
      }
      : (tensor<?x?x4x32xbf16>, tensor<?x?x2x32xf16>, tensor<?x?x2x32xbf16>)
      -> (tensor<?x?x4x32xf16>, tensor<?x?x4xf32>)
  return %o, %lse : tensor<?x?x4x32xf16>, tensor<?x?x4xf32>
}
