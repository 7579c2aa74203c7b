//===- ApproximateMath.cpp - vectorisable exp, exp2, expm1, log and tanh ---===//
#include "mixir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERAPPROXIMATEMATH
#include "mixir/Transforms/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
/// expm1(x) on f32 without a division: for |x| < 1/2 its Taylor polynomial
/// to degree 8 (the first term left out, x⁹/9!, is below 1.5e-8 of the
/// result there), else exp(x) − 1 (|result| ≥ 0.39, so exp's few-ulp error
/// stays a few ulp). Upstream's expm1 divides by log(exp(x)) instead,
/// which costs about as much as the rest of RG-LRU's step (docs/math.md,
/// section 4.3).
struct ExpM1ByPolynomial : public OpRewritePattern<math::ExpM1Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::ExpM1Op op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!type.isF32() && !(isa<VectorType>(type) &&
                           cast<VectorType>(type).getElementType().isF32()))
      return rewriter.notifyMatchFailure(op, "not an f32 scalar or vector");
    Location loc = op.getLoc();
    auto constant = [&](double v) -> Value {
      auto attr = rewriter.getF32FloatAttr(v);
      if (auto vec = dyn_cast<VectorType>(type))
        return arith::ConstantOp::create(rewriter, loc,
                                         DenseElementsAttr::get(vec, attr));
      return arith::ConstantOp::create(rewriter, loc, attr);
    };
    Value x = op.getOperand();
    // Horner: x·(1 + x·(1/2 + x·(1/6 + ... + x/8!))).
    double factorial = 40320.0; // 8!
    Value p = constant(1.0 / factorial);
    for (int n = 7; n >= 1; --n) {
      factorial /= n + 1;
      p = math::FmaOp::create(rewriter, loc, p, x, constant(1.0 / factorial));
    }
    p = arith::MulFOp::create(rewriter, loc, p, x);
    Value viaExp = arith::SubFOp::create(
        rewriter, loc, math::ExpOp::create(rewriter, loc, x), constant(1.0));
    Value small = arith::CmpFOp::create(
        rewriter, loc, arith::CmpFPredicate::OLT,
        math::AbsFOp::create(rewriter, loc, x), constant(0.5));
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, small, p, viaExp);
    return success();
  }
};

struct MixerApproximateMathPass
    : public mixir::impl::MixerApproximateMathBase<MixerApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // exp2(x) = exp(x·ln 2) and sinh/cosh/tanh-like expansions first, then
    // the polynomials of exp, expm1, log, log1p and tanh.
    math::populateExpansionPatterns(patterns, {"exp2"});
    patterns.add<ExpM1ByPolynomial>(&getContext(), /*benefit=*/2);
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
