//===- ExpandStateGenerics.cpp - element-wise generics on a state as tensor ops -===//
//
// docs/math.md, section 4.2.
//
//===----------------------------------------------------------------------===//
#include "ExpandStateGenerics.h"

#include "mixir/Dialect/Mixer/StateDependence.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::mixer;

namespace {
/// Whether `map` only adds dimensions, keeping the others in order: what
/// linalg.broadcast does.
bool isBroadcast(AffineMap map) {
  unsigned next = 0;
  for (AffineExpr e : map.getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d || d.getPosition() < next)
      return false;
    next = d.getPosition() + 1;
  }
  return true;
}

/// Whether `generic` is element-wise over its results' shape, reads a
/// state-dependent value through the identity and others only through the
/// identity or broadcasts.
bool expandable(linalg::GenericOp generic, const StateDependence &deps) {
  if (!generic.hasPureTensorSemantics() ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      generic.getNumDpsInits() == 0)
    return false;
  bool readsState = false;
  for (OpOperand *in : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(in);
    if (!isa<RankedTensorType>(in->get().getType()) ||
        !map.isProjectedPermutation())
      return false;
    if (deps.get(in->get()).kind != Dependence::Independent) {
      if (!isBroadcast(map))
        return false;
      readsState |= map.isIdentity();
    }
  }
  if (!readsState)
    return false;
  for (OpOperand &init : generic.getDpsInitsMutable()) {
    auto type = dyn_cast<RankedTensorType>(init.get().getType());
    if (!type || !type.hasStaticShape() ||
        !generic.getMatchingIndexingMap(&init).isIdentity() ||
        generic.payloadUsesValueFromOperand(&init))
      return false;
  }
  Block *body = generic.getBody();
  auto known = [&](Value v) {
    return v.getParentBlock() == body || matchPattern(v, m_Constant());
  };
  for (Operation &inner : body->without_terminator()) {
    if (inner.getNumRegions() || !isMemoryEffectFree(&inner) ||
        isa<linalg::IndexOp>(inner) || inner.getNumResults() != 1 ||
        !(OpTrait::hasElementwiseMappableTraits(&inner) ||
          isa<arith::ConstantOp>(inner)) ||
        !llvm::all_of(inner.getOperands(), known))
      return false;
    if (isa<arith::ConstantOp>(inner) &&
        !isa<FloatType, IntegerType>(inner.getResult(0).getType()))
      return false;
  }
  return llvm::all_of(body->getTerminator()->getOperands(), known);
}

void expand(linalg::GenericOp generic, const StateDependence &deps) {
  OpBuilder b(generic);
  Location loc = generic.getLoc();
  auto shape = cast<RankedTensorType>(generic->getResult(0).getType()).getShape();
  auto tensorOf = [&](Type element) {
    return RankedTensorType::get(shape, element);
  };
  Block *body = generic.getBody();
  IRMapping mapping;
  AffineMap identity = b.getMultiDimIdentityMap(shape.size());
  for (OpOperand *in : generic.getDpsInputOperands()) {
    BlockArgument arg = body->getArgument(in->getOperandNumber());
    AffineMap map = generic.getMatchingIndexingMap(in);
    Value x = in->get();
    if (!map.isIdentity() && deps.get(x).kind != Dependence::Independent) {
      // A broadcast of a state-dependent value, as the raisers read one (a
      // running maximum, a delta rule's correction).
      SmallVector<int64_t> added;
      for (unsigned d = 0; d < shape.size(); ++d)
        if (!map.isFunctionOfDim(d))
          added.push_back(d);
      Type element = getElementTypeOrSelf(x.getType());
      Value empty = tensor::EmptyOp::create(b, loc, shape, element);
      x = linalg::BroadcastOp::create(b, loc, x, empty, added)->getResult(0);
    } else if (!map.isIdentity()) {
      // A broadcast of an independent value: a copy generic.
      Type element = getElementTypeOrSelf(x.getType());
      Value empty = tensor::EmptyOp::create(b, loc, shape, element);
      x = linalg::GenericOp::create(
              b, loc, TypeRange{tensorOf(element)}, ValueRange{x},
              ValueRange{empty}, SmallVector<AffineMap>{map, identity},
              SmallVector<utils::IteratorType>(shape.size(),
                                               utils::IteratorType::parallel),
              [](OpBuilder &nb, Location nloc, ValueRange args) {
                linalg::YieldOp::create(nb, nloc, args[0]);
              })
              .getResult(0);
    }
    mapping.map(arg, x);
  }
  // A scalar constant (inside the body or captured) as a splat.
  auto splat = [&](Value v) -> Value {
    if (Value known = mapping.lookupOrNull(v))
      return known;
    Attribute value;
    matchPattern(v, m_Constant(&value));
    auto type = tensorOf(v.getType());
    Value c = arith::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, value));
    mapping.map(v, c);
    return c;
  };
  for (Operation &inner : body->without_terminator()) {
    if (isa<arith::ConstantOp>(inner)) {
      splat(inner.getResult(0));
      continue;
    }
    SmallVector<Value> operands;
    for (Value v : inner.getOperands())
      operands.push_back(splat(v));
    OperationState state(inner.getLoc(), inner.getName());
    state.addOperands(operands);
    state.addTypes(tensorOf(inner.getResult(0).getType()));
    state.addAttributes(inner.getAttrs());
    mapping.map(inner.getResult(0), b.create(state)->getResult(0));
  }
  SmallVector<Value> results;
  for (Value y : body->getTerminator()->getOperands())
    results.push_back(splat(y));
  generic->replaceAllUsesWith(results);
  generic->erase();
}
} // namespace

unsigned mixir::expandStateGenerics(RecurrenceOp op) {
  // One at a time: an expansion replaces values the analysis had seen.
  unsigned expanded = 0;
  while (true) {
    StateDependence deps(op);
    linalg::GenericOp next;
    for (Operation &inner : op.getBody().front().without_terminator())
      if (auto generic = dyn_cast<linalg::GenericOp>(inner))
        if (expandable(generic, deps)) {
          next = generic;
          break;
        }
    if (!next)
      return expanded;
    expand(next, deps);
    ++expanded;
  }
}
