//===- MixerOps.h - mixer operations and attributes -------------*- C++ -*-===//
#ifndef MIXIR_DIALECT_MIXER_MIXEROPS_H
#define MIXIR_DIALECT_MIXER_MIXEROPS_H

#include "mixir/Dialect/Mixer/MixerDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mixer/MixerEnums.h.inc"

namespace mixir::mixer {
/// The transition of a semiseparable mixer, read off its gate's shape.
enum class GateKind {
  None,    ///< no gate: A_t = I (linear attention)
  Head,    ///< [H]: constant log decay per head (RetNet)
  Token,   ///< [B,T,H]: scalar log decay per token and head (Mamba-2, SSD)
  Channel, ///< [B,T,H,K]: log decay per token, head and key channel (GLA)
};
} // namespace mixir::mixer

#define GET_ATTRDEF_CLASSES
#include "mixer/MixerAttrs.h.inc"

#define GET_OP_CLASSES
#include "mixer/MixerOps.h.inc"

#endif // MIXIR_DIALECT_MIXER_MIXEROPS_H
