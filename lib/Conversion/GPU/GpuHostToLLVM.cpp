//===- GpuHostToLLVM.cpp - host code of GPU kernels on the LLVM dialect ----===//
//
// The host side of --target=nvptx: the host functions (sizes, branches,
// launches, device buffers) to the LLVM dialect, with
//   gpu.launch_func → mixir_cuda_launch(image, fallback, kernel, grid, block,
//                     shared bytes, params): the kernel's operands as the NVVM
//                     kernel takes them (memrefs as descriptor fields), each
//                     in a stack slot, params an array of their addresses;
//   gpu.alloc       → mixir_cuda_alloc(bytes) (stream-ordered), a
//                     descriptor around it; gpu.dealloc → mixir_cuda_free;
//   gpu.binary      → constant globals of its objects (the cubin, and the
//                     PTX with its terminating NUL that the runtime falls
//                     back to), which the launches address.
// The runtime (lib/Runtime/Cuda.c) loads the module once per context.
//
//===----------------------------------------------------------------------===//
#include "mixir/Conversion/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/LLVMCommon/Pattern.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERGPUHOSTTOLLVM
#include "mixir/Conversion/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
constexpr StringLiteral kLaunchFn = "mixir_cuda_launch";
constexpr StringLiteral kAllocFn = "mixir_cuda_alloc";
constexpr StringLiteral kFreeFn = "mixir_cuda_free";

LLVM::LLVMFuncOp runtimeFunction(OpBuilder &b, Operation *from, StringRef name,
                                 Type result, ArrayRef<Type> params) {
  auto module = from->getParentOfType<ModuleOp>();
  if (auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return fn;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  return LLVM::LLVMFuncOp::create(
      b, module.getLoc(), name, LLVM::LLVMFunctionType::get(result, params));
}

/// The address of a constant global holding `binary`'s object of `format`
/// (a cubin, or PTX), or a null pointer where it has none.
Value imageOf(OpBuilder &b, Location loc, gpu::BinaryOp binary,
              gpu::CompilationTarget format) {
  auto module = binary->getParentOfType<ModuleOp>();
  gpu::ObjectAttr object;
  for (Attribute attr : binary.getObjects())
    if (cast<gpu::ObjectAttr>(attr).getFormat() == format)
      object = cast<gpu::ObjectAttr>(attr);
  if (!object)
    return LLVM::ZeroOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()));
  std::string name =
      (binary.getSymName() +
       (format == gpu::CompilationTarget::Assembly ? "_ptx" : "_image"))
          .str();
  auto global = module.lookupSymbol<LLVM::GlobalOp>(name);
  if (!global) {
    std::string bytes = object.getObject().getValue().str();
    // cuModuleLoadData reads PTX up to its NUL; a cubin has its own size.
    if (object.getFormat() == gpu::CompilationTarget::Assembly)
      bytes.push_back('\0');
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto type = LLVM::LLVMArrayType::get(b.getI8Type(), bytes.size());
    global = LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                    LLVM::Linkage::Internal, name,
                                    b.getStringAttr(bytes), /*alignment=*/16);
  }
  return LLVM::AddressOfOp::create(b, loc, global);
}

struct LaunchToRuntime : public ConvertOpToLLVMPattern<gpu::LaunchFuncOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(gpu::LaunchFuncOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getAsyncToken() || !op.getAsyncDependencies().empty() ||
        op.hasClusterSize())
      return rewriter.notifyMatchFailure(op, "async or clustered launch");
    auto module = op->getParentOfType<ModuleOp>();
    auto binary = module.lookupSymbol<gpu::BinaryOp>(op.getKernelModuleName());
    if (!binary)
      return op.emitError("mixer-gpu-host-to-llvm: the kernel's module is "
                          "not a gpu.binary");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    Type i32 = rewriter.getI32Type(), i64 = rewriter.getI64Type();
    // The cubin, and the PTX the runtime falls back to; a binary holding
    // PTX alone passes it as the image.
    bool cubin = llvm::any_of(binary.getObjects(), [](Attribute a) {
      return cast<gpu::ObjectAttr>(a).getFormat() ==
             gpu::CompilationTarget::Binary;
    });
    Value image = imageOf(rewriter, loc, binary,
                          cubin ? gpu::CompilationTarget::Binary
                                : gpu::CompilationTarget::Assembly);
    Value fallback =
        cubin ? imageOf(rewriter, loc, binary, gpu::CompilationTarget::Assembly)
              : LLVM::ZeroOp::create(rewriter, loc, ptr).getResult();
    std::string kernel = op.getKernelName().getValue().str();
    Value name = LLVM::createGlobalString(
        loc, rewriter, (binary.getSymName() + "_" + kernel + "_name").str(),
        kernel + '\0', LLVM::Linkage::Internal);
    // The kernel's parameters, as convert-gpu-to-nvvm declared them.
    SmallVector<Value, 4> args = getTypeConverter()->promoteOperands(
        loc, op.getKernelOperands(), adaptor.getKernelOperands(), rewriter,
        /*useBarePtrCallConv=*/false);
    // The slots are allocated once, in the entry block: a launch in a host
    // loop reuses them.
    SmallVector<Value> slots;
    Value params;
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(
          &op->getParentOfType<FunctionOpInterface>().getFunctionBody().front());
      auto one = LLVM::ConstantOp::create(rewriter, loc, i32,
                                          rewriter.getI32IntegerAttr(1));
      auto count = LLVM::ConstantOp::create(
          rewriter, loc, i32,
          rewriter.getI32IntegerAttr(std::max<int64_t>(args.size(), 1)));
      params = LLVM::AllocaOp::create(rewriter, loc, ptr, ptr, count);
      for (Value arg : args)
        slots.push_back(
            LLVM::AllocaOp::create(rewriter, loc, ptr, arg.getType(), one));
    }
    for (auto [i, arg] : llvm::enumerate(args)) {
      Value slot = slots[i];
      LLVM::StoreOp::create(rewriter, loc, arg, slot);
      Value at = LLVM::GEPOp::create(
          rewriter, loc, ptr, ptr, params,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      LLVM::StoreOp::create(rewriter, loc, slot, at);
    }
    Value shared = adaptor.getDynamicSharedMemorySize();
    if (!shared)
      shared = LLVM::ConstantOp::create(rewriter, loc, i32,
                                        rewriter.getI32IntegerAttr(0));
    LLVM::LLVMFuncOp launch = runtimeFunction(
        rewriter, op, kLaunchFn, LLVM::LLVMVoidType::get(ctx),
        {ptr, ptr, ptr, i64, i64, i64, i64, i64, i64, i32, ptr});
    LLVM::CallOp::create(
        rewriter, loc, launch,
        ValueRange{image, fallback, name, adaptor.getGridSizeX(), adaptor.getGridSizeY(),
                   adaptor.getGridSizeZ(), adaptor.getBlockSizeX(),
                   adaptor.getBlockSizeY(), adaptor.getBlockSizeZ(), shared,
                   params});
    rewriter.eraseOp(op);
    return success();
  }
};

