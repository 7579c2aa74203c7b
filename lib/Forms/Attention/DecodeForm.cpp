//===- DecodeForm.cpp - the decode form of mixer.attention --------------===//
//
// docs/math.md, section 2.5: for a few queries against many keys, batch ×
// kv heads leaves workers idle. The key blocks are split into S contiguous
// ranges, S = min(⌈2·workers / (B·Hkv)⌉, key blocks); each (batch, kv head,
// split) streams its range through the online softmax (KeyBlocks.h) and
// keeps its unnormalised partial state (m_s, l_s, A_s); the partials are
// then merged:
//   m = max_s m_s,   w_s = exp(m_s − m)   (0 where m_s = −inf),
//   l = Σ_s w_s l_s, O = Σ_s w_s A_s / l, LSE = m + log l,
// so a split that saw no key (m_s = −inf, l_s = 0) weighs nothing, and a row
// that no split saw (m = −inf) gives O = 0 and LSE = −inf.
//
//===----------------------------------------------------------------------===//
#include "KeyBlocks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::attention;
using utils::IteratorType;

namespace {
constexpr IteratorType par = IteratorType::parallel;
constexpr IteratorType red = IteratorType::reduction;

/// A generic over `dims` loops (the last `reductions` of them reductions)
/// reading `inputs` at `maps` into `init` at `outMap`.
Value generic(ImplicitLocOpBuilder &b, ValueRange inputs,
              ArrayRef<AffineMap> maps, Value init, AffineMap outMap,
              unsigned dims, unsigned reductions,
              llvm::function_ref<Value(ImplicitLocOpBuilder &, ValueRange)>
                  body) {
  SmallVector<AffineMap> all(maps);
  all.push_back(outMap);
  SmallVector<IteratorType> iterators(dims - reductions, par);
  iterators.append(reductions, red);
  return linalg::GenericOp::create(
             b, TypeRange{init.getType()}, inputs, ValueRange{init}, all,
             iterators,
             [&](OpBuilder &nb, Location loc, ValueRange args) {
               ImplicitLocOpBuilder ib(loc, nb);
               linalg::YieldOp::create(ib, body(ib, args));
             })
      .getResult(0);
}

Value filled(ImplicitLocOpBuilder &b, ArrayRef<OpFoldResult> sizes, Type type,
             double value) {
  Value init = tensor::EmptyOp::create(b, sizes, type);
  Value v = arith::ConstantOp::create(b, FloatAttr::get(type, value));
  return linalg::FillOp::create(b, ValueRange{v}, ValueRange{init})
      .getResult(0);
}
} // namespace

