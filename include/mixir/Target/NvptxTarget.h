//===- NvptxTarget.h - NVIDIA GPU architectures and artifacts ----*- C++ -*-===//
#ifndef MIXIR_TARGET_NVPTXTARGET_H
#define MIXIR_TARGET_NVPTXTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace mixir {

/// What the GPU path needs to know of an NVIDIA architecture.
struct GpuArch {
  llvm::StringRef name;        // the chip: sm_80, sm_90, sm_90a
  llvm::StringRef ptxFeatures; // the PTX ISA version to emit (+ptx80)
  int64_t sharedMemoryBytes;   // the most shared memory one block may use
};

/// The architecture named `name`, or none (knownGpuArchs() lists them).
std::optional<GpuArch> lookupGpuArch(llvm::StringRef name);
std::string knownGpuArchs();

/// The PTX of the module's kernels: the assembly of its one gpu.binary
/// (after the GPU pipeline). Fails with a diagnostic when there is none.
mlir::LogicalResult emitPtx(mlir::ModuleOp module, llvm::raw_ostream &os);

/// The cubin of the module's kernels: their PTX assembled by
/// `cudaPath`/bin/ptxas for `arch`.
mlir::LogicalResult emitCubin(mlir::ModuleOp module, const GpuArch &arch,
                              llvm::StringRef cudaPath, llvm::raw_ostream &os);

/// Puts the cubin of the module's kernels (emitCubin) before their PTX in
/// its gpu.binary: the host code embeds both, the runtime loads the cubin
/// and falls back to the PTX where the driver cannot load it.
mlir::LogicalResult assembleKernels(mlir::ModuleOp module, const GpuArch &arch,
                                    llvm::StringRef cudaPath);

} // namespace mixir

#endif // MIXIR_TARGET_NVPTXTARGET_H
