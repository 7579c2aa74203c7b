//===- RaiseRecurrences.cpp - recurrences linear in their state → structure ===//
//
// docs/math.md, section 4.2. StateDependence classifies the body's values;
// a recurrence whose new states are element-wise affine in themselves,
// h_s' = α ⊙ h_s + β, becomes one mixer.diagonal_recurrence per state. α
// and β are built by the affine rules themselves (coefficient and offset of
// every affine value), on scalars, inside one linalg.generic over
// [B, T, d...] that reads the inputs (and outer tensors, broadcast over B
// and T): the body's element-wise ops are cloned on scalars. What depends
// on the outer tensors alone is then hoisted into a generic over [d...]
// (ChannelInvariants.h).
//
//===----------------------------------------------------------------------===//
#include "BodyLifter.h"
#include "ChannelInvariants.h"
#include "ExpandStateGenerics.h"
#include "RaiseToPrefixScan.h"
#include "RaiseToSemiseparable.h"
#include "ScalarAlgebra.h"

#include "mixir/Dialect/Mixer/StateDependence.h"
#include "mixir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

#include "llvm/ADT/SetVector.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERRAISERECURRENCES
#include "mixir/Transforms/Passes.h.inc"
} // namespace mixir

using namespace mlir;
using namespace mixir;
using namespace mixir::mixer;

namespace {
/// The generic over [B, T, d...] computing the decay (α, or log α) and
/// input (β) of one coupled group of states: one part each for one state,
/// (re, im) parts for a pair whose coupling is a complex number's,
/// λ = re λ + i·im λ:
///   h_r' = re λ·h_r − im λ·h_i + β_r,  h_i' = im λ·h_r + re λ·h_i + β_i.
/// Null (and `why` set) when a pair is coupled otherwise. Sets `logDecay`
/// when α = exp(g) (one state).
linalg::GenericOp buildDiagonal(OpBuilder &b, RecurrenceOp op,
                                BodyLifter &lifter, ArrayRef<unsigned> group,
                                bool &logDecay, std::string &why) {
  const unsigned n = group.size();
  logDecay = false;
  bool coupled = true;
  SmallVector<Type> types(2 * n, b.getF32Type());
  auto generic = lifter.build(b, types, [&](ImplicitLocOpBuilder &g) {
    SmallVector<Linear> lin;
    for (unsigned s : group)
      lin.push_back(lifter.linear(g, op.getYield()->getOperand(s)));
    auto coef = [&](unsigned s, unsigned k) {
      return lifter.materialize(g, lin[s].coef[k], lin[s].unit[k]);
    };
    auto offset = [&](unsigned s) {
      return lin[s].off ? lin[s].off : lifter.materialize(g, nullptr, false);
    };
    if (n == 1) {
      Value alpha = coef(0, 0);
      // α = exp(x): the decay is given in log space (x ≤ 0 keeps every
      // exponent the forms build ≤ 0).
      if (auto exp = alpha.getDefiningOp<math::ExpOp>()) {
        alpha = exp.getOperand();
        logDecay = true;
      }
      return SmallVector<Value>{alpha, offset(0)};
    }
    // A complex number's parts: [[re λ, −im λ], [im λ, re λ]].
    Value re = coef(0, 0), im = coef(1, 0);
    coupled = sameValue(re, coef(1, 1)) && negationOf(im, coef(0, 1));
    return SmallVector<Value>{re, im, offset(0), offset(1)};
  });
  if (!coupled) {
    generic->erase();
    why = "new states " + std::to_string(group[0]) + " and " +
          std::to_string(group[1]) +
          " are coupled, but not as a complex number's parts (h_r' = re λ·h_r "
          "− im λ·h_i + β_r, h_i' = im λ·h_r + re λ·h_i + β_i)";
    return nullptr;
  }
  return generic;
}

/// 1 − exp(x)·exp(x) → −expm1(2x) and 1 − exp(y) → −expm1(y): near a = 1
/// (slow decays, the regime that matters) 1 − a² cancels to a few bits,
/// while expm1 of the log keeps full precision (RG-LRU's sqrt(1 − a²),
/// LRU's γ = sqrt(1 − |λ|²); docs/math.md, section 4.3).
struct OneMinusExp : public OpRewritePattern<arith::SubFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::SubFOp sub,
                                PatternRewriter &rewriter) const override {
    if (!matchPattern(sub.getLhs(), m_OneFloat()))
      return failure();
    Value exponent;
    if (auto exp = sub.getRhs().getDefiningOp<math::ExpOp>()) {
      exponent = exp.getOperand();
    } else if (auto square = sub.getRhs().getDefiningOp<arith::MulFOp>()) {
      auto exp = square.getLhs().getDefiningOp<math::ExpOp>();
      if (!exp || square.getLhs() != square.getRhs())
        return failure();
      exponent = arith::AddFOp::create(rewriter, sub.getLoc(), exp.getOperand(),
                                       exp.getOperand());
    } else {
      return failure();
    }
    Value expm1 = math::ExpM1Op::create(rewriter, sub.getLoc(), exponent);
    rewriter.replaceOpWithNewOp<arith::NegFOp>(sub, expm1);
    return success();
  }
};

