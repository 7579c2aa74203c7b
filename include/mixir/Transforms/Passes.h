//===- Passes.h - mixer transformation passes -------------------*- C++ -*-===//
#ifndef MIXIR_TRANSFORMS_PASSES_H
#define MIXIR_TRANSFORMS_PASSES_H

#include "mixir/Dialect/Mixer/MixerOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace mixir {

#define GEN_PASS_DECL
#include "mixir/Transforms/Passes.h.inc"

/// Every mixer op to the loops of its form (a conversion pattern asking the
/// op's MixerFormInterface).
void populateLowerFormsPatterns(mlir::RewritePatternSet &patterns);

/// Register tiles of `rows`×`cols` for matmul-shaped linalg.generic ops.
void populateVectorizeContractionsPatterns(mlir::RewritePatternSet &patterns,
                                           int64_t rows, int64_t cols);

/// memref.copy → linalg.copy.
void populateCopyToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateSinkDestinationsPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "mixir/Transforms/Passes.h.inc"

} // namespace mixir

#endif // MIXIR_TRANSFORMS_PASSES_H
