//===- ChannelSplit.cpp - a dimension the recurrence's body keeps apart -----===//
//
// docs/math.md, section 3.1. The dimensions of the body's tensors are put in
// classes that must be cut alike: an element-wise op's operands and result
// share each dimension, a linalg op's operands share the loop their
// indexing map reads, a state's new value shares its previous value's. A
// class is blocked by a reduction loop, a linalg.index, a map that is not a
// projected permutation, a non-splat constant, a tensor read inside a
// region, or any other op (a reshape, a slice, a mixer op...), which are
// taken to mix all of their dimensions.
//
//===----------------------------------------------------------------------===//
#include "ChannelSplit.h"

#include "../Common/Tiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/OpDefinition.h"

#include "llvm/ADT/EquivalenceClasses.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::recurrence;

namespace {
/// A tile's state holds at least this many elements: a step of 2048
/// elements outweighs the loop's overhead (Mamba-1's [D, 16] state makes
/// tiles of 128 channels).
constexpr int64_t kMinTileElements = 2048;

RankedTensorType tensorType(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}

/// Classes of (tensor, dimension) pairs and of linalg loops.
class DimClasses {
public:
  unsigned node(Value v, unsigned d) {
    auto [it, inserted] = ids.try_emplace({v, d}, blocked.size());
    if (inserted)
      fresh();
    return it->second;
  }
  unsigned fresh() {
    unsigned id = blocked.size();
    blocked.push_back(false);
    classes.insert(id);
    return id;
  }
  void unite(unsigned a, unsigned b) { classes.unionSets(a, b); }
  void block(unsigned a) { blocked[a] = true; }
  void blockAll(Value v) {
    if (RankedTensorType type = tensorType(v))
      for (unsigned d = 0; d < type.getRank(); ++d)
        block(node(v, d));
  }
  unsigned leader(unsigned a) const { return classes.getLeaderValue(a); }
  /// Whether any member of a's class is blocked.
  bool isBlocked(unsigned a) const {
    unsigned l = leader(a);
    for (unsigned id = 0; id < blocked.size(); ++id)
      if (blocked[id] && leader(id) == l)
        return true;
    return false;
  }

  llvm::DenseMap<std::pair<Value, unsigned>, unsigned> ids;

private:
  SmallVector<bool> blocked;
  llvm::EquivalenceClasses<unsigned> classes;
};

/// Adds the constraints of one top-level op of the body.
void constrain(DimClasses &dims, Operation &op) {
  // A tensor from outside the op read inside its regions is read whole.
  op.walk([&](Operation *inner) {
    if (inner == &op)
      return;
    for (Value v : inner->getOperands())
      if (tensorType(v) && !op.isAncestor(v.getParentRegion()->getParentOp()))
        dims.blockAll(v);
  });
  auto all = [&](auto f) {
    for (Value v : op.getOperands())
      f(v);
    for (Value v : op.getResults())
      f(v);
  };
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(&op);
      linalgOp && linalgOp.hasPureTensorSemantics()) {
    bool mapped = llvm::all_of(linalgOp.getIndexingMapsArray(), [](AffineMap m) {
      return m.isProjectedPermutation();
    });
    if (!mapped)
      return all([&](Value v) { dims.blockAll(v); });
    SmallVector<unsigned> loops;
    bool usesIndex = !linalgOp.getBlock()->getOps<linalg::IndexOp>().empty();
    for (utils::IteratorType it : linalgOp.getIteratorTypesArray()) {
      loops.push_back(dims.fresh());
      if (usesIndex || it != utils::IteratorType::parallel)
        dims.block(loops.back());
    }
    auto tie = [&](Value v, AffineMap map) {
      if (!tensorType(v))
        return;
      for (auto [d, e] : llvm::enumerate(map.getResults()))
        dims.unite(dims.node(v, d),
                   loops[cast<AffineDimExpr>(e).getPosition()]);
    };
    for (OpOperand &operand : op.getOpOperands())
      tie(operand.get(), linalgOp.getMatchingIndexingMap(&operand));
    for (OpResult r : op.getResults())
      tie(r, linalgOp.getIndexingMapMatchingResult(r));
    return;
  }
  if (OpTrait::hasElementwiseMappableTraits(&op) && op.getNumRegions() == 0) {
    SmallVector<Value> tensors;
    all([&](Value v) {
      if (tensorType(v))
        tensors.push_back(v);
    });
    if (tensors.empty())
      return;
    int64_t rank = tensorType(tensors[0]).getRank();
    if (llvm::any_of(tensors,
                     [&](Value v) { return tensorType(v).getRank() != rank; }))
      return all([&](Value v) { dims.blockAll(v); });
    for (Value v : ArrayRef(tensors).drop_front())
      for (int64_t d = 0; d < rank; ++d)
        dims.unite(dims.node(tensors[0], d), dims.node(v, d));
    return;
  }
  // Sizes alone: an empty tensor, a splat constant.
  if (isa<tensor::EmptyOp>(op))
    return;
  if (auto cst = dyn_cast<arith::ConstantOp>(op)) {
    auto dense = dyn_cast<DenseElementsAttr>(cst.getValue());
    if (!dense || dense.isSplat())
      return;
  }
  all([&](Value v) { dims.blockAll(v); });
}
} // namespace

