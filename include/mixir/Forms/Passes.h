//===- Passes.h - passes of the structure classes ---------------*- C++ -*-===//
#ifndef MIXIR_FORMS_PASSES_H
#define MIXIR_FORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mixir {

#define GEN_PASS_DECL
#include "mixir/Forms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mixir/Forms/Passes.h.inc"

} // namespace mixir

#endif // MIXIR_FORMS_PASSES_H
