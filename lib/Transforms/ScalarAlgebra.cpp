//===- ScalarAlgebra.cpp - equalities and products of built scalars ---------===//
//
// docs/math.md, section 4.2.
//
//===----------------------------------------------------------------------===//
#include "ScalarAlgebra.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mixir;

static bool sameValueAt(Value x, Value y, unsigned depth) {
  if (x == y)
    return true;
  FloatAttr cx, cy;
  if (matchPattern(x, m_Constant(&cx)) && matchPattern(y, m_Constant(&cy)))
    return cx.getValue() == cy.getValue();
  Operation *ox = x.getDefiningOp(), *oy = y.getDefiningOp();
  if (!ox || !oy || depth > 16 || ox->getName() != oy->getName() ||
      ox->getAttrDictionary() != oy->getAttrDictionary() ||
      ox->getNumOperands() != oy->getNumOperands() ||
      ox->getNumResults() != 1 || ox->getNumRegions() != 0 ||
      !isMemoryEffectFree(ox))
    return false;
  return llvm::all_of(llvm::zip(ox->getOperands(), oy->getOperands()),
                      [&](auto pair) {
                        return sameValueAt(std::get<0>(pair),
                                           std::get<1>(pair), depth + 1);
                      });
}

bool mixir::sameValue(Value x, Value y) { return sameValueAt(x, y, 0); }

bool mixir::negationOf(Value x, Value y) {
  if (auto neg = y.getDefiningOp<arith::NegFOp>())
    if (sameValue(neg.getOperand(), x))
      return true;
  if (auto neg = x.getDefiningOp<arith::NegFOp>())
    if (sameValue(neg.getOperand(), y))
      return true;
  FloatAttr cx, cy;
  return matchPattern(x, m_Constant(&cx)) && matchPattern(y, m_Constant(&cy)) &&
         cx.getValue() == -cy.getValue();
}

void mixir::factorsOf(Value v, SmallVectorImpl<Value> &out) {
  if (auto mul = v.getDefiningOp<arith::MulFOp>()) {
    factorsOf(mul.getLhs(), out);
    factorsOf(mul.getRhs(), out);
    return;
  }
  out.push_back(v);
}

Product Product::of(Value v) {
  Product p;
  SmallVector<Value> work{v};
  while (!work.empty()) {
    Value x = work.pop_back_val();
    FloatAttr c;
    if (matchPattern(x, m_Constant(&c))) {
      p.constant *= c.getValueAsDouble();
    } else if (auto mul = x.getDefiningOp<arith::MulFOp>()) {
      work.push_back(mul.getLhs());
      work.push_back(mul.getRhs());
    } else if (auto neg = x.getDefiningOp<arith::NegFOp>()) {
      p.constant = -p.constant;
      work.push_back(neg.getOperand());
    } else {
      p.factors.push_back(x);
    }
  }
  return p;
}

std::optional<Product> Product::divide(const Product &x, const Product &y) {
  if (y.constant == 0.0)
    return std::nullopt;
  Product r;
  r.constant = x.constant / y.constant;
  r.factors = x.factors;
  for (Value f : y.factors) {
    auto it = llvm::find_if(r.factors, [&](Value g) { return sameValue(f, g); });
    if (it == r.factors.end())
      return std::nullopt;
    r.factors.erase(it);
  }
  return r;
}

Value Product::build(ImplicitLocOpBuilder &b) const {
  Value p;
  for (Value f : factors)
    p = p ? Value(arith::MulFOp::create(b, p, f)) : f;
  if (constant != 1.0 || !p) {
    Value c = arith::ConstantOp::create(b, b.getF32FloatAttr(constant));
    p = p ? Value(arith::MulFOp::create(b, p, c)) : c;
  }
  return p;
}
