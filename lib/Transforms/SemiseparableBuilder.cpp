//===- SemiseparableBuilder.cpp - shared pieces of the forms ----------------===//
#include "SemiseparableBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::detail;
using mixer::GateKind;
using utils::IteratorType;

namespace {
constexpr IteratorType par = IteratorType::parallel;
constexpr IteratorType red = IteratorType::reduction;

/// Float ops inside contractions may be reassociated and contracted into
/// FMAs: the references tolerate 1e-4 relative error in f32.
arith::FastMathFlagsAttr fastMath(OpBuilder &b) {
  return arith::FastMathFlagsAttr::get(
      b.getContext(), arith::FastMathFlags::contract |
                          arith::FastMathFlags::reassoc);
}

AffineMap map(MLIRContext *ctx, unsigned numDims, ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}

Type f32Type(OpBuilder &b) { return b.getF32Type(); }

/// x[t, s] = body(inputs at their maps..., x[t, s]) over a 2-D x, updated in
/// place (x is the generic's init).
Value updateInPlace2D(
    OpBuilder &b, Location loc, Value x, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    llvm::function_ref<Value(ImplicitLocOpBuilder &, ValueRange)> body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(map(b.getContext(), 2, {0, 1}));
  return linalg::GenericOp::create(
             b, loc, TypeRange{x.getType()}, inputs, ValueRange{x}, maps,
             ArrayRef<IteratorType>{par, par},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               ImplicitLocOpBuilder ib(l, nb);
               linalg::YieldOp::create(ib, body(ib, args));
             })
      .getResult(0);
}
} // namespace

//===----------------------------------------------------------------------===//
// The (batch, head) skeleton
//===----------------------------------------------------------------------===//

void mixir::detail::buildPerHeadSkeleton(RewriterBase &rewriter,
                                         mixer::SemiseparableOp op,
                                         HeadBody body) {
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);
  rewriter.replaceOp(op, castToResultTypes(b, op, buildPerHead(b, op, body)));
}

SmallVector<Value>
mixir::detail::castToResultTypes(ImplicitLocOpBuilder &b,
                                 mixer::SemiseparableOp op,
                                 SmallVector<Value> values) {
  for (auto [i, type] : llvm::enumerate(op->getResultTypes()))
    if (values[i].getType() != type)
      values[i] = tensor::CastOp::create(b, type, values[i]);
  return values;
}

SmallVector<Value> mixir::detail::buildPerHead(ImplicitLocOpBuilder &b,
                                               mixer::SemiseparableOp op,
                                               HeadBody body) {
  OpBuilder::InsertionGuard guard(b);
  const int64_t H = op.getNumHeads(), K = op.getKeyDim(), V = op.getValueDim();
  Type f32 = f32Type(b);
  Value B = tensor::DimOp::create(b, op.getQ(), 0);
  Value T = tensor::DimOp::create(b, op.getQ(), 1);

  SmallVector<Value> outs{tensor::EmptyOp::create(
      b, ArrayRef<OpFoldResult>{B, T, b.getIndexAttr(H), b.getIndexAttr(V)},
      f32)};
  const bool hasFinal = static_cast<bool>(op.getFinalState());
  if (hasFinal)
    outs.push_back(tensor::EmptyOp::create(
        b,
        ArrayRef<OpFoldResult>{B, b.getIndexAttr(H), b.getIndexAttr(K),
                               b.getIndexAttr(V)},
        f32));

  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{B, b.getIndexAttr(H)}, outs, std::nullopt);
  b.setInsertionPointToStart(forall.getBody());
  Value bi = forall.getInductionVar(0), hi = forall.getInductionVar(1);
  ValueRange shared = forall.getRegionIterArgs();
  HeadContext ctx{op, op.getGateKind(), K, V, op.getScaleOrDefault(),
                  bi, hi, T};

  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  SmallVector<OpFoldResult> rowOffsets{bi, zero, hi, zero};
  SmallVector<OpFoldResult> rowSizes{one, T, one, b.getIndexAttr(V)};
  SmallVector<OpFoldResult> stateOffsets{bi, hi, zero, zero};
  SmallVector<OpFoldResult> stateSizes{one, one, b.getIndexAttr(K),
                                       b.getIndexAttr(V)};
  SmallVector<OpFoldResult> unit(4, one);

  Value rows = tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({ShapedType::kDynamic, V}, f32), shared[0],
      rowOffsets, rowSizes, unit);
  Value state;
  auto stateType = RankedTensorType::get({K, V}, f32);
  if (Value init = op.getInitialState())
    state = tensor::ExtractSliceOp::create(b, stateType, init, stateOffsets,
                                           stateSizes, unit);
  else
    state = HeadTiles(b, ctx).zeros({K, V});

  auto [rowsOut, stateOut] = body(b, ctx, rows, state);

  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, rowsOut, shared[0], rowOffsets,
                                        rowSizes, unit);
  if (hasFinal)
    tensor::ParallelInsertSliceOp::create(b, stateOut, shared[1],
                                          stateOffsets, stateSizes, unit);
  return SmallVector<Value>(forall.getResults());
}

