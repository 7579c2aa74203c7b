//===- SinkDestinations.cpp - each dispatch branch writes the caller's buffer ===//
//
//   %r = scf.if %c -> tensor { A; yield %a } else { B; yield %b }
//   bufferization.materialize_in_destination %r in writable %dest
// becomes
//   scf.if %c { A; materialize_in_destination %a in writable %dest }
//        else { B; materialize_in_destination %b in writable %dest }
// so that empty-tensor elimination can make each branch's tensor.empty the
// destination itself.
//
//===----------------------------------------------------------------------===//
#include "mixir/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERSINKDESTINATIONS
#include "mixir/Transforms/Passes.h.inc"
} // namespace mixir

using namespace mlir;

/// Rebuilds `ifOp` without its (unused) result `index`.
static void dropResult(PatternRewriter &rewriter, scf::IfOp ifOp,
                       unsigned index) {
  SmallVector<Type> types(ifOp.getResultTypes());
  types.erase(types.begin() + index);
  rewriter.setInsertionPoint(ifOp);
  auto newIf = scf::IfOp::create(rewriter, ifOp.getLoc(), types,
                                 ifOp.getCondition(), /*withElseRegion=*/true);
  for (auto [from, to] : {std::pair{&ifOp.getThenRegion(), &newIf.getThenRegion()},
                          std::pair{&ifOp.getElseRegion(), &newIf.getElseRegion()}}) {
    rewriter.eraseBlock(&to->front());
    rewriter.inlineRegionBefore(*from, *to, to->end());
    auto yield = cast<scf::YieldOp>(to->front().getTerminator());
    rewriter.modifyOpInPlace(yield,
                             [&] { yield->eraseOperand(index); });
  }
  SmallVector<Value> replacements;
  for (unsigned i = 0, n = ifOp.getNumResults(), j = 0; i < n; ++i)
    replacements.push_back(i == index ? Value() : newIf.getResult(j++));
  rewriter.replaceOp(ifOp, replacements);
}

namespace {
struct SinkMaterializeIntoIf
    : public OpRewritePattern<bufferization::MaterializeInDestinationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult
  matchAndRewrite(bufferization::MaterializeInDestinationOp op,
                  PatternRewriter &rewriter) const override {
    // Only the memref form (no result) with a destination from above.
    if (op->getNumResults() != 0)
      return rewriter.notifyMatchFailure(op, "tensor destination");
    auto result = dyn_cast<OpResult>(op.getSource());
    auto ifOp = result ? dyn_cast<scf::IfOp>(result.getOwner()) : nullptr;
    if (!ifOp || ifOp.getElseRegion().empty())
      return rewriter.notifyMatchFailure(op, "source is not an scf.if result");
    if (!result.hasOneUse())
      return rewriter.notifyMatchFailure(op, "the result has other uses");
    if (ifOp->isAncestor(op.getDest().getParentRegion()->getParentOp()))
      return rewriter.notifyMatchFailure(op, "destination defined inside");
    unsigned index = result.getResultNumber();
    for (Block *block : {ifOp.thenBlock(), ifOp.elseBlock()}) {
      auto yield = cast<scf::YieldOp>(block->getTerminator());
      rewriter.setInsertionPoint(yield);
      auto sunk = cast<bufferization::MaterializeInDestinationOp>(
          rewriter.clone(*op.getOperation()));
      rewriter.modifyOpInPlace(sunk, [&] {
        sunk.getSourceMutable().assign(yield.getOperand(index));
      });
    }
    rewriter.eraseOp(op);
    // Dropping the now unused result leaves each sunk op the only user of
    // its source, so that a nested dispatch is handled in turn.
    dropResult(rewriter, ifOp, index);
    return success();
  }
};

struct MixerSinkDestinationsPass
    : public mixir::impl::MixerSinkDestinationsBase<
          MixerSinkDestinationsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    mixir::populateSinkDestinationsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mixir::populateSinkDestinationsPatterns(RewritePatternSet &patterns) {
  patterns.add<SinkMaterializeIntoIf>(patterns.getContext());
}
