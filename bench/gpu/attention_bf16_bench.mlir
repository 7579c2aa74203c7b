// Causal softmax attention at the GPU benchmark shape, in bf16 (scores,
// softmax and sums in f32): B and T dynamic, H = 8 query heads on Hkv = 2
// key/value heads (GQA), K = V = 128, scale K^-1/2.
func.func @causal(
    %q: tensor<?x?x8x128xbf16> {mixer.name = "q"},
    %k: tensor<?x?x2x128xbf16> {mixer.name = "k"},
    %v: tensor<?x?x2x128xbf16> {mixer.name = "v"})
    -> (tensor<?x?x8x128xbf16> {mixer.name = "o"}) {
  %o = mixer.attention %q, %k, %v
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %m = arith.cmpi ule, %s, %t : index
        mixer.yield %m : i1
      }
      : (tensor<?x?x8x128xbf16>, tensor<?x?x2x128xbf16>, tensor<?x?x2x128xbf16>) -> tensor<?x?x8x128xbf16>
  return %o : tensor<?x?x8x128xbf16>
}
