//===- KeyBlocks.cpp - key blocks streamed through an online softmax ------===//
//
// docs/math.md, section 2.1: for a query block of G·Cq rows (the G query
// heads of one kv head), key blocks of Ck rows are streamed with
//   S  = mods(scale · Q Kᵀ) + F            (score_mod; −inf where masked;
//                                          F the forget gate's bias)
//   m' = max(m, rowmax S),  P = exp(S − m'),  α = exp(m − m')
//   l  = α l + rowsum P,    A = α A + P V
// Memory is O(G·Cq·Ck), never O(Tq·Tk). A row with no visible key so far
// has m = −inf: then P = 0 and α = 1 are taken without forming
// exp(−inf − (−inf)).
//
//===----------------------------------------------------------------------===//
#include "KeyBlocks.h"

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

Value f32Const(ImplicitLocOpBuilder &b, double v) {
  return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
}
Value indexConst(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
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

/// out[d0, d1] = fn(d0, d1, out[d0, d1]) over a 2-D static tensor, in place.
Value indexed2D(
    TileBuilder &x, Value out,
    llvm::function_ref<Value(ImplicitLocOpBuilder &, Value, Value, Value)>
        fn) {
  return x.updateInPlace2D(
      out, {}, {}, [&](ImplicitLocOpBuilder &eb, ValueRange args) -> Value {
        return fn(eb, linalg::IndexOp::create(eb, 0),
                  linalg::IndexOp::create(eb, 1), args[0]);
      });
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

/// The G tensors of one shape stacked along a new leading dimension
/// (tensor<N...> → tensor<G × N...>), or along the existing first one
/// when `concat` (tensor<C × D> → tensor<G·C × D>).
Value stack(ImplicitLocOpBuilder &b, ArrayRef<Value> parts, bool concat) {
  auto type = cast<RankedTensorType>(parts.front().getType());
  SmallVector<int64_t> shape(type.getShape());
  const int64_t G = parts.size();
  if (concat)
    shape[0] *= G;
  else
    shape.insert(shape.begin(), G);
  Value out = tensor::EmptyOp::create(b, shape, type.getElementType());
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  for (auto [g, part] : llvm::enumerate(parts)) {
    SmallVector<OpFoldResult> offsets(shape.size(), zero),
        sizes, strides(shape.size(), one);
    offsets[0] = b.getIndexAttr(concat ? g * type.getDimSize(0) : g);
    for (int64_t d : shape)
      sizes.push_back(b.getIndexAttr(d));
    if (!concat)
      sizes[0] = one;
    else
      sizes[0] = b.getIndexAttr(type.getDimSize(0));
    out = tensor::InsertSliceOp::create(b, part, out, offsets, sizes, strides);
  }
  return out;
}
} // namespace

Value mixir::forms::attention::negInf(ImplicitLocOpBuilder &b) {
  return f32Const(b, -std::numeric_limits<double>::infinity());
}

Value mixir::forms::attention::expBelowMax(ImplicitLocOpBuilder &b, Value x,
                                           Value max, double none) {
  Value e = math::ExpOp::create(b, arith::SubFOp::create(b, x, max));
  Value noKey = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, max,
                                      negInf(b));
  return arith::SelectOp::create(b, noKey, f32Const(b, none), e);
}

Value mixir::forms::attention::normalise(ImplicitLocOpBuilder &b, Value x,
                                         Value l) {
  Value zero = f32Const(b, 0.0);
  Value empty = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, l, zero);
  return arith::SelectOp::create(b, empty, zero,
                                 arith::DivFOp::create(b, x, l));
}

Value mixir::forms::attention::logSumExp(ImplicitLocOpBuilder &b, Value m,
                                         Value l) {
  Value empty = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, l,
                                      f32Const(b, 0.0));
  Value v = arith::AddFOp::create(b, m, math::LogOp::create(b, l));
  return arith::SelectOp::create(b, empty, negInf(b), v);
}

std::pair<Value, Value>
mixir::forms::attention::finish(ImplicitLocOpBuilder &b,
                                const SoftmaxState &state) {
  HeadIndex none{};
  TileBuilder x(b, none);
  MLIRContext *m = b.getContext();
  int64_t R = cast<RankedTensorType>(state.l.getType()).getDimSize(0);
  Value O = x.updateInPlace2D(
      state.A, {state.l}, {dimsMap(m, 2, {0})},
      [](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
        return normalise(eb, a[1], a[0]);
      });
  Value lse = rows(x, {state.m, state.l}, x.zeros({R}),
                   [](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
                     return logSumExp(eb, a[0], a[1]);
                   });
  return {O, lse};
}