struct MixerRaiseRecurrences
    : public mixir::impl::MixerRaiseRecurrencesBase<MixerRaiseRecurrences> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<RecurrenceOp> ops;
    getOperation().walk([&](RecurrenceOp op) { ops.push_back(op); });
    // Precise forms of 1 − a² first, in every body (they serve the scan of
    // a recurrence that stays one too).
    // A walk, not the greedy driver: that would hoist the body's constants
    // out of it.
    // Element-wise generics on a state as the tensor ops of their bodies,
    // which the rules read.
    for (RecurrenceOp op : ops)
      expandStateGenerics(op);
    RewritePatternSet patterns(&getContext());
    patterns.add<OneMinusExp>(&getContext());
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (RecurrenceOp op : ops)
      walkAndApplyPatterns(op, frozen);
    for (RecurrenceOp op : ops)
      raise(op);
  }

  void keep(RecurrenceOp op, const Dependence &why) {
    if (remarks)
      op.emitRemark() << "kept as a recurrence: " << describeBlocker(why);
  }

  void raise(RecurrenceOp op) {
    StateDependence deps(op);
    Dependence why;
    if (!deps.isDiagonal(&why)) {
      // A matrix state read out by a contraction may be semiseparable; its
      // reason is the one to report once it has that shape.
      bool recognised;
      Dependence semiseparableWhy;
      std::string found;
      Location loc = op.getLoc();
      if (succeeded(raiseToSemiseparable(op, deps, recognised,
                                         semiseparableWhy, found))) {
        if (remarks)
          emitRemark(loc) << "raised to mixer.semiseparable: " << found;
        return;
      }
      if (recognised)
        return keep(op, semiseparableWhy);
      // Running maxima and sums rescaled to them: a prefix scan.
      Dependence prefixScanWhy;
      if (succeeded(
              raiseToPrefixScan(op, deps, recognised, prefixScanWhy, found))) {
        if (remarks)
          emitRemark(loc) << "raised to mixer.prefix_scan: " << found;
        return;
      }
      return keep(op, recognised ? prefixScanWhy : why);
    }
    const unsigned numOutputs = op.getNumOutputs();
    // Each state's outputs share one type (they become one result).
    SmallVector<Type> outputType(op.getNumStates());
    Operation *yield = op.getYield();
    // New states by their values in the body, for outputs computed from
    // them (the tensors are filled in once the diagonal ops exist).
    llvm::DenseMap<Value, Value> newStates;
    for (unsigned s = 0, e = op.getNumStates(); s < e; ++s)
      newStates[yield->getOperand(s)] = nullptr;
    SmallVector<unsigned> computedOutputs;
    std::vector<BodyLifter> outputLifters;
    for (unsigned o = 0; o < numOutputs; ++o) {
      std::optional<unsigned> state = deps.outputState(o);
      if (!state) {
        // An element-wise function of new states: its own generic.
        Value out = yield->getOperand(op.getNumStates() + o);
        outputLifters.emplace_back(op, deps, ArrayRef<unsigned>{},
                                   cast<RankedTensorType>(out.getType()),
                                   &newStates);
        if (Operation *bad = outputLifters.back().check(out))
          return keep(op, Dependence::blocked(
                              bad, "output " + std::to_string(o) +
                                       " is computed with an operation that "
                                       "is not element-wise on its shape"));
        computedOutputs.push_back(o);
        continue;
      }
      unsigned s = *state;
      Type t = op.getResult(o).getType();
      if (outputType[s] && outputType[s] != t)
        return keep(op, Dependence::blocked(
                            nullptr, "two outputs of state " +
                                         std::to_string(s) +
                                         " have different types"));
      outputType[s] = t;
    }
    auto groups = deps.couplings();
    std::vector<BodyLifter> lifters;
    for (const auto &group : groups) {
      lifters.emplace_back(op, deps, group,
                           cast<RankedTensorType>(
                               op.getBody().front().getArgument(group[0]).getType()));
      Operation *bad = nullptr;
      for (unsigned s : group)
        if (!bad)
          bad = lifters.back().check(yield->getOperand(s));
      if (bad)
        return keep(op, Dependence::blocked(
                            bad, "the coefficients of new state " +
                                     std::to_string(group[0]) +
                                     " are computed with an operation that "
                                     "is not element-wise on the state's "
                                     "shape"));
    }
    OpBuilder b(op);
    SmallVector<linalg::GenericOp> generics;
    SmallVector<bool> logDecays;
    for (auto [group, lifter] : llvm::zip(groups, lifters)) {
      bool logDecay;
      std::string reason;
      linalg::GenericOp generic =
          buildDiagonal(b, op, lifter, group, logDecay, reason);
      if (!generic) {
        for (linalg::GenericOp built : generics)
          built->erase();
        return keep(op, Dependence::blocked(nullptr, reason));
      }
      generics.push_back(generic);
      logDecays.push_back(logDecay);
    }

    SmallVector<Value> replacements(op.getNumResults());
    std::string found;
    bool real = false, complex = false;
    for (auto [group, generic, logDecay] :
         llvm::zip(groups, generics, logDecays)) {
      const unsigned n = group.size();
      auto stateType = cast<RankedTensorType>(
          op.getBody().front().getArgument(group[0]).getType());
      auto outputOf = [&](unsigned s) -> Type {
        if (Type t = outputType[s])
          return t;
        auto first = cast<RankedTensorType>(op.getInputs().front().getType());
        SmallVector<int64_t> shape{first.getDimSize(0), first.getDimSize(1)};
        shape.append(stateType.getShape().begin(), stateType.getShape().end());
        return RankedTensorType::get(shape, b.getF32Type());
      };
      // A decay of per-channel parameters alone becomes a [d...] decay.
      SmallVector<bool> mayShrink(2 * n, false);
      std::fill_n(mayShrink.begin(), n, true);
      SmallVector<Value> parts = hoistChannelInvariants(b, generic, mayShrink);
      SmallVector<Value> results;
      if (n == 1) {
        unsigned s = group[0];
        SmallVector<Type> types{outputOf(s),
                                op.getResult(numOutputs + s).getType()};
        Value init = op.getInits().empty() ? Value() : op.getInits()[s];
        auto diagonal = DiagonalRecurrenceOp::create(
            b, op.getLoc(), types, parts[0], parts[1], init, logDecay,
            op.getFormAttr());
        results = {diagonal.getOutput(), diagonal.getFinalState()};
        real = true;
        found += std::string(found.empty() ? "" : "; ") + "new state " +
                 std::to_string(s) +
                 " is element-wise affine in the state (h = a ⊙ h + b" +
                 (logDecay ? ", a = exp(log a)" : "") + ")";
      } else {
        unsigned r = group[0], i = group[1];
        SmallVector<Type> types{outputOf(r), outputOf(i),
                                op.getResult(numOutputs + r).getType(),
                                op.getResult(numOutputs + i).getType()};
        SmallVector<Value> inits;
        if (!op.getInits().empty())
          inits = {op.getInits()[r], op.getInits()[i]};
        auto diagonal = ComplexDiagonalRecurrenceOp::create(
            b, op.getLoc(), types, parts[0], parts[1], parts[2], parts[3],
            inits, op.getFormAttr());
        results.assign(diagonal->result_begin(), diagonal->result_end());
        complex = true;
        found += std::string(found.empty() ? "" : "; ") + "new states " +
                 std::to_string(r) + " and " + std::to_string(i) +
                 " are the real and imaginary parts of a complex state "
                 "affine in itself (h = λ ⊙ h + b)";
      }
      for (auto [k, s] : llvm::enumerate(group)) {
        for (unsigned o = 0; o < numOutputs; ++o)
          if (deps.outputState(o) == s)
            replacements[o] = results[k];
        replacements[numOutputs + s] = results[n + k];
        newStates[yield->getOperand(s)] = results[k];
      }
    }
    for (auto [o, lifter] : llvm::zip(computedOutputs, outputLifters)) {
      Value out = yield->getOperand(op.getNumStates() + o);
      auto type = cast<RankedTensorType>(op.getResult(o).getType());
      Value y = lifter
                    .build(b, {type.getElementType()},
                           [&](ImplicitLocOpBuilder &g) {
                             return SmallVector<Value>{lifter.scalar(g, out)};
                           })
                    ->getResult(0);
      if (y.getType() != type)
        y = tensor::CastOp::create(b, op.getLoc(), type, y);
      replacements[o] = y;
    }
    if (!computedOutputs.empty())
      found += "; output" + std::string(computedOutputs.size() > 1 ? "s" : "") +
               " computed element-wise from the new states";
    if (remarks)
      op.emitRemark() << "raised to "
                      << (real && complex ? "mixer.diagonal_recurrence and "
                                            "mixer.complex_diagonal_recurrence"
                          : complex      ? "mixer.complex_diagonal_recurrence"
                                         : "mixer.diagonal_recurrence")
                      << ": " << found;
    op->replaceAllUsesWith(replacements);
    op->erase();
  }
};
} // namespace
