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
    argument and result: it asks the runtime (`mixir_rt_bind_device`) to
    check every tensor against the signature and the device and to bind
    the dynamic sizes, returns its error code on failure, and otherwise
    calls the kernel with memref descriptors built from the bound sizes.

    The device is a parameter of the target: `device-type` (DLPack's
    kDLCPU = 1, kDLCUDA = 2). With `begin-function`, the entry first calls
    `i32 begin(i32* device)` (returning its error code when not 0) and
    checks the tensors against the device it stored; with `end-function`,
    it returns `i32 end()` after the kernel instead of 0 (the GPU's
    `mixir_cuda_begin` and `mixir_cuda_end`: launches report errors there).
  }];
  let options = [
    Option<"deviceType", "device-type", "int32_t", /*default=*/"1",
           "the DLPack device type every tensor must have">,
    Option<"beginFunction", "begin-function", "std::string",
           /*default=*/"\"\"",
           "runtime function called first, giving the device id">,
    Option<"endFunction", "end-function", "std::string", /*default=*/"\"\"",
           "runtime function whose result the entry returns">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def MixerLowerToRuntime : Pass<"mixer-lower-to-runtime", "mlir::ModuleOp"> {
  let options = [
    Option<"numWorkersFunction", "num-workers-function", "std::string",
           /*default=*/"\"mixir_rt_num_workers\"",
           "the runtime function answering mixer.num_workers for the target">,
  ];
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

def MixerFlushSubnormals : Pass<"mixer-flush-subnormals", "mlir::ModuleOp"> {
  let summary = "Run every kernel with subnormals flushed to zero, restoring the caller's state";
  let description = [{
    Products of many decays (a chunk's Π a, exp of a long sum of log
    decays) pass through the subnormal range on their way to zero, where
    arithmetic is slow on many CPUs and adds nothing to the result
    (docs/math.md, section 4.3). In every function prepared for the C ABI
    (`mixer.c_abi`), this pass calls the runtime's
    `uint32_t mixir_rt_flush_subnormals_begin(void)` on entry, which sets
    flush-to-zero and denormals-are-zero (x86 MXCSR FTZ and DAZ, AArch64
    FPCR FZ) and returns the previous control word, and
    `void mixir_rt_flush_subnormals_end(uint32_t)` with it before every
    return. The body of every `scf.parallel` loop does the same, as its
    iterations run on OpenMP's worker threads, each with its own control
    word. Runs on loops, before OpenMP conversion.
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def MixerGpuHostToLLVM : Pass<"mixer-gpu-host-to-llvm", "mlir::ModuleOp"> {
  let summary = "Lower the host side of GPU kernels to the LLVM dialect and the CUDA runtime";
  let description = [{
    Runs after the kernels were serialised (`gpu.binary`). Converts the
    host functions to the LLVM dialect (memref, arith, cf, func, index, ub)
    with three more patterns: `gpu.launch_func` becomes a call of
    `mixir_cuda_launch` with the embedded image, the kernel's name, the
    grid, the block, the dynamic shared memory and an array of the
    addresses of its parameters (memrefs as the fields of their
    descriptors, as `convert-gpu-to-nvvm` declares the kernel);
    `gpu.alloc` and `gpu.dealloc` become `mixir_cuda_alloc` and
    `mixir_cuda_free` (stream-ordered device memory). Each `gpu.binary`
    becomes a constant global of its object. An op left unconverted (an
    asynchronous launch, say) is an error.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // MIXIR_CONVERSION_PASSES_TD