/// One step of the online softmax with the scores S (R×Ck) of a key block
/// and its values Vj (Ck×V).
static SoftmaxState update(TileBuilder &x, Value S, Value Vj,
                           const SoftmaxState &s) {
  MLIRContext *m = x.b.getContext();
  int64_t R = cast<RankedTensorType>(S.getType()).getDimSize(0);
  // m' = max(m, rowmax S)
  Value mNew =
      reduceRows(x, S, s.m,
                 [](ImplicitLocOpBuilder &eb, Value acc, Value v) -> Value {
                   // maxnum without NaNs (masked scores are −inf, not
                   // NaN): a reduction that vectorises.
                   return arith::MaxNumFOp::create(
                       eb, acc, v,
                       arith::FastMathFlagsAttr::get(
                           eb.getContext(), arith::FastMathFlags::nnan |
                                                arith::FastMathFlags::nsz));
                 });
  // α = exp(m − m'), 1 while no key is visible (m' = −inf).
  Value alpha = rows(x, {s.m, mNew}, x.zeros({R}),
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
  Value l = rows(x, {alpha}, s.l,
                 [](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
                   return arith::MulFOp::create(eb, a[0], a[1]);
                 });
  l = reduceRows(x, P, l,
                 [](ImplicitLocOpBuilder &eb, Value acc, Value v) -> Value {
                   // Reassociable, so that the row sums vectorise.
                   return arith::AddFOp::create(eb, acc, v,
                                                contractionFastMath(eb));
                 });
  Value A = x.matmulAcc(P, Vj, x.scaleRows(s.A, alpha));
  return {mNew, l, A};
}

//===----------------------------------------------------------------------===//
// Mask data summaries and block classification (docs/math.md, section 2.3)
//===----------------------------------------------------------------------===//

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
        indices.push_back(arith::ConstantOp::create(rb, cast<TypedAttr>(c)));
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

/// Whether the mask reads its head argument: then blocks are classified
/// per query head of the group.
static bool maskReadsHead(Region &mask) {
  return !mask.empty() && !mask.front().getArgument(1).use_empty();
}

KeyStream::KeyStream(ImplicitLocOpBuilder &b, const Problem &p,
                     const Group &group, int64_t Cq, int64_t Ck, Value jBegin,
                     Value jEnd, bool pack)
    : p(p), group(group), Cq(Cq), Ck(Ck), jBegin(jBegin), jEnd(jEnd) {
  Region &mask = p.op.getMaskMod();
  data.summaries = maskSummaries(mask);
  const unsigned heads = maskReadsHead(mask) ? group.size() : 1;
  for (unsigned g = 0; g < heads; ++g) {
    auto &ranges = data.ranges.emplace_back();
    for (const MaskSummary &s : data.summaries)
      ranges.push_back(s.query
                           ? summarise(b, group.query(g), s, group.Tq, Cq)
                           : summarise(b, group.query(g), s, group.Tk, Ck));
  }
  if (!pack)
    return;
  // The key blocks, packed once for every query block.
  TileBuilder x(b, group.kv());
  Type f32 = b.getF32Type();
  Value n = arith::SubIOp::create(b, jEnd, jBegin);
  Value K0 = tensor::EmptyOp::create(
      b, ArrayRef<OpFoldResult>{n, b.getIndexAttr(p.K), b.getIndexAttr(Ck)},
      f32);
  Value V0 = tensor::EmptyOp::create(
      b, ArrayRef<OpFoldResult>{n, b.getIndexAttr(Ck), b.getIndexAttr(p.V)},
      f32);
  auto loop = scf::ForOp::create(
      b, x.index(0), n, x.index(1), ValueRange{K0, V0},
      [&](OpBuilder &nb, Location loc, Value r, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        TileBuilder kt(ib, group.kv());
        Value s0 = arith::MulIOp::create(
            ib, arith::AddIOp::create(ib, jBegin, r), kt.index(Ck));
        Value lenK = kt.tileLength(s0, Ck);
        Value Kt = kt.transpose(kt.tile(p.op.getK(), s0, lenK, Ck));
        Value Vj = kt.tile(p.op.getV(), s0, lenK, Ck);
        auto put = [&](Value tile, Value into) -> Value {
          auto shape = cast<RankedTensorType>(tile.getType()).getShape();
          OpFoldResult zero = ib.getIndexAttr(0), one = ib.getIndexAttr(1);
          return tensor::InsertSliceOp::create(
              ib, tile, into, ArrayRef<OpFoldResult>{r, zero, zero},
              ArrayRef<OpFoldResult>{one, ib.getIndexAttr(shape[0]),
                                     ib.getIndexAttr(shape[1])},
              ArrayRef<OpFoldResult>{one, one, one});
        };
        scf::YieldOp::create(ib,
                             ValueRange{put(Kt, iter[0]), put(Vj, iter[1])});
      });
  packedK = loop.getResult(0);
  packedV = loop.getResult(1);
}

SmallVector<Value> KeyStream::overQueryBlocks(ImplicitLocOpBuilder &b,
                                              ValueRange slices,
                                              QueryBlockFn fn) {
  Value numQueryBlocks =
      arith::CeilDivSIOp::create(b, group.Tq, indexConst(b, Cq));
  auto loop = scf::ForOp::create(
      b, indexConst(b, 0), numQueryBlocks, indexConst(b, 1), slices,
      [&](OpBuilder &nb, Location loc, Value i, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        TileBuilder xt(ib, group.query(0));
        Value t0 = arith::MulIOp::create(ib, i, xt.index(Cq));
        Value len = xt.tileLength(t0, Cq);
        scf::YieldOp::create(ib, fn(ib, attend(ib, i, t0, len), t0, len, iter));
      });
  return SmallVector<Value>(loop.getResults());
}

Value KeyStream::numKeyBlocks(ImplicitLocOpBuilder &b, const Group &group,
                              int64_t Ck) {
  return arith::CeilDivSIOp::create(b, group.Tk, indexConst(b, Ck));
}

/// Whether a tensor holds f32.
static bool isF32(Value x) {
  return cast<RankedTensorType>(x.getType()).getElementType().isF32();
}

/// Rows [s0, s0 + Ck) of kv head `at` of an f32 [B, T, H, D] operand, as a
/// view (no copy).
static Value blockView(ImplicitLocOpBuilder &b, const HeadIndex &at, Value x,
                       Value s0, int64_t Ck) {
  const int64_t D = cast<RankedTensorType>(x.getType()).getDimSize(3);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  return tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({Ck, D}, b.getF32Type()), x,
      ArrayRef<OpFoldResult>{at.b, s0, at.h, zero},
      ArrayRef<OpFoldResult>{one, b.getIndexAttr(Ck), one, b.getIndexAttr(D)},
      SmallVector<OpFoldResult>(4, one));
}

