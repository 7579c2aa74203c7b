//===- CpuTarget.h - LLVM dialect to CPU artifacts --------------*- C++ -*-===//
#ifndef MIXIR_TARGET_CPUTARGET_H
#define MIXIR_TARGET_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mixir {

enum class CpuArtifact { LLVMIR, Assembly, Object };

struct CpuTargetOptions {
  /// "native" for the host CPU (and its features), else an LLVM CPU name
  /// such as x86-64-v3.
  std::string cpu = "native";
};

/// Translates an LLVM-dialect module to LLVM IR, optimises it at O3 for the
/// CPU and writes the artifact. Emits a diagnostic on the module and fails
/// if the CPU is unknown or translation fails.
mlir::LogicalResult emitCpuArtifact(mlir::ModuleOp module,
                                    const CpuTargetOptions &options,
                                    CpuArtifact artifact,
                                    llvm::raw_pwrite_stream &os);

/// The C header declaring every entry point recorded in the module's
/// mixer.c_abi attribute.
mlir::LogicalResult emitCHeader(mlir::ModuleOp module, llvm::StringRef guard,
                                llvm::raw_ostream &os);

} // namespace mixir

#endif // MIXIR_TARGET_CPUTARGET_H
