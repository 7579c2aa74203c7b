//===- LowerToRuntime.cpp - run-time queries as runtime calls ---------------===//
//
// `mixer.num_workers` → `arith.index_cast (func.call @mixir_rt_num_workers)`
// (the target's runtime function). On the CPU the runtime answers with the
// number of threads OpenMP will run the kernel's parallel loops on
// (lib/Runtime/Threads.c), on a GPU with the blocks that run at once
// (lib/Runtime/Cuda.c), so a form that splits work by it gives every worker
// a share.
//
//===----------------------------------------------------------------------===//
#include "RuntimeFunctions.h"

#include "mixir/Conversion/Passes.h"
#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERLOWERTORUNTIME
#include "mixir/Conversion/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
struct LowerNumWorkers : public OpRewritePattern<mixir::mixer::NumWorkersOp> {
  LowerNumWorkers(MLIRContext *ctx, StringRef function)
      : OpRewritePattern(ctx), function(function.str()) {}
  std::string function;
  LogicalResult matchAndRewrite(mixir::mixer::NumWorkersOp op,
                                PatternRewriter &rewriter) const override {
    auto module = op->getParentOfType<ModuleOp>();
    if (!module)
      return rewriter.notifyMatchFailure(op, "not inside a module");
    func::FuncOp fn = mixir::declareRuntimeFunction(
        rewriter, module, function,
        rewriter.getFunctionType({}, {rewriter.getI32Type()}));
    auto call = func::CallOp::create(rewriter, op.getLoc(), fn, ValueRange{});
    rewriter.replaceOpWithNewOp<arith::IndexCastOp>(
        op, rewriter.getIndexType(), call.getResult(0));
    return success();
  }
};

struct MixerLowerToRuntimePass
    : public mixir::impl::MixerLowerToRuntimeBase<MixerLowerToRuntimePass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Type i32 = IntegerType::get(&getContext(), 32);
    if (failed(mixir::checkRuntimeFunction(
            module, numWorkersFunction,
            FunctionType::get(&getContext(), {}, {i32}))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    mixir::populateLowerToRuntimePatterns(patterns, numWorkersFunction);
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mixir::populateLowerToRuntimePatterns(RewritePatternSet &patterns,
                                           StringRef numWorkersFunction) {
  patterns.add<LowerNumWorkers>(patterns.getContext(), numWorkersFunction);
}
