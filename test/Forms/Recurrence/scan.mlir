// RUN: mixir-opt %s -mixer-lower-forms | FileCheck %s

// The scan form of mixer.recurrence (docs/math.md, section 3): an
// scf.forall over the batch; per batch element an scf.for over the steps
// carrying the state (from the bf16 initial state, converted to f32) and
// the element's output rows; each step reads row t of every input, runs the
// body, writes the output at row t; the final state is converted back to
// bf16.
// The maps of @channel_split's permuted generics (the module's aliases).
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$N:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$D:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @scan
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x4xf32>, %[[H0:.*]]: tensor<?x4xbf16>)
// CHECK: %[[T:.*]] = tensor.dim %[[X]], %c1
// CHECK: scf.forall (%[[B:.*]]) in
// CHECK: %[[INIT:.*]] = tensor.extract_slice %[[H0]][%[[B]], 0] [1, 4] [1, 1] : tensor<?x4xbf16> to tensor<4xbf16>
// CHECK: arith.extf
// CHECK: scf.for %[[S:.*]] = %c0 to %[[T]] {{.*}} -> (tensor<4xf32>, tensor<?x4xf32>)
// CHECK: tensor.extract_slice %[[X]][%[[B]], %[[S]], 0] [1, 1, 4] [1, 1, 1] : tensor<?x?x4xf32> to tensor<4xf32>
// CHECK: %[[NEW:.*]] = math.tanh
// CHECK: %[[ROWS:.*]] = tensor.insert_slice %[[NEW]] into %{{.*}}[%[[S]], 0] [1, 4] [1, 1]
// CHECK: scf.yield %[[NEW]], %[[ROWS]]
// CHECK: arith.truncf
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], 0, 0] [1, %[[T]], 4]
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], 0] [1, 4]
func.func @scan(%x: tensor<?x?x4xf32>, %h0: tensor<?x4xbf16>) -> (tensor<?x?x4xf32>, tensor<?x4xbf16>) {
  %o, %hT = mixer.recurrence(%x) init(%h0) {
  ^bb0(%h: tensor<4xf32>, %xt: tensor<4xf32>):
    %s = arith.addf %h, %xt : tensor<4xf32>
    %n = math.tanh %s : tensor<4xf32>
    mixer.yield %n, %n : tensor<4xf32>, tensor<4xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x4xf32>, tensor<?x4xbf16>) -> (tensor<?x?x4xf32>, tensor<?x4xbf16>)
  return %o, %hT : tensor<?x?x4xf32>, tensor<?x4xbf16>
}

// A yielded value defined above the op (here an output that is a constant)
// is used as it is at every step.
// CHECK-LABEL: func @outer_yield
// CHECK: %[[C:.*]] = arith.constant dense<2.000000e+00> : tensor<4xf32>
// CHECK: scf.for
// CHECK: tensor.insert_slice %[[C]] into
func.func @outer_yield(%x: tensor<?x?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>) {
  %c = arith.constant dense<2.0> : tensor<4xf32>
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<4xf32>, %xt: tensor<4xf32>):
    %s = arith.addf %h, %xt : tensor<4xf32>
    mixer.yield %s, %c : tensor<4xf32>, tensor<4xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
  return %o, %hT : tensor<?x?x4xf32>, tensor<?x4xf32>
}

