//===- AttentionOp.cpp - softmax attention ----------------------------------===//
//
// The verifier checks the shape contract (docs/dialect.md) and the regions:
// their arity and types, the ops they may hold, and every tensor they read,
// which must be indexed by region arguments (or constants in bounds) so that
// its sizes are known to agree with the op's: a region cannot read out of
// bounds.
//
//===----------------------------------------------------------------------===//
#include "ShapeChecker.h"

#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mixir::mixer;

int64_t AttentionOp::getNumQueryHeads() {
  return getQ().getType().getDimSize(2);
}
int64_t AttentionOp::getNumKvHeads() { return getK().getType().getDimSize(2); }
int64_t AttentionOp::getKeyDim() { return getQ().getType().getDimSize(3); }
int64_t AttentionOp::getValueDim() { return getV().getType().getDimSize(3); }

double AttentionOp::getScaleOrDefault() {
  if (std::optional<APFloat> scale = getScale())
    return scale->convertToDouble();
  return 1.0 / std::sqrt(static_cast<double>(getKeyDim()));
}

LogicalResult AttentionOp::verify() {
  auto q = getQ().getType(), k = getK().getType(), v = getV().getType();
  detail::ShapeChecker c{getOperation()};
  for (auto [name, type] : {std::pair{"q", q}, std::pair{"k", k},
                            std::pair{"v", v}})
    if (type.getRank() != 4)
      return emitOpError() << name << " must have rank 4 [B, T, H, D], got "
                           << type;
  static constexpr StringLiteral dims[] = {"B", "T", "H", "D"};
  for (auto [name, type] : {std::pair{"q", q}, std::pair{"k", k},
                            std::pair{"v", v}})
    for (unsigned d : {2u, 3u})
      if (type.isDynamicDim(d))
        return emitOpError() << name << " dimension " << d << " ("
                             << dims[d] << ") must be static";
  const int64_t B = q.getDimSize(0), Tq = q.getDimSize(1),
                Hq = q.getDimSize(2), K = q.getDimSize(3);
  const int64_t Tk = k.getDimSize(1), Hkv = k.getDimSize(2),
                V = v.getDimSize(3);
  if (failed(c.check("k", k, {B, Tk, Hkv, K}, {"B", "Tk", "Hkv", "K"})) ||
      failed(c.check("v", v, {B, Tk, Hkv, V}, {"B", "Tk", "Hkv", "V"})) ||
      failed(c.check("output", getOutput().getType(), {B, Tq, Hq, V},
                     {"B", "Tq", "Hq", "V"})))
    return failure();
  if (Hkv == 0 || Hq % Hkv != 0)
    return emitOpError() << "the " << Hkv
                         << " key/value heads must divide the " << Hq
                         << " query heads";
  if (Value lse = getLse())
    if (failed(c.check("lse", lse.getType(), {B, Tq, Hq},
                       {"B", "Tq", "Hq"})))
      return failure();
  if (Value forget = getForget()) {
    // The gate is indexed by one position shared by queries and keys.
    if (!ShapedType::isDynamic(Tq) && !ShapedType::isDynamic(Tk) && Tq != Tk)
      return emitOpError() << "with a forget gate is self-attention: q has "
                           << Tq << " tokens and k " << Tk;
    if (failed(c.check("forget", forget.getType(), {B, Tq, Hq},
                       {"B", "T", "Hq"})))
      return failure();
  }
  if (std::optional<APFloat> scale = getScale())
    if (!scale->isFiniteNonZero())
      return emitOpError() << "scale must be finite and non-zero";
  return success();
}

//===----------------------------------------------------------------------===//
// Regions
//===----------------------------------------------------------------------===//