//===----------------------------------------------------------------------===//
// Tiles
//===----------------------------------------------------------------------===//

Value HeadTiles::index(int64_t v) { return arith::ConstantIndexOp::create(b, v); }

Value HeadTiles::f32(double v) {
  return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
}

Value HeadTiles::tileLength(Value t0, int64_t size) {
  Value rest = arith::SubIOp::create(b, ctx.T, t0);
  return arith::MinSIOp::create(b, index(size), rest);
}

Value HeadTiles::row(Value x, Value t) {
  int64_t D = cast<RankedTensorType>(x.getType()).getDimSize(3);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  return tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({D}, f32Type(b)), x,
      ArrayRef<OpFoldResult>{ctx.b, t, ctx.h, zero},
      ArrayRef<OpFoldResult>{one, one, one, b.getIndexAttr(D)},
      SmallVector<OpFoldResult>(4, one));
}

Value HeadTiles::scalarAt(Value x, Value t) {
  return tensor::ExtractOp::create(b, x, ValueRange{ctx.b, t, ctx.h});
}

/// Pads dimension 0 of `slice` with zeros up to `size` rows unless it has
/// that many already.
static Value padRows(ImplicitLocOpBuilder &b, Value slice, Value len,
                     int64_t size) {
  auto type = cast<RankedTensorType>(slice.getType());
  if (type.getDimSize(0) == size)
    return slice;
  SmallVector<int64_t> shape(type.getShape());
  shape[0] = size;
  SmallVector<OpFoldResult> low(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> high(type.getRank(), b.getIndexAttr(0));
  Value sizeV = arith::ConstantIndexOp::create(b, size);
  high[0] = arith::SubIOp::create(b, sizeV, len).getResult();
  Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0));
  return tensor::PadOp::create(b, RankedTensorType::get(shape, f32Type(b)),
                               slice, low, high, zero);
}

Value HeadTiles::tile(Value x, Value t0, Value len, int64_t size) {
  int64_t D = cast<RankedTensorType>(x.getType()).getDimSize(3);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult lenOfr = getAsOpFoldResult(len);
  std::optional<int64_t> staticLen = getConstantIntValue(lenOfr);
  Value slice = tensor::ExtractSliceOp::create(
      b,
      RankedTensorType::get({staticLen.value_or(ShapedType::kDynamic), D},
                            f32Type(b)),
      x, ArrayRef<OpFoldResult>{ctx.b, t0, ctx.h, zero},
      ArrayRef<OpFoldResult>{one, lenOfr, one, b.getIndexAttr(D)},
      SmallVector<OpFoldResult>(4, one));
  return padRows(b, slice, len, size);
}

Value HeadTiles::tile1d(Value x, Value t0, Value len, int64_t size) {
  OpFoldResult one = b.getIndexAttr(1);
  OpFoldResult lenOfr = getAsOpFoldResult(len);
  std::optional<int64_t> staticLen = getConstantIntValue(lenOfr);
  Value slice = tensor::ExtractSliceOp::create(
      b,
      RankedTensorType::get({staticLen.value_or(ShapedType::kDynamic)},
                            f32Type(b)),
      x, ArrayRef<OpFoldResult>{ctx.b, t0, ctx.h},
      ArrayRef<OpFoldResult>{one, lenOfr, one},
      SmallVector<OpFoldResult>(3, one));
  return padRows(b, slice, len, size);
}

