//===- FlashForm.cpp - the flash form of mixer.attention ----------------===//
//
// docs/math.md, section 2: per (batch, query head) and query block of Cq
// rows, key blocks of Ck rows are streamed with an online softmax:
//   S  = mods(scale · Q Kᵀ)                  (score_mod; −inf where masked)
//   m' = max(m, rowmax S),  P = exp(S − m'),  α = exp(m − m')
//   l  = α l + rowsum P,    A = α A + P V
// and finally O = A / l, LSE = m + log l. Memory is O(Cq·Ck), never O(Tq·Tk).
// A row with no visible key so far has m = −inf: then P = 0 and α = 1 are
// taken without forming exp(−inf − (−inf)); a row with no visible key at
// all ends with l = 0 and gives O = 0, LSE = −inf, never NaN.
//
//===----------------------------------------------------------------------===//
#include "AttentionForms.h"
#include "BlockMask.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::attention;
using utils::IteratorType;

namespace {
constexpr IteratorType par = IteratorType::parallel;
constexpr IteratorType red = IteratorType::reduction;

Value negInf(ImplicitLocOpBuilder &b) {
  return arith::ConstantOp::create(
      b, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
}

/// Clones the body of `mod` (one block ending in mixer.yield) at the
/// builder's insertion point with its arguments mapped to `args`; returns
/// the yielded value.
Value inlineMod(ImplicitLocOpBuilder &b, Region &mod, ValueRange args) {
  Block &block = mod.front();
  IRMapping mapping;
  for (auto [arg, value] : llvm::zip(block.getArguments(), args))
    mapping.map(arg, value);
  for (Operation &op : block.without_terminator())
    b.clone(op, mapping);
  auto yield = cast<mixer::YieldOp>(block.getTerminator());
  return mapping.lookup(yield.getValues()[0]);
}

/// Whether a value is −inf.
Value isNegInf(ImplicitLocOpBuilder &b, Value v) {
  return arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, v, negInf(b));
}

/// exp(x − max), or `none` where max = −inf (no key visible yet): never
/// exp(−inf − (−inf)).
Value expBelowMax(ImplicitLocOpBuilder &b, Value x, Value max, double none) {
  Value e = math::ExpOp::create(b, arith::SubFOp::create(b, x, max));
  return arith::SelectOp::create(
      b, isNegInf(b, max),
      arith::ConstantOp::create(b, b.getF32FloatAttr(none)), e);
}

/// out[i] = fn(inputs[..][i], out[i]) over 1-D tiles, updating `out` in
/// place.
Value rows(TileBuilder &x, ValueRange inputs, Value out,
           llvm::function_ref<Value(ImplicitLocOpBuilder &, ValueRange)> fn) {
  MLIRContext *m = x.b.getContext();
  SmallVector<AffineMap> maps(inputs.size() + 1, dimsMap(m, 1, {0}));
  return linalg::GenericOp::create(
             x.b, TypeRange{out.getType()}, inputs, ValueRange{out}, maps,
             ArrayRef<IteratorType>{par},
             [&](OpBuilder &nb, Location loc, ValueRange args) {
               ImplicitLocOpBuilder ib(loc, nb);
               linalg::YieldOp::create(ib, fn(ib, args));
             })
      .getResult(0);
}

/// r[i] = reduce_j x[i, j] with `combine`, starting from `init` (tensor<C>).
Value reduceRows(TileBuilder &x, Value tile, Value init,
                 llvm::function_ref<Value(ImplicitLocOpBuilder &, Value,
                                          Value)>
                     combine) {
  MLIRContext *m = x.b.getContext();
  return linalg::GenericOp::create(
             x.b, TypeRange{init.getType()}, ValueRange{tile},
             ValueRange{init},
             ArrayRef<AffineMap>{dimsMap(m, 2, {0, 1}), dimsMap(m, 2, {0})},
             ArrayRef<IteratorType>{par, red},
             [&](OpBuilder &nb, Location loc, ValueRange args) {
               ImplicitLocOpBuilder ib(loc, nb);
               linalg::YieldOp::create(ib, combine(ib, args[1], args[0]));
             })
      .getResult(0);
}
} // namespace

