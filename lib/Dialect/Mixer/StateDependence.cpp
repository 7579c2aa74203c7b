//===- StateDependence.cpp - how a recurrence body depends on its state -----===//
//
// One forward walk over the body (docs/math.md, section 4.2). The rules
// are those of affine arithmetic: a sum or difference of affine values is
// affine (in the union of their states); a product is affine when at most
// one factor depends on the states, a quotient when the divisor does not; a
// select is affine when its condition does not depend on the states. Every
// other operation of a state-dependent value is a blocker.
//
//===----------------------------------------------------------------------===//
#include "mixir/Dialect/Mixer/StateDependence.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mixir::mixer;

Dependence Dependence::blocked(Operation *blocker, std::string reason) {
  Dependence d;
  d.kind = Other;
  d.blocker = blocker;
  d.reason = std::move(reason);
  return d;
}

namespace {
Dependence affine(uint64_t states) {
  Dependence d;
  d.kind = Dependence::Affine;
  d.states = states;
  return d;
}
} // namespace

Dependence mixir::mixer::dependenceOf(
    Operation &inner, function_ref<const Dependence &(Value)> get) {
  // The operands that depend on a state; an Other one propagates.
  SmallVector<const Dependence *> operands;
  const Dependence *propagated = nullptr;
  uint64_t states = 0;
  for (Value v : inner.getOperands()) {
    const Dependence &d = get(v);
    operands.push_back(&d);
    if (d.kind == Dependence::Other && !propagated)
      propagated = &d;
    if (d.kind == Dependence::Affine)
      states |= d.states;
  }
  auto dependent = [&](unsigned i) {
    return operands[i]->kind != Dependence::Independent;
  };
  std::string name = inner.getName().getStringRef().str();
  if (propagated)
    return *propagated;
  if (!states)
    return Dependence();
  if (isa<arith::AddFOp, arith::SubFOp, arith::NegFOp>(inner))
    return affine(states);
  if (isa<arith::MulFOp, math::FmaOp>(inner))
    // fma(u, w, z) = u·w + z: z may depend on the state like a summand.
    return dependent(0) && dependent(1)
               ? Dependence::blocked(&inner, name + " multiplies two values "
                                                    "that depend on the state")
               : affine(states);
  if (isa<arith::DivFOp>(inner))
    return dependent(1) ? Dependence::blocked(&inner, name + " divides by a "
                                                             "value that "
                                                             "depends on the "
                                                             "state")
                        : affine(states);
  if (isa<arith::SelectOp>(inner))
    return dependent(0)
               ? Dependence::blocked(&inner, name + " chooses on a condition "
                                                    "that depends on the state")
               : affine(states);
  return Dependence::blocked(&inner, name + " of a value that depends on the "
                                            "state is not an element-wise "
                                            "affine operation");
}

StateDependence::StateDependence(RecurrenceOp op, ArrayRef<Value> given)
    : op(op) {
  Block &body = op.getBody().front();
  if (op.getNumStates() > 64) {
    // One bit per state: beyond 64, every value is left unclassified.
    for (unsigned s = 0, e = op.getNumStates(); s < e; ++s)
      deps[body.getArgument(s)] =
          Dependence::blocked(op, "more than 64 states are not analysed");
    return;
  }
  for (unsigned s = 0, e = op.getNumStates(); s < e; ++s)
    deps[body.getArgument(s)] = affine(uint64_t(1) << s);
  auto lookup = [&](Value v) -> const Dependence & { return get(v); };
  for (Operation &inner : body.without_terminator()) {
    Dependence result = dependenceOf(inner, lookup);
    for (Value r : inner.getResults())
      if (!llvm::is_contained(given, r))
        deps[r] = result;
  }
}

const Dependence &StateDependence::get(Value v) const {
  auto it = deps.find(v);
  return it == deps.end() ? independent : it->second;
}

