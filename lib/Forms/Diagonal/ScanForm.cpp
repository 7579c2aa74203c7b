//===- ScanForm.cpp - the scan form of mixer.diagonal_recurrence ------------===//
//
// docs/math.md, section 4: an scf.forall over (batch, tiles of channels);
// each item runs all T steps of its tile in order, writing its rows of the
// output and its final state.
//
//===----------------------------------------------------------------------===//
#include "DiagonalForms.h"

#include "../Common/Tiles.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::diagonal;

SmallVector<Value> mixir::forms::diagonal::buildScan(ImplicitLocOpBuilder &b,
                                                     const ChannelTiles &tiles) {
  const DiagonalParts &parts = tiles.parts;
  Value input = parts.input[0];
  Value B = tensor::DimOp::create(b, input, 0);
  Value T = tensor::DimOp::create(b, input, 1);
  // The outputs' parts, then the final state's.
  SmallVector<Value> outs;
  auto empty = [&](Value r, bool rows) {
    SmallVector<OpFoldResult> sizes{B};
    if (rows)
      sizes.push_back(T);
    for (int64_t d : tiles.channels)
      sizes.push_back(b.getIndexAttr(d));
    outs.push_back(tensor::EmptyOp::create(b, sizes, elementTypeOf(r)));
  };
  SmallVector<Value> rowValues = tiles.rowValues();
  for (Value r : rowValues)
    empty(r, true);
  for (Value r : parts.final)
    empty(r, false);
  const unsigned numRows = rowValues.size();
  return buildForall(
      b, tiles.itemBounds(b, B), outs, [&](ValueRange ivs, ValueRange shared) {
        TileAt at = tileAt(b, tiles, ivs);
        HeadIndex none{};
        TileBuilder x(b, none);
        Value zero = x.index(0);
        ScanState init{initialState(b, tiles, at), {}, {}};
        for (Value rows : shared.take_front(numRows))
          init.rows.push_back(extractAt(b, tiles, at, rows, zero, T));
        ScanState state = scanSteps(b, tiles, at, zero, T, init);
        SliceAt rows = sliceAt(b, tiles, at, zero, T);
        SliceAt final = sliceAt(b, tiles, at);
        SmallVector<ParallelInsert> inserts;
        for (Value r : state.rows)
          inserts.push_back({r, rows.offsets, rows.sizes});
        for (auto [h, out] : llvm::zip(state.h, shared.drop_front(numRows)))
          inserts.push_back({x.convertTo(h, elementTypeOf(out)),
                             final.offsets, final.sizes});
        return inserts;
      });
}

void mixir::forms::diagonal::lowerScan(RewriterBase &rewriter,
                                       DiagonalParts parts) {
  Operation *op = parts.op;
  ImplicitLocOpBuilder b(op->getLoc(), rewriter);
  b.setInsertionPoint(op);
  ChannelTiles tiles(std::move(parts));
  tiles.replace(rewriter, b, buildScan(b, tiles));
}
