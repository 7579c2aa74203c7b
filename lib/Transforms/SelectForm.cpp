//===- SelectForm.cpp - choose the algorithm form of each mixer ---------===//
//
// Written against the op interfaces only: the forms an op has, their costs
// and default tiles come from the op (docs/forms-and-cost-model.md).
//
//===----------------------------------------------------------------------===//
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
/// The form `name` of `op` with `tile` (0 = the cost model's), or null with
/// a diagnostic on the op when it has no such form, the form takes no tile,
/// or a smaller one.
FormAttr makeForm(MixerOpInterface op, MixerFormInterface model,
                  StringRef name, int64_t tile) {
  if (failed(checkForm(op, name, tile)))
    return nullptr;
  if (tile != 0 && model.getDefaultTile(name) == 0) {
    op->emitOpError() << "form '" << name << "' takes no tile size";
    return nullptr;
  }
  return FormAttr::get(op->getContext(), name, tile);
}

/// Replaces `op` by an `scf.if` chain on its length: one copy of the op per
/// range of `ranges`, each with that range's form.
void versionOnLength(MixerOpInterface op, std::pair<Value, unsigned> length,
                     ArrayRef<FormRange> ranges,
                     llvm::function_ref<FormAttr(StringRef)> formOf) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value T = tensor::DimOp::create(b, loc, length.first, length.second);

  // Builds the chain from range `i` on, at the builder's insertion point.
  std::function<SmallVector<Value>(OpBuilder &, size_t)> build =
      [&](OpBuilder &nb, size_t i) -> SmallVector<Value> {
    const FormRange &range = ranges[i];
    auto copyWith = [&](OpBuilder &cb) {
      auto clone = cast<MixerOpInterface>(cb.clone(*op));
      clone.setSelectedForm(formOf(range.form));
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

  LogicalResult select(MixerOpInterface op);

  void runOnOperation() override {
    if (chunkSize < 0 || chunkSize > kMaxTile) {
      emitError(getOperation().getLoc())
          << "chunk-size must be between 1 and " << kMaxTile
          << " (or 0 for the cost model's choice), got "
          << static_cast<int64_t>(chunkSize);
      return signalPassFailure();
    }
    if (target != "cpu" && target != "gpu") {
      emitError(getOperation().getLoc())
          << "target must be cpu or gpu, got '" << target << "'";
      return signalPassFailure();
    }
    if (target == "gpu")
      getOperation()->setAttr(mixer::kTargetAttrName,
                              StringAttr::get(&getContext(), "gpu"));
    SmallVector<MixerOpInterface> ops;
    getOperation().walk([&](MixerOpInterface op) {
      if (!op.getSelectedForm())
        ops.push_back(op);
    });
    bool failed = false;
    for (MixerOpInterface op : ops)
      failed |= mlir::failed(select(op));
    if (failed)
      signalPassFailure();
  }
};
} // namespace

LogicalResult MixerSelectFormPass::select(MixerOpInterface op) {
  MixerFormInterface model = getFormModel(op);
  if (!model)
    return failure();
  if (form != "auto") {
    FormAttr pinned = makeForm(op, model, form, chunkSize);
    if (!pinned)
      return failure();
    op.setSelectedForm(pinned);
    return success();
  }
  // A chunk size given with auto applies to whichever tiled form is used.
  for (StringRef name : op.getForms())
    if (model.getDefaultTile(name) && failed(checkForm(op, name, chunkSize)))
      return failure();
  auto chosen = [&](StringRef name) {
    return FormAttr::get(op->getContext(), name,
                         model.getDefaultTile(name) ? chunkSize : 0);
  };
  std::optional<std::pair<Value, unsigned>> length = lengthDimension(op);
  int64_t T = 1;
  if (length)
    T = cast<ShapedType>(length->first.getType()).getDimSize(length->second);
  if (!ShapedType::isDynamic(T)) {
    op.setSelectedForm(chosen(chooseForm(op, T)));
    return success();
  }
  SmallVector<FormRange> ranges = chooseFormRanges(op);
  if (ranges.size() == 1)
    op.setSelectedForm(chosen(ranges.front().form));
  else
    versionOnLength(op, *length, ranges, chosen);
  return success();
}
