//===- AffineParts.cpp - coefficients and offset of an affine value ---------===//
//
// docs/math.md, section 4.2: the rules of StateDependence, building.
//
//===----------------------------------------------------------------------===//
#include "AffineParts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mixir;

Value AffineParts::materialize(ImplicitLocOpBuilder &b, Value coef, bool unit) {
  if (unit)
    return arith::ConstantOp::create(b, b.getF32FloatAttr(1.0));
  if (!coef)
    return arith::ConstantOp::create(b, b.getF32FloatAttr(0.0));
  return coef;
}

Linear AffineParts::get(ImplicitLocOpBuilder &b, Value v,
                        const Leaves &leaves) {
  if (leaves.independent(v)) {
    Linear r;
    r.off = leaves.scalar(b, v);
    return r;
  }
  if (auto it = cache.find(v); it != cache.end())
    return it->second;
  Linear result;
  if (int k = leaves.variable(v); k >= 0) {
    result.unit[k] = true;
    cache[v] = result;
    return result;
  }
  Operation *def = v.getDefiningOp();
  assert(def && "a dependent block argument is a variable");
  const unsigned n = numVariables;
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
  // Each operand's parts are built in a statement of its own: both emit IR,
  // and as two arguments of one call their order would be the compiler's.
  if (auto addf = dyn_cast<arith::AddFOp>(def)) {
    Linear lhs = get(b, addf.getLhs(), leaves);
    result = sum(lhs, get(b, addf.getRhs(), leaves), false);
  } else if (auto subf = dyn_cast<arith::SubFOp>(def)) {
    Linear lhs = get(b, subf.getLhs(), leaves);
    result = sum(lhs, get(b, subf.getRhs(), leaves), true);
  } else if (auto negf = dyn_cast<arith::NegFOp>(def)) {
    result = sum(Linear{}, get(b, negf.getOperand(), leaves), true);
  } else if (auto mulf = dyn_cast<arith::MulFOp>(def)) {
    bool lhsAffine = !leaves.independent(mulf.getLhs());
    Value affinePart = lhsAffine ? mulf.getLhs() : mulf.getRhs();
    Value factor = lhsAffine ? mulf.getRhs() : mulf.getLhs();
    Linear part = get(b, affinePart, leaves);
    result = scale(part, leaves.scalar(b, factor), false);
  } else if (auto divf = dyn_cast<arith::DivFOp>(def)) {
    Linear part = get(b, divf.getLhs(), leaves);
    result = scale(part, leaves.scalar(b, divf.getRhs()), true);
  } else if (auto fma = dyn_cast<math::FmaOp>(def)) {
    bool aAffine = !leaves.independent(fma.getA());
    Linear part = get(b, aAffine ? fma.getA() : fma.getB(), leaves);
    Linear product =
        scale(part, leaves.scalar(b, aAffine ? fma.getB() : fma.getA()), false);
    result = sum(product, get(b, fma.getC(), leaves), false);
  } else if (auto select = dyn_cast<arith::SelectOp>(def)) {
    Value cond = leaves.scalar(b, select.getCondition());
    Linear x = get(b, select.getTrueValue(), leaves),
           y = get(b, select.getFalseValue(), leaves);
    auto pick = [&](Value xv, Value yv) -> Value {
      if (!xv && !yv)
        return nullptr;
      if (!xv)
        xv = materialize(b, nullptr, false);
      if (!yv)
        yv = materialize(b, nullptr, false);
      return arith::SelectOp::create(b, cond, xv, yv);
    };
    for (unsigned k = 0; k < n; ++k) {
      Value xc = x.unit[k] ? materialize(b, nullptr, true) : x.coef[k];
      Value yc = y.unit[k] ? materialize(b, nullptr, true) : y.coef[k];
      result.coef[k] = pick(xc, yc);
    }
    result.off = pick(x.off, y.off);
  } else {
    llvm_unreachable("StateDependence marks every other op as a blocker");
  }
  cache[v] = result;
  return result;
}

