//===- PrefixScanOp.cpp - a scan with an associative combine
//----------------===//
//
// The verifier checks the three regions against the operands step for step
// (docs/dialect.md): `element` maps one step of each input ([B, T, d...] →
// tensor<d... x f32>) to a state, `combine` two states to one, `read` a
// state and one step of each input to the outputs ([B, T, e...] →
// tensor<e... x f32>); a state is the N static f32 tensors whose [B, s...]
// initial values the `init` operands give. The regions must be free of side
// effects: the forms run them any number of times.
//
//===----------------------------------------------------------------------===//
#include "StepRegions.h"

#include "mixir/Dialect/Mixer/MixerOps.h"

using namespace mlir;
using namespace mixir::mixer;

namespace checks = mixir::mixer::detail;
using checks::stepType;

namespace {

/// Checks that a region takes `args` and yields values of `yields`.
LogicalResult checkRegion(Operation *op, Region &region, StringRef name,
                          TypeRange args, TypeRange yields, StringRef argsWhat,
                          StringRef yieldsWhat) {
  Block &block = region.front();
  if (block.getArgumentTypes() != args) {
    InFlightDiagnostic diag = op->emitOpError()
                              << "region '" << name << "' must take "
                              << argsWhat << " (";
    llvm::interleaveComma(args, diag);
    diag << "), it takes (";
    llvm::interleaveComma(block.getArgumentTypes(), diag);
    return diag << ")";
  }
  auto yield = dyn_cast<YieldOp>(block.getTerminator());
  if (!yield)
    return op->emitOpError()
           << "region '" << name << "' must end with mixer.yield";
  if (TypeRange(yield.getValues()) != yields) {
    InFlightDiagnostic diag = yield.emitOpError()
                              << "in region '" << name << "' must yield "
                              << yieldsWhat << " (";
    llvm::interleaveComma(yields, diag);
    diag << "), it yields (";
    llvm::interleaveComma(TypeRange(yield.getValues()), diag);
    return diag << ")";
  }
  return checks::verifyPureRegion(region, yield,
                                  "a region of mixer.prefix_scan");
}
} // namespace

LogicalResult PrefixScanOp::verifyRegions() {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input [B, T, ...]: the "
                            "inputs give the steps";
  if (getInits().empty())
    return emitOpError() << "needs the initial state: at least one init "
                            "[B, ...]";
  if (getOutputs().empty())
    return emitOpError() << "needs at least one output [B, T, ...]";
  SmallVector<Type> steps, states, outputs;
  if (failed(checks::verifyStepInputs(*this, getInputs(), steps)))
    return failure();
  for (auto [s, init] : llvm::enumerate(getInits())) {
    auto type = cast<RankedTensorType>(init.getType());
    if (type.getRank() < 1 || !stepType(type, 1).hasStaticShape())
      return emitOpError() << "initial state " << s
                           << " must be [B, ...] with static sizes after B, "
                              "got "
                           << type;
    states.push_back(stepType(type, 1));
  }
  for (auto [o, output] : llvm::enumerate(getOutputs())) {
    auto type = cast<RankedTensorType>(output.getType());
    if (type.getRank() < 2 || !stepType(type, 2).hasStaticShape())
      return emitOpError() << "output " << o
                           << " must be [B, T, ...] with static sizes after "
                              "T, got "
                           << type;
    outputs.push_back(stepType(type, 2));
  }
  SmallVector<Type> twoStates(states), stateAndSteps(states);
  twoStates.append(states);
  stateAndSteps.append(steps);
  if (failed(checkRegion(*this, getElement(), "element", steps, states,
                         "one step of each input",
                         "an element of the state's types")) ||
      failed(checkRegion(*this, getCombine(), "combine", twoStates, states,
                         "two states", "a state")) ||
      failed(checkRegion(*this, getRead(), "read", stateAndSteps, outputs,
                         "a state then one step of each input",
                         "one step of each output")))
    return failure();
  // Every operand and result shares B (dimension 0), every input and output
  // T (dimension 1): the forms take both from input 0.
  SmallVector<Value> batched(getOperands()), perStep(getInputs());
  llvm::append_range(batched, getResults());
  llvm::append_range(perStep, getResults());
  return checks::verifySharedBatchAndLength(*this, batched, perStep);
}

SmallVector<TensorRoles> PrefixScanOp::getTensorRoles() {
  SmallVector<TensorRoles> roles;
  for (Value v : getInputs())
    roles.push_back(checks::batchedRoles(v, /*perStep=*/true));
  for (Value v : getInits())
    roles.push_back(checks::batchedRoles(v, /*perStep=*/false));
  for (Value v : getResults())
    roles.push_back(checks::batchedRoles(v, /*perStep=*/true));
  return roles;
}

SmallVector<StringRef> PrefixScanOp::getForms() {
  return {kScanForm, kParallelScanForm};
}

std::string PrefixScanOp::getMissingFormReason(StringRef form) {
  return "its combine is associative but not linear in the state, so no "
         "matrix form exists; parallel_scan regroups its steps instead";
}
