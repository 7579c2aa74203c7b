//===- FuseRecurrenceSteps.cpp - one loop nest per recurrence step -------===//
//
// The scan form of a mixer.recurrence clones the body into its loop over the
// steps (scf.for marked `mixer.recurrence_step`), where the body is a chain
// of linalg.generics over the step's state tile. Mamba-1's step, for one,
// is five loop nests, each through a buffer of its own:
//
//   a  = exp(δ ⊙ A)          (elementwise)
//   b  = δ ⊙ B ⊙ x           (elementwise)
//   p  = a ⊙ h ; h' = p + b  (elementwise)
//   y  = Σ_n C[n] h'[n, d]   (reduction over n, parallel over d)
//
// This pass
//   1. fuses every element-wise producer inside a step into its consumers
//      in the same step (upstream linalg element-wise fusion; a producer
//      result that something else uses, such as the new state the step
//      yields, stays a result of the fused op), which leaves h' and y one
//      loop nest: the state sweep that mixer-vectorize-contractions keeps in
//      vector registers;
//   2. updates the state in place: where the op that computes a new state
//      reads the step's old state at the same indices as it writes the new
//      one, and nothing else reads the old state, the old state becomes that
//      output's initial value and the body reads it from there, so that the
//      step neither allocates nor copies a state tile.
//
//===----------------------------------------------------------------------===//
#include "mixir/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERFUSERECURRENCESTEPS
#include "mixir/Transforms/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
constexpr llvm::StringLiteral kStepAttr = "mixer.recurrence_step";

/// The marked step loop `op` sits in directly, or null.
scf::ForOp stepOf(Operation *op) {
  auto loop = dyn_cast_or_null<scf::ForOp>(op->getParentOp());
  return loop && loop->hasAttr(kStepAttr) ? loop : nullptr;
}

/// Makes the output of `op` whose result the step yields as a state update
/// that state in place (2. above); returns whether it did.
bool updateInPlace(scf::ForOp loop, linalg::GenericOp op) {
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  for (OpResult result : op->getResults()) {
    for (OpOperand &use : result.getUses()) {
      if (use.getOwner() != yield)
        continue;
      BlockArgument old = loop.getRegionIterArg(use.getOperandNumber());
      OpOperand *init = op.getDpsInitOperand(result.getResultNumber());
      if (init->get() == old || !old.hasOneUse() ||
          old.getType() != init->get().getType())
        continue;
      // The one use of the old state: an input of `op` read at the indices
      // the new state is written at; the output's own initial value unread.
      OpOperand *input = &*old.getUses().begin();
      if (input->getOwner() != op.getOperation() || !op.isDpsInput(input) ||
          op.getMatchingIndexingMap(input) != op.getMatchingIndexingMap(init) ||
          !op.getMatchingBlockArgument(init).use_empty())
        continue;
      SmallVector<Value> inputs, outputs(op.getDpsInits());
      SmallVector<AffineMap> maps;
      for (OpOperand *in : op.getDpsInputOperands())
        if (in != input) {
          inputs.push_back(in->get());
          maps.push_back(op.getMatchingIndexingMap(in));
        }
      for (OpOperand &out : op.getDpsInitsMutable())
        maps.push_back(op.getMatchingIndexingMap(&out));
      outputs[result.getResultNumber()] = old;
      OpBuilder b(op);
      auto fused = linalg::GenericOp::create(
          b, op.getLoc(), op->getResultTypes(), inputs, outputs, maps,
          op.getIteratorTypesArray());
      fused.getRegion().takeBody(op.getRegion());
      Block &body = fused.getRegion().front();
      BlockArgument inArg = body.getArgument(input->getOperandNumber());
      inArg.replaceAllUsesWith(
          body.getArgument(op.getNumDpsInputs() + result.getResultNumber()));
      body.eraseArgument(inArg.getArgNumber());
      op->replaceAllUsesWith(fused->getResults());
      op->erase();
      return true;
    }
  }
  return false;
}

