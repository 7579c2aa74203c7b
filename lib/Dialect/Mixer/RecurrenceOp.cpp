//===- RecurrenceOp.cpp - a recurrence written step by step -----------------===//
//
// The verifier checks that the body's arguments and yielded values match
// the operands and results step for step (docs/dialect.md): an input
// [B, T, d...] is a tensor<d... x f32> argument, a state is a static f32
// tensor whose [B, s...] initial and final values match it, an output a
// static f32 tensor whose [B, T, e...] result matches it; and that the body
// has no side effects, so that running it once per step in order is its
// meaning.
//
//===----------------------------------------------------------------------===//
#include "StepRegions.h"

#include "mixir/Dialect/Mixer/MixerOps.h"
#include "mixir/Dialect/Mixer/StateDependence.h"


using namespace mlir;
using namespace mixir::mixer;
namespace checks = mixir::mixer::detail;
using checks::stepType;

unsigned RecurrenceOp::getNumStates() {
  unsigned args = getBody().front().getNumArguments();
  return args > getInputs().size() ? args - getInputs().size() : 0;
}

Operation *RecurrenceOp::getYield() {
  return getBody().front().getTerminator();
}

unsigned RecurrenceOp::getNumOutputs() {
  unsigned yielded = getYield()->getNumOperands();
  return yielded > getNumStates() ? yielded - getNumStates() : 0;
}

namespace {
bool isStaticF32(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() && tensor.getElementType().isF32();
}
} // namespace

LogicalResult RecurrenceOp::verifyRegions() {
  Block &body = getBody().front();
  const unsigned numInputs = getInputs().size();
  if (numInputs == 0)
    return emitOpError() << "needs at least one input [B, T, ...]: the "
                            "inputs give the steps";
  if (body.getNumArguments() <= numInputs)
    return emitOpError() << "body takes the states, then one step of each of "
                            "the "
                         << numInputs << " inputs; it has "
                         << body.getNumArguments()
                         << " arguments, so no state";
  const unsigned numStates = getNumStates();
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError() << "body must end with mixer.yield";
  if (yield.getValues().size() <= numStates)
    return yield.emitOpError()
           << "yields the " << numStates
           << " new states, then at least one output; it yields "
           << yield.getValues().size() << " values";
  const unsigned numOutputs = getNumOutputs();
  if (!getInits().empty() && getInits().size() != numStates)
    return emitOpError() << "has " << getInits().size()
                         << " initial states for " << numStates << " states";
  if (getResults().size() != numOutputs + numStates)
    return emitOpError() << "has " << getResults().size()
                         << " results; expected the " << numOutputs
                         << " outputs then the " << numStates
                         << " final states";
  // Inputs: [B, T, d...] → tensor<d... x f32>.
  SmallVector<Type> steps;
  if (failed(checks::verifyStepInputs(*this, getInputs(), steps)))
    return failure();
  for (auto [i, want] : llvm::enumerate(steps)) {
    Type got = body.getArgument(numStates + i).getType();
    if (got != want)
      return emitOpError() << "body argument " << numStates + i
                           << " (a step of input " << i << ") must be "
                           << want << ", got " << got;
  }
  // States: static f32 tensors, the same yielded; inits and finals [B, s...].
  for (unsigned s = 0; s < numStates; ++s) {
    Type state = body.getArgument(s).getType();
    if (!isStaticF32(state))
      return emitOpError() << "state " << s
                           << " must be a static f32 tensor, got " << state;
    if (yield.getValues()[s].getType() != state)
      return yield.emitOpError()
             << "yields " << yield.getValues()[s].getType() << " for state "
             << s << " of type " << state;
    auto checkBatched = [&](Value v, StringRef what) -> LogicalResult {
      auto type = cast<RankedTensorType>(v.getType());
      if (type.getRank() < 1 || stepType(type, 1) != state)
        return emitOpError() << what << " " << s
                             << " must be [B, ...] around its state "
                             << state << ", got " << type;
      return success();
    };
    if (!getInits().empty() && failed(checkBatched(getInits()[s], "initial state")))
      return failure();
    if (failed(checkBatched(getResults()[numOutputs + s], "final state")))
      return failure();
  }
  // Outputs: static f32 tensors; results [B, T, e...].
  for (unsigned o = 0; o < numOutputs; ++o) {
    Type step = yield.getValues()[numStates + o].getType();
    if (!isStaticF32(step))
      return yield.emitOpError() << "output " << o
                                 << " must be a static f32 tensor, got "
                                 << step;
    auto type = cast<RankedTensorType>(getResults()[o].getType());
    if (type.getRank() < 2 || stepType(type, 2) != step)
      return emitOpError() << "result " << o
                           << " must be [B, T, ...] around its step " << step
                           << ", got " << type;
  }
  // Every operand and result shares B (dimension 0) and every input and
  // output T (dimension 1): the scan takes both from input 0.
  SmallVector<Value> batched(getOperands()), perStep(getInputs());
  llvm::append_range(batched, getResults());
  llvm::append_range(perStep, getResults().take_front(numOutputs));
  if (failed(checks::verifySharedBatchAndLength(*this, batched, perStep)))
    return failure();
  // Running the body once per step in order is its meaning only without
  // side effects; a mixer op inside would be lowered once per step.
  return checks::verifyPureRegion(getBody(), yield,
                                  "a mixer.recurrence body");
}

SmallVector<TensorRoles> RecurrenceOp::getTensorRoles() {
  SmallVector<TensorRoles> roles;
  const unsigned numOutputs = getNumOutputs();
  for (Value v : getInputs())
    roles.push_back(checks::batchedRoles(v, /*perStep=*/true));
  for (Value v : getInits())
    roles.push_back(checks::batchedRoles(v, /*perStep=*/false));
  for (auto [i, v] : llvm::enumerate(getResults()))
    roles.push_back(checks::batchedRoles(v, /*perStep=*/i < numOutputs));
  return roles;
}

SmallVector<StringRef> RecurrenceOp::getForms() { return {kScanForm}; }

std::string RecurrenceOp::getMissingFormReason(StringRef form) {
  if (form != kParallelScanForm && form != kChunkedForm)
    return "a recurrence is computed step by step (its form is scan)";
  // Only a recurrence linear in its state has parallel forms: say which
  // operation makes it non-linear (docs/math.md, section 4.2).
  Dependence why;
  StateDependence deps(*this);
  if (!deps.isDiagonal(&why)) {
    // Linear in the states, but read out otherwise (Mamba-1's contraction
    // of the state): the parallel forms exist in principle, not in mixir.
    bool linear = true;
    for (unsigned s = 0, e = getNumStates(); s < e; ++s)
      linear &= deps.get(getYield()->getOperand(s)).kind != Dependence::Other;
    if (linear)
      return "its new states are affine in the states, but it is not "
             "raised to an op with that form: " +
             describeBlocker(why);
    return "only the scan is exact, " + describeBlocker(why);
  }
  return "its new states are element-wise affine in the states; "
         "mixer-raise-recurrences turns it into a mixer.diagonal_recurrence "
         "(or, for a pair of states that are a complex number's parts, a "
         "mixer.complex_diagonal_recurrence), which has that form";
}