// A body with a large matvec (U [512, 128], 65536 elements or more): when
// the batch is smaller than the worker count (decided at run time), the
// batch elements run one after another and each step's U·h is split by
// rows across the workers, an scf.forall over 8 chunks of 64 rows;
// otherwise the batch is parallel as above.
// CHECK-LABEL: func @split_matvec
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x512xf32>, %[[U:.*]]: tensor<512x128xf32>)
// CHECK: %[[B:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[W:.*]] = mixer.num_workers
// CHECK: %[[FEW:.*]] = arith.cmpi ult, %[[B]], %[[W]]
// CHECK: scf.if %[[FEW]]
// CHECK: scf.for %[[BI:.*]] = %c0 to %[[B]]
// CHECK: scf.for
// CHECK: %[[Y:.*]] = scf.forall (%[[C:.*]]) in (8) shared_outs(%[[SH:.*]] = %{{.*}}) -> (tensor<512xf32>)
// CHECK: %[[R0:.*]] = arith.muli %[[C]], %c64
// CHECK: %[[UR:.*]] = tensor.extract_slice %[[U]][%[[R0]], 0] [64, 128] [1, 1]
// CHECK: %[[YR:.*]] = tensor.extract_slice %[[SH]][%[[R0]]] [64] [1]
// CHECK: %[[P:.*]] = linalg.matvec ins(%[[UR]], %{{.*}} : tensor<64x128xf32>, tensor<128xf32>) outs(%[[YR]] : tensor<64xf32>)
// CHECK: tensor.parallel_insert_slice %[[P]] into %[[SH]][%[[R0]]] [64] [1]
// CHECK: tensor.extract_slice %[[Y]][0] [128] [1]
// CHECK: } else {
// CHECK: scf.forall (%{{.*}}) in (%[[B]])
// CHECK: linalg.matvec ins(%[[U]], %{{.*}} : tensor<512x128xf32>, tensor<128xf32>)
func.func @split_matvec(%x: tensor<?x?x512xf32>, %U: tensor<512x128xf32>) -> tensor<?x?x128xf32> {
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<128xf32>, %xt: tensor<512xf32>):
    %uh = linalg.matvec ins(%U, %h : tensor<512x128xf32>, tensor<128xf32>)
                        outs(%xt : tensor<512xf32>) -> tensor<512xf32>
    %g = tensor.extract_slice %uh[0] [128] [1] : tensor<512xf32> to tensor<128xf32>
    %n = math.tanh %g : tensor<128xf32>
    mixer.yield %n, %n : tensor<128xf32>, tensor<128xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x512xf32>) -> (tensor<?x?x128xf32>, tensor<?x128xf32>)
  return %o : tensor<?x?x128xf32>
}

// Not split: a row reduction of two matrices (y[m] += U[m, k]·V[m, k]),
// whose second operand is not read by k alone.
// CHECK-LABEL: func @no_split_rowsum
// CHECK-NOT: mixer.num_workers
// CHECK: scf.forall
// CHECK-NOT: scf.forall (
func.func @no_split_rowsum(%x: tensor<?x?x512xf32>, %U: tensor<512x128xf32>, %V: tensor<512x128xf32>) -> tensor<?x?x512xf32> {
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<512xf32>, %xt: tensor<512xf32>):
    %r = linalg.generic {indexing_maps = [affine_map<(m, k) -> (m, k)>, affine_map<(m, k) -> (m, k)>, affine_map<(m, k) -> (m)>],
                         iterator_types = ["parallel", "reduction"]}
        ins(%U, %V : tensor<512x128xf32>, tensor<512x128xf32>) outs(%xt : tensor<512xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<512xf32>
    %n = arith.addf %r, %h : tensor<512xf32>
    mixer.yield %n, %n : tensor<512xf32>, tensor<512xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x512xf32>) -> (tensor<?x?x512xf32>, tensor<?x512xf32>)
  return %o : tensor<?x?x512xf32>
}

