//===- MixerOps.cpp - mixer operations --------------------------------------===//
//
// Verifiers check the shape contract of each op (docs/dialect.md): every
// message names the operand and the dimension at fault.
//
//===----------------------------------------------------------------------===//
#include "ShapeChecker.h"

#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mixir::mixer;

#define GET_OP_CLASSES
#include "mixer/MixerOps.cpp.inc"


GateKind SemiseparableOp::getGateKind() {
  if (!getGate())
    return GateKind::None;
  switch (cast<RankedTensorType>(getGate().getType()).getRank()) {
  case 1:
    return GateKind::Head;
  case 3:
    return GateKind::Token;
  default:
    return GateKind::Channel;
  }
}

TransitionKind SemiseparableOp::getTransitionKind() {
  if (getDeltaRule())
    return TransitionKind::Delta;
  if (getLowRankA())
    return TransitionKind::LowRank;
  return TransitionKind::Diagonal;
}

int64_t SemiseparableOp::getNumHeads() { return getQ().getType().getDimSize(2); }
int64_t SemiseparableOp::getKeyDim() { return getQ().getType().getDimSize(3); }
int64_t SemiseparableOp::getValueDim() {
  return getV().getType().getDimSize(3);
}

double SemiseparableOp::getScaleOrDefault() {
  if (std::optional<APFloat> scale = getScale())
    return scale->convertToDouble();
  return 1.0 / std::sqrt(static_cast<double>(getKeyDim()));
}

LogicalResult SemiseparableOp::verify() {
  auto q = getQ().getType();
  if (q.getRank() != 4)
    return emitOpError() << "q must have rank 4 [B, T, H, K], got " << q;
  static constexpr StringLiteral staticDims[] = {"H", "K"};
  for (auto [i, name] : llvm::enumerate(staticDims))
    if (q.isDynamicDim(i + 2))
      return emitOpError() << "q dimension " << i + 2 << " (" << name
                           << ") must be static";
  auto v = getV().getType();
  if (v.getRank() == 4 && v.isDynamicDim(3))
    return emitOpError() << "v dimension 3 (V) must be static";

  const int64_t B = q.getDimSize(0), T = q.getDimSize(1), H = q.getDimSize(2),
                K = q.getDimSize(3);
  const int64_t V = v.getRank() == 4 ? v.getDimSize(3) : ShapedType::kDynamic;
  detail::ShapeChecker c{getOperation()};
  if (failed(c.check("k", getK().getType(), {B, T, H, K},
                     {"B", "T", "H", "K"})) ||
      failed(c.check("v", v, {B, T, H, V}, {"B", "T", "H", "V"})) ||
      failed(c.check("output", getOutput().getType(), {B, T, H, V},
                     {"B", "T", "H", "V"})))
    return failure();

  if (Value gate = getGate()) {
    auto type = cast<RankedTensorType>(gate.getType());
    LogicalResult ok = failure();
    switch (type.getRank()) {
    case 1:
      ok = c.check("gate", type, {H}, {"H"});
      break;
    case 3:
      ok = c.check("gate", type, {B, T, H}, {"B", "T", "H"});
      break;
    case 4:
      ok = c.check("gate", type, {B, T, H, K}, {"B", "T", "H", "K"});
      break;
    default:
      return emitOpError() << "gate must have shape [H] (per head), [B, T, H] "
                              "(per token) or [B, T, H, K] (per key channel), "
                              "got "
                           << type;
    }
    if (failed(ok))
      return failure();
  }
  if (Value beta = getBeta())
    if (failed(c.check("beta", beta.getType(), {B, T, H}, {"B", "T", "H"})))
      return failure();
  for (auto [name, value] : {std::pair{"low_rank a", getLowRankA()},
                             std::pair{"low_rank b", getLowRankB()}})
    if (value && failed(c.check(name, value.getType(), {B, T, H, K},
                                {"B", "T", "H", "K"})))
      return failure();
  if (static_cast<bool>(getLowRankA()) != static_cast<bool>(getLowRankB()))
    return emitOpError() << "low_rank needs both a and b";
  if (getDeltaRule() && getLowRankA())
    return emitOpError()
           << "a delta-rule transition takes its rank-one part from k and "
              "beta; low_rank(a, b) is for a general diagonal-plus-low-rank "
              "transition, not both";
  if (Value init = getInitialState())
    if (failed(c.check("initial_state", init.getType(), {B, H, K, V},
                       {"B", "H", "K", "V"})))
      return failure();
  if (Value final = getFinalState())
    if (failed(c.check("final_state", final.getType(), {B, H, K, V},
                       {"B", "H", "K", "V"})))
      return failure();

  if (!getCausal())
    return emitOpError() << "bidirectional (causal = false) semiseparable "
                            "mixers are not supported yet";
  if (std::optional<APFloat> scale = getScale())
    if (!scale->isFiniteNonZero())
      return emitOpError() << "scale must be finite and non-zero";
  return success();
}

//===----------------------------------------------------------------------===//
// MixerOpInterface
//===----------------------------------------------------------------------===//

SmallVector<TensorRoles> SemiseparableOp::getTensorRoles() {
  SmallVector<TensorRoles> roles{{getQ(), {"B", "T", "H", "K"}},
                                 {getK(), {"B", "T", "H", "K"}},
                                 {getV(), {"B", "T", "H", "V"}},
                                 {getOutput(), {"B", "T", "H", "V"}}};
  if (Value gate = getGate()) {
    switch (getGateKind()) {
    case GateKind::Head:
      roles.push_back({gate, {"H"}});
      break;
    case GateKind::Token:
      roles.push_back({gate, {"B", "T", "H"}});
      break;
    default:
      roles.push_back({gate, {"B", "T", "H", "K"}});
      break;
    }
  }
  if (Value beta = getBeta())
    roles.push_back({beta, {"B", "T", "H"}});
  for (Value part : {getLowRankA(), getLowRankB()})
    if (part)
      roles.push_back({part, {"B", "T", "H", "K"}});
  for (Value state : {getInitialState(), getFinalState()})
    if (state)
      roles.push_back({state, {"B", "H", "K", "V"}});
  return roles;
}

std::optional<unsigned> SemiseparableOp::getInPlaceOperand(unsigned result) {
  if (result != 1 || !getInitialState())
    return std::nullopt;
  return getInitialStateMutable()[0].getOperandNumber();
}

SmallVector<StringRef> SemiseparableOp::getForms() {
  if (getTransitionKind() != TransitionKind::Diagonal)
    return {kScanForm, kChunkedForm};
  return {kScanForm, kChunkedForm, kQuadraticForm};
}

std::string SemiseparableOp::getMissingFormReason(StringRef form) {
  if (form == kQuadraticForm &&
      getTransitionKind() != TransitionKind::Diagonal)
    return "a transition that is not diagonal has no cheap quadratic form "
           "(building M needs the triangular solves of the chunked form for "
           "every pair of blocks); use chunked";
  return "";
}

int64_t SemiseparableOp::getMaxTile(StringRef form) {
  // The chunk's unit lower-triangular solve has entries that grow with the
  // chunk length (docs/math.md): chunks of at most 64 tokens.
  if (form == kChunkedForm && getTransitionKind() != TransitionKind::Diagonal)
    return 64;
  return kMaxTile;
}
