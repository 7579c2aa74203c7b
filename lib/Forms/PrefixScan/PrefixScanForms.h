//===- PrefixScanForms.h - the forms of mixer.prefix_scan ---------*- C++ -*-===//
//
//   scan           ScanForms.cpp   per batch element, the steps in order
//   parallel_scan  ScanForms.cpp   chunks of the sequence per idle worker
// FormModel.cpp attaches them (and their cost) to the op as its
// MixerFormInterface.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FORMS_PREFIXSCAN_PREFIXSCANFORMS_H
#define MIXIR_LIB_FORMS_PREFIXSCAN_PREFIXSCANFORMS_H

#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mixir::forms::prefix_scan {

/// Replaces the op by its scan form.
void lowerScan(mlir::RewriterBase &rewriter, mixer::PrefixScanOp op);

/// Replaces the op by its parallel_scan form, whose chunks are at least
/// `minChunk` steps.
void lowerParallelScan(mlir::RewriterBase &rewriter, mixer::PrefixScanOp op,
                       int64_t minChunk);

} // namespace mixir::forms::prefix_scan

#endif // MIXIR_LIB_FORMS_PREFIXSCAN_PREFIXSCANFORMS_H
