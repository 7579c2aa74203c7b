//===- BodyLifter.cpp - a recurrence body's values over the whole sequence --===//
//
// docs/math.md, section 4.2.
//
//===----------------------------------------------------------------------===//
#include "BodyLifter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::mixer;

BodyLifter::BodyLifter(RecurrenceOp op, const StateDependence &deps,
                       ArrayRef<unsigned> group, RankedTensorType shape,
                       const llvm::DenseMap<Value, Value> *newStates)
    : op(op), deps(deps), group(group), shape(shape), newStates(newStates),
      parts(group.size()) {}

AffineMap BodyLifter::identity() const {
  return AffineMap::getMultiDimIdentityMap(shape.getRank(), shape.getContext());
}

bool BodyLifter::isStepInput(Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && arg.getOwner() == &body() &&
         arg.getArgNumber() >= op.getNumStates();
}

bool BodyLifter::definedInBody(Value v) {
  return v.getParentRegion() == &op.getBody() ||
         op.getBody().isAncestor(v.getParentRegion());
}

/// The value of a splat constant, read as a scalar.
static FloatAttr splatOf(Value v) {
  DenseFPElementsAttr dense;
  if (!matchPattern(v, m_Constant(&dense)) || !dense.isSplat())
    return nullptr;
  return dense.getSplatValue<FloatAttr>();
}

/// A value the generic reads as an input: a step input, a new state's
/// tensor, an outer tensor that is not a splat constant.
bool BodyLifter::isRead(Value v) {
  return isStepInput(v) || (newStates && newStates->count(v)) ||
         (!definedInBody(v) && !splatOf(v));
}

/// A generic that broadcasts: loops all parallel, maps projected
/// permutations, results through permutations (their inits not read), and
/// a body of scalar ops without memory effects or loop indices.
static bool isBroadcast(linalg::GenericOp generic) {
  if (!generic.hasPureTensorSemantics() ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return false;
  for (OpOperand *in : generic.getDpsInputOperands())
    if (!generic.getMatchingIndexingMap(in).isProjectedPermutation())
      return false;
  for (OpOperand &out : generic.getDpsInitsMutable())
    if (!generic.getMatchingIndexingMap(&out).isPermutation() ||
        generic.payloadUsesValueFromOperand(&out))
      return false;
  Block *body = generic.getBody();
  auto ownOrConstant = [&](Value v) {
    return v.getParentBlock() == body ||
           matchPattern(v, m_Constant()); // captured constants are cloned
  };
  return llvm::all_of(body->without_terminator(), [&](Operation &op) {
    return op.getNumRegions() == 0 && isMemoryEffectFree(&op) &&
           !isa<linalg::IndexOp>(op) &&
           llvm::all_of(op.getOperands(), ownOrConstant);
  }) && llvm::all_of(body->getTerminator()->getOperands(), ownOrConstant);
}

/// Where input `in` of a broadcast generic is read when its result `r` is
/// read through `at`: map_in ∘ (map_r)⁻¹ ∘ at.
static AffineMap inputAt(linalg::GenericOp generic, OpOperand *in, unsigned r,
                         AffineMap at) {
  AffineMap toLoops = inversePermutation(
      generic.getMatchingIndexingMap(generic.getDpsInitOperand(r)));
  return generic.getMatchingIndexingMap(in).compose(toLoops).compose(at);
}

/// Where the input of `broadcast` is read when its result is read through
/// `at`: the result's dimensions without the added ones, then `at`.
static AffineMap inputAt(linalg::BroadcastOp broadcast, AffineMap at) {
  ArrayRef<int64_t> added = broadcast.getDimensions();
  int64_t rank = broadcast.getInit().getType().getRank();
  SmallVector<AffineExpr> kept;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(added, d))
      kept.push_back(getAffineDimExpr(d, broadcast.getContext()));
  return AffineMap::get(rank, 0, kept, broadcast.getContext()).compose(at);
}

SmallVector<AffineMap> BodyLifter::readsOf(Value v) const {
  SmallVector<AffineMap> maps;
  for (auto [value, at] : checked)
    if (value == v)
      maps.push_back(at);
  return maps;
}

