// Causal attention with ALiBi and soft-capped scores:
//   s_ts = 30·tanh(q_t · k_s / (8·30)) − m_h·(t − s),  m_h = 2^(−8(h+1)/H),
//   o_t  = Σ_{s ≤ t} softmax_s(s_ts) v_s.
// The score_mod receives q_t · k_s / 8 (the default scale, K^-1/2) and
// yields the logit. H = 4, K = V = 64; B and T are dynamic.
func.func @alibi_softcap(
    %q: tensor<?x?x4x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x4x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x4x64xf32> {mixer.name = "v"})
    -> (tensor<?x?x4x64xf32> {mixer.name = "o"}) {
  %o = mixer.attention %q, %k, %v
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %causal = arith.cmpi ule, %s, %t : index
        mixer.yield %causal : i1
      }
      score_mod {
      ^bb0(%score: f32, %b: index, %h: index, %t: index, %s: index):
        // 30·tanh(score / 30)
        %cap = arith.constant 30.0 : f32
        %x = arith.divf %score, %cap : f32
        %th = math.tanh %x : f32
        %capped = arith.mulf %cap, %th : f32
        // m_h = 2^(−8(h+1)/H) with H = 4
        %c1 = arith.constant 1 : index
        %h1 = arith.addi %h, %c1 : index
        %h1i = arith.index_cast %h1 : index to i64
        %h1f = arith.sitofp %h1i : i64 to f32
        %minus2 = arith.constant -2.0 : f32
        %e = arith.mulf %minus2, %h1f : f32
        %slope = math.exp2 %e : f32
        // − m_h·(t − s)
        %d = arith.subi %t, %s : index
        %di = arith.index_cast %d : index to i64
        %df = arith.sitofp %di : i64 to f32
        %bias = arith.mulf %slope, %df : f32
        %logit = arith.subf %capped, %bias : f32
        mixer.yield %logit : f32
      }
      : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>)
      -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
