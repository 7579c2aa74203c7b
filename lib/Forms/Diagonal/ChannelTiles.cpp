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
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

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

/// Whether a step can compute `generic` element by element: its loops are
/// [B, T, d...] (`rank` of them), all parallel, it reads [B, T, d...]
/// tensors (identity) and [d...] tensors (channels), and does not read its
/// outputs or indices.
static bool isStepElementwise(linalg::GenericOp generic, unsigned rank) {
  if (!generic.hasPureTensorSemantics() || rank < 2 ||
      generic.getNumLoops() != rank || generic.getNumParallelLoops() != rank)
    return false;
  for (OpOperand &out : generic.getDpsInitsMutable())
    if (!generic.getMatchingIndexingMap(&out).isIdentity() ||
        generic.payloadUsesValueFromOperand(&out))
      return false;
  if (!generic.getBody()->getOps<linalg::IndexOp>().empty())
    return false;
  // The channels only: (b, t, d...) -> (d...).
  const AffineMap channelMap =
      AffineMap::getMinorIdentityMap(rank, rank - 2, generic.getContext());
  for (OpOperand *in : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(in);
    if (!map.isIdentity() && map != channelMap)
      return false;
  }
  return true;
}

/// The producer of `v` that a step can compute element by element
/// (isStepElementwise), whose results only `user` uses.
static linalg::GenericOp fusableProducer(Value v, Operation *user) {
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic ||
      !isStepElementwise(generic, cast<RankedTensorType>(v.getType()).getRank()))
    return nullptr;
  for (Value r : generic->getResults())
    for (Operation *u : r.getUsers())
      if (u != user)
        return nullptr;
  return generic;
}

/// The only user of the op's outputs, when a step can compute it
/// (isStepElementwise): it reads each output through the identity, and its
/// other inputs and captured values are defined before the op (the form is
/// built there).
static linalg::GenericOp fusableConsumer(const DiagonalParts &parts) {
  linalg::GenericOp consumer;
  for (Value out : parts.output)
    for (Operation *user : out.getUsers()) {
      auto generic = dyn_cast<linalg::GenericOp>(user);
      if (!generic || (consumer && generic != consumer))
        return nullptr;
      consumer = generic;
    }
  if (!consumer || consumer->getBlock() != parts.op->getBlock() ||
      consumer->getNumResults() == 0 ||
      !isStepElementwise(
          consumer, cast<RankedTensorType>(parts.output[0].getType()).getRank()))
    return nullptr;
  DominanceInfo dominance(parts.op->getParentOp());
  for (OpOperand *in : consumer.getDpsInputOperands()) {
    bool isOutput = llvm::is_contained(parts.output, in->get());
    if (isOutput && !consumer.getMatchingIndexingMap(in).isIdentity())
      return nullptr;
    if (!isOutput && !dominance.properlyDominates(in->get(), parts.op))
      return nullptr;
  }
  bool captures = false;
  consumer.getBody()->walk([&](Operation *inner) {
    for (Value v : inner->getOperands())
      if (!consumer->isAncestor(v.getParentRegion()->getParentOp()) &&
          !matchPattern(v, m_Constant()))
        captures = true;
  });
  return captures ? nullptr : consumer;
}

DiagonalParts::DiagonalParts(mixer::DiagonalRecurrenceOp op)
    : op(op), count(1), decay{op.getDecay()}, input{op.getInput()},
      output{op.getOutput()}, logDecay(op.getLogDecay()),
      decayPerStep(op.hasDecayPerStep()), channels(op.getChannelShape()) {
  if (Value v = op.getInit())
    init.push_back(v);
  if (Value v = op.getFinalState())
    final.push_back(v);
}

DiagonalParts::DiagonalParts(mixer::ComplexDiagonalRecurrenceOp op)
    : op(op), count(2), decay{op.getDecayRe(), op.getDecayIm()},
      input{op.getInputRe(), op.getInputIm()}, init(op.getInit()),
      output(op.getResults().take_front(2)),
      final(op.getResults().drop_front(2)),
      decayPerStep(op.hasDecayPerStep()), channels(op.getChannelShape()) {}

