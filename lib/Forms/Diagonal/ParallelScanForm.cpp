//===- ParallelScanForm.cpp - the parallel_scan form -------------------------===//
//
// docs/math.md, section 4. When the work items (batch × channel tiles) are
// fewer than the workers, the steps are cut into S chunks of L:
//   1. per item and chunk s < S−1: the chunk's end state from zero, E_s,
//      and its decay P_s (Σ log a, or Π a): one read of the chunk;
//   2. per item: the carries c_0 = h_0, c_{s+1} = P_s ⊙ c_s + E_s
//      (exp(P_s) for a log decay, an exponent ≤ 0; complex products for a
//      complex decay);
//   3. per item and chunk: the chunk's scan from c_s, writing its rows.
// Chunks 0..S−2 are read twice: this pays only when workers would idle, so
// S = min(⌈workers / items⌉, ⌊T / minChunk⌋), decided at run time, and
// S = 1 runs the scan form.
//
//===----------------------------------------------------------------------===//
#include "DiagonalForms.h"

#include "../Common/Tiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::diagonal;

namespace {
/// A [S, B, d...] tensor of `type`.
Value perChunk(ImplicitLocOpBuilder &b, const ChannelTiles &tiles, Value S,
               Value B, Type type) {
  SmallVector<OpFoldResult> sizes{S, B};
  for (int64_t d : tiles.channels)
    sizes.push_back(b.getIndexAttr(d));
  return tensor::EmptyOp::create(b, sizes, type);
}

/// The item's slice of chunk s of a [S, B, d...] tensor: its offsets and
/// sizes, and the slice (tensor<W>) itself.
SliceAt chunkSlice(OpBuilder &b, const ChannelTiles &tiles, const TileAt &at,
                   OpFoldResult s) {
  SliceAt slice = sliceAt(b, tiles, at);
  slice.offsets.insert(slice.offsets.begin(), s);
  slice.sizes.insert(slice.sizes.begin(), b.getIndexAttr(1));
  return slice;
}

Value extractChunk(ImplicitLocOpBuilder &b, const ChannelTiles &tiles,
                   const TileAt &at, Value x, OpFoldResult s) {
  SliceAt slice = chunkSlice(b, tiles, at, s);
  return tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({tiles.width}, elementTypeOf(x)), x,
      slice.offsets, slice.sizes,
      SmallVector<OpFoldResult>(slice.offsets.size(), b.getIndexAttr(1)));
}

SmallVector<OpFoldResult> withChunks(ArrayRef<OpFoldResult> ubs, Value S) {
  SmallVector<OpFoldResult> all(ubs);
  all.push_back(S);
  return all;
}

/// f(elements...) over tensors<W x f32>, element by element, with
/// `numResults` f32 results.
SmallVector<Value> elementwise(
    ImplicitLocOpBuilder &b, ValueRange ins, unsigned numResults,
    function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, ValueRange)> f) {
  auto type = cast<RankedTensorType>(ins[0].getType());
  SmallVector<Value> outs;
  for (unsigned i = 0; i < numResults; ++i)
    outs.push_back(tensor::EmptyOp::create(b, type.getShape(), b.getF32Type()));
  return mapTile(b, ins, outs,
                 [&](ImplicitLocOpBuilder &g, ValueRange in, ValueRange) {
                   return f(g, in);
                 })
      ->getResults();
}

