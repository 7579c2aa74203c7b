//===- ScanForm.cpp - the scan form of mixer.recurrence -----------------===//
//
// docs/math.md, section 3: an scf.forall over the batch; per batch element
// an scf.for over the steps carries the states (f32, from the initial
// states or zero) and the batch element's slice of every output; each step
// reads one row of every input (converted to f32), runs a clone of the
// body, writes the step's outputs at row t, and carries the new states.
// A body with a large matrix-vector product (an LSTM's U·h) also gets a
// version, chosen at run time when the batch leaves workers idle, that
// runs the batch elements one after another and splits each step's
// product by rows across the workers.
//
//===----------------------------------------------------------------------===//
#include "ChannelSplit.h"
#include "RecurrenceForms.h"

#include "../Common/Tiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/IRMapping.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::recurrence;

namespace {
/// A matrix-vector product worth splitting across workers: y[m] += f(a[m,
/// k], x[k]) with a static [M, K] of at least kMinSplit elements (an LSTM's
/// or GRU's U·h) and a body that does not read its indices; `a` is set to
/// its matrix operand.
constexpr int64_t kMinSplit = 1 << 16;
constexpr int64_t kMaxRowChunk = 64;

bool isLargeMatvec(Operation *op, OpOperand *&a) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      linalgOp.getNumDpsInputs() != 2 || linalgOp.getNumDpsInits() != 1 ||
      linalgOp.getNumLoops() != 2 || linalgOp.getNumReductionLoops() != 1)
    return false;
  unsigned k = linalgOp.getIteratorTypesArray()[0] ==
                       utils::IteratorType::reduction
                   ? 0
                   : 1,
           m = 1 - k;
  auto reads = [&](OpOperand *o, ArrayRef<unsigned> dims) {
    AffineMap map = linalgOp.getMatchingIndexingMap(o);
    if (!map.isProjectedPermutation() || map.getNumResults() != dims.size())
      return false;
    for (auto [e, d] : llvm::zip(map.getResults(), dims))
      if (cast<AffineDimExpr>(e).getPosition() != d)
        return false;
    return true;
  };
  // Chunks of rows must mean the same computation: no index in the body.
  if (!linalgOp.getBlock()->getOps<linalg::IndexOp>().empty())
    return false;
  for (OpOperand *in : linalgOp.getDpsInputOperands()) {
    auto type = dyn_cast<RankedTensorType>(in->get().getType());
    if (!type || !type.hasStaticShape() || !reads(in, {m, k}) ||
        type.getNumElements() < kMinSplit)
      continue;
    OpOperand *x = linalgOp.getDpsInputOperand(
        in == linalgOp.getDpsInputOperand(0) ? 1 : 0);
    if (!reads(x, {k}) || !reads(linalgOp.getDpsInitOperand(0), {m}))
      return false;
    a = in;
    return true;
  }
  return false;
}

/// Builds, at `b`'s insertion point, the body's large matvec `op` (operands
/// through `mapping`) with its rows split across the workers: an scf.forall
/// over chunks of up to kMaxRowChunk rows (a divisor of M, so every chunk
/// keeps static sizes for the register tiling). Returns its result. The
/// whole op is never built, so nothing is created only to be erased behind
/// the rewriter's back.
Value splitRows(ImplicitLocOpBuilder &b, linalg::LinalgOp op, OpOperand *a,
                const IRMapping &mapping) {
  auto type = cast<RankedTensorType>(a->get().getType());
  const int64_t M = type.getDimSize(0), K = type.getDimSize(1);
  int64_t chunk = std::min(M, kMaxRowChunk);
  while (M % chunk != 0)
    --chunk;
  OpOperand *y = op.getDpsInitOperand(0);
  auto yType = cast<RankedTensorType>(y->get().getType());
  auto rows = buildForall(
      b, {b.getIndexAttr(M / chunk)}, {mapping.lookupOrDefault(y->get())},
      [&](ValueRange ivs, ValueRange shared) {
        Value row0 = arith::MulIOp::create(
            b, ivs[0], arith::ConstantIndexOp::create(b, chunk));
        OpFoldResult one = b.getIndexAttr(1);
        Value aRows = tensor::ExtractSliceOp::create(
            b, RankedTensorType::get({chunk, K}, type.getElementType()),
            mapping.lookupOrDefault(a->get()), ArrayRef<OpFoldResult>{row0, b.getIndexAttr(0)},
            ArrayRef<OpFoldResult>{b.getIndexAttr(chunk), b.getIndexAttr(K)},
            ArrayRef<OpFoldResult>{one, one});
        auto yChunkType =
            RankedTensorType::get({chunk}, yType.getElementType());
        Value yRows = tensor::ExtractSliceOp::create(
            b, yChunkType, shared[0], ArrayRef<OpFoldResult>{row0},
            ArrayRef<OpFoldResult>{b.getIndexAttr(chunk)},
            ArrayRef<OpFoldResult>{one});
        SmallVector<Value> operands;
        for (OpOperand &operand : op->getOpOperands())
          operands.push_back(&operand == a   ? aRows
                             : &operand == y ? yRows
                                             : mapping.lookupOrDefault(
                                                   operand.get()));
        Operation *part = mlir::clone(b, op, TypeRange{yChunkType}, operands);
        return SmallVector<ParallelInsert>{
            {part->getResult(0), {row0}, {b.getIndexAttr(chunk)}}};
      });
  return rows[0];
}

