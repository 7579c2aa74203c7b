//===- QuadraticForm.cpp - the quadratic (parallel) form ---------------===//
//
// docs/math.md, "quadratic": o = M·V with M materialised one C×C block
// at a time (memory O(C²), never O(T²)). For a query block i and a key block
// j < i, the decay between token s (in j) and token t (in i) is
//   Σ_{r=s+1..t} g_r = G_i[t] + mid_ij + (tot_j − G_j[s])
// with G the local cumulative sums inside each block, tot_j block j's total
// and mid_ij the totals of the blocks strictly between: every term is ≤ 0,
// so the block is (Q ⊙ exp(G_i)) (K ⊙ exp(mid + tot_j − G_j))ᵀ, a matmul.
// The diagonal block uses the causal decayed scores. The keys are decayed
// to their block's end once per head (K̃_j = K_j ⊙ exp(tot_j − G_j)); key
// blocks are then visited from i−1 down to 0 carrying exp(mid_ij) as a
// product of block factors exp(tot) ≤ 1, so a block pair costs its two
// matmuls and one column scaling of the queries, with no exponential and
// no long prefix sum subtracted.
// An initial state contributes (Q ⊙ exp(G_i + pre_i)) S_0 with pre_i the
// totals of all earlier blocks; a requested final state is computed with the
// chunk state update over the blocks.
//
//===----------------------------------------------------------------------===//
#include "SemiseparableForms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::semiseparable;

namespace {
/// Every key block of one head decayed to its block's end,
/// K̃_j = K_j ⊙ exp(tot_j − G_j), stored transposed (K̃ᵀ, so that a block
/// pair's scores are a plain matmul), and the blocks' log totals tot_j:
/// computed once per head, so that a (query, key) block pair only scales by
/// the decay of the blocks between them.
struct DecayedKeys {
  Value keys;   ///< tensor<n x K x C>, one contiguous K̃_jᵀ per block
  Value totals; ///< tensor<n x K> (per-channel gate) or tensor<n>
};
} // namespace

static DecayedKeys decayKeyBlocks(ImplicitLocOpBuilder &b, const Problem &p,
                                  const HeadIndex &at, int64_t C,
                                  Value numBlocks) {
  HeadTiles x(b, p, at);
  Type f32 = b.getF32Type();
  Value keys0 = tensor::EmptyOp::create(
      b,
      ArrayRef<OpFoldResult>{numBlocks, b.getIndexAttr(p.K),
                             b.getIndexAttr(C)},
      f32);
  SmallVector<OpFoldResult> totalShape{numBlocks};
  if (x.perChannel())
    totalShape.push_back(b.getIndexAttr(p.K));
  Value totals0 = tensor::EmptyOp::create(b, totalShape, f32);
  auto loop = scf::ForOp::create(
      b, x.index(0), numBlocks, x.index(1), ValueRange{keys0, totals0},
      [&](OpBuilder &nb, Location loc, Value j, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, p, at);
        Value s0 = arith::MulIOp::create(ib, j, xt.index(C));
        Value len = xt.tileLength(s0, C);
        Value G = xt.cumsum(xt.gateTile(s0, len, C));
        Value tot = xt.lastRow(G);
        // tot − G_s ≤ 0: G is a cumulative sum of non-positive terms.
        Value kd = xt.scaleByDecay(
            xt.keyTile(s0, len, C),
            {Decay{tot}, Decay{G, /*isTile=*/true, /*negate=*/true}});
        OpFoldResult one = ib.getIndexAttr(1);
        OpFoldResult zero = ib.getIndexAttr(0);
        Value keys = tensor::InsertSliceOp::create(
            ib, xt.transpose(kd), iter[0],
            ArrayRef<OpFoldResult>{j, zero, zero},
            ArrayRef<OpFoldResult>{one, ib.getIndexAttr(p.K),
                                   ib.getIndexAttr(C)},
            ArrayRef<OpFoldResult>{one, one, one});
        scf::YieldOp::create(ib,
                             ValueRange{keys, xt.setRowAt(iter[1], tot, j)});
      });
  return {loop.getResult(0), loop.getResult(1)};
}

/// Block j of the decayed keys, transposed: tensor<K x C>.
static Value decayedKeyBlock(ImplicitLocOpBuilder &b, const DecayedKeys &dk,
                             int64_t C, int64_t K, Value j) {
  OpFoldResult one = b.getIndexAttr(1), zero = b.getIndexAttr(0);
  return tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({K, C}, b.getF32Type()), dk.keys,
      ArrayRef<OpFoldResult>{j, zero, zero},
      ArrayRef<OpFoldResult>{one, b.getIndexAttr(K), b.getIndexAttr(C)},
      ArrayRef<OpFoldResult>{one, one, one});
}