SmallVector<Value> buildChunked(ImplicitLocOpBuilder &b,
                                const ChannelTiles &tiles, Value B, Value T,
                                Value wantedChunks) {
  const DiagonalParts &parts = tiles.parts;
  const unsigned n = parts.count;
  const bool logDecay = parts.logDecay;
  HeadIndex none{};
  TileBuilder x(b, none);
  Value one = x.index(1);
  // Chunks of L = ⌈T / S⌉ steps; ⌈T / L⌉ of them, so that chunks 0..S−2 are
  // whole and chunk S−1 is not empty.
  Value L = arith::CeilDivUIOp::create(b, T, wantedChunks);
  Value S = arith::CeilDivUIOp::create(b, T, L);
  Value Sm1 = arith::SubIOp::create(b, S, one);
  SmallVector<OpFoldResult> ubs = tiles.itemBounds(b, B);
  const unsigned numItemDims = ubs.size();
  Type f32 = b.getF32Type();
  auto perPart = [&](unsigned count) {
    SmallVector<Value> v;
    for (unsigned p = 0; p < count; ++p)
      v.push_back(perChunk(b, tiles, S, B, f32));
    return v;
  };

  // 1. Chunk reductions, chunks 0..S-2: the end state from zero and the
  // decay (the unit: 0 in log space, else 1 + 0i), by part.
  SmallVector<Value> reduced = buildForall(
      b, withChunks(ubs, Sm1), perPart(2 * n),
      [&](ValueRange ivs, ValueRange) {
        TileAt at = tileAt(b, tiles, ivs);
        Value s = ivs[numItemDims];
        Value t0 = arith::MulIOp::create(b, s, L);
        Value t1 = arith::AddIOp::create(b, t0, L);
        ScanState init;
        for (unsigned p = 0; p < n; ++p) {
          init.h.push_back(x.zeros({tiles.width}));
          init.decay.push_back(
              x.filled({tiles.width}, logDecay || p > 0 ? 0.0 : 1.0));
        }
        ScanState r = scanSteps(b, tiles, at, t0, t1, init);
        SliceAt slice = chunkSlice(b, tiles, at, s);
        SmallVector<ParallelInsert> inserts;
        for (Value v : llvm::concat<Value>(r.h, r.decay))
          inserts.push_back({v, slice.offsets, slice.sizes});
        return inserts;
      });
  ValueRange ends = ValueRange(reduced).take_front(n),
             decays = ValueRange(reduced).drop_front(n);

  // 2. Carries: the state entering each chunk, by part.
  SmallVector<Value> carries = buildForall(
      b, ubs, perPart(n), [&](ValueRange ivs, ValueRange) {
        TileAt at = tileAt(b, tiles, ivs);
        Value zero = x.index(0);
        SmallVector<Value> iterInit = initialState(b, tiles, at);
        for (unsigned p = 0; p < n; ++p)
          iterInit.push_back(tensor::EmptyOp::create(
              b, ArrayRef<OpFoldResult>{S, b.getIndexAttr(tiles.width)}, f32));
        auto rowAt = [&](ImplicitLocOpBuilder &ib, Value into, Value row,
                         Value s) -> Value {
          return tensor::InsertSliceOp::create(
              ib, row, into, ArrayRef<OpFoldResult>{s, ib.getIndexAttr(0)},
              ArrayRef<OpFoldResult>{ib.getIndexAttr(1),
                                     ib.getIndexAttr(tiles.width)},
              ArrayRef<OpFoldResult>{ib.getIndexAttr(1), ib.getIndexAttr(1)});
        };
        auto loop = scf::ForOp::create(
            b, zero, Sm1, one, iterInit,
            [&](OpBuilder &nb, Location loc, Value s, ValueRange iter) {
              ImplicitLocOpBuilder ib(loc, nb);
              SmallVector<Value> ins(iter.take_front(n));
              SmallVector<Value> next;
              for (unsigned p = 0; p < n; ++p)
                next.push_back(rowAt(ib, iter[n + p], iter[p], s));
              for (Value v : llvm::concat<const Value>(decays, ends))
                ins.push_back(extractChunk(ib, tiles, at, v, s));
              // c_{s+1} = P_s ⊙ c_s + E_s.
              SmallVector<Value> carry = elementwise(
                  ib, ins, n,
                  [&](ImplicitLocOpBuilder &g, ValueRange e) {
                    ValueRange c = e.take_front(n), P = e.slice(n, n),
                               E = e.take_back(n);
                    if (logDecay)
                      return mulAdd(g, {math::ExpOp::create(g, P[0])}, c, E);
                    return mulAdd(g, P, c, E);
                  });
              carry.append(next);
              scf::YieldOp::create(ib, carry);
            });
        SliceAt slice = sliceAt(b, tiles, at);
        slice.offsets.insert(slice.offsets.begin(), b.getIndexAttr(0));
        slice.sizes.insert(slice.sizes.begin(), S);
        SmallVector<ParallelInsert> inserts;
        for (unsigned p = 0; p < n; ++p)
          inserts.push_back({rowAt(b, loop.getResult(n + p), loop.getResult(p),
                                   Sm1),
                             slice.offsets, slice.sizes});
        return inserts;
      });

  // 3. Each chunk's scan from its carry; the end states of every chunk in
  // the final state's type (the last one is the final state).
  SmallVector<Value> outs;
  SmallVector<OpFoldResult> rowSizes{B, T};
  for (int64_t d : tiles.channels)
    rowSizes.push_back(b.getIndexAttr(d));
  SmallVector<Value> rowValues = tiles.rowValues();
  const unsigned numRows = rowValues.size();
  for (Value r : rowValues)
    outs.push_back(tensor::EmptyOp::create(b, rowSizes, elementTypeOf(r)));
  for (Value r : parts.final)
    outs.push_back(perChunk(b, tiles, S, B, elementTypeOf(r)));
  SmallVector<Value> scanned = buildForall(
      b, withChunks(ubs, S), outs, [&](ValueRange ivs, ValueRange shared) {
        TileAt at = tileAt(b, tiles, ivs);
        Value s = ivs[numItemDims];
        Value t0 = arith::MulIOp::create(b, s, L);
        Value t1 = arith::MinUIOp::create(
            b, arith::AddIOp::create(b, t0, L), T);
        Value len = arith::SubIOp::create(b, t1, t0);
        ScanState init;
        for (unsigned p = 0; p < n; ++p)
          init.h.push_back(extractChunk(b, tiles, at, carries[p], s));
        for (Value rows : shared.take_front(numRows))
          init.rows.push_back(extractAt(b, tiles, at, rows, t0, len));
        ScanState r = scanSteps(b, tiles, at, t0, t1, init);
        SliceAt rows = sliceAt(b, tiles, at, t0, len);
        SliceAt slice = chunkSlice(b, tiles, at, s);
        SmallVector<ParallelInsert> inserts;
        for (Value v : r.rows)
          inserts.push_back({v, rows.offsets, rows.sizes});
        for (auto [h, out] : llvm::zip(r.h, shared.drop_front(numRows)))
          inserts.push_back(
              {x.convertTo(h, elementTypeOf(out)), slice.offsets, slice.sizes});
        return inserts;
      });
  SmallVector<Value> results(ValueRange(scanned).take_front(numRows));
  for (Value perChunkFinal : ValueRange(scanned).drop_front(numRows)) {
    // The final state: the end state of chunk S-1.
    auto type = cast<RankedTensorType>(perChunkFinal.getType());
    SmallVector<OpFoldResult> offsets{Sm1, b.getIndexAttr(0)},
        sizes{b.getIndexAttr(1), B};
    for (int64_t d : tiles.channels) {
      offsets.push_back(b.getIndexAttr(0));
      sizes.push_back(b.getIndexAttr(d));
    }
    results.push_back(tensor::ExtractSliceOp::create(
        b, RankedTensorType::get(type.getShape().drop_front(),
                                 type.getElementType()),
        perChunkFinal, offsets, sizes,
        SmallVector<OpFoldResult>(offsets.size(), b.getIndexAttr(1))));
  }
  return results;
}
} // namespace