Operation *BodyLifter::check(Value v, AffineMap at) {
  Operation *bad = nullptr;
  checkValue(v, at ? at : identity(), bad);
  return bad;
}

void BodyLifter::checkValue(Value v, AffineMap at, Operation *&bad) {
  if (bad || !checked.insert({v, at}))
    return;
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() ||
      type.getRank() != at.getNumResults()) {
    bad = v.getDefiningOp() ? v.getDefiningOp() : op.getOperation();
    return;
  }
  if (isStepInput(v) || (newStates && newStates->count(v)) ||
      !definedInBody(v) || isa<BlockArgument>(v))
    return; // read, or a state (expressed by `linear`)
  Operation *def = v.getDefiningOp();
  if (auto constant = dyn_cast<arith::ConstantOp>(def)) {
    if (!splatOf(v))
      bad = def;
    return;
  }
  if (auto fill = dyn_cast<linalg::FillOp>(def)) {
    if (!fill.hasPureTensorSemantics() ||
        !matchPattern(fill.getInputs()[0], m_Constant()))
      bad = def;
    return;
  }
  if (auto generic = dyn_cast<linalg::GenericOp>(def)) {
    if (!isBroadcast(generic)) {
      bad = def;
      return;
    }
    unsigned r = cast<OpResult>(v).getResultNumber();
    for (OpOperand *in : generic.getDpsInputOperands())
      checkValue(in->get(), inputAt(generic, in, r, at), bad);
    return;
  }
  if (auto broadcast = dyn_cast<linalg::BroadcastOp>(def)) {
    if (!broadcast.hasPureTensorSemantics()) {
      bad = def;
      return;
    }
    checkValue(broadcast.getInput(), inputAt(broadcast, at), bad);
    return;
  }
  auto sameShape = [&](Type t) {
    auto other = dyn_cast<RankedTensorType>(t);
    return other && other.getShape() == type.getShape();
  };
  if (!OpTrait::hasElementwiseMappableTraits(def) ||
      !llvm::all_of(def->getOperandTypes(), sameShape) ||
      !llvm::all_of(def->getResultTypes(), sameShape)) {
    bad = def;
    return;
  }
  for (Value operand : def->getOperands())
    checkValue(operand, at, bad);
}

Value BodyLifter::scalar(ImplicitLocOpBuilder &b, Value v, AffineMap at) {
  if (!at)
    at = identity();
  if (Value known = scalars.lookup({v, at}))
    return known;
  Operation *def = v.getDefiningOp();
  assert(def && "reads are mapped up front");
  Value result;
  if (FloatAttr splat = splatOf(v)) {
    result = arith::ConstantOp::create(b, splat);
  } else if (auto fill = dyn_cast<linalg::FillOp>(def)) {
    Attribute value;
    matchPattern(fill.getInputs()[0], m_Constant(&value));
    result = arith::ConstantOp::create(b, cast<TypedAttr>(value));
  } else if (auto broadcast = dyn_cast<linalg::BroadcastOp>(def)) {
    result = scalar(b, broadcast.getInput(), inputAt(broadcast, at));
  } else if (auto generic = dyn_cast<linalg::GenericOp>(def)) {
    // Its body on the inputs' elements; every result of it at `at`.
    unsigned r = cast<OpResult>(v).getResultNumber();
    IRMapping mapping;
    Block *inner = generic.getBody();
    for (OpOperand *in : generic.getDpsInputOperands())
      mapping.map(inner->getArgument(in->getOperandNumber()),
                  scalar(b, in->get(), inputAt(generic, in, r, at)));
    // Captured constants first.
    auto capture = [&](Value x) {
      if (x.getParentBlock() != inner && !mapping.contains(x))
        mapping.map(x, b.clone(*x.getDefiningOp())->getResult(0));
    };
    for (Operation &innerOp : inner->without_terminator()) {
      llvm::for_each(innerOp.getOperands(), capture);
      b.clone(innerOp, mapping);
    }
    capture(inner->getTerminator()->getOperand(r));
    result = mapping.lookup(inner->getTerminator()->getOperand(r));
  } else {
    IRMapping mapping;
    for (Value operand : def->getOperands())
      mapping.map(operand, scalar(b, operand, at));
    Operation *clone = b.clone(*def, mapping);
    for (auto [r, t] : llvm::zip(clone->getResults(), def->getResultTypes()))
      r.setType(getElementTypeOrSelf(t));
    for (auto [r, orig] : llvm::zip(clone->getResults(), def->getResults()))
      scalars[{orig, at}] = r;
    return scalars.lookup({v, at});
  }
  if (result.getType() != b.getF32Type())
    result = arith::ExtFOp::create(b, b.getF32Type(), result);
  scalars[{v, at}] = result;
  return result;
}

