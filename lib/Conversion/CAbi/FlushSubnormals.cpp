//===- FlushSubnormals.cpp - kernels run with subnormals flushed to zero ----===//
//
// Every kernel behind a C entry point sets flush-to-zero on entry and
// restores the caller's control word before it returns; so does every
// parallel loop body, as OpenMP runs it on worker threads (docs/abi.md,
// docs/math.md section 4.3).
//
//===----------------------------------------------------------------------===//
#include "RuntimeFunctions.h"

#include "mixir/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERFLUSHSUBNORMALS
#include "mixir/Conversion/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
struct MixerFlushSubnormalsPass
    : public mixir::impl::MixerFlushSubnormalsBase<MixerFlushSubnormalsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto exported = module->getAttrOfType<ArrayAttr>(mixir::kCAbiAttrName);
    if (!exported)
      return;
    if (failed(declare(module)))
      return signalPassFailure();
    for (Attribute entry : exported) {
      auto impl = cast<DictionaryAttr>(entry).getAs<StringAttr>("impl");
      auto fn = impl ? module.lookupSymbol<func::FuncOp>(impl) : nullptr;
      if (!fn || fn.isDeclaration())
        continue;
      // The caller's thread: around the whole body.
      OpBuilder b(fn.getBody());
      Value saved = begin(b, fn.getLoc());
      fn.walk([&](func::ReturnOp ret) {
        b.setInsertionPoint(ret);
        end(b, ret.getLoc(), saved);
      });
      // The workers: around each iteration of a parallel loop.
      fn.walk([&](scf::ParallelOp loop) {
        Block *body = loop.getBody();
        b.setInsertionPointToStart(body);
        Value inner = begin(b, loop.getLoc());
        b.setInsertionPoint(body->getTerminator());
        end(b, loop.getLoc(), inner);
      });
    }
  }

private:
  /// Declares the runtime's two functions, or finds them with the right
  /// types.
  LogicalResult declare(ModuleOp module) {
    MLIRContext *ctx = module.getContext();
    Type i32 = IntegerType::get(ctx, 32);
    auto beginType = FunctionType::get(ctx, {}, {i32});
    auto endType = FunctionType::get(ctx, {i32}, {});
    if (failed(mixir::checkRuntimeFunction(module, mixir::kFlushBeginFn,
                                           beginType)) ||
        failed(mixir::checkRuntimeFunction(module, mixir::kFlushEndFn,
                                           endType)))
      return failure();
    OpBuilder b(ctx);
    beginFn = mixir::declareRuntimeFunction(b, module, mixir::kFlushBeginFn,
                                            beginType);
    endFn =
        mixir::declareRuntimeFunction(b, module, mixir::kFlushEndFn, endType);
    return success();
  }
  Value begin(OpBuilder &b, Location loc) {
    return func::CallOp::create(b, loc, beginFn, ValueRange{}).getResult(0);
  }
  void end(OpBuilder &b, Location loc, Value saved) {
    func::CallOp::create(b, loc, endFn, ValueRange{saved});
  }

  func::FuncOp beginFn, endFn;
};
} // namespace
