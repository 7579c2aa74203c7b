//===- ExportCAbi.cpp - DLPack entry points on the LLVM dialect ---------===//
//
// For each kernel recorded by mixer-prepare-c-abi, emits
//   i32 name(DLTensor *t0, ..., DLTensor *tn)
// which asks the runtime to check every tensor against the signature and to
// bind the dynamic sizes (mixir_rt_bind, lib/Runtime), returns its error code
// on failure, and otherwise calls the kernel with compact row-major memref
// descriptors built from the bound sizes. The kernel itself gets internal
// linkage: only the entry points are exported.
//
//===----------------------------------------------------------------------===//
#include "mixir/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/StringSet.h"

namespace mixir {
#define GEN_PASS_DEF_MIXEREXPORTCABI
#include "mixir/Conversion/Passes.h.inc"
} // namespace mixir

using namespace mlir;
using namespace mixir;

namespace {
constexpr StringLiteral kBindFn = "mixir_rt_bind_device";

/// The runtime function `name` of `type`, declared if needed.
LLVM::LLVMFuncOp getOrDeclare(ModuleOp module, StringRef name,
                              LLVM::LLVMFunctionType type) {
  if (auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return fn;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  return LLVM::LLVMFuncOp::create(b, module.getLoc(), name, type);
}

LLVM::LLVMFuncOp getOrDeclareBind(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i32 = IntegerType::get(ctx, 32);
  return getOrDeclare(
      module, kBindFn,
      LLVM::LLVMFunctionType::get(i32, {ptr, i32, i32, i32, ptr, ptr, i32, ptr}));
}

struct MixerExportCAbiPass
    : public mixir::impl::MixerExportCAbiBase<MixerExportCAbiPass> {
  using Base::Base;
  LogicalResult exportOne(DictionaryAttr entry);
  void runOnOperation() override {
    auto abi = getOperation()->getAttrOfType<ArrayAttr>(kCAbiAttrName);
    if (!abi)
      return;
    // Only the entry points are exported: helpers the lowering made (such
    // as the deallocation helper) would clash between two kernels' objects.
    llvm::StringSet<> entryPoints;
    for (Attribute entry : abi)
      entryPoints.insert(
          cast<DictionaryAttr>(entry).getAs<StringAttr>("name").getValue());
    for (auto fn : getOperation().getOps<LLVM::LLVMFuncOp>())
      if (!fn.isExternal() && !entryPoints.contains(fn.getName()))
        fn.setLinkage(LLVM::Linkage::Internal);
    for (Attribute entry : abi)
      if (failed(exportOne(cast<DictionaryAttr>(entry))))
        return signalPassFailure();
  }
};
} // namespace

LogicalResult MixerExportCAbiPass::exportOne(DictionaryAttr entry) {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();
  StringRef name = entry.getAs<StringAttr>("name").getValue();
  StringRef implName = entry.getAs<StringAttr>("impl").getValue();
  StringRef signature = entry.getAs<StringAttr>("signature").getValue();
  int64_t numSymbols = entry.getAs<IntegerAttr>("num_symbols").getInt();
  ArrayAttr dims = entry.getAs<ArrayAttr>("dims");

  auto impl = module.lookupSymbol<LLVM::LLVMFuncOp>(implName);
  if (!impl)
    return module.emitError() << "mixer-export-c-abi: kernel '" << implName
                              << "' was not lowered to the LLVM dialect";
  // The kernel takes, per tensor, (allocated, aligned, offset, sizes...,
  // strides...): check that is what the lowering produced.
  unsigned expected = 0;
  for (Attribute d : dims)
    expected += 3 + 2 * cast<DenseI64ArrayAttr>(d).size();
  if (impl.getNumArguments() != expected)
    return impl.emitError() << "mixer-export-c-abi: expected " << expected
                            << " descriptor arguments, found "
                            << impl.getNumArguments();
  impl.setLinkage(LLVM::Linkage::Internal);

  LLVM::LLVMFuncOp bind = getOrDeclareBind(module);
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i32 = IntegerType::get(ctx, 32);
  auto i64 = IntegerType::get(ctx, 64);
  const unsigned n = dims.size();
  auto type =
      LLVM::LLVMFunctionType::get(i32, SmallVector<Type>(n, ptr));
  OpBuilder top = OpBuilder::atBlockEnd(module.getBody());
  auto entryFn = LLVM::LLVMFuncOp::create(top, impl.getLoc(), name, type);
  Block *body = entryFn.addEntryBlock(top);
  ImplicitLocOpBuilder b(impl.getLoc(), ctx);
  b.setInsertionPointToStart(body);

  auto c32 = [&](int64_t v) {
    return LLVM::ConstantOp::create(b, i32, b.getI32IntegerAttr(v));
  };
  auto c64 = [&](int64_t v) {
    return LLVM::ConstantOp::create(b, i64, b.getI64IntegerAttr(v));
  };
  auto slot = [&](Value base, Type elem, int64_t i) {
    return LLVM::GEPOp::create(b, ptr, elem, base,
                               ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
  };

  // The device every tensor must be on: a constant, or what the target's
  // begin function says.
  Value deviceId = c32(0);
  if (!beginFunction.empty()) {
    LLVM::LLVMFuncOp begin = getOrDeclare(
        module, beginFunction, LLVM::LLVMFunctionType::get(i32, {ptr}));
    Value slot = LLVM::AllocaOp::create(b, ptr, i32, c32(1));
    Value rc = LLVM::CallOp::create(b, begin, ValueRange{slot}).getResult();
    Block *started = entryFn.addBlock();
    Block *failed = entryFn.addBlock();
    LLVM::CondBrOp::create(
        b, LLVM::ICmpOp::create(b, LLVM::ICmpPredicate::eq, rc, c32(0)),
        started, failed);
    b.setInsertionPointToStart(failed);
    LLVM::ReturnOp::create(b, rc);
    b.setInsertionPointToStart(started);
    deviceId = LLVM::LoadOp::create(b, i32, slot);
  }
  Value tensors = LLVM::AllocaOp::create(b, ptr, ptr, c32(n));
  for (unsigned i = 0; i < n; ++i)
    LLVM::StoreOp::create(b, body->getArgument(i), slot(tensors, ptr, i));
  Value symbols =
      LLVM::AllocaOp::create(b, ptr, i64, c32(std::max<int64_t>(numSymbols, 1)));
  Value data = LLVM::AllocaOp::create(b, ptr, ptr, c32(n));
  // The runtime reads the signature as a C string: keep its terminator.
  std::string cString = signature.str();
  cString.push_back('\0');
  Value sig = LLVM::createGlobalString(b.getLoc(), b,
                                       (kImplPrefix + name + "_signature").str(),
                                       cString, LLVM::Linkage::Internal);
  Value rc = LLVM::CallOp::create(b, bind,
                                  ValueRange{sig, c32(deviceType), deviceId,
                                             c32(n), tensors, symbols,
                                             c32(numSymbols), data})
                 .getResult();
  Value ok = LLVM::ICmpOp::create(b, LLVM::ICmpPredicate::eq, rc, c32(0));
  Block *call = entryFn.addBlock();
  Block *fail = entryFn.addBlock();
  LLVM::CondBrOp::create(b, ok, call, fail);

  b.setInsertionPointToStart(fail);
  LLVM::ReturnOp::create(b, rc);

  b.setInsertionPointToStart(call);
  SmallVector<Value> symbolValues;
  for (int64_t s = 0; s < numSymbols; ++s)
    symbolValues.push_back(LLVM::LoadOp::create(b, i64, slot(symbols, i64, s)));
  SmallVector<Value> args;
  for (unsigned i = 0; i < n; ++i) {
    Value p = LLVM::LoadOp::create(b, ptr, slot(data, ptr, i));
    ArrayRef<int64_t> shape = cast<DenseI64ArrayAttr>(dims[i]).asArrayRef();
    SmallVector<Value> sizes;
    for (int64_t d : shape)
      sizes.push_back(d >= 0 ? Value(c64(d)) : symbolValues[-d - 1]);
    // Compact row-major strides, innermost first.
    SmallVector<Value> strides(shape.size());
    Value stride = c64(1);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      strides[d] = stride;
      stride = LLVM::MulOp::create(b, stride, sizes[d]);
    }
    args.append({p, p, c64(0)});
    llvm::append_range(args, sizes);
    llvm::append_range(args, strides);
  }
  LLVM::CallOp::create(b, impl, args);
  Value status =
      endFunction.empty()
          ? Value(c32(0))
          : LLVM::CallOp::create(b,
                                 getOrDeclare(module, endFunction,
                                              LLVM::LLVMFunctionType::get(i32, {})),
                                 ValueRange{})
                .getResult();
  LLVM::ReturnOp::create(b, ValueRange{status});
  return success();
}
