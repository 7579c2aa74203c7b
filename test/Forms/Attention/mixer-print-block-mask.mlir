// RUN: mixir-opt %s -split-input-file -mixer-print-block-mask="q-len=320 block=64 check=true" -o /dev/null | FileCheck %s
// RUN: mixir-opt %s -split-input-file -mixer-print-block-mask="q-len=200 kv-len=330 block=32 head=3 check=true" -o /dev/null | FileCheck %s --check-prefix=ODD

// The block classification of each mask pattern (docs/math.md, section
// 2.3): '#' full, '/' partial, '.' empty, '?' decided at run time.

!q = tensor<?x?x4x16xf32>

// CHECK-LABEL: block mask of @causal: Tq = 320, Tk = 320, blocks of 64, head 0
// CHECK-NEXT: /....
// CHECK-NEXT: #/...
// CHECK-NEXT: ##/..
// CHECK-NEXT: ###/.
// CHECK-NEXT: ####/
// CHECK-NEXT: 10 full, 5 partial, 0 at run time, 10 empty
// CHECK-NEXT: checked at 102400 pairs
// ODD-LABEL: block mask of @causal: Tq = 200, Tk = 330, blocks of 32, head 3
// ODD-NEXT: /..........
// ODD-NEXT: #/.........
// ODD-NEXT: ##/........
// ODD-NEXT: ###/.......
// ODD-NEXT: ####/......
// ODD-NEXT: #####/.....
// ODD-NEXT: ######/....
// ODD-NEXT: 21 full, 7 partial, 0 at run time, 49 empty
// ODD-NEXT: checked at 66000 pairs
func.func @causal(%q: !q, %k: !q, %v: !q) -> !q {
  %o = mixer.attention %q, %k, %v mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %m = arith.cmpi ule, %s, %t : index
    mixer.yield %m : i1
  } : (!q, !q, !q) -> !q
  return %o : !q
}

// -----

!q = tensor<?x?x4x16xf32>

// Written as 0 ≤ t − s < 100: a signed difference.
// CHECK-LABEL: block mask of @sliding_window: Tq = 320, Tk = 320, blocks of 64, head 0
// CHECK-NEXT: /....
// CHECK-NEXT: //...
// CHECK-NEXT: ///..
// CHECK-NEXT: .///.
// CHECK-NEXT: ..///
// CHECK-NEXT: 0 full, 12 partial, 0 at run time, 13 empty
// CHECK-NEXT: checked at 102400 pairs
// ODD-LABEL: block mask of @sliding_window: Tq = 200, Tk = 330, blocks of 32, head 3
// ODD-NEXT: /..........
// ODD-NEXT: #/.........
// ODD-NEXT: ##/........
// ODD-NEXT: /##/.......
// ODD-NEXT: //##/......
// ODD-NEXT: .//##/.....
// ODD-NEXT: ..//##/....
// ODD-NEXT: 11 full, 14 partial, 0 at run time, 52 empty
// ODD-NEXT: checked at 66000 pairs
func.func @sliding_window(%q: !q, %k: !q, %v: !q) -> !q {
  %o = mixer.attention %q, %k, %v mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %c0 = arith.constant 0 : index
    %c100 = arith.constant 100 : index
    %d = arith.subi %t, %s : index
    %past = arith.cmpi sge, %d, %c0 : index
    %near = arith.cmpi slt, %d, %c100 : index
    %m = arith.andi %past, %near : i1
    mixer.yield %m : i1
  } : (!q, !q, !q) -> !q
  return %o : !q
}

// -----

!q = tensor<?x?x4x16xf32>

// Prefix-LM: the first 100 tokens see each other, the rest are causal.
// CHECK-LABEL: block mask of @prefix_lm: Tq = 320, Tk = 320, blocks of 64, head 0
// CHECK-NEXT: #/...
// CHECK-NEXT: #/...
// CHECK-NEXT: ##/..
// CHECK-NEXT: ###/.
// CHECK-NEXT: ####/
// CHECK-NEXT: 11 full, 5 partial, 0 at run time, 9 empty
// CHECK-NEXT: checked at 102400 pairs
// ODD-LABEL: block mask of @prefix_lm: Tq = 200, Tk = 330, blocks of 32, head 3
// ODD-NEXT: ###/.......
// ODD-NEXT: ###/.......
// ODD-NEXT: ###/.......
// ODD-NEXT: ###/.......
// ODD-NEXT: ####/......
// ODD-NEXT: #####/.....
// ODD-NEXT: ######/....
// ODD-NEXT: 27 full, 7 partial, 0 at run time, 43 empty
// ODD-NEXT: checked at 66000 pairs
func.func @prefix_lm(%q: !q, %k: !q, %v: !q) -> !q {
  %o = mixer.attention %q, %k, %v mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %c100 = arith.constant 100 : index
    %causal = arith.cmpi ule, %s, %t : index
    %prefix = arith.cmpi ult, %s, %c100 : index
    %m = arith.ori %causal, %prefix : i1
    mixer.yield %m : i1
  } : (!q, !q, !q) -> !q
  return %o : !q
}