Value BodyLifter::materialize(ImplicitLocOpBuilder &b, Value coef, bool unit) {
  return AffineParts::materialize(b, coef, unit);
}

Linear BodyLifter::linear(ImplicitLocOpBuilder &b, Value v) {
  AffineParts::Leaves leaves{
      [&](Value x) { return deps.get(x).kind == Dependence::Independent; },
      [&](ImplicitLocOpBuilder &g, Value x) { return scalar(g, x); },
      [&](Value x) -> int {
        // A state of the group itself.
        auto arg = dyn_cast<BlockArgument>(x);
        if (!arg || arg.getOwner() != &body())
          return -1;
        auto at = llvm::find(group, arg.getArgNumber());
        return at == group.end() ? -1 : int(at - group.begin());
      }};
  return parts.get(b, v, leaves);
}

linalg::GenericOp BodyLifter::build(
    OpBuilder &builder, TypeRange resultTypes,
    function_ref<SmallVector<Value>(ImplicitLocOpBuilder &)> yields) {
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  MLIRContext *ctx = b.getContext();
  Value first = op.getInputs().front();
  SmallVector<OpFoldResult> sizes{
      tensor::DimOp::create(b, first, 0).getResult(),
      tensor::DimOp::create(b, first, 1).getResult()};
  for (int64_t d : shape.getShape())
    sizes.push_back(b.getIndexAttr(d));
  const unsigned rank = sizes.size();
  // The reads: a step input or a new state at (b, t, at(d...)), an outer
  // tensor at at(d...).
  // In a stable order: step inputs by position, new states, outer tensors.
  SmallVector<std::pair<Value, AffineMap>> readKeys;
  for (auto key : checked)
    if (isRead(key.first))
      readKeys.push_back(key);
  auto rankOf = [&](Value v) -> unsigned {
    if (isStepInput(v))
      return cast<BlockArgument>(v).getArgNumber();
    return newStates && newStates->count(v) ? body().getNumArguments()
                                            : body().getNumArguments() + 1;
  };
  llvm::stable_sort(readKeys, [&](auto &x, auto &y) {
    return rankOf(x.first) < rankOf(y.first);
  });
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  for (auto [v, at] : readKeys) {
    Value tensor = newStates && newStates->count(v) ? newStates->lookup(v) : v;
    if (isStepInput(v))
      tensor = op.getInputs()[cast<BlockArgument>(v).getArgNumber() -
                              op.getNumStates()];
    SmallVector<AffineExpr> exprs;
    if (definedInBody(v) || (newStates && newStates->count(v)))
      exprs = {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
    for (AffineExpr e : at.getResults())
      exprs.push_back(e.shiftDims(at.getNumDims(), 2));
    ins.push_back(tensor);
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  SmallVector<Value> outs;
  for (Type t : resultTypes) {
    outs.push_back(tensor::EmptyOp::create(b, sizes, t));
    maps.push_back(b.getMultiDimIdentityMap(rank));
  }
  scalars.clear();
  parts.clear();
  return linalg::GenericOp::create(
      b, TypeRange(ValueRange(outs)), ins, outs, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder g(loc, nb);
        Type f32 = g.getF32Type();
        for (auto [key, arg] : llvm::zip(readKeys, args)) {
          Value x = arg;
          if (x.getType() != f32)
            x = arith::ExtFOp::create(g, f32, x);
          scalars[key] = x;
        }
        SmallVector<Value> results = yields(g);
        for (unsigned i = 0; i < results.size(); ++i)
          if (results[i].getType() != resultTypes[i])
            results[i] = arith::TruncFOp::create(g, resultTypes[i], results[i]);
        linalg::YieldOp::create(g, results);
      });
}
