//===- RaiseToPrefixScan.cpp - softmax-weighted running sums → prefix scan
//-===//
//
// docs/math.md, section 4.5. A state m whose new value is max(m, s), s
// independent of the states, is a running maximum. Every other state u is
// evaluated, at its element, as a sum of terms
//   scale · [u] · Π g / Π d · exp(Σ c·σ)
// whose symbols σ are the previous and new values of the running maxima
// (read through the broadcasts the body applies: one projection per
// maximum) and independent values; the rules are those of +, −, ×, ÷,
// exp, fma and broadcasts. u is a sum rescaled to the maximum m when the
// sum is exactly
//   u·exp(m − m') + Σ g·exp(s − m')      (g independent).
// Then (m, u)' = (m, u) ⊕ (s, Σ g) with
//   (m_a, u_a) ⊕ (m_b, u_b) = (max(m_a, m_b),
//                              u_a·exp(m_a − m) + u_b·exp(m_b − m)),
// which is associative; the recurrence becomes a mixer.prefix_scan whose
// element region computes (s, Σ g), whose combine region is that ⊕, and
// whose read region computes the outputs from the new states.
//
//===----------------------------------------------------------------------===//
#include "RaiseToPrefixScan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::mixer;

namespace {
/// A symbol of an exponent: the previous or new value of running maximum
/// `state`, or an independent `value` read through `at`.
struct Symbol {
  enum Kind { OldMax, NewMax, Leaf } kind;
  unsigned state = 0;
  Value value;
  AffineMap at;
  bool operator==(const Symbol &o) const {
    return kind == o.kind && state == o.state && value == o.value && at == o.at;
  }
};

/// Σ c·σ + constant.
struct Exponent {
  SmallVector<std::pair<Symbol, double>> terms;
  double constant = 0;

  void add(const Symbol &s, double c) {
    for (auto &t : terms)
      if (t.first == s) {
        t.second += c;
        return;
      }
    terms.push_back({s, c});
  }
  void add(const Exponent &e, double sign) {
    for (auto &[s, c] : e.terms)
      add(s, sign * c);
    constant += sign * e.constant;
  }
  /// Whether it is exactly Σ want (no constant).
  bool is(ArrayRef<std::pair<Symbol, double>> want) const {
    if (constant != 0)
      return false;
    unsigned nonZero = 0;
    for (auto &[s, c] : terms) {
      if (c == 0)
        continue;
      ++nonZero;
      if (!llvm::any_of(want,
                        [&](auto &w) { return w.first == s && w.second == c; }))
        return false;
    }
    return nonZero == want.size();
  }
};

/// scale · [h] · Π factors / Π divisors · [symbol] · exp(exponent), the
/// factors and divisors independent values read through projections.
struct Term {
  double scale = 1;
  bool state = false;
  SmallVector<std::pair<Value, AffineMap>> factors, divisors;
  std::optional<Symbol> symbol;
  Exponent exponent;
};
using Sum = SmallVector<Term, 2>;

constexpr unsigned kMaxTerms = 16;

/// A splat constant tensor (or a fill with a constant) as a double.
std::optional<double> splatOf(Value v) {
  DenseFPElementsAttr dense;
  if (matchPattern(v, m_Constant(&dense)) && dense.isSplat())
    return dense.getSplatValue<APFloat>().convertToDouble();
  if (auto fill = v.getDefiningOp<linalg::FillOp>()) {
    FloatAttr c;
    if (fill.hasPureTensorSemantics() &&
        matchPattern(fill.getInputs()[0], m_Constant(&c)))
      return c.getValueAsDouble();
  }
  return std::nullopt;
}

/// Where the input of a broadcast op producing `v` is read when `v` is
/// read through `at`, or null when `v` is not a broadcast.
std::pair<Value, AffineMap> broadcastSource(Value v, AffineMap at) {
  if (auto bcast = v.getDefiningOp<linalg::BroadcastOp>()) {
    const unsigned rank = bcast.getInit().getType().getRank();
    SmallVector<AffineExpr> kept;
    for (unsigned d = 0; d < rank; ++d)
      if (!llvm::is_contained(bcast.getDimensions(), d))
        kept.push_back(getAffineDimExpr(d, v.getContext()));
    return {bcast.getInput(),
            AffineMap::get(rank, 0, kept, v.getContext()).compose(at)};
  }
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic || !generic.hasPureTensorSemantics() ||
      generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return {};
  OpOperand *in = generic.getDpsInputOperand(0);
  AffineMap outMap =
      generic.getMatchingIndexingMap(generic.getDpsInitOperand(0));
  Block *body = generic.getBody();
  if (!outMap.isPermutation() ||
      !generic.getMatchingIndexingMap(in).isProjectedPermutation() ||
      body->getTerminator()->getOperand(0) != body->getArgument(0))
    return {};
  return {in->get(), generic.getMatchingIndexingMap(in)
                         .compose(inversePermutation(outMap))
                         .compose(at)};
}

/// Evaluates values of the body at the element of one state as Sums.
class SumEvaluator {
public:
  SumEvaluator(RecurrenceOp op, const StateDependence &deps,
               ArrayRef<Value> scores, unsigned state)
      : op(op), deps(deps), scores(scores), state(state) {
    identity = AffineMap::getMultiDimIdentityMap(
        cast<RankedTensorType>(body().getArgument(state).getType()).getRank(),
        op.getContext());
  }

