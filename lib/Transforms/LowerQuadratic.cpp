//===- LowerQuadratic.cpp - the quadratic (parallel) form ---------------===//
//
// MIXERS.md section 2, "quadratic": o = M·V with M materialised one C×C block
// at a time (memory O(C²), never O(T²)). For a query block i and a key block
// j < i, the decay between token s (in j) and token t (in i) is
//   Σ_{r=s+1..t} g_r = G_i[t] + mid_ij + (tot_j − G_j[s])
// with G the local cumulative sums inside each block, tot_j block j's total
// and mid_ij the totals of the blocks strictly between: every term is ≤ 0,
// so the block is (Q ⊙ exp(G_i)) (K ⊙ exp(mid + tot_j − G_j))ᵀ, a matmul.
// The diagonal block uses the causal decayed scores. Key blocks are visited
// from i−1 down to 0 so that mid accumulates block totals (a sum of
// non-positive terms; no long prefix sum is ever subtracted).
// An initial state contributes (Q ⊙ exp(G_i + pre_i)) S_0 with pre_i the
// totals of all earlier blocks; a requested final state is computed with the
// chunk state update over the blocks.
//
//===----------------------------------------------------------------------===//
#include "mixir/Transforms/CostModel.h"
#include "SemiseparableBuilder.h"
#include "mixir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERLOWERQUADRATIC
#include "mixir/Transforms/Passes.h.inc"
} // namespace mixir

using namespace mlir;
using namespace mixir;
using namespace mixir::detail;

/// A zero log decay of the gate's row shape (scalar or tensor<K>).
static Value zeroDecayRow(HeadTiles &x) {
  return x.perChannel() ? x.zeros({x.ctx.K}) : x.f32(0.0);
}

static std::pair<Value, Value> quadraticHead(ImplicitLocOpBuilder &b,
                                             const HeadContext &ctx,
                                             int64_t C, Value rows,
                                             Value state) {
  HeadTiles x(b, ctx);
  const bool gated = ctx.gate != mixer::GateKind::None;
  const bool hasInit = static_cast<bool>(ctx.op.getInitialState());
  Value cst = x.index(C);
  Value numBlocks = arith::CeilDivSIOp::create(b, ctx.T, cst);

  SmallVector<Value> outerInit{rows};
  if (gated)
    outerInit.push_back(zeroDecayRow(x)); // pre: decay of earlier blocks
  auto outer = scf::ForOp::create(
      b, x.index(0), numBlocks, x.index(1), outerInit,
      [&](OpBuilder &nb, Location loc, Value qb, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, ctx);
        Value t0 = arith::MulIOp::create(ib, qb, cst);
        Value len = xt.tileLength(t0, C);
        Value qs = xt.scaleByDecay(xt.tile(ctx.op.getQ(), t0, len, C), {},
                                   ctx.scale);
        Value kq = xt.keyTile(t0, len, C);
        Value vq = xt.tile(ctx.op.getV(), t0, len, C);
        Value g = xt.gateTile(t0, len, C);
        Value G = gated ? xt.cumsum(g) : Value();
        Value acc = xt.matmulAcc(xt.causalScores(qs, kq, g, G), vq,
                                 xt.zeros({C, ctx.V}));
        Value qd = gated ? xt.scaleByDecay(qs, {Decay{G, /*isTile=*/true}})
                         : qs;

        // Key blocks j = qb-1 .. 0 (all full: only the last block is short).
        SmallVector<Value> innerInit{acc};
        if (gated)
          innerInit.push_back(zeroDecayRow(xt)); // mid
        auto inner = scf::ForOp::create(
            ib, xt.index(0), qb, xt.index(1), innerInit,
            [&](OpBuilder &nb2, Location loc2, Value jj, ValueRange it) {
              ImplicitLocOpBuilder jb(loc2, nb2);
              HeadTiles xj(jb, ctx);
              Value j = arith::SubIOp::create(
                  jb, arith::SubIOp::create(jb, qb, xj.index(1)), jj);
              Value s0 = arith::MulIOp::create(jb, j, cst);
              Value full = xj.index(C);
              Value kj = xj.keyTile(s0, full, C);
              Value vj = xj.tile(ctx.op.getV(), s0, full, C);
              SmallVector<Value> yields;
              Value kd = kj, midNext;
              if (gated) {
                Value Gj = xj.cumsum(xj.gateTile(s0, full, C));
                Value tot = xj.lastRow(Gj);
                kd = xj.scaleByDecay(
                    kj, {Decay{it[1]}, Decay{tot},
                         Decay{Gj, /*isTile=*/true, /*negate=*/true}});
                midNext = xj.addRows(it[1], tot);
              }
              Value P = xj.matmulTransBAcc(qd, kd, xj.zeros({C, C}));
              yields.push_back(xj.matmulAcc(P, vj, it[0]));
              if (gated)
                yields.push_back(midNext);
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

  Value finalState = state;
  if (ctx.op.getFinalState()) {
    auto pass = scf::ForOp::create(
        b, x.index(0), numBlocks, x.index(1), ValueRange{state},
        [&](OpBuilder &nb, Location loc, Value c, ValueRange iter) {
          ImplicitLocOpBuilder ib(loc, nb);
          HeadTiles xt(ib, ctx);
          Value t0 = arith::MulIOp::create(ib, c, cst);
          Value len = xt.tileLength(t0, C);
          Value G = gated ? xt.cumsum(xt.gateTile(t0, len, C)) : Value();
          Value next = xt.stateUpdate(iter[0], xt.keyTile(t0, len, C),
                                      xt.tile(ctx.op.getV(), t0, len, C), G);
          scf::YieldOp::create(ib, ValueRange{next});
        });
    finalState = pass.getResult(0);
  }
  return {outer.getResult(0), finalState};
}

namespace {
struct LowerSemiseparableQuadratic
    : public OpRewritePattern<mixer::SemiseparableOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(mixer::SemiseparableOp op,
                                PatternRewriter &rewriter) const override {
    auto form = op.getFormAttr();
    if (!form || form.getKind() != mixer::FormKind::quadratic)
      return rewriter.notifyMatchFailure(op, "form is not quadratic");
    int64_t C = form.getTile() ? form.getTile() : defaultBlockSize(op);
    buildPerHeadSkeleton(
        rewriter, op,
        [C](ImplicitLocOpBuilder &b, const HeadContext &ctx, Value rows,
            Value state) { return quadraticHead(b, ctx, C, rows, state); });
    return success();
  }
};

struct MixerLowerQuadraticPass
    : public mixir::impl::MixerLowerQuadraticBase<MixerLowerQuadraticPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateLowerQuadraticPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mixir::populateLowerQuadraticPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerSemiseparableQuadratic>(patterns.getContext());
}
