//===- StepRegions.h - checks shared by ops that run a region per step -*- C++
//-*-===//
//
// mixer.recurrence and mixer.prefix_scan both take inputs [B, T, d...]
// whose regions see one step (tensor<d... x f32>), and both run their
// regions any number of times: these are the checks their verifiers share.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_DIALECT_MIXER_STEPREGIONS_H
#define MIXIR_LIB_DIALECT_MIXER_STEPREGIONS_H

#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"

#include "llvm/ADT/SmallVector.h"

namespace mixir::mixer::detail {

/// `type` without its first `drop` dimensions, as f32.
mlir::RankedTensorType stepType(mlir::RankedTensorType type, unsigned drop);

/// The roles of a [B, T, ...] tensor (`perStep`) or a [B, ...] one: B,
/// then T, and no role for the other dimensions.
TensorRoles batchedRoles(mlir::Value v, bool perStep);

/// Checks that every input is [B, T, d...] with static d... and appends
/// its step type, tensor<d... x f32>, to `steps`.
mlir::LogicalResult verifyStepInputs(mlir::Operation *op,
                                     mlir::ValueRange inputs,
                                     llvm::SmallVectorImpl<mlir::Type> &steps);

/// Checks that `region` holds no mixer op and nothing with side effects
/// but its `terminator`; `where` names it in the messages ("a
/// mixer.recurrence body").
mlir::LogicalResult verifyPureRegion(mlir::Region &region,
                                     mlir::Operation *terminator,
                                     llvm::StringRef where);

/// Checks that every value of `batched` has the same static size in
/// dimension 0 (B) and every value of `perStep` in dimension 1 (T), where
/// static.
mlir::LogicalResult verifySharedBatchAndLength(mlir::Operation *op,
                                               mlir::ValueRange batched,
                                               mlir::ValueRange perStep);

} // namespace mixir::mixer::detail

#endif // MIXIR_LIB_DIALECT_MIXER_STEPREGIONS_H