ChannelTiles::ChannelTiles(DiagonalParts p)
    : parts(std::move(p)), channels(parts.channels) {
  // Reads: the producers' inputs (once per producer), or the operands.
  SmallVector<Value> values(parts.decay.begin(), parts.decay.end());
  llvm::append_range(values, parts.input);
  for (auto [i, v] : llvm::enumerate(values)) {
    Operand operand;
    bool isDecay = i < parts.count;
    // Only a per-step value is computed in the step; a [d...] one (a
    // per-channel decay computed once, as the raise pass hoists it) is read
    // as it is.
    bool perStep = !isDecay || parts.decayPerStep;
    linalg::GenericOp producer =
        perStep ? fusableProducer(v, parts.op) : linalg::GenericOp();
    if (producer) {
      operand.result = cast<OpResult>(v).getResultNumber();
      auto known = llvm::find(producers, producer);
      operand.producer = std::distance(producers.begin(), known);
      if (known == producers.end()) {
        producers.push_back(producer);
        producerReads.push_back(reads.size());
        for (OpOperand *in : producer.getDpsInputOperands())
          reads.push_back(
              {in->get(), producer.getMatchingIndexingMap(in).isIdentity()});
      }
    } else {
      operand.read = reads.size();
      reads.push_back({v, perStep});
    }
    operands.push_back(operand);
  }
  numStepReads = reads.size();
  if ((consumer = fusableConsumer(parts))) {
    for (OpOperand *in : consumer.getDpsInputOperands()) {
      auto part = llvm::find(parts.output, in->get());
      consumerPart.push_back(part == parts.output.end()
                                 ? -1
                                 : int(part - parts.output.begin()));
      consumerRead.push_back(reads.size());
      if (part == parts.output.end())
        reads.push_back(
            {in->get(), consumer.getMatchingIndexingMap(in).isIdentity()});
    }
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

SmallVector<Value> ChannelTiles::rowValues() const {
  if (linalg::GenericOp c = consumer)
    return llvm::to_vector_of<Value>(c->getResults());
  return llvm::to_vector(parts.output);
}

SmallVector<Value> ChannelTiles::computeRows(ImplicitLocOpBuilder &b,
                                             ValueRange h,
                                             ValueRange elements) const {
  linalg::GenericOp c = consumer;
  if (!c)
    return llvm::to_vector(h);
  // The consumer's body on the new state, as stored in the op's output
  // type, and on its other inputs' elements.
  Block *body = c.getBody();
  IRMapping mapping;
  for (auto [i, in] : llvm::enumerate(c.getDpsInputOperands())) {
    BlockArgument arg = body->getArgument(in->getOperandNumber());
    Value v = consumerPart[i] >= 0
                  ? convertScalar(b, h[consumerPart[i]], arg.getType())
                  : elements[consumerRead[i]];
    mapping.map(arg, v);
  }
  for (Operation &inner : body->without_terminator())
    b.clone(inner, mapping);
  SmallVector<Value> rows;
  for (Value y : body->getTerminator()->getOperands())
    rows.push_back(mapping.lookupOrDefault(y));
  return rows;
}

SmallVector<Type> ChannelTiles::resultTypes() const {
  SmallVector<Type> types;
  for (Value v : rowValues())
    types.push_back(v.getType());
  for (Value v : parts.final)
    types.push_back(v.getType());
  return types;
}

void ChannelTiles::replace(RewriterBase &rewriter, ImplicitLocOpBuilder &b,
                           ValueRange results) const {
  SmallVector<Value> values = castToTypes(b, resultTypes(), results);
  if (!consumer) {
    rewriter.replaceOp(parts.op, values);
    return;
  }
  const unsigned numRows = consumer->getNumResults();
  rewriter.replaceOp(consumer, ArrayRef(values).take_front(numRows));
  // h is no longer read: its results stand for nothing.
  SmallVector<Value> opResults;
  for (Value out : parts.output) {
    auto type = cast<RankedTensorType>(out.getType());
    opResults.push_back(tensor::EmptyOp::create(
        b, tensor::getMixedSizes(b, b.getLoc(), parts.input[0]),
        type.getElementType()));
  }
  llvm::append_range(opResults, ArrayRef(values).drop_front(numRows));
  rewriter.replaceOp(parts.op, castToTypes(b, parts.op->getResultTypes(),
                                           opResults));
}

bool ChannelTiles::decayPerChannel() const {
  return !parts.decayPerStep && operands[0].producer < 0;
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

SmallVector<Value, 2>
mixir::forms::diagonal::initialState(ImplicitLocOpBuilder &b,
                                     const ChannelTiles &tiles,
                                     const TileAt &at) {
  HeadIndex none{};
  TileBuilder x(b, none);
  SmallVector<Value, 2> h;
  for (unsigned p = 0; p < tiles.parts.count; ++p)
    h.push_back(tiles.parts.init.empty()
                    ? x.zeros({tiles.width})
                    : x.toF32(extractAt(b, tiles, at, tiles.parts.init[p])));
  return h;
}

SmallVector<Value>
ChannelTiles::computeStep(ImplicitLocOpBuilder &b, ValueRange elements) const {
  // Each producer's body once, on its inputs' elements.
  SmallVector<Operation *> yields;
  IRMapping mapping;
  for (auto [producer, first] : llvm::zip(producers, producerReads)) {
    Block *body = producer.getBody();
    for (OpOperand *in : producer.getDpsInputOperands())
      mapping.map(body->getArgument(in->getOperandNumber()),
                  elements[first + in->getOperandNumber()]);
    for (Operation &inner : body->without_terminator())
      b.clone(inner, mapping);
    yields.push_back(body->getTerminator());
  }
  SmallVector<Value> values;
  for (const Operand &operand : operands) {
    Value v = operand.producer < 0
                  ? elements[operand.read]
                  : mapping.lookupOrDefault(
                        yields[operand.producer]->getOperand(operand.result));
    values.push_back(convertScalar(b, v, b.getF32Type()));
  }
  return values;
}

linalg::GenericOp mixir::forms::diagonal::mapTile(
    ImplicitLocOpBuilder &b, ValueRange ins, ValueRange outs,
    function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, ValueRange,
                                    ValueRange)>
        body) {
  AffineMap id = b.getMultiDimIdentityMap(1);
  return linalg::GenericOp::create(
      b, TypeRange(outs), ins, outs,
      SmallVector<AffineMap>(ins.size() + outs.size(), id),
      SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder g(loc, nb);
        linalg::YieldOp::create(g, body(g, args.take_front(ins.size()),
                                        args.drop_front(ins.size())));
      });
}

SmallVector<Value> mixir::forms::diagonal::mulAdd(ImplicitLocOpBuilder &b,
                                                  ValueRange a, ValueRange h,
                                                  ValueRange c) {
  SmallVector<Value> r;
  if (a.size() == 1) {
    r.push_back(arith::MulFOp::create(b, a[0], h[0]));
  } else {
    // (ar + i·ai)(hr + i·hi) = (ar·hr − ai·hi) + i·(ar·hi + ai·hr).
    r.push_back(arith::SubFOp::create(b, arith::MulFOp::create(b, a[0], h[0]),
                                      arith::MulFOp::create(b, a[1], h[1])));
    r.push_back(arith::AddFOp::create(b, arith::MulFOp::create(b, a[0], h[1]),
                                      arith::MulFOp::create(b, a[1], h[0])));
  }
  for (auto [x, y] : llvm::zip(r, c))
    x = arith::AddFOp::create(b, x, y);
  return r;
}

ScanState mixir::forms::diagonal::scanSteps(ImplicitLocOpBuilder &b,
                                            const ChannelTiles &tiles,
                                            const TileAt &at, Value t0,
                                            Value t1, ScanState init) {
  const DiagonalParts &parts = tiles.parts;
  const unsigned n = parts.count;
  const bool logDecay = parts.logDecay;
  HeadIndex none{};
  TileBuilder x(b, none);
  // The consumer's reads serve the rows alone.
  const unsigned numUsedReads =
      init.rows.empty() ? tiles.numStepReads : tiles.reads.size();
  ArrayRef<ChannelTiles::Read> reads = ArrayRef(tiles.reads).take_front(numUsedReads);
  // Reads per channel are sliced once for all steps.
  SmallVector<Value> channelReads(reads.size());
  for (auto [i, read] : llvm::enumerate(reads))
    if (!read.perStep)
      channelReads[i] = extractAt(b, tiles, at, read.tensor, nullptr, nullptr,
                                  /*batched=*/false);
  // A per-channel log decay's factor exp(log a) is the same at every step:
  // computed once per tile.
  Value factorTile;
  if (logDecay && tiles.decayPerChannel())
    factorTile = x.exp(x.toF32(channelReads[tiles.operands[0].read]));

  // Loop-carried: the state, the output rows, the decay so far (by part).
  SmallVector<Value> iterInit(init.h.begin(), init.h.end());
  llvm::append_range(iterInit, init.rows);
  llvm::append_range(iterInit, init.decay);
  const unsigned numRows = init.rows.size(), numDecay = init.decay.size();
  auto loop = scf::ForOp::create(
      b, t0, t1, x.index(1), iterInit,
      [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        OpFoldResult one = ib.getIndexAttr(1);
        SmallVector<Value> ins;
        for (auto [i, read] : llvm::enumerate(reads))
          ins.push_back(read.perStep
                            ? extractAt(ib, tiles, at, read.tensor, t, one)
                            : channelReads[i]);
        const unsigned numReads = ins.size();
        if (factorTile)
          ins.push_back(factorTile);
        SmallVector<Value> outs(iter.take_front(n));
        Value rowIndex = arith::SubIOp::create(ib, t, t0);
        auto rowSlice = [&](Value rows) -> SmallVector<OpFoldResult> {
          return {rowIndex, ib.getIndexAttr(0)};
        };
        SmallVector<OpFoldResult> rowSizes{one, ib.getIndexAttr(tiles.width)},
            unit{one, one};
        for (Value rows : iter.slice(n, numRows))
          outs.push_back(tensor::ExtractSliceOp::create(
              ib, RankedTensorType::get({tiles.width}, elementTypeOf(rows)),
              rows, rowSlice(rows), rowSizes, unit));
        llvm::append_range(outs, iter.take_back(numDecay));
        auto step = mapTile(
            ib, ins, outs,
            [&](ImplicitLocOpBuilder &g, ValueRange in, ValueRange out) {
              SmallVector<Value> ab =
                  tiles.computeStep(g, in.take_front(numReads));
              ValueRange a = ValueRange(ab).take_front(n),
                         input = ValueRange(ab).drop_front(n);
              ValueRange h = out.take_front(n);
              SmallVector<Value> factor(a);
              if (factorTile)
                factor = {in[numReads]};
              else if (logDecay)
                factor = {math::ExpOp::create(g, a[0])};
              SmallVector<Value> yields = mulAdd(g, factor, h, input);
              SmallVector<Value> rows;
              if (numRows)
                rows = tiles.computeRows(g, yields, in.take_front(numReads));
              for (unsigned p = 0; p < numRows; ++p)
                yields.push_back(convertScalar(g, rows[p], out[n + p].getType()));
              if (numDecay) {
                ValueRange acc = out.take_back(numDecay);
                if (logDecay)
                  yields.push_back(arith::AddFOp::create(g, acc[0], a[0]));
                else
                  llvm::append_range(yields, mulAdd(g, acc, a, {}));
              }
              return yields;
            });
        SmallVector<Value> carried(step.getResults().take_front(n));
        for (unsigned p = 0; p < numRows; ++p)
          carried.push_back(tensor::InsertSliceOp::create(
              ib, step.getResult(n + p), iter[n + p], rowSlice(iter[n + p]),
              rowSizes, unit));
        llvm::append_range(carried, step.getResults().take_back(numDecay));
        scf::YieldOp::create(ib, carried);
      });
  ScanState result;
  ValueRange results = loop.getResults();
  llvm::append_range(result.h, results.take_front(n));
  llvm::append_range(result.rows, results.slice(n, numRows));
  llvm::append_range(result.decay, results.take_back(numDecay));
  return result;
}