/// Whether the body holds a matvec worth splitting.
bool hasLargeMatvec(Block &body) {
  OpOperand *a;
  return llvm::any_of(body.without_terminator(),
                      [&](Operation &op) { return isLargeMatvec(&op, a); });
}

/// The work item of a scan: a batch element and, when the channels are
/// split, the first channel of its tile.
struct Item {
  Value batch;
  const ChannelSplit *split = nullptr;
  Value col;

  /// The item's slice of `x` (its channels, when split, at the dimension
  /// `v`'s type has them at, shifted by `lead`): see windowAt.
  Value extract(ImplicitLocOpBuilder &b, Value x, Value v,
                ArrayRef<Value> lead, Value len = nullptr) const {
    if (split)
      if (std::optional<unsigned> at = split->positionOf(v)) {
        Value tile = split->extractTile(
            b, x, lead, *at + lead.size() + (len ? 1 : 0), col, len);
        // Output rows stay in the op's layout; the steps' tensors take the
        // tile's.
        return len ? tile : split->toTileLayout(b, tile, *at);
      }
    return extractWindow(b, x, lead, nullptr, len);
  }
  /// Where the item's slice of a result [B, (T,) e...] goes.
  ParallelInsert place(ImplicitLocOpBuilder &b, Value source,
                       RankedTensorType type, Value v, Value T) const {
    Window w = windowAt(b, type, {batch}, nullptr, T);
    if (split)
      if (std::optional<unsigned> at = split->positionOf(v)) {
        unsigned d = *at + (T ? 2 : 1);
        w.offsets[d] = col;
        w.sizes[d] = b.getIndexAttr(split->width);
      }
    return {source, w.offsets, w.sizes};
  }
};

