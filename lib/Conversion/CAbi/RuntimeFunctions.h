//===- RuntimeFunctions.h - declarations of the CPU runtime's functions --===//
//
// Generated code calls the runtime (lib/Runtime) through private func.func
// declarations; a module that already defines one of those names otherwise
// is an error, not a silent mismatch.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_CONVERSION_CABI_RUNTIMEFUNCTIONS_H
#define MIXIR_LIB_CONVERSION_CABI_RUNTIMEFUNCTIONS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mixir {

/// Success when `name` is free in `module` or already declares the
/// runtime's function of `type`; else an error on the clashing symbol.
llvm::LogicalResult checkRuntimeFunction(mlir::ModuleOp module,
                                         llvm::StringRef name,
                                         mlir::FunctionType type);

/// The module's declaration of runtime function `name`: the existing one,
/// or a new private one at the start of the module (checked first with
/// checkRuntimeFunction).
mlir::func::FuncOp declareRuntimeFunction(mlir::OpBuilder &b,
                                          mlir::ModuleOp module,
                                          llvm::StringRef name,
                                          mlir::FunctionType type);

} // namespace mixir

#endif // MIXIR_LIB_CONVERSION_CABI_RUNTIMEFUNCTIONS_H
