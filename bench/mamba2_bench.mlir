// Mamba-2 / SSD (Dao & Gu, 2024) at the benchmark shape, examples/mamba2.mlir
// with H = 8 heads, head size P = 64 and N = 128 states:
//   S_t = exp(dt_t·A_h)·S_{t-1} + dt_t·Bs_t x_tᵀ      (S is N×P)
//   y_t = S_tᵀ Cs_t + D_h·x_t
// Preconditions (not checked): dt > 0, A < 0. B and T are dynamic.
#tok = affine_map<(b, t, h) -> (b, t, h)>
#head3 = affine_map<(b, t, h) -> (h)>
#x = affine_map<(b, t, h, p) -> (b, t, h, p)>
#head4 = affine_map<(b, t, h, p) -> (h)>
func.func @mamba2(
    %x: tensor<?x?x8x64xf32> {mixer.name = "x"},
    %dt: tensor<?x?x8xf32> {mixer.name = "dt"},
    %A: tensor<8xf32> {mixer.name = "A"},
    %Bs: tensor<?x?x8x128xf32> {mixer.name = "Bs"},
    %Cs: tensor<?x?x8x128xf32> {mixer.name = "Cs"},
    %D: tensor<8xf32> {mixer.name = "D"})
    -> (tensor<?x?x8x64xf32> {mixer.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x8x64xf32>
  %t = tensor.dim %x, %c1 : tensor<?x?x8x64xf32>

  // g = dt · A_h, the log decay of each token.
  %g_init = tensor.empty(%b, %t) : tensor<?x?x8xf32>
  %g = linalg.generic {indexing_maps = [#tok, #head3, #tok],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%dt, %A : tensor<?x?x8xf32>, tensor<8xf32>) outs(%g_init : tensor<?x?x8xf32>) {
  ^bb0(%d: f32, %a: f32, %out: f32):
    %p = arith.mulf %d, %a : f32
    linalg.yield %p : f32
  } -> tensor<?x?x8xf32>

  %o = mixer.semiseparable %Cs, %Bs, %x gate(%g) beta(%dt) {scale = 1.0 : f64}
      : (tensor<?x?x8x128xf32>, tensor<?x?x8x128xf32>, tensor<?x?x8x64xf32>,
         tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8x64xf32>

  // y = o + D_h · x
  %y_init = tensor.empty(%b, %t) : tensor<?x?x8x64xf32>
  %y = linalg.generic {indexing_maps = [#x, #x, #head4, #x],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %x, %D : tensor<?x?x8x64xf32>, tensor<?x?x8x64xf32>, tensor<8xf32>)
      outs(%y_init : tensor<?x?x8x64xf32>) {
  ^bb0(%oi: f32, %xi: f32, %d: f32, %out: f32):
    %s = arith.mulf %d, %xi : f32
    %r = arith.addf %oi, %s : f32
    linalg.yield %r : f32
  } -> tensor<?x?x8x64xf32>
  return %y : tensor<?x?x8x64xf32>
}