  FailureOr<Sum> eval(Value v) { return eval(v, identity); }

  /// The projection of running maximum `k`'s element from this state's.
  DenseMap<unsigned, AffineMap> projections;
  Operation *blocker = nullptr;
  std::string reason;

private:
  Block &body() { return op.getBody().front(); }

  FailureOr<Sum> fail(Operation *at, std::string why) {
    if (!blocker && reason.empty()) {
      blocker = at;
      reason = std::move(why);
    }
    return failure();
  }

  /// Running maximum k read through `at`: the projection must be the same
  /// at every read.
  LogicalResult project(unsigned k, AffineMap at, Operation *user) {
    auto [it, inserted] = projections.try_emplace(k, at);
    if (!inserted && it->second != at)
      return fail(user, "the running maximum " + std::to_string(k) +
                            " is read at two different elements");
    return success();
  }

  Sum symbol(Symbol::Kind kind, unsigned k) {
    Term t;
    t.symbol = Symbol{kind, k, Value(), AffineMap()};
    return {t};
  }

  FailureOr<Sum> eval(Value v, AffineMap at) {
    Operation *def = v.getDefiningOp();
    Operation *yield = op.getYield();
    if (std::optional<double> c = splatOf(v)) {
      Term t;
      t.scale = *c;
      return Sum{t};
    }
    if (auto arg = dyn_cast<BlockArgument>(v);
        arg && arg.getOwner() == &body()) {
      unsigned i = arg.getArgNumber();
      if (i == state) {
        if (at != identity)
          return fail(nullptr, "state " + std::to_string(state) +
                                   " is read at another element than its own");
        Term t;
        t.state = true;
        return Sum{t};
      }
      if (i < op.getNumStates()) {
        if (!scores[i])
          return fail(nullptr,
                      "the new value of state " + std::to_string(state) +
                          " reads state " + std::to_string(i) +
                          ", which is neither itself nor a running maximum");
        if (failed(project(i, at, nullptr)))
          return failure();
        return symbol(Symbol::OldMax, i);
      }
    }
    for (unsigned k = 0; k < op.getNumStates(); ++k)
      if (scores[k] && v == yield->getOperand(k)) {
        if (failed(project(k, at, def)))
          return failure();
        return symbol(Symbol::NewMax, k);
      }
    // An independent value is one factor; a product or quotient of
    // independent values other than a score is first taken apart, so that
    // an exp(s) in it shows its exponent (g·exp(s) / exp(m')).
    if (deps.get(v).kind == Dependence::Independent) {
      // A broadcast of a score is that score, read through the broadcast.
      if (auto [source, sourceAt] = broadcastSource(v, at);
          source && llvm::is_contained(scores, source))
        return eval(source, sourceAt);
      if (!llvm::is_contained(scores, v) && def && def->getBlock() == &body() &&
          isa<arith::MulFOp, arith::DivFOp, arith::NegFOp, math::ExpOp>(def)) {
        Operation *savedBlocker = blocker;
        std::string savedReason = reason;
        FailureOr<Sum> parts = evalOp(def, at);
        if (succeeded(parts))
          return parts;
        blocker = savedBlocker;
        reason = savedReason;
      }
      Term t;
      t.factors.push_back({v, at});
      return Sum{t};
    }
    if (auto [source, sourceAt] = broadcastSource(v, at); source)
      return eval(source, sourceAt);
    if (!def || def->getBlock() != &body())
      return fail(def, "not a sum of rescaled terms");
    return evalOp(def, at);
  }

