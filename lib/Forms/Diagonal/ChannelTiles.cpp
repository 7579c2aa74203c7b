//===- ChannelTiles.cpp - tiles of channels and their scan -------------------===//
//
// docs/math.md, section 4: channels are independent, so the work items are
// (batch element, tile of W channels); a step of one tile is one
// element-wise generic h = a_t ⊙ h + b_t over W channels, which the CPU
// turns into vector code.
//
//===----------------------------------------------------------------------===//
#include "DiagonalForms.h"

#include "../Common/Tiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::diagonal;

namespace {
/// Tiles of up to 1024 channels: a step's row of each stream is 4 KiB of
/// f32, a whole page, which the hardware prefetchers (they stop at page
/// boundaries) stream from one step to the next. Narrower tiles made more
/// work items but left each step's rows cold: HGRN at D = 2048, B = 1 ran
/// 2.2x slower with 256 (bench/README.md).
constexpr int64_t kMaxWidth = 1024;
} // namespace

/// The producer of `v` that a step can compute element by element: a
/// linalg.generic whose loops are [B, T, d...], all parallel, which reads
/// [B, T, d...] tensors (identity) and [d...] tensors (channels), does not
/// read its outputs or indices, and whose results only `user` uses.
static linalg::GenericOp fusableProducer(Value v, Operation *user) {
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic || !generic.hasPureTensorSemantics())
    return nullptr;
  const unsigned rank = cast<RankedTensorType>(v.getType()).getRank();
  if (generic.getNumLoops() != rank ||
      generic.getNumParallelLoops() != rank)
    return nullptr;
  for (Value r : generic->getResults())
    for (Operation *u : r.getUsers())
      if (u != user)
        return nullptr;
  for (OpOperand &out : generic.getDpsInitsMutable())
    if (!generic.getMatchingIndexingMap(&out).isIdentity() ||
        generic.payloadUsesValueFromOperand(&out))
      return nullptr;
  if (!generic.getBody()->getOps<linalg::IndexOp>().empty())
    return nullptr;
  for (OpOperand *in : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(in);
    if (map.isIdentity())
      continue;
    // The channels only: (b, t, d...) -> (d...).
    if (map.getNumResults() != rank - 2 || !map.isProjectedPermutation())
      return nullptr;
    for (unsigned i = 0; i < rank - 2; ++i)
      if (map.getDimPosition(i) != i + 2)
        return nullptr;
  }
  return generic;
}

ChannelTiles::ChannelTiles(mixer::DiagonalRecurrenceOp op)
    : op(op), channels(op.getChannelShape()) {
  // Reads: the producers' inputs (once per producer), or the operands.
  Value operands[2] = {op.getDecay(), op.getInput()};
  for (unsigned i = 0; i < 2; ++i) {
    producer[i] = fusableProducer(operands[i], op);
    if (!producer[i]) {
      reads.push_back({operands[i], operands[i] == op.getInput() ||
                                        op.hasDecayPerStep()});
      continue;
    }
    resultNumber[i] = cast<OpResult>(operands[i]).getResultNumber();
    if (i == 1 && producer[1] == producer[0])
      continue;
    for (OpOperand *in : producer[i].getDpsInputOperands())
      reads.push_back({in->get(),
                       producer[i].getMatchingIndexingMap(in).isIdentity()});
  }
  const int64_t last = channels.back();
  width = 1;
  for (int64_t w = std::min(last, kMaxWidth); w >= 1; --w)
    if (last % w == 0) {
      width = w;
      break;
    }
  numTiles = last / width;
}

SmallVector<OpFoldResult> ChannelTiles::itemBounds(OpBuilder &b,
                                                   Value B) const {
  SmallVector<OpFoldResult> ubs{B};
  for (int64_t d : ArrayRef(channels).drop_back())
    ubs.push_back(b.getIndexAttr(d));
  ubs.push_back(b.getIndexAttr(numTiles));
  return ubs;
}

