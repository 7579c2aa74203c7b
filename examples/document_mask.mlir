// Causal attention over packed documents: key s is visible to query t iff
// s ≤ t and doc[b, s] = doc[b, t],
//   o_t = Σ_{s ≤ t, doc_s = doc_t} softmax_s(q_t · k_s / 8) v_s.
// doc holds one i32 document id per token. The mask reads it, so its blocks
// are classified at run time from each block's least and greatest id.
// H = 4, K = V = 64; B and T are dynamic.
func.func @document_mask(
    %q: tensor<?x?x4x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x4x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x4x64xf32> {mixer.name = "v"},
    %doc: tensor<?x?xi32> {mixer.name = "doc"})
    -> (tensor<?x?x4x64xf32> {mixer.name = "o"}) {
  %o = mixer.attention %q, %k, %v
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %causal = arith.cmpi ule, %s, %t : index
        %dt = tensor.extract %doc[%b, %t] : tensor<?x?xi32>
        %ds = tensor.extract %doc[%b, %s] : tensor<?x?xi32>
        %same = arith.cmpi eq, %dt, %ds : i32
        %visible = arith.andi %causal, %same : i1
        mixer.yield %visible : i1
      }
      : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>)
      -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