// -----

!q = tensor<?x?x4x16xf32>

// Chunked-local causal attention in chunks of 128 tokens.
// CHECK-LABEL: block mask of @chunked_local: Tq = 320, Tk = 320, blocks of 64, head 0
// CHECK-NEXT: /....
// CHECK-NEXT: #/...
// CHECK-NEXT: ../..
// CHECK-NEXT: ..#/.
// CHECK-NEXT: ..../
// CHECK-NEXT: 2 full, 5 partial, 0 at run time, 18 empty
// CHECK-NEXT: checked at 102400 pairs
// ODD-LABEL: block mask of @chunked_local: Tq = 200, Tk = 330, blocks of 32, head 3
// ODD-NEXT: /..........
// ODD-NEXT: #/.........
// ODD-NEXT: ##/........
// ODD-NEXT: ###/.......
// ODD-NEXT: ..../......
// ODD-NEXT: ....#/.....
// ODD-NEXT: ....##/....
// ODD-NEXT: 9 full, 7 partial, 0 at run time, 61 empty
// ODD-NEXT: checked at 66000 pairs
func.func @chunked_local(%q: !q, %k: !q, %v: !q) -> !q {
  %o = mixer.attention %q, %k, %v mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %c128 = arith.constant 128 : index
    %ct = arith.divui %t, %c128 : index
    %cs = arith.divui %s, %c128 : index
    %same = arith.cmpi eq, %ct, %cs : index
    %causal = arith.cmpi ule, %s, %t : index
    %m = arith.andi %same, %causal : i1
    mixer.yield %m : i1
  } : (!q, !q, !q) -> !q
  return %o : !q
}

// -----

!q = tensor<?x?x4x16xf32>

// Dilated: every other key of the causal past. No block is full, the
// future stays empty.
// CHECK-LABEL: block mask of @dilated: Tq = 320, Tk = 320, blocks of 64, head 0
// CHECK-NEXT: /....
// CHECK-NEXT: //...
// CHECK-NEXT: ///..
// CHECK-NEXT: ////.
// CHECK-NEXT: /////
// CHECK-NEXT: 0 full, 15 partial, 0 at run time, 10 empty
// CHECK-NEXT: checked at 102400 pairs
// ODD-LABEL: block mask of @dilated: Tq = 200, Tk = 330, blocks of 32, head 3
// ODD-NEXT: /..........
// ODD-NEXT: //.........
// ODD-NEXT: ///........
// ODD-NEXT: ////.......
// ODD-NEXT: /////......
// ODD-NEXT: //////.....
// ODD-NEXT: ///////....
// ODD-NEXT: 0 full, 28 partial, 0 at run time, 49 empty
// ODD-NEXT: checked at 66000 pairs
func.func @dilated(%q: !q, %k: !q, %v: !q) -> !q {
  %o = mixer.attention %q, %k, %v mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %c0 = arith.constant 0 : index
    %c2 = arith.constant 2 : index
    %causal = arith.cmpi ule, %s, %t : index
    %d = arith.subi %t, %s : index
    %r = arith.remsi %d, %c2 : index
    %even = arith.cmpi eq, %r, %c0 : index
    %m = arith.andi %causal, %even : i1
    mixer.yield %m : i1
  } : (!q, !q, !q) -> !q
  return %o : !q
}

// -----

!q = tensor<?x?x4x16xf32>

// A per-head window read from data, and document ids: summarised per block
// at run time. The causal part is still decided here.
// CHECK-LABEL: block mask of @document: Tq = 320, Tk = 320, blocks of 64, head 0
// CHECK-NEXT: ?....
// CHECK-NEXT: ??...
// CHECK-NEXT: ???..
// CHECK-NEXT: ????.
// CHECK-NEXT: ?????
// CHECK-NEXT: 0 full, 0 partial, 15 at run time, 10 empty
// CHECK-NEXT: checked at 51040 pairs
// ODD-LABEL: block mask of @document: Tq = 200, Tk = 330, blocks of 32, head 3
// ODD-NEXT: ?..........
// ODD-NEXT: ??.........
// ODD-NEXT: ???........
// ODD-NEXT: ????.......
// ODD-NEXT: ?????......
// ODD-NEXT: ??????.....
// ODD-NEXT: ???????....
// ODD-NEXT: 0 full, 0 partial, 28 at run time, 49 empty
// ODD-NEXT: checked at 45900 pairs
func.func @document(%q: !q, %k: !q, %v: !q, %doc: tensor<?x?xi32>) -> !q {
  %o = mixer.attention %q, %k, %v mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %causal = arith.cmpi ule, %s, %t : index
    %dt = tensor.extract %doc[%b, %t] : tensor<?x?xi32>
    %ds = tensor.extract %doc[%b, %s] : tensor<?x?xi32>
    %same = arith.cmpi eq, %dt, %ds : i32
    %m = arith.andi %causal, %same : i1
    mixer.yield %m : i1
  } : (!q, !q, !q) -> !q
  return %o : !q
}

