//===- Passes.td - mixir conversion passes -----------------*- tablegen -*-===//
#ifndef MIXIR_CONVERSION_PASSES_TD
#define MIXIR_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def MixerPrepareCAbi : Pass<"mixer-prepare-c-abi", "mlir::ModuleOp"> {
  let summary = "Record each public function's C ABI and make its results out-parameters";
  let description = [{
    For every public `func.func` with tensor arguments and results, records
    the DLPack signature (names, static sizes, the shared dynamic sizes such
    as B and T, and which result may be updated in place) as the
    `mixer.c_abi` attribute, then rewrites the function in
    destination-passing style: each result becomes a trailing memref
    argument written with `bufferization.materialize_in_destination`, so
    that bufferization writes the caller's buffer directly. The function is
    renamed `__mixir_<name>`; `mixer-export-c-abi` later emits `<name>`.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::memref::MemRefDialect"];
}

def MixerExportCAbi : Pass<"mixer-export-c-abi", "mlir::ModuleOp"> {
  let summary = "Emit the DLPack C entry point of every function prepared for the C ABI";
  let description = [{
    Runs on the LLVM dialect. For each `__mixir_<name>` function carrying
    `mixer.c_abi`, emits `i32 <name>(ptr...)` taking one `DLTensor*` per
    argument and result: it asks the runtime (`mixir_rt_bind`) to check
    every tensor against the signature and bind the dynamic sizes, returns
    its error code on failure, and otherwise calls the kernel with memref
    descriptors built from the bound sizes.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def MixerLowerToRuntime : Pass<"mixer-lower-to-runtime", "mlir::ModuleOp"> {
  let summary = "Replace mixer ops that read run-time state by calls of the CPU runtime";
  let description = [{
    `mixer.num_workers` becomes a call of the runtime's
    `int32_t mixir_rt_num_workers(void)` (declared in the module when
    needed): the thread count set at run time (`mixir_set_num_threads`,
    `MIXIR_NUM_THREADS`), or 1 when the kernel is called inside a parallel
    region of the caller's that allows no nested one.
  }];
  let dependentDialects = ["mlir::func::FuncDialect",
                           "mlir::arith::ArithDialect"];
}

#endif // MIXIR_CONVERSION_PASSES_TD
