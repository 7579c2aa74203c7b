// Aaren (Feng et al., 2024, "Attention as an RNN"): softmax attention of one
// learned query per head over every step so far,
//   o_t = Σ_{s≤t} softmax_s(qh_h · k_s / 8) v_s,
// written as the paper's RNN: a running maximum m of the scores, and the
// softmax's denominator c and numerator a kept relative to it:
//   s_t = qh · k_t / 8,   m_t = max(m_{t−1}, s_t),
//   c_t = c_{t−1} exp(m_{t−1} − m_t) + exp(s_t − m_t),
//   a_t = a_{t−1} exp(m_{t−1} − m_t) + v_t exp(s_t − m_t),   o_t = a_t / c_t,
// from m_0 = −∞, c_0 = 0, a_0 = 0. H = 4 heads of 64; B and T are dynamic.
#score = affine_map<(h, j) -> (h, j)>
#head = affine_map<(h, j) -> (h)>
func.func @aaren(
    %qh: tensor<4x64xf32> {mixer.name = "qh"},
    %k: tensor<?x?x4x64xf32> {mixer.name = "k"},
    %v: tensor<?x?x4x64xf32> {mixer.name = "v"})
    -> (tensor<?x?x4x64xf32> {mixer.name = "o"}) {
  %c0 = arith.constant 0 : index
  %B = tensor.dim %k, %c0 : tensor<?x?x4x64xf32>
  %minf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e4 = tensor.empty(%B) : tensor<?x4xf32>
  %m0 = linalg.fill ins(%minf : f32) outs(%e4 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %c0s = linalg.fill ins(%zero : f32) outs(%e4 : tensor<?x4xf32>) -> tensor<?x4xf32>
  %e464 = tensor.empty(%B) : tensor<?x4x64xf32>
  %a0 = linalg.fill ins(%zero : f32) outs(%e464 : tensor<?x4x64xf32>) -> tensor<?x4x64xf32>
  %o, %mT, %cT, %aT = mixer.recurrence(%k, %v) init(%m0, %c0s, %a0) {
  ^bb0(%m: tensor<4xf32>, %c: tensor<4xf32>, %a: tensor<4x64xf32>,
       %kt: tensor<4x64xf32>, %vt: tensor<4x64xf32>):
    // s = qh · k / 8, per head.
    %z = arith.constant dense<0.0> : tensor<4xf32>
    %dot = linalg.generic {indexing_maps = [#score, #score, #head],
                           iterator_types = ["parallel", "reduction"]}
        ins(%qh, %kt : tensor<4x64xf32>, tensor<4x64xf32>) outs(%z : tensor<4xf32>) {
    ^bb0(%x: f32, %y: f32, %acc: f32):
      %p = arith.mulf %x, %y : f32
      %r = arith.addf %acc, %p : f32
      linalg.yield %r : f32
    } -> tensor<4xf32>
    %eighth = arith.constant dense<0.125> : tensor<4xf32>
    %s = arith.mulf %dot, %eighth : tensor<4xf32>
    %mn = arith.maximumf %m, %s : tensor<4xf32>
    // exp(m_{t−1} − m_t) rescales the sums; exp(s_t − m_t) weighs step t.
    %dm = arith.subf %m, %mn : tensor<4xf32>
    %keep = math.exp %dm : tensor<4xf32>
    %ds = arith.subf %s, %mn : tensor<4xf32>
    %w = math.exp %ds : tensor<4xf32>
    %ck = arith.mulf %c, %keep : tensor<4xf32>
    %cn = arith.addf %ck, %w : tensor<4xf32>
    %e = tensor.empty() : tensor<4x64xf32>
    %keepb = linalg.broadcast ins(%keep : tensor<4xf32>) outs(%e : tensor<4x64xf32>) dimensions = [1]
    %wb = linalg.broadcast ins(%w : tensor<4xf32>) outs(%e : tensor<4x64xf32>) dimensions = [1]
    %ak = arith.mulf %a, %keepb : tensor<4x64xf32>
    %vw = arith.mulf %vt, %wb : tensor<4x64xf32>
    %an = arith.addf %ak, %vw : tensor<4x64xf32>
    %cb = linalg.broadcast ins(%cn : tensor<4xf32>) outs(%e : tensor<4x64xf32>) dimensions = [1]
    %on = arith.divf %an, %cb : tensor<4x64xf32>
    mixer.yield %mn, %cn, %an, %on : tensor<4xf32>, tensor<4xf32>, tensor<4x64xf32>, tensor<4x64xf32>
  } : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x4xf32>,
       tensor<?x4xf32>, tensor<?x4x64xf32>)
    -> (tensor<?x?x4x64xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4x64xf32>)
  return %o : tensor<?x?x4x64xf32>
}