static std::pair<Value, Value> quadraticHead(ImplicitLocOpBuilder &b,
                                             const Problem &p,
                                             const HeadIndex &at, int64_t C,
                                             Value rows, Value state) {
  HeadTiles x(b, p, at);
  const bool gated = p.gate != mixer::GateKind::None;
  const bool hasInit = static_cast<bool>(p.op.getInitialState());
  Value cst = x.index(C);
  Value numBlocks = arith::CeilDivSIOp::create(b, at.T, cst);
  DecayedKeys dk;
  if (gated)
    dk = decayKeyBlocks(b, p, at, C, numBlocks);

  SmallVector<Value> outerInit{rows};
  if (gated)
    outerInit.push_back(x.constantGateRow(0.0)); // pre: log decay so far
  auto outer = scf::ForOp::create(
      b, x.index(0), numBlocks, x.index(1), outerInit,
      [&](OpBuilder &nb, Location loc, Value qb, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, p, at);
        Value t0 = arith::MulIOp::create(ib, qb, cst);
        Value len = xt.tileLength(t0, C);
        Value qs = xt.queryTile(t0, len, C);
        Value kq = xt.keyTile(t0, len, C);
        Value vq = xt.tile(p.op.getV(), t0, len, C);
        Value g = xt.gateTile(t0, len, C);
        Value G = gated ? xt.cumsum(g) : Value();
        Value acc = xt.matmulAcc(xt.causalScores(qs, kq, g, G), vq,
                                 xt.zeros({C, p.V}));
        Value qd = gated ? xt.scaleByDecay(qs, {Decay{G, /*isTile=*/true}})
                         : qs;

        // Key blocks j = qb-1 .. 0 (all full: only the last block is short),
        // carrying the decay factor of the blocks strictly between,
        // Π exp(tot) (each factor ≤ 1).
        SmallVector<Value> innerInit{acc};
        if (gated)
          innerInit.push_back(xt.constantGateRow(1.0));
        auto inner = scf::ForOp::create(
            ib, xt.index(0), qb, xt.index(1), innerInit,
            [&](OpBuilder &nb2, Location loc2, Value jj, ValueRange it) {
              ImplicitLocOpBuilder jb(loc2, nb2);
              HeadTiles xj(jb, p, at);
              Value j = arith::SubIOp::create(
                  jb, arith::SubIOp::create(jb, qb, xj.index(1)), jj);
              Value s0 = arith::MulIOp::create(jb, j, cst);
              Value full = xj.index(C);
              Value vj = xj.tile(p.op.getV(), s0, full, C);
              SmallVector<Value> yields;
              Value P;
              if (gated)
                P = xj.matmulAcc(xj.scaleColumns(qd, it[1]),
                                 decayedKeyBlock(jb, dk, C, p.K, j),
                                 xj.zeros({C, C}));
              else
                P = xj.matmulTransBAcc(qd, xj.keyTile(s0, full, C),
                                       xj.zeros({C, C}));
              yields.push_back(xj.matmulAcc(P, vj, it[0]));
              if (gated)
                yields.push_back(xj.mulRows(
                    it[1], xj.expRow(xj.rowAt(dk.totals, j))));
              scf::YieldOp::create(jb, yields);
            });
        acc = inner.getResult(0);

        SmallVector<Value> yields;
        if (hasInit) {
          Value qi = gated ? xt.scaleByDecay(qs, {Decay{G, /*isTile=*/true},
                                                  Decay{iter[1]}})
                           : qs;
          acc = xt.matmulAcc(qi, state, acc);
        }
        yields.push_back(xt.storeRows(acc, iter[0], t0, len));
        if (gated)
          yields.push_back(xt.addRows(iter[1], xt.lastRow(G)));
        scf::YieldOp::create(ib, yields);
      });

  // The final state, block by block: S' = exp(tot_j) ⊙ S + K̃_jᵀ V_j.
  Value finalState = state;
  if (p.op.getFinalState()) {
    auto pass = scf::ForOp::create(
        b, x.index(0), numBlocks, x.index(1), ValueRange{state},
        [&](OpBuilder &nb, Location loc, Value c, ValueRange iter) {
          ImplicitLocOpBuilder ib(loc, nb);
          HeadTiles xt(ib, p, at);
          Value t0 = arith::MulIOp::create(ib, c, cst);
          Value len = xt.tileLength(t0, C);
          Value v = xt.tile(p.op.getV(), t0, len, C);
          Value next;
          if (gated)
            next = xt.matmulAcc(
                decayedKeyBlock(ib, dk, C, p.K, c), v,
                xt.decayState(iter[0], xt.rowAt(dk.totals, c)));
          else
            next = xt.stateUpdate(iter[0], {{xt.keyTile(t0, len, C), v}}, {});
          scf::YieldOp::create(ib, ValueRange{next});
        });
    finalState = pass.getResult(0);
  }
  return {outer.getResult(0), finalState};
}

void mixir::forms::semiseparable::lowerQuadratic(RewriterBase &rewriter,
                                                 const Problem &p, int64_t C) {
  replaceByPerHead(rewriter, p,
                   [C](ImplicitLocOpBuilder &b, const Problem &p,
                       const HeadIndex &at, Value rows, Value state) {
                     return quadraticHead(b, p, at, C, rows, state);
                   });
}
