//===- ChunkLoop.cpp - one head's loop over chunks ------------------------===//
//
// docs/math.md, "chunked": for each chunk of C tokens with G the cumulative
// log decay inside the chunk and S the state entering it,
//   O  = scale · ((Q ⊙ exp(G)) S + Σ causal(Q, key) value)
//   S' = exp(G_last) ⊙ S + Σ (key ⊙ exp(G_last − G))ᵀ value
// over the chunk's writes (key, value), with causal(X, Y)[t, s] =
// Σ_i x_ti y_si exp(G_ti − G_si) for s ≤ t: (K, V) for the diagonal
// transition.
// The delta rule writes (K, U), with the pseudo-values U from the chunk's
// unit lower-triangular system
//   (I + A) U = diag(β) V − diag(β) (K ⊙ exp(G)) S,
//   A[t, s] = β_t Σ_i k_ti k_si exp(G_ti − G_si)             (s < t);
// the low-rank transition writes (A_lr, W) and (K, V), with the reads
//   (I − A_ba) W = (B ⊙ exp(G⁻)) S + A_bk V,
//   A_bx[t, s] = Σ_i b_ti x_si exp(G⁻_ti − G_si)             (s < t),
// G⁻ the sums up to the token before. Each system is solved once per chunk
// for its two right-hand sides, so U and W are affine in S. Every exponent
// is ≤ 0. The last chunk is zero-padded (a padded token has k = v = a =
// b = β = 0 and g = 0, so it changes neither S nor any kept output).
//===----------------------------------------------------------------------===//
#include "SemiseparableForms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::semiseparable;

/// The delta rule's S-independent parts of U: with L = −strict(diag(β) A),
/// u0 = (I − L)⁻¹ diag(β) V and wn = −(I − L)⁻¹ diag(β) (K ⊙ exp(G)).
static void solveDeltaChunk(HeadTiles &xt, Chunk &ch, int64_t C,
                            Value queries) {
  Value beta = xt.betaTile(ch.t0, ch.len, C);
  SmallVector<HeadTiles::ScoreRows> rows{{ch.k}};
  if (queries)
    rows.push_back({queries});
  SmallVector<Value> scores = xt.causalScores(rows, ch.k, ch.g, ch.G);
  if (queries)
    ch.outputScores.push_back(scores[1]);
  Value L = xt.updateInPlace2D(
      scores[0], {beta},
      {dimsMap(xt.b.getContext(), 2, {0})},
      [&](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
        Value t = linalg::IndexOp::create(eb, 0);
        Value s = linalg::IndexOp::create(eb, 1);
        Value below = arith::CmpIOp::create(eb, arith::CmpIPredicate::ult, s, t);
        Value l = arith::NegFOp::create(eb, arith::MulFOp::create(eb, a[0], a[1]));
        Value zero = arith::ConstantOp::create(eb, eb.getF32FloatAttr(0));
        return arith::SelectOp::create(eb, below, l, zero);
      });
  // exp(G_t) ≤ 1: G is a cumulative sum of non-positive terms.
  Value kd = ch.G ? xt.scaleByDecay(ch.k, {Decay{ch.G, /*isTile=*/true}})
                  : ch.k;
  ch.fixed = xt.solveUnitLower(L, xt.scaleRows(ch.v, beta));
  ch.fromS = xt.solveUnitLower(L, xt.negate(xt.scaleRows(kd, beta)));
}

/// The low-rank transition's S-independent parts of W:
/// wV = (I − A_ba)⁻¹ A_bk V and wS = (I − A_ba)⁻¹ (B ⊙ exp(G⁻)).
static void solveLowRankChunk(HeadTiles &xt, Chunk &ch, int64_t C,
                              Value queries) {
  Value bt = xt.tile(xt.p.op.getLowRankB(), ch.t0, ch.len, C);
  ch.a = xt.tile(xt.p.op.getLowRankA(), ch.t0, ch.len, C);
  SmallVector<HeadTiles::ScoreRows> rows{{bt, /*exclusive=*/true}};
  if (queries)
    rows.push_back({queries});
  SmallVector<Value> withA = xt.causalScores(rows, ch.a, ch.g, ch.G);
  SmallVector<Value> withK = xt.causalScores(rows, ch.k, ch.g, ch.G);
  Value Aba = withA[0], Abk = withK[0];
  if (queries)
    ch.outputScores = {withA[1], withK[1]};
  // exp(G⁻_t) ≤ 1.
  Value bd = ch.G ? xt.scaleByDecay(
                        bt, {Decay{xt.exclusiveSums(ch.G), /*isTile=*/true}})
                  : bt;
  ch.fixed = xt.solveUnitLower(
      Aba, xt.matmulAcc(Abk, ch.v, xt.zeros({C, xt.p.V})));
  ch.fromS = xt.solveUnitLower(Aba, bd);
}

