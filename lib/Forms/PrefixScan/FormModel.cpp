//===- FormModel.cpp - mixer.prefix_scan's MixerFormInterface
//---------------===//
//
// docs/forms-and-cost-model.md, "Prefix scans": both forms run the element
// and combine regions once per step; parallel_scan runs them twice for the
// chunks it splits, so it is costed higher and auto picks scan. Pinning
// parallel_scan buys the split at run time when the batch leaves workers
// idle (S = 1 otherwise runs the scan). Its tile is the shortest chunk
// (default 256 steps).
//
//===----------------------------------------------------------------------===//
#include "PrefixScanForms.h"

#include "mixir/Forms/Forms.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mixir;

namespace {
constexpr int64_t kMinChunk = 256;

struct PrefixScanFormModel
    : public mixer::MixerFormInterface::ExternalModel<PrefixScanFormModel,
                                                      mixer::PrefixScanOp> {
  int64_t getDefaultTile(Operation *, StringRef form) const {
    return form == mixer::kParallelScanForm ? kMinChunk : 0;
  }

  /// T steps of the regions; twice for parallel_scan.
  double estimateCost(Operation *, StringRef form, int64_t T, int64_t) const {
    double scan = static_cast<double>(T);
    return form == mixer::kParallelScanForm ? 2.0 * scan : scan;
  }

  LogicalResult lowerForm(Operation *op, RewriterBase &rewriter) const {
    auto scan = cast<mixer::PrefixScanOp>(op);
    mixer::FormAttr form = scan.getFormAttr();
    if (form.getKind() == mixer::kScanForm) {
      forms::prefix_scan::lowerScan(rewriter, scan);
      return success();
    }
    if (form.getKind() == mixer::kParallelScanForm) {
      forms::prefix_scan::lowerParallelScan(
          rewriter, scan, form.getTile() ? form.getTile() : kMinChunk);
      return success();
    }
    return op->emitOpError()
           << "has no lowering for form '" << form.getKind() << "'";
  }
};
} // namespace

void mixir::forms::registerPrefixScanFormModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, mixer::MixerDialect *) {
    mixer::PrefixScanOp::attachInterface<PrefixScanFormModel>(*ctx);
  });
}
