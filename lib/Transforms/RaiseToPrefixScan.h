//===- RaiseToPrefixScan.h - softmax-weighted running sums → prefix scan -*- C++ -*-===//
//
// docs/math.md, section 4.5: a recurrence whose states are running maxima
// of independent scores and sums rescaled to them,
//   m' = max(m, s),   u' = u·exp(m − m') + g·exp(s − m'),
// is h' = h ⊕ e with the element e = (s, g) and an associative ⊕ (Aaren's
// attention as an RNN): a mixer.prefix_scan, whose parallel_scan form
// regroups the steps.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_TRANSFORMS_RAISETOPREFIXSCAN_H
#define MIXIR_LIB_TRANSFORMS_RAISETOPREFIXSCAN_H

#include "mixir/Dialect/Mixer/StateDependence.h"

namespace mixir {

/// Replaces `op` by a mixer.prefix_scan when it is of that kind, setting
/// `found` to what was proven. Otherwise leaves it and returns failure;
/// `recognised` says whether it has the kind's shape (a state that is a
/// running maximum of an independent score), and then `why` says what
/// breaks it.
mlir::LogicalResult raiseToPrefixScan(mixer::RecurrenceOp op,
                                      const mixer::StateDependence &deps,
                                      bool &recognised, mixer::Dependence &why,
                                      std::string &found);

} // namespace mixir

#endif // MIXIR_LIB_TRANSFORMS_RAISETOPREFIXSCAN_H
