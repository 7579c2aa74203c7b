//===- StateDependence.h - how a recurrence body depends on its state -*- C++ -*-===//
//
// docs/math.md, section 4.2: each value of a mixer.recurrence body is
// classified by how it depends on the states h_{t-1}:
//   - independent: computed from the step's inputs and outer values only;
//   - affine in states S: Σ_{s∈S} α_s ⊙ h_s + β element-wise, with the α_s
//     and β independent (built from +, −, negation, × and ÷ by independent
//     values, selects on independent conditions, fma);
//   - other: anything else (h·h, exp(h), x/h, a contraction of h), with
//     the operation that made it so.
// The analysis reads the IR only; mixer-raise-recurrences builds α and β
// from the same rules, and mixer.recurrence's diagnostics name the blocking
// operation from it.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_DIALECT_MIXER_STATEDEPENDENCE_H
#define MIXIR_DIALECT_MIXER_STATEDEPENDENCE_H

#include "mixir/Dialect/Mixer/MixerOps.h"

#include "llvm/ADT/DenseMap.h"

#include <string>

namespace mixir::mixer {

/// How one value depends on the states.
struct Dependence {
  enum Kind { Independent, Affine, Other };
  Kind kind = Independent;
  /// Affine: the states it is affine in, one bit each.
  uint64_t states = 0;
  /// Other: the operation that made it so, and why (e.g. "math.tanh of the
  /// state").
  mlir::Operation *blocker = nullptr;
  std::string reason;

  /// An Other dependence made so by `blocker` (may be null) for `reason`.
  static Dependence blocked(mlir::Operation *blocker, std::string reason);
};

/// The dependence of `inner`'s results, from those of its operands (`get`),
/// by the affine rules above. Also serves the scalar bodies
/// mixer-raise-recurrences builds (the rules do not look at shapes).
Dependence
dependenceOf(mlir::Operation &inner,
             llvm::function_ref<const Dependence &(mlir::Value)> get);

/// The classification of every value of a recurrence's body.
class StateDependence {
public:
  /// `given` values of the body are taken as independent, symbols for
  /// values the caller handles itself (the delta rule's prediction Sᵀk,
  /// docs/math.md section 4.2), whatever the ops computing them are.
  explicit StateDependence(RecurrenceOp op,
                           llvm::ArrayRef<mlir::Value> given = {});

  /// The dependence of a value used in the body (outer values are
  /// independent).
  const Dependence &get(mlir::Value v) const;

  /// Whether every new state is element-wise affine in the states, no
  /// more than two states are coupled (a pair may be a complex number's
  /// parts) and every output is a new state or an element-wise function of
  /// new states: the recurrence may be diagonal. Otherwise `why` says what
  /// blocks it.
  bool isDiagonal(Dependence *why = nullptr) const;

  /// The groups of coupled states (new state s depends on state t, or t on
  /// s): each state alone, or pairs, in order of their first state.
  llvm::SmallVector<llvm::SmallVector<unsigned, 2>> couplings() const;

  /// For output `o`: the state whose new value it is, if it is one.
  std::optional<unsigned> outputState(unsigned o) const;

  /// Whether `v` is computed element-wise from new states and independent
  /// values only (not from a previous state or an intermediate value);
  /// else `why` says what it reads.
  bool readsNewStates(mlir::Value v, Dependence &why) const;

private:
  mutable RecurrenceOp op;
  llvm::DenseMap<mlir::Value, Dependence> deps;
  Dependence independent;
};

/// A one-line description of a blocking dependence for diagnostics:
/// "'math.tanh' at LOC: tanh of the state".
std::string describeBlocker(const Dependence &d);

} // namespace mixir::mixer

#endif // MIXIR_DIALECT_MIXER_STATEDEPENDENCE_H