// -----

!q = tensor<?x?x4x16xf32>

// A window that depends on the head: head h sees 32·(h+1) tokens back.
// CHECK-LABEL: block mask of @per_head_window: Tq = 320, Tk = 320, blocks of 64, head 0
// CHECK-NEXT: /....
// CHECK-NEXT: //...
// CHECK-NEXT: .//..
// CHECK-NEXT: ..//.
// CHECK-NEXT: ...//
// CHECK-NEXT: 0 full, 9 partial, 0 at run time, 16 empty
// CHECK-NEXT: checked at 102400 pairs
// ODD-LABEL: block mask of @per_head_window: Tq = 200, Tk = 330, blocks of 32, head 3
// ODD-NEXT: /..........
// ODD-NEXT: #/.........
// ODD-NEXT: ##/........
// ODD-NEXT: ###/.......
// ODD-NEXT: /###/......
// ODD-NEXT: ./###/.....
// ODD-NEXT: ../###/....
// ODD-NEXT: 15 full, 10 partial, 0 at run time, 52 empty
// ODD-NEXT: checked at 66000 pairs
func.func @per_head_window(%q: !q, %k: !q, %v: !q) -> !q {
  %o = mixer.attention %q, %k, %v mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    %h1 = arith.addi %h, %c1 : index
    %w = arith.muli %h1, %c32 : index
    %reach = arith.addi %s, %w : index
    %causal = arith.cmpi ule, %s, %t : index
    %near = arith.cmpi ugt, %reach, %t : index
    %m = arith.andi %causal, %near : i1
    mixer.yield %m : i1
  } : (!q, !q, !q) -> !q
  return %o : !q
}

// -----

!q = tensor<?x?x4x16xf32>

// Floats are not interpreted: every block that may be visible is partial.
// CHECK-LABEL: block mask of @float_condition: Tq = 320, Tk = 320, blocks of 64, head 0
// CHECK-NEXT: /////
// CHECK-NEXT: /////
// CHECK-NEXT: /////
// CHECK-NEXT: /////
// CHECK-NEXT: /////
// CHECK-NEXT: 0 full, 25 partial, 0 at run time, 0 empty
// CHECK-NEXT: checked at 102400 pairs
// ODD-LABEL: block mask of @float_condition: Tq = 200, Tk = 330, blocks of 32, head 3
// ODD-NEXT: ///////////
// ODD-NEXT: ///////////
// ODD-NEXT: ///////////
// ODD-NEXT: ///////////
// ODD-NEXT: ///////////
// ODD-NEXT: ///////////
// ODD-NEXT: ///////////
// ODD-NEXT: 0 full, 77 partial, 0 at run time, 0 empty
// ODD-NEXT: checked at 66000 pairs
func.func @float_condition(%q: !q, %k: !q, %v: !q) -> !q {
  %o = mixer.attention %q, %k, %v mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %ti = arith.index_cast %t : index to i64
    %tf = arith.sitofp %ti : i64 to f32
    %c = arith.constant 100.0 : f32
    %m = arith.cmpf olt, %tf, %c : f32
    mixer.yield %m : i1
  } : (!q, !q, !q) -> !q
  return %o : !q
}

// -----

!q = tensor<?x?x4x16xf32>

// A hashed (random-looking) sparse mask: the product by a 63-bit constant
// could wrap, so it is not interpreted and no block is claimed empty or
// full.
// CHECK-LABEL: block mask of @hashed: Tq = 320, Tk = 320, blocks of 64, head 0
// CHECK-NEXT: /////
// CHECK-NEXT: /////
// CHECK-NEXT: /////
// CHECK-NEXT: /////
// CHECK-NEXT: /////
// CHECK-NEXT: 0 full, 25 partial, 0 at run time, 0 empty
// CHECK-NEXT: checked at 102400 pairs
// ODD-LABEL: block mask of @hashed: Tq = 200, Tk = 330, blocks of 32, head 3
// ODD-NEXT: ///////////
// ODD-NEXT: ///////////
// ODD-NEXT: ///////////
// ODD-NEXT: ///////////
// ODD-NEXT: ///////////
// ODD-NEXT: ///////////
// ODD-NEXT: ///////////
// ODD-NEXT: 0 full, 77 partial, 0 at run time, 0 empty
// ODD-NEXT: checked at 66000 pairs
func.func @hashed(%q: !q, %k: !q, %v: !q) -> !q {
  %o = mixer.attention %q, %k, %v mask_mod {
  ^bb0(%b: index, %h: index, %t: index, %s: index):
    %c = arith.constant 6364136223846793005 : index
    %limit = arith.constant 1000 : index
    %x = arith.muli %s, %c : index
    %m = arith.cmpi ult, %x, %limit : index
    mixer.yield %m : i1
  } : (!q, !q, !q) -> !q
  return %o : !q
}
