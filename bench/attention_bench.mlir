// Softmax attention at the benchmark shape: B=1, H=8 query heads on Hkv=2
// key/value heads, K=V=128, B and T dynamic; the same masks as the examples
// (examples/*.mlir), the sliding window 1024 tokens wide, ALiBi's slopes
// 2^(−8(h+1)/8) = 2^(−(h+1)), and the scale K^-1/2.

func.func @causal(
    %q: tensor<?x?x8x128xf32> {mixer.name = "q"},
    %k: tensor<?x?x2x128xf32> {mixer.name = "k"},
    %v: tensor<?x?x2x128xf32> {mixer.name = "v"})
    -> (tensor<?x?x8x128xf32> {mixer.name = "o"}) {
  %o = mixer.attention %q, %k, %v
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %m = arith.cmpi ule, %s, %t : index
        mixer.yield %m : i1
      }
      : (tensor<?x?x8x128xf32>, tensor<?x?x2x128xf32>, tensor<?x?x2x128xf32>) -> tensor<?x?x8x128xf32>
  return %o : tensor<?x?x8x128xf32>
}

func.func @sliding_window(
    %q: tensor<?x?x8x128xf32> {mixer.name = "q"},
    %k: tensor<?x?x2x128xf32> {mixer.name = "k"},
    %v: tensor<?x?x2x128xf32> {mixer.name = "v"})
    -> (tensor<?x?x8x128xf32> {mixer.name = "o"}) {
  %o = mixer.attention %q, %k, %v
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %w = arith.constant 1024 : index
        %causal = arith.cmpi ule, %s, %t : index
        %reach = arith.addi %s, %w : index
        %near = arith.cmpi ugt, %reach, %t : index
        %m = arith.andi %causal, %near : i1
        mixer.yield %m : i1
      }
      : (tensor<?x?x8x128xf32>, tensor<?x?x2x128xf32>, tensor<?x?x2x128xf32>) -> tensor<?x?x8x128xf32>
  return %o : tensor<?x?x8x128xf32>
}

func.func @alibi_softcap(
    %q: tensor<?x?x8x128xf32> {mixer.name = "q"},
    %k: tensor<?x?x2x128xf32> {mixer.name = "k"},
    %v: tensor<?x?x2x128xf32> {mixer.name = "v"})
    -> (tensor<?x?x8x128xf32> {mixer.name = "o"}) {
  %o = mixer.attention %q, %k, %v
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %m = arith.cmpi ule, %s, %t : index
        mixer.yield %m : i1
      }
      score_mod {
      ^bb0(%score: f32, %b: index, %h: index, %t: index, %s: index):
        %cap = arith.constant 30.0 : f32
        %x = arith.divf %score, %cap : f32
        %th = math.tanh %x : f32
        %capped = arith.mulf %cap, %th : f32
        %c1 = arith.constant 1 : index
        %h1 = arith.addi %h, %c1 : index
        %h1i = arith.index_cast %h1 : index to i64
        %h1f = arith.sitofp %h1i : i64 to f32
        %e = arith.negf %h1f : f32
        %slope = math.exp2 %e : f32
        %d = arith.subi %t, %s : index
        %di = arith.index_cast %d : index to i64
        %df = arith.sitofp %di : i64 to f32
        %bias = arith.mulf %slope, %df : f32
        %logit = arith.subf %capped, %bias : f32
        mixer.yield %logit : f32
      }
      : (tensor<?x?x8x128xf32>, tensor<?x?x2x128xf32>, tensor<?x?x2x128xf32>) -> tensor<?x?x8x128xf32>
  return %o : tensor<?x?x8x128xf32>
}

func.func @document(
    %q: tensor<?x?x8x128xf32> {mixer.name = "q"},
    %k: tensor<?x?x2x128xf32> {mixer.name = "k"},
    %v: tensor<?x?x2x128xf32> {mixer.name = "v"},
    %doc: tensor<?x?xi32> {mixer.name = "doc"})
    -> (tensor<?x?x8x128xf32> {mixer.name = "o"}) {
  %o = mixer.attention %q, %k, %v
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %causal = arith.cmpi ule, %s, %t : index
        %dt = tensor.extract %doc[%b, %t] : tensor<?x?xi32>
        %ds = tensor.extract %doc[%b, %s] : tensor<?x?xi32>
        %same = arith.cmpi eq, %dt, %ds : i32
        %m = arith.andi %causal, %same : i1
        mixer.yield %m : i1
      }
      : (tensor<?x?x8x128xf32>, tensor<?x?x2x128xf32>, tensor<?x?x2x128xf32>) -> tensor<?x?x8x128xf32>
  return %o : tensor<?x?x8x128xf32>
}

// Decoding: Tq new queries against Tk cached keys, key s visible to query t
// iff s ≤ Tk − Tq + t (the benchmark runs Tq = 1, where auto picks the
// decode form).
func.func @decode(
    %q: tensor<?x?x8x128xf32> {mixer.name = "q"},
    %k: tensor<?x?x2x128xf32> {mixer.name = "k"},
    %v: tensor<?x?x2x128xf32> {mixer.name = "v"})
    -> (tensor<?x?x8x128xf32> {mixer.name = "o"}) {
  %c1 = arith.constant 1 : index
  %tq = tensor.dim %q, %c1 : tensor<?x?x8x128xf32>
  %tk = tensor.dim %k, %c1 : tensor<?x?x2x128xf32>
  %shift = arith.subi %tk, %tq : index
  %o = mixer.attention %q, %k, %v
      mask_mod {
      ^bb0(%b: index, %h: index, %t: index, %s: index):
        %last = arith.addi %t, %shift : index
        %m = arith.cmpi sle, %s, %last : index
        mixer.yield %m : i1
      }
      : (tensor<?x?x8x128xf32>, tensor<?x?x2x128xf32>, tensor<?x?x2x128xf32>) -> tensor<?x?x8x128xf32>
  return %o : tensor<?x?x8x128xf32>
}
