//===- MappedToCpu.cpp - a mapped program run on the CPU -------------------===//
//
// The GPU path's test mode (docs/gpu.md): thread loops run their threads in
// sequence, barriers go, block loops stay parallel loops.
//
//===----------------------------------------------------------------------===//
#include "mixir/Codegen/Passes.h"

#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERMAPPEDTOCPU
#include "mixir/Codegen/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
struct MixerMappedToCpuPass
    : public mixir::impl::MixerMappedToCpuBase<MixerMappedToCpuPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<scf::ForallOp> threadLoops, blockLoops;
    SmallVector<gpu::BarrierOp> barriers;
    getOperation().walk([&](Operation *op) {
      if (auto forall = dyn_cast<scf::ForallOp>(op)) {
        if (mixir::isThreadLoop(forall))
          threadLoops.push_back(forall);
        else if (mixir::isBlockLoop(forall))
          blockLoops.push_back(forall);
      } else if (auto barrier = dyn_cast<gpu::BarrierOp>(op)) {
        barriers.push_back(barrier);
      }
    });
    for (gpu::BarrierOp barrier : barriers)
      rewriter.eraseOp(barrier);
    for (scf::ForallOp loop : threadLoops) {
      rewriter.setInsertionPoint(loop);
      if (failed(scf::forallToForLoop(rewriter, loop))) {
        loop.emitError("mixer-mapped-to-cpu: cannot run this thread loop in "
                       "sequence");
        return signalPassFailure();
      }
    }
    for (scf::ForallOp loop : blockLoops)
      loop.removeMappingAttr();
  }
};
} // namespace
