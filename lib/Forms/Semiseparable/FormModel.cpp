//===- FormModel.cpp - mixer.semiseparable's MixerFormInterface -------------===//
#include "SemiseparableForms.h"

#include "mixir/Forms/Forms.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms::semiseparable;

namespace {
struct SemiseparableFormModel
    : public mixer::MixerFormInterface::ExternalModel<SemiseparableFormModel,
                                                      mixer::SemiseparableOp> {
  int64_t getDefaultTile(Operation *op, StringRef form) const {
    return defaultTile(Problem(cast<mixer::SemiseparableOp>(op)), form);
  }

  double estimateCost(Operation *op, StringRef form, int64_t T,
                      int64_t tile) const {
    return forms::semiseparable::estimateCost(
        Problem(cast<mixer::SemiseparableOp>(op)), form, T, tile);
  }

  LogicalResult lowerForm(Operation *op, RewriterBase &rewriter) const {
    auto mixerOp = cast<mixer::SemiseparableOp>(op);
    mixer::FormAttr form = mixerOp.getFormAttr();
    Problem p(mixerOp);
    StringRef kind = form.getKind();
    int64_t tile = form.getTile() ? form.getTile() : defaultTile(p, kind);
    if (kind == mixer::kScanForm)
      lowerScan(rewriter, p);
    else if (kind == kChunkedForm)
      lowerChunked(rewriter, p, tile);
    else if (kind == kQuadraticForm)
      lowerQuadratic(rewriter, p, tile);
    else
      return op->emitOpError() << "has no lowering for form '" << kind << "'";
    return success();
  }
};
} // namespace

void mixir::forms::registerSemiseparableFormModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, mixer::MixerDialect *) {
    mixer::SemiseparableOp::attachInterface<SemiseparableFormModel>(*ctx);
  });
}
