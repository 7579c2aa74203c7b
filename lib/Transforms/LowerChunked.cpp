//===- LowerChunked.cpp - the chunked (chunkwise-parallel) form ---------===//
//
// MIXERS.md section 2, "chunked": per (batch, head), for each chunk of C
// tokens with G the cumulative log decay inside the chunk,
//   O = scale · ((Q ⊙ exp(G)) S + causal((Q Kᵀ) ⊙ exp(G_t − G_s)) V)
//   S' = exp(G_last) ⊙ S + (K ⊙ exp(G_last − G))ᵀ V
// Every exponent is ≤ 0. The last chunk is zero-padded (a padded token has
// k = v = 0 and g = 0, so it changes neither S nor any kept output).
//
//===----------------------------------------------------------------------===//
#include "mixir/Transforms/CostModel.h"
#include "SemiseparableBuilder.h"
#include "mixir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERLOWERCHUNKED
#include "mixir/Transforms/Passes.h.inc"
} // namespace mixir

using namespace mlir;
using namespace mixir;
using namespace mixir::detail;

static std::pair<Value, Value> chunkedHead(ImplicitLocOpBuilder &b,
                                           const HeadContext &ctx,
                                           int64_t C, Value rows,
                                           Value state) {
  HeadTiles x(b, ctx);
  Value cst = x.index(C);
  Value numChunks = arith::CeilDivSIOp::create(b, ctx.T, cst);
  auto loop = scf::ForOp::create(
      b, x.index(0), numChunks, x.index(1), ValueRange{state, rows},
      [&](OpBuilder &nb, Location loc, Value c, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, ctx);
        Value S = iter[0];
        Value t0 = arith::MulIOp::create(ib, c, cst);
        Value len = xt.tileLength(t0, C);
        Value qs = xt.scaleByDecay(xt.tile(ctx.op.getQ(), t0, len, C), {},
                                   ctx.scale);
        Value k = xt.keyTile(t0, len, C);
        Value v = xt.tile(ctx.op.getV(), t0, len, C);
        Value g = xt.gateTile(t0, len, C);
        Value G = g ? xt.cumsum(g) : Value();

        // Inter-chunk part: (Q ⊙ exp(G)) S, then the intra-chunk part.
        Value qd = G ? xt.scaleByDecay(qs, {Decay{G, /*isTile=*/true}}) : qs;
        Value out = xt.matmulAcc(qd, S, xt.zeros({C, ctx.V}));
        out = xt.matmulAcc(xt.causalScores(qs, k, g, G), v, out);
        Value rowsNext = xt.storeRows(out, iter[1], t0, len);
        Value stateNext = xt.stateUpdate(S, k, v, G);
        scf::YieldOp::create(ib, ValueRange{stateNext, rowsNext});
      });
  return {loop.getResult(1), loop.getResult(0)};
}

namespace {
struct LowerSemiseparableChunked
    : public OpRewritePattern<mixer::SemiseparableOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(mixer::SemiseparableOp op,
                                PatternRewriter &rewriter) const override {
    auto form = op.getFormAttr();
    if (!form || form.getKind() != mixer::FormKind::chunked)
      return rewriter.notifyMatchFailure(op, "form is not chunked");
    int64_t C = form.getTile() ? form.getTile() : defaultChunkSize(op);
    buildPerHeadSkeleton(
        rewriter, op,
        [C](ImplicitLocOpBuilder &b, const HeadContext &ctx, Value rows,
            Value state) { return chunkedHead(b, ctx, C, rows, state); });
    return success();
  }
};

struct MixerLowerChunkedPass
    : public mixir::impl::MixerLowerChunkedBase<MixerLowerChunkedPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateLowerChunkedPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mixir::populateLowerChunkedPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerSemiseparableChunked>(patterns.getContext());
}
