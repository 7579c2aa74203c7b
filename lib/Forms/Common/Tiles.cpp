//===- Tiles.cpp - tiles of one head, and arithmetic on them ----------------===//
#include "Tiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mixir::forms;
using utils::IteratorType;

namespace {
constexpr IteratorType par = IteratorType::parallel;
constexpr IteratorType red = IteratorType::reduction;

Type f32Type(OpBuilder &b) { return b.getF32Type(); }

/// A unary elementwise generic over a static tensor.
Value mapElements(ImplicitLocOpBuilder &b, Value x, Type resultElement,
                  llvm::function_ref<Value(ImplicitLocOpBuilder &, Value)> fn) {
  auto type = cast<RankedTensorType>(x.getType());
  auto resultType = RankedTensorType::get(type.getShape(), resultElement);
  AffineMap id =
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext());
  Value init = tensor::EmptyOp::create(
      b, tensor::getMixedSizes(b, b.getLoc(), x), resultElement);
  return linalg::GenericOp::create(
             b, TypeRange{resultType}, ValueRange{x}, ValueRange{init},
             ArrayRef<AffineMap>{id, id},
             SmallVector<IteratorType>(type.getRank(), par),
             [&](OpBuilder &nb, Location loc, ValueRange args) {
               ImplicitLocOpBuilder ib(loc, nb);
               linalg::YieldOp::create(ib, fn(ib, args[0]));
             })
      .getResult(0);
}

} // namespace

Value mixir::forms::convertScalar(ImplicitLocOpBuilder &b, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  if (!from.isF32() && !to.isF32())
    return convertScalar(b, convertScalar(b, x, b.getF32Type()), to);
  if (to.getIntOrFloatBitWidth() > from.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, to, x);
  return arith::TruncFOp::create(b, to, x);
}

arith::FastMathFlagsAttr mixir::forms::contractionFastMath(OpBuilder &b) {
  return arith::FastMathFlagsAttr::get(
      b.getContext(),
      arith::FastMathFlags::contract | arith::FastMathFlags::reassoc);
}

AffineMap mixir::forms::dimsMap(MLIRContext *ctx, unsigned numDims,
                                ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}

//===----------------------------------------------------------------------===//
// The (batch, head) skeleton
//===----------------------------------------------------------------------===//

SmallVector<Value> mixir::forms::castToTypes(ImplicitLocOpBuilder &b,
                                             TypeRange types,
                                             SmallVector<Value> values) {
  for (auto [i, type] : llvm::enumerate(types))
    if (values[i].getType() != type)
      values[i] = tensor::CastOp::create(b, type, values[i]);
  return values;
}