  /// The rules of the ops a Sum is built with.
  FailureOr<Sum> evalOp(Operation *def, AffineMap at) {
    if (auto add = dyn_cast<arith::AddFOp>(def))
      return combine(eval(add.getLhs(), at), eval(add.getRhs(), at), 1.0, def);
    if (auto sub = dyn_cast<arith::SubFOp>(def))
      return combine(eval(sub.getLhs(), at), eval(sub.getRhs(), at), -1.0, def);
    if (auto neg = dyn_cast<arith::NegFOp>(def)) {
      FailureOr<Sum> x = eval(neg.getOperand(), at);
      if (failed(x))
        return failure();
      for (Term &t : *x)
        t.scale = -t.scale;
      return x;
    }
    if (auto mul = dyn_cast<arith::MulFOp>(def))
      return multiply(eval(mul.getLhs(), at), eval(mul.getRhs(), at), def);
    if (auto fma = dyn_cast<math::FmaOp>(def))
      return combine(multiply(eval(fma.getA(), at), eval(fma.getB(), at), def),
                     eval(fma.getC(), at), 1.0, def);
    if (auto div = dyn_cast<arith::DivFOp>(def)) {
      FailureOr<Sum> den = eval(div.getRhs(), at);
      if (failed(den))
        return failure();
      if (den->size() != 1 || (*den)[0].state || (*den)[0].symbol ||
          (*den)[0].scale == 0)
        return fail(def, "a division by a value that depends on the state");
      Term inv = (*den)[0];
      inv.scale = 1.0 / inv.scale;
      std::swap(inv.factors, inv.divisors);
      Exponent negated;
      negated.add(inv.exponent, -1.0);
      inv.exponent = negated;
      return multiply(eval(div.getLhs(), at), Sum{inv}, def);
    }
    if (auto exp = dyn_cast<math::ExpOp>(def)) {
      FailureOr<Sum> x = eval(exp.getOperand(), at);
      if (failed(x))
        return failure();
      Term t;
      for (Term &u : *x) {
        if (u.state || !u.divisors.empty() || !u.exponent.terms.empty() ||
            u.exponent.constant != 0 ||
            (u.symbol ? 1 : 0) + u.factors.size() > 1)
          return fail(def, "exp of a value that is not a sum of scores and "
                           "running maxima");
        if (u.symbol)
          t.exponent.add(*u.symbol, u.scale);
        else if (!u.factors.empty())
          t.exponent.add(
              Symbol{Symbol::Leaf, 0, u.factors[0].first, u.factors[0].second},
              u.scale);
        else
          t.exponent.constant += u.scale;
      }
      return Sum{t};
    }
    return fail(def, "not a sum of rescaled terms (+, −, ×, ÷, exp and "
                     "broadcasts of the state, running maxima and inputs)");
  }

  FailureOr<Sum> combine(FailureOr<Sum> x, FailureOr<Sum> y, double sign,
                         Operation *at) {
    if (failed(x) || failed(y))
      return failure();
    Sum sum = *x;
    for (Term t : *y) {
      t.scale *= sign;
      sum.push_back(std::move(t));
    }
    if (sum.size() > kMaxTerms)
      return fail(at, "too many terms");
    return sum;
  }

  FailureOr<Sum> multiply(FailureOr<Sum> x, FailureOr<Sum> y, Operation *at) {
    if (failed(x) || failed(y))
      return failure();
    Sum product;
    for (const Term &a : *x)
      for (const Term &c : *y) {
        if (a.state && c.state)
          return fail(at, "a product of the state with itself");
        if (a.symbol && c.symbol)
          return fail(at, "a product of two running maxima");
        Term t = a;
        t.scale *= c.scale;
        t.state |= c.state;
        if (c.symbol)
          t.symbol = c.symbol;
        llvm::append_range(t.factors, c.factors);
        llvm::append_range(t.divisors, c.divisors);
        t.exponent.add(c.exponent, 1.0);
        product.push_back(std::move(t));
      }
    if (product.size() > kMaxTerms)
      return fail(at, "too many terms");
    return product;
  }

  RecurrenceOp op;
  const StateDependence &deps;
  ArrayRef<Value> scores;
  unsigned state;
  AffineMap identity;
};

/// A state u proven a sum rescaled to running maximum `max`, read at its
/// element through `at`: u' = u·exp(m − m') + Σ terms.
struct RescaledSum {
  unsigned max;
  AffineMap at;
  Sum terms;
};

/// The value `v` of the body, its ops cloned at `b` through `mapping`
/// (the body's arguments it reads must be mapped).
Value cloneInto(OpBuilder &b, Value v, IRMapping &mapping, Block &body) {
  if (Value mapped = mapping.lookupOrNull(v))
    return mapped;
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != &body)
    return v;
  for (Value operand : def->getOperands())
    cloneInto(b, operand, mapping, body);
  visitUsedValuesDefinedAbove(def->getRegions(), [&](OpOperand *use) {
    cloneInto(b, use->get(), mapping, body);
  });
  b.clone(*def, mapping);
  return mapping.lookup(v);
}