/// One step of the online softmax with the scores S (Cq×Ck) of a key block
/// and its values Vj (Ck×V): {m', l', A'} from iter = {m, l, A}.
static std::tuple<Value, Value, Value> update(TileBuilder &x, Value S,
                                              Value Vj, ValueRange iter) {
  MLIRContext *m = x.b.getContext();
  int64_t Cq = cast<RankedTensorType>(S.getType()).getDimSize(0);
  // m' = max(m, rowmax S)
  Value mOld = iter[0];
  Value mNew =
      reduceRows(x, S, mOld,
                 [](ImplicitLocOpBuilder &eb, Value acc, Value v) -> Value {
                   return arith::MaximumFOp::create(eb, acc, v);
                 });
  // α = exp(m − m'), 1 while no key is visible (m' = −inf).
  Value alpha = rows(x, {mOld, mNew}, x.zeros({Cq}),
                     [](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
                       return expBelowMax(eb, a[0], a[1], 1.0);
                     });
  // P = exp(S − m'), 0 while no key is visible.
  Value P = x.updateInPlace2D(
      S, {mNew}, {dimsMap(m, 2, {0})},
      [](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
        return expBelowMax(eb, a[1], a[0], 0.0);
      });
  // l' = α l + rowsum P;  A' = α A + P V
  Value l = rows(x, {alpha}, iter[1],
                 [](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
                   return arith::MulFOp::create(eb, a[0], a[1]);
                 });
  l = reduceRows(x, P, l,
                 [](ImplicitLocOpBuilder &eb, Value acc, Value v) -> Value {
                   return arith::AddFOp::create(eb, acc, v);
                 });
  Value A = x.matmulAcc(P, Vj, x.scaleRows(iter[2], alpha));
  return {mNew, l, A};
}

/// Per-block minima and maxima of the tensors a mask reads at one token
/// (docs/math.md, section 2.3), computed for one head before its loops.
struct BlockSummaries {
  /// For each MaskSummary: tensor<numBlocks> of minima and of maxima.
  SmallVector<std::pair<Value, Value>> ranges;
  SmallVector<MaskSummary> summaries;
};

/// min and max of `s.extract`'s tensor over the token blocks of `block`
/// rows in [0, T), with the other indices at (b, h) or constants.
static std::pair<Value, Value> summarise(ImplicitLocOpBuilder &b,
                                         const HeadIndex &at,
                                         const MaskSummary &s, Value T,
                                         int64_t block) {
  TileBuilder x(b, at);
  auto read = [&](ImplicitLocOpBuilder &rb, Value t) -> Value {
    SmallVector<Value> indices;
    for (auto [position, index] : llvm::enumerate(s.extract.getIndices())) {
      Attribute c;
      if (position == s.position)
        indices.push_back(t);
      else if (matchPattern(index, m_Constant(&c)))
        indices.push_back(
            arith::ConstantOp::create(rb, cast<TypedAttr>(c)));
      else
        indices.push_back(cast<BlockArgument>(index).getArgNumber() == 0
                              ? at.b
                              : at.h);
    }
    return tensor::ExtractOp::create(rb, s.extract.getTensor(), indices);
  };
  Type type = s.extract.getType();
  Value n = arith::CeilDivSIOp::create(b, T, x.index(block));
  Value empty = tensor::EmptyOp::create(b, ArrayRef<OpFoldResult>{n}, type);
  auto loop = scf::ForOp::create(
      b, x.index(0), n, x.index(1), ValueRange{empty, empty},
      [&](OpBuilder &nb, Location loc, Value i, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        Value t0 = arith::MulIOp::create(ib, i, x.index(block));
        Value end = arith::MinSIOp::create(
            ib, arith::AddIOp::create(ib, t0, x.index(block)), T);
        Value first = read(ib, t0);
        auto scan = scf::ForOp::create(
            ib, arith::AddIOp::create(ib, t0, x.index(1)), end, x.index(1),
            ValueRange{first, first},
            [&](OpBuilder &sb, Location sl, Value t, ValueRange lohi) {
              ImplicitLocOpBuilder eb(sl, sb);
              Value v = read(eb, t);
              scf::YieldOp::create(
                  eb, ValueRange{arith::MinSIOp::create(eb, lohi[0], v),
                                 arith::MaxSIOp::create(eb, lohi[1], v)});
            });
        scf::YieldOp::create(
            ib, ValueRange{tensor::InsertOp::create(ib, scan.getResult(0),
                                                    iter[0], i),
                           tensor::InsertOp::create(ib, scan.getResult(1),
                                                    iter[1], i)});
      });
  return {loop.getResult(0), loop.getResult(1)};
}

