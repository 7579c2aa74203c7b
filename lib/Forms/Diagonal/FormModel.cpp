//===- FormModel.cpp - the diagonal recurrences' MixerFormInterface ---------===//
//
// docs/forms-and-cost-model.md, "Diagonal recurrences": both forms do the
// same 2 flops per channel and step and are bound by memory; the
// parallel_scan form reads the chunks it splits twice, so it is costed
// higher and auto picks scan. Pinning parallel_scan buys the split at run
// time when the batch and the channel tiles leave workers idle (S = 1
// otherwise runs the scan). Its tile is the shortest chunk (default 1024
// steps).
//
//===----------------------------------------------------------------------===//
#include "DiagonalForms.h"

#include "mixir/Forms/Forms.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mixir;

namespace {
constexpr int64_t kMinChunk = 1024;

template <typename OpTy>
struct DiagonalRecurrenceFormModel
    : public mixer::MixerFormInterface::ExternalModel<
          DiagonalRecurrenceFormModel<OpTy>, OpTy> {
  int64_t getDefaultTile(Operation *, StringRef form) const {
    return form == mixer::kParallelScanForm ? kMinChunk : 0;
  }

  /// Per channel tile of one batch element: 2 flops per channel and step
  /// (8 for a complex decay), and for parallel_scan a second read of the
  /// chunks.
  double estimateCost(Operation *op, StringRef form, int64_t T,
                      int64_t) const {
    forms::diagonal::DiagonalParts parts(cast<OpTy>(op));
    int64_t channels = 1;
    for (int64_t d : parts.channels)
      channels *= d;
    double flops = parts.count == 1 ? 2.0 : 8.0;
    double scan = flops * channels * static_cast<double>(T);
    return form == mixer::kParallelScanForm ? 2.0 * scan : scan;
  }

  LogicalResult lowerForm(Operation *op, RewriterBase &rewriter) const {
    auto recurrence = cast<OpTy>(op);
    mixer::FormAttr form = recurrence.getFormAttr();
    forms::diagonal::DiagonalParts parts(recurrence);
    if (form.getKind() == mixer::kScanForm) {
      forms::diagonal::lowerScan(rewriter, std::move(parts));
      return success();
    }
    if (form.getKind() == mixer::kParallelScanForm) {
      forms::diagonal::lowerParallelScan(
          rewriter, std::move(parts),
          form.getTile() ? form.getTile() : kMinChunk);
      return success();
    }
    return op->emitOpError() << "has no lowering for form '"
                             << form.getKind() << "'";
  }
};
} // namespace

void mixir::forms::registerDiagonalRecurrenceFormModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, mixer::MixerDialect *) {
    mixer::DiagonalRecurrenceOp::attachInterface<
        DiagonalRecurrenceFormModel<mixer::DiagonalRecurrenceOp>>(*ctx);
    mixer::ComplexDiagonalRecurrenceOp::attachInterface<
        DiagonalRecurrenceFormModel<mixer::ComplexDiagonalRecurrenceOp>>(
        *ctx);
  });
}