TileAt mixir::forms::diagonal::tileAt(ImplicitLocOpBuilder &b,
                                      const ChannelTiles &tiles,
                                      ValueRange ivs) {
  TileAt at;
  at.batch = ivs[0];
  const unsigned k = tiles.channels.size();
  for (unsigned d = 0; d + 1 < k; ++d)
    at.lead.push_back(ivs[1 + d]);
  at.col = arith::MulIOp::create(
      b, ivs[k], arith::ConstantIndexOp::create(b, tiles.width));
  return at;
}

SliceAt mixir::forms::diagonal::sliceAt(OpBuilder &b, const ChannelTiles &tiles,
                                        const TileAt &at, OpFoldResult t0,
                                        OpFoldResult len, bool batched) {
  SliceAt s;
  OpFoldResult one = b.getIndexAttr(1);
  if (batched) {
    s.offsets.push_back(at.batch);
    s.sizes.push_back(one);
  }
  if (t0) {
    s.offsets.push_back(t0);
    s.sizes.push_back(len);
  }
  for (Value i : at.lead) {
    s.offsets.push_back(i);
    s.sizes.push_back(one);
  }
  s.offsets.push_back(at.col);
  s.sizes.push_back(b.getIndexAttr(tiles.width));
  return s;
}

Value mixir::forms::diagonal::extractAt(ImplicitLocOpBuilder &b,
                                        const ChannelTiles &tiles,
                                        const TileAt &at, Value x,
                                        OpFoldResult t0, OpFoldResult len,
                                        bool batched) {
  // One step (len = 1) is a tensor<W>; a range of steps a tensor<len x W>.
  std::optional<int64_t> steps = len ? getConstantIntValue(len) : std::nullopt;
  bool oneRow = !t0 || (steps && *steps == 1);
  SliceAt s = sliceAt(b, tiles, at, t0, t0 ? len : nullptr, batched);
  SmallVector<int64_t> shape;
  if (!oneRow)
    shape.push_back(steps.value_or(ShapedType::kDynamic));
  shape.push_back(tiles.width);
  return tensor::ExtractSliceOp::create(
      b, RankedTensorType::get(shape, elementTypeOf(x)), x, s.offsets,
      s.sizes, SmallVector<OpFoldResult>(s.offsets.size(), b.getIndexAttr(1)));
}

Value mixir::forms::diagonal::initialState(ImplicitLocOpBuilder &b,
                                           const ChannelTiles &tiles,
                                           const TileAt &at) {
  HeadIndex none{};
  TileBuilder x(b, none);
  if (Value init = tiles.op.getInit())
    return x.toF32(extractAt(b, tiles, at, init));
  return x.zeros({tiles.width});
}

std::pair<Value, Value>
ChannelTiles::computeStep(ImplicitLocOpBuilder &b, ValueRange elements) const {
  Value values[2];
  unsigned next = 0;
  for (unsigned i = 0; i < 2; ++i) {
    if (!producer[i]) {
      values[i] = convertScalar(b, elements[next++], b.getF32Type());
      continue;
    }
    if (i == 1 && producer[1] == producer[0]) {
      // One producer computes both: its clone already gave both.
      continue;
    }
    IRMapping mapping;
    Block *body = producer[i].getBody();
    for (OpOperand *in : producer[i].getDpsInputOperands())
      mapping.map(body->getArgument(in->getOperandNumber()),
                  elements[next++]);
    for (Operation &inner : body->without_terminator())
      b.clone(inner, mapping);
    Operation *yield = body->getTerminator();
    values[i] = convertScalar(
        b, mapping.lookupOrDefault(yield->getOperand(resultNumber[i])),
        b.getF32Type());
    if (producer[1] == producer[0])
      values[1] = convertScalar(
          b, mapping.lookupOrDefault(yield->getOperand(resultNumber[1])),
          b.getF32Type());
  }
  return {values[0], values[1]};
}