SmallVector<Value> mixir::forms::buildForall(
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

Type mixir::forms::elementTypeOf(Value tensor) {
  return cast<RankedTensorType>(tensor.getType()).getElementType();
}

SmallVector<Value> mixir::forms::buildPerHead(ImplicitLocOpBuilder &b,
                                              Value B, Value T,
                                              int64_t numHeads,
                                              ArrayRef<PerHeadResult> results,
                                              PerHeadBody body) {
  SmallVector<Value> outs;
  for (const PerHeadResult &r : results)
    outs.push_back(tensor::EmptyOp::create(b, r.sizes, r.elementType));
  return buildForall(
      b, {B, b.getIndexAttr(numHeads)}, outs,
      [&](ValueRange iv, ValueRange shared) {
        HeadIndex at{iv[0], iv[1], T};
        // Per result: the offsets, sizes and type of one head's slice.
        OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
        SmallVector<ParallelInsert> inserts;
        SmallVector<Value> slices;
        for (auto [r, result] : llvm::enumerate(results)) {
          ParallelInsert insert{nullptr,
                                SmallVector<OpFoldResult>(result.sizes.size(),
                                                          zero),
                                SmallVector<OpFoldResult>(result.sizes)};
          SmallVector<int64_t> sliceShape;
          for (unsigned d = 0; d < result.sizes.size(); ++d) {
            if (d == result.batchDim || d == result.headDim) {
              insert.offsets[d] = d == result.batchDim ? at.b : at.h;
              insert.sizes[d] = one;
              continue;
            }
            sliceShape.push_back(getConstantIntValue(result.sizes[d])
                                     .value_or(ShapedType::kDynamic));
          }
          slices.push_back(tensor::ExtractSliceOp::create(
              b, RankedTensorType::get(sliceShape, result.elementType),
              shared[r], insert.offsets, insert.sizes,
              SmallVector<OpFoldResult>(insert.offsets.size(), one)));
          inserts.push_back(std::move(insert));
        }
        SmallVector<Value> filled = body(b, at, slices);
        TileBuilder x(b, at);
        for (size_t r = 0; r < inserts.size(); ++r)
          inserts[r].source = x.convertTo(filled[r], results[r].elementType);
        return inserts;
      });
}

//===----------------------------------------------------------------------===//
// Tiles
//===----------------------------------------------------------------------===//

Value TileBuilder::index(int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
}

Value TileBuilder::f32(double v) {
  return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
}

Value TileBuilder::tileLength(Value t0, int64_t size) {
  Value rest = arith::SubIOp::create(b, at.T, t0);
  return arith::MinSIOp::create(b, index(size), rest);
}

Value TileBuilder::toF32(Value x) { return convertTo(x, f32Type(b)); }

Value TileBuilder::convertTo(Value x, Type elementType) {
  if (isa<FloatType>(x.getType()))
    return convertScalar(b, x, elementType);
  if (cast<RankedTensorType>(x.getType()).getElementType() == elementType)
    return x;
  return mapElements(b, x, elementType,
                     [&](ImplicitLocOpBuilder &ib, Value v) {
                       return convertScalar(ib, v, elementType);
                     });
}

Value TileBuilder::row(Value x, Value t) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t D = type.getDimSize(3);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  return toF32(tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({D}, type.getElementType()), x,
      ArrayRef<OpFoldResult>{at.b, t, at.h, zero},
      ArrayRef<OpFoldResult>{one, one, one, b.getIndexAttr(D)},
      SmallVector<OpFoldResult>(4, one)));
}

Value TileBuilder::scalarAt(Value x, Value t) {
  return toF32(tensor::ExtractOp::create(b, x, ValueRange{at.b, t, at.h}));
}

Value TileBuilder::headScalar(Value x) {
  return toF32(tensor::ExtractOp::create(b, x, ValueRange{at.h}));
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
  Type element = type.getElementType();
  Value zero = arith::ConstantOp::create(b, b.getFloatAttr(element, 0.0));
  return tensor::PadOp::create(b, RankedTensorType::get(shape, element),
                               slice, low, high, zero);
}

Value TileBuilder::tile(Value x, Value t0, Value len, int64_t size) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t D = type.getDimSize(3);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult lenOfr = getAsOpFoldResult(len);
  std::optional<int64_t> staticLen = getConstantIntValue(lenOfr);
  Value slice = tensor::ExtractSliceOp::create(
      b,
      RankedTensorType::get({staticLen.value_or(ShapedType::kDynamic), D},
                            type.getElementType()),
      x, ArrayRef<OpFoldResult>{at.b, t0, at.h, zero},
      ArrayRef<OpFoldResult>{one, lenOfr, one, b.getIndexAttr(D)},
      SmallVector<OpFoldResult>(4, one));
  return toF32(padRows(b, slice, len, size));
}

Value TileBuilder::tile1d(Value x, Value t0, Value len, int64_t size) {
  auto type = cast<RankedTensorType>(x.getType());
  OpFoldResult one = b.getIndexAttr(1);
  OpFoldResult lenOfr = getAsOpFoldResult(len);
  std::optional<int64_t> staticLen = getConstantIntValue(lenOfr);
  Value slice = tensor::ExtractSliceOp::create(
      b,
      RankedTensorType::get({staticLen.value_or(ShapedType::kDynamic)},
                            type.getElementType()),
      x, ArrayRef<OpFoldResult>{at.b, t0, at.h},
      ArrayRef<OpFoldResult>{one, lenOfr, one},
      SmallVector<OpFoldResult>(3, one));
  return toF32(padRows(b, slice, len, size));
}