// An independent channel dimension (docs/math.md, section 3.1): Mamba-1's
// d. Its state [256, 16] is reduced over n only, and every op keeps d
// apart, so tiles of d are separate recurrences: the forall runs over
// (batch, 2 tiles of 128 channels), the smallest tiles of at least 2048
// state elements. The tiles hold d last (the state is [16, 128], A's tile
// transposed once per item), so the step's generics run their loop over
// d innermost: their maps and iterators are permuted to match. Every
// per-step input, A and the skip D are read at the tile's channels (A and
// D once per item); the outputs are written at the tile, the final state
// transposed back.
// CHECK-LABEL: func @channel_split
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x256xf32>, %[[DT:[^:]*]]: tensor<?x?x256xf32>, %[[A:[^:]*]]: tensor<256x16xf32>, %[[BM:[^:]*]]: tensor<?x?x16xf32>, %[[CM:[^:]*]]: tensor<?x?x16xf32>, %[[SKIP:[^:]*]]: tensor<256xf32>)
// CHECK: %[[T:.*]] = tensor.dim %[[X]], %c1
// CHECK: scf.forall (%[[B:.*]], %[[J:.*]]) in (%{{.*}}, 2)
// CHECK: %[[COL:.*]] = arith.muli %[[J]], %c128
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], 0, %[[COL]]] [1, %[[T]], 128] [1, 1, 1] : tensor<?x?x256xf32> to tensor<?x128xf32>
// CHECK: %[[ATILE:.*]] = tensor.extract_slice %[[A]][%[[COL]], 0] [128, 16] [1, 1] : tensor<256x16xf32> to tensor<128x16xf32>
// CHECK: %[[AT:.*]] = linalg.transpose ins(%[[ATILE]] : tensor<128x16xf32>) outs(%{{.*}} : tensor<16x128xf32>) permutation = [1, 0]
// CHECK: tensor.extract_slice %[[SKIP]][%[[COL]]] [128] [1] : tensor<256xf32> to tensor<128xf32>
// CHECK: scf.for %[[S:.*]] = %c0 to %[[T]] {{.*}} -> (tensor<16x128xf32>, tensor<?x128xf32>)
// CHECK-DAG: tensor.extract_slice %[[X]][%[[B]], %[[S]], %[[COL]]] [1, 1, 128] [1, 1, 1] : tensor<?x?x256xf32> to tensor<128xf32>
// CHECK-DAG: %[[DTT:.*]] = tensor.extract_slice %[[DT]][%[[B]], %[[S]], %[[COL]]] [1, 1, 128] [1, 1, 1] : tensor<?x?x256xf32> to tensor<128xf32>
// CHECK-DAG: tensor.extract_slice %[[BM]][%[[B]], %[[S]], 0] [1, 1, 16] [1, 1, 1] : tensor<?x?x16xf32> to tensor<16xf32>
// CHECK-DAG: tensor.extract_slice %[[CM]][%[[B]], %[[S]], 0] [1, 1, 16] [1, 1, 1] : tensor<?x?x16xf32> to tensor<16xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$D]], #[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[DTT]], %[[AT]] : tensor<128xf32>, tensor<16x128xf32>)
// CHECK: math.exp
// CHECK: %[[NEW:.*]] = arith.addf %{{.*}}, %{{.*}} : tensor<16x128xf32>
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$N]], #[[$D]]], iterator_types = ["reduction", "parallel"]} ins(%[[NEW]], %{{.*}} : tensor<16x128xf32>, tensor<16xf32>) outs(%{{.*}} : tensor<128xf32>)
// CHECK: tensor.insert_slice %[[Y]] into %{{.*}}[%[[S]], 0] [1, 128] [1, 1]
// CHECK: %[[HT:.*]] = linalg.transpose ins(%{{.*}} : tensor<16x128xf32>) outs(%{{.*}} : tensor<128x16xf32>) permutation = [1, 0]
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], 0, %[[COL]]] [1, %[[T]], 128]
// CHECK: tensor.parallel_insert_slice %[[HT]] into %{{.*}}[%[[B]], %[[COL]], 0] [1, 128, 16]
func.func @channel_split(%x: tensor<?x?x256xf32>, %delta: tensor<?x?x256xf32>, %A: tensor<256x16xf32>,
                         %Bm: tensor<?x?x16xf32>, %Cm: tensor<?x?x16xf32>, %D: tensor<256xf32>)
    -> (tensor<?x?x256xf32>, tensor<?x256x16xf32>) {
  %y, %hT = mixer.recurrence(%x, %delta, %Bm, %Cm) {
  ^bb0(%h: tensor<256x16xf32>, %xt: tensor<256xf32>, %dt: tensor<256xf32>,
       %bt: tensor<16xf32>, %ct: tensor<16xf32>):
    %e = tensor.empty() : tensor<256x16xf32>
    %dA = linalg.generic {
        indexing_maps = [affine_map<(d, n) -> (d)>, affine_map<(d, n) -> (d, n)>,
                         affine_map<(d, n) -> (d, n)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%dt, %A : tensor<256xf32>, tensor<256x16xf32>)
        outs(%e : tensor<256x16xf32>) {
    ^bb0(%dd: f32, %a: f32, %o: f32):
      %p = arith.mulf %dd, %a : f32
      %q = math.exp %p : f32
      linalg.yield %q : f32
    } -> tensor<256x16xf32>
    %dBx = linalg.generic {
        indexing_maps = [affine_map<(d, n) -> (d)>, affine_map<(d, n) -> (d)>,
                         affine_map<(d, n) -> (n)>, affine_map<(d, n) -> (d, n)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%dt, %xt, %bt : tensor<256xf32>, tensor<256xf32>, tensor<16xf32>)
        outs(%e : tensor<256x16xf32>) {
    ^bb0(%dd: f32, %xx: f32, %bb: f32, %o: f32):
      %p = arith.mulf %dd, %bb : f32
      %q = arith.mulf %p, %xx : f32
      linalg.yield %q : f32
    } -> tensor<256x16xf32>
    %decayed = arith.mulf %dA, %h : tensor<256x16xf32>
    %hn = arith.addf %decayed, %dBx : tensor<256x16xf32>
    %skip = arith.mulf %D, %xt : tensor<256xf32>
    %yt = linalg.generic {
        indexing_maps = [affine_map<(d, n) -> (d, n)>, affine_map<(d, n) -> (n)>,
                         affine_map<(d, n) -> (d)>],
        iterator_types = ["parallel", "reduction"]}
        ins(%hn, %ct : tensor<256x16xf32>, tensor<16xf32>)
        outs(%skip : tensor<256xf32>) {
    ^bb0(%hh: f32, %cc: f32, %acc: f32):
      %p = arith.mulf %hh, %cc : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    } -> tensor<256xf32>
    mixer.yield %hn, %yt : tensor<256x16xf32>, tensor<256xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x256xf32>, tensor<?x?x256xf32>, tensor<?x?x16xf32>,
       tensor<?x?x16xf32>) -> (tensor<?x?x256xf32>, tensor<?x256x16xf32>)
  return %y, %hT : tensor<?x?x256xf32>, tensor<?x256x16xf32>
}

// The outermost independent dimension that every state and output has:
// here d (size 256) is reduced by the output y[n] = Σ_d h[d, n], so the
// split is along n (tiles of 8 of its 16, 2048 state elements each), read
// from the splat constant at its tile's shape and from the initial state.
// Every tensor already holds n last: the layout is kept.
// CHECK-LABEL: func @split_second_dimension
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x256x16xf32>, %[[H0:[^:]*]]: tensor<?x256x16xf32>)
// CHECK: %[[HALF:.*]] = arith.constant dense<5.000000e-01> : tensor<256x8xf32>
// CHECK: scf.forall (%[[B:.*]], %[[J:.*]]) in (%{{.*}}, 2)
// CHECK: %[[COL:.*]] = arith.muli %[[J]], %c8
// CHECK: tensor.extract_slice %[[H0]][%[[B]], 0, %[[COL]]] [1, 256, 8] [1, 1, 1] : tensor<?x256x16xf32> to tensor<256x8xf32>
// CHECK: scf.for
// CHECK: tensor.extract_slice %[[X]][%[[B]], %{{.*}}, 0, %[[COL]]] [1, 1, 256, 8] [1, 1, 1, 1] : tensor<?x?x256x16xf32> to tensor<256x8xf32>
// CHECK: arith.mulf %{{.*}}, %[[HALF]] : tensor<256x8xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<256x8xf32>) outs(%{{.*}} : tensor<8xf32>)
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], 0, %[[COL]]] [1, %{{.*}}, 8]
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], 0, %[[COL]]] [1, 256, 8]
func.func @split_second_dimension(%x: tensor<?x?x256x16xf32>, %h0: tensor<?x256x16xf32>)
    -> (tensor<?x?x16xf32>, tensor<?x256x16xf32>) {
  %y, %hT = mixer.recurrence(%x) init(%h0) {
  ^bb0(%h: tensor<256x16xf32>, %xt: tensor<256x16xf32>):
    %half = arith.constant dense<0.5> : tensor<256x16xf32>
    %d = arith.mulf %half, %h : tensor<256x16xf32>
    %hn = arith.addf %d, %xt : tensor<256x16xf32>
    %z = arith.constant dense<0.0> : tensor<16xf32>
    %sum = linalg.generic {
        indexing_maps = [affine_map<(d, n) -> (d, n)>, affine_map<(d, n) -> (n)>],
        iterator_types = ["reduction", "parallel"]}
        ins(%hn : tensor<256x16xf32>) outs(%z : tensor<16xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
    } -> tensor<16xf32>
    mixer.yield %hn, %sum : tensor<256x16xf32>, tensor<16xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x256x16xf32>, tensor<?x256x16xf32>) -> (tensor<?x?x16xf32>, tensor<?x256x16xf32>)
  return %y, %hT : tensor<?x?x16xf32>, tensor<?x256x16xf32>
}