/// Block r of a packed tensor<n × R × C>: tensor<R × C>.
static Value packedBlock(ImplicitLocOpBuilder &b, Value packed, Value r) {
  auto type = cast<RankedTensorType>(packed.getType());
  int64_t R = type.getDimSize(1), C = type.getDimSize(2);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  return tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({R, C}, type.getElementType()), packed,
      ArrayRef<OpFoldResult>{r, zero, zero},
      ArrayRef<OpFoldResult>{one, b.getIndexAttr(R), b.getIndexAttr(C)},
      ArrayRef<OpFoldResult>{one, one, one});
}

/// Whether some key of the block pair is visible to query head g and
/// whether all are: the mask interpreted over the block.
BlockClass KeyStream::classify(ImplicitLocOpBuilder &b, unsigned g, Value i,
                               Value t0, Value lastQ, Value j, Value s0,
                               Value lenK) {
  Value lastKey = arith::SubIOp::create(b, arith::AddIOp::create(b, s0, lenK),
                                        indexConst(b, 1));
  Value h = group.heads[g];
  SmallVector<Interval> args{{group.b, group.b, true},
                             {h, h, true},
                             {t0, lastQ, true},
                             {s0, lastKey, true}};
  auto extractRange =
      [&](ImplicitLocOpBuilder &eb, tensor::ExtractOp e,
          ArrayRef<std::optional<Interval>> indices) -> std::optional<Interval> {
    for (auto [s, range] : llvm::zip(data.summaries, data.ranges[g])) {
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

/// The block pair for the whole group: some key visible to some head, every
/// key to every head.
BlockClass KeyStream::classifyGroup(ImplicitLocOpBuilder &b, Value i, Value t0,
                                    Value lastQ, Value j, Value s0,
                                    Value lenK) {
  BlockClass all = classify(b, 0, i, t0, lastQ, j, s0, lenK);
  for (unsigned g = 1; g < data.ranges.size(); ++g) {
    BlockClass c = classify(b, g, i, t0, lastQ, j, s0, lenK);
    all.someVisible = arith::OrIOp::create(b, all.someVisible, c.someVisible);
    all.allVisible = arith::AndIOp::create(b, all.allVisible, c.allVisible);
  }
  return all;
}

//===----------------------------------------------------------------------===//
// The forget gate's bias (docs/math.md, section 2.4)
//===----------------------------------------------------------------------===//

namespace {
/// F_ts = Σ_{r=s+1..t} f_r (0 for s ≥ t) over one block pair as
/// rowTerm[g, i] + colTerm[g, c] where s < t, with every sum over at most
/// Cq + Ck consecutive gates:
///   key block before the query block (s0 + Ck ≤ t0):
///     rowTerm = Σ_{r=t0..t} f_r + between,  colTerm = Σ_{r=s+1..s0+Ck−1} f_r
///   otherwise, with c(x) = Σ_{r=s0..x} f_r over the window [s0, s0+Cq+Ck):
///     rowTerm = c(t),  colTerm = −c(s)
/// where `between` = Σ_{r=s0+Ck..t0−1} f_r is carried from block to block
/// (key blocks are visited last first, so it only ever grows by sums of
/// whole stretches of gates, never by a difference of long prefix sums).
struct ForgetBias {
  Value rowTerm, colTerm; // tensor<G×Cq>, tensor<G×Ck>
};

/// Σ f_r for r in [s, s + len) of query head g: the cumulative sums of a
/// tile of `size` gates (zero past len).
Value gateCumsum(ImplicitLocOpBuilder &b, Value forget, const HeadIndex &at,
                 Value s, Value len, int64_t size) {
  TileBuilder x(b, at);
  return x.cumsum(x.tile1d(forget, s, len, size));
}
} // namespace

static ForgetBias forgetBias(ImplicitLocOpBuilder &b, const Problem &p,
                             const Group &group, Value prefixQ, Value between,
                             Value t0, Value s0, int64_t Cq, int64_t Ck) {
  const int64_t G = group.size(), W = Cq + Ck;
  TileBuilder x(b, group.kv());
  Value len = arith::MinSIOp::create(
      b, x.index(W), arith::SubIOp::create(b, group.Tk, s0));
  SmallVector<Value> windows;
  for (int64_t g = 0; g < G; ++g)
    windows.push_back(
        gateCumsum(b, p.op.getForget(), group.query(g), s0, len, W));
  Value cW = stack(b, windows, /*concat=*/false); // G × W
  Value before = arith::CmpIOp::create(
      b, arith::CmpIPredicate::sle, arith::AddIOp::create(b, s0, x.index(Ck)),
      t0);
  Value rowTerm = indexed2D(
      x, x.zeros({G, Cq}),
      [&](ImplicitLocOpBuilder &eb, Value g, Value i, Value) -> Value {
        Value t = arith::AddIOp::create(eb, t0, i);
        // Key block before the query block.
        Value prefix = arith::AddFOp::create(
            eb, tensor::ExtractOp::create(eb, prefixQ, ValueRange{g, i}),
            tensor::ExtractOp::create(eb, between, ValueRange{g}));
        // Overlapping: c(t) for t ≥ s0 (else every key is after t).
        Value offset = arith::SubIOp::create(eb, t, s0);
        Value inWindow = arith::CmpIOp::create(eb, arith::CmpIPredicate::sge,
                                               offset, indexConst(eb, 0));
        Value at = arith::MaxSIOp::create(
            eb, indexConst(eb, 0),
            arith::MinSIOp::create(eb, offset, indexConst(eb, W - 1)));
        Value c = tensor::ExtractOp::create(eb, cW, ValueRange{g, at});
        Value overlap =
            arith::SelectOp::create(eb, inWindow, c, f32Const(eb, 0.0));
        return arith::SelectOp::create(eb, before, prefix, overlap);
      });
  Value colTerm = indexed2D(
      x, x.zeros({G, Ck}),
      [&](ImplicitLocOpBuilder &eb, Value g, Value c, Value) -> Value {
        Value cs = tensor::ExtractOp::create(eb, cW, ValueRange{g, c});
        Value total = tensor::ExtractOp::create(
            eb, cW, ValueRange{g, indexConst(eb, Ck - 1)});
        Value suffix = arith::SubFOp::create(eb, total, cs);
        return arith::SelectOp::create(eb, before, suffix,
                                       arith::NegFOp::create(eb, cs));
      });
  return {rowTerm, colTerm};
}

/// between' = between + Σ_{r=s0..min(s0+Ck, t0)−1} f_r per query head.
static Value growBetween(ImplicitLocOpBuilder &b, const Problem &p,
                         const Group &group, Value between, Value t0, Value s0,
                         int64_t Ck) {
  TileBuilder x(b, group.kv());
  Value anyBefore =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, s0, t0);
  auto ifOp = scf::IfOp::create(
      b, anyBefore,
      [&](OpBuilder &tb, Location tl) {
        ImplicitLocOpBuilder ib(tl, tb);
        TileBuilder xt(ib, group.kv());
        Value len = arith::MinSIOp::create(
            ib, xt.index(Ck), arith::SubIOp::create(ib, t0, s0));
        Value next = between;
        for (int64_t g = 0; g < group.size(); ++g) {
          Value c = gateCumsum(ib, p.op.getForget(), group.query(g), s0, len,
                               Ck);
          Value sum = xt.lastRow(c);
          Value gi = xt.index(g);
          Value old = tensor::ExtractOp::create(ib, next, ValueRange{gi});
          next = tensor::InsertOp::create(
              ib, arith::AddFOp::create(ib, old, sum), next, ValueRange{gi});
        }
        scf::YieldOp::create(ib, next);
      },
      [&](OpBuilder &eb, Location el) {
        scf::YieldOp::create(eb, el, between);
      });
  return ifOp.getResult(0);
}

//===----------------------------------------------------------------------===//
// The stream
//===----------------------------------------------------------------------===//

SoftmaxState KeyStream::attend(ImplicitLocOpBuilder &b, Value i, Value t0,
                               Value len) {
  const int64_t G = group.size(), R = G * Cq;
  MLIRContext *m = b.getContext();
  TileBuilder x(b, group.query(0));
  mixer::AttentionOp op = p.op;
  Value forget = op.getForget();
  // The G heads' query rows, stacked head-major.
  SmallVector<Value> queries;
  for (int64_t g = 0; g < G; ++g) {
    HeadIndex at = group.query(g);
    queries.push_back(TileBuilder(b, at).tile(op.getQ(), t0, len, Cq));
  }
  // Scaled once per query block: Q Kᵀ is then scale · q · k, and a full
  // block with no mod and no gate takes it as it is.
  Value Q = x.scaleColumns(stack(b, queries, /*concat=*/true), x.f32(p.scale));
  Value Qt = packedK ? Value() : x.transpose(Q);
  // The last query and key; a mod reading data is evaluated at padded rows
  // and columns too (their scores are discarded) and must stay in bounds.
  Value lastQ =
      arith::SubIOp::create(b, arith::AddIOp::create(b, t0, len), x.index(1));
  Value lastK = arith::SubIOp::create(b, group.Tk, x.index(1));
  auto readsData = [](Region &r) {
    return !r.empty() && !r.getOps<tensor::ExtractOp>().empty();
  };
  const bool clampIndices =
      readsData(op.getMaskMod()) || readsData(op.getScoreMod());
  // With a forget gate: Σ_{r=t0..t} f_r per head, and `between`.
  Value prefixQ;
  SmallVector<Value> init{x.filled({R}, -std::numeric_limits<double>::infinity()),
                          x.zeros({R}), x.zeros({R, p.V})};
  if (forget) {
    SmallVector<Value> prefixes;
    for (int64_t g = 0; g < G; ++g)
      prefixes.push_back(gateCumsum(b, forget, group.query(g), t0, len, Cq));
    prefixQ = stack(b, prefixes, /*concat=*/false);
    init.push_back(x.zeros({G}));
  }
  Value count = arith::SubIOp::create(b, jEnd, jBegin);
  auto loop = scf::ForOp::create(
      b, x.index(0), count, x.index(1), init,
      [&](OpBuilder &nb, Location loc, Value r, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        TileBuilder xt(ib, group.query(0));
        TileBuilder kt(ib, group.kv());
        // Last block first: the forget gate's `between` then only grows.
        Value j = arith::SubIOp::create(
            ib, arith::SubIOp::create(ib, jEnd, xt.index(1)), r);
        Value s0 = arith::MulIOp::create(ib, j, xt.index(Ck));
        Value lenK = kt.tileLength(s0, Ck);
        // Empty blocks are skipped; full ones (every key visible, no
        // padding) skip the mask.
        BlockClass cls = classifyGroup(ib, i, t0, lastQ, j, s0, lenK);
        Value full = arith::AndIOp::create(
            ib, cls.allVisible,
            arith::CmpIOp::create(ib, arith::CmpIPredicate::eq, lenK,
                                  xt.index(Ck)));
        SoftmaxState state{iter[0], iter[1], iter[2]};
        Value between = forget ? iter[3] : Value();
        auto visit = scf::IfOp::create(
            ib, cls.someVisible,
            [&](OpBuilder &tb, Location tl) {
              ImplicitLocOpBuilder vb(tl, tb);
              TileBuilder vt(vb, group.query(0));
              // One block pair from its scores Q Kᵀ and values.
              auto step = [&](ImplicitLocOpBuilder &bb, Value QK,
                              Value Vj) -> SoftmaxState {
                TileBuilder st(bb, group.query(0));
                ForgetBias bias;
                if (forget)
                  bias = forgetBias(bb, p, group, prefixQ, between, t0, s0, Cq,
                                    Ck);
                // S = mods(scale · Q Kᵀ) + F, −inf where masked or past the
                // keys; over (head, query, key) of the block pair.
                const bool plain = op.getScoreMod().empty() && !forget;
                auto scores = [&](bool masked) {
                  return [&, masked](OpBuilder &sb, Location sl) {
                    ImplicitLocOpBuilder eb0(sl, sb);
                    if (!masked && plain) {
                      scf::YieldOp::create(eb0, QK);
                      return;
                    }
                    auto type3 = RankedTensorType::get({G, Cq, Ck},
                                                       eb0.getF32Type());
                    SmallVector<ReassociationIndices> reassoc{{0, 1}, {2}};
                    Value S3 = tensor::ExpandShapeOp::create(eb0, type3, QK,
                                                             reassoc);
                    SmallVector<Value> inputs;
                    SmallVector<AffineMap> maps;
                    if (forget) {
                      inputs = {bias.rowTerm, bias.colTerm};
                      maps = {dimsMap(m, 3, {0, 1}), dimsMap(m, 3, {0, 2})};
                    }
                    maps.push_back(dimsMap(m, 3, {0, 1, 2}));
                    Value S = linalg::GenericOp::create(
                                  eb0, TypeRange{type3}, inputs,
                                  ValueRange{S3}, maps,
                                  ArrayRef<IteratorType>{par, par, par},
                                  [&](OpBuilder &nb2, Location l2,
                                      ValueRange args) {
                                    ImplicitLocOpBuilder eb(l2, nb2);
                                    linalg::YieldOp::create(
                                        eb, scoreAt(eb, args, masked, t0, s0,
                                                    lenK, lastQ, lastK,
                                                    clampIndices));
                                  })
                                  .getResult(0);
                    scf::YieldOp::create(
                        eb0, ValueRange{tensor::CollapseShapeOp::create(
                                 eb0, QK.getType(), S, reassoc)});
                  };
                };
                Value S = scf::IfOp::create(bb, full, scores(false),
                                            scores(true))
                              .getResult(0);
                return update(st, S, Vj, state);
              };
              auto yieldState = [](ImplicitLocOpBuilder &yb,
                                   const SoftmaxState &next) {
                scf::YieldOp::create(yb, ValueRange{next.m, next.l, next.A});
              };
              if (packedK) {
                Value packedAt = arith::SubIOp::create(vb, j, jBegin);
                Value QK = vt.matmulAcc(Q, packedBlock(vb, packedK, packedAt),
                                        vt.zeros({R, Ck}));
                yieldState(vb, step(vb, QK, packedBlock(vb, packedV, packedAt)));
                return;
              }
              // Unpacked: (K Qᵀ)ᵀ from a view of the operands where the
              // block is whole and f32, else from padded, converted copies.
              auto fromTiles = [&](ImplicitLocOpBuilder &bb, Value Kj,
                                   Value Vj) {
                TileBuilder st(bb, group.query(0));
                Value QK =
                    st.transpose(st.matmulAcc(Kj, Qt, st.zeros({Ck, R})));
                yieldState(bb, step(bb, QK, Vj));
              };
              auto padded = [&](OpBuilder &eb, Location el) {
                ImplicitLocOpBuilder bb(el, eb);
                TileBuilder kt(bb, group.kv());
                fromTiles(bb, kt.tile(op.getK(), s0, lenK, Ck),
                          kt.tile(op.getV(), s0, lenK, Ck));
              };
              if (!isF32(op.getK()) || !isF32(op.getV())) {
                padded(vb, vb.getLoc());
                return;
              }
              Value whole = arith::CmpIOp::create(
                  vb, arith::CmpIPredicate::eq, lenK, vt.index(Ck));
              auto pair = scf::IfOp::create(
                  vb, whole,
                  [&](OpBuilder &tb2, Location tl2) {
                    ImplicitLocOpBuilder bb(tl2, tb2);
                    fromTiles(bb, blockView(bb, group.kv(), op.getK(), s0, Ck),
                              blockView(bb, group.kv(), op.getV(), s0, Ck));
                  },
                  padded);
              scf::YieldOp::create(vb, pair.getResults());
            },
            [&](OpBuilder &eb, Location el) {
              scf::YieldOp::create(eb, el,
                                   ValueRange{state.m, state.l, state.A});
            });
        SmallVector<Value> next(visit.getResults());
        if (forget)
          next.push_back(growBetween(ib, p, group, between, t0, s0, Ck));
        scf::YieldOp::create(ib, next);
      });
  return {loop.getResult(0), loop.getResult(1), loop.getResult(2)};
}

Value KeyStream::scoreAt(ImplicitLocOpBuilder &eb, ValueRange args,
                         bool masked, Value t0, Value s0, Value lenK,
                         Value lastQ, Value lastK, bool clampIndices) {
  mixer::AttentionOp op = p.op;
  const int64_t G = group.size();
  Value g = linalg::IndexOp::create(eb, 0);
  Value ii = linalg::IndexOp::create(eb, 1);
  Value jj = linalg::IndexOp::create(eb, 2);
  Value h = G == 1 ? group.heads[0]
                   : arith::AddIOp::create(
                         eb, arith::MulIOp::create(eb, group.kvHead,
                                                   indexConst(eb, G)),
                         g);
  Value qIdx = arith::AddIOp::create(eb, t0, ii);
  Value kvIdx = arith::AddIOp::create(eb, s0, jj);
  Value qMod = qIdx, kvMod = kvIdx;
  if (clampIndices) {
    qMod = arith::MinSIOp::create(eb, qIdx, lastQ);
    kvMod = arith::MinSIOp::create(eb, kvIdx, lastK);
  }
  Value score = args.back(); // scale · q · k: Q is scaled
  if (!op.getScoreMod().empty())
    score = inlineMod(eb, op.getScoreMod(), {score, group.b, h, qMod, kvMod});
  if (op.getForget()) {
    Value before =
        arith::CmpIOp::create(eb, arith::CmpIPredicate::slt, kvIdx, qIdx);
    Value f = arith::AddFOp::create(eb, args[0], args[1]);
    score = arith::AddFOp::create(
        eb, score, arith::SelectOp::create(eb, before, f, f32Const(eb, 0.0)));
  }
  if (!masked)
    return score;
  Value visible =
      arith::CmpIOp::create(eb, arith::CmpIPredicate::slt, jj, lenK);
  if (!op.getMaskMod().empty())
    visible = arith::AndIOp::create(
        eb, visible,
        inlineMod(eb, op.getMaskMod(), {group.b, h, qMod, kvMod}));
  return arith::SelectOp::create(eb, visible, score, negInf(eb));
}

//===----------------------------------------------------------------------===//
// The per-group skeleton and stores
//===----------------------------------------------------------------------===//

SmallVector<Value>
mixir::forms::attention::buildPerGroup(ImplicitLocOpBuilder &b,
                                       const Problem &p, Value B, Value splits,
                                       ArrayRef<GroupResult> results,
                                       GroupBody body) {
  const int64_t G = p.Hq / p.Hkv;
  Value Tq = tensor::DimOp::create(b, p.op.getQ(), 1);
  Value Tk = tensor::DimOp::create(b, p.op.getK(), 1);
  SmallVector<Value> outs;
  for (const GroupResult &r : results)
    outs.push_back(tensor::EmptyOp::create(b, r.sizes, r.elementType));
  SmallVector<OpFoldResult> ubs{B, b.getIndexAttr(p.Hkv)};
  if (splits)
    ubs.push_back(splits);
  return buildForall(
      b, ubs, outs, [&](ValueRange iv, ValueRange shared) {
        Group group{iv[0], iv[1], {}, Tq, Tk, {}, {iv[0], iv[1], Tk}};
        Value first = G == 1 ? iv[1]
                             : arith::MulIOp::create(b, iv[1], indexConst(b, G));
        for (int64_t g = 0; g < G; ++g) {
          group.heads.push_back(
              g == 0 ? first
                     : arith::AddIOp::create(b, first, indexConst(b, g)));
          group.queries.push_back({group.b, group.heads.back(), Tq});
        }
        Value split = splits ? iv[2] : Value();
        OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
        SmallVector<ParallelInsert> inserts;
        SmallVector<Value> slices;
        for (auto [r, result] : llvm::enumerate(results)) {
          const unsigned rank = result.sizes.size();
          ParallelInsert insert{nullptr, SmallVector<OpFoldResult>(rank, zero),
                                SmallVector<OpFoldResult>(result.sizes)};
          SmallVector<int64_t> sliceShape;
          for (unsigned d = 0; d < rank; ++d) {
            if (d == result.batchDim || d == result.splitDim) {
              insert.offsets[d] = d == result.batchDim ? group.b : split;
              insert.sizes[d] = one;
              continue;
            }
            if (d == result.headDim) {
              insert.offsets[d] = first;
              insert.sizes[d] = b.getIndexAttr(G);
            }
            sliceShape.push_back(getConstantIntValue(insert.sizes[d])
                                     .value_or(ShapedType::kDynamic));
          }
          slices.push_back(tensor::ExtractSliceOp::create(
              b, RankedTensorType::get(sliceShape, result.elementType),
              shared[r], insert.offsets, insert.sizes,
              SmallVector<OpFoldResult>(rank, one)));
          inserts.push_back(std::move(insert));
        }
        SmallVector<Value> filled = body(b, group, split, slices);
        for (size_t r = 0; r < inserts.size(); ++r)
          inserts[r].source = filled[r];
        return inserts;
      });
}

Value mixir::forms::attention::storeGroup(ImplicitLocOpBuilder &b, Value tile,
                                          Value dest, Value t0, Value len,
                                          int64_t G) {
  auto destType = cast<RankedTensorType>(dest.getType());
  HeadIndex none{};
  TileBuilder x(b, none);
  Value part = x.convertTo(tile, destType.getElementType());
  auto type = cast<RankedTensorType>(part.getType());
  const bool rows = type.getRank() == 2;
  const int64_t C = type.getDimSize(0) / G;
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult lenOfr = getAsOpFoldResult(len);
  SmallVector<int64_t> pieceShape{ShapedType::kDynamic};
  if (rows)
    pieceShape.push_back(type.getDimSize(1));
  auto pieceType = RankedTensorType::get(pieceShape, type.getElementType());
  for (int64_t g = 0; g < G; ++g) {
    SmallVector<OpFoldResult> offsets{b.getIndexAttr(g * C)}, sizes{lenOfr},
        strides{one};
    SmallVector<OpFoldResult> at{t0, b.getIndexAttr(g)}, size{lenOfr, one},
        step{one, one};
    if (rows) {
      OpFoldResult D = b.getIndexAttr(type.getDimSize(1));
      offsets.push_back(zero);
      sizes.push_back(D);
      strides.push_back(one);
      at.push_back(zero);
      size.push_back(D);
      step.push_back(one);
    }
    Value piece = tensor::ExtractSliceOp::create(b, pieceType, part, offsets,
                                                 sizes, strides);
    dest = tensor::InsertSliceOp::create(b, piece, dest, at, size, step);
  }
  return dest;
}
