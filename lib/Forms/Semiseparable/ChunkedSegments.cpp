//===- ChunkedSegments.cpp - a head's chunks split across workers ---------===//
//
// When batch·heads leaves workers idle (2·B·H ≤ mixer.num_workers, read at
// run time), each head's chunks are split into segments that run in
// parallel. A chunk maps the state affinely, S' = A·S + u, and such maps
// compose associatively, (A₂, u₂)∘(A₁, u₁) = (A₂A₁, A₂u₁ + u₂), so:
//   1. per segment, in parallel: its contribution U from a zero state and
//      its transition: for a diagonal transition the total log decay d (a
//      sum of terms ≤ 0, A = exp(d) ⊙ ·); for the delta rule and the low-rank
//      transition the K×K matrix
//      M, the segment's chunk maps applied to the identity without their
//      offsets (Chunk::linearWrites);
//   2. per head, in order over the few segments: S_in(j+1) =
//      A_j S_in(j) + U_j, from the initial state;
//   3. per segment, in parallel: the chunk loop from S_in(j).
// Step 3 repeats step 1's state updates (about a quarter of the work for a
// diagonal transition), and the extra memory is one K×V state (and for a
// transition with a rank-one part one K×K matrix) per segment.
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
/// The sizes every step of the split shares, and the three steps.
class SegmentSplit {
public:
  SegmentSplit(ImplicitLocOpBuilder &b, const Problem &p, int64_t C,
               Value numChunks, Value perHead)
      : b(b), p(p), op(p.op), C(C), K(p.K), V(p.V), f32(b.getF32Type()),
        numChunks(numChunks), hasGate(static_cast<bool>(op.getGate())),
        perChannel(p.gate == mixer::GateKind::Channel),
        matrix(p.transition != mixer::TransitionKind::Diagonal),
        gateWidth(perChannel ? K : 1) {
    B = tensor::DimOp::create(b, op.getQ(), 0);
    T = tensor::DimOp::create(b, op.getQ(), 1);
    zero = b.getIndexAttr(0);
    one = b.getIndexAttr(1);
    Hs = b.getIndexAttr(p.H);
    Ks = b.getIndexAttr(K);
    Vs = b.getIndexAttr(V);
    // Segments of `segChunks` chunks: as many as workers, at most one chunk
    // each.
    Value segs = arith::MinSIOp::create(b, perHead, numChunks);
    segChunks = arith::CeilDivSIOp::create(b, numChunks, segs);
    numSegs = arith::CeilDivSIOp::create(b, numChunks, segChunks);
  }

  /// Step 1: each segment's contribution from a zero state [B,H,n,K,V] and
  /// its transition: nothing without a gate, the total log decay
  /// [B,H,n,K or 1] with one, the matrix [B,H,n,K,K] for a transition with a
  /// rank-one part.
  SmallVector<Value> contributions();
  /// Step 2: the state entering each segment, written over the
  /// contributions, and the final state when the op returns it.
  SmallVector<Value> enteringStates(Value contributions, Value transitions);
  /// Step 3: the output rows of every segment from its entering state.
  Value outputs(Value entering);

private:
  HeadIndex headAt(Value bi, Value hi) { return HeadIndex{bi, hi, T}; }
  /// Chunks [c0, c1) of segment j.
  std::pair<Value, Value> chunksOf(Value j) {
    Value c0 = arith::MulIOp::create(b, j, segChunks);
    Value c1 = arith::MinSIOp::create(
        b, arith::AddIOp::create(b, c0, segChunks), numChunks);
    return {c0, c1};
  }
  SmallVector<OpFoldResult> unit(unsigned rank) const {
    return SmallVector<OpFoldResult>(rank, one);
  }

  ImplicitLocOpBuilder &b;
  const Problem &p;
  mixer::SemiseparableOp op;
  int64_t C, K, V;
  Type f32;
  Value numChunks, B, T, segChunks, numSegs;
  OpFoldResult zero, one, Hs, Ks, Vs;
  bool hasGate, perChannel;
  /// Whether a segment's transition is a K×K matrix (else a log decay).
  bool matrix;
  int64_t gateWidth;
};
} // namespace

