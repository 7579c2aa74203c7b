// Gated DeltaNet (Yang et al., 2025) written as its recurrence, per head h,
// key channel i and value channel j, from an initial state:
//   S̃[h, i, j] = exp(g_t[h])·S_{t−1}[h, i, j]          (the decayed state)
//   c[h, j]    = Σ_i S̃[h, i, j]·k_t[h, i]              (its prediction of v)
//   u[h, j]    = β_t[h]·(v_t[h, j] − c[h, j])           (the error, weighted)
//   S_t        = S̃ + k_t[h, i]·u[h, j]
//   o_t[h, j]  = Σ_i S_t[h, i, j]·q_t[h, i]·K^−1/2
// the same mixer as examples/gated_deltanet.mlir. mixer-raise-recurrences
// takes c as a symbol, proves the update affine in the state and in c and
// the correction written along c's own key with the decay c reads, and
// replaces it by mixer.semiseparable {delta_rule} (its remark says so): it
// has that op's forms, scan, chunked and quadratic. g ≤ 0 is the log decay;
// k_t L2-normalised and 0 < β_t < 1 (preconditions, not checked). H = 4,
// K = 64, V = 128; B and T are dynamic. The C ABI is declared on
// mixer.recurrence, whose final state hT has a buffer of its own.
func.func @gated_deltanet_recurrence(
    %q: tensor<?x?x4x64xf32> {mixer.name = "q"},
    %k: tensor<?x?x4x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x4x128xf32> {mixer.name = "v"},
    %g: tensor<?x?x4xf32> {mixer.name = "g"},
    %beta: tensor<?x?x4xf32> {mixer.name = "beta"},
    %h0: tensor<?x4x64x128xf32> {mixer.name = "h0"})
    -> (tensor<?x?x4x128xf32> {mixer.name = "o"},
        tensor<?x4x64x128xf32> {mixer.name = "hT"}) {
  %o, %hT = mixer.recurrence(%q, %k, %v, %g, %beta) init(%h0) {
  ^bb0(%S: tensor<4x64x128xf32>, %qt: tensor<4x64xf32>, %kt: tensor<4x64xf32>,
       %vt: tensor<4x128xf32>, %gt: tensor<4xf32>, %bt: tensor<4xf32>):
    %e = tensor.empty() : tensor<4x64x128xf32>
    %ev = tensor.empty() : tensor<4x128xf32>
    // exp(g[h]), the same for every (i, j)
    %decay = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%gt : tensor<4xf32>) outs(%e : tensor<4x64x128xf32>) {
    ^bb0(%gg: f32, %out: f32):
      %a = math.exp %gg : f32
      linalg.yield %a : f32
    } -> tensor<4x64x128xf32>
    %decayed = arith.mulf %decay, %S : tensor<4x64x128xf32>
    // c[h, j] = Σ_i S̃[h, i, j]·k[h, i]
    %zero = arith.constant 0.0 : f32
    %c0 = linalg.fill ins(%zero : f32) outs(%ev : tensor<4x128xf32>)
        -> tensor<4x128xf32>
    %c = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>,
                         affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%decayed, %kt : tensor<4x64x128xf32>, tensor<4x64xf32>)
        outs(%c0 : tensor<4x128xf32>) {
    ^bb0(%s: f32, %kk: f32, %acc: f32):
      %p = arith.mulf %s, %kk : f32
      %r = arith.addf %acc, %p : f32
      linalg.yield %r : f32
    } -> tensor<4x128xf32>
    // u[h, j] = β[h]·(v[h, j] − c[h, j])
    %u = linalg.generic {
        indexing_maps = [affine_map<(h, j) -> (h, j)>,
                         affine_map<(h, j) -> (h, j)>,
                         affine_map<(h, j) -> (h)>,
                         affine_map<(h, j) -> (h, j)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%vt, %c, %bt : tensor<4x128xf32>, tensor<4x128xf32>, tensor<4xf32>)
        outs(%ev : tensor<4x128xf32>) {
    ^bb0(%vv: f32, %cc: f32, %bb: f32, %out: f32):
      %err = arith.subf %vv, %cc : f32
      %w = arith.mulf %bb, %err : f32
      linalg.yield %w : f32
    } -> tensor<4x128xf32>
    // k[h, i]·u[h, j]
    %ku = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>,
                         affine_map<(h, i, j) -> (h, i, j)>],
        iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%kt, %u : tensor<4x64xf32>, tensor<4x128xf32>)
        outs(%e : tensor<4x64x128xf32>) {
    ^bb0(%kk: f32, %uu: f32, %out: f32):
      %p = arith.mulf %kk, %uu : f32
      linalg.yield %p : f32
    } -> tensor<4x64x128xf32>
    %Sn = arith.addf %decayed, %ku : tensor<4x64x128xf32>
    // o[h, j] = Σ_i S[h, i, j]·q[h, i]·K^−1/2
    %eo = tensor.empty() : tensor<4x128xf32>
    %acc = linalg.fill ins(%zero : f32) outs(%eo : tensor<4x128xf32>)
        -> tensor<4x128xf32>
    %ot = linalg.generic {
        indexing_maps = [affine_map<(h, i, j) -> (h, i, j)>,
                         affine_map<(h, i, j) -> (h, i)>,
                         affine_map<(h, i, j) -> (h, j)>],
        iterator_types = ["parallel", "reduction", "parallel"]}
        ins(%Sn, %qt : tensor<4x64x128xf32>, tensor<4x64xf32>)
        outs(%acc : tensor<4x128xf32>) {
    ^bb0(%s: f32, %qq: f32, %a: f32):
      %scale = arith.constant 0.125 : f32
      %sq = arith.mulf %s, %qq : f32
      %p = arith.mulf %sq, %scale : f32
      %r = arith.addf %a, %p : f32
      linalg.yield %r : f32
    } -> tensor<4x128xf32>
    mixer.yield %Sn, %ot : tensor<4x64x128xf32>, tensor<4x128xf32>
  } : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x128xf32>,
       tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x4x64x128xf32>)
    -> (tensor<?x?x4x128xf32>, tensor<?x4x64x128xf32>)
  return %o, %hT : tensor<?x?x4x128xf32>, tensor<?x4x64x128xf32>
}
