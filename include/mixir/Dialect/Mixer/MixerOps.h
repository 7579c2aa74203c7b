//===- MixerOps.h - mixer operations and attributes -------------*- C++ -*-===//
#ifndef MIXIR_DIALECT_MIXER_MIXEROPS_H
#define MIXIR_DIALECT_MIXER_MIXEROPS_H

#include "mixir/Dialect/Mixer/MixerDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mixir::mixer {
/// The decay of a semiseparable mixer's transition, read off its gate's
/// shape.
enum class GateKind {
  None,    ///< no gate: no decay (linear attention, DeltaNet)
  Head,    ///< [H]: constant log decay per head (RetNet)
  Token,   ///< [B,T,H]: scalar log decay per token and head (Mamba-2, SSD)
  Channel, ///< [B,T,H,K]: log decay per token, head and key channel (GLA)
};

/// The tiled forms of `mixer.semiseparable` (the scan is kScanForm).
inline constexpr llvm::StringLiteral kChunkedForm = "chunked";
inline constexpr llvm::StringLiteral kQuadraticForm = "quadratic";
/// The form of a linear recurrence that also splits the sequence across
/// workers (chunk reductions, a scan of their carries, a fix-up scan).
inline constexpr llvm::StringLiteral kParallelScanForm = "parallel_scan";

/// The transition A_t of a semiseparable mixer (docs/math.md, section 1).
enum class TransitionKind {
  Diagonal, ///< diag(exp(g_t))
  Delta,    ///< (I − β_t k_t k_tᵀ) diag(exp(g_t)): `delta_rule`
  LowRank,  ///< diag(exp(g_t)) + a_t b_tᵀ: `low_rank(a, b)`
};
} // namespace mixir::mixer

#define GET_ATTRDEF_CLASSES
#include "mixer/MixerAttrs.h.inc"

#include "mixir/Dialect/Mixer/MixerInterfaces.h"

#define GET_OP_CLASSES
#include "mixer/MixerOps.h.inc"

#endif // MIXIR_DIALECT_MIXER_MIXEROPS_H
