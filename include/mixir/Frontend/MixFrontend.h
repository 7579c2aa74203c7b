//===- MixFrontend.h - the .mix language ------------------------*- C++ -*-===//
//
// Reads a .mix file (docs/mix-language.md) into a module of func.funcs over
// the mixer dialect, the same IR a hand-written .mlir example is: a
// `recurrence` block becomes a mixer.recurrence whose body is one
// linalg.generic per statement. Errors are diagnostics at the offending
// source location; the result is verified.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_FRONTEND_MIXFRONTEND_H
#define MIXIR_FRONTEND_MIXFRONTEND_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace mixir {

/// The dialects the frontend builds; load them before parsing.
void registerMixFrontendDialects(mlir::DialectRegistry &registry);

/// The module the main buffer of `sourceMgr` describes, or null after
/// reporting its errors through the context's diagnostic handler.
mlir::OwningOpRef<mlir::ModuleOp> parseMixSource(llvm::SourceMgr &sourceMgr,
                                                 mlir::MLIRContext *context);

} // namespace mixir

#endif // MIXIR_FRONTEND_MIXFRONTEND_H
