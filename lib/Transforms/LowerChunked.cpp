//===- LowerChunked.cpp - the chunked (chunkwise-parallel) form ---------===//
//
// MIXERS.md section 2, "chunked": per (batch, head), for each chunk of C
// tokens with G the cumulative log decay inside the chunk,
//   O = scale · ((Q ⊙ exp(G)) S + causal((Q Kᵀ) ⊙ exp(G_t − G_s)) V)
//   S' = exp(G_last) ⊙ S + (K ⊙ exp(G_last − G))ᵀ V
// Every exponent is ≤ 0. The last chunk is zero-padded (a padded token has
// k = v = 0 and g = 0, so it changes neither S nor any kept output).
//
// When batch·heads leaves workers idle (2·B·H ≤ mixer.num_workers, read at
// run time), each head's chunks are also split into segments that run in
// parallel. The chunk recurrence S' = a ⊙ S + u composes associatively
// ((a₂, u₂)∘(a₁, u₁) = (a₂a₁, a₂ ⊙ u₁ + u₂)), so:
//   1. per segment, in parallel: its contribution U from a zero state and
//      its total log decay d (a sum of terms ≤ 0);
//   2. per head, in order over the few segments: S_in(j+1) =
//      exp(d_j) ⊙ S_in(j) + U_j;
//   3. per segment, in parallel: the chunk loop above from S_in(j).
// Step 3 repeats step 1's state updates (about a quarter of the work), and
// the extra memory is one K×V state per segment.
//
//===----------------------------------------------------------------------===//
#include "mixir/Transforms/CostModel.h"
#include "SemiseparableBuilder.h"
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
/// The tiles of chunk c of one head that both the output and the state
/// need.
struct Chunk {
  Value t0, len, k, v, g, G;
};

/// A slice that one iteration of an scf.forall writes into a shared output.
struct ParallelInsert {
  Value source;
  SmallVector<OpFoldResult> offsets, sizes;
};
} // namespace

static Chunk loadChunk(HeadTiles &xt, const HeadContext &ctx, Value c,
                       int64_t C) {
  Chunk ch;
  ch.t0 = arith::MulIOp::create(xt.b, c, xt.index(C));
  ch.len = xt.tileLength(ch.t0, C);
  ch.k = xt.keyTile(ch.t0, ch.len, C);
  ch.v = xt.tile(ctx.op.getV(), ch.t0, ch.len, C);
  ch.g = xt.gateTile(ch.t0, ch.len, C);
  ch.G = ch.g ? xt.cumsum(ch.g) : Value();
  return ch;
}

/// Runs chunks [c0, c1) of one head from `state`. Output row t goes to row
/// t − rowBase of `rows`. Returns {rows, state after chunk c1 − 1}.
static std::pair<Value, Value> chunkLoop(ImplicitLocOpBuilder &b,
                                         const HeadContext &ctx, int64_t C,
                                         Value c0, Value c1, Value rowBase,
                                         Value rows, Value state) {
  HeadTiles x(b, ctx);
  auto loop = scf::ForOp::create(
      b, c0, c1, x.index(1), ValueRange{state, rows},
      [&](OpBuilder &nb, Location loc, Value c, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, ctx);
        Value S = iter[0];
        Chunk ch = loadChunk(xt, ctx, c, C);
        Value qs = xt.scaleByDecay(xt.tile(ctx.op.getQ(), ch.t0, ch.len, C),
                                   {}, ctx.scale);
        // Inter-chunk part: (Q ⊙ exp(G)) S, then the intra-chunk part.
        Value qd =
            ch.G ? xt.scaleByDecay(qs, {Decay{ch.G, /*isTile=*/true}}) : qs;
        Value out = xt.matmulAcc(qd, S, xt.zeros({C, ctx.V}));
        out = xt.matmulAcc(xt.causalScores(qs, ch.k, ch.g, ch.G), ch.v, out);
        Value at = rowBase ? arith::SubIOp::create(ib, ch.t0, rowBase) : ch.t0;
        Value rowsNext = xt.storeRows(out, iter[1], at, ch.len);
        Value stateNext = xt.stateUpdate(S, ch.k, ch.v, ch.G);
        scf::YieldOp::create(ib, ValueRange{stateNext, rowsNext});
      });
  return {loop.getResult(1), loop.getResult(0)};
}

/// An scf.forall over [0, ubs) with shared outputs `outs`; `body` builds
/// one iteration from the induction variables and the shared outputs and
/// returns what it writes into each of them.
static SmallVector<Value> buildForall(
    ImplicitLocOpBuilder &b, ArrayRef<OpFoldResult> ubs, ValueRange outs,
    llvm::function_ref<SmallVector<ParallelInsert>(ValueRange, ValueRange)>
        body) {
  OpBuilder::InsertionGuard guard(b);
  auto forall = scf::ForallOp::create(b, ubs, outs, std::nullopt);
  b.setInsertionPointToStart(forall.getBody());
  SmallVector<ParallelInsert> inserts =
      body(forall.getInductionVars(), forall.getRegionIterArgs());
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  for (auto [insert, dest] : llvm::zip(inserts, forall.getRegionIterArgs()))
    tensor::ParallelInsertSliceOp::create(
        b, insert.source, dest, insert.offsets, insert.sizes,
        SmallVector<OpFoldResult>(insert.offsets.size(), b.getIndexAttr(1)));
  return SmallVector<Value>(forall.getResults());
}

