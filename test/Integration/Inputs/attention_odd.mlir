// Attention at sizes that are multiples of no tile or vector width: K = 40,
// V = 24, Hq = 6 query heads on Hkv = 3 kv heads, Tq and Tk independent; a
// per-head bias read by the score_mod, the row log-sum-exp, and a mask under
// which every query t with t mod 5 = 3 sees no key (its output must be 0
// and its log-sum-exp −inf):
//   visible(t, s) = s ≤ t + 2 and t mod 5 ≠ 3
//   logit(t, s)   = q_t · k_s / √40 + bias[h]
func.func @attention_odd(
    %q: tensor<?x?x6x40xf32> {mixer.name = "q"},
    %k: tensor<?x?x3x40xf32> {mixer.name = "k"},
    %v: tensor<?x?x3x24xf32> {mixer.name = "v"},
    %bias: tensor<6xf32> {mixer.name = "bias"})
    -> (tensor<?x?x6x24xf32> {mixer.name = "o"},
        tensor<?x?x6xf32> {mixer.name = "lse"}) {
  %o, %lse = mixer.attention %q, %k, %v
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %c2 = arith.constant 2 : index
        %c3 = arith.constant 3 : index
        %c5 = arith.constant 5 : index
        %reach = arith.addi %t, %c2 : index
        %past = arith.cmpi ule, %s, %reach : index
        %r = arith.remui %t, %c5 : index
        %blind = arith.cmpi eq, %r, %c3 : index
        %true = arith.constant true
        %seeing = arith.xori %blind, %true : i1
        %m = arith.andi %past, %seeing : i1
        mixer.yield %m : i1
      }
      score_mod {
      ^bb0(%score: f32, %b: index, %h: index, %t: index, %s: index):
        %x = tensor.extract %bias[%h] : tensor<6xf32>
        %logit = arith.addf %score, %x : f32
        mixer.yield %logit : f32
      }
      : (tensor<?x?x6x40xf32>, tensor<?x?x3x40xf32>, tensor<?x?x3x24xf32>)
      -> (tensor<?x?x6x24xf32>, tensor<?x?x6xf32>)
  return %o, %lse : tensor<?x?x6x24xf32>, tensor<?x?x6xf32>
}
