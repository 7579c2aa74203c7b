//===- NvptxTarget.cpp - NVIDIA GPU architectures, PTX and cubin -----------===//
#include "mixir/Target/NvptxTarget.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace mlir;

namespace {
// Shared memory a block may opt into (cudaFuncAttributeMaxDynamicShared-
// MemorySize): 163 KiB on the A100 (sm_80), 227 KiB on the H100 (sm_90),
// from NVIDIA's CUDA C++ Programming Guide, "Compute Capabilities". PTX ISA
// 8.0 is the first with sm_90a and the one MLIR's NVVM path needs for
// sm_80 and sm_90.
constexpr mixir::GpuArch kArchs[] = {
    {"sm_80", "+ptx80", 163 * 1024},
    {"sm_90", "+ptx80", 227 * 1024},
    {"sm_90a", "+ptx80", 227 * 1024},
};
} // namespace

std::optional<mixir::GpuArch> mixir::lookupGpuArch(StringRef name) {
  for (const GpuArch &arch : kArchs)
    if (arch.name == name)
      return arch;
  return std::nullopt;
}

std::string mixir::knownGpuArchs() {
  SmallVector<StringRef> names;
  for (const GpuArch &arch : kArchs)
    names.push_back(arch.name);
  return llvm::join(names, ", ");
}

/// The assembly (PTX) of the module's one gpu.binary.
static FailureOr<StringRef> ptxOf(ModuleOp module) {
  SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
  if (binaries.size() != 1) {
    module.emitError() << "expected the kernels in one gpu.binary, found "
                       << binaries.size();
    return failure();
  }
  for (Attribute attr : binaries.front().getObjects())
    if (auto object = cast<gpu::ObjectAttr>(attr);
        object.getFormat() == gpu::CompilationTarget::Assembly)
      return object.getObject().getValue();
  binaries.front().emitError("expected the kernels as PTX (format isa)");
  return failure();
}

LogicalResult mixir::emitPtx(ModuleOp module, llvm::raw_ostream &os) {
  FailureOr<StringRef> ptx = ptxOf(module);
  if (failed(ptx))
    return failure();
  os << *ptx;
  return success();
}

LogicalResult mixir::emitCubin(ModuleOp module, const GpuArch &arch,
                               StringRef cudaPath, llvm::raw_ostream &os) {
  FailureOr<StringRef> ptx = ptxOf(module);
  if (failed(ptx))
    return failure();
  SmallString<128> ptxas(cudaPath);
  llvm::sys::path::append(ptxas, "bin", "ptxas");
  if (!llvm::sys::fs::can_execute(ptxas))
    return module.emitError() << "ptxas not found at " << ptxas
                              << " (set --cuda-path to the CUDA toolkit)";
  SmallString<128> input, output, log;
  if (llvm::sys::fs::createTemporaryFile("mixir", "ptx", input) ||
      llvm::sys::fs::createTemporaryFile("mixir", "cubin", output) ||
      llvm::sys::fs::createTemporaryFile("mixir", "log", log))
    return module.emitError("cannot create a temporary file");
  llvm::FileRemover removeInput(input), removeOutput(output), removeLog(log);
  {
    std::error_code ec;
    llvm::raw_fd_ostream file(input, ec);
    if (ec)
      return module.emitError() << "cannot write " << input << ": "
                                << ec.message();
    file << *ptx;
  }
  std::string archFlag = ("-arch=" + arch.name).str();
  SmallVector<StringRef> args{ptxas, archFlag, "-O3", input, "-o", output};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects,
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0,
                                     &error);
  if (rc != 0) {
    auto text = llvm::MemoryBuffer::getFile(log);
    return module.emitError()
           << "ptxas failed for " << arch.name << ": "
           << (error.empty() && text ? (*text)->getBuffer().str() : error);
  }
  auto cubin = llvm::MemoryBuffer::getFile(output);
  if (!cubin)
    return module.emitError() << "cannot read " << output;
  os << (*cubin)->getBuffer();
  return success();
}

LogicalResult mixir::assembleKernels(ModuleOp module, const GpuArch &arch,
                                     StringRef cudaPath) {
  std::string cubin;
  llvm::raw_string_ostream os(cubin);
  if (failed(emitCubin(module, arch, cudaPath, os)))
    return failure();
  auto binary = *module.getOps<gpu::BinaryOp>().begin();
  auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
  auto assembled = gpu::ObjectAttr::get(
      module.getContext(), object.getTarget(), gpu::CompilationTarget::Binary,
      StringAttr::get(module.getContext(), cubin), object.getProperties(),
      object.getKernels());
  // The PTX stays beside the cubin: a driver that cannot load the cubin (a
  // GPU of another major architecture, an older driver) compiles the PTX.
  binary.setObjectsAttr(
      ArrayAttr::get(module.getContext(), {assembled, object}));
  return success();
}