/// `x` (f32 tensor) read through `at` at every element of `type`: itself,
/// or a broadcast.
Value broadcastTo(ImplicitLocOpBuilder &b, Value x, AffineMap at,
                  RankedTensorType type) {
  if (at.isIdentity() && x.getType() == type)
    return x;
  Value init =
      tensor::EmptyOp::create(b, type.getShape(), type.getElementType());
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  return linalg::GenericOp::create(
             b, TypeRange{type}, ValueRange{x}, ValueRange{init},
             ArrayRef<AffineMap>{at, id},
             SmallVector<utils::IteratorType>(type.getRank(),
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location loc, ValueRange args) {
               linalg::YieldOp::create(nb, loc, args[0]);
             })
      ->getResult(0);
}

Value splat(ImplicitLocOpBuilder &b, RankedTensorType type, double v) {
  return arith::ConstantOp::create(
      b, DenseElementsAttr::get(type, b.getF32FloatAttr(v)));
}

/// The first old state `v` reads other than through the new states, if
/// any (an output must be a function of the new states and inputs).
std::optional<unsigned> readsOldState(Value v, Block &body,
                                      const DenseSet<Value> &newStates,
                                      unsigned numStates,
                                      DenseSet<Value> &seen) {
  if (newStates.contains(v) || !seen.insert(v).second)
    return std::nullopt;
  if (auto arg = dyn_cast<BlockArgument>(v); arg && arg.getOwner() == &body)
    return arg.getArgNumber() < numStates
               ? std::optional<unsigned>(arg.getArgNumber())
               : std::nullopt;
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != &body)
    return std::nullopt;
  SmallVector<Value> operands(def->getOperands());
  visitUsedValuesDefinedAbove(def->getRegions(), [&](OpOperand *use) {
    operands.push_back(use->get());
  });
  for (Value operand : operands)
    if (auto s = readsOldState(operand, body, newStates, numStates, seen))
      return s;
  return std::nullopt;
}
} // namespace