/// The largest magnitude of a signed integer of `type`.
static double magnitudeOf(Type type) {
  return std::ldexp(1.0, int(type.getIntOrFloatBitWidth()) - 1);
}

/// Whether some key of the block pair is visible and whether all are
/// (docs/math.md, section 2.3): the mask interpreted over the block.
static BlockClass classify(ImplicitLocOpBuilder &b, const Problem &p,
                           const HeadIndex &at, const BlockSummaries &data,
                           Value i, Value t0, Value lastQ, Value j, Value s0,
                           Value lenK) {
  TileBuilder x(b, at);
  Value lastKey = arith::SubIOp::create(b, arith::AddIOp::create(b, s0, lenK),
                                        x.index(1));
  SmallVector<Interval> args{{at.b, at.b, true},
                             {at.h, at.h, true},
                             {t0, lastQ, true},
                             {s0, lastKey, true}};
  auto extractRange =
      [&](ImplicitLocOpBuilder &eb, tensor::ExtractOp e,
          ArrayRef<std::optional<Interval>> indices) -> std::optional<Interval> {
    for (auto [s, range] : llvm::zip(data.summaries, data.ranges)) {
      if (s.extract != e)
        continue;
      Value blockIdx = s.query ? i : j;
      return Interval{tensor::ExtractOp::create(eb, range.first, blockIdx),
                      tensor::ExtractOp::create(eb, range.second, blockIdx),
                      false, magnitudeOf(e.getType())};
    }
    // Read at one position in the whole block: that element.
    SmallVector<Value> points;
    for (const std::optional<Interval> &r : indices) {
      if (!r || r->lo != r->hi)
        return std::nullopt;
      points.push_back(r->lo);
    }
    Value v = tensor::ExtractOp::create(eb, e.getTensor(), points);
    return Interval{v, v, false, magnitudeOf(e.getType())};
  };
  return classifyBlock(b, p.op.getMaskMod(), args, extractRange,
                       /*outerValuesKnown=*/true);
}

