// Mamba-1's selective scan (Gu and Dao, 2023, "Mamba: linear-time sequence
// modeling with selective state spaces", algorithm 2), as the paper states
// it, per channel d and state index n:
//   h_t[d, n] = exp(delta_t[d]·A[d, n])·h_{t−1}[d, n] + delta_t[d]·Bm_t[n]·x_t[d]
//   y_t[d]    = Σ_n Cm_t[n]·h_t[d, n] + D[d]·x_t[d]
// delta > 0 (after its softplus), A < 0. D = 256 channels, N = 16 states
// per channel; B and T are dynamic. The state is [256, 16], read out by a
// contraction over n: a semiseparable mixer with one head per channel and
// a value of size 1, whose operands would be stored per (d, n) and step,
// so mixer-raise-recurrences keeps it a recurrence (its remark says why)
// and it runs in the scan form, which computes them as it goes.
func.func @mamba1(
    %x: tensor<?x?x256xf32> {mixer.name = "x"},
    %delta: tensor<?x?x256xf32> {mixer.name = "delta"},
    %A: tensor<256x16xf32> {mixer.name = "A"},
    %Bm: tensor<?x?x16xf32> {mixer.name = "Bm"},
    %Cm: tensor<?x?x16xf32> {mixer.name = "Cm"},
    %D: tensor<256xf32> {mixer.name = "D"})
    -> (tensor<?x?x256xf32> {mixer.name = "y"}) {
  %y, %hT = mixer.recurrence(%x, %delta, %Bm, %Cm) {
  ^bb0(%h: tensor<256x16xf32>, %xt: tensor<256xf32>, %dt: tensor<256xf32>,
       %bt: tensor<16xf32>, %ct: tensor<16xf32>):
    %e = tensor.empty() : tensor<256x16xf32>
    // exp(delta[d]·A[d, n])
    %dA = linalg.generic {
        indexing_maps = [affine_map<(d, n) -> (d)>, affine_map<(d, n) -> (d, n)>,
                         affine_map<(d, n) -> (d, n)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%dt, %A : tensor<256xf32>, tensor<256x16xf32>)
        outs(%e : tensor<256x16xf32>) {
    ^bb0(%dd: f32, %a: f32, %o: f32):
      %p = arith.mulf %dd, %a : f32
      %q = math.exp %p : f32
      linalg.yield %q : f32
    } -> tensor<256x16xf32>
    // delta[d]·Bm[n]·x[d]
    %dBx = linalg.generic {
        indexing_maps = [affine_map<(d, n) -> (d)>, affine_map<(d, n) -> (d)>,
                         affine_map<(d, n) -> (n)>, affine_map<(d, n) -> (d, n)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%dt, %xt, %bt : tensor<256xf32>, tensor<256xf32>, tensor<16xf32>)
        outs(%e : tensor<256x16xf32>) {
    ^bb0(%dd: f32, %xx: f32, %bb: f32, %o: f32):
      %p = arith.mulf %dd, %bb : f32
      %q = arith.mulf %p, %xx : f32
      linalg.yield %q : f32
    } -> tensor<256x16xf32>
    %decayed = arith.mulf %dA, %h : tensor<256x16xf32>
    %hn = arith.addf %decayed, %dBx : tensor<256x16xf32>
    // y = Σ_n Cm[n]·h[d, n] + D[d]·x[d]
    %skip = arith.mulf %D, %xt : tensor<256xf32>
    %yt = linalg.generic {
        indexing_maps = [affine_map<(d, n) -> (d, n)>, affine_map<(d, n) -> (n)>,
                         affine_map<(d, n) -> (d)>],
        iterator_types = ["parallel", "reduction"]}
        ins(%hn, %ct : tensor<256x16xf32>, tensor<16xf32>)
        outs(%skip : tensor<256xf32>) {
    ^bb0(%hh: f32, %cc: f32, %acc: f32):
      %p = arith.mulf %hh, %cc : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<256xf32>
    mixer.yield %hn, %yt : tensor<256x16xf32>, tensor<256xf32>
  } : (tensor<?x?x256xf32>, tensor<?x?x256xf32>, tensor<?x?x16xf32>,
       tensor<?x?x16xf32>)
    -> (tensor<?x?x256xf32>, tensor<?x256x16xf32>)
  return %y : tensor<?x?x256xf32>
}