LogicalResult mixir::raiseToPrefixScan(RecurrenceOp op,
                                       const StateDependence &deps,
                                       bool &recognised, Dependence &why,
                                       std::string &found) {
  recognised = false;
  Block &body = op.getBody().front();
  Operation *yield = op.getYield();
  const unsigned numStates = op.getNumStates(), numOutputs = op.getNumOutputs();
  // Running maxima: m' = max(m, s), s independent.
  SmallVector<Value> scores(numStates);
  for (unsigned s = 0; s < numStates; ++s) {
    Operation *def = yield->getOperand(s).getDefiningOp();
    if (!def || !isa<arith::MaximumFOp, arith::MaxNumFOp>(def))
      continue;
    Value m = body.getArgument(s);
    Value lhs = def->getOperand(0), rhs = def->getOperand(1);
    Value score = lhs == m ? rhs : rhs == m ? lhs : Value();
    if (score && score.getType() == m.getType() &&
        deps.get(score).kind == Dependence::Independent)
      scores[s] = score;
  }
  if (llvm::all_of(scores, [](Value s) { return !s; }))
    return failure();
  recognised = true;

  // Every other state: a sum rescaled to one running maximum.
  SmallVector<std::optional<RescaledSum>, 2> sums(numStates);
  for (unsigned s = 0; s < numStates; ++s) {
    if (scores[s])
      continue;
    SumEvaluator evaluator(op, deps, scores, s);
    FailureOr<Sum> sum = evaluator.eval(yield->getOperand(s));
    auto refuse = [&](Operation *at, const std::string &reason) {
      why = Dependence::blocked(at, "new state " + std::to_string(s) +
                                        " is not a sum rescaled to a "
                                        "running maximum: " +
                                        reason);
      return failure();
    };
    if (failed(sum))
      return refuse(evaluator.blocker, evaluator.reason);
    RescaledSum rescaled;
    unsigned kept = 0;
    for (const Term &t : *sum) {
      if (!t.state)
        continue;
      ++kept;
      std::optional<unsigned> k;
      for (auto &[sym, c] : t.exponent.terms)
        if (sym.kind == Symbol::OldMax)
          k = sym.state;
      if (!k || t.scale != 1 || t.symbol || !t.factors.empty() ||
          !t.divisors.empty() ||
          !t.exponent.is({{Symbol{Symbol::OldMax, *k, {}, {}}, 1.0},
                          {Symbol{Symbol::NewMax, *k, {}, {}}, -1.0}}))
        return refuse(nullptr, "its previous value is not kept as u·exp(m − "
                               "m'), m' = max(m, s) a running maximum");
      rescaled.max = *k;
      rescaled.at = evaluator.projections.lookup(*k);
    }
    if (kept != 1)
      return refuse(nullptr, kept ? "it keeps its previous value in more "
                                    "than one term"
                                  : "it does not keep its previous value");
    Symbol score{Symbol::Leaf, 0, scores[rescaled.max], rescaled.at};
    for (const Term &t : *sum) {
      if (t.state)
        continue;
      if (t.symbol ||
          !t.exponent.is(
              {{score, 1.0},
               {Symbol{Symbol::NewMax, rescaled.max, {}, {}}, -1.0}}))
        return refuse(nullptr, "a term without the state is not g·exp(s − "
                               "m'), s the score of its running maximum");
      rescaled.terms.push_back(t);
    }
    sums[s] = std::move(rescaled);
  }

  // The outputs: functions of the new states and the inputs; the final
  // states are not results of a prefix scan.
  DenseSet<Value> newStates;
  for (unsigned s = 0; s < numStates; ++s)
    newStates.insert(yield->getOperand(s));
  for (unsigned o = 0; o < numOutputs; ++o) {
    DenseSet<Value> seen;
    if (auto s = readsOldState(yield->getOperand(numStates + o), body,
                               newStates, numStates, seen)) {
      why = Dependence::blocked(
          nullptr, "output " + std::to_string(o) +
                       " reads the previous "
                       "value of state " +
                       std::to_string(*s) +
                       "; a prefix scan reads its outputs from the new states");
      return failure();
    }
  }
  for (unsigned s = 0; s < numStates; ++s)
    if (!op.getResult(numOutputs + s).use_empty()) {
      why = Dependence::blocked(nullptr,
                                "its final state " + std::to_string(s) +
                                    " is used; a prefix scan returns only "
                                    "its outputs");
      return failure();
    }

  // Build the prefix scan.
  OpBuilder builder(op);
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  Type f32 = b.getF32Type();
  SmallVector<RankedTensorType> stateTypes;
  for (unsigned s = 0; s < numStates; ++s)
    stateTypes.push_back(cast<RankedTensorType>(body.getArgument(s).getType()));
  SmallVector<Value> inits(op.getInits());
  if (inits.empty()) {
    // The recurrence starts from zero.
    Value B = tensor::DimOp::create(b, op.getInputs().front(), 0);
    Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0));
    for (RankedTensorType type : stateTypes) {
      SmallVector<OpFoldResult> sizes{B};
      for (int64_t d : type.getShape())
        sizes.push_back(b.getIndexAttr(d));
      Value empty = tensor::EmptyOp::create(b, sizes, f32);
      inits.push_back(
          linalg::FillOp::create(b, ValueRange{zero}, ValueRange{empty})
              .getResult(0));
    }
  }
  SmallVector<Type> resultTypes(
      TypeRange(op.getResultTypes()).take_front(numOutputs));
  auto scan = PrefixScanOp::create(b, resultTypes, op.getInputs(), inits,
                                   op.getFormAttr());
  SmallVector<Type> stepTypes, stepTypesTwice;
  SmallVector<Location> stepLocs;
  for (unsigned i = 0; i < op.getInputs().size(); ++i) {
    stepTypes.push_back(body.getArgument(numStates + i).getType());
    stepLocs.push_back(op.getLoc());
  }
  SmallVector<Type> stateTypeList(stateTypes.begin(), stateTypes.end());
  auto newBlock = [&](Region &region, ArrayRef<Type> types) -> Block * {
    SmallVector<Location> locs(types.size(), op.getLoc());
    Block *block = b.createBlock(&region, {}, types, locs);
    b.setInsertionPointToStart(block);
    return block;
  };

  // element: (s, Σ scale·Π g / Π d) per state.
  Block *element = newBlock(scan.getElement(), stepTypes);
  IRMapping fromSteps;
  for (unsigned i = 0; i < stepTypes.size(); ++i)
    fromSteps.map(body.getArgument(numStates + i), element->getArgument(i));
  SmallVector<Value> elements;
  for (unsigned s = 0; s < numStates; ++s) {
    if (scores[s]) {
      elements.push_back(cloneInto(b, scores[s], fromSteps, body));
      continue;
    }
    Value total;
    for (const Term &t : sums[s]->terms) {
      Value x;
      if (t.scale != 1.0 || t.factors.empty())
        x = splat(b, stateTypes[s], t.scale);
      for (auto &[v, at] : t.factors) {
        Value f =
            broadcastTo(b, cloneInto(b, v, fromSteps, body), at, stateTypes[s]);
        x = x ? arith::MulFOp::create(b, x, f).getResult() : f;
      }
      for (auto &[v, at] : t.divisors)
        x = arith::DivFOp::create(b, x,
                                  broadcastTo(b,
                                              cloneInto(b, v, fromSteps, body),
                                              at, stateTypes[s]));
      total = total ? arith::AddFOp::create(b, total, x).getResult() : x;
    }
    elements.push_back(total ? total : splat(b, stateTypes[s], 0.0));
  }
  YieldOp::create(b, elements);

  // combine: running maxima, then the sums rescaled to them.
  SmallVector<Type> twoStates(stateTypeList);
  twoStates.append(stateTypeList);
  Block *combine = newBlock(scan.getCombine(), twoStates);
  SmallVector<Value> combined(numStates);
  DenseMap<unsigned, std::pair<Value, Value>> weights;
  for (unsigned k = 0; k < numStates; ++k) {
    if (!scores[k])
      continue;
    Value ma = combine->getArgument(k),
          mb = combine->getArgument(numStates + k);
    Value m = arith::MaximumFOp::create(b, ma, mb);
    combined[k] = m;
    weights[k] = {math::ExpOp::create(b, arith::SubFOp::create(b, ma, m)),
                  math::ExpOp::create(b, arith::SubFOp::create(b, mb, m))};
  }
  for (unsigned s = 0; s < numStates; ++s) {
    if (scores[s])
      continue;
    auto [wa, wb] = weights[sums[s]->max];
    Value a =
        arith::MulFOp::create(b, combine->getArgument(s),
                              broadcastTo(b, wa, sums[s]->at, stateTypes[s]));
    Value c =
        arith::MulFOp::create(b, combine->getArgument(numStates + s),
                              broadcastTo(b, wb, sums[s]->at, stateTypes[s]));
    combined[s] = arith::AddFOp::create(b, a, c);
  }
  YieldOp::create(b, combined);

  // read: the outputs from the new states and the steps.
  SmallVector<Type> readTypes(stateTypeList);
  readTypes.append(stepTypes);
  Block *read = newBlock(scan.getRead(), readTypes);
  IRMapping fromState;
  for (unsigned s = 0; s < numStates; ++s)
    fromState.map(yield->getOperand(s), read->getArgument(s));
  for (unsigned i = 0; i < stepTypes.size(); ++i)
    fromState.map(body.getArgument(numStates + i),
                  read->getArgument(numStates + i));
  SmallVector<Value> outputs;
  for (unsigned o = 0; o < numOutputs; ++o)
    outputs.push_back(
        cloneInto(b, yield->getOperand(numStates + o), fromState, body));
  YieldOp::create(b, outputs);

  // What was found: "state 0 a running maximum; states 1, 2 sums
  // rescaled to it", the plurals by count.
  SmallVector<unsigned> maxima, rescaled;
  for (unsigned s = 0; s < numStates; ++s)
    (scores[s] ? maxima : rescaled).push_back(s);
  auto states = [](ArrayRef<unsigned> list) {
    std::string text = list.size() > 1 ? "states " : "state ";
    llvm::raw_string_ostream os(text);
    llvm::interleaveComma(list, os);
    return text;
  };
  const bool manyMaxima = maxima.size() > 1;
  found = states(maxima) +
          (manyMaxima ? " running maxima" : " a running maximum") +
          " (m = max(m, s))";
  if (!rescaled.empty())
    found += "; " + states(rescaled) +
             (rescaled.size() > 1 ? " sums" : " a sum") + " rescaled to " +
             (manyMaxima ? "them" : "it") +
             " (u = u·exp(m − m') + g·exp(s − m'))";
  found += ": h = h ⊕ (s, g), an associative combine";

  for (unsigned o = 0; o < numOutputs; ++o)
    op.getResult(o).replaceAllUsesWith(scan.getResult(o));
  op->erase();
  return success();
}
