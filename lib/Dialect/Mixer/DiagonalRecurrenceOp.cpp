//===- DiagonalRecurrenceOp.cpp - h_t = a_t ⊙ h_{t-1} + b_t ------------------===//
//
// The verifier checks the shape contract (docs/dialect.md): the input is
// [B, T, d...] with static channels d..., the decay [B, T, d...] or [d...],
// the initial and final states [B, d...], the output [B, T, d...].
//
//===----------------------------------------------------------------------===//
#include "ShapeChecker.h"

#include "mixir/Dialect/Mixer/MixerOps.h"

using namespace mlir;
using namespace mixir::mixer;

bool DiagonalRecurrenceOp::hasDecayPerStep() {
  return getDecay().getType().getRank() == getInput().getType().getRank();
}

ArrayRef<int64_t> DiagonalRecurrenceOp::getChannelShape() {
  return getInput().getType().getShape().drop_front(2);
}

namespace {
/// "B", "T", then "d0", "d1", ... for the channel dimensions.
SmallVector<StringRef> channelRoles(unsigned rank, bool batch, bool length) {
  static constexpr StringLiteral channels[] = {"d0", "d1", "d2", "d3",
                                               "d4", "d5", "d6", "d7"};
  SmallVector<StringRef> names;
  if (batch)
    names.push_back(kBatchRole);
  if (length)
    names.push_back(kLengthRole);
  for (unsigned d = names.size(), c = 0; d < rank; ++d, ++c)
    names.push_back(c < std::size(channels) ? StringRef(channels[c])
                                            : StringRef());
  return names;
}
} // namespace

LogicalResult DiagonalRecurrenceOp::verify() {
  RankedTensorType input = getInput().getType();
  if (input.getRank() < 3)
    return emitOpError() << "input must be [B, T, d...] with at least one "
                            "channel dimension, got "
                         << input;
  if (input.getRank() > 10)
    return emitOpError() << "input has more than 8 channel dimensions";
  for (int64_t d = 2; d < input.getRank(); ++d)
    if (input.isDynamicDim(d))
      return emitOpError() << "input dimension " << d
                           << " (a channel) must be static";
  const unsigned rank = input.getRank();
  const int64_t B = input.getDimSize(0), T = input.getDimSize(1);
  SmallVector<int64_t> full{B, T}, state{B}, channels(getChannelShape());
  full.append(channels);
  state.append(channels);
  detail::ShapeChecker c{getOperation()};
  RankedTensorType decay = getDecay().getType();
  if (decay.getRank() == static_cast<int64_t>(rank)) {
    if (failed(c.check("decay", decay, full, channelRoles(rank, true, true))))
      return failure();
  } else if (decay.getRank() == static_cast<int64_t>(rank) - 2) {
    if (failed(c.check("decay", decay, channels,
                       channelRoles(rank - 2, false, false))))
      return failure();
  } else {
    return emitOpError() << "decay must be [B, T, d...] (per step) or [d...] "
                            "(per channel) around input "
                         << input << ", got " << decay;
  }
  if (Value init = getInit())
    if (failed(c.check("init", init.getType(), state,
                       channelRoles(rank - 1, true, false))))
      return failure();
  if (failed(c.check("output", getOutput().getType(), full,
                     channelRoles(rank, true, true))))
    return failure();
  if (Value final = getFinalState())
    if (failed(c.check("final_state", final.getType(), state,
                       channelRoles(rank - 1, true, false))))
      return failure();
  return success();
}

SmallVector<TensorRoles> DiagonalRecurrenceOp::getTensorRoles() {
  SmallVector<TensorRoles> roles;
  auto add = [&](Value v, bool batch, bool length) {
    roles.push_back(
        {v, SmallVector<StringRef, 4>(channelRoles(
                cast<RankedTensorType>(v.getType()).getRank(), batch,
                length))});
  };
  add(getDecay(), hasDecayPerStep(), hasDecayPerStep());
  add(getInput(), true, true);
  add(getOutput(), true, true);
  for (Value v : {getInit(), getFinalState()})
    if (v)
      add(v, true, false);
  return roles;
}

std::optional<unsigned>
DiagonalRecurrenceOp::getInPlaceOperand(unsigned result) {
  if (result != 1 || !getInit())
    return std::nullopt;
  return getInitMutable()[0].getOperandNumber();
}

SmallVector<StringRef> DiagonalRecurrenceOp::getForms() {
  return {kScanForm, kParallelScanForm};
}
