//===- CostModel.h - which form computes a mixer fastest --------*- C++ -*-===//
//
// A small analytic model (docs/cost-model.md): for each form, the work per
// (batch, head) in flops, weighted by how efficiently the CPU runs that kind
// of work. `mixer-select-form` picks the cheapest form for known sizes and,
// for a dynamic length, the length ranges in which each form is cheapest.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_TRANSFORMS_COSTMODEL_H
#define MIXIR_TRANSFORMS_COSTMODEL_H

#include "mixir/Dialect/Mixer/MixerOps.h"
#include "llvm/ADT/SmallVector.h"

namespace mixir {

/// The cost model's chunk length for the chunked form and block size for
/// the quadratic form.
int64_t defaultChunkSize(mixer::SemiseparableOp op);
int64_t defaultBlockSize(mixer::SemiseparableOp op);

/// Estimated cost (weighted flops per batch·head) of computing `op` with
/// `kind` over T tokens with the given tile (0 = default).
double estimateCost(mixer::SemiseparableOp op, mixer::FormKind kind,
                    int64_t T, int64_t tile = 0);

/// The cheapest form at length T.
mixer::FormKind chooseForm(mixer::SemiseparableOp op, int64_t T);

/// For a dynamic length: consecutive ranges [previous bound, bound) of T,
/// each with the cheapest form; the last range is unbounded (bound = -1).
struct FormRange {
  int64_t upperBound;
  mixer::FormKind kind;
};
llvm::SmallVector<FormRange> chooseFormRanges(mixer::SemiseparableOp op);

} // namespace mixir

#endif // MIXIR_TRANSFORMS_COSTMODEL_H
