//===- MixerDialect.h - the mixer dialect -----------------------*- C++ -*-===//
#ifndef MIXIR_DIALECT_MIXER_MIXERDIALECT_H
#define MIXIR_DIALECT_MIXER_MIXERDIALECT_H

#include "mlir/IR/Dialect.h"

#include "mixer/MixerDialect.h.inc"

#endif // MIXIR_DIALECT_MIXER_MIXERDIALECT_H
