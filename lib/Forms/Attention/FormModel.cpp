//===- FormModel.cpp - mixer.attention's MixerFormInterface -----------------===//
#include "AttentionForms.h"

#include "mixir/Forms/Forms.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms::attention;

namespace {
/// Query and key blocks of 64 rows: a 64×64 score tile and 64×D operand
/// tiles stay in L1 and L2 at D = 128.
constexpr int64_t kBlock = 64;

struct AttentionFormModel
    : public mixer::MixerFormInterface::ExternalModel<AttentionFormModel,
                                                      mixer::AttentionOp> {
  int64_t getDefaultTile(Operation *, StringRef form) const {
    return form == kFlashForm ? kBlock : 0;
  }

  double estimateCost(Operation *op, StringRef form, int64_t T,
                      int64_t tile) const {
    // Per (batch, head) of T queries against T keys: the two C×C by C×D
    // products of every block pair, 2·T²·(K+V).
    Problem p(cast<mixer::AttentionOp>(op));
    return 2.0 * T * T * (p.K + p.V);
  }

  LogicalResult lowerForm(Operation *op, RewriterBase &rewriter) const {
    auto attention = cast<mixer::AttentionOp>(op);
    mixer::FormAttr form = attention.getFormAttr();
    if (form.getKind() != kFlashForm)
      return op->emitOpError() << "has no lowering for form '"
                               << form.getKind() << "'";
    int64_t tile = form.getTile() ? form.getTile() : kBlock;
    lowerFlash(rewriter, Problem(attention), tile, tile);
    return success();
  }
};
} // namespace

void mixir::forms::registerAttentionFormModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, mixer::MixerDialect *) {
    mixer::AttentionOp::attachInterface<AttentionFormModel>(*ctx);
  });
}
