//===- SelectForm.cpp - choose the algorithm form of each mixer ---------===//
#include "mixir/Transforms/CostModel.h"
#include "mixir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERSELECTFORM
#include "mixir/Transforms/Passes.h.inc"
} // namespace mixir

using namespace mlir;
using namespace mixir;
using namespace mixir::mixer;

namespace {
FormAttr makeForm(MLIRContext *ctx, FormKind kind, int64_t chunkSize) {
  return FormAttr::get(ctx, kind, kind == FormKind::scan ? 0 : chunkSize);
}

/// Replaces `op` by an `scf.if` chain on its length: one copy of the op per
/// range of `ranges`, each with that range's form.
void versionOnLength(SemiseparableOp op, ArrayRef<FormRange> ranges,
                     int64_t chunkSize) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value T = tensor::DimOp::create(b, loc, op.getQ(), 1);

  // Builds the chain from range `i` on, at the builder's insertion point.
  std::function<SmallVector<Value>(OpBuilder &, size_t)> build =
      [&](OpBuilder &nb, size_t i) -> SmallVector<Value> {
    const FormRange &range = ranges[i];
    auto copyWith = [&](OpBuilder &cb) {
      Operation *clone = cb.clone(*op);
      cast<SemiseparableOp>(clone).setFormAttr(
          makeForm(cb.getContext(), range.kind, chunkSize));
      return SmallVector<Value>(clone->getResults());
    };
    if (range.upperBound < 0)
      return copyWith(nb);
    Value bound = arith::ConstantIndexOp::create(nb, loc, range.upperBound);
    Value below =
        arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::slt, T, bound);
    // Result types are inferred from the yielded copies.
    auto ifOp = scf::IfOp::create(
        nb, loc, below,
        [&](OpBuilder &tb, Location l) {
          scf::YieldOp::create(tb, l, copyWith(tb));
        },
        [&](OpBuilder &eb, Location l) {
          scf::YieldOp::create(eb, l, build(eb, i + 1));
        });
    return SmallVector<Value>(ifOp.getResults());
  };
  SmallVector<Value> results = build(b, 0);
  op->replaceAllUsesWith(results);
  op->erase();
}

struct MixerSelectFormPass
    : public mixir::impl::MixerSelectFormBase<MixerSelectFormPass> {
  using MixerSelectFormBase::MixerSelectFormBase;

  void runOnOperation() override {
    std::optional<FormKind> pinned;
    if (form != "auto") {
      pinned = symbolizeFormKind(form);
      if (!pinned) {
        emitError(getOperation().getLoc())
            << "unknown form '" << form
            << "' (expected auto, scan, chunked or quadratic)";
        return signalPassFailure();
      }
    }
    if (chunkSize < 0 || chunkSize > kMaxTile) {
      emitError(getOperation().getLoc())
          << "chunk-size must be between 1 and " << kMaxTile
          << " (or 0 for the cost model's choice), got "
          << static_cast<int64_t>(chunkSize);
      return signalPassFailure();
    }

    SmallVector<SemiseparableOp> ops;
    getOperation().walk([&](SemiseparableOp op) {
      if (!op.getFormAttr())
        ops.push_back(op);
    });
    MLIRContext *ctx = &getContext();
    for (SemiseparableOp op : ops) {
      if (pinned) {
        op.setFormAttr(makeForm(ctx, *pinned, chunkSize));
        continue;
      }
      int64_t T = op.getQ().getType().getDimSize(1);
      if (!ShapedType::isDynamic(T)) {
        op.setFormAttr(makeForm(ctx, chooseForm(op, T), chunkSize));
        continue;
      }
      SmallVector<FormRange> ranges = chooseFormRanges(op);
      if (ranges.size() == 1)
        op.setFormAttr(makeForm(ctx, ranges.front().kind, chunkSize));
      else
        versionOnLength(op, ranges, chunkSize);
    }
  }
};
} // namespace