struct AllocToRuntime : public ConvertOpToLLVMPattern<gpu::AllocOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(gpu::AllocOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getAsyncToken() || op.getHostShared() ||
        !op.getSymbolOperands().empty())
      return rewriter.notifyMatchFailure(op, "async, host-shared or symbols");
    MemRefType type = op.getType();
    if (!type.getLayout().isIdentity())
      return rewriter.notifyMatchFailure(op, "not an identity layout");
    Location loc = op.getLoc();
    SmallVector<Value> sizes, strides;
    Value bytes;
    getMemRefDescriptorSizes(loc, type, adaptor.getDynamicSizes(), rewriter,
                             sizes, strides, bytes, /*sizeInBytes=*/true);
    auto ptr = LLVM::LLVMPointerType::get(getContext());
    LLVM::LLVMFuncOp alloc = runtimeFunction(rewriter, op, kAllocFn, ptr,
                                             {rewriter.getI64Type()});
    Value data =
        LLVM::CallOp::create(rewriter, loc, alloc, ValueRange{bytes}).getResult();
    rewriter.replaceOp(op, {createMemRefDescriptor(loc, type, data, data,
                                                   sizes, strides, rewriter)});
    return success();
  }
};

struct DeallocToRuntime : public ConvertOpToLLVMPattern<gpu::DeallocOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(gpu::DeallocOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getAsyncToken())
      return rewriter.notifyMatchFailure(op, "async");
    auto ptr = LLVM::LLVMPointerType::get(getContext());
    Value data = MemRefDescriptor(adaptor.getMemref())
                     .allocatedPtr(rewriter, op.getLoc());
    LLVM::CallOp::create(
        rewriter, op.getLoc(),
        runtimeFunction(rewriter, op, kFreeFn, LLVM::LLVMVoidType::get(getContext()),
                        {ptr}),
        ValueRange{data});
    rewriter.eraseOp(op);
    return success();
  }
};

struct MixerGpuHostToLLVMPass
    : public mixir::impl::MixerGpuHostToLLVMBase<MixerGpuHostToLLVMPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    LLVMTypeConverter converter(ctx);
    RewritePatternSet patterns(ctx);
    populateFinalizeMemRefToLLVMConversionPatterns(converter, patterns);
    arith::populateArithToLLVMConversionPatterns(converter, patterns);
    cf::populateControlFlowToLLVMConversionPatterns(converter, patterns);
    populateFuncToLLVMConversionPatterns(converter, patterns);
    index::populateIndexToLLVMConversionPatterns(converter, patterns);
    ub::populateUBToLLVMConversionPatterns(converter, patterns);
    mixir::populateGpuHostToLLVMPatterns(converter, patterns);
    LLVMConversionTarget target(*ctx);
    target.addLegalOp<ModuleOp, gpu::BinaryOp>();
    if (failed(applyFullConversion(module, target, std::move(patterns))))
      return signalPassFailure();
    for (auto binary :
         llvm::make_early_inc_range(module.getOps<gpu::BinaryOp>()))
      binary.erase();
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  }
};
} // namespace

void mixir::populateGpuHostToLLVMPatterns(LLVMTypeConverter &converter,
                                          RewritePatternSet &patterns) {
  patterns.add<LaunchToRuntime, AllocToRuntime, DeallocToRuntime>(converter);
}