Value HeadTiles::gateTile(Value t0, Value len, int64_t size) {
  Value g = ctx.op.getGate();
  switch (ctx.gate) {
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
  Value gh = tensor::ExtractOp::create(b, g, ValueRange{ctx.h});
  Value init = tensor::EmptyOp::create(b, ArrayRef<int64_t>{size}, f32Type(b));
  MLIRContext *mctx = b.getContext();
  return linalg::GenericOp::create(
             b, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
             ArrayRef<AffineMap>{map(mctx, 1, {0})},
             ArrayRef<IteratorType>{par},
             [&](OpBuilder &nb, Location loc, ValueRange) {
               ImplicitLocOpBuilder ib(loc, nb);
               Value t = linalg::IndexOp::create(ib, 0);
               Value inside = arith::CmpIOp::create(
                   ib, arith::CmpIPredicate::slt, t, len);
               Value zero = arith::ConstantOp::create(ib, ib.getF32FloatAttr(0));
               Value v = arith::SelectOp::create(ib, inside, gh, zero);
               linalg::YieldOp::create(ib, v);
             })
      .getResult(0);
}

Value HeadTiles::gateAt(Value t) {
  Value g = ctx.op.getGate();
  switch (ctx.gate) {
  case GateKind::None:
    return nullptr;
  case GateKind::Head:
    return tensor::ExtractOp::create(b, g, ValueRange{ctx.h});
  case GateKind::Token:
    return scalarAt(g, t);
  case GateKind::Channel:
    return row(g, t);
  }
  llvm_unreachable("unknown gate kind");
}

Value HeadTiles::cumsum(Value gateTile) {
  // G[t] = G[t-1] + g[t]: a sum over at most one tile, never a difference of
  // long prefix sums; one row (a scalar, or a K-vector) per step.
  auto type = cast<RankedTensorType>(gateTile.getType());
  const bool rank2 = type.getRank() == 2;
  Value zeroRow = rank2 ? zeros({type.getDimSize(1)}) : f32(0.0);
  auto loop = scf::ForOp::create(
      b, index(0), index(type.getDimSize(0)), index(1),
      ValueRange{zeroRow, zeros(type.getShape())},
      [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, ctx);
        Value sum = xt.addRows(iter[0], xt.rowAt(gateTile, t));
        scf::YieldOp::create(ib,
                             ValueRange{sum, xt.setRowAt(iter[1], sum, t)});
      });
  return loop.getResult(1);
}

Value HeadTiles::rowAt(Value tile, Value t) {
  auto type = cast<RankedTensorType>(tile.getType());
  if (type.getRank() == 1)
    return tensor::ExtractOp::create(b, tile, ValueRange{t});
  OpFoldResult one = b.getIndexAttr(1);
  return tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({type.getDimSize(1)}, f32Type(b)), tile,
      ArrayRef<OpFoldResult>{t, b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{one, b.getIndexAttr(type.getDimSize(1))},
      ArrayRef<OpFoldResult>{one, one});
}

