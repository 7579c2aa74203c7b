//===- LowerScan.cpp - the scan (recurrent) form ------------------------===//
//
// S_t = diag(exp(g_t)) S_{t-1} + β_t k_t v_tᵀ,  o_t = scale · S_tᵀ q_t
// (MIXERS.md section 2, "scan"), one token at a time per (batch, head). The
// update and the read-out of a token are one fused loop nest over (i, j), as
// a hand-written scan would be.
//
//===----------------------------------------------------------------------===//
#include "SemiseparableBuilder.h"
#include "mixir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERLOWERSCAN
#include "mixir/Transforms/Passes.h.inc"
} // namespace mixir

using namespace mlir;
using namespace mixir;
using namespace mixir::detail;
using mixer::GateKind;

static std::pair<Value, Value> scanHead(ImplicitLocOpBuilder &b,
                                        const HeadContext &ctx, Value rows,
                                        Value state) {
  HeadTiles x(b, ctx);
  // A per-head decay is the same at every token: exponentiate it once.
  Value headDecay;
  if (ctx.gate == GateKind::Head)
    headDecay = math::ExpOp::create(b, x.gateAt(nullptr));

  auto loop = scf::ForOp::create(
      b, x.index(0), ctx.T, x.index(1), ValueRange{state, rows},
      [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, ctx);
        MLIRContext *m = ib.getContext();
        Value one = xt.index(1);
        // One-token tiles [1, D].
        Value qs = xt.scaleByDecay(xt.tile(ctx.op.getQ(), t, one, 1), {},
                                   ctx.scale);
        Value kt = xt.keyTile(t, one, 1);
        Value vt = xt.tile(ctx.op.getV(), t, one, 1);
        SmallVector<Value> inputs{kt, vt, qs};
        Value decay = headDecay; // scalar, captured
        if (ctx.gate == GateKind::Token)
          decay = math::ExpOp::create(ib, xt.gateAt(t));
        if (ctx.gate == GateKind::Channel)
          inputs.push_back(xt.exp(xt.gateTile(t, one, 1)));

        // o_t starts at zero in the output rows.
        OpFoldResult zero = ib.getIndexAttr(0), unit = ib.getIndexAttr(1);
        SmallVector<OpFoldResult> offsets{t, zero};
        SmallVector<OpFoldResult> sizes{unit, ib.getIndexAttr(ctx.V)};
        SmallVector<OpFoldResult> strides{unit, unit};
        Value out = tensor::ExtractSliceOp::create(
            ib, RankedTensorType::get({1, ctx.V}, ib.getF32Type()), iter[1],
            offsets, sizes, strides);
        out = linalg::FillOp::create(ib, ValueRange{xt.f32(0)},
                                     ValueRange{out})
                  .getResult(0);

        // Iteration space (i, j): i over K, j over V (innermost, contiguous).
        auto d = [&](unsigned pos) { return getAffineDimExpr(pos, m); };
        auto c0 = getAffineConstantExpr(0, m);
        auto mp = [&](ArrayRef<AffineExpr> e) {
          return AffineMap::get(2, 0, e, m);
        };
        SmallVector<AffineMap> maps{mp({c0, d(0)}), mp({c0, d(1)}),
                                    mp({c0, d(0)})};
        if (ctx.gate == GateKind::Channel)
          maps.push_back(mp({c0, d(0)}));
        maps.push_back(mp({d(0), d(1)})); // S
        maps.push_back(mp({c0, d(1)}));   // o_t
        auto update = linalg::GenericOp::create(
            ib, TypeRange{iter[0].getType(), out.getType()}, inputs,
            ValueRange{iter[0], out}, maps,
            ArrayRef<utils::IteratorType>{utils::IteratorType::reduction,
                                          utils::IteratorType::parallel},
            [&](OpBuilder &bb, Location l, ValueRange args) {
              ImplicitLocOpBuilder eb(l, bb);
              auto fm = arith::FastMathFlagsAttr::get(
                  eb.getContext(), arith::FastMathFlags::contract);
              // args: k, v, qs, [a], S, o
              Value k = args[0], v = args[1], q = args[2];
              unsigned next = 3;
              Value a = ctx.gate == GateKind::Channel ? args[next++] : decay;
              Value s = args[next], o = args[next + 1];
              if (a)
                s = arith::MulFOp::create(eb, s, a, fm);
              Value kv = arith::MulFOp::create(eb, k, v, fm);
              s = arith::AddFOp::create(eb, s, kv, fm);
              Value sq = arith::MulFOp::create(eb, s, q, fm);
              o = arith::AddFOp::create(eb, o, sq, fm);
              linalg::YieldOp::create(eb, ValueRange{s, o});
            });
        Value rowsNext = tensor::InsertSliceOp::create(
            ib, update.getResult(1), iter[1], offsets, sizes, strides);
        scf::YieldOp::create(ib, ValueRange{update.getResult(0), rowsNext});
      });
  return {loop.getResult(1), loop.getResult(0)};
}

namespace {
struct LowerSemiseparableScan
    : public OpRewritePattern<mixer::SemiseparableOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(mixer::SemiseparableOp op,
                                PatternRewriter &rewriter) const override {
    auto form = op.getFormAttr();
    if (!form || form.getKind() != mixer::FormKind::scan)
      return rewriter.notifyMatchFailure(op, "form is not scan");
    buildPerHeadSkeleton(rewriter, op, scanHead);
    return success();
  }
};

struct MixerLowerScanPass
    : public mixir::impl::MixerLowerScanBase<MixerLowerScanPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateLowerScanPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mixir::populateLowerScanPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerSemiseparableScan>(patterns.getContext());
}