// No independent dimension: the state is mixed across its channels by a
// transpose-like read (h[n] from h[d] through a non-identity permutation of
// one dimension, here a tensor.extract_slice that shifts it), so the forall
// stays over the batch alone.
// CHECK-LABEL: func @no_channel_split
// CHECK: scf.forall (%{{[^,]*}}) in (%{{[^,]*}})
// CHECK: tensor<4096xf32>
func.func @no_channel_split(%x: tensor<?x?x4096xf32>) -> tensor<?x?x4096xf32> {
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<4096xf32>, %xt: tensor<4096xf32>):
    %head = tensor.extract_slice %h[1] [4095] [1] : tensor<4096xf32> to tensor<4095xf32>
    %shifted = tensor.insert_slice %head into %xt[0] [4095] [1] : tensor<4095xf32> into tensor<4096xf32>
    %n = math.tanh %shifted : tensor<4096xf32>
    mixer.yield %n, %n : tensor<4096xf32>, tensor<4096xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x4096xf32>) -> (tensor<?x?x4096xf32>, tensor<?x4096xf32>)
  return %o : tensor<?x?x4096xf32>
}

// The tile layout with a per-step input and an output that hold the
// dimension first: the input's tile is transposed at every step into the
// tile layout, and the step's output back into the op's before it is
// written at row t.
// CHECK-LABEL: func @tile_layout_rows
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?x256x16xf32>)
// CHECK: scf.forall (%[[B:.*]], %[[J:.*]]) in (%{{.*}}, 2)
// CHECK: scf.for %[[S:[^ ]*]] = {{.*}} -> (tensor<16x128xf32>, tensor<?x128x16xf32>)
// CHECK: %[[XT:.*]] = tensor.extract_slice %[[X]][%[[B]], %[[S]], %{{.*}}, 0] [1, 1, 128, 16] [1, 1, 1, 1] : tensor<?x?x256x16xf32> to tensor<128x16xf32>
// CHECK: %[[XL:.*]] = linalg.transpose ins(%[[XT]] : tensor<128x16xf32>) outs(%{{.*}} : tensor<16x128xf32>) permutation = [1, 0]
// CHECK: %[[NEW:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[XL]] : tensor<16x128xf32>, tensor<16x128xf32>)
// CHECK: %[[OUT:.*]] = linalg.transpose ins(%[[NEW]] : tensor<16x128xf32>) outs(%{{.*}} : tensor<128x16xf32>) permutation = [1, 0]
// CHECK: tensor.insert_slice %[[OUT]] into %{{.*}}[%[[S]], 0, 0] [1, 128, 16]
func.func @tile_layout_rows(%x: tensor<?x?x256x16xf32>) -> tensor<?x?x256x16xf32> {
  %o, %hT = mixer.recurrence(%x) {
  ^bb0(%h: tensor<256x16xf32>, %xt: tensor<256x16xf32>):
    %e = tensor.empty() : tensor<256x16xf32>
    %hn = linalg.generic {
        indexing_maps = [affine_map<(d, n) -> (d, n)>, affine_map<(d, n) -> (d, n)>, affine_map<(d, n) -> (d, n)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%h, %xt : tensor<256x16xf32>, tensor<256x16xf32>) outs(%e : tensor<256x16xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %t = math.tanh %a : f32
      %s = arith.addf %t, %b : f32
      linalg.yield %s : f32
    } -> tensor<256x16xf32>
    mixer.yield %hn, %hn : tensor<256x16xf32>, tensor<256x16xf32>
  } {form = #mixer.form<scan>} : (tensor<?x?x256x16xf32>) -> (tensor<?x?x256x16xf32>, tensor<?x256x16xf32>)
  return %o : tensor<?x?x256x16xf32>
}
