// IndRNN (Li et al., 2018, "Independently recurrent neural network"), whose
// neurons are independent of one another within a layer: per channel d,
//   h_t[d] = relu(xw_t[d] + u[d]·h_{t−1}[d]),   o_t = h_t,   h_0 = 0,
// where xw holds the input projection W·x_t + b, computed beforehand (one
// matmul over all steps), and u the recurrent weights. The ReLU of the state
// keeps it a recurrence (not linear in its state), but no op of the step
// combines two channels, so the scan runs tiles of 2048 channels as separate
// work items. D = 4096; B and T are dynamic.
func.func @indrnn(
    %xw: tensor<?x?x4096xf32> {mixer.name = "xw"},
    %u: tensor<4096xf32> {mixer.name = "u"})
    -> (tensor<?x?x4096xf32> {mixer.name = "h"}) {
  %o, %hT = mixer.recurrence(%xw) {
  ^bb0(%h: tensor<4096xf32>, %xt: tensor<4096xf32>):
    %zero = arith.constant dense<0.0> : tensor<4096xf32>
    %uh = arith.mulf %u, %h : tensor<4096xf32>
    %pre = arith.addf %xt, %uh : tensor<4096xf32>
    %hn = arith.maximumf %pre, %zero : tensor<4096xf32>
    mixer.yield %hn, %hn : tensor<4096xf32>, tensor<4096xf32>
  } : (tensor<?x?x4096xf32>) -> (tensor<?x?x4096xf32>, tensor<?x4096xf32>)
  return %o : tensor<?x?x4096xf32>
}
