// A GRU cell as PyTorch's nn.GRU computes it (Cho et al., 2014), as one step
// from an initial state. xg holds the input projections of the gates r, z,
// n (128 each, in that order, input bias included); U [384, 128] and bh
// [384] are the recurrent weight and bias:
//   [ur uz un] = U h_{t−1} + bh
//   r = σ(xr + ur),  z = σ(xz + uz),  n = tanh(xn + r ⊙ un)
//   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.
// Hidden size 128; B and T are dynamic.
func.func @gru(
    %xg: tensor<?x?x384xf32> {mixer.name = "xg"},
    %U: tensor<384x128xf32> {mixer.name = "U"},
    %bh: tensor<384xf32> {mixer.name = "bh"},
    %h0: tensor<?x128xf32> {mixer.name = "h0"})
    -> (tensor<?x?x128xf32> {mixer.name = "h"}) {
  %h, %hT = mixer.recurrence(%xg) init(%h0) {
  ^bb0(%hp: tensor<128xf32>, %x: tensor<384xf32>):
    %one = arith.constant dense<1.0> : tensor<128xf32>
    %u = linalg.matvec ins(%U, %hp : tensor<384x128xf32>, tensor<128xf32>)
                       outs(%bh : tensor<384xf32>) -> tensor<384xf32>
    %xr = tensor.extract_slice %x[0] [128] [1] : tensor<384xf32> to tensor<128xf32>
    %xz = tensor.extract_slice %x[128] [128] [1] : tensor<384xf32> to tensor<128xf32>
    %xn = tensor.extract_slice %x[256] [128] [1] : tensor<384xf32> to tensor<128xf32>
    %ur = tensor.extract_slice %u[0] [128] [1] : tensor<384xf32> to tensor<128xf32>
    %uz = tensor.extract_slice %u[128] [128] [1] : tensor<384xf32> to tensor<128xf32>
    %un = tensor.extract_slice %u[256] [128] [1] : tensor<384xf32> to tensor<128xf32>
    // σ(v) = 1 / (1 + exp(−v))
    %ar = arith.addf %xr, %ur : tensor<128xf32>
    %nr = arith.negf %ar : tensor<128xf32>
    %er = math.exp %nr : tensor<128xf32>
    %dr = arith.addf %one, %er : tensor<128xf32>
    %r = arith.divf %one, %dr : tensor<128xf32>
    %az = arith.addf %xz, %uz : tensor<128xf32>
    %nz = arith.negf %az : tensor<128xf32>
    %ez = math.exp %nz : tensor<128xf32>
    %dz = arith.addf %one, %ez : tensor<128xf32>
    %z = arith.divf %one, %dz : tensor<128xf32>
    %run = arith.mulf %r, %un : tensor<128xf32>
    %an = arith.addf %xn, %run : tensor<128xf32>
    %n = math.tanh %an : tensor<128xf32>
    %keep = arith.subf %one, %z : tensor<128xf32>
    %new = arith.mulf %keep, %n : tensor<128xf32>
    %old = arith.mulf %z, %hp : tensor<128xf32>
    %hn = arith.addf %new, %old : tensor<128xf32>
    mixer.yield %hn, %hn : tensor<128xf32>, tensor<128xf32>
  } : (tensor<?x?x384xf32>, tensor<?x128xf32>)
    -> (tensor<?x?x128xf32>, tensor<?x128xf32>)
  return %h : tensor<?x?x128xf32>
}
