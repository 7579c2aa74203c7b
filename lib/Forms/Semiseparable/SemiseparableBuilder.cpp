//===- SemiseparableBuilder.cpp - pieces of the semiseparable forms ---------===//
#include "SemiseparableBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::semiseparable;
using mixer::GateKind;
using utils::IteratorType;

namespace {
constexpr IteratorType par = IteratorType::parallel;
constexpr IteratorType red = IteratorType::reduction;
} // namespace

Problem::Problem(mixer::SemiseparableOp op)
    : op(op), gate(op.getGateKind()), transition(op.getTransitionKind()),
      H(op.getNumHeads()), K(op.getKeyDim()),
      V(op.getValueDim()), scale(op.getScaleOrDefault()) {}

//===----------------------------------------------------------------------===//
// The (batch, head) skeleton
//===----------------------------------------------------------------------===//

/// `dest` (an f32 tensor whose last dimension is static) with the rows of
/// `src`, a row at a time as one vector: as a loop of scalars LLVM keeps it
/// unvectorised when it cannot prove the two buffers apart (the caller's
/// h0 and hT).
static Value copyRows(ImplicitLocOpBuilder &b, Value src, Value dest) {
  auto type = cast<RankedTensorType>(dest.getType());
  const int64_t rank = type.getRank();
  auto rowType =
      VectorType::get({type.getDimSize(rank - 1)}, type.getElementType());
  Value zero = arith::ConstantIndexOp::create(b, 0);
  Value one = arith::ConstantIndexOp::create(b, 1);
  Value pad = arith::ConstantOp::create(b, b.getF32FloatAttr(0));
  SmallVector<bool> inBounds{true};
  // Loops over every dimension but the last, the row copied innermost.
  std::function<Value(OpBuilder &, Location, SmallVector<Value>, Value)> nest =
      [&](OpBuilder &nb, Location loc, SmallVector<Value> idx,
          Value acc) -> Value {
    if (static_cast<int64_t>(idx.size()) == rank - 1) {
      idx.push_back(zero);
      Value row = vector::TransferReadOp::create(nb, loc, rowType, src, idx,
                                                 pad, inBounds);
      return vector::TransferWriteOp::create(nb, loc, row, acc, idx, inBounds)
          .getResult();
    }
    Value ub = tensor::DimOp::create(nb, loc, dest, idx.size());
    return scf::ForOp::create(
               nb, loc, zero, ub, one, ValueRange{acc},
               [&](OpBuilder &lb, Location l, Value i, ValueRange it) {
                 SmallVector<Value> inner = idx;
                 inner.push_back(i);
                 scf::YieldOp::create(lb, l, nest(lb, l, inner, it[0]));
               })
        .getResult(0);
  };
  return nest(b, b.getLoc(), {}, dest);
}

SmallVector<Value> mixir::forms::semiseparable::buildPerHead(
    ImplicitLocOpBuilder &b, const Problem &p, HeadBody body) {
  mixer::SemiseparableOp op = p.op;
  Value B = tensor::DimOp::create(b, op.getQ(), 0);
  Value T = tensor::DimOp::create(b, op.getQ(), 1);
  OpFoldResult H = b.getIndexAttr(p.H), K = b.getIndexAttr(p.K),
               V = b.getIndexAttr(p.V);
  // The output [B, T, H, V] by rows [T, V]; the final state [B, H, K, V] by
  // [K, V].
  SmallVector<PerHeadResult> results{
      {elementTypeOf(op.getOutput()), {B, T, H, V}, 0, 2}};
  const bool hasFinal = static_cast<bool>(op.getFinalState());
  if (hasFinal)
    results.push_back({elementTypeOf(op.getFinalState()), {B, H, K, V}, 0, 1});

  return forms::buildPerHead(
      b, B, T, p.H, results,
      [&](ImplicitLocOpBuilder &hb, const HeadIndex &at, ValueRange slices) {
        HeadTiles x(hb, p, at);
        Value init = op.getInitialState();
        Value state = init ? x.headMatrix(init) : x.zeros({p.K, p.V});
        // An f32 final state is the head's working state itself: the form
        // updates the head's slice of the result in place, which saves a
        // buffer and a copy of the state per call (a decode step at T = 1
        // then reads h0 and writes hT once each). The copy into the slice
        // also holds when the caller passes hT as h0's buffer: each element
        // is read before it is written, and the head reads only its own.
        if (hasFinal && isa<Float32Type>(elementTypeOf(op.getFinalState())))
          state = init ? copyRows(hb, state, slices[1])
                       : linalg::FillOp::create(hb, ValueRange{x.f32(0)},
                                                ValueRange{slices[1]})
                             .getResult(0);
        auto [rows, finalState] = body(hb, p, at, slices[0], state);
        SmallVector<Value> filled{rows};
        if (hasFinal)
          filled.push_back(finalState);
        return filled;
      });
}

