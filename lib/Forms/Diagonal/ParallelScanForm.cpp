//===- ParallelScanForm.cpp - the parallel_scan form -------------------------===//
//
// docs/math.md, section 4. When the work items (batch × channel tiles) are
// fewer than the workers, the steps are cut into S chunks of L:
//   1. per item and chunk s < S−1: the chunk's end state from zero, E_s,
//      and its decay P_s (Σ log a, or Π a): one read of the chunk;
//   2. per item: the carries c_0 = h_0, c_{s+1} = P_s ⊙ c_s + E_s
//      (exp(P_s) for a log decay, an exponent ≤ 0);
//   3. per item and chunk: the chunk's scan from c_s, writing its rows.
// Chunks 0..S−2 are read twice: this pays only when workers would idle, so
// S = min(⌈workers / items⌉, ⌊T / minChunk⌋), decided at run time, and
// S = 1 runs the scan form.
//
//===----------------------------------------------------------------------===//
#include "DiagonalForms.h"

#include "../Common/Tiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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

SmallVector<Value> buildChunked(ImplicitLocOpBuilder &b,
                                const ChannelTiles &tiles, Value B, Value T,
                                Value wantedChunks) {
  mixer::DiagonalRecurrenceOp op = tiles.op;
  const bool logDecay = op.getLogDecay();
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

  // 1. Chunk reductions: end state from zero and decay, chunks 0..S-2.
  SmallVector<Value> reduced = buildForall(
      b, withChunks(ubs, Sm1),
      {perChunk(b, tiles, S, B, f32), perChunk(b, tiles, S, B, f32)},
      [&](ValueRange ivs, ValueRange) {
        TileAt at = tileAt(b, tiles, ivs);
        Value s = ivs[numItemDims];
        Value t0 = arith::MulIOp::create(b, s, L);
        Value t1 = arith::AddIOp::create(b, t0, L);
        ScanState r = scanSteps(
            b, tiles, at, t0, t1,
            {x.zeros({tiles.width}), nullptr,
             x.filled({tiles.width}, logDecay ? 0.0 : 1.0)});
        SliceAt slice = chunkSlice(b, tiles, at, s);
        return SmallVector<ParallelInsert>{{r.h, slice.offsets, slice.sizes},
                                           {r.decay, slice.offsets,
                                            slice.sizes}};
      });
  Value ends = reduced[0], decays = reduced[1];

  // 2. Carries: the state entering each chunk.
  Value carries = buildForall(
      b, ubs, {perChunk(b, tiles, S, B, f32)},
      [&](ValueRange ivs, ValueRange) {
        TileAt at = tileAt(b, tiles, ivs);
        Value zero = x.index(0);
        Value all = tensor::EmptyOp::create(
            b, ArrayRef<OpFoldResult>{S, b.getIndexAttr(tiles.width)}, f32);
        auto rowAt = [&](ImplicitLocOpBuilder &ib, Value into, Value row,
                         Value s) -> Value {
          return tensor::InsertSliceOp::create(
              ib, row, into, ArrayRef<OpFoldResult>{s, ib.getIndexAttr(0)},
              ArrayRef<OpFoldResult>{ib.getIndexAttr(1),
                                     ib.getIndexAttr(tiles.width)},
              ArrayRef<OpFoldResult>{ib.getIndexAttr(1), ib.getIndexAttr(1)});
        };
        auto loop = scf::ForOp::create(
            b, zero, Sm1, one, ValueRange{initialState(b, tiles, at), all},
            [&](OpBuilder &nb, Location loc, Value s, ValueRange iter) {
              ImplicitLocOpBuilder ib(loc, nb);
              TileBuilder y(ib, none);
              Value written = rowAt(ib, iter[1], iter[0], s);
              Value decay = extractChunk(ib, tiles, at, decays, s);
              Value factor = logDecay ? y.exp(decay) : decay;
              Value next = y.addRows(y.mulRows(factor, iter[0]),
                                     extractChunk(ib, tiles, at, ends, s));
              scf::YieldOp::create(ib, ValueRange{next, written});
            });
        Value all2 = rowAt(b, loop.getResult(1), loop.getResult(0), Sm1);
        SliceAt slice = sliceAt(b, tiles, at);
        slice.offsets.insert(slice.offsets.begin(), b.getIndexAttr(0));
        slice.sizes.insert(slice.sizes.begin(), S);
        return SmallVector<ParallelInsert>{{all2, slice.offsets, slice.sizes}};
      })[0];

  // 3. Each chunk's scan from its carry; the end states of every chunk in
  // the final state's type (the last one is the final state).
  SmallVector<Value> outs{tensor::EmptyOp::create(
      b,
      [&] {
        SmallVector<OpFoldResult> sizes{B, T};
        for (int64_t d : tiles.channels)
          sizes.push_back(b.getIndexAttr(d));
        return sizes;
      }(),
      elementTypeOf(op.getOutput()))};
  if (Value final = op.getFinalState())
    outs.push_back(perChunk(b, tiles, S, B, elementTypeOf(final)));
  SmallVector<Value> scanned = buildForall(
      b, withChunks(ubs, S), outs, [&](ValueRange ivs, ValueRange shared) {
        TileAt at = tileAt(b, tiles, ivs);
        Value s = ivs[numItemDims];
        Value t0 = arith::MulIOp::create(b, s, L);
        Value t1 = arith::MinUIOp::create(
            b, arith::AddIOp::create(b, t0, L), T);
        Value len = arith::SubIOp::create(b, t1, t0);
        ScanState r = scanSteps(
            b, tiles, at, t0, t1,
            {extractChunk(b, tiles, at, carries, s),
             extractAt(b, tiles, at, shared[0], t0, len), nullptr});
        SliceAt rows = sliceAt(b, tiles, at, t0, len);
        SmallVector<ParallelInsert> inserts{
            {r.rows, rows.offsets, rows.sizes}};
        if (shared.size() > 1) {
          SliceAt slice = chunkSlice(b, tiles, at, s);
          inserts.push_back({x.convertTo(r.h, elementTypeOf(shared[1])),
                             slice.offsets, slice.sizes});
        }
        return inserts;
      });
  SmallVector<Value> results{scanned[0]};
  if (scanned.size() > 1) {
    // The final state: the end state of chunk S-1.
    auto type = cast<RankedTensorType>(scanned[1].getType());
    SmallVector<OpFoldResult> offsets{Sm1}, sizes{b.getIndexAttr(1), B};
    for (int64_t d : tiles.channels) {
      offsets.push_back(b.getIndexAttr(0));
      sizes.push_back(b.getIndexAttr(d));
    }
    offsets.insert(offsets.begin() + 1, b.getIndexAttr(0));
    results.push_back(tensor::ExtractSliceOp::create(
        b, RankedTensorType::get(type.getShape().drop_front(),
                                 type.getElementType()),
        scanned[1], offsets, sizes,
        SmallVector<OpFoldResult>(offsets.size(), b.getIndexAttr(1))));
  }
  return results;
}
} // namespace

void mixir::forms::diagonal::lowerParallelScan(RewriterBase &rewriter,
                                               mixer::DiagonalRecurrenceOp op,
                                               int64_t minChunk) {
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);
  ChannelTiles tiles(op);
  HeadIndex none{};
  TileBuilder x(b, none);
  Value input = op.getInput();
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
            ib, castToTypes(ib, op->getResultTypes(),
                            buildChunked(ib, tiles, B, T, S)));
      },
      [&](OpBuilder &nb, Location loc) {
        ImplicitLocOpBuilder ib(loc, nb);
        scf::YieldOp::create(
            ib, castToTypes(ib, op->getResultTypes(), buildScan(ib, tiles)));
      });
  rewriter.replaceOp(op, dispatch.getResults());
}
