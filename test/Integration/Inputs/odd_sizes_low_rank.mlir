// A diagonal-plus-low-rank transition with every operand of
// mixer.semiseparable, at sizes that are not multiples of any tile or vector
// width: H = 3, K = 5, V = 7, per-channel gate, low_rank(a, b), beta,
// initial and final state, scale 0.3.
func.func @odd_sizes_low_rank(
    %q: tensor<?x?x3x5xf32> {mixer.name = "q"},
    %k: tensor<?x?x3x5xf32> {mixer.name = "k"},
    %v: tensor<?x?x3x7xf32> {mixer.name = "v"},
    %g: tensor<?x?x3x5xf32> {mixer.name = "g"},
    %beta: tensor<?x?x3xf32> {mixer.name = "beta"},
    %a: tensor<?x?x3x5xf32> {mixer.name = "a"},
    %b: tensor<?x?x3x5xf32> {mixer.name = "b"},
    %h0: tensor<?x3x5x7xf32> {mixer.name = "h0"})
    -> (tensor<?x?x3x7xf32> {mixer.name = "o"},
        tensor<?x3x5x7xf32> {mixer.name = "hT"}) {
  %o, %hT = mixer.semiseparable %q, %k, %v gate(%g) beta(%beta)
      low_rank(%a, %b) initial_state(%h0) {scale = 0.3 : f64}
      : (tensor<?x?x3x5xf32>, tensor<?x?x3x5xf32>, tensor<?x?x3x7xf32>,
         tensor<?x?x3x5xf32>, tensor<?x?x3xf32>, tensor<?x?x3x5xf32>,
         tensor<?x?x3x5xf32>, tensor<?x3x5x7xf32>)
      -> (tensor<?x?x3x7xf32>, tensor<?x3x5x7xf32>)
  return %o, %hT : tensor<?x?x3x7xf32>, tensor<?x3x5x7xf32>
}