void mixir::forms::semiseparable::replaceByPerHead(RewriterBase &rewriter,
                                                   const Problem &p,
                                                   HeadBody body) {
  ImplicitLocOpBuilder b(p.op.getLoc(), rewriter);
  b.setInsertionPoint(p.op);
  rewriter.replaceOp(p.op, castToTypes(b, p.op->getResultTypes(),
                                       buildPerHead(b, p, body)));
}

int64_t mixir::forms::semiseparable::headGroup(const Problem &p) {
  // Groups share a CPU's memory pages between heads; a GPU block per head
  // has nothing to share.
  if (mixer::targetsGpu(p.op))
    return 1;
  constexpr int64_t kStateBudget = 256 * 1024;
  for (int64_t G = p.H / 2; G > 1; --G)
    if (p.H % G == 0 && G * p.K * p.V * 4 <= kStateBudget)
      return G;
  return 1;
}

/// The group size for this call: the largest divisor d of H up to `cap`
/// with B·H/d ≥ the worker count (every worker still gets an item), or 1;
/// and 1 for fewer than kMinGroupSteps steps (a decode step reads each row
/// once: grouping has no page to share and only spreads the item's states
/// over more cache).
static Value groupSize(ImplicitLocOpBuilder &b, const Problem &p, Value B,
                       Value numSteps, int64_t cap) {
  constexpr int64_t kMinGroupSteps = 8;
  Value workers = mixer::NumWorkersOp::create(b, b.getIndexType());
  Value G = arith::ConstantIndexOp::create(b, 1);
  Value long_ = arith::CmpIOp::create(
      b, arith::CmpIPredicate::sge, numSteps,
      arith::ConstantIndexOp::create(b, kMinGroupSteps));
  for (int64_t d = 2; d <= cap; ++d) {
    if (p.H % d != 0)
      continue;
    Value items = arith::MulIOp::create(
        b, B, arith::ConstantIndexOp::create(b, p.H / d));
    Value enough = arith::AndIOp::create(
        b, long_,
        arith::CmpIOp::create(b, arith::CmpIPredicate::sge, items, workers));
    G = arith::SelectOp::create(b, enough,
                                arith::ConstantIndexOp::create(b, d), G);
  }
  return G;
}