/// Merges an element-wise producer whose result has other uses (the new
/// state the step yields) into a consumer with reduction loops that reads
/// it at the consumer's own indices (the read-out Σ_n C h'): one op that
/// computes the producer's value once, yields it as a further result and
/// feeds it to the consumer's body. Upstream fusion would instead keep the
/// producer and compute its value twice. Returns whether it merged.
bool mergeIntoReduction(linalg::GenericOp consumer) {
  if (consumer.getNumReductionLoops() == 0 ||
      !consumer.hasPureTensorSemantics())
    return false;
  for (OpOperand *fused : consumer.getDpsInputOperands()) {
    auto producer = fused->get().getDefiningOp<linalg::GenericOp>();
    if (!producer || !stepOf(producer) ||
        stepOf(producer) != stepOf(consumer) || producer->getNumResults() != 1 ||
        !producer.hasPureTensorSemantics() ||
        producer.getNumParallelLoops() != producer.getNumLoops() ||
        producer.getNumLoops() != consumer.getNumLoops() ||
        !producer.getIndexingMapsArray().back().isIdentity() ||
        !consumer.getMatchingIndexingMap(fused).isIdentity() ||
        !producer.getMatchingBlockArgument(producer.getDpsInitOperand(0))
             .use_empty())
      continue;
    // Every other user of the producer comes after the consumer, so that the
    // merged op (at the consumer) dominates them.
    if (llvm::any_of(producer->getUsers(), [&](Operation *user) {
          return user != consumer && user->isBeforeInBlock(consumer);
        }))
      continue;
    SmallVector<Value> inputs(producer.getDpsInputs());
    SmallVector<AffineMap> maps;
    for (OpOperand *in : producer.getDpsInputOperands())
      maps.push_back(producer.getMatchingIndexingMap(in));
    for (OpOperand *in : consumer.getDpsInputOperands())
      if (in != fused) {
        inputs.push_back(in->get());
        maps.push_back(consumer.getMatchingIndexingMap(in));
      }
    SmallVector<Value> outputs(consumer.getDpsInits());
    for (OpOperand &out : consumer.getDpsInitsMutable())
      maps.push_back(consumer.getMatchingIndexingMap(&out));
    outputs.push_back(producer.getDpsInits()[0]);
    maps.push_back(producer.getIndexingMapsArray().back());
    SmallVector<Type> types(consumer->getResultTypes());
    types.push_back(producer->getResult(0).getType());

    OpBuilder b(consumer);
    auto merged = linalg::GenericOp::create(
        b, consumer.getLoc(), types, inputs, outputs, maps,
        consumer.getIteratorTypesArray(),
        [&](OpBuilder &nb, Location loc, ValueRange args) {
          IRMapping map;
          Block &pBody = producer.getRegion().front();
          const unsigned pIn = producer.getNumDpsInputs();
          for (unsigned i = 0; i < pIn; ++i)
            map.map(pBody.getArgument(i), args[i]);
          for (Operation &op : pBody.without_terminator())
            nb.clone(op, map);
          Value value = map.lookupOrDefault(
              pBody.getTerminator()->getOperand(0));
          Block &cBody = consumer.getRegion().front();
          unsigned next = pIn;
          for (OpOperand *in : consumer.getDpsInputOperands())
            map.map(consumer.getMatchingBlockArgument(in),
                    in == fused ? value : args[next++]);
          for (OpOperand &out : consumer.getDpsInitsMutable())
            map.map(consumer.getMatchingBlockArgument(&out), args[next++]);
          for (Operation &op : cBody.without_terminator())
            nb.clone(op, map);
          SmallVector<Value> yielded;
          for (Value v : cBody.getTerminator()->getOperands())
            yielded.push_back(map.lookupOrDefault(v));
          yielded.push_back(value);
          linalg::YieldOp::create(nb, loc, yielded);
        });
    consumer->replaceAllUsesWith(
        merged->getResults().take_front(consumer->getNumResults()));
    consumer->erase();
    producer->getResult(0).replaceAllUsesWith(merged->getResults().back());
    producer->erase();
    return true;
  }
  return false;
}

struct MixerFuseRecurrenceStepsPass
    : public mixir::impl::MixerFuseRecurrenceStepsBase<
          MixerFuseRecurrenceStepsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *fused) {
          // Only producers the consumer is the one user of: upstream
          // fusion keeps a producer with other users and computes its value
          // twice (mergeIntoReduction takes the read-out's case).
          Operation *producer = fused->get().getDefiningOp();
          scf::ForOp step = stepOf(fused->getOwner());
          return producer && step && stepOf(producer) == step &&
                 producer->hasOneUse();
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    getOperation()->walk([](scf::ForOp loop) {
      if (!loop->hasAttr(kStepAttr))
        return;
      bool merged = true;
      while (merged) {
        merged = false;
        for (Operation &op : *loop.getBody())
          if (auto generic = dyn_cast<linalg::GenericOp>(op))
            if ((merged = mergeIntoReduction(generic)))
              break;
      }
      for (Operation &op : llvm::make_early_inc_range(*loop.getBody()))
        if (auto generic = dyn_cast<linalg::GenericOp>(op))
          updateInPlace(loop, generic);
    });
  }
};
} // namespace