/// The segment-parallel variant (see the file comment): returns the values
/// that replace `op`'s results. `numChunks` = ⌈T/C⌉ ≥ 2, `perHead` ≥ 2 is the
/// number of workers available to each head.
static SmallVector<Value> buildSegmentParallel(ImplicitLocOpBuilder &b,
                                               mixer::SemiseparableOp op,
                                               int64_t C, Value numChunks,
                                               Value perHead) {
  const int64_t H = op.getNumHeads(), K = op.getKeyDim(), V = op.getValueDim();
  Type f32 = b.getF32Type();
  Value B = tensor::DimOp::create(b, op.getQ(), 0);
  Value T = tensor::DimOp::create(b, op.getQ(), 1);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult Hs = b.getIndexAttr(H), Ks = b.getIndexAttr(K),
               Vs = b.getIndexAttr(V);
  auto ctxAt = [&](Value bi, Value hi) {
    return HeadContext{op, op.getGateKind(), K, V, op.getScaleOrDefault(),
                       bi, hi, T};
  };
  const bool hasGate = static_cast<bool>(op.getGate());
  const bool perChannel = op.getGateKind() == mixer::GateKind::Channel;
  const int64_t gateWidth = perChannel ? K : 1;

  // Segments of `segChunks` chunks: as many as workers, at most one chunk
  // each.
  Value segs = arith::MinSIOp::create(b, perHead, numChunks);
  Value segChunks = arith::CeilDivSIOp::create(b, numChunks, segs);
  Value numSegs = arith::CeilDivSIOp::create(b, numChunks, segChunks);
  auto segmentChunks = [&](ImplicitLocOpBuilder &ib, Value j) {
    Value c0 = arith::MulIOp::create(ib, j, segChunks);
    Value c1 = arith::MinSIOp::create(
        ib, arith::AddIOp::create(ib, c0, segChunks), numChunks);
    return std::pair<Value, Value>{c0, c1};
  };
  SmallVector<OpFoldResult> grid{B, Hs, numSegs};

  // 1. Each segment's contribution from a zero state, and its log decay.
  SmallVector<Value> initA{tensor::EmptyOp::create(
      b, ArrayRef<OpFoldResult>{B, Hs, numSegs, Ks, Vs}, f32)};
  if (hasGate)
    initA.push_back(tensor::EmptyOp::create(
        b, ArrayRef<OpFoldResult>{B, Hs, numSegs, b.getIndexAttr(gateWidth)},
        f32));
  SmallVector<Value> contributions = buildForall(
      b, grid, initA, [&](ValueRange iv, ValueRange) {
        HeadContext ctx = ctxAt(iv[0], iv[1]);
        HeadTiles x(b, ctx);
        auto [c0, c1] = segmentChunks(b, iv[2]);
        SmallVector<Value> init{x.zeros({K, V})};
        if (hasGate)
          init.push_back(perChannel ? x.zeros({K}) : x.f32(0.0));
        auto loop = scf::ForOp::create(
            b, c0, c1, x.index(1), init,
            [&](OpBuilder &nb, Location loc, Value c, ValueRange iter) {
              ImplicitLocOpBuilder ib(loc, nb);
              HeadTiles xt(ib, ctx);
              Chunk ch = loadChunk(xt, ctx, c, C);
              SmallVector<Value> next{
                  xt.stateUpdate(iter[0], ch.k, ch.v, ch.G)};
              if (hasGate)
                next.push_back(xt.addRows(iter[1], xt.lastRow(ch.G)));
              scf::YieldOp::create(ib, next);
            });
        SmallVector<ParallelInsert> out{
            {loop.getResult(0),
             {iv[0], iv[1], iv[2], zero, zero},
             {one, one, one, Ks, Vs}}};
        if (hasGate) {
          Value d = loop.getResult(1);
          if (!perChannel)
            d = tensor::FromElementsOp::create(
                b, RankedTensorType::get({1}, f32), ValueRange{d});
          out.push_back({d,
                         {iv[0], iv[1], iv[2], zero},
                         {one, one, one, b.getIndexAttr(gateWidth)}});
        }
        return out;
      });
  Value logDecays = hasGate ? contributions[1] : Value();

  // 2. Per head, the state entering each segment (written over the
  //    contributions), and the final state.
  const bool hasFinal = static_cast<bool>(op.getFinalState());
  SmallVector<Value> initB{contributions[0]};
  if (hasFinal)
    initB.push_back(
        tensor::EmptyOp::create(b, ArrayRef<OpFoldResult>{B, Hs, Ks, Vs}, f32));
  auto segStatesType =
      RankedTensorType::get({ShapedType::kDynamic, K, V}, f32);
  auto stateType = RankedTensorType::get({K, V}, f32);
  SmallVector<Value> entering = buildForall(
      b, {B, Hs}, initB, [&](ValueRange iv, ValueRange shared) {
        HeadContext ctx = ctxAt(iv[0], iv[1]);
        HeadTiles x(b, ctx);
        SmallVector<OpFoldResult> headOffsets{iv[0], iv[1], zero, zero, zero};
        SmallVector<OpFoldResult> headSizes{one, one, numSegs, Ks, Vs};
        Value segStates = tensor::ExtractSliceOp::create(
            b, segStatesType, shared[0], headOffsets, headSizes,
            SmallVector<OpFoldResult>(5, one));
        Value S0 = x.zeros({K, V});
        if (Value init = op.getInitialState())
          S0 = tensor::ExtractSliceOp::create(
              b, stateType, init, ArrayRef<OpFoldResult>{iv[0], iv[1], zero, zero},
              ArrayRef<OpFoldResult>{one, one, Ks, Vs},
              SmallVector<OpFoldResult>(4, one));
        auto loop = scf::ForOp::create(
            b, x.index(0), numSegs, x.index(1), ValueRange{S0, segStates},
            [&](OpBuilder &nb, Location loc, Value j, ValueRange iter) {
              ImplicitLocOpBuilder ib(loc, nb);
              HeadTiles xt(ib, ctx);
              SmallVector<OpFoldResult> at{j, zero, zero};
              SmallVector<OpFoldResult> size{one, Ks, Vs};
              SmallVector<OpFoldResult> unit(3, one);
              Value u = tensor::ExtractSliceOp::create(ib, stateType, iter[1],
                                                       at, size, unit);
              Value S = iter[0];
              if (logDecays) {
                Value d = tensor::ExtractSliceOp::create(
                    ib, RankedTensorType::get({gateWidth}, f32), logDecays,
                    ArrayRef<OpFoldResult>{iv[0], iv[1], j, zero},
                    ArrayRef<OpFoldResult>{one, one, one,
                                           ib.getIndexAttr(gateWidth)},
                    SmallVector<OpFoldResult>(4, one));
                if (!perChannel)
                  d = tensor::ExtractOp::create(ib, d, ValueRange{xt.index(0)});
                S = xt.decayState(S, d);
              }
              Value next = xt.addRows(S, u);
              // u is read above, before its slot is overwritten.
              Value states = tensor::InsertSliceOp::create(ib, iter[0], iter[1],
                                                           at, size, unit);
              scf::YieldOp::create(ib, ValueRange{next, states});
            });
        SmallVector<ParallelInsert> out{
            {loop.getResult(1), headOffsets, headSizes}};
        if (hasFinal)
          out.push_back({loop.getResult(0),
                         {iv[0], iv[1], zero, zero},
                         {one, one, Ks, Vs}});
        return out;
      });

  // 3. Each segment's outputs from the state entering it.
  SmallVector<Value> initC{tensor::EmptyOp::create(
      b, ArrayRef<OpFoldResult>{B, T, Hs, Vs}, f32)};
  SmallVector<Value> outputs = buildForall(
      b, grid, initC, [&](ValueRange iv, ValueRange shared) {
        HeadContext ctx = ctxAt(iv[0], iv[1]);
        HeadTiles x(b, ctx);
        auto [c0, c1] = segmentChunks(b, iv[2]);
        Value tBegin = arith::MulIOp::create(b, c0, x.index(C));
        Value tEnd = arith::MinSIOp::create(
            b, arith::MulIOp::create(b, c1, x.index(C)), T);
        Value n = arith::SubIOp::create(b, tEnd, tBegin);
        SmallVector<OpFoldResult> rowOffsets{iv[0], tBegin, iv[1], zero};
        SmallVector<OpFoldResult> rowSizes{one, n, one, Vs};
        Value rows = tensor::ExtractSliceOp::create(
            b, RankedTensorType::get({ShapedType::kDynamic, V}, f32),
            shared[0], rowOffsets, rowSizes, SmallVector<OpFoldResult>(4, one));
        Value S = tensor::ExtractSliceOp::create(
            b, stateType, entering[0],
            ArrayRef<OpFoldResult>{iv[0], iv[1], iv[2], zero, zero},
            ArrayRef<OpFoldResult>{one, one, one, Ks, Vs},
            SmallVector<OpFoldResult>(5, one));
        Value written =
            chunkLoop(b, ctx, C, c0, c1, tBegin, rows, S).first;
        return SmallVector<ParallelInsert>{{written, rowOffsets, rowSizes}};
      });

  SmallVector<Value> results{outputs[0]};
  if (hasFinal)
    results.push_back(entering[1]);
  return results;
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
