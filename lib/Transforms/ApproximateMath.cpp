//===- ApproximateMath.cpp - vectorisable exp, exp2 and tanh -------------===//
#include "mixir/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERAPPROXIMATEMATH
#include "mixir/Transforms/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
struct MixerApproximateMathPass
    : public mixir::impl::MixerApproximateMathBase<MixerApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // exp2(x) = exp(x·ln 2) and sinh/cosh/tanh-like expansions first, then
    // the polynomials of exp, expm1, log, log1p and tanh.
    math::populateExpansionPatterns(patterns, {"exp2"});
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) {
          return name == "math.exp" || name == "math.tanh" ||
                 name == "math.expm1" || name == "math.log" ||
                 name == "math.log1p";
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
