//===- LowerChunked.cpp - the chunked (chunkwise-parallel) form ---------===//
//
// Replaces a `mixer.semiseparable` whose form is chunked by
//   scf.if (at least two chunks and 2·B·H ≤ mixer.num_workers)
//     the segment split of each head's chunks (ChunkedSegments.cpp)
//   else
//     one chunk loop per (batch, head) (ChunkLoop.cpp)
// Both branches are target-neutral tensor programs.
//
//===----------------------------------------------------------------------===//
#include "ChunkedForm.h"
#include "mixir/Transforms/CostModel.h"
#include "mixir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERLOWERCHUNKED
#include "mixir/Transforms/Passes.h.inc"
} // namespace mixir

using namespace mlir;
using namespace mixir;
using namespace mixir::detail;

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
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    b.setInsertionPoint(op);

    // Split the sequence only where batch·heads leaves half the workers or
    // more idle and there are at least two chunks.
    Value B = tensor::DimOp::create(b, op.getQ(), 0);
    Value T = tensor::DimOp::create(b, op.getQ(), 1);
    auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, v); };
    Value numChunks = arith::CeilDivSIOp::create(b, T, cst(C));
    Value heads = arith::MulIOp::create(b, B, cst(op.getNumHeads()));
    Value workers = mixer::NumWorkersOp::create(b, b.getIndexType());
    auto cmp = [&](arith::CmpIPredicate p, Value l, Value r) {
      return arith::CmpIOp::create(b, p, l, r);
    };
    Value split = arith::AndIOp::create(
        b,
        arith::AndIOp::create(
            b, cmp(arith::CmpIPredicate::sgt, heads, cst(0)),
            cmp(arith::CmpIPredicate::sle,
                arith::MulIOp::create(b, heads, cst(2)), workers)),
        cmp(arith::CmpIPredicate::sge, numChunks, cst(2)));

    auto ifOp = scf::IfOp::create(b, op.getResultTypes(), split,
                                  /*withElseRegion=*/true);
    auto yieldAll = [&](SmallVector<Value> values) {
      scf::YieldOp::create(b, castToResultTypes(b, op, std::move(values)));
    };
    b.setInsertionPointToStart(ifOp.thenBlock());
    yieldAll(buildSegmentParallel(
        b, op, C, numChunks, arith::DivSIOp::create(b, workers, heads)));
    b.setInsertionPointToStart(ifOp.elseBlock());
    yieldAll(buildPerHead(
        b, op,
        [C](ImplicitLocOpBuilder &hb, const HeadContext &ctx, Value rows,
            Value state) {
          HeadTiles x(hb, ctx);
          Value n = arith::CeilDivSIOp::create(hb, ctx.T, x.index(C));
          return chunkLoop(hb, ctx, C, x.index(0), n, Value(), rows, state);
        }));
    rewriter.replaceOp(op, ifOp.getResults());
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
