//===- ChunkedSegments.cpp - a head's chunks split across workers ---------===//
//
// When batch·heads leaves workers idle (2·B·H ≤ mixer.num_workers, read at
// run time), each head's chunks are split into segments that run in
// parallel. The chunk recurrence S' = a ⊙ S + u composes associatively,
// (a₂, u₂)∘(a₁, u₁) = (a₂a₁, a₂ ⊙ u₁ + u₂), so:
//   1. per segment, in parallel: its contribution U from a zero state and
//      its total log decay d (a sum of terms ≤ 0);
//   2. per head, in order over the few segments: S_in(j+1) =
//      exp(d_j) ⊙ S_in(j) + U_j, from the initial state;
//   3. per segment, in parallel: the chunk loop from S_in(j).
// Step 3 repeats step 1's state updates (about a quarter of the work), and
// the extra memory is one K×V state per segment.
//
//===----------------------------------------------------------------------===//
#include "ChunkedForm.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::detail;

namespace {
/// A slice that one iteration of an scf.forall writes into a shared output.
struct ParallelInsert {
  Value source;
  SmallVector<OpFoldResult> offsets, sizes;
};
} // namespace

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

SmallVector<Value>
mixir::detail::buildSegmentParallel(ImplicitLocOpBuilder &b,
                                    mixer::SemiseparableOp op, int64_t C,
                                    Value numChunks, Value perHead) {
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