SmallVector<Value> mixir::forms::semiseparable::buildGroupedPerHead(
    ImplicitLocOpBuilder &b, const Problem &p, int64_t maxGroup,
    llvm::function_ref<Value(HeadTiles &)> numSteps, HeadStep step) {
  mixer::SemiseparableOp op = p.op;
  Value B = tensor::DimOp::create(b, op.getQ(), 0);
  Value T = tensor::DimOp::create(b, op.getQ(), 1);
  HeadIndex whole{B, nullptr, T};
  HeadTiles outer(b, p, whole);
  Value n = numSteps(outer);
  Value G = groupSize(b, p, B, n, maxGroup);
  Value out = op.getOutput(), final = op.getFinalState();
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1),
               Ks = b.getIndexAttr(p.K), Vs = b.getIndexAttr(p.V);
  SmallVector<Value> outs{tensor::EmptyOp::create(
      b, ArrayRef<OpFoldResult>{B, T, b.getIndexAttr(p.H), Vs},
      elementTypeOf(out))};
  if (final)
    outs.push_back(tensor::EmptyOp::create(
        b, ArrayRef<OpFoldResult>{B, b.getIndexAttr(p.H), Ks, Vs},
        elementTypeOf(final)));
  Type f32 = b.getF32Type();
  const int64_t dyn = ShapedType::kDynamic;
  SmallVector<OpFoldResult> unit3(3, one), unit4(4, one);
  Value numGroups = arith::DivUIOp::create(
      b, arith::ConstantIndexOp::create(b, p.H), G);
  return buildForall(
      b, {B, numGroups}, outs, [&](ValueRange iv, ValueRange shared) {
        Value batch = iv[0];
        Value h0 = arith::MulIOp::create(b, iv[1], G);
        HeadIndex first{batch, h0, T};
        HeadTiles x(b, p, first);
        // The group's output rows [T, G, V] and its states [G, K, V] (f32).
        SmallVector<OpFoldResult> rowOffsets{batch, zero, h0, zero},
            rowSizes{one, T, G, Vs}, stateOffsets{batch, h0, zero, zero},
            stateSizes{one, G, Ks, Vs};
        auto rowsType =
            RankedTensorType::get({dyn, dyn, p.V}, elementTypeOf(out));
        Value rows = tensor::ExtractSliceOp::create(
            b, rowsType, shared[0], rowOffsets, rowSizes, unit4);
        // An f32 final state is the group's working state itself (as in
        // buildPerHead): the result's slice, updated in place.
        auto statesType = RankedTensorType::get({dyn, p.K, p.V}, f32);
        Value work = tensor::EmptyOp::create(
            b, ArrayRef<OpFoldResult>{G, Ks, Vs}, f32);
        if (final && isa<Float32Type>(elementTypeOf(final)))
          work = tensor::ExtractSliceOp::create(b, statesType, shared[1],
                                                stateOffsets, stateSizes,
                                                unit4);
        Value states;
        if (Value init = op.getInitialState()) {
          states = x.toF32(tensor::ExtractSliceOp::create(
              b, RankedTensorType::get({dyn, p.K, p.V}, elementTypeOf(init)),
              init, stateOffsets, stateSizes, unit4));
          if (work.getDefiningOp<tensor::ExtractSliceOp>())
            states = copyRows(b, states, work);
        } else {
          states = linalg::FillOp::create(b, ValueRange{x.f32(0)},
                                          ValueRange{work})
                       .getResult(0);
        }
        auto headAt = [&](Value g) {
          return SmallVector<OpFoldResult>{g, zero, zero};
        };
        SmallVector<OpFoldResult> stateSlice{one, Ks, Vs}, rowSlice{T, one, Vs};
        auto steps = scf::ForOp::create(
            b, x.index(0), n, x.index(1), ValueRange{states, rows},
            [&](OpBuilder &nb, Location loc, Value i, ValueRange iter) {
              ImplicitLocOpBuilder sb(loc, nb);
              auto heads = scf::ForOp::create(
                  sb, x.index(0), G, x.index(1), iter,
                  [&](OpBuilder &hb, Location hloc, Value g, ValueRange acc) {
                    ImplicitLocOpBuilder ib(hloc, hb);
                    HeadIndex at{batch, arith::AddIOp::create(ib, h0, g), T};
                    HeadTiles xt(ib, p, at);
                    Value S = tensor::ExtractSliceOp::create(
                        ib, RankedTensorType::get({p.K, p.V}, f32), acc[0],
                        headAt(g), stateSlice, unit3);
                    SmallVector<OpFoldResult> rowAt{zero, g, zero};
                    Value headRows = tensor::ExtractSliceOp::create(
                        ib,
                        RankedTensorType::get({dyn, p.V},
                                              rowsType.getElementType()),
                        acc[1], rowAt, rowSlice, unit3);
                    auto [next, nextRows] = step(xt, i, S, headRows);
                    scf::YieldOp::create(
                        ib, ValueRange{tensor::InsertSliceOp::create(
                                           ib, next, acc[0], headAt(g),
                                           stateSlice, unit3),
                                       tensor::InsertSliceOp::create(
                                           ib, nextRows, acc[1], rowAt,
                                           rowSlice, unit3)});
                  });
              scf::YieldOp::create(sb, heads.getResults());
            });
        SmallVector<ParallelInsert> inserts{
            {steps.getResult(1), rowOffsets, rowSizes}};
        if (final)
          inserts.push_back(
              {x.convertTo(steps.getResult(0), elementTypeOf(final)),
               stateOffsets, stateSizes});
        return inserts;
      });
}

//===----------------------------------------------------------------------===//
// Gates and decays
//===----------------------------------------------------------------------===//

