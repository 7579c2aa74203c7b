//===- MixerDialect.h - the mixer dialect -----------------------*- C++ -*-===//
#ifndef MIXIR_DIALECT_MIXER_MIXERDIALECT_H
#define MIXIR_DIALECT_MIXER_MIXERDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/Operation.h"

#include "mixer/MixerDialect.h.inc"

namespace mixir::mixer {
/// The largest chunk or block length a form takes. Tiles are static buffers
/// (the quadratic form's scores are C×C), so the bound keeps every tile a
/// few MiB at most.
inline constexpr int64_t kMaxTile = 1024;

/// The module attribute naming the kind of target the forms are built for
/// ("gpu"; absent: the CPU), set by mixer-select-form.
inline constexpr llvm::StringLiteral kTargetAttrName = "mixer.target";

/// Whether `op`'s module is compiled for a GPU.
inline bool targetsGpu(mlir::Operation *op) {
  for (; op; op = op->getParentOp())
    if (auto kind = op->getAttrOfType<mlir::StringAttr>(kTargetAttrName))
      return kind.getValue() == "gpu";
  return false;
}
} // namespace mixir::mixer

#endif // MIXIR_DIALECT_MIXER_MIXERDIALECT_H
