//===- Pipelines.cpp - the whole CPU compilation, in one place --------------===//
//
//   mixer-prepare-c-abi      record the C signature; results → out-params
//   mixer-select-form        cost model or pinned form (may version on T)
//   mixer-lower-<form>       each form → scf.forall + scf.for + linalg on
//                            tensors
//   mixer-lower-to-runtime   run-time queries (worker count) → runtime calls
//   mixer-sink-destinations  every dispatch branch writes the caller's buffers
//   bufferization            one-shot, writing the caller's buffers directly
//   register tiles           matmul-shaped generics → vector FMAs (CPU)
//   loops                    copies → linalg.copy; linalg → scf loops;
//                            forall → scf.parallel
//   OpenMP + LLVM            scf.parallel → omp, everything → LLVM dialect
//   mixer-export-c-abi       the DLPack entry points
//
//===----------------------------------------------------------------------===//
#include "mixir/Pipelines/Pipelines.h"

#include "mixir/Conversion/Passes.h"
#include "mixir/Dialect/Mixer/MixerDialect.h"
#include "mixir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

static void addPipeline(OpPassManager &pm, StringRef text) {
  if (failed(parsePassPipeline(text, pm, llvm::errs())))
    llvm::report_fatal_error("mixir: malformed built-in pass pipeline");
}

void mixir::buildMixerToLoopsPipeline(OpPassManager &pm,
                                      const CpuPipelineOptions &options) {
  std::string formOptions = "{form=" + options.form.getValue() +
                            " chunk-size=" +
                            std::to_string(options.chunkSize.getValue()) + "}";
  std::string tileOptions =
      "{rows=" + std::to_string(options.tileRows.getValue()) +
      " cols=" + std::to_string(options.tileCols.getValue()) + "}";
  addPipeline(pm, "mixer-prepare-c-abi,"
                  "mixer-select-form" + formOptions + ","
                  "mixer-lower-scan,mixer-lower-chunked,mixer-lower-quadratic,"
                  "mixer-lower-to-runtime,mixer-sink-destinations,"
                  "canonicalize,cse,mixer-vectorize-contractions" + tileOptions + ","
                  "eliminate-empty-tensors,"
                  "one-shot-bufferize{bufferize-function-boundaries "
                  "function-boundary-type-conversion=identity-layout-map "
                  "allow-return-allocs-from-loops},"
                  "canonicalize,cse,"
                  "func.func(buffer-loop-hoisting),"
                  "buffer-deallocation-pipeline,mixer-copy-to-linalg,"
                  "func.func(convert-linalg-to-loops),mixer-approximate-math,"
                  "scf-forall-to-parallel,canonicalize,cse");
}

void mixir::buildLoopsToLLVMPipeline(OpPassManager &pm) {
  // finalize-memref-to-llvm inlines the memref.alloca_scope that
  // convert-scf-to-openmp puts around each parallel body; it must run before
  // convert-scf-to-cf turns that body into several blocks.
  addPipeline(pm, "convert-scf-to-openmp,expand-strided-metadata,"
                  "lower-affine,finalize-memref-to-llvm,"
                  "convert-scf-to-cf,convert-vector-to-llvm,"
                  "convert-to-llvm,reconcile-unrealized-casts,"
                  "mixer-export-c-abi,canonicalize,cse");
}

void mixir::buildCpuPipeline(OpPassManager &pm,
                             const CpuPipelineOptions &options) {
  buildMixerToLoopsPipeline(pm, options);
  buildLoopsToLLVMPipeline(pm);
}

void mixir::registerAllPasses() {
  registerMixirTransformsPasses();
  registerMixirConversionPasses();
  PassPipelineRegistration<CpuPipelineOptions>(
      "mixer-cpu-pipeline",
      "Compile mixer-dialect functions to the LLVM dialect with C entry "
      "points",
      buildCpuPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "mixer-to-loops-pipeline",
      "Lower mixer-dialect functions to bufferized loops (before LLVM)",
      buildMixerToLoopsPipeline);
}

void mixir::registerAllDialects(DialectRegistry &registry) {
  registry.insert<mixer::MixerDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, func::FuncDialect,
                  linalg::LinalgDialect, math::MathDialect, scf::SCFDialect,
                  tensor::TensorDialect>();
}
