//===- Pipelines.h - mixir's compilation pipelines ---------------*- C++ -*-===//
#ifndef MIXIR_PIPELINES_PIPELINES_H
#define MIXIR_PIPELINES_PIPELINES_H

#include "mixir/Target/NvptxTarget.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mixir {

/// Options of the CPU pipeline (also `mixirc`'s --form and --chunk-size).
struct CpuPipelineOptions
    : public mlir::PassPipelineOptions<CpuPipelineOptions> {
  Option<std::string> form{*this, "form",
                           llvm::cl::desc("auto, or a form of the mixer ops "
                                          "(scan, chunked, ...)"),
                           llvm::cl::init("auto")};
  Option<int64_t> chunkSize{
      *this, "chunk-size",
      llvm::cl::desc("chunk or block length; 0 lets the cost model choose"),
      llvm::cl::init(0)};
  Option<bool> remarks{
      *this, "remarks",
      llvm::cl::desc("report what mixer-raise-recurrences found in each "
                     "recurrence"),
      llvm::cl::init(false)};
  Option<int64_t> tileRows{
      *this, "tile-rows",
      llvm::cl::desc("accumulator rows of a contraction held in registers"),
      llvm::cl::init(4)};
  Option<int64_t> tileCols{
      *this, "tile-cols",
      llvm::cl::desc("accumulator columns (floats) held in registers"),
      llvm::cl::init(16)};
  Option<bool> gpuMapped{
      *this, "gpu-mapped",
      llvm::cl::desc("compile the GPU path's mapped program (blocks and "
                     "threads as loops, block buffers in arenas) for the "
                     "CPU: the GPU path's test mode"),
      llvm::cl::init(false)};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("threads per GPU block"),
                            llvm::cl::init(128)};
  Option<int64_t> sharedMemoryBytes{
      *this, "shared-memory-bytes",
      llvm::cl::desc("bytes of a GPU block's buffers placed in shared "
                     "memory (the rest spill to global memory)"),
      llvm::cl::init(49152)};
};

/// mixer dialect → forms → bufferized loops (ends before LLVM lowering).
void buildMixerToLoopsPipeline(mlir::OpPassManager &pm,
                               const CpuPipelineOptions &options);
/// Options of the GPU pipeline (mixirc --target=nvptx).
struct GpuPipelineOptions
    : public mlir::PassPipelineOptions<GpuPipelineOptions> {
  Option<std::string> form{*this, "form",
                           llvm::cl::desc("auto, or a form of the mixer ops"),
                           llvm::cl::init("auto")};
  Option<int64_t> chunkSize{
      *this, "chunk-size",
      llvm::cl::desc("chunk or block length; 0 lets the cost model choose"),
      llvm::cl::init(0)};
  Option<bool> remarks{*this, "remarks",
                       llvm::cl::desc("report what mixer-raise-recurrences "
                                      "found in each recurrence"),
                       llvm::cl::init(false)};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("threads per GPU block"),
                            llvm::cl::init(128)};
  Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("the CUDA toolkit (libdevice, ptxas)"),
      llvm::cl::init("/usr/local/cuda")};
};

/// mixer dialect → forms → the mapped program of the GPU path: grids of
/// blocks, thread loops, barriers and block arenas, on buffers
/// (docs/gpu.md).
void buildMixerToMappedProgramPipeline(mlir::OpPassManager &pm,
                                       const CpuPipelineOptions &options);
/// mixer dialect → the mapped program → gpu.launch → outlined kernels in
/// one gpu.module → NVVM → one gpu.binary holding their PTX for `arch`;
/// the host functions keep their launches (docs/gpu.md).
void buildGpuKernelsPipeline(mlir::OpPassManager &pm,
                             const GpuPipelineOptions &options,
                             const GpuArch &arch);
/// The host side after the kernels were serialised: host functions → the
/// LLVM dialect with calls of the CUDA runtime, and the DLPack entry points
/// for CUDA tensors.
void buildGpuHostPipeline(mlir::OpPassManager &pm);
/// Loops → LLVM dialect, OpenMP for the parallel loops, plus the C ABI entry
/// points.
void buildLoopsToLLVMPipeline(mlir::OpPassManager &pm);
/// The whole CPU pipeline: `mixer-cpu-pipeline`.
void buildCpuPipeline(mlir::OpPassManager &pm,
                      const CpuPipelineOptions &options);

/// Registers every mixir pass and the named pipelines.
void registerAllPasses();
/// The mixer dialect and the upstream dialects mixir's IR uses.
void registerAllDialects(mlir::DialectRegistry &registry);

} // namespace mixir

#endif // MIXIR_PIPELINES_PIPELINES_H