Value TileBuilder::headMatrix(Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t R = type.getDimSize(2), C = type.getDimSize(3);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  return toF32(tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({R, C}, type.getElementType()), x,
      ArrayRef<OpFoldResult>{at.b, at.h, zero, zero},
      ArrayRef<OpFoldResult>{one, one, b.getIndexAttr(R), b.getIndexAttr(C)},
      SmallVector<OpFoldResult>(4, one)));
}

Value TileBuilder::storeRows(Value tileRows, Value rows, Value t0, Value len) {
  auto rowsType = cast<RankedTensorType>(rows.getType());
  auto type = cast<RankedTensorType>(tileRows.getType());
  const int64_t D = type.getDimSize(1);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult lenOfr = getAsOpFoldResult(len);
  OpFoldResult width = b.getIndexAttr(D);
  Value part = convertTo(tileRows, rowsType.getElementType());
  if (getConstantIntValue(lenOfr) != type.getDimSize(0))
    part = tensor::ExtractSliceOp::create(
        b,
        RankedTensorType::get({ShapedType::kDynamic, D},
                              rowsType.getElementType()),
        part, ArrayRef<OpFoldResult>{zero, zero},
        ArrayRef<OpFoldResult>{lenOfr, width},
        ArrayRef<OpFoldResult>{one, one});
  return tensor::InsertSliceOp::create(b, part, rows,
                                       ArrayRef<OpFoldResult>{t0, zero},
                                       ArrayRef<OpFoldResult>{lenOfr, width},
                                       ArrayRef<OpFoldResult>{one, one});
}

