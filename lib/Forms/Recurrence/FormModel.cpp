//===- FormModel.cpp - mixer.recurrence's MixerFormInterface ----------------===//
#include "RecurrenceForms.h"

#include "mixir/Forms/Forms.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mixir;

namespace {
struct RecurrenceFormModel
    : public mixer::MixerFormInterface::ExternalModel<RecurrenceFormModel,
                                                      mixer::RecurrenceOp> {
  int64_t getDefaultTile(Operation *, StringRef) const { return 0; }

  /// One form: its cost only needs to be finite (T steps of the body).
  double estimateCost(Operation *, StringRef, int64_t T, int64_t) const {
    return static_cast<double>(T);
  }

  LogicalResult lowerForm(Operation *op, RewriterBase &rewriter) const {
    auto recurrence = cast<mixer::RecurrenceOp>(op);
    if (recurrence.getFormAttr().getKind() != mixer::kScanForm)
      return op->emitOpError() << "has no lowering for form '"
                               << recurrence.getFormAttr().getKind() << "'";
    forms::recurrence::lowerScan(rewriter, recurrence);
    return success();
  }
};
} // namespace

void mixir::forms::registerRecurrenceFormModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, mixer::MixerDialect *) {
    mixer::RecurrenceOp::attachInterface<RecurrenceFormModel>(*ctx);
  });
}
