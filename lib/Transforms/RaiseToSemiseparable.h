//===- RaiseToSemiseparable.h - outer-product recurrences → semiseparable -*- C++ -*-===//
//
// docs/math.md, section 4.2: a recurrence on one matrix state updated by a
// per-key decay and an outer product and read out by a contraction over
// the key,
//   S_t = diag(α_t) S_{t−1} + k_t v_tᵀ,   o_t = S_tᵀ q_t (+ r_t),
// is the semiseparable mixer (GLA written as its recurrence; Mamba-1's
// selective scan, whose [D, N] state is one head per channel with a value
// of size 1, is refused on purpose), and so is the delta rule
//   S_t = S̃ + β_t k_t (v_t − S̃ᵀ k_t)ᵀ,  S̃ = diag(α_t) S_{t−1}
// (Gated DeltaNet written as its recurrence).
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_TRANSFORMS_RAISETOSEMISEPARABLE_H
#define MIXIR_LIB_TRANSFORMS_RAISETOSEMISEPARABLE_H

#include "mixir/Dialect/Mixer/StateDependence.h"

namespace mixir {

/// Replaces `op` by a mixer.semiseparable (and the element-wise ops that
/// compute its operands) when it is of that kind, setting `found` to what
/// was proven. Otherwise leaves it and returns failure; `recognised` says
/// whether it has the kind's shape (one matrix state, one output that
/// contracts the new state), and then `why` says what breaks it.
mlir::LogicalResult raiseToSemiseparable(mixer::RecurrenceOp op,
                                         const mixer::StateDependence &deps,
                                         bool &recognised,
                                         mixer::Dependence &why,
                                         std::string &found);

} // namespace mixir

#endif // MIXIR_LIB_TRANSFORMS_RAISETOSEMISEPARABLE_H
