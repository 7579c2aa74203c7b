// RUN: mixir-opt %s -mixer-fuse-recurrence-steps -split-input-file | FileCheck %s

// Mamba-1's step on a [16, 128] state tile: exp(δA), δBx, their combination
// with h and the read-out over the states become one (reduction n,
// parallel d) generic that writes the new state into the old one (its
// initial value is the loop's state) and sums y; only the skip D ⊙ x, the
// read-out's initial value, stays apart.
#id = affine_map<(n, d) -> (n, d)>
#col = affine_map<(n, d) -> (d)>
#row = affine_map<(n, d) -> (n)>
// CHECK-LABEL: func @mamba1_step
// CHECK-SAME: %[[H0:[^:]*]]: tensor<16x128xf32>
// CHECK: scf.for {{.*}} iter_args(%[[H:[^ ]*]] = %[[H0]], %[[Y:[^ ]*]] = 
// CHECK: %[[SKIP:.*]] = linalg.generic {{.*}} iterator_types = ["parallel"]
// CHECK: %[[STEP:.*]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel"]
// CHECK-SAME: outs(%[[SKIP]], %[[H]] : tensor<128xf32>, tensor<16x128xf32>)
// CHECK: math.exp
// CHECK-NOT: linalg.generic
// CHECK: scf.yield %[[STEP]]#1, %[[STEP]]#0
func.func @mamba1_step(%h0: tensor<16x128xf32>, %y0: tensor<128xf32>,
                       %delta: tensor<128xf32>, %x: tensor<128xf32>,
                       %At: tensor<16x128xf32>, %Bm: tensor<16xf32>,
                       %Cm: tensor<16xf32>, %D: tensor<128xf32>,
                       %T: index) -> (tensor<16x128xf32>, tensor<128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = tensor.empty() : tensor<16x128xf32>
  %r:2 = scf.for %t = %c0 to %T step %c1 iter_args(%h = %h0, %y = %y0)
      -> (tensor<16x128xf32>, tensor<128xf32>) {
    %a = linalg.generic {indexing_maps = [#col, #id, #id],
                         iterator_types = ["parallel", "parallel"]}
        ins(%delta, %At : tensor<128xf32>, tensor<16x128xf32>)
        outs(%e : tensor<16x128xf32>) {
    ^bb0(%dd: f32, %aa: f32, %o: f32):
      %p = arith.mulf %dd, %aa : f32
      %q = math.exp %p : f32
      linalg.yield %q : f32
    } -> tensor<16x128xf32>
    %b = linalg.generic {indexing_maps = [#col, #col, #row, #id],
                         iterator_types = ["parallel", "parallel"]}
        ins(%delta, %x, %Bm : tensor<128xf32>, tensor<128xf32>, tensor<16xf32>)
        outs(%e : tensor<16x128xf32>) {
    ^bb0(%dd: f32, %xx: f32, %bb: f32, %o: f32):
      %p = arith.mulf %dd, %bb : f32
      %q = arith.mulf %p, %xx : f32
      linalg.yield %q : f32
    } -> tensor<16x128xf32>
    %p = linalg.generic {indexing_maps = [#id, #id, #id],
                         iterator_types = ["parallel", "parallel"]}
        ins(%a, %h : tensor<16x128xf32>, tensor<16x128xf32>)
        outs(%e : tensor<16x128xf32>) {
    ^bb0(%u: f32, %v: f32, %o: f32):
      %m = arith.mulf %u, %v : f32
      linalg.yield %m : f32
    } -> tensor<16x128xf32>
    %hn = linalg.generic {indexing_maps = [#id, #id, #id],
                          iterator_types = ["parallel", "parallel"]}
        ins(%p, %b : tensor<16x128xf32>, tensor<16x128xf32>)
        outs(%e : tensor<16x128xf32>) {
    ^bb0(%u: f32, %v: f32, %o: f32):
      %s = arith.addf %u, %v : f32
      linalg.yield %s : f32
    } -> tensor<16x128xf32>
    %skip = linalg.generic {indexing_maps = [affine_map<(d) -> (d)>,
                                             affine_map<(d) -> (d)>,
                                             affine_map<(d) -> (d)>],
                            iterator_types = ["parallel"]}
        ins(%D, %x : tensor<128xf32>, tensor<128xf32>)
        outs(%y : tensor<128xf32>) {
    ^bb0(%u: f32, %v: f32, %o: f32):
      %m = arith.mulf %u, %v : f32
      linalg.yield %m : f32
    } -> tensor<128xf32>
    %yt = linalg.generic {indexing_maps = [#id, #row, #col],
                          iterator_types = ["reduction", "parallel"]}
        ins(%hn, %Cm : tensor<16x128xf32>, tensor<16xf32>)
        outs(%skip : tensor<128xf32>) {
    ^bb0(%u: f32, %c: f32, %acc: f32):
      %m = arith.mulf %u, %c : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    } -> tensor<128xf32>
    scf.yield %hn, %yt : tensor<16x128xf32>, tensor<128xf32>
  } {mixer.recurrence_step}
  return %r#0, %r#1 : tensor<16x128xf32>, tensor<128xf32>
}

// -----

// A loop that is not a recurrence's step is left alone.
#id = affine_map<(n, d) -> (n, d)>
// CHECK-LABEL: func @not_a_step
// CHECK: scf.for
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: linalg.generic
// CHECK: arith.mulf
func.func @not_a_step(%h0: tensor<16x128xf32>, %a0: tensor<16x128xf32>,
                      %T: index) -> tensor<16x128xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = tensor.empty() : tensor<16x128xf32>
  %r = scf.for %t = %c0 to %T step %c1 iter_args(%h = %h0) -> (tensor<16x128xf32>) {
    %a = linalg.generic {indexing_maps = [#id, #id],
                         iterator_types = ["parallel", "parallel"]}
        ins(%a0 : tensor<16x128xf32>) outs(%e : tensor<16x128xf32>) {
    ^bb0(%u: f32, %o: f32):
      %q = math.exp %u : f32
      linalg.yield %q : f32
    } -> tensor<16x128xf32>
    %hn = linalg.generic {indexing_maps = [#id, #id, #id],
                          iterator_types = ["parallel", "parallel"]}
        ins(%a, %h : tensor<16x128xf32>, tensor<16x128xf32>)
        outs(%e : tensor<16x128xf32>) {
    ^bb0(%u: f32, %v: f32, %o: f32):
      %m = arith.mulf %u, %v : f32
      linalg.yield %m : f32
    } -> tensor<16x128xf32>
    scf.yield %hn : tensor<16x128xf32>
  }
  return %r : tensor<16x128xf32>
}

// -----

// The old state is read twice (the new state, and an output of its own):
// the ops fuse, but the new state keeps a tile of its own, since writing it
// into the old one would change what the second read sees.
#id = affine_map<(d) -> (d)>
// CHECK-LABEL: func @state_read_twice
// CHECK: scf.for {{.*}} iter_args(%[[H:[^ ]*]] = 
// CHECK: %[[NEW:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[H]] : tensor<128xf32>, tensor<128xf32>) outs(%{{.*}} : tensor<128xf32>)
// CHECK-NOT: outs(%[[H]]
func.func @state_read_twice(%h0: tensor<128xf32>, %a: tensor<128xf32>,
                            %T: index) -> (tensor<128xf32>, tensor<128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = tensor.empty() : tensor<128xf32>
  %r:2 = scf.for %t = %c0 to %T step %c1 iter_args(%h = %h0, %s = %h0)
      -> (tensor<128xf32>, tensor<128xf32>) {
    %hn = linalg.generic {indexing_maps = [#id, #id, #id],
                          iterator_types = ["parallel"]}
        ins(%a, %h : tensor<128xf32>, tensor<128xf32>)
        outs(%e : tensor<128xf32>) {
    ^bb0(%u: f32, %v: f32, %o: f32):
      %m = arith.mulf %u, %v : f32
      linalg.yield %m : f32
    } -> tensor<128xf32>
    %sq = linalg.generic {indexing_maps = [#id, #id],
                          iterator_types = ["parallel"]}
        ins(%h : tensor<128xf32>) outs(%e : tensor<128xf32>) {
    ^bb0(%v: f32, %o: f32):
      %m = arith.mulf %v, %v : f32
      linalg.yield %m : f32
    } -> tensor<128xf32>
    scf.yield %hn, %sq : tensor<128xf32>, tensor<128xf32>
  } {mixer.recurrence_step}
  return %r#0, %r#1 : tensor<128xf32>, tensor<128xf32>
}