std::optional<unsigned> ChannelSplit::positionOf(Value v) const {
  auto it = position.find(v);
  if (it == position.end())
    return std::nullopt;
  return it->second;
}

/// The permutation that moves dimension `at` of `rank` last.
static SmallVector<int64_t> moveLast(unsigned rank, unsigned at) {
  SmallVector<int64_t> perm;
  for (unsigned d = 0; d < rank; ++d)
    if (d != at)
      perm.push_back(d);
  perm.push_back(at);
  return perm;
}

Type ChannelSplit::tiled(Type type, std::optional<unsigned> at) const {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !at)
    return type;
  SmallVector<int64_t> shape(tensor.getShape());
  shape[*at] = width;
  if (transposed)
    shape = applyPermutation(shape, moveLast(shape.size(), *at));
  return tensor.clone(shape);
}

static Value transposeTile(ImplicitLocOpBuilder &b, Value tile,
                           ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(tile.getType());
  Value init = tensor::EmptyOp::create(
      b, applyPermutation(type.getShape(), perm), type.getElementType());
  return linalg::TransposeOp::create(b, tile, init, perm)->getResult(0);
}

Value ChannelSplit::toTileLayout(ImplicitLocOpBuilder &b, Value tile,
                                 unsigned at) const {
  const unsigned rank = cast<RankedTensorType>(tile.getType()).getRank();
  if (!transposed || at + 1 == rank)
    return tile;
  return transposeTile(b, tile, moveLast(rank, at));
}

Value ChannelSplit::toOpLayout(ImplicitLocOpBuilder &b, Value tile,
                               unsigned at) const {
  const unsigned rank = cast<RankedTensorType>(tile.getType()).getRank();
  if (!transposed || at + 1 == rank)
    return tile;
  return transposeTile(b, tile, invertPermutationVector(moveLast(rank, at)));
}

Value ChannelSplit::extractTile(ImplicitLocOpBuilder &b, Value x,
                                ArrayRef<Value> lead, unsigned at, Value col,
                                Value len) const {
  auto type = cast<RankedTensorType>(x.getType());
  Window w = windowAt(b, type, lead, nullptr, len);
  w.offsets[at] = col;
  w.sizes[at] = b.getIndexAttr(width);
  return extractWindow(b, x, w, lead.size());
}

void ChannelSplit::cloneTiled(ImplicitLocOpBuilder &b, Operation *op,
                              IRMapping &mapping) const {
  SmallVector<Type> types;
  for (Value r : op->getResults())
    types.push_back(tiled(r.getType(), positionOf(r)));
  if (auto cst = dyn_cast<arith::ConstantOp>(op)) {
    if (auto splat = dyn_cast<SplatElementsAttr>(cst.getValue())) {
      auto value = arith::ConstantOp::create(
          b, DenseElementsAttr::get(cast<ShapedType>(types[0]),
                                    splat.getSplatValue<Attribute>()));
      mapping.map(cst.getResult(), value.getResult());
      return;
    }
  }
  SmallVector<Value> operands;
  for (Value v : op->getOperands())
    operands.push_back(mapping.lookupOrDefault(v));
  OperationState state(op->getLoc(), op->getName(), operands, types,
                       op->getAttrs());
  if (auto generic = dyn_cast<linalg::GenericOp>(op); generic && transposed) {
    // The loop along the dimension moves last, and each operand's map
    // reads its tile layout.
    std::optional<unsigned> loop;
    for (OpOperand &operand : op->getOpOperands())
      if (std::optional<unsigned> at = positionOf(operand.get()))
        loop = cast<AffineDimExpr>(
                   generic.getMatchingIndexingMap(&operand).getResult(*at))
                   .getPosition();
    if (loop) {
      const unsigned numLoops = generic.getNumLoops();
      SmallVector<int64_t> order = moveLast(numLoops, *loop);
      SmallVector<int64_t> newIndex = invertPermutationVector(order);
      SmallVector<Attribute> maps;
      for (OpOperand &operand : op->getOpOperands()) {
        SmallVector<AffineExpr> results;
        for (AffineExpr e : generic.getMatchingIndexingMap(&operand).getResults())
          results.push_back(b.getAffineDimExpr(
              newIndex[cast<AffineDimExpr>(e).getPosition()]));
        if (std::optional<unsigned> at = positionOf(operand.get()))
          results = applyPermutation(results, moveLast(results.size(), *at));
        maps.push_back(AffineMapAttr::get(
            AffineMap::get(numLoops, 0, results, b.getContext())));
      }
      SmallVector<Attribute> iterators;
      for (int64_t l : order)
        iterators.push_back(generic.getIteratorTypes()[l]);
      state.attributes.set(generic.getIndexingMapsAttrName(),
                           b.getArrayAttr(maps));
      state.attributes.set(generic.getIteratorTypesAttrName(),
                           b.getArrayAttr(iterators));
    }
  }
  for (Region &region : op->getRegions())
    region.cloneInto(state.addRegion(), mapping);
  Operation *tiledOp = b.create(state);
  mapping.map(op->getResults(), tiledOp->getResults());
}

