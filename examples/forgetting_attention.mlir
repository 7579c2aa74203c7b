// The Forgetting Transformer's attention: causal softmax attention whose
// logits decay with the log forget gates f ≤ 0 between key and query,
//   o_t = Σ_{s ≤ t} softmax_s(q_t · k_s / 8 + Σ_{r=s+1..t} f_r) v_s.
// The forms form the sum from block-local cumulative sums, never as the
// difference of two long prefix sums (docs/math.md, section 2.4).
// H = 4, K = V = 64; B and T are dynamic; f is [B, T, H].
func.func @forgetting_attention(
    %q: tensor<?x?x4x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x4x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x4x64xf32> {mixer.name = "v"},
    %f: tensor<?x?x4xf32> {mixer.name = "f"})
    -> (tensor<?x?x4x64xf32> {mixer.name = "o"}) {
  %o = mixer.attention %q, %k, %v forget %f
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %causal = arith.cmpi ule, %s, %t : index
        mixer.yield %causal : i1
      }
      : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>,
         tensor<?x?x4xf32>)
      -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
