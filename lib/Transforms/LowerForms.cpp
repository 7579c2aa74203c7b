//===- LowerForms.cpp - every mixer op to the loops of its form ---------===//
//
// A dialect conversion in which every op implementing MixerOpInterface is
// illegal: one pattern asks the op's structure class (MixerFormInterface)
// to lower its form. An op left over — no form, no registered form model, a
// lowering that fails — is an error, never silently kept.
//
//===----------------------------------------------------------------------===//
#include "mixir/Transforms/Passes.h"

#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERLOWERFORMS
#include "mixir/Transforms/Passes.h.inc"
} // namespace mixir

using namespace mlir;
using namespace mixir;
using namespace mixir::mixer;

namespace {
struct LowerMixerForm
    : public OpInterfaceConversionPattern<MixerOpInterface> {
  using OpInterfaceConversionPattern::OpInterfaceConversionPattern;

  LogicalResult
  matchAndRewrite(MixerOpInterface op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    auto model = dyn_cast<MixerFormInterface>(op.getOperation());
    if (!op.getSelectedForm() || !model)
      return rewriter.notifyMatchFailure(op, "no form, or no form model");
    // The lowering reads the op's operands: make them the converted ones
    // (a mixer whose input is another mixer's output).
    rewriter.modifyOpInPlace(op, [&] { op->setOperands(operands); });
    return model.lowerForm(rewriter);
  }
};

/// Reports every mixer op the conversion could not lower for want of a form
/// or of its class's form models.
LogicalResult checkLowerable(Operation *root) {
  WalkResult walk = root->walk([](MixerOpInterface op) {
    if (!op.getSelectedForm()) {
      op->emitOpError()
          << "has no form: run mixer-select-form first, or pin one";
      return WalkResult::interrupt();
    }
    if (!getFormModel(op))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

struct MixerLowerFormsPass
    : public mixir::impl::MixerLowerFormsBase<MixerLowerFormsPass> {
  void runOnOperation() override {
    if (failed(checkLowerable(getOperation())))
      return signalPassFailure();
    ConversionTarget target(getContext());
    target.markUnknownOpDynamicallyLegal(
        [](Operation *op) { return !isa<MixerOpInterface>(op); });
    RewritePatternSet patterns(&getContext());
    populateLowerFormsPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    // Fold what the builders left foldable (constants hoisted and shared,
    // trivial index arithmetic), as a greedy lowering would have.
    if (failed(applyPatternsGreedily(getOperation(),
                                     FrozenRewritePatternSet())))
      signalPassFailure();
  }
};
} // namespace

void mixir::populateLowerFormsPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMixerForm>(patterns.getContext());
}
