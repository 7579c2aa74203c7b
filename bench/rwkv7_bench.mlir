// RWKV-7 "Goose" (Peng et al., 2025) at the benchmark shape,
// examples/rwkv7.mlir with H = 8 heads of K = V = 64 (RWKV-7's head size):
//   S_t = (diag(exp(w_t)) − (a_t ⊙ kk_t) kk_tᵀ) S_{t-1} + k_t v_tᵀ,
//   o_t = S_tᵀ r_t                                     (no scale)
// w ≤ 0 is the log decay, kk L2-normalised, 0 < a < 1 (preconditions, not
// checked). B and T are dynamic.
#id = affine_map<(b, t, h, i) -> (b, t, h, i)>
func.func @rwkv7(
    %r: tensor<?x?x8x64xf32> {mixer.name = "r"},
    %w: tensor<?x?x8x64xf32> {mixer.name = "w"},
    %k: tensor<?x?x8x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x8x64xf32> {mixer.name = "v"},
    %kk: tensor<?x?x8x64xf32> {mixer.name = "kk"},
    %a: tensor<?x?x8x64xf32> {mixer.name = "a"})
    -> (tensor<?x?x8x64xf32> {mixer.name = "o"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %r, %c0 : tensor<?x?x8x64xf32>
  %t = tensor.dim %r, %c1 : tensor<?x?x8x64xf32>

  // The rank-one part's left vector: −(a ⊙ kk).
  %na_init = tensor.empty(%b, %t) : tensor<?x?x8x64xf32>
  %na = linalg.generic {indexing_maps = [#id, #id, #id],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a, %kk : tensor<?x?x8x64xf32>, tensor<?x?x8x64xf32>)
      outs(%na_init : tensor<?x?x8x64xf32>) {
  ^bb0(%ai: f32, %kki: f32, %out: f32):
    %p = arith.mulf %ai, %kki : f32
    %n = arith.negf %p : f32
    linalg.yield %n : f32
  } -> tensor<?x?x8x64xf32>

  %o = mixer.semiseparable %r, %k, %v gate(%w) low_rank(%na, %kk)
      {scale = 1.0 : f64}
      : (tensor<?x?x8x64xf32>, tensor<?x?x8x64xf32>, tensor<?x?x8x64xf32>,
         tensor<?x?x8x64xf32>, tensor<?x?x8x64xf32>, tensor<?x?x8x64xf32>)
      -> tensor<?x?x8x64xf32>
  return %o : tensor<?x?x8x64xf32>
}