Value HeadTiles::setRowAt(Value tile, Value row, Value t) {
  auto type = cast<RankedTensorType>(tile.getType());
  if (type.getRank() == 1)
    return tensor::InsertOp::create(b, row, tile, ValueRange{t});
  OpFoldResult one = b.getIndexAttr(1);
  return tensor::InsertSliceOp::create(
      b, row, tile, ArrayRef<OpFoldResult>{t, b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{one, b.getIndexAttr(type.getDimSize(1))},
      ArrayRef<OpFoldResult>{one, one});
}

Value HeadTiles::lastRow(Value tile) {
  auto type = cast<RankedTensorType>(tile.getType());
  return rowAt(tile, index(type.getDimSize(0) - 1));
}

/// a ∘ c elementwise for two scalars or two tensors of one static shape.
static Value combineRows(ImplicitLocOpBuilder &b, Value a, Value c,
                         bool multiply) {
  auto apply = [&](ImplicitLocOpBuilder &ib, Value l, Value r) -> Value {
    if (multiply)
      return arith::MulFOp::create(ib, l, r);
    return arith::AddFOp::create(ib, l, r);
  };
  if (isa<FloatType>(a.getType()))
    return apply(b, a, c);
  auto type = cast<RankedTensorType>(a.getType());
  Value init = tensor::EmptyOp::create(b, type.getShape(), f32Type(b));
  AffineMap id = AffineMap::getMultiDimIdentityMap(type.getRank(),
                                                   b.getContext());
  return linalg::GenericOp::create(
             b, TypeRange{type}, ValueRange{a, c}, ValueRange{init},
             ArrayRef<AffineMap>{id, id, id},
             SmallVector<IteratorType>(type.getRank(), par),
             [&](OpBuilder &nb, Location loc, ValueRange args) {
               ImplicitLocOpBuilder ib(loc, nb);
               linalg::YieldOp::create(ib, apply(ib, args[0], args[1]));
             })
      .getResult(0);
}

Value HeadTiles::addRows(Value a, Value c) {
  return combineRows(b, a, c, /*multiply=*/false);
}

Value HeadTiles::mulRows(Value a, Value c) {
  return combineRows(b, a, c, /*multiply=*/true);
}

Value HeadTiles::expRow(Value row) {
  if (isa<FloatType>(row.getType()))
    return math::ExpOp::create(b, row);
  return exp(row);
}

Value HeadTiles::scaleColumns(Value x, Value e) {
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *mctx = b.getContext();
  const bool row = isa<RankedTensorType>(e.getType());
  SmallVector<Value> inputs{x};
  SmallVector<AffineMap> maps{map(mctx, 2, {0, 1})};
  if (row) {
    inputs.push_back(e);
    maps.push_back(map(mctx, 2, {1}));
  }
  maps.push_back(map(mctx, 2, {0, 1}));
  Value init = tensor::EmptyOp::create(b, type.getShape(), f32Type(b));
  return linalg::GenericOp::create(
             b, TypeRange{type}, inputs, ValueRange{init}, maps,
             ArrayRef<IteratorType>{par, par},
             [&](OpBuilder &nb, Location loc, ValueRange args) {
               ImplicitLocOpBuilder ib(loc, nb);
               linalg::YieldOp::create(
                   ib, ValueRange{arith::MulFOp::create(
                           ib, args[0], row ? args[1] : e)});
             })
      .getResult(0);
}

Value HeadTiles::scaleByDecay(Value x, ArrayRef<Decay> terms, double factor) {
  if (terms.empty() && factor == 1.0)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *mctx = b.getContext();
  SmallVector<Value> inputs{x};
  SmallVector<AffineMap> maps{map(mctx, 2, {0, 1})};
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
      maps.push_back(map(mctx, 2, {0, 1}));
    else
      maps.push_back(map(mctx, 2, {term.isTile ? 0u : 1u}));
  }
  maps.push_back(map(mctx, 2, {0, 1}));
  Value init = tensor::EmptyOp::create(b, type.getShape(), f32Type(b));
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

Value HeadTiles::scaleRows(Value x, Value s) {
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *mctx = b.getContext();
  Value init = tensor::EmptyOp::create(b, type.getShape(), f32Type(b));
  return linalg::GenericOp::create(
             b, TypeRange{type}, ValueRange{x, s}, ValueRange{init},
             ArrayRef<AffineMap>{map(mctx, 2, {0, 1}), map(mctx, 2, {0}),
                                 map(mctx, 2, {0, 1})},
             ArrayRef<IteratorType>{par, par},
             [&](OpBuilder &nb, Location loc, ValueRange args) {
               ImplicitLocOpBuilder ib(loc, nb);
               linalg::YieldOp::create(
                   ib, ValueRange{arith::MulFOp::create(ib, args[0], args[1])});
             })
      .getResult(0);
}

Value HeadTiles::exp(Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *mctx = b.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(type.getRank(), mctx);
  Value init = tensor::EmptyOp::create(b, type.getShape(), f32Type(b));
  return linalg::GenericOp::create(
             b, TypeRange{type}, ValueRange{x}, ValueRange{init},
             ArrayRef<AffineMap>{id, id},
             SmallVector<IteratorType>(type.getRank(), par),
             [&](OpBuilder &nb, Location loc, ValueRange args) {
               ImplicitLocOpBuilder ib(loc, nb);
               linalg::YieldOp::create(
                   ib, ValueRange{math::ExpOp::create(ib, args[0])});
             })
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

Value HeadTiles::filled(ArrayRef<int64_t> shape, double value) {
  Value init = tensor::EmptyOp::create(b, shape, f32Type(b));
  return linalg::FillOp::create(b, ValueRange{f32(value)}, ValueRange{init})
      .getResult(0);
}

Value HeadTiles::zeros(ArrayRef<int64_t> shape) { return filled(shape, 0.0); }

Value HeadTiles::constantGateRow(double value) {
  return perChannel() ? filled({ctx.K}, value) : f32(value);
}

Value HeadTiles::contract(Value lhs, AffineMap lhsMap, Value rhs,
                          AffineMap rhsMap, Value acc, AffineMap accMap,
                          ArrayRef<IteratorType> iterators) {
  return linalg::GenericOp::create(
             b, TypeRange{acc.getType()}, ValueRange{lhs, rhs},
             ValueRange{acc}, ArrayRef<AffineMap>{lhsMap, rhsMap, accMap},
             iterators,
             [&](OpBuilder &nb, Location loc, ValueRange args) {
               ImplicitLocOpBuilder ib(loc, nb);
               auto fm = fastMath(ib);
               Value p = arith::MulFOp::create(ib, args[0], args[1], fm);
               Value s = arith::AddFOp::create(ib, args[2], p, fm);
               linalg::YieldOp::create(ib, s);
             })
      .getResult(0);
}

// Iteration orders: the innermost loop runs along a dimension that is
// contiguous in the accumulator (so it vectorises after lowering), and the
// reduction is outside the accumulator's rows, so that each pass over a big
// operand (the K×V state) happens once per tile, not once per token: the
// state is read row by row while the tile-sized operands stay in L1.

Value HeadTiles::matmulAcc(Value a, Value c, Value acc) {
  MLIRContext *m = b.getContext(); // (i, t, j): rank-1 updates of acc
  return contract(a, map(m, 3, {1, 0}), c, map(m, 3, {0, 2}), acc,
                  map(m, 3, {1, 2}), {red, par, par});
}

Value HeadTiles::transpose(Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  Value init = tensor::EmptyOp::create(
      b, ArrayRef<int64_t>{type.getDimSize(1), type.getDimSize(0)},
      f32Type(b));
  return linalg::TransposeOp::create(b, x, init, ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

Value HeadTiles::matmulTransBAcc(Value a, Value c, Value acc) {
  // acc = a · cᵀ as a · (cᵀ): the explicit C×K transpose makes the
  // contraction's right operand contiguous along the accumulator's columns,
  // the shape the register tiling wants; it costs one pass over c.
  return matmulAcc(a, transpose(c), acc);
}

Value HeadTiles::matmulTransAAcc(Value a, Value c, Value acc) {
  MLIRContext *m = b.getContext(); // (i, s, j): row i of acc stays in L1
  return contract(a, map(m, 3, {1, 0}), c, map(m, 3, {1, 2}), acc,
                  map(m, 3, {0, 2}), {par, red, par});
}

Value HeadTiles::causalScores(Value qs, Value k, Value g, Value G) {
  auto qType = cast<RankedTensorType>(qs.getType());
  const int64_t C = qType.getDimSize(0);
  MLIRContext *m = b.getContext();
  Value acc = zeros({C, C});

  auto maskedDecay = [&](ImplicitLocOpBuilder &ib, Value gt, Value gs,
                         Value x) -> Value {
    // x · exp(G_t − G_s) for s ≤ t, else 0. The exponent is clamped to ≤ 0
    // so that the discarded upper triangle never forms exp of a positive.
    Value t = linalg::IndexOp::create(ib, 0);
    Value s = linalg::IndexOp::create(ib, 1);
    Value causal =
        arith::CmpIOp::create(ib, arith::CmpIPredicate::ule, s, t);
    Value zero = arith::ConstantOp::create(ib, ib.getF32FloatAttr(0));
    if (gt) {
      Value d = arith::SubFOp::create(ib, gt, gs);
      d = arith::MinimumFOp::create(ib, d, zero);
      x = arith::MulFOp::create(ib, x, math::ExpOp::create(ib, d));
    }
    return arith::SelectOp::create(ib, causal, x, zero);
  };

  if (G && cast<RankedTensorType>(G.getType()).getRank() == 2)
    return channelCausalScores(qs, k, g);

  // Scalar or no decay: (qs kᵀ) ⊙ L with L_ts = exp(G_t − G_s) masked.
  Value scores = matmulTransBAcc(qs, k, acc);
  if (!G)
    return updateInPlace2D(b, b.getLoc(), scores, {}, {},
                           [&](ImplicitLocOpBuilder &ib, ValueRange args) {
                             return maskedDecay(ib, nullptr, nullptr, args[0]);
                           });
  return updateInPlace2D(
      b, b.getLoc(), scores, {G, G}, {map(m, 2, {0}), map(m, 2, {1})},
      [&](ImplicitLocOpBuilder &ib, ValueRange args) {
        return maskedDecay(ib, args[0], args[1], args[2]);
      });
}

Value HeadTiles::channelCausalScores(Value qs, Value k, Value g) {
  // A per-channel decay sits inside the dot product, so the C×C block cannot
  // be one matmul. Instead of C·C·K exponentials, carry the decayed keys
  //   D_t[s, i] = k[s, i] · Π_{r=s+1..t} exp(g[r, i])   (s ≤ t; 0 for s > t)
  // through the tile: D_t = D_{t-1} ⊙ exp(g_t) with row t set to k_t, and
  // A[t, :] = D_t · qs_t. Every factor is exp of a log decay ≤ 0, so the
  // products only shrink: no exponent > 0 is ever formed, and the tile
  // costs C·K exponentials and 2·C²·K multiply-adds.
  auto kType = cast<RankedTensorType>(k.getType());
  const int64_t C = kType.getDimSize(0), K = kType.getDimSize(1);
  MLIRContext *m = b.getContext();
  Value decay = exp(g);
  auto loop = scf::ForOp::create(
      b, index(0), index(C), index(1),
      ValueRange{zeros({C, K}), zeros({C, C})},
      [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, ctx);
        Value at = xt.rowAt(decay, t), kt = xt.rowAt(k, t);
        Value qt = xt.rowAt(qs, t);
        // Updated in place (the carried D is the generic's init), so that
        // bufferization reuses one C×K buffer for the whole loop.
        Value D = updateInPlace2D(
            ib, loc, iter[0], {at, kt}, {map(m, 2, {1}), map(m, 2, {1})},
            [&](ImplicitLocOpBuilder &eb, ValueRange args) -> Value {
              Value s = linalg::IndexOp::create(eb, 0);
              Value own =
                  arith::CmpIOp::create(eb, arith::CmpIPredicate::eq, s, t);
              Value decayed = arith::MulFOp::create(eb, args[2], args[0]);
              return arith::SelectOp::create(eb, own, args[1], decayed);
            });
        // A[t, s] = Σ_i D[s, i] qs[t, i]
        Value row = xt.contract(D, map(m, 2, {0, 1}), qt, map(m, 2, {1}),
                                xt.zeros({C}), map(m, 2, {0}), {par, red});
        Value A = xt.setRowAt(iter[1], row, t);
        scf::YieldOp::create(ib, ValueRange{D, A});
      });
  return loop.getResult(1);
}

Value HeadTiles::decayState(Value S, Value logDecay) {
  // In place (S is the generic's init): a state carried by a loop keeps one
  // buffer instead of being copied every iteration.
  auto scaled = [&](ImplicitLocOpBuilder &ib, Value s, Value log) -> Value {
    return arith::MulFOp::create(ib, s, math::ExpOp::create(ib, log));
  };
  if (isa<RankedTensorType>(logDecay.getType()))
    return updateInPlace2D(b, b.getLoc(), S, {logDecay},
                           {map(b.getContext(), 2, {0})},
                           [&](ImplicitLocOpBuilder &ib, ValueRange args) {
                             return scaled(ib, args[1], args[0]);
                           });
  return updateInPlace2D(b, b.getLoc(), S, {}, {},
                         [&](ImplicitLocOpBuilder &ib, ValueRange args) {
                           return scaled(ib, args[0], logDecay);
                         });
}

Value HeadTiles::stateUpdate(Value S, Value k, Value v, Value G) {
  Value kd = k;
  if (G) {
    Value last = lastRow(G);
    // exp(G_last − G_s) ≤ 1: G is a cumulative sum of non-positive terms.
    kd = scaleByDecay(k, {Decay{last}, Decay{G, /*isTile=*/true,
                                              /*negate=*/true}});
    S = decayState(S, last);
  }
  return matmulTransAAcc(kd, v, S);
}

Value HeadTiles::keyTile(Value t0, Value len, int64_t size) {
  Value k = tile(ctx.op.getK(), t0, len, size);
  if (Value beta = ctx.op.getBeta())
    k = scaleRows(k, tile1d(beta, t0, len, size));
  return k;
}

Value HeadTiles::storeRows(Value tileRows, Value rows, Value t0, Value len) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult lenOfr = getAsOpFoldResult(len);
  OpFoldResult V = b.getIndexAttr(ctx.V);
  Value part = tileRows;
  auto type = cast<RankedTensorType>(tileRows.getType());
  if (getConstantIntValue(lenOfr) != type.getDimSize(0))
    part = tensor::ExtractSliceOp::create(
        b,
        RankedTensorType::get({ShapedType::kDynamic, ctx.V}, f32Type(b)),
        tileRows, ArrayRef<OpFoldResult>{zero, zero},
        ArrayRef<OpFoldResult>{lenOfr, V}, ArrayRef<OpFoldResult>{one, one});
  return tensor::InsertSliceOp::create(b, part, rows,
                                       ArrayRef<OpFoldResult>{t0, zero},
                                       ArrayRef<OpFoldResult>{lenOfr, V},
                                       ArrayRef<OpFoldResult>{one, one});
}
