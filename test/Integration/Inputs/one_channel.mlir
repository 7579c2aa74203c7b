// The smallest shapes: one head, K = 1, V = 2, a per-token gate, the
// default scale (1/sqrt(K) = 1).
func.func @one_channel(
    %q: tensor<?x?x1x1xf32> {mixer.name = "q"},
    %k: tensor<?x?x1x1xf32> {mixer.name = "k"},
    %v: tensor<?x?x1x2xf32> {mixer.name = "v"},
    %g: tensor<?x?x1xf32> {mixer.name = "g"})
    -> (tensor<?x?x1x2xf32> {mixer.name = "o"}) {
  %o = mixer.semiseparable %q, %k, %v gate(%g)
      : (tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>, tensor<?x?x1x2xf32>,
         tensor<?x?x1xf32>) -> tensor<?x?x1x2xf32>
  return %o : tensor<?x?x1x2xf32>
}