std::optional<ChannelSplit>
mixir::forms::recurrence::findChannelSplit(mixer::RecurrenceOp op) {
  Block &body = op.getBody().front();
  const unsigned numStates = op.getNumStates();
  if (numStates == 0)
    return std::nullopt;
  DimClasses dims;
  for (BlockArgument arg : body.getArguments())
    if (RankedTensorType type = tensorType(arg))
      for (unsigned d = 0; d < type.getRank(); ++d)
        dims.node(arg, d);
  for (Operation &inner : body.without_terminator())
    constrain(dims, inner);
  Operation *yield = op.getYield();
  for (unsigned s = 0; s < numStates; ++s) {
    RankedTensorType type = tensorType(body.getArgument(s));
    if (!type)
      return std::nullopt;
    for (unsigned d = 0; d < type.getRank(); ++d)
      dims.unite(dims.node(yield->getOperand(s), d),
                 dims.node(body.getArgument(s), d));
  }
  for (Value out : yield->getOperands().drop_front(numStates))
    if (RankedTensorType type = tensorType(out))
      for (unsigned d = 0; d < type.getRank(); ++d)
        dims.node(out, d);

  RankedTensorType first = tensorType(body.getArgument(0));
  for (unsigned d = 0; d < first.getRank(); ++d) {
    unsigned candidate = dims.node(body.getArgument(0), d);
    if (dims.isBlocked(candidate))
      continue;
    const unsigned l = dims.leader(candidate);
    ChannelSplit split;
    split.size = first.getDimSize(d);
    bool ok = split.size > 1;
    for (auto &[key, id] : dims.ids) {
      if (dims.leader(id) != l)
        continue;
      auto [v, at] = key;
      if (tensorType(v).getDimSize(at) != split.size ||
          !split.position.try_emplace(v, at).second)
        ok = false; // a size that differs, or the dimension twice
    }
    // Every state and output is cut along it.
    for (Value v : yield->getOperands())
      ok = ok && split.positionOf(v).has_value();
    for (unsigned s = 0; s < numStates; ++s)
      ok = ok && split.positionOf(body.getArgument(s)).has_value();
    if (!ok)
      continue;
    int64_t perChannel = 0;
    for (unsigned s = 0; s < numStates; ++s)
      perChannel += tensorType(body.getArgument(s)).getNumElements() /
                    split.size;
    split.width = split.size;
    for (int64_t w = 1; w < split.size; ++w)
      if (split.size % w == 0 && w * perChannel >= kMinTileElements) {
        split.width = w;
        break;
      }
    if (split.numTiles() < 2)
      return std::nullopt;
    bool inner = true, layoutFree = true;
    for (auto [v, at] : split.position)
      inner = inner && at + 1 == tensorType(v).getRank();
    for (Operation &inner : body.without_terminator())
      if (isa<linalg::LinalgOp>(inner) &&
          !isa<linalg::GenericOp, linalg::FillOp>(inner) &&
          llvm::any_of(inner.getOperands(), [&](Value v) {
            return split.positionOf(v).has_value();
          }))
        layoutFree = false;
    split.transposed = !inner && layoutFree;
    return split;
  }
  return std::nullopt;
}
