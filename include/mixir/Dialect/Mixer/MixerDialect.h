//===- MixerDialect.h - the mixer dialect -----------------------*- C++ -*-===//
#ifndef MIXIR_DIALECT_MIXER_MIXERDIALECT_H
#define MIXIR_DIALECT_MIXER_MIXERDIALECT_H

#include "mlir/IR/Dialect.h"

#include "mixer/MixerDialect.h.inc"

namespace mixir::mixer {
/// The largest chunk or block length a form takes. Tiles are static buffers
/// (the quadratic form's scores are C×C), so the bound keeps every tile a
/// few MiB at most.
inline constexpr int64_t kMaxTile = 1024;
} // namespace mixir::mixer

#endif // MIXIR_DIALECT_MIXER_MIXERDIALECT_H
