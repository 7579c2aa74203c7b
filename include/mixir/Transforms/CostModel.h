//===- CostModel.h - which form computes a mixer fastest --------*- C++ -*-===//
//
// Form selection against the op interfaces (docs/forms-and-cost-model.md):
// every form an op has (MixerOpInterface::getForms) is costed by the op's
// structure class (MixerFormInterface::estimateCost); `mixer-select-form`
// picks the cheapest for a known length and, for a dynamic length, the
// length ranges in which each form is used.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_TRANSFORMS_COSTMODEL_H
#define MIXIR_TRANSFORMS_COSTMODEL_H

#include "mixir/Dialect/Mixer/MixerOps.h"
#include "llvm/ADT/SmallVector.h"

namespace mixir {

/// The cheapest form of `op` at length T (each form at its default tile).
llvm::StringRef chooseForm(mixer::MixerOpInterface op, int64_t T);

/// For a dynamic length: consecutive ranges [previous bound, bound) of T,
/// each with the form used there; the last range is unbounded (bound = -1).
struct FormRange {
  int64_t upperBound;
  llvm::StringRef form;
};
llvm::SmallVector<FormRange> chooseFormRanges(mixer::MixerOpInterface op);

} // namespace mixir

#endif // MIXIR_TRANSFORMS_COSTMODEL_H
