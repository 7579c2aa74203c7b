//===- StepRegions.cpp - checks shared by ops that run a region per step
//---===//
#include "StepRegions.h"

#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mixir::mixer;

RankedTensorType mixir::mixer::detail::stepType(RankedTensorType type,
                                                unsigned drop) {
  return RankedTensorType::get(type.getShape().drop_front(drop),
                               Float32Type::get(type.getContext()));
}

LogicalResult mixir::mixer::detail::verifyPureRegion(Region &region,
                                                     Operation *terminator,
                                                     StringRef where) {
  WalkResult walk = region.walk([&](Operation *inner) {
    if (isa<MixerOpInterface>(inner)) {
      inner->emitOpError() << "may not be nested in " << where;
      return WalkResult::interrupt();
    }
    if (inner == terminator || isMemoryEffectFree(inner))
      return WalkResult::advance();
    inner->emitOpError() << "has side effects, which " << where
                         << " may not have";
    return WalkResult::interrupt();
  });
  return failure(walk.wasInterrupted());
}

LogicalResult mixir::mixer::detail::verifySharedBatchAndLength(
    Operation *op, ValueRange batched, ValueRange perStep) {
  auto agree = [&](ValueRange values, unsigned dim,
                   StringRef name) -> LogicalResult {
    int64_t size = ShapedType::kDynamic;
    for (Value v : values) {
      int64_t got = cast<RankedTensorType>(v.getType()).getDimSize(dim);
      if (ShapedType::isDynamic(got))
        continue;
      if (!ShapedType::isDynamic(size) && size != got)
        return op->emitOpError()
               << "has " << name << " sizes " << size << " and " << got
               << ": every operand and result shares " << name;
      size = got;
    }
    return success();
  };
  return failure(failed(agree(batched, 0, "B")) ||
                 failed(agree(perStep, 1, "T")));
}

LogicalResult
mixir::mixer::detail::verifyStepInputs(Operation *op, ValueRange inputs,
                                       SmallVectorImpl<Type> &steps) {
  for (auto [i, input] : llvm::enumerate(inputs)) {
    auto type = cast<RankedTensorType>(input.getType());
    if (type.getRank() < 2)
      return op->emitOpError()
             << "input " << i << " must be [B, T, ...], got " << type;
    for (int64_t d = 2; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        return op->emitOpError() << "input " << i << " dimension " << d
                                 << " must be static (a step is a static tile)";
    steps.push_back(stepType(type, 2));
  }
  return success();
}

TensorRoles mixir::mixer::detail::batchedRoles(Value v, bool perStep) {
  TensorRoles roles{v, {}};
  auto type = cast<RankedTensorType>(v.getType());
  for (int64_t d = 0; d < type.getRank(); ++d)
    roles.dims.push_back(d == 0              ? StringRef(kBatchRole)
                         : d == 1 && perStep ? StringRef(kLengthRole)
                                             : StringRef());
  return roles;
}
