// Gated linear attention (Yang et al., 2024) written as its recurrence, per
// head h, key channel i and value channel j:
//   S_t[h, i, j] = exp(g_t[h, i])·S_{t−1}[h, i, j] + k_t[h, i]·v_t[h, j]
//   o_t[h, j]    = Σ_i S_t[h, i, j]·q_t[h, i]·K^−1/2
// the same mixer as examples/gla.mlir. mixer-raise-recurrences proves the
// state's update a per-key decay plus an outer product and its read-out a
// contraction over the key, and replaces it by mixer.semiseparable (its
// remark says so): it has that op's forms, scan, chunked and quadratic.
// g ≤ 0 is the log decay. H = 4, K = V = 64; B and T are dynamic.
func.func @gla_recurrence(
    %q: tensor<?x?x4x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x4x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x4x64xf32> {mixer.name = "v"},
    %g: tensor<?x?x4x64xf32> {mixer.name = "g"})
    -> (tensor<?x?x4x64xf32> {mixer.name = "o"}) {
  %o, %ST = mixer.recurrence(%q, %k, %v, %g) {
  ^bb0(%S: tensor<4x64x64xf32>, %qt: tensor<4x64xf32>, %kt: tensor<4x64xf32>,
       %vt: tensor<4x64xf32>, %gt: tensor<4x64xf32>):
    %e = tensor.empty() : tensor<4x64x64xf32>
    // exp(g[h, i]), the same for every j
    %decay = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%gt : tensor<4x64xf32>) outs(%e : tensor<4x64x64xf32>) {
    ^bb0(%gg: f32, %out: f32):
      %a = math.exp %gg : f32
      linalg.yield %a : f32
    } -> tensor<4x64x64xf32>
    // k[h, i]·v[h, j]
    %kv = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%kt, %vt : tensor<4x64xf32>, tensor<4x64xf32>)
        outs(%e : tensor<4x64x64xf32>) {
    ^bb0(%kk: f32, %vv: f32, %out: f32):
      %p = arith.mulf %kk, %vv : f32
      linalg.yield %p : f32
    } -> tensor<4x64x64xf32>
    %decayed = arith.mulf %decay, %S : tensor<4x64x64xf32>
    %Sn = arith.addf %decayed, %kv : tensor<4x64x64xf32>
    // o[h, j] = Σ_i S[h, i, j]·q[h, i]·K^−1/2
    %zero = arith.constant 0.0 : f32
    %eo = tensor.empty() : tensor<4x64xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<4x64xf32>)
        -> tensor<4x64xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>,
                         affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%Sn, %qt : tensor<4x64x64xf32>, tensor<4x64xf32>)
        outs(%acc : tensor<4x64xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %scale = arith.constant 0.125 : f32
      %sq = arith.mulf %s, %qq : f32
      %p = arith.mulf %sq, %scale : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<4x64xf32>
    mixer.yield %Sn, %ot : tensor<4x64x64xf32>, tensor<4x64xf32>
  } : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>,
       tensor<?x?x4x64xf32>)
    -> (tensor<?x?x4x64xf32>, tensor<?x4x64x64xf32>)
  return %o : tensor<?x?x4x64xf32>
}
