//===- Passes.h - mixir conversion passes -----------------------*- C++ -*-===//
#ifndef MIXIR_CONVERSION_PASSES_H
#define MIXIR_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Pass/Pass.h"

namespace mixir {

/// Name of the module attribute that lists the functions exported with the
/// C ABI: an array of dictionaries {name, impl, signature, dims,
/// num_symbols}. Set by mixer-prepare-c-abi, read by mixer-export-c-abi and
/// by the header emitter.
inline constexpr llvm::StringLiteral kCAbiAttrName = "mixer.c_abi";
/// Prefix of the kernel function behind each exported entry point.
inline constexpr llvm::StringLiteral kImplPrefix = "__mixir_";

/// The runtime function `mixer.num_workers` becomes on the CPU.
inline constexpr llvm::StringLiteral kNumThreadsFn = "mixir_rt_num_workers";
/// The GPU runtime's answer to mixer.num_workers (lib/Runtime/Cuda.c).
inline constexpr llvm::StringLiteral kCudaNumWorkersFn =
    "mixir_cuda_num_workers";
/// The runtime's functions that set and restore flush-to-zero.
inline constexpr llvm::StringLiteral kFlushBeginFn =
    "mixir_rt_flush_subnormals_begin";
inline constexpr llvm::StringLiteral kFlushEndFn =
    "mixir_rt_flush_subnormals_end";

/// Patterns that replace `mixer.num_workers` by a call of the target's
/// runtime function `numWorkersFunction` (kNumThreadsFn on the CPU).
void populateLowerToRuntimePatterns(mlir::RewritePatternSet &patterns,
                                    llvm::StringRef numWorkersFunction);

/// gpu.launch_func, gpu.alloc and gpu.dealloc → the CUDA runtime's calls.
void populateGpuHostToLLVMPatterns(mlir::LLVMTypeConverter &converter,
                                   mlir::RewritePatternSet &patterns);

#define GEN_PASS_DECL
#include "mixir/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mixir/Conversion/Passes.h.inc"

} // namespace mixir

#endif // MIXIR_CONVERSION_PASSES_H
