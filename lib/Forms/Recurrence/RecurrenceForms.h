//===- RecurrenceForms.h - the forms of mixer.recurrence ---------*- C++ -*-===//
//
//   scan   ScanForm.cpp   per batch element, the steps in order
// FormModel.cpp attaches them (and their cost) to the op as its
// MixerFormInterface.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FORMS_RECURRENCE_RECURRENCEFORMS_H
#define MIXIR_LIB_FORMS_RECURRENCE_RECURRENCEFORMS_H

#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mixir::forms::recurrence {

/// Replaces the op by its scan form.
void lowerScan(mlir::RewriterBase &rewriter, mixer::RecurrenceOp op);

} // namespace mixir::forms::recurrence

#endif // MIXIR_LIB_FORMS_RECURRENCE_RECURRENCEFORMS_H