/// One query block's rows: {O (Cq×V, f32), LSE (Cq, f32)}.
static std::pair<Value, Value>
queryBlock(ImplicitLocOpBuilder &b, const Problem &p, const HeadIndex &at,
           const BlockSummaries &data, Value kvHead, Value Tk, Value i,
           Value t0, Value len, int64_t Cq, int64_t Ck) {
  TileBuilder x(b, at);
  MLIRContext *m = b.getContext();
  HeadIndex kvAt{at.b, kvHead, Tk};
  Value Q = x.tile(p.op.getQ(), t0, len, Cq);
  Value numBlocks = arith::CeilDivSIOp::create(b, Tk, x.index(Ck));
  Value m0 = x.filled({Cq}, -std::numeric_limits<double>::infinity());
  // The last query and key; a mod reading data is evaluated at padded rows
  // and columns too (their scores are discarded) and must stay in bounds.
  Value lastQ = arith::SubIOp::create(b, arith::AddIOp::create(b, t0, len),
                                      x.index(1));
  Value lastK = arith::SubIOp::create(b, Tk, x.index(1));
  auto readsData = [](Region &r) {
    return !r.empty() && !r.getOps<tensor::ExtractOp>().empty();
  };
  const bool clampIndices =
      readsData(p.op.getMaskMod()) || readsData(p.op.getScoreMod());
  auto loop = scf::ForOp::create(
      b, x.index(0), numBlocks, x.index(1),
      ValueRange{m0, x.zeros({Cq}), x.zeros({Cq, p.V})},
      [&](OpBuilder &nb, Location loc, Value j, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        TileBuilder xt(ib, at);
        TileBuilder kt(ib, kvAt);
        Value s0 = arith::MulIOp::create(ib, j, xt.index(Ck));
        Value lenK = kt.tileLength(s0, Ck);
        // Empty blocks are skipped; full ones (every key visible, no
        // padding) skip the mask.
        BlockClass cls =
            classify(ib, p, at, data, i, t0, lastQ, j, s0, lenK);
        Value full = arith::AndIOp::create(
            ib, cls.allVisible,
            arith::CmpIOp::create(ib, arith::CmpIPredicate::eq, lenK,
                                  xt.index(Ck)));
        auto visit = scf::IfOp::create(
            ib, cls.someVisible,
            [&](OpBuilder &tb, Location tl) {
              ImplicitLocOpBuilder vb(tl, tb);
              TileBuilder vt(vb, at);
              TileBuilder vk(vb, kvAt);
              Value Kj = vk.tile(p.op.getK(), s0, lenK, Ck);
              Value Vj = vk.tile(p.op.getV(), s0, lenK, Ck);
              Value QK = vt.matmulTransBAcc(Q, Kj, vt.zeros({Cq, Ck}));
              // S = mods(scale · Q Kᵀ), −inf where masked or past the keys.
              auto scores = [&](bool masked) {
                return [&, masked](OpBuilder &sb, Location sl) {
                  ImplicitLocOpBuilder eb0(sl, sb);
                  TileBuilder st(eb0, at);
                  Value S = st.updateInPlace2D(
                      QK, {}, {},
                      [&](ImplicitLocOpBuilder &eb, ValueRange args) -> Value {
                        Value ii = linalg::IndexOp::create(eb, 0);
                        Value jj = linalg::IndexOp::create(eb, 1);
                        Value qIdx = arith::AddIOp::create(eb, t0, ii);
                        Value kvIdx = arith::AddIOp::create(eb, s0, jj);
                        if (clampIndices) {
                          qIdx = arith::MinSIOp::create(eb, qIdx, lastQ);
                          kvIdx = arith::MinSIOp::create(eb, kvIdx, lastK);
                        }
                        Value score = arith::MulFOp::create(
                            eb, args[0],
                            arith::ConstantOp::create(
                                eb, eb.getF32FloatAttr(p.scale)));
                        if (!p.op.getScoreMod().empty())
                          score = inlineMod(eb, p.op.getScoreMod(),
                                            {score, at.b, at.h, qIdx, kvIdx});
                        if (!masked)
                          return score;
                        Value visible = arith::CmpIOp::create(
                            eb, arith::CmpIPredicate::slt, jj, lenK);
                        if (!p.op.getMaskMod().empty())
                          visible = arith::AndIOp::create(
                              eb, visible,
                              inlineMod(eb, p.op.getMaskMod(),
                                        {at.b, at.h, qIdx, kvIdx}));
                        return arith::SelectOp::create(eb, visible, score,
                                                       negInf(eb));
                      });
                  scf::YieldOp::create(eb0, S);
                };
              };
              Value S = scf::IfOp::create(vb, full, scores(false),
                                          scores(true))
                            .getResult(0);
              auto [mNew, l, A] = update(vt, S, Vj, iter);
              scf::YieldOp::create(vb, ValueRange{mNew, l, A});
            },
            [&](OpBuilder &eb, Location el) {
              scf::YieldOp::create(eb, el, iter);
            });
        scf::YieldOp::create(ib, visit.getResults());
      });
  // O = A / l and LSE = m + log l; a row with no visible key: 0 and −inf.
  Value mFinal = loop.getResult(0), lFinal = loop.getResult(1);
  Value O = x.updateInPlace2D(
      loop.getResult(2), {lFinal}, {dimsMap(m, 2, {0})},
      [](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
        Value zero = arith::ConstantOp::create(eb, eb.getF32FloatAttr(0.0));
        Value empty =
            arith::CmpFOp::create(eb, arith::CmpFPredicate::OEQ, a[0], zero);
        return arith::SelectOp::create(
            eb, empty, zero, arith::DivFOp::create(eb, a[1], a[0]));
      });
  Value lse = rows(x, {mFinal, lFinal}, x.zeros({Cq}),
                   [](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
                     Value zero =
                         arith::ConstantOp::create(eb, eb.getF32FloatAttr(0.0));
                     Value empty = arith::CmpFOp::create(
                         eb, arith::CmpFPredicate::OEQ, a[1], zero);
                     Value v = arith::AddFOp::create(
                         eb, a[0], math::LogOp::create(eb, a[1]));
                     return arith::SelectOp::create(eb, empty, negInf(eb), v);
                   });
  return {O, lse};
}