Value TileBuilder::storeElements(Value tile, Value out, Value t0, Value len) {
  auto outType = cast<RankedTensorType>(out.getType());
  auto type = cast<RankedTensorType>(tile.getType());
  OpFoldResult lenOfr = getAsOpFoldResult(len);
  OpFoldResult one = b.getIndexAttr(1);
  Value part = convertTo(tile, outType.getElementType());
  if (getConstantIntValue(lenOfr) != type.getDimSize(0))
    part = tensor::ExtractSliceOp::create(
        b,
        RankedTensorType::get({ShapedType::kDynamic},
                              outType.getElementType()),
        part, ArrayRef<OpFoldResult>{b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{lenOfr}, ArrayRef<OpFoldResult>{one});
  return tensor::InsertSliceOp::create(b, part, out, ArrayRef<OpFoldResult>{t0},
                                       ArrayRef<OpFoldResult>{lenOfr},
                                       ArrayRef<OpFoldResult>{one});
}

//===----------------------------------------------------------------------===//
// Element-wise arithmetic
//===----------------------------------------------------------------------===//

Value TileBuilder::cumsum(Value tile) {
  // G[t] = G[t-1] + g[t]: a sum over at most one tile, never a difference of
  // long prefix sums; one row (a scalar, or a D-vector) per step.
  auto type = cast<RankedTensorType>(tile.getType());
  const bool rank2 = type.getRank() == 2;
  Value zeroRow = rank2 ? zeros({type.getDimSize(1)}) : f32(0.0);
  auto loop = scf::ForOp::create(
      b, index(0), index(type.getDimSize(0)), index(1),
      ValueRange{zeroRow, zeros(type.getShape())},
      [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        TileBuilder xt(ib, at);
        Value sum = xt.addRows(iter[0], xt.rowAt(tile, t));
        scf::YieldOp::create(ib,
                             ValueRange{sum, xt.setRowAt(iter[1], sum, t)});
      });
  return loop.getResult(1);
}

Value TileBuilder::rowAt(Value tile, Value t) {
  auto type = cast<RankedTensorType>(tile.getType());
  if (type.getRank() == 1)
    return tensor::ExtractOp::create(b, tile, ValueRange{t});
  OpFoldResult one = b.getIndexAttr(1);
  return tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({type.getDimSize(1)}, type.getElementType()),
      tile, ArrayRef<OpFoldResult>{t, b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{one, b.getIndexAttr(type.getDimSize(1))},
      ArrayRef<OpFoldResult>{one, one});
}

Value TileBuilder::setRowAt(Value tile, Value row, Value t) {
  auto type = cast<RankedTensorType>(tile.getType());
  if (type.getRank() == 1)
    return tensor::InsertOp::create(b, row, tile, ValueRange{t});
  OpFoldResult one = b.getIndexAttr(1);
  return tensor::InsertSliceOp::create(
      b, row, tile, ArrayRef<OpFoldResult>{t, b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{one, b.getIndexAttr(type.getDimSize(1))},
      ArrayRef<OpFoldResult>{one, one});
}

Value TileBuilder::lastRow(Value tile) {
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
  AffineMap id =
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext());
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

Value TileBuilder::addRows(Value a, Value c) {
  return combineRows(b, a, c, /*multiply=*/false);
}

Value TileBuilder::mulRows(Value a, Value c) {
  return combineRows(b, a, c, /*multiply=*/true);
}

Value TileBuilder::expRow(Value row) {
  if (isa<FloatType>(row.getType()))
    return math::ExpOp::create(b, row);
  return exp(row);
}

Value TileBuilder::exp(Value x) {
  return mapElements(b, x, f32Type(b), [](ImplicitLocOpBuilder &ib, Value v) {
    return math::ExpOp::create(ib, v).getResult();
  });
}

Value TileBuilder::negate(Value x) {
  if (isa<FloatType>(x.getType()))
    return arith::NegFOp::create(b, x);
  return mapElements(b, x, f32Type(b), [](ImplicitLocOpBuilder &ib, Value v) {
    return arith::NegFOp::create(ib, v).getResult();
  });
}

Value TileBuilder::scaleColumns(Value x, Value e) {
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *mctx = b.getContext();
  const bool row = isa<RankedTensorType>(e.getType());
  SmallVector<Value> inputs{x};
  SmallVector<AffineMap> maps{dimsMap(mctx, 2, {0, 1})};
  if (row) {
    inputs.push_back(e);
    maps.push_back(dimsMap(mctx, 2, {1}));
  }
  maps.push_back(dimsMap(mctx, 2, {0, 1}));
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

Value TileBuilder::scaleRows(Value x, Value s) {
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *mctx = b.getContext();
  Value init = tensor::EmptyOp::create(b, type.getShape(), f32Type(b));
  return linalg::GenericOp::create(
             b, TypeRange{type}, ValueRange{x, s}, ValueRange{init},
             ArrayRef<AffineMap>{dimsMap(mctx, 2, {0, 1}),
                                 dimsMap(mctx, 2, {0}),
                                 dimsMap(mctx, 2, {0, 1})},
             ArrayRef<IteratorType>{par, par},
             [&](OpBuilder &nb, Location loc, ValueRange args) {
               ImplicitLocOpBuilder ib(loc, nb);
               linalg::YieldOp::create(
                   ib, ValueRange{arith::MulFOp::create(ib, args[0], args[1])});
             })
      .getResult(0);
}

Value TileBuilder::updateInPlace2D(
    Value x, ValueRange inputs, ArrayRef<AffineMap> inputMaps,
    llvm::function_ref<Value(ImplicitLocOpBuilder &, ValueRange)> body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(dimsMap(b.getContext(), 2, {0, 1}));
  return linalg::GenericOp::create(
             b, TypeRange{x.getType()}, inputs, ValueRange{x}, maps,
             ArrayRef<IteratorType>{par, par},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               ImplicitLocOpBuilder ib(l, nb);
               linalg::YieldOp::create(ib, body(ib, args));
             })
      .getResult(0);
}

Value TileBuilder::filled(ArrayRef<int64_t> shape, double value) {
  Value init = tensor::EmptyOp::create(b, shape, f32Type(b));
  return linalg::FillOp::create(b, ValueRange{f32(value)}, ValueRange{init})
      .getResult(0);
}

Value TileBuilder::zeros(ArrayRef<int64_t> shape) { return filled(shape, 0.0); }

Value TileBuilder::identity(int64_t n) {
  return updateInPlace2D(
      zeros({n, n}), {}, {}, [&](ImplicitLocOpBuilder &ib, ValueRange) {
        Value i = linalg::IndexOp::create(ib, 0);
        Value j = linalg::IndexOp::create(ib, 1);
        Value diag = arith::CmpIOp::create(ib, arith::CmpIPredicate::eq, i, j);
        return arith::SelectOp::create(
            ib, diag, arith::ConstantOp::create(ib, ib.getF32FloatAttr(1.0)),
            arith::ConstantOp::create(ib, ib.getF32FloatAttr(0.0)));
      });
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

Value TileBuilder::contract(Value lhs, AffineMap lhsMap, Value rhs,
                            AffineMap rhsMap, Value acc, AffineMap accMap,
                            ArrayRef<IteratorType> iterators) {
  return linalg::GenericOp::create(
             b, TypeRange{acc.getType()}, ValueRange{lhs, rhs},
             ValueRange{acc}, ArrayRef<AffineMap>{lhsMap, rhsMap, accMap},
             iterators,
             [&](OpBuilder &nb, Location loc, ValueRange args) {
               ImplicitLocOpBuilder ib(loc, nb);
               auto fm = contractionFastMath(ib);
               Value p = arith::MulFOp::create(ib, args[0], args[1], fm);
               Value s = arith::AddFOp::create(ib, args[2], p, fm);
               linalg::YieldOp::create(ib, s);
             })
      .getResult(0);
}

// Iteration orders: the innermost loop runs along a dimension that is
// contiguous in the accumulator (so it vectorises after lowering), and the
// reduction is outside the accumulator's rows, so that each pass over a big
// operand (a K×V state) happens once per tile, not once per token: the
// state is read row by row while the tile-sized operands stay in L1.

Value TileBuilder::matmulAcc(Value a, Value c, Value acc) {
  MLIRContext *m = b.getContext(); // (i, t, j): rank-1 updates of acc
  return contract(a, dimsMap(m, 3, {1, 0}), c, dimsMap(m, 3, {0, 2}), acc,
                  dimsMap(m, 3, {1, 2}), {red, par, par});
}

Value TileBuilder::transpose(Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  Value init = tensor::EmptyOp::create(
      b, ArrayRef<int64_t>{type.getDimSize(1), type.getDimSize(0)},
      type.getElementType());
  return linalg::TransposeOp::create(b, x, init, ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

Value TileBuilder::matmulTransBAcc(Value a, Value c, Value acc) {
  // acc = a · cᵀ as a · (cᵀ): the explicit transpose makes the
  // contraction's right operand contiguous along the accumulator's columns,
  // the shape the register tiling wants; it costs one pass over c.
  return matmulAcc(a, transpose(c), acc);
}

Value TileBuilder::matmulTransAAcc(Value a, Value c, Value acc) {
  MLIRContext *m = b.getContext(); // (i, s, j): row i of acc stays in L1
  return contract(a, dimsMap(m, 3, {1, 0}), c, dimsMap(m, 3, {1, 2}), acc,
                  dimsMap(m, 3, {0, 2}), {par, red, par});
}

//===----------------------------------------------------------------------===//
// Triangular solve
//===----------------------------------------------------------------------===//

/// The static [rows, cols] block of a 2-D tile at (r0, c0).
static Value block(ImplicitLocOpBuilder &b, Value x, int64_t r0, int64_t c0,
                   int64_t rows, int64_t cols) {
  auto type = cast<RankedTensorType>(x.getType());
  return tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({rows, cols}, type.getElementType()), x,
      ArrayRef<OpFoldResult>{b.getIndexAttr(r0), b.getIndexAttr(c0)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(rows), b.getIndexAttr(cols)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
}

Value TileBuilder::solveUnitLower(Value L, Value R) {
  auto type = cast<RankedTensorType>(R.getType());
  const int64_t C = type.getDimSize(0), N = type.getDimSize(1);
  const int64_t sub = C > 16 && C % 16 == 0 ? 16 : C;
  MLIRContext *m = b.getContext();
  Value X = R;
  for (int64_t i = 0; i < C / sub; ++i) {
    Value Xi = block(b, X, i * sub, 0, sub, N);
    // The rows of blocks solved before: X_i += L_ij X_j.
    for (int64_t j = 0; j < i; ++j)
      Xi = matmulAcc(block(b, L, i * sub, j * sub, sub, sub),
                     block(b, X, j * sub, 0, sub, N), Xi);
    // The diagonal block, row by row: X_i[t] += Σ_{s<t} L_ii[t, s] X_i[s]
    // (L_ii[t, s] = 0 for s ≥ t, so rows not solved yet contribute nothing).
    Value Lii = block(b, L, i * sub, i * sub, sub, sub);
    auto rows = scf::ForOp::create(
        b, index(0), index(sub), index(1), ValueRange{Xi},
        [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
          ImplicitLocOpBuilder ib(loc, nb);
          TileBuilder xt(ib, at);
          Value row = xt.contract(xt.rowAt(Lii, t), dimsMap(m, 2, {0}),
                                  iter[0], dimsMap(m, 2, {0, 1}),
                                  xt.rowAt(iter[0], t), dimsMap(m, 2, {1}),
                                  {red, par});
          scf::YieldOp::create(ib, xt.setRowAt(iter[0], row, t));
        });
    X = tensor::InsertSliceOp::create(
        b, rows.getResult(0), X,
        ArrayRef<OpFoldResult>{b.getIndexAttr(i * sub), b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(sub), b.getIndexAttr(N)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  }
  return X;
}

Window mixir::forms::windowAt(OpBuilder &b, RankedTensorType type,
                              ArrayRef<Value> lead, Value start, Value len) {
  Window w;
  const int64_t numLead = lead.size();
  for (int64_t d = 0; d < type.getRank(); ++d) {
    w.strides.push_back(b.getIndexAttr(1));
    if (d < numLead) {
      w.offsets.push_back(lead[d]);
      w.sizes.push_back(b.getIndexAttr(1));
    } else if (d == numLead && len) {
      w.offsets.push_back(start ? OpFoldResult(start)
                                : OpFoldResult(b.getIndexAttr(0)));
      w.sizes.push_back(len);
    } else {
      w.offsets.push_back(b.getIndexAttr(0));
      w.sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
    }
  }
  return w;
}

Value mixir::forms::extractWindow(ImplicitLocOpBuilder &b, Value x,
                                  ArrayRef<Value> lead, Value start,
                                  Value len) {
  auto type = cast<RankedTensorType>(x.getType());
  return extractWindow(b, x, windowAt(b, type, lead, start, len), lead.size());
}

Value mixir::forms::extractWindow(ImplicitLocOpBuilder &b, Value x,
                                  const Window &w, unsigned numLead) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape;
  for (int64_t d = numLead; d < type.getRank(); ++d) {
    auto size = dyn_cast<Attribute>(w.sizes[d]);
    shape.push_back(size ? cast<IntegerAttr>(size).getInt()
                         : ShapedType::kDynamic);
  }
  return tensor::ExtractSliceOp::create(
      b, RankedTensorType::get(shape, type.getElementType()), x, w.offsets,
      w.sizes, w.strides);
}