void mixir::forms::attention::lowerDecode(RewriterBase &rewriter,
                                          const Problem &p, int64_t Cq,
                                          int64_t Ck) {
  mixer::AttentionOp op = p.op;
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);
  MLIRContext *m = b.getContext();
  const int64_t G = p.Hq / p.Hkv;
  Type f32 = b.getF32Type();
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  Value B = tensor::DimOp::create(b, op.getQ(), 0);
  Value Tq = tensor::DimOp::create(b, op.getQ(), 1);
  Value Tk = tensor::DimOp::create(b, op.getK(), 1);
  // S = clamp(⌈2·workers / (B·Hkv)⌉, 1, key blocks).
  Value workers = mixer::NumWorkersOp::create(b, b.getIndexType());
  Value groups = arith::MulIOp::create(b, B, index(p.Hkv));
  Value numKeyBlocks = arith::CeilDivSIOp::create(b, Tk, index(Ck));
  Value S = arith::CeilDivSIOp::create(
      b, arith::MulIOp::create(b, workers, index(2)),
      arith::MaxSIOp::create(b, groups, index(1)));
  S = arith::MaxSIOp::create(
      b, index(1), arith::MinSIOp::create(b, S, numKeyBlocks));
  OpFoldResult Hq = b.getIndexAttr(p.Hq), V = b.getIndexAttr(p.V);
  // Partial states [B, S, Tq, Hq(, V)], f32, filled by (batch, kv head,
  // split).
  SmallVector<GroupResult> partials{{f32, {B, S, Tq, Hq, V}, 0, 3, 1},
                                    {f32, {B, S, Tq, Hq}, 0, 3, 1},
                                    {f32, {B, S, Tq, Hq}, 0, 3, 1}};
  SmallVector<Value> parts = buildPerGroup(
      b, p, B, S, partials,
      [&](ImplicitLocOpBuilder &hb, const Group &group, Value split,
          ValueRange slices) {
        TileBuilder x(hb, group.query(0));
        // Key blocks [split·n/S, (split+1)·n/S).
        auto bound = [&](Value s) -> Value {
          return arith::DivSIOp::create(
              hb, arith::MulIOp::create(hb, s, numKeyBlocks), S);
        };
        Value jBegin = bound(split);
        Value jEnd = bound(arith::AddIOp::create(hb, split, x.index(1)));
        // A few queries: each key block serves about one query block, so
        // packing would only add a pass over the keys.
        KeyStream stream(hb, p, group, Cq, Ck, jBegin, jEnd, /*pack=*/false);
        return stream.overQueryBlocks(
            hb, slices,
            [&](ImplicitLocOpBuilder &ib, const SoftmaxState &state, Value t0,
                Value len, ValueRange iter) {
              return SmallVector<Value>{
                  storeGroup(ib, state.A, iter[0], t0, len, G),
                  storeGroup(ib, state.m, iter[1], t0, len, G),
                  storeGroup(ib, state.l, iter[2], t0, len, G)};
            });
      });
  Value A = parts[0], mParts = parts[1], lParts = parts[2];

  // The merge, over (b, t, h[, v], s).
  auto map = [&](unsigned dims, ArrayRef<unsigned> which) {
    return dimsMap(m, dims, which);
  };
  SmallVector<OpFoldResult> rowSizes{B, Tq, Hq};
  Value mMax = generic(
      b, {mParts}, {map(4, {0, 3, 1, 2})},
      filled(b, rowSizes, f32, -std::numeric_limits<double>::infinity()),
      map(4, {0, 1, 2}), 4, 1,
      [](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
        return arith::MaximumFOp::create(eb, a[1], a[0]);
      });
  Value l = generic(b, {mParts, lParts, mMax},
                    {map(4, {0, 3, 1, 2}), map(4, {0, 3, 1, 2}),
                     map(4, {0, 1, 2})},
                    filled(b, rowSizes, f32, 0.0), map(4, {0, 1, 2}), 4, 1,
                    [](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
                      Value w = expBelowMax(eb, a[0], a[2], 0.0);
                      return arith::AddFOp::create(
                          eb, a[3], arith::MulFOp::create(eb, w, a[1]));
                    });
  SmallVector<OpFoldResult> outSizes{B, Tq, Hq, V};
  Value sum = generic(b, {A, mParts, mMax},
                      {map(5, {0, 4, 1, 2, 3}), map(5, {0, 4, 1, 2}),
                       map(5, {0, 1, 2})},
                      filled(b, outSizes, f32, 0.0), map(5, {0, 1, 2, 3}), 5,
                      1, [](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
                        Value w = expBelowMax(eb, a[1], a[2], 0.0);
                        return arith::AddFOp::create(
                            eb, a[3], arith::MulFOp::create(eb, w, a[0]));
                      });
  Type outType = elementTypeOf(op.getOutput());
  Value O = generic(b, {sum, l}, {map(4, {0, 1, 2, 3}), map(4, {0, 1, 2})},
                    tensor::EmptyOp::create(b, outSizes, outType),
                    map(4, {0, 1, 2, 3}), 4, 0,
                    [&](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
                      Value o = normalise(eb, a[0], a[1]);
                      HeadIndex none{};
                      return TileBuilder(eb, none).convertTo(o, outType);
                    });
  SmallVector<Value> values{O};
  if (Value lse = op.getLse())
    values.push_back(generic(
        b, {mMax, l}, {map(3, {0, 1, 2}), map(3, {0, 1, 2})},
        tensor::EmptyOp::create(b, rowSizes, elementTypeOf(lse)),
        map(3, {0, 1, 2}), 3, 0,
        [](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
          return logSumExp(eb, a[0], a[1]);
        }));
  rewriter.replaceOp(op, castToTypes(b, op->getResultTypes(), values));
}
