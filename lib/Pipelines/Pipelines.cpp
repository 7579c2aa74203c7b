//===- Pipelines.cpp - the whole CPU compilation, in one place --------------===//
//
//   mixer-prepare-c-abi      record the C signature; results → out-params
//   mixer-raise-recurrences  recurrences linear in their state → structured
//                            ops (a diagonal recurrence)
//   mixer-select-form        cost model or pinned form (may version on T)
//   mixer-lower-forms        each op's form (its structure class's lowering)
//                            → scf.forall + scf.for + linalg on tensors
//   mixer-fuse-recurrence-steps  a recurrence step's element-wise ops fused,
//                            its states updated in place
//   mixer-lower-to-runtime   run-time queries (worker count) → runtime calls
//   mixer-sink-destinations  every dispatch branch writes the caller's buffers
//   bufferization            one-shot, writing the caller's buffers directly
//   register tiles           matmul-shaped generics → vector FMAs (CPU)
//   loops                    copies → linalg.copy; linalg → scf loops;
//                            forall → scf.parallel
//   mixer-flush-subnormals   kernels and parallel bodies run with FTZ/DAZ,
//                            restoring the caller's control word
//   OpenMP + LLVM            scf.parallel → omp, everything → LLVM dialect
//   mixer-export-c-abi       the DLPack entry points
//
//===----------------------------------------------------------------------===//
#include "mixir/Pipelines/Pipelines.h"

#include "mixir/Codegen/Passes.h"
#include "mixir/Conversion/Passes.h"
#include "mixir/Dialect/Mixer/MixerDialect.h"
#include "mixir/Forms/Forms.h"
#include "mixir/Forms/Passes.h"
#include "mixir/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mixir;

static void addCleanup(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

namespace {
/// What every pipeline takes from its options up to the forms.
struct FormChoice {
  std::string form;
  int64_t chunkSize;
  bool remarks;
  template <typename Options>
  static FormChoice of(const Options &options) {
    return {options.form.getValue(), options.chunkSize.getValue(),
            options.remarks.getValue()};
  }
};
} // namespace

/// The target-neutral part: mixer ops → their forms' loops on tensors.
/// `targetKind` is the kind the forms are built for; `numWorkersFunction`
/// the runtime function that answers mixer.num_workers where the program
/// runs (the GPU's test mode builds GPU forms and runs them on the CPU).
static void buildMixerToTensorLoops(OpPassManager &pm, const FormChoice &forms,
                                    StringRef targetKind,
                                    StringRef numWorkersFunction) {
  pm.addPass(createMixerPrepareCAbi());
  pm.addPass(
      createMixerRaiseRecurrences(MixerRaiseRecurrencesOptions{forms.remarks}));
  pm.addPass(createMixerSelectForm(
      MixerSelectFormOptions{forms.form, targetKind.str(), forms.chunkSize}));
  pm.addPass(createMixerLowerForms());
  // A recurrence's body may compute with arith and math on tensors.
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createMixerFuseRecurrenceSteps());
  pm.addPass(createMixerLowerToRuntime(
      MixerLowerToRuntimeOptions{numWorkersFunction.str()}));
  pm.addPass(createMixerSinkDestinations());
  addCleanup(pm);
}

static void addBufferization(OpPassManager &pm) {
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  addCleanup(pm);
  pm.addNestedPass<func::FuncOp>(bufferization::createBufferLoopHoistingPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createMixerCopyToLinalg());
}

static void buildMappedProgram(OpPassManager &pm, const FormChoice &forms,
                               StringRef numWorkersFunction, int64_t blockSize,
                               int64_t sharedMemoryBytes) {
  buildMixerToTensorLoops(pm, forms, "gpu", numWorkersFunction);
  pm.addPass(createMixerLoopStateInPlace());
  addBufferization(pm);
  pm.addPass(createMixerMapOwnedLoops(MixerMapOwnedLoopsOptions{blockSize}));
  // Before the ops are spread over threads: a buffer an op overwrites is
  // recognised on the op itself.
  pm.addPass(createMixerPackBlockBuffers(
      MixerPackBlockBuffersOptions{sharedMemoryBytes}));
  pm.addPass(createMixerMapToGpu(MixerMapToGpuOptions{blockSize}));
  addCleanup(pm);
}

void mixir::buildMixerToMappedProgramPipeline(
    OpPassManager &pm, const CpuPipelineOptions &options) {
  buildMappedProgram(pm, FormChoice::of(options), kNumThreadsFn,
                     options.blockSize, options.sharedMemoryBytes);
}