Value HeadTiles::gateTile(Value t0, Value len, int64_t size) {
  Value g = p.op.getGate();
  switch (p.gate) {
  case GateKind::None:
    return nullptr;
  case GateKind::Token:
    return tile1d(g, t0, len, size);
  case GateKind::Channel:
    return tile(g, t0, len, size);
  case GateKind::Head:
    break;
  }
  // A constant per-head decay: g_h on the tile's tokens, 0 on the padding.
  return tokensFilled(headScalar(g), len, size);
}

Value HeadTiles::tokensFilled(Value value, Value len, int64_t size) {
  Value init = tensor::EmptyOp::create(b, ArrayRef<int64_t>{size},
                                       b.getF32Type());
  return linalg::GenericOp::create(
             b, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
             ArrayRef<AffineMap>{dimsMap(b.getContext(), 1, {0})},
             ArrayRef<IteratorType>{par},
             [&](OpBuilder &nb, Location loc, ValueRange) {
               ImplicitLocOpBuilder ib(loc, nb);
               Value t = linalg::IndexOp::create(ib, 0);
               Value inside = arith::CmpIOp::create(
                   ib, arith::CmpIPredicate::slt, t, len);
               Value zero =
                   arith::ConstantOp::create(ib, ib.getF32FloatAttr(0));
               linalg::YieldOp::create(
                   ib, ValueRange{arith::SelectOp::create(ib, inside, value,
                                                          zero)});
             })
      .getResult(0);
}

Value HeadTiles::gateAt(Value t) {
  Value g = p.op.getGate();
  switch (p.gate) {
  case GateKind::None:
    return nullptr;
  case GateKind::Head:
    return headScalar(g);
  case GateKind::Token:
    return scalarAt(g, t);
  case GateKind::Channel:
    return row(g, t);
  }
  llvm_unreachable("unknown gate kind");
}

Value HeadTiles::constantGateRow(double value) {
  return perChannel() ? filled({p.K}, value) : f32(value);
}