void mixir::forms::diagonal::lowerParallelScan(RewriterBase &rewriter,
                                               DiagonalParts parts,
                                               int64_t minChunk) {
  Operation *op = parts.op;
  ImplicitLocOpBuilder b(op->getLoc(), rewriter);
  b.setInsertionPoint(op);
  ChannelTiles tiles(std::move(parts));
  HeadIndex none{};
  TileBuilder x(b, none);
  Value input = tiles.parts.input[0];
  Value B = tensor::DimOp::create(b, input, 0);
  Value T = tensor::DimOp::create(b, input, 1);
  // S = min(⌈workers / items⌉, ⌊T / minChunk⌋), at least 1.
  int64_t perBatch = tiles.numTiles;
  for (int64_t d : ArrayRef(tiles.channels).drop_back())
    perBatch *= d;
  Value one = x.index(1);
  Value items = arith::MaxUIOp::create(
      b, arith::MulIOp::create(b, B, x.index(perBatch)), one);
  Value workers = mixer::NumWorkersOp::create(b, b.getIndexType());
  Value wanted = arith::CeilDivUIOp::create(b, workers, items);
  Value fit = arith::MaxUIOp::create(
      b, arith::DivUIOp::create(b, T, x.index(minChunk)), one);
  Value S = arith::MinUIOp::create(b, wanted, fit);
  Value split = arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, S, one);
  auto dispatch = scf::IfOp::create(
      b, split,
      [&](OpBuilder &nb, Location loc) {
        ImplicitLocOpBuilder ib(loc, nb);
        scf::YieldOp::create(
            ib, castToTypes(ib, tiles.resultTypes(),
                            buildChunked(ib, tiles, B, T, S)));
      },
      [&](OpBuilder &nb, Location loc) {
        ImplicitLocOpBuilder ib(loc, nb);
        scf::YieldOp::create(
            ib, castToTypes(ib, tiles.resultTypes(), buildScan(ib, tiles)));
      });
  tiles.replace(rewriter, b, dispatch.getResults());
}
