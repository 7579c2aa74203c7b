// An LSTM cell (Hochreiter and Schmidhuber, 1997, with a forget gate), as
// one step from initial states, returning the final states. xg holds the
// input projections of the gates i, f, g, o (128 each, in that order, bias
// included); U [512, 128] is the recurrent weight:
//   [i f g o]_t = xg_t + U h_{t−1}
//   c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g),   h_t = σ(o) ⊙ tanh(c_t).
// Hidden size 128; B and T are dynamic.
func.func @lstm(
    %xg: tensor<?x?x512xf32> {mixer.name = "xg"},
    %U: tensor<512x128xf32> {mixer.name = "U"},
    %h0: tensor<?x128xf32> {mixer.name = "h0"},
    %c0: tensor<?x128xf32> {mixer.name = "c0"})
    -> (tensor<?x?x128xf32> {mixer.name = "h"},
        tensor<?x128xf32> {mixer.name = "hT"},
        tensor<?x128xf32> {mixer.name = "cT"}) {
  %h, %hT, %cT = mixer.recurrence(%xg) init(%h0, %c0) {
  ^bb0(%hp: tensor<128xf32>, %cp: tensor<128xf32>, %x: tensor<512xf32>):
    %one = arith.constant dense<1.0> : tensor<128xf32>
    %uh = linalg.matvec ins(%U, %hp : tensor<512x128xf32>, tensor<128xf32>)
                        outs(%x : tensor<512xf32>) -> tensor<512xf32>
    %i = tensor.extract_slice %uh[0] [128] [1] : tensor<512xf32> to tensor<128xf32>
    %f = tensor.extract_slice %uh[128] [128] [1] : tensor<512xf32> to tensor<128xf32>
    %g = tensor.extract_slice %uh[256] [128] [1] : tensor<512xf32> to tensor<128xf32>
    %o = tensor.extract_slice %uh[384] [128] [1] : tensor<512xf32> to tensor<128xf32>
    // σ(x) = 1 / (1 + exp(−x))
    %ni = arith.negf %i : tensor<128xf32>
    %ei = math.exp %ni : tensor<128xf32>
    %di = arith.addf %one, %ei : tensor<128xf32>
    %si = arith.divf %one, %di : tensor<128xf32>
    %nf = arith.negf %f : tensor<128xf32>
    %ef = math.exp %nf : tensor<128xf32>
    %df = arith.addf %one, %ef : tensor<128xf32>
    %sf = arith.divf %one, %df : tensor<128xf32>
    %no = arith.negf %o : tensor<128xf32>
    %eo = math.exp %no : tensor<128xf32>
    %do = arith.addf %one, %eo : tensor<128xf32>
    %so = arith.divf %one, %do : tensor<128xf32>
    %tg = math.tanh %g : tensor<128xf32>
    %keep = arith.mulf %sf, %cp : tensor<128xf32>
    %write = arith.mulf %si, %tg : tensor<128xf32>
    %c = arith.addf %keep, %write : tensor<128xf32>
    %tc = math.tanh %c : tensor<128xf32>
    %hn = arith.mulf %so, %tc : tensor<128xf32>
    mixer.yield %hn, %c, %hn : tensor<128xf32>, tensor<128xf32>, tensor<128xf32>
  } : (tensor<?x?x512xf32>, tensor<?x128xf32>, tensor<?x128xf32>)
    -> (tensor<?x?x128xf32>, tensor<?x128xf32>, tensor<?x128xf32>)
  return %h, %hT, %cT : tensor<?x?x128xf32>, tensor<?x128xf32>, tensor<?x128xf32>
}
