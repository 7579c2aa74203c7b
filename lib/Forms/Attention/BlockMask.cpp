//===- BlockMask.cpp - interval interpretation of a mask_mod region ------===//
//
// docs/math.md, section 2.3. Index arithmetic is interpreted exactly as
// written while every bound stays below 2^62 (statically: an interval
// carries a bound on its magnitude, and an op whose result could exceed it
// is unknown, so no interval wraps); a value defined above the op is
// trusted up to 2^40 and the block becomes partial at run time beyond
// that. Arithmetic on other
// integer types, floats, and every op not listed below give an unknown
// value. Unsigned comparisons and divisions are interpreted only where
// their operands are known to be non-negative.
//
//===----------------------------------------------------------------------===//
#include "BlockMask.h"

#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms::attention;

namespace {
/// Whether a boolean can be true and whether it can be false in a block.
struct Truth {
  Value canBeTrue, canBeFalse;
};

class Interpreter {
public:
  Interpreter(ImplicitLocOpBuilder &b, ExtractRange extract,
              bool outerValuesKnown)
      : b(b), extract(extract), outerValuesKnown(outerValuesKnown) {}

  BlockClass run(Region &mask, ArrayRef<Interval> args) {
    Block &block = mask.front();
    region = &mask;
    for (auto [arg, range] : llvm::zip(block.getArguments(), args))
      ranges[arg] = range;
    for (Operation &op : block.without_terminator())
      visit(&op);
    auto yield = cast<mixer::YieldOp>(block.getTerminator());
    Truth t = truthOf(yield.getValues()[0]);
    // Where an outer value was out of its trusted range: partial.
    return {either(t.canBeTrue, negate(valid)),
            both(negate(t.canBeFalse), valid)};
  }

private:
  Value boolean(bool v) {
    return arith::ConstantOp::create(b, b.getBoolAttr(v));
  }
  Value integer(Type type, int64_t v) {
    return arith::ConstantOp::create(b, b.getIntegerAttr(type, v));
  }
  Value negate(Value v) { return b.createOrFold<arith::XOrIOp>(v, boolean(true)); }
  Value both(Value x, Value y) { return b.createOrFold<arith::AndIOp>(x, y); }
  Value either(Value x, Value y) { return b.createOrFold<arith::OrIOp>(x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return b.createOrFold<arith::CmpIOp>(p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return b.createOrFold<arith::SelectOp>(c, x, y);
  }
  Value min(Value x, Value y) { return b.createOrFold<arith::MinSIOp>(x, y); }
  Value max(Value x, Value y) { return b.createOrFold<arith::MaxSIOp>(x, y); }

  Truth unknown() { return {boolean(true), boolean(true)}; }

  /// The largest magnitude an interpreted value may reach.
  static constexpr double kMaxBound = 4611686018427387904.0; // 2^62

  /// `r` if its bound is representable, else unknown.
  static std::optional<Interval> bounded(Interval r) {
    if (r.bound > kMaxBound)
      return std::nullopt;
    return r;
  }

  std::optional<Interval> rangeOf(Value v) {
    if (auto it = ranges.find(v); it != ranges.end())
      return it->second;
    APInt c;
    if (v.getType().isIntOrIndex() && !v.getType().isInteger(1) &&
        matchPattern(v, m_ConstantInt(&c))) {
      double magnitude = std::abs(double(c.getSExtValue()));
      if (c.getBitWidth() > 64 || magnitude > kMaxBound)
        return std::nullopt;
      Value k = integer(v.getType(), c.getSExtValue());
      return Interval{k, k, !c.isNegative(), magnitude};
    }
    // An integer defined above the op: one value at run time, trusted up to
    // 2^40 in magnitude (beyond, `valid` makes the block partial).
    if (outerValuesKnown && v.getType().isIntOrIndex() &&
        !v.getType().isInteger(1) && !region->isAncestor(v.getParentRegion())) {
      int64_t limit = int64_t(Interval::kIndexBound);
      if (!v.getType().isIndex() && v.getType().getIntOrFloatBitWidth() < 42)
        return Interval{v, v, false, Interval::kIndexBound};
      Value inRange =
          both(cmp(arith::CmpIPredicate::sle, v, integer(v.getType(), limit)),
               cmp(arith::CmpIPredicate::sge, v, integer(v.getType(), -limit)));
      valid = both(valid, inRange);
      return Interval{v, v, false, Interval::kIndexBound};
    }
    return std::nullopt;
  }

  Truth truthOf(Value v) {
    if (auto it = truths.find(v); it != truths.end())
      return it->second;
    APInt c;
    if (v.getType().isInteger(1) && matchPattern(v, m_ConstantInt(&c)))
      return {boolean(c.getBoolValue()), boolean(!c.getBoolValue())};
    return unknown();
  }

  /// A positive constant operand.
  std::optional<int64_t> positiveConstant(Value v) {
    APInt c;
    if (matchPattern(v, m_ConstantInt(&c)) && c.isStrictlyPositive())
      return c.getSExtValue();
    return std::nullopt;
  }

  void visit(Operation *op) {
    if (op->getNumResults() != 1)
      return;
    Value result = op->getResult(0);
    if (result.getType().isInteger(1)) {
      if (std::optional<Truth> t = visitBoolean(op))
        truths[result] = *t;
      return;
    }
    if (std::optional<Interval> r = visitInteger(op))
      ranges[result] = *r;
  }

  std::optional<Truth> visitBoolean(Operation *op) {
    if (auto c = dyn_cast<arith::CmpIOp>(op))
      return compare(c);
    if (isa<arith::AndIOp, arith::OrIOp, arith::XOrIOp>(op)) {
      Truth x = truthOf(op->getOperand(0)), y = truthOf(op->getOperand(1));
      if (isa<arith::AndIOp>(op))
        return Truth{both(x.canBeTrue, y.canBeTrue),
                     either(x.canBeFalse, y.canBeFalse)};
      if (isa<arith::OrIOp>(op))
        return Truth{either(x.canBeTrue, y.canBeTrue),
                     both(x.canBeFalse, y.canBeFalse)};
      // x ⊕ y is true where they differ.
      return Truth{either(both(x.canBeTrue, y.canBeFalse),
                          both(x.canBeFalse, y.canBeTrue)),
                   either(both(x.canBeTrue, y.canBeTrue),
                          both(x.canBeFalse, y.canBeFalse))};
    }
    if (auto s = dyn_cast<arith::SelectOp>(op)) {
      Truth c = truthOf(s.getCondition()), x = truthOf(s.getTrueValue()),
            y = truthOf(s.getFalseValue());
      return Truth{either(both(c.canBeTrue, x.canBeTrue),
                          both(c.canBeFalse, y.canBeTrue)),
                   either(both(c.canBeTrue, x.canBeFalse),
                          both(c.canBeFalse, y.canBeFalse))};
    }
    return std::nullopt;
  }

  std::optional<Truth> compare(arith::CmpIOp op) {
    std::optional<Interval> x = rangeOf(op.getLhs()), y = rangeOf(op.getRhs());
    if (!x || !y)
      return std::nullopt;
    using P = arith::CmpIPredicate;
    P p = op.getPredicate();
    bool isUnsigned = p == P::ult || p == P::ule || p == P::ugt ||
                      p == P::uge;
    if (isUnsigned && !(x->nonNegative && y->nonNegative))
      return std::nullopt;
    switch (p) {
    case P::slt:
    case P::ult:
      return Truth{cmp(P::slt, x->lo, y->hi), cmp(P::sge, x->hi, y->lo)};
    case P::sle:
    case P::ule:
      return Truth{cmp(P::sle, x->lo, y->hi), cmp(P::sgt, x->hi, y->lo)};
    case P::sgt:
    case P::ugt:
      return Truth{cmp(P::sgt, x->hi, y->lo), cmp(P::sle, x->lo, y->hi)};
    case P::sge:
    case P::uge:
      return Truth{cmp(P::sge, x->hi, y->lo), cmp(P::slt, x->lo, y->hi)};
    case P::eq:
    case P::ne: {
      // Equal somewhere iff the ranges overlap; unequal somewhere unless
      // both are the same single value.
      Value overlap = both(cmp(P::sle, x->lo, y->hi), cmp(P::sle, y->lo, x->hi));
      Value differ = either(either(cmp(P::ne, x->lo, x->hi),
                                   cmp(P::ne, y->lo, y->hi)),
                            cmp(P::ne, x->lo, y->lo));
      return p == P::eq ? Truth{overlap, differ} : Truth{differ, overlap};
    }
    }
    return std::nullopt;
  }

  std::optional<Interval> visitInteger(Operation *op) {
    Type type = op->getResult(0).getType();
    if (auto e = dyn_cast<tensor::ExtractOp>(op)) {
      SmallVector<std::optional<Interval>> indices;
      for (Value i : e.getIndices())
        indices.push_back(rangeOf(i));
      return type.isInteger() ? extract(b, e, indices) : std::nullopt;
    }
    if (isa<arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtSIOp,
            arith::ExtUIOp>(op)) {
      // Widening casts (to index from a narrower integer) keep the order;
      // the unsigned ones need a non-negative operand.
      std::optional<Interval> x = rangeOf(op->getOperand(0));
      bool widening = type.isIndex() || isa<arith::ExtSIOp, arith::ExtUIOp>(op);
      bool isUnsigned = isa<arith::IndexCastUIOp, arith::ExtUIOp>(op);
      if (!x || !widening || op->getOperand(0).getType().isIndex() ||
          (isUnsigned && !x->nonNegative))
        return std::nullopt;
      auto cast = [&](Value v) -> Value {
        if (type.isIndex())
          return b.createOrFold<arith::IndexCastOp>(type, v);
        return b.createOrFold<arith::ExtSIOp>(type, v);
      };
      return Interval{cast(x->lo), cast(x->hi), x->nonNegative, x->bound};
    }
    if (auto s = dyn_cast<arith::SelectOp>(op)) {
      // The hull of the values the condition allows.
      std::optional<Interval> x = rangeOf(s.getTrueValue()),
                              y = rangeOf(s.getFalseValue());
      if (!type.isIndex() || !x || !y)
        return std::nullopt;
      Truth c = truthOf(s.getCondition());
      return Interval{
          select(c.canBeTrue, select(c.canBeFalse, min(x->lo, y->lo), x->lo),
                 y->lo),
          select(c.canBeTrue, select(c.canBeFalse, max(x->hi, y->hi), x->hi),
                 y->hi),
          x->nonNegative && y->nonNegative, std::max(x->bound, y->bound)};
    }
    // The rest is index arithmetic.
    if (!type.isIndex() || op->getNumOperands() != 2)
      return std::nullopt;
    std::optional<Interval> x = rangeOf(op->getOperand(0)),
                            y = rangeOf(op->getOperand(1));
    if (!x || !y)
      return std::nullopt;
    if (isa<arith::AddIOp, arith::SubIOp>(op) &&
        x->bound + y->bound > kMaxBound)
      return std::nullopt;
    if (isa<arith::AddIOp>(op))
      return Interval{b.createOrFold<arith::AddIOp>(x->lo, y->lo),
                      b.createOrFold<arith::AddIOp>(x->hi, y->hi),
                      x->nonNegative && y->nonNegative, x->bound + y->bound};
    if (isa<arith::SubIOp>(op))
      return Interval{b.createOrFold<arith::SubIOp>(x->lo, y->hi),
                      b.createOrFold<arith::SubIOp>(x->hi, y->lo), false,
                      x->bound + y->bound};
    if (isa<arith::MinSIOp, arith::MaxSIOp, arith::MinUIOp, arith::MaxUIOp>(
            op)) {
      bool nonNegative = x->nonNegative && y->nonNegative;
      if (isa<arith::MinUIOp, arith::MaxUIOp>(op) && !nonNegative)
        return std::nullopt;
      double bound = std::max(x->bound, y->bound);
      if (isa<arith::MinSIOp, arith::MinUIOp>(op))
        return Interval{min(x->lo, y->lo), min(x->hi, y->hi), nonNegative,
                        bound};
      return Interval{max(x->lo, y->lo), max(x->hi, y->hi), nonNegative,
                      bound};
    }
    if (isa<arith::MulIOp>(op)) {
      // By a constant: scaled, the bounds swapped for a negative one.
      APInt c;
      Interval r;
      if (matchPattern(op->getOperand(1), m_ConstantInt(&c)))
        r = *x;
      else if (matchPattern(op->getOperand(0), m_ConstantInt(&c)))
        r = *y;
      else
        return std::nullopt;
      double bound = std::abs(double(c.getSExtValue())) * r.bound;
      if (c.getBitWidth() > 64 || bound > kMaxBound)
        return std::nullopt;
      Value k = integer(type, c.getSExtValue());
      Value lo = b.createOrFold<arith::MulIOp>(r.lo, k);
      Value hi = b.createOrFold<arith::MulIOp>(r.hi, k);
      return c.isNegative() ? Interval{hi, lo, false, bound}
                            : Interval{lo, hi, r.nonNegative, bound};
    }
    std::optional<int64_t> divisor = positiveConstant(op->getOperand(1));
    if (!divisor)
      return std::nullopt;
    // Division by a positive constant is monotone.
    if (isa<arith::DivSIOp, arith::FloorDivSIOp, arith::CeilDivSIOp>(op) ||
        (isa<arith::DivUIOp, arith::CeilDivUIOp>(op) && x->nonNegative)) {
      Value k = y->lo;
      auto apply = [&](Value v) -> Value {
        if (isa<arith::DivSIOp>(op))
          return b.createOrFold<arith::DivSIOp>(v, k);
        if (isa<arith::FloorDivSIOp>(op))
          return b.createOrFold<arith::FloorDivSIOp>(v, k);
        if (isa<arith::CeilDivSIOp>(op))
          return b.createOrFold<arith::CeilDivSIOp>(v, k);
        if (isa<arith::DivUIOp>(op))
          return b.createOrFold<arith::DivUIOp>(v, k);
        return b.createOrFold<arith::CeilDivUIOp>(v, k);
      };
      return Interval{apply(x->lo), apply(x->hi), x->nonNegative,
                      x->bound + 1};
    }
    // x mod c over [lo, hi] is [lo mod c, hi mod c] when no multiple of c
    // lies in (lo, hi], else [0, c − 1].
    if (isa<arith::RemUIOp, arith::RemSIOp>(op) && x->nonNegative) {
      Value k = y->lo;
      Value sameTurn = cmp(arith::CmpIPredicate::eq,
                           b.createOrFold<arith::DivUIOp>(x->lo, k),
                           b.createOrFold<arith::DivUIOp>(x->hi, k));
      return Interval{
          select(sameTurn, b.createOrFold<arith::RemUIOp>(x->lo, k),
                 integer(type, 0)),
          select(sameTurn, b.createOrFold<arith::RemUIOp>(x->hi, k),
                 integer(type, *divisor - 1)),
          true, std::max(x->bound, y->bound)};
    }
    return std::nullopt;
  }

  ImplicitLocOpBuilder &b;
  ExtractRange extract;
  bool outerValuesKnown;
  Region *region = nullptr;
  /// False at run time where an outer value exceeds its trusted range.
  Value valid = boolean(true);
  DenseMap<Value, Interval> ranges;
  DenseMap<Value, Truth> truths;
};
} // namespace

BlockClass mixir::forms::attention::classifyBlock(ImplicitLocOpBuilder &b,
                                                  Region &mask,
                                                  ArrayRef<Interval> args,
                                                  ExtractRange extract,
                                                  bool outerValuesKnown) {
  if (mask.empty()) {
    Value yes = arith::ConstantOp::create(b, b.getBoolAttr(true));
    return {yes, yes};
  }
  return Interpreter(b, extract, outerValuesKnown).run(mask, args);
}

bool mixir::forms::attention::maskReadsData(Region &mask) {
  WalkResult result = mask.walk([&](Operation *op) {
    if (isa<tensor::ExtractOp>(op))
      return WalkResult::interrupt();
    for (Value operand : op->getOperands())
      if (!mask.isAncestor(operand.getParentRegion()) &&
          !matchPattern(operand, m_Constant()))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

SmallVector<MaskSummary>
mixir::forms::attention::maskSummaries(Region &mask) {
  SmallVector<MaskSummary> summaries;
  if (mask.empty())
    return summaries;
  Block &block = mask.front();
  mask.walk([&](tensor::ExtractOp e) {
    if (!e.getType().isInteger() || e.getType().isInteger(1))
      return;
    std::optional<MaskSummary> found;
    for (auto [position, index] : llvm::enumerate(e.getIndices())) {
      auto arg = dyn_cast<BlockArgument>(index);
      bool isToken = arg && arg.getOwner() == &block && arg.getArgNumber() >= 2;
      bool isFixed = (arg && arg.getOwner() == &block) ||
                     matchPattern(index, m_Constant());
      if (isToken && !found)
        found = MaskSummary{e, static_cast<unsigned>(position),
                            arg.getArgNumber() == 2};
      else if (isToken || !isFixed)
        return; // two token indices, or one computed: not summarised
    }
    if (found)
      summaries.push_back(*found);
  });
  return summaries;
}
