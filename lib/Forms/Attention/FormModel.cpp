//===- FormModel.cpp - mixer.attention's MixerFormInterface -----------------===//
//
// docs/forms-and-cost-model.md, "Attention": the cost of a form per
// (batch, query head) of T queries, per key (both forms visit every key, so
// the key count is a common factor): the rows their tiles compute, padded
// to whole query blocks, times 2·(K+V) flops. The decode form's query
// blocks are small (about 16 rows per kv head), so its rows cost
// kDecodeOverhead times more each (small tiles, every query block streaming
// the keys again, the merge): it wins for a few queries, where the flash
// form would pad one query to a block of 64.
//
//===----------------------------------------------------------------------===//
#include "AttentionForms.h"

#include "mixir/Forms/Forms.h"

#include "mlir/IR/DialectRegistry.h"

#include <algorithm>

using namespace mlir;
using namespace mixir;
using namespace mixir::forms::attention;

namespace {
/// Query and key blocks of 64 rows: a (G·64)×64 score tile and 64×D operand
/// tiles stay in L2 at D = 128.
constexpr int64_t kBlock = 64;
constexpr double kDecodeOverhead = 4.0;

/// The decode form's query block: about 16 rows for the G heads of a kv
/// head together.
int64_t decodeQueryBlock(const Problem &p) {
  return std::max<int64_t>(1, 16 / (p.Hq / p.Hkv));
}

int64_t roundUp(int64_t T, int64_t C) { return (T + C - 1) / C * C; }

struct AttentionFormModel
    : public mixer::MixerFormInterface::ExternalModel<AttentionFormModel,
                                                      mixer::AttentionOp> {
  int64_t getDefaultTile(Operation *, StringRef form) const {
    return form == kFlashForm || form == kDecodeForm ? kBlock : 0;
  }

  double estimateCost(Operation *op, StringRef form, int64_t T,
                      int64_t tile) const {
    Problem p(cast<mixer::AttentionOp>(op));
    const double perRow = 2.0 * (p.K + p.V);
    if (form == kDecodeForm)
      return kDecodeOverhead * perRow * roundUp(T, decodeQueryBlock(p));
    return perRow * roundUp(T, tile ? tile : kBlock);
  }

  LogicalResult lowerForm(Operation *op, RewriterBase &rewriter) const {
    auto attention = cast<mixer::AttentionOp>(op);
    mixer::FormAttr form = attention.getFormAttr();
    int64_t tile = form.getTile() ? form.getTile() : kBlock;
    Problem p(attention);
    if (form.getKind() == kFlashForm) {
      lowerFlash(rewriter, p, tile, tile);
      return success();
    }
    if (form.getKind() == kDecodeForm) {
      lowerDecode(rewriter, p, decodeQueryBlock(p), tile);
      return success();
    }
    return op->emitOpError() << "has no lowering for form '"
                             << form.getKind() << "'";
  }
};
} // namespace

void mixir::forms::registerAttentionFormModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, mixer::MixerDialect *) {
    mixer::AttentionOp::attachInterface<AttentionFormModel>(*ctx);
  });
}