static std::pair<Value, Value> flashHead(ImplicitLocOpBuilder &b,
                                         const Problem &p, const HeadIndex &at,
                                         ValueRange slices, int64_t Cq,
                                         int64_t Ck) {
  TileBuilder x(b, at);
  Value group = x.index(p.Hq / p.Hkv);
  Value kvHead = arith::DivUIOp::create(b, at.h, group);
  Value Tk = tensor::DimOp::create(b, p.op.getK(), 1);
  Value numBlocks = arith::CeilDivSIOp::create(b, at.T, x.index(Cq));
  // The mask's data summarised per query and key block, before the loops.
  BlockSummaries data;
  data.summaries = maskSummaries(p.op.getMaskMod());
  for (const MaskSummary &s : data.summaries)
    data.ranges.push_back(s.query ? summarise(b, at, s, at.T, Cq)
                                  : summarise(b, at, s, Tk, Ck));
  SmallVector<Value> init(slices.begin(), slices.end());
  auto loop = scf::ForOp::create(
      b, x.index(0), numBlocks, x.index(1), init,
      [&](OpBuilder &nb, Location loc, Value i, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        TileBuilder xt(ib, at);
        Value t0 = arith::MulIOp::create(ib, i, xt.index(Cq));
        Value len = xt.tileLength(t0, Cq);
        auto [O, lse] =
            queryBlock(ib, p, at, data, kvHead, Tk, i, t0, len, Cq, Ck);
        SmallVector<Value> next{xt.storeRows(O, iter[0], t0, len)};
        if (iter.size() > 1)
          next.push_back(xt.storeElements(lse, iter[1], t0, len));
        scf::YieldOp::create(ib, next);
      });
  return {loop.getResult(0),
          loop.getNumResults() > 1 ? loop.getResult(1) : Value()};
}

void mixir::forms::attention::lowerFlash(RewriterBase &rewriter,
                                         const Problem &p, int64_t Cq,
                                         int64_t Ck) {
  mixer::AttentionOp op = p.op;
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);
  Value B = tensor::DimOp::create(b, op.getQ(), 0);
  Value Tq = tensor::DimOp::create(b, op.getQ(), 1);
  OpFoldResult Hq = b.getIndexAttr(p.Hq), V = b.getIndexAttr(p.V);
  // The output [B, Tq, Hq, V] by rows [Tq, V]; the LSE [B, Tq, Hq] by [Tq].
  SmallVector<PerHeadResult> results{
      {elementTypeOf(op.getOutput()), {B, Tq, Hq, V}, 0, 2}};
  if (Value lse = op.getLse())
    results.push_back({elementTypeOf(lse), {B, Tq, Hq}, 0, 2});
  SmallVector<Value> values = buildPerHead(
      b, B, Tq, p.Hq, results,
      [&](ImplicitLocOpBuilder &hb, const HeadIndex &at, ValueRange slices) {
        auto [rows, lse] = flashHead(hb, p, at, slices, Cq, Ck);
        SmallVector<Value> filled{rows};
        if (lse)
          filled.push_back(lse);
        return filled;
      });
  rewriter.replaceOp(op, castToTypes(b, op->getResultTypes(), values));
}