SmallVector<Value> SegmentSplit::contributions() {
  SmallVector<Value> init{tensor::EmptyOp::create(
      b, ArrayRef<OpFoldResult>{B, Hs, numSegs, Ks, Vs}, f32)};
  if (matrix)
    init.push_back(tensor::EmptyOp::create(
        b, ArrayRef<OpFoldResult>{B, Hs, numSegs, Ks, Ks}, f32));
  else if (hasGate)
    init.push_back(tensor::EmptyOp::create(
        b, ArrayRef<OpFoldResult>{B, Hs, numSegs, b.getIndexAttr(gateWidth)},
        f32));
  return buildForall(
      b, {B, Hs, numSegs}, init, [&](ValueRange iv, ValueRange) {
        HeadIndex at = headAt(iv[0], iv[1]);
        HeadTiles x(b, p, at);
        auto [c0, c1] = chunksOf(iv[2]);
        SmallVector<Value> carried{x.zeros({K, V})};
        if (matrix)
          carried.push_back(x.identity(K));
        else if (hasGate)
          carried.push_back(x.constantGateRow(0.0));
        auto loop = scf::ForOp::create(
            b, c0, c1, x.index(1), carried,
            [&](OpBuilder &nb, Location loc, Value c, ValueRange iter) {
              ImplicitLocOpBuilder ib(loc, nb);
              HeadTiles xt(ib, p, at);
              Chunk ch = loadChunk(xt, c, C, /*forOutput=*/false);
              SmallVector<Value> next{
                  xt.stateUpdate(iter[0], ch.writes(xt, iter[0]), ch.G)};
              if (matrix)
                next.push_back(xt.stateUpdate(
                    iter[1], ch.linearWrites(xt, iter[1]), ch.G));
              else if (hasGate)
                next.push_back(xt.addRows(iter[1], xt.lastRow(ch.G)));
              scf::YieldOp::create(ib, next);
            });
        SmallVector<ParallelInsert> out{
            {loop.getResult(0),
             {iv[0], iv[1], iv[2], zero, zero},
             {one, one, one, Ks, Vs}}};
        if (matrix) {
          out.push_back({loop.getResult(1),
                         {iv[0], iv[1], iv[2], zero, zero},
                         {one, one, one, Ks, Ks}});
        } else if (hasGate) {
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
}

SmallVector<Value> SegmentSplit::enteringStates(Value contributions,
                                                Value transitions) {
  const bool hasFinal = static_cast<bool>(op.getFinalState());
  SmallVector<Value> init{contributions};
  if (hasFinal)
    init.push_back(tensor::EmptyOp::create(
        b, ArrayRef<OpFoldResult>{B, Hs, Ks, Vs},
        elementTypeOf(op.getFinalState())));
  auto segStatesType =
      RankedTensorType::get({ShapedType::kDynamic, K, V}, f32);
  auto stateType = RankedTensorType::get({K, V}, f32);
  return buildForall(
      b, {B, Hs}, init, [&](ValueRange iv, ValueRange shared) {
        HeadIndex at = headAt(iv[0], iv[1]);
        HeadTiles x(b, p, at);
        SmallVector<OpFoldResult> headOffsets{iv[0], iv[1], zero, zero, zero};
        SmallVector<OpFoldResult> headSizes{one, one, numSegs, Ks, Vs};
        Value segStates = tensor::ExtractSliceOp::create(
            b, segStatesType, shared[0], headOffsets, headSizes, unit(5));
        Value h0 = op.getInitialState();
        Value S0 = h0 ? x.headMatrix(h0) : x.zeros({K, V});
        auto loop = scf::ForOp::create(
            b, x.index(0), numSegs, x.index(1), ValueRange{S0, segStates},
            [&](OpBuilder &nb, Location loc, Value j, ValueRange iter) {
              ImplicitLocOpBuilder ib(loc, nb);
              HeadTiles xt(ib, p, at);
              SmallVector<OpFoldResult> slot{j, zero, zero};
              SmallVector<OpFoldResult> size{one, Ks, Vs};
              Value u = tensor::ExtractSliceOp::create(ib, stateType, iter[1],
                                                       slot, size, unit(3));
              Value S = iter[0], next;
              if (matrix) {
                Value M = tensor::ExtractSliceOp::create(
                    ib, RankedTensorType::get({K, K}, f32), transitions,
                    ArrayRef<OpFoldResult>{iv[0], iv[1], j, zero, zero},
                    ArrayRef<OpFoldResult>{one, one, one, Ks, Ks}, unit(5));
                next = xt.matmulAcc(M, S, u);
              } else {
                if (transitions) {
                  Value d = tensor::ExtractSliceOp::create(
                      ib, RankedTensorType::get({gateWidth}, f32), transitions,
                      ArrayRef<OpFoldResult>{iv[0], iv[1], j, zero},
                      ArrayRef<OpFoldResult>{one, one, one,
                                             ib.getIndexAttr(gateWidth)},
                      unit(4));
                  if (!perChannel)
                    d = tensor::ExtractOp::create(ib, d,
                                                  ValueRange{xt.index(0)});
                  S = xt.decayState(S, d);
                }
                next = xt.addRows(S, u);
              }
              // u is read above, before its slot is overwritten.
              Value states = tensor::InsertSliceOp::create(
                  ib, iter[0], iter[1], slot, size, unit(3));
              scf::YieldOp::create(ib, ValueRange{next, states});
            });
        SmallVector<ParallelInsert> out{
            {loop.getResult(1), headOffsets, headSizes}};
        if (hasFinal)
          out.push_back({x.convertTo(loop.getResult(0),
                                     elementTypeOf(op.getFinalState())),
                         {iv[0], iv[1], zero, zero},
                         {one, one, Ks, Vs}});
        return out;
      });
}

Value SegmentSplit::outputs(Value entering) {
  Type outType = elementTypeOf(op.getOutput());
  SmallVector<Value> init{tensor::EmptyOp::create(
      b, ArrayRef<OpFoldResult>{B, T, Hs, Vs}, outType)};
  auto stateType = RankedTensorType::get({K, V}, f32);
  return buildForall(
             b, {B, Hs, numSegs}, init,
             [&](ValueRange iv, ValueRange shared) {
               HeadIndex at = headAt(iv[0], iv[1]);
               HeadTiles x(b, p, at);
               auto [c0, c1] = chunksOf(iv[2]);
               Value tBegin = arith::MulIOp::create(b, c0, x.index(C));
               Value tEnd = arith::MinSIOp::create(
                   b, arith::MulIOp::create(b, c1, x.index(C)), T);
               Value n = arith::SubIOp::create(b, tEnd, tBegin);
               SmallVector<OpFoldResult> rowOffsets{iv[0], tBegin, iv[1], zero};
               SmallVector<OpFoldResult> rowSizes{one, n, one, Vs};
               Value rows = tensor::ExtractSliceOp::create(
                   b, RankedTensorType::get({ShapedType::kDynamic, V}, outType),
                   shared[0], rowOffsets, rowSizes, unit(4));
               Value S = tensor::ExtractSliceOp::create(
                   b, stateType, entering,
                   ArrayRef<OpFoldResult>{iv[0], iv[1], iv[2], zero, zero},
                   ArrayRef<OpFoldResult>{one, one, one, Ks, Vs}, unit(5));
               Value written =
                   chunkLoop(b, p, at, C, c0, c1, tBegin, rows, S).first;
               return SmallVector<ParallelInsert>{
                   {written, rowOffsets, rowSizes}};
             })
      .front();
}

SmallVector<Value> mixir::forms::semiseparable::buildSegmentParallel(
    ImplicitLocOpBuilder &b, const Problem &p, int64_t C, Value numChunks,
    Value perHead) {
  SegmentSplit split(b, p, C, numChunks, perHead);
  SmallVector<Value> contributions = split.contributions();
  SmallVector<Value> entering = split.enteringStates(
      contributions[0], contributions.size() > 1 ? contributions[1] : Value());
  SmallVector<Value> results{split.outputs(entering[0])};
  if (p.op.getFinalState())
    results.push_back(entering[1]);
  return results;
}