Value HeadTiles::scaleByDecay(Value x, ArrayRef<Decay> terms, double factor) {
  if (terms.empty() && factor == 1.0)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *mctx = b.getContext();
  SmallVector<Value> inputs{x};
  SmallVector<AffineMap> maps{dimsMap(mctx, 2, {0, 1})};
  // Per term: index into the block arguments, or -1 for a captured scalar.
  SmallVector<int> argOf;
  for (const Decay &term : terms) {
    auto tt = dyn_cast<RankedTensorType>(term.value.getType());
    if (!tt) {
      argOf.push_back(-1);
      continue;
    }
    argOf.push_back(inputs.size());
    inputs.push_back(term.value);
    if (tt.getRank() == 2)
      maps.push_back(dimsMap(mctx, 2, {0, 1}));
    else
      maps.push_back(dimsMap(mctx, 2, {term.isTile ? 0u : 1u}));
  }
  maps.push_back(dimsMap(mctx, 2, {0, 1}));
  Value init = tensor::EmptyOp::create(b, type.getShape(), b.getF32Type());
  return linalg::GenericOp::create(
             b, TypeRange{type}, inputs, ValueRange{init}, maps,
             ArrayRef<IteratorType>{par, par},
             [&](OpBuilder &nb, Location loc, ValueRange args) {
               ImplicitLocOpBuilder ib(loc, nb);
               Value result = args[0];
               if (!terms.empty()) {
                 Value e;
                 for (auto [term, arg] : llvm::zip(terms, argOf)) {
                   Value v = arg < 0 ? term.value : args[arg];
                   if (!e)
                     e = term.negate ? arith::NegFOp::create(ib, v).getResult()
                                     : v;
                   else if (term.negate)
                     e = arith::SubFOp::create(ib, e, v);
                   else
                     e = arith::AddFOp::create(ib, e, v);
                 }
                 result = arith::MulFOp::create(
                     ib, result, math::ExpOp::create(ib, e));
               }
               if (factor != 1.0)
                 result = arith::MulFOp::create(
                     ib, result,
                     arith::ConstantOp::create(ib, ib.getF32FloatAttr(factor)));
               linalg::YieldOp::create(ib, result);
             })
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// Decayed scores and the state update
//===----------------------------------------------------------------------===//

Value HeadTiles::causalScores(Value x, Value y, Value g, Value G,
                              bool exclusive) {
  auto xType = cast<RankedTensorType>(x.getType());
  const int64_t C = xType.getDimSize(0);
  MLIRContext *m = b.getContext();

  if (G && cast<RankedTensorType>(G.getType()).getRank() == 2)
    return channelCausalScores({ScoreRows{x, exclusive}}, y, g).front();

  auto maskedDecay = [&](ImplicitLocOpBuilder &ib, Value gt, Value gs,
                         Value v) -> Value {
    // v · exp(G_t − G_s) for s ≤ t (s < t when exclusive), else 0. The
    // exponent is clamped to ≤ 0 so that the discarded upper triangle never
    // forms exp of a positive.
    Value t = linalg::IndexOp::create(ib, 0);
    Value s = linalg::IndexOp::create(ib, 1);
    Value causal = arith::CmpIOp::create(
        ib, exclusive ? arith::CmpIPredicate::ult : arith::CmpIPredicate::ule,
        s, t);
    Value zero = arith::ConstantOp::create(ib, ib.getF32FloatAttr(0));
    if (gt) {
      Value d = arith::SubFOp::create(ib, gt, gs);
      d = arith::MinimumFOp::create(ib, d, zero);
      v = arith::MulFOp::create(ib, v, math::ExpOp::create(ib, d));
    }
    return arith::SelectOp::create(ib, causal, v, zero);
  };

  // Scalar or no decay: (x yᵀ) ⊙ L with L_ts = exp(G_t − G_s) masked.
  Value scores = matmulTransBAcc(x, y, zeros({C, C}));
  if (!G)
    return updateInPlace2D(scores, {}, {},
                           [&](ImplicitLocOpBuilder &ib, ValueRange args) {
                             return maskedDecay(ib, nullptr, nullptr, args[0]);
                           });
  return updateInPlace2D(
      scores, {exclusive ? exclusiveSums(G) : G, G},
      {dimsMap(m, 2, {0}), dimsMap(m, 2, {1})},
      [&](ImplicitLocOpBuilder &ib, ValueRange args) {
        return maskedDecay(ib, args[0], args[1], args[2]);
      });
}

Value HeadTiles::exclusiveSums(Value G) {
  auto type = cast<RankedTensorType>(G.getType());
  SmallVector<int64_t> shape(type.getShape());
  const int64_t C = shape[0];
  SmallVector<OpFoldResult> zeroOffsets(shape.size(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes, unit(shape.size(), b.getIndexAttr(1));
  for (int64_t d : shape)
    sizes.push_back(b.getIndexAttr(d));
  sizes[0] = b.getIndexAttr(C - 1);
  SmallVector<int64_t> headShape(shape);
  headShape[0] = C - 1;
  Value head = tensor::ExtractSliceOp::create(
      b, RankedTensorType::get(headShape, type.getElementType()), G,
      zeroOffsets, sizes, unit);
  SmallVector<OpFoldResult> shifted(zeroOffsets);
  shifted[0] = b.getIndexAttr(1);
  return tensor::InsertSliceOp::create(b, head, zeros(shape), shifted, sizes,
                                       unit);
}

SmallVector<Value> HeadTiles::causalScores(ArrayRef<ScoreRows> rows, Value y,
                                           Value g, Value G) {
  if (G && cast<RankedTensorType>(G.getType()).getRank() == 2)
    return channelCausalScores(rows, y, g);
  SmallVector<Value> scores;
  for (const ScoreRows &r : rows)
    scores.push_back(causalScores(r.x, y, g, G, r.exclusive));
  return scores;
}

SmallVector<Value> HeadTiles::channelCausalScores(ArrayRef<ScoreRows> rows,
                                                  Value y, Value g) {
  // A per-channel decay sits inside the dot product, so the C×C block cannot
  // be one matmul. Instead of C·C·K exponentials, carry the decayed keys
  //   D_t[s, i] = y[s, i] · Π_{r=s+1..t} exp(g[r, i])   (s ≤ t; 0 for s > t)
  // through the tile: D_t = D_{t-1} ⊙ exp(g_t) with row t set to y_t, and
  // A[t, :] = D_t · x_t (D_{t-1} · x_t when exclusive), for every x of
  // `rows`. Every factor is exp of a log decay ≤ 0, so the products only
  // shrink: no exponent > 0 is ever formed, and the tile costs C·K
  // exponentials and 2·C²·K multiply-adds per x.
  auto yType = cast<RankedTensorType>(y.getType());
  const int64_t C = yType.getDimSize(0), K = yType.getDimSize(1);
  MLIRContext *m = b.getContext();
  Value decay = exp(g);
  SmallVector<Value> init{zeros({C, K})};
  for (size_t i = 0; i < rows.size(); ++i)
    init.push_back(zeros({C, C}));
  auto loop = scf::ForOp::create(
      b, index(0), index(C), index(1), init,
      [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, p, at);
        Value dt = xt.rowAt(decay, t), yt = xt.rowAt(y, t);
        // A[t, s] = Σ_i D[s, i] x[t, i]
        auto scoresOf = [&](Value D, Value x) {
          return xt.contract(D, dimsMap(m, 2, {0, 1}), xt.rowAt(x, t),
                             dimsMap(m, 2, {1}), xt.zeros({C}),
                             dimsMap(m, 2, {0}), {par, red});
        };
        SmallVector<Value> next(iter.begin(), iter.end());
        for (auto [i, r] : llvm::enumerate(rows))
          if (r.exclusive)
            next[i + 1] = xt.setRowAt(iter[i + 1], scoresOf(iter[0], r.x), t);
        // Updated in place (the carried D is the generic's init), so that
        // bufferization reuses one C×K buffer for the whole loop.
        next[0] = xt.updateInPlace2D(
            iter[0], {dt, yt}, {dimsMap(m, 2, {1}), dimsMap(m, 2, {1})},
            [&](ImplicitLocOpBuilder &eb, ValueRange args) -> Value {
              Value s = linalg::IndexOp::create(eb, 0);
              Value own =
                  arith::CmpIOp::create(eb, arith::CmpIPredicate::eq, s, t);
              Value decayed = arith::MulFOp::create(eb, args[2], args[0]);
              return arith::SelectOp::create(eb, own, args[1], decayed);
            });
        for (auto [i, r] : llvm::enumerate(rows))
          if (!r.exclusive)
            next[i + 1] = xt.setRowAt(iter[i + 1], scoresOf(next[0], r.x), t);
        scf::YieldOp::create(ib, next);
      });
  return SmallVector<Value>(llvm::drop_begin(loop.getResults()));
}

Value HeadTiles::decayState(Value S, Value logDecay) {
  // The decay is exponentiated once (K values, or one), not once per element
  // of S: the element loop cannot hoist it past the stores to S. S is
  // updated in place (it is the generic's init): a state carried by a loop
  // keeps one buffer instead of being copied every iteration.
  Value factor = expRow(logDecay);
  if (isa<RankedTensorType>(factor.getType()))
    return updateInPlace2D(S, {factor}, {dimsMap(b.getContext(), 2, {0})},
                           [&](ImplicitLocOpBuilder &ib, ValueRange args) {
                             return arith::MulFOp::create(ib, args[1], args[0])
                                 .getResult();
                           });
  return updateInPlace2D(S, {}, {},
                         [&](ImplicitLocOpBuilder &ib, ValueRange args) {
                           return arith::MulFOp::create(ib, args[0], factor)
                               .getResult();
                         });
}

Value HeadTiles::stateUpdate(Value S, ArrayRef<Write> writes, Value G) {
  Value last = G ? lastRow(G) : Value();
  if (G)
    S = decayState(S, last);
  for (const Write &w : writes) {
    // exp(G_last − G_s) ≤ 1: G is a cumulative sum of non-positive terms.
    Value kd = G ? scaleByDecay(w.key, {Decay{last}, Decay{G, /*isTile=*/true,
                                                          /*negate=*/true}})
                 : w.key;
    S = matmulTransAAcc(kd, w.value, S);
  }
  return S;
}

Value HeadTiles::keyTile(Value t0, Value len, int64_t size) {
  Value k = tile(p.op.getK(), t0, len, size);
  if (Value beta = p.op.getBeta();
      beta && p.transition != mixer::TransitionKind::Delta)
    k = scaleRows(k, tile1d(beta, t0, len, size));
  return k;
}

Value HeadTiles::betaTile(Value t0, Value len, int64_t size) {
  if (Value beta = p.op.getBeta())
    return tile1d(beta, t0, len, size);
  return tokensFilled(f32(1.0), len, size);
}

Value HeadTiles::queryTile(Value t0, Value len, int64_t size) {
  return scaleByDecay(tile(p.op.getQ(), t0, len, size), {}, p.scale);
}
