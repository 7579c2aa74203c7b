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
    : op(op), deps(deps), group(group), shape(shape), newStates(newStates) {}

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
  if (unit)
    return arith::ConstantOp::create(b, b.getF32FloatAttr(1.0));
  if (!coef)
    return arith::ConstantOp::create(b, b.getF32FloatAttr(0.0));
  return coef;
}

Linear BodyLifter::linear(ImplicitLocOpBuilder &b, Value v) {
  const Dependence &d = deps.get(v);
  if (d.kind == Dependence::Independent) {
    Linear r;
    r.off = scalar(b, v);
    return r;
  }
  if (auto it = linears.find(v); it != linears.end())
    return it->second;
  Linear result;
  Operation *def = v.getDefiningOp();
  if (!def) {
    // A state itself.
    unsigned k = llvm::find(group, cast<BlockArgument>(v).getArgNumber()) -
                 group.begin();
    result.unit[k] = true;
    linears[v] = result;
    return result;
  }
  const unsigned n = group.size();
  auto add = [&](Value x, Value y, bool subtract) -> Value {
    if (!y)
      return x;
    if (!x)
      return subtract ? Value(arith::NegFOp::create(b, y)) : y;
    return subtract ? Value(arith::SubFOp::create(b, x, y))
                    : Value(arith::AddFOp::create(b, x, y));
  };
  auto scale = [&](const Linear &x, Value factor, bool divide) -> Linear {
    auto apply = [&](Value c) -> Value {
      if (!c)
        return nullptr;
      return divide ? Value(arith::DivFOp::create(b, c, factor))
                    : Value(arith::MulFOp::create(b, c, factor));
    };
    Linear r;
    for (unsigned k = 0; k < n; ++k)
      r.coef[k] = x.unit[k] ? (divide ? Value(arith::DivFOp::create(
                                            b, materialize(b, nullptr, true),
                                            factor))
                                      : factor)
                            : apply(x.coef[k]);
    r.off = apply(x.off);
    return r;
  };
  auto sum = [&](const Linear &x, const Linear &y, bool subtract) -> Linear {
    Linear r;
    r.off = add(x.off, y.off, subtract);
    for (unsigned k = 0; k < n; ++k) {
      // h ± β and β + h keep a unit coefficient.
      bool xZero = !x.unit[k] && !x.coef[k], yZero = !y.unit[k] && !y.coef[k];
      if ((x.unit[k] && yZero) || (xZero && y.unit[k] && !subtract)) {
        r.unit[k] = true;
        continue;
      }
      Value xc = x.unit[k] ? materialize(b, nullptr, true) : x.coef[k];
      Value yc = y.unit[k] ? materialize(b, nullptr, true) : y.coef[k];
      r.coef[k] = add(xc, yc, subtract);
    }
    return r;
  };
  auto independent = [&](Value x) {
    return deps.get(x).kind == Dependence::Independent;
  };
  if (auto addf = dyn_cast<arith::AddFOp>(def)) {
    result = sum(linear(b, addf.getLhs()), linear(b, addf.getRhs()), false);
  } else if (auto subf = dyn_cast<arith::SubFOp>(def)) {
    result = sum(linear(b, subf.getLhs()), linear(b, subf.getRhs()), true);
  } else if (auto negf = dyn_cast<arith::NegFOp>(def)) {
    result = sum(Linear{}, linear(b, negf.getOperand()), true);
  } else if (auto mulf = dyn_cast<arith::MulFOp>(def)) {
    bool lhsAffine = !independent(mulf.getLhs());
    Value affinePart = lhsAffine ? mulf.getLhs() : mulf.getRhs();
    Value factor = lhsAffine ? mulf.getRhs() : mulf.getLhs();
    result = scale(linear(b, affinePart), scalar(b, factor), false);
  } else if (auto divf = dyn_cast<arith::DivFOp>(def)) {
    result = scale(linear(b, divf.getLhs()), scalar(b, divf.getRhs()), true);
  } else if (auto fma = dyn_cast<math::FmaOp>(def)) {
    bool aAffine = !independent(fma.getA());
    Linear product =
        scale(linear(b, aAffine ? fma.getA() : fma.getB()),
              scalar(b, aAffine ? fma.getB() : fma.getA()), false);
    result = sum(product, linear(b, fma.getC()), false);
  } else if (auto select = dyn_cast<arith::SelectOp>(def)) {
    Value cond = scalar(b, select.getCondition());
    Linear x = linear(b, select.getTrueValue()),
           y = linear(b, select.getFalseValue());
    auto pick = [&](Value xv, Value yv) -> Value {
      if (!xv && !yv)
        return nullptr;
      return arith::SelectOp::create(
          b, cond, xv ? xv : materialize(b, nullptr, false),
          yv ? yv : materialize(b, nullptr, false));
    };
    for (unsigned k = 0; k < n; ++k)
      result.coef[k] =
          pick(x.unit[k] ? materialize(b, nullptr, true) : x.coef[k],
               y.unit[k] ? materialize(b, nullptr, true) : y.coef[k]);
    result.off = pick(x.off, y.off);
  } else {
    llvm_unreachable("StateDependence marks every other op as a blocker");
  }
  linears[v] = result;
  return result;
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
  linears.clear();
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
