//===- LoopStateInPlace.cpp - loop-carried tensors updated in place --------===//
//
// In a work item (inside an scf.forall), a tensor an scf.for carries is
// written back into the iter_arg at the end of each iteration, so that
// one-shot bufferization gives it one buffer for the whole loop instead of a
// new one per iteration (which no fixed place in a GPU block can hold).
//
//===----------------------------------------------------------------------===//
#include "mixir/Codegen/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERLOOPSTATEINPLACE
#include "mixir/Codegen/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
struct MixerLoopStateInPlacePass
    : public mixir::impl::MixerLoopStateInPlaceBase<MixerLoopStateInPlacePass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](scf::ForOp loop) {
      if (!loop->getParentOfType<scf::ForallOp>())
        return;
      auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
      for (auto [arg, yielded] :
           llvm::zip(loop.getRegionIterArgs(), yield.getOperands())) {
        if (!isa<RankedTensorType>(arg.getType()) || yielded == arg)
          continue;
        rewriter.setInsertionPoint(yield);
        auto copy = linalg::CopyOp::create(rewriter, yield.getLoc(), yielded,
                                           arg);
        rewriter.modifyOpInPlace(yield, [&] {
          yield->setOperand(
              cast<BlockArgument>(arg).getArgNumber() - loop.getNumInductionVars(),
              copy.getResult(0));
        });
      }
    });
  }
};
} // namespace