/// Runs the steps of one item (outputs' slices [T, e...] in `rows`):
/// returns the final states (f32) and the written rows. With
/// `splitMatvecs`, each step's large matvecs are split across the workers.
SmallVector<Value> scanItem(ImplicitLocOpBuilder &b, mixer::RecurrenceOp op,
                            const Item &item, Value T, ValueRange rows,
                            bool splitMatvecs) {
  const unsigned numStates = op.getNumStates(),
                 numOutputs = op.getNumOutputs();
  Block &body = op.getBody().front();
  HeadIndex at{item.batch, nullptr, T};
  TileBuilder x(b, at);
  // Initial states, f32.
  SmallVector<Value> init;
  for (unsigned s = 0; s < numStates; ++s) {
    BlockArgument arg = body.getArgument(s);
    auto type = cast<RankedTensorType>(
        item.split ? item.split->tiled(arg.getType(),
                                       item.split->positionOf(arg))
                   : arg.getType());
    init.push_back(op.getInits().empty()
                       ? x.zeros(type.getShape())
                       : x.toF32(item.extract(b, op.getInits()[s], arg,
                                              {item.batch})));
  }
  llvm::append_range(init, rows);
  // The tiles of the outer values the body reads, once per item.
  IRMapping outer;
  if (item.split) {
    // In the order the body first uses them (the IR is deterministic).
    llvm::SetVector<Value> outerValues;
    for (Operation &inner : body)
      for (Value v : inner.getOperands())
        if (!op->isAncestor(v.getParentRegion()->getParentOp()))
          outerValues.insert(v);
    for (Value v : outerValues)
      if (std::optional<unsigned> pos = item.split->positionOf(v))
        outer.map(v, item.split->toTileLayout(
                         b, item.split->extractTile(b, v, {}, *pos, item.col),
                         *pos));
  }
  auto loop = scf::ForOp::create(
      b, x.index(0), T, x.index(1), init,
      [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        TileBuilder xt(ib, at);
        IRMapping mapping = outer;
        for (unsigned s = 0; s < numStates; ++s)
          mapping.map(body.getArgument(s), iter[s]);
        for (auto [i, input] : llvm::enumerate(op.getInputs())) {
          BlockArgument arg = body.getArgument(numStates + i);
          mapping.map(arg, xt.toF32(item.extract(ib, input, arg,
                                                 {item.batch, t})));
        }
        for (Operation &inner : body.without_terminator()) {
          OpOperand *a;
          if (item.split)
            item.split->cloneTiled(ib, &inner, mapping);
          else if (splitMatvecs && isLargeMatvec(&inner, a))
            mapping.map(inner.getResult(0),
                        splitRows(ib, cast<linalg::LinalgOp>(inner), a,
                                  mapping));
          else
            ib.clone(inner, mapping);
        }
        SmallVector<Value> next;
        Operation *yield = op.getYield();
        for (unsigned s = 0; s < numStates; ++s)
          next.push_back(mapping.lookupOrDefault(yield->getOperand(s)));
        for (unsigned o = 0; o < numOutputs; ++o) {
          Value rows = iter[numStates + o];
          auto rowsType = cast<RankedTensorType>(rows.getType());
          Value out = yield->getOperand(numStates + o);
          Value step = mapping.lookupOrDefault(out);
          if (item.split)
            step = item.split->toOpLayout(ib, step,
                                          *item.split->positionOf(out));
          step = xt.convertTo(step, rowsType.getElementType());
          Window w = windowAt(ib, rowsType, {t});
          next.push_back(tensor::InsertSliceOp::create(
              ib, step, rows, w.offsets, w.sizes, w.strides));
        }
        scf::YieldOp::create(ib, next);
      });
  // mixer-fuse-recurrence-steps fuses the step's element-wise ops.
  loop->setAttr("mixer.recurrence_step", b.getUnitAttr());
  return SmallVector<Value>(loop.getResults());
}

