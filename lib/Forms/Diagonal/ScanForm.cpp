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
  mixer::DiagonalRecurrenceOp op = tiles.op;
  Value input = op.getInput();
  Value B = tensor::DimOp::create(b, input, 0);
  Value T = tensor::DimOp::create(b, input, 1);
  SmallVector<Value> outs;
  for (Value r : op.getResults()) {
    auto type = cast<RankedTensorType>(r.getType());
    SmallVector<OpFoldResult> sizes{B};
    if (r == op.getOutput())
      sizes.push_back(T);
    for (int64_t d : tiles.channels)
      sizes.push_back(b.getIndexAttr(d));
    outs.push_back(tensor::EmptyOp::create(b, sizes, type.getElementType()));
  }
  return buildForall(
      b, tiles.itemBounds(b, B), outs, [&](ValueRange ivs, ValueRange shared) {
        TileAt at = tileAt(b, tiles, ivs);
        HeadIndex none{};
        TileBuilder x(b, none);
        Value zero = x.index(0);
        ScanState state = scanSteps(
            b, tiles, at, zero, T,
            {initialState(b, tiles, at),
             extractAt(b, tiles, at, shared[0], zero, T), nullptr});
        SliceAt rows = sliceAt(b, tiles, at, zero, T);
        SmallVector<ParallelInsert> inserts{
            {state.rows, rows.offsets, rows.sizes}};
        if (op.getFinalState()) {
          SliceAt final = sliceAt(b, tiles, at);
          inserts.push_back({x.convertTo(state.h, elementTypeOf(shared[1])),
                             final.offsets, final.sizes});
        }
        return inserts;
      });
}

void mixir::forms::diagonal::lowerScan(RewriterBase &rewriter,
                                       mixer::DiagonalRecurrenceOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);
  ChannelTiles tiles(op);
  rewriter.replaceOp(
      op, castToTypes(b, op->getResultTypes(), buildScan(b, tiles)));
}