namespace {
/// The roles of a mod region's index arguments, in order.
constexpr StringLiteral kIndexRoles[] = {"B", "Hq", "T", "Tk"};

/// The extracts of tensors defined above the op that a region reads, with
/// the role of each index (a role of kIndexRoles, or "" for a constant).
struct RegionRead {
  tensor::ExtractOp extract;
  SmallVector<StringRef, 4> roles;
};

/// The role of index argument `arg` of `region` (its first `skip`
/// arguments are not indices).
StringRef roleOf(AttentionOp op, BlockArgument arg, unsigned skip) {
  StringRef role = kIndexRoles[arg.getArgNumber() - skip];
  // With a forget gate the keys have the queries' length.
  return role == "Tk" && op.getForget() ? StringRef(kLengthRole) : role;
}

/// Checks one region: `what` names it, `leading` are the types of the
/// arguments before the four indices, `result` the type it yields.
LogicalResult verifyMod(AttentionOp op, Region &region, StringRef what,
                        ArrayRef<Type> leading, Type result,
                        SmallVectorImpl<RegionRead> *reads) {
  if (region.empty())
    return success();
  if (!region.hasOneBlock())
    return op.emitOpError() << what << " must have one block";
  Block &block = region.front();
  const unsigned arity = leading.size() + 4;
  auto expectedArgs = [&] {
    std::string text;
    llvm::raw_string_ostream os(text);
    for (Type t : leading)
      os << t << ", ";
    os << "index, index, index, index";
    return text;
  };
  if (block.getNumArguments() != arity)
    return op.emitOpError() << what << " takes " << arity << " arguments ("
                            << expectedArgs() << "), got "
                            << block.getNumArguments();
  for (auto [i, arg] : llvm::enumerate(block.getArguments())) {
    Type want = i < leading.size() ? leading[i] : IndexType::get(op.getContext());
    if (arg.getType() != want)
      return op.emitOpError() << what << " argument " << i << " must be "
                              << want << ", got " << arg.getType();
  }
  auto yield = dyn_cast<YieldOp>(block.getTerminator());
  if (!yield || yield.getValues().size() != 1 ||
      yield.getValues()[0].getType() != result)
    return op.emitOpError() << what << " must yield one " << result;

  for (Operation &inner : block.without_terminator()) {
    if (auto extract = dyn_cast<tensor::ExtractOp>(inner)) {
      Value source = extract.getTensor();
      if (region.isAncestor(source.getParentRegion()))
        return inner.emitOpError()
               << "in a " << what
               << " must read a tensor defined above the mixer op";
      auto type = extract.getTensor().getType();
      RegionRead read{extract, {}};
      for (auto [d, index] : llvm::enumerate(extract.getIndices())) {
        if (auto arg = dyn_cast<BlockArgument>(index);
            arg && arg.getOwner() == &block && arg.getArgNumber() >= leading.size()) {
          read.roles.push_back(roleOf(op, arg, leading.size()));
          continue;
        }
        APInt constant;
        if (matchPattern(index, m_ConstantInt(&constant))) {
          int64_t at = constant.getSExtValue();
          if (type.isDynamicDim(d) || at < 0 || at >= type.getDimSize(d))
            return inner.emitOpError()
                   << "index " << d << " in a " << what << " is " << at
                   << ", which may be out of range for " << type;
          read.roles.push_back("");
          continue;
        }
        return inner.emitOpError()
               << "index " << d << " in a " << what
               << " must be an argument of the region (b, h, q_idx, kv_idx) "
                  "or a constant: mixir checks the tensor's sizes against "
                  "the op's, and cannot bound a computed index";
      }
      if (reads)
        reads->push_back(std::move(read));
      continue;
    }
    Dialect *dialect = inner.getDialect();
    if (!dialect || !isa<arith::ArithDialect, math::MathDialect>(dialect))
      return inner.emitOpError()
             << "is not supported in a " << what
             << " (arith and math ops, tensor.extract and mixer.yield are)";
  }
  return success();
}
} // namespace

LogicalResult AttentionOp::verifyRegions() {
  Type f32 = Float32Type::get(getContext());
  if (failed(verifyMod(*this, getMaskMod(), "mask_mod", {},
                       IntegerType::get(getContext(), 1), nullptr)) ||
      failed(verifyMod(*this, getScoreMod(), "score_mod", {f32}, f32,
                       nullptr)))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// MixerOpInterface
//===----------------------------------------------------------------------===//

SmallVector<TensorRoles> AttentionOp::getTensorRoles() {
  // The query length is the length "T" the forms' costs depend on; with a
  // forget gate the keys share it (self-attention), checked at the ABI.
  StringRef Tk = getForget() ? StringRef(kLengthRole) : StringRef("Tk");
  SmallVector<TensorRoles> roles{{getQ(), {"B", kLengthRole, "Hq", "K"}},
                                 {getK(), {"B", Tk, "Hkv", "K"}},
                                 {getV(), {"B", Tk, "Hkv", "V"}},
                                 {getOutput(), {"B", kLengthRole, "Hq", "V"}}};
  if (Value lse = getLse())
    roles.push_back({lse, {"B", kLengthRole, "Hq"}});
  if (Value forget = getForget())
    roles.push_back({forget, {"B", kLengthRole, "Hq"}});
  // A tensor a region reads: each dimension indexed by a region argument
  // has that argument's role (its size must equal the op's).
  SmallVector<RegionRead> reads;
  Type f32 = Float32Type::get(getContext());
  (void)verifyMod(*this, getMaskMod(), "mask_mod", {},
                  IntegerType::get(getContext(), 1), &reads);
  (void)verifyMod(*this, getScoreMod(), "score_mod", {f32}, f32, &reads);
  for (RegionRead &read : reads)
    roles.push_back({read.extract.getTensor(), read.roles});
  return roles;
}

SmallVector<StringRef> AttentionOp::getForms() {
  // The decode form splits the keys: a forget gate's sums run across them.
  if (getForget())
    return {"flash"};
  return {"flash", "decode"};
}

std::string AttentionOp::getMissingFormReason(StringRef form) {
  if (form == kScanForm)
    return "softmax attention has no sequential form; its forms are flash "
           "(key blocks streamed with an online softmax) and decode (the "
           "keys split across workers)";
  if (form == "decode" && getForget())
    return "the decode form splits the keys across workers, and a forget "
           "gate's sums run across the splits";
  return "";
}