/// The scan over every batch element: in parallel over the batch (and the
/// tiles of `split`, when given), or, with `splitMatvecs`, one batch
/// element after another with each step's large matvecs split across the
/// workers.
SmallVector<Value> scanAll(ImplicitLocOpBuilder &b, mixer::RecurrenceOp op,
                           Value B, Value T, bool splitMatvecs,
                           const ChannelSplit *split) {
  const unsigned numStates = op.getNumStates(),
                 numOutputs = op.getNumOutputs();
  SmallVector<Value> outs;
  for (Value r : op.getResults()) {
    auto type = cast<RankedTensorType>(r.getType());
    SmallVector<OpFoldResult> sizes{B};
    for (int64_t d = 1; d < type.getRank(); ++d)
      sizes.push_back(d == 1 && outs.size() < numOutputs
                          ? OpFoldResult(T)
                          : OpFoldResult(b.getIndexAttr(type.getDimSize(d))));
    outs.push_back(tensor::EmptyOp::create(b, sizes, type.getElementType()));
  }
  // The body value each result is laid out as: an output's yielded value,
  // a final state's argument.
  Block &body = op.getBody().front();
  auto bodyValueOf = [&](unsigned r) -> Value {
    return r < numOutputs ? op.getYield()->getOperand(numStates + r)
                          : body.getArgument(r - numOutputs);
  };
  // Where each result of an item's scan goes.
  auto placed = [&](ImplicitLocOpBuilder &ib, const Item &item,
                    ValueRange dests, ValueRange scanned) {
    SmallVector<ParallelInsert> inserts;
    HeadIndex at{item.batch, nullptr, T};
    TileBuilder x(ib, at);
    for (auto [r, dest] : llvm::enumerate(dests)) {
      auto type = cast<RankedTensorType>(dest.getType());
      bool isOutput = r < numOutputs;
      Value value = scanned[isOutput ? numStates + r : r - numOutputs];
      if (!isOutput) {
        if (item.split)
          value = item.split->toOpLayout(
              ib, value, *item.split->positionOf(bodyValueOf(r)));
        value = x.convertTo(value, type.getElementType());
      }
      inserts.push_back(item.place(ib, value, type, bodyValueOf(r),
                                   isOutput ? T : nullptr));
    }
    return inserts;
  };
  auto rowsOf = [&](ImplicitLocOpBuilder &ib, const Item &item,
                    ValueRange dests) {
    SmallVector<Value> rows;
    for (unsigned o = 0; o < numOutputs; ++o)
      rows.push_back(item.extract(ib, dests[o], bodyValueOf(o), {item.batch}, T));
    return rows;
  };
  if (!splitMatvecs) {
    SmallVector<OpFoldResult> ubs{B};
    if (split)
      ubs.push_back(b.getIndexAttr(split->numTiles()));
    return buildForall(b, ubs, outs, [&](ValueRange iv, ValueRange shared) {
      Item item{iv[0], split};
      if (split)
        item.col = arith::MulIOp::create(
            b, iv[1], arith::ConstantIndexOp::create(b, split->width));
      SmallVector<Value> scanned =
          scanItem(b, op, item, T, rowsOf(b, item, shared), false);
      return placed(b, item, shared, scanned);
    });
  }
  auto loop = scf::ForOp::create(
      b, arith::ConstantIndexOp::create(b, 0), B,
      arith::ConstantIndexOp::create(b, 1), outs,
      [&](OpBuilder &nb, Location loc, Value batch, ValueRange dests) {
        ImplicitLocOpBuilder ib(loc, nb);
        Item item{batch};
        SmallVector<Value> scanned =
            scanItem(ib, op, item, T, rowsOf(ib, item, dests), true);
        SmallVector<Value> next;
        for (auto [insert, dest] :
             llvm::zip(placed(ib, item, dests, scanned), dests))
          next.push_back(tensor::InsertSliceOp::create(
              ib, insert.source, dest, insert.offsets, insert.sizes,
              SmallVector<OpFoldResult>(insert.offsets.size(),
                                        ib.getIndexAttr(1))));
        scf::YieldOp::create(ib, next);
      });
  return SmallVector<Value>(loop.getResults());
}
} // namespace

void mixir::forms::recurrence::lowerScan(RewriterBase &rewriter,
                                         mixer::RecurrenceOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);
  Value first = op.getInputs().front();
  Value B = tensor::DimOp::create(b, first, 0);
  Value T = tensor::DimOp::create(b, first, 1);
  // Tiles of an independent channel dimension are separate work items.
  std::optional<ChannelSplit> split = findChannelSplit(op);
  if (split || !hasLargeMatvec(op.getBody().front())) {
    rewriter.replaceOp(
        op, castToTypes(b, op->getResultTypes(),
                        scanAll(b, op, B, T, false, split ? &*split : nullptr)));
    return;
  }
  // Fewer batch elements than workers: split each step's matvecs instead.
  Value workers = mixer::NumWorkersOp::create(b, b.getIndexType());
  Value few = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, B, workers);
  auto dispatch = scf::IfOp::create(
      b, few,
      [&](OpBuilder &nb, Location loc) {
        ImplicitLocOpBuilder ib(loc, nb);
        scf::YieldOp::create(ib, castToTypes(ib, op->getResultTypes(),
                                             scanAll(ib, op, B, T, true, nullptr)));
      },
      [&](OpBuilder &nb, Location loc) {
        ImplicitLocOpBuilder ib(loc, nb);
        scf::YieldOp::create(ib, castToTypes(ib, op->getResultTypes(),
                                             scanAll(ib, op, B, T, false, nullptr)));
      });
  rewriter.replaceOp(op, dispatch.getResults());
}