std::optional<unsigned> StateDependence::outputState(unsigned o) const {
  Operation *yield = op.getYield();
  Value out = yield->getOperand(op.getNumStates() + o);
  for (unsigned s = 0, e = op.getNumStates(); s < e; ++s)
    if (yield->getOperand(s) == out)
      return s;
  return std::nullopt;
}

SmallVector<SmallVector<unsigned, 2>> StateDependence::couplings() const {
  Operation *yield = op.getYield();
  const unsigned n = op.getNumStates();
  // Union-find over "new state s depends on state t".
  SmallVector<unsigned> leader(n);
  for (unsigned s = 0; s < n; ++s)
    leader[s] = s;
  auto find = [&](unsigned s) {
    while (leader[s] != s)
      s = leader[s] = leader[leader[s]];
    return s;
  };
  for (unsigned s = 0; s < n; ++s) {
    const Dependence &d = get(yield->getOperand(s));
    if (d.kind != Dependence::Affine)
      continue;
    for (unsigned t = 0; t < n; ++t)
      if (d.states >> t & 1)
        leader[find(s)] = find(t);
  }
  SmallVector<SmallVector<unsigned, 2>> groups;
  llvm::DenseMap<unsigned, unsigned> groupOf;
  for (unsigned s = 0; s < n; ++s) {
    auto [it, added] = groupOf.try_emplace(find(s), groups.size());
    if (added)
      groups.emplace_back();
    groups[it->second].push_back(s);
  }
  return groups;
}

bool StateDependence::isDiagonal(Dependence *why) const {
  Operation *yield = op.getYield();
  auto fail = [&](Dependence d) {
    if (why)
      *why = std::move(d);
    return false;
  };
  for (unsigned s = 0, e = op.getNumStates(); s < e; ++s) {
    const Dependence &d = get(yield->getOperand(s));
    if (d.kind == Dependence::Other)
      return fail(d);
  }
  for (const auto &group : couplings())
    if (group.size() > 2) {
      std::string names;
      for (unsigned s : group)
        names += (names.empty() ? "" : ", ") + std::to_string(s);
      return fail(Dependence::blocked(
          yield, "new states " + names +
                     " are coupled: only a pair of states (a complex "
                     "number's parts) may be mixed"));
    }
  for (unsigned o = 0, e = op.getNumOutputs(); o < e; ++o) {
    if (outputState(o))
      continue;
    Dependence d;
    if (!readsNewStates(yield->getOperand(op.getNumStates() + o), d))
      return fail(Dependence::blocked(
          d.blocker ? d.blocker : yield,
          "output " + std::to_string(o) + " is not one of the new states " +
              "or an element-wise function of them: " + d.reason));
  }
  return true;
}

bool StateDependence::readsNewStates(Value v, Dependence &why) const {
  if (get(v).kind == Dependence::Independent)
    return true;
  Operation *yield = op.getYield();
  for (unsigned s = 0, e = op.getNumStates(); s < e; ++s)
    if (yield->getOperand(s) == v)
      return true;
  Operation *def = v.getDefiningOp();
  if (!def) {
    why = Dependence::blocked(nullptr, "it reads the previous state");
    return false;
  }
  if (!OpTrait::hasElementwiseMappableTraits(def)) {
    why = Dependence::blocked(def, def->getName().getStringRef().str() +
                                       " is not element-wise");
    return false;
  }
  return llvm::all_of(def->getOperands(),
                      [&](Value operand) { return readsNewStates(operand, why); });
}

std::string mixir::mixer::describeBlocker(const Dependence &d) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (d.blocker) {
    os << "'" << d.blocker->getName() << "'";
    if (auto at = dyn_cast<FileLineColLoc>(d.blocker->getLoc()))
      os << " at " << at.getFilename().getValue() << ":" << at.getLine()
         << ":" << at.getColumn();
    os << ": ";
  }
  os << d.reason;
  return text;
}