Chunk mixir::forms::semiseparable::loadChunk(HeadTiles &xt, Value c,
                                             int64_t C, bool forOutput) {
  Chunk ch;
  ch.t0 = arith::MulIOp::create(xt.b, c, xt.index(C));
  ch.len = xt.tileLength(ch.t0, C);
  Value queries;
  if (forOutput)
    queries = ch.q = xt.queryTile(ch.t0, ch.len, C);
  ch.k = xt.keyTile(ch.t0, ch.len, C);
  ch.v = xt.tile(xt.p.op.getV(), ch.t0, ch.len, C);
  ch.g = xt.gateTile(ch.t0, ch.len, C);
  ch.G = ch.g ? xt.cumsum(ch.g) : Value();
  switch (xt.p.transition) {
  case mixer::TransitionKind::Diagonal:
    if (queries)
      ch.outputScores.push_back(xt.causalScores(queries, ch.k, ch.g, ch.G));
    break;
  case mixer::TransitionKind::Delta:
    solveDeltaChunk(xt, ch, C, queries);
    break;
  case mixer::TransitionKind::LowRank:
    solveLowRankChunk(xt, ch, C, queries);
    break;
  }
  return ch;
}

SmallVector<HeadTiles::Write> Chunk::writes(HeadTiles &xt, Value S) const {
  switch (xt.p.transition) {
  case mixer::TransitionKind::Diagonal:
    return {{k, v}};
  case mixer::TransitionKind::Delta:
    return {{k, xt.matmulAcc(fromS, S, fixed)}};
  case mixer::TransitionKind::LowRank:
    return {{a, xt.matmulAcc(fromS, S, fixed)}, {k, v}};
  }
  llvm_unreachable("unknown transition");
}

SmallVector<HeadTiles::Write> Chunk::linearWrites(HeadTiles &xt,
                                                  Value M) const {
  if (xt.p.transition == mixer::TransitionKind::Diagonal)
    return {};
  auto mType = cast<RankedTensorType>(M.getType());
  Value none = xt.zeros({cast<RankedTensorType>(k.getType()).getDimSize(0),
                         mType.getDimSize(1)});
  Value key = xt.p.transition == mixer::TransitionKind::Delta ? k : a;
  return {{key, xt.matmulAcc(fromS, M, none)}};
}

std::pair<Value, Value> mixir::forms::semiseparable::chunkStep(
    HeadTiles &xt, int64_t C, Value c, Value rowBase, Value S, Value rows) {
  const Problem &p = xt.p;
  Chunk ch = loadChunk(xt, c, C, /*forOutput=*/true);
  Value qs = ch.q;
  // Inter-chunk part: (Q ⊙ exp(G)) S, then the intra-chunk part.
  Value qd = ch.G ? xt.scaleByDecay(qs, {Decay{ch.G, /*isTile=*/true}}) : qs;
  SmallVector<HeadTiles::Write> writes = ch.writes(xt, S);
  Value out = xt.matmulAcc(qd, S, xt.zeros({C, p.V}));
  for (auto [w, scores] : llvm::zip(writes, ch.outputScores))
    out = xt.matmulAcc(scores, w.value, out);
  Value row =
      rowBase ? arith::SubIOp::create(xt.b, ch.t0, rowBase).getResult() : ch.t0;
  Value rowsNext = xt.storeRows(out, rows, row, ch.len);
  return {xt.stateUpdate(S, writes, ch.G), rowsNext};
}

std::pair<Value, Value> mixir::forms::semiseparable::chunkLoop(
    ImplicitLocOpBuilder &b, const Problem &p, const HeadIndex &at, int64_t C,
    Value c0, Value c1, Value rowBase, Value rows, Value state) {
  HeadTiles x(b, p, at);
  auto loop = scf::ForOp::create(
      b, c0, c1, x.index(1), ValueRange{state, rows},
      [&](OpBuilder &nb, Location loc, Value c, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, p, at);
        auto [stateNext, rowsNext] =
            chunkStep(xt, C, c, rowBase, iter[0], iter[1]);
        scf::YieldOp::create(ib, ValueRange{stateNext, rowsNext});
      });
  return {loop.getResult(1), loop.getResult(0)};
}
