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

/// Whether `cpu` ("native" or an LLVM CPU name) is known for the host's
/// target, and the message for one that is not.
bool isKnownCpu(llvm::StringRef cpu);
std::string unknownCpuMessage(llvm::StringRef cpu);

/// The register tile of a contraction's accumulator for the CPU: 8×32
/// floats with AVX-512 (16 of its 32 vector registers), else 4×16 (8 of
/// AVX2's 16). Enough independent accumulators to hide the FMA latency on
/// both FMA ports, with registers left for the operands. An unknown CPU gets
/// the smaller tile (emitCpuArtifact reports it).
struct CpuRegisterTile {
  int64_t rows, cols;
};
CpuRegisterTile registerTileFor(const CpuTargetOptions &options);

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