ScanState mixir::forms::diagonal::scanSteps(ImplicitLocOpBuilder &b,
                                            const ChannelTiles &tiles,
                                            const TileAt &at, Value t0,
                                            Value t1, ScanState init) {
  mixer::DiagonalRecurrenceOp op = tiles.op;
  const bool logDecay = op.getLogDecay();
  HeadIndex none{};
  TileBuilder x(b, none);
  // Reads per channel are sliced once for all steps.
  SmallVector<Value> channelReads(tiles.reads.size());
  for (auto [i, read] : llvm::enumerate(tiles.reads))
    if (!read.perStep)
      channelReads[i] = extractAt(b, tiles, at, read.tensor, nullptr, nullptr,
                                  /*batched=*/false);

  // A per-channel log decay's factor exp(log a) is the same at every step:
  // computed once per tile.
  Value factorTile;
  if (logDecay && !tiles.producer[0] && !op.hasDecayPerStep())
    factorTile = x.exp(x.toF32(channelReads[0]));

  SmallVector<Value> iterInit{init.h};
  if (init.rows)
    iterInit.push_back(init.rows);
  if (init.decay)
    iterInit.push_back(init.decay);
  auto loop = scf::ForOp::create(
      b, t0, t1, x.index(1), iterInit,
      [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        OpFoldResult one = ib.getIndexAttr(1);
        SmallVector<Value> ins;
        for (auto [i, read] : llvm::enumerate(tiles.reads))
          ins.push_back(read.perStep
                            ? extractAt(ib, tiles, at, read.tensor, t, one)
                            : channelReads[i]);
        const unsigned numReads = ins.size();
        if (factorTile)
          ins.push_back(factorTile);
        // Outputs: the state, the output row, the decay so far.
        SmallVector<Value> outs{iter[0]};
        Value rowIndex;
        unsigned next = 1;
        if (init.rows) {
          rowIndex = arith::SubIOp::create(ib, t, t0);
          Value rows = iter[next++];
          auto rowType = RankedTensorType::get({tiles.width},
                                               elementTypeOf(rows));
          outs.push_back(tensor::ExtractSliceOp::create(
              ib, rowType, rows,
              ArrayRef<OpFoldResult>{rowIndex, ib.getIndexAttr(0)},
              ArrayRef<OpFoldResult>{one, ib.getIndexAttr(tiles.width)},
              ArrayRef<OpFoldResult>{one, one}));
        }
        if (init.decay)
          outs.push_back(iter[next]);
        AffineMap id = ib.getMultiDimIdentityMap(1);
        auto step = linalg::GenericOp::create(
            ib, TypeRange(ValueRange(outs)), ins, outs,
            SmallVector<AffineMap>(ins.size() + outs.size(), id),
            SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
            [&](OpBuilder &gb, Location gloc, ValueRange args) {
              ImplicitLocOpBuilder g(gloc, gb);
              auto [a, input] =
                  tiles.computeStep(g, args.take_front(numReads));
              unsigned o = ins.size();
              Value factor = factorTile ? args[numReads]
                             : logDecay ? Value(math::ExpOp::create(g, a))
                                        : a;
              Value h = arith::AddFOp::create(
                  g, arith::MulFOp::create(g, factor, args[o]), input);
              SmallVector<Value> yields{h};
              if (init.rows)
                yields.push_back(convertScalar(
                    g, h, args[o + yields.size()].getType()));
              if (init.decay) {
                Value acc = args[o + yields.size()];
                yields.push_back(logDecay ? Value(arith::AddFOp::create(g, acc, a))
                                          : Value(arith::MulFOp::create(g, acc, a)));
              }
              linalg::YieldOp::create(g, yields);
            });
        SmallVector<Value> carried{step.getResult(0)};
        if (init.rows)
          carried.push_back(tensor::InsertSliceOp::create(
              ib, step.getResult(1), iter[1],
              ArrayRef<OpFoldResult>{rowIndex, ib.getIndexAttr(0)},
              ArrayRef<OpFoldResult>{one, ib.getIndexAttr(tiles.width)},
              ArrayRef<OpFoldResult>{one, one}));
        if (init.decay)
          carried.push_back(step.getResults().back());
        scf::YieldOp::create(ib, carried);
      });
  ScanState result{loop.getResult(0), nullptr, nullptr};
  unsigned next = 1;
  if (init.rows)
    result.rows = loop.getResult(next++);
  if (init.decay)
    result.decay = loop.getResult(next);
  return result;
}
