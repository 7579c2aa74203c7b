//===- DiagonalRecurrenceOp.cpp - h_t = a_t ⊙ h_{t-1} + b_t ------------------===//
//
// mixer.diagonal_recurrence and mixer.complex_diagonal_recurrence. The
// verifiers check the shape contract (docs/dialect.md): the input is
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

namespace {
/// The shape contract shared by both diagonal recurrences: every part of
/// the input [B, T, d...] with static channels, of the decay [B, T, d...]
/// or [d...], of the initial and final states [B, d...] and of the output
/// [B, T, d...].
LogicalResult verifyDiagonalShapes(Operation *op, ValueRange decays,
                                   ValueRange inputs, ValueRange inits,
                                   ValueRange outputs, ValueRange finals,
                                   ArrayRef<StringRef> parts) {
  auto named = [&](StringRef what, unsigned i) {
    return parts.size() == 1 ? what.str() : (what + "_" + parts[i]).str();
  };
  auto input = cast<RankedTensorType>(inputs[0].getType());
  if (input.getRank() < 3)
    return op->emitOpError() << named("input", 0)
                             << " must be [B, T, d...] with at least one "
                                "channel dimension, got "
                             << input;
  if (input.getRank() > 10)
    return op->emitOpError() << "input has more than 8 channel dimensions";
  for (int64_t d = 2; d < input.getRank(); ++d)
    if (input.isDynamicDim(d))
      return op->emitOpError() << named("input", 0) << " dimension " << d
                               << " (a channel) must be static";
  const unsigned rank = input.getRank();
  const int64_t B = input.getDimSize(0), T = input.getDimSize(1);
  SmallVector<int64_t> full{B, T}, state{B},
      channels(input.getShape().drop_front(2));
  full.append(channels);
  state.append(channels);
  mixir::mixer::detail::ShapeChecker c{op};
  auto fullRoles = channelRoles(rank, true, true);
  auto stateRoles = channelRoles(rank - 1, true, false);
  const bool perStep =
      cast<RankedTensorType>(decays[0].getType()).getRank() == rank;
  for (auto [i, decay] : llvm::enumerate(decays)) {
    auto type = cast<RankedTensorType>(decay.getType());
    if (type.getRank() == static_cast<int64_t>(rank) && perStep) {
      if (failed(c.check(named("decay", i), type, full, fullRoles)))
        return failure();
    } else if (type.getRank() == static_cast<int64_t>(rank) - 2 && !perStep) {
      if (failed(c.check(named("decay", i), type, channels,
                         channelRoles(rank - 2, false, false))))
        return failure();
    } else {
      return op->emitOpError()
             << named("decay", i)
             << " must be [B, T, d...] (per step) or [d...] (per channel) "
                "around input "
             << input << (i ? ", like decay_re" : "") << ", got " << type;
    }
  }
  for (auto [i, v] : llvm::enumerate(inputs))
    if (failed(c.check(named("input", i), v.getType(), full, fullRoles)))
      return failure();
  for (auto [i, v] : llvm::enumerate(inits))
    if (failed(c.check(named("init", i), v.getType(), state, stateRoles)))
      return failure();
  for (auto [i, v] : llvm::enumerate(outputs))
    if (failed(c.check(named("output", i), v.getType(), full, fullRoles)))
      return failure();
  for (auto [i, v] : llvm::enumerate(finals))
    if (failed(c.check(named("final_state", i), v.getType(), state,
                       stateRoles)))
      return failure();
  return success();
}

/// The roles of a diagonal recurrence's tensors (decay per step or per
/// channel).
SmallVector<TensorRoles> diagonalRoles(ValueRange decays, ValueRange perStep,
                                       ValueRange states) {
  SmallVector<TensorRoles> roles;
  auto add = [&](Value v, bool batch, bool length) {
    roles.push_back(
        {v, SmallVector<StringRef, 4>(channelRoles(
                cast<RankedTensorType>(v.getType()).getRank(), batch,
                length))});
  };
  const unsigned rank =
      cast<RankedTensorType>(perStep[0].getType()).getRank();
  for (Value v : decays) {
    bool decayPerStep = cast<RankedTensorType>(v.getType()).getRank() == rank;
    add(v, decayPerStep, decayPerStep);
  }
  for (Value v : perStep)
    add(v, true, true);
  for (Value v : states)
    add(v, true, false);
  return roles;
}
} // namespace

LogicalResult DiagonalRecurrenceOp::verify() {
  SmallVector<Value> inits, finals;
  if (Value init = getInit())
    inits.push_back(init);
  if (Value final = getFinalState())
    finals.push_back(final);
  return verifyDiagonalShapes(getOperation(), getDecay(), getInput(), inits,
                              getOutput(), finals, {""});
}

SmallVector<TensorRoles> DiagonalRecurrenceOp::getTensorRoles() {
  SmallVector<Value> states;
  for (Value v : {getInit(), getFinalState()})
    if (v)
      states.push_back(v);
  return diagonalRoles(getDecay(), ValueRange{getInput(), getOutput()},
                       states);
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

//===----------------------------------------------------------------------===//
// ComplexDiagonalRecurrenceOp
//===----------------------------------------------------------------------===//

bool ComplexDiagonalRecurrenceOp::hasDecayPerStep() {
  return getDecayRe().getType().getRank() == getInputRe().getType().getRank();
}

ArrayRef<int64_t> ComplexDiagonalRecurrenceOp::getChannelShape() {
  return getInputRe().getType().getShape().drop_front(2);
}

LogicalResult ComplexDiagonalRecurrenceOp::verify() {
  if (!getInit().empty() && getInit().size() != 2)
    return emitOpError() << "init must be two tensors (its real and "
                            "imaginary parts), got "
                         << getInit().size();
  if (getResults().size() != 2 && getResults().size() != 4)
    return emitOpError() << "must have 2 results (the real and imaginary "
                            "parts of h) or 4 (and of h_T), got "
                         << getResults().size();
  return verifyDiagonalShapes(
      getOperation(), ValueRange{getDecayRe(), getDecayIm()},
      ValueRange{getInputRe(), getInputIm()}, getInit(),
      getResults().take_front(2), getResults().drop_front(2), {"re", "im"});
}

SmallVector<TensorRoles> ComplexDiagonalRecurrenceOp::getTensorRoles() {
  SmallVector<Value> states(getInit());
  llvm::append_range(states, getResults().drop_front(2));
  SmallVector<Value> perStep{getInputRe(), getInputIm()};
  llvm::append_range(perStep, getResults().take_front(2));
  return diagonalRoles(ValueRange{getDecayRe(), getDecayIm()}, perStep,
                       states);
}

std::optional<unsigned>
ComplexDiagonalRecurrenceOp::getInPlaceOperand(unsigned result) {
  if (result < 2 || getInit().empty())
    return std::nullopt;
  return getInitMutable()[result - 2].getOperandNumber();
}

SmallVector<StringRef> ComplexDiagonalRecurrenceOp::getForms() {
  return {kScanForm, kParallelScanForm};
}