void mixir::buildGpuKernelsPipeline(OpPassManager &pm,
                                    const GpuPipelineOptions &options,
                                    const GpuArch &arch) {
  buildMappedProgram(pm, FormChoice::of(options), kCudaNumWorkersFn,
                     options.blockSize, arch.sharedMemoryBytes);
  pm.addPass(createMixerMappedToGpu(
      MixerMappedToGpuOptions{arch.sharedMemoryBytes}));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createMixerApproximateMath());
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createMixerGatherKernels());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  GpuNVVMAttachTargetOptions nvvm;
  nvvm.chip = arch.name.str();
  nvvm.features = arch.ptxFeatures.str();
  nvvm.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(nvvm));
  OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
  device.addPass(createStripDebugInfoPass());
  device.addPass(createConvertVectorToLLVMPass());
  ConvertGpuOpsToNVVMOpsOptions toNvvm;
  toNvvm.indexBitwidth = 64;
  device.addPass(createConvertGpuOpsToNVVMOps(toNvvm));
  device.addPass(createConvertNVVMToLLVMPass());
  device.addPass(createMixerExternDynamicShared());
  device.addPass(createCanonicalizerPass());
  device.addPass(createCSEPass());
  device.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  binary.toolkitPath = options.cudaPath.getValue();
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void mixir::buildGpuHostPipeline(OpPassManager &pm) {
  pm.addPass(arith::createArithExpandOpsPass());
  pm.addPass(createMixerGpuHostToLLVM());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createMixerExportCAbi(MixerExportCAbiOptions{
      /*deviceType=*/2, "mixir_cuda_begin", "mixir_cuda_end"}));
  addCleanup(pm);
}

void mixir::buildMixerToLoopsPipeline(OpPassManager &pm,
                                      const CpuPipelineOptions &options) {
  if (options.gpuMapped) {
    // The GPU path's test mode: the mapped program, its threads in
    // sequence.
    buildMappedProgram(pm, FormChoice::of(options), kNumThreadsFn,
                       options.blockSize, options.sharedMemoryBytes);
    pm.addPass(createMixerMappedToCpu());
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
    pm.addPass(createMixerApproximateMath());
    pm.addPass(createForallToParallelLoopPass());
    pm.addPass(createMixerFlushSubnormals());
    addCleanup(pm);
    return;
  }
  buildMixerToTensorLoops(pm, FormChoice::of(options), "cpu", kNumThreadsFn);
  pm.addPass(createMixerVectorizeContractions(
      MixerVectorizeContractionsOptions{options.tileRows.getValue(),
                                        options.tileCols.getValue()}));
  addBufferization(pm);
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createMixerApproximateMath());
  pm.addPass(createForallToParallelLoopPass());
  pm.addPass(createMixerFlushSubnormals());
  addCleanup(pm);
}

void mixir::buildLoopsToLLVMPipeline(OpPassManager &pm) {
  // finalize-memref-to-llvm inlines the memref.alloca_scope that
  // convert-scf-to-openmp puts around each parallel body; it must run before
  // convert-scf-to-cf turns that body into several blocks.
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createMixerExportCAbi());
  addCleanup(pm);
}

void mixir::buildCpuPipeline(OpPassManager &pm,
                             const CpuPipelineOptions &options) {
  buildMixerToLoopsPipeline(pm, options);
  buildLoopsToLLVMPipeline(pm);
}

void mixir::registerAllPasses() {
  registerMixirTransformsPasses();
  registerMixirConversionPasses();
  registerMixirFormsPasses();
  registerMixirCodegenPasses();
  PassPipelineRegistration<CpuPipelineOptions>(
      "mixer-cpu-pipeline",
      "Compile mixer-dialect functions to the LLVM dialect with C entry "
      "points",
      buildCpuPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "mixer-to-loops-pipeline",
      "Lower mixer-dialect functions to bufferized loops (before LLVM)",
      buildMixerToLoopsPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "mixer-mapped-program-pipeline",
      "Lower mixer-dialect functions to the GPU path's mapped program "
      "(grids of blocks, thread loops, barriers, block arenas)",
      buildMixerToMappedProgramPipeline);
}

void mixir::registerAllDialects(DialectRegistry &registry) {
  registry.insert<mixer::MixerDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, func::FuncDialect,
                  gpu::GPUDialect, linalg::LinalgDialect, math::MathDialect,
                  scf::SCFDialect,
                  tensor::TensorDialect>();
  forms::registerFormModels(registry);
  // The GPU path serialises its kernels to PTX through LLVM IR.
  registry.insert<gpu::GPUDialect, NVVM::NVVMDialect, LLVM::LLVMDialect>();
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
}
