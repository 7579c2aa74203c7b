//===- ChannelInvariants.h - hoist per-channel work out of a [B,T,d...] generic ===//
//
// A generic over [B, T, d...] that reads per-channel tensors ([d...],
// broadcast over B and T) recomputes whatever depends on those alone at
// every (b, t). hoistChannelInvariants moves that work into a generic over
// [d...], computed once per channel (RG-LRU's log σ(Λ), LRU's λ and γ).
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_TRANSFORMS_CHANNELINVARIANTS_H
#define MIXIR_LIB_TRANSFORMS_CHANNELINVARIANTS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mixir {

/// Splits `generic` (loops [B, T, d...], all parallel, inputs read through
/// the identity or the channel map (b, t, d...) -> (d...), outputs through
/// the identity, none of them read) in two: a generic over [d...] computing
/// the body's channel-invariant values that the rest uses, and a generic
/// over [B, T, d...] reading them as channel tensors. Returns what replaces
/// each result: the [B, T, d...] result of the second generic, or, where
/// `mayShrink[i]` and every result that may shrink yields a
/// channel-invariant value (a complex decay's parts shrink together), its
/// [d...] tensor. Erases `generic` when anything was hoisted; else returns its
/// results.
llvm::SmallVector<mlir::Value>
hoistChannelInvariants(mlir::OpBuilder &b, mlir::linalg::GenericOp generic,
                       llvm::ArrayRef<bool> mayShrink);

} // namespace mixir

#endif // MIXIR_LIB_TRANSFORMS_CHANNELINVARIANTS_H
