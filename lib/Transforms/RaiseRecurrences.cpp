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
#include "ChannelInvariants.h"

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
/// The coefficients and offset of an affine value, Σ_k α_k ⊙ h_k + β, as
/// scalars in the generic, for the states h_k of one coupled group (one
/// state, or a complex number's two parts). A null coefficient or offset
/// is zero; `unit[k]`: α_k is one.
struct Linear {
  Value coef[2];
  bool unit[2] = {false, false};
  Value off;
};

/// Builds the decay and input of one coupled group of states of one
/// recurrence.
class Raiser {
public:
  Raiser(RecurrenceOp op, const StateDependence &deps,
         ArrayRef<unsigned> group)
      : op(op), deps(deps), group(group),
        stateType(cast<RankedTensorType>(
            op.getBody().front().getArgument(group[0]).getType())) {}
  /// For an output: `newStates` maps each new state's value in the body to
  /// the [B, T, d...] tensor of the op that computes it (filled in by the
  /// caller once those ops exist, before buildOutput).
  Raiser(RecurrenceOp op, const StateDependence &deps,
         RankedTensorType shape,
         const llvm::DenseMap<Value, Value> &newStates)
      : op(op), deps(deps), stateType(shape), newStates(&newStates) {}

  /// Whether output `out` is element-wise on the state's shape, computed
  /// from new states and independent values; else the operation that is
  /// not.
  Operation *findNonElementwiseOutput(Value out) {
    Operation *bad = nullptr;
    checkValue(out, bad);
    return bad;
  }

  /// The generic over [B, T, d...] computing an output from the new states
  /// (read from their ops' results) and the inputs.
  linalg::GenericOp buildOutput(OpBuilder &b, Value out, Type elementType);

  /// Whether every independent value the new states need is element-wise
  /// on the state's shape; else the operation that is not.
  Operation *findNonElementwise() {
    Operation *bad = nullptr;
    for (unsigned s : group)
      checkValue(op.getYield()->getOperand(s), bad);
    return bad;
  }

  /// The generic over [B, T, d...] computing the decay (α, or log α) and
  /// input (β): one part each for one state, (re, im) parts for a pair
  /// whose coupling is a complex number's, λ = re λ + i·im λ:
  ///   h_r' = re λ·h_r − im λ·h_i + β_r,  h_i' = im λ·h_r + re λ·h_i + β_i.
  /// Null (and `why` set) when a pair is coupled otherwise. Sets
  /// `logDecay` when α = exp(g) (one state).
  linalg::GenericOp build(OpBuilder &b, bool &logDecay, std::string &why);

private:
  Block &body() { return op.getBody().front(); }
  bool isStepInput(Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    return arg && arg.getOwner() == &body() && arg.getArgNumber() >= op.getNumStates();
  }
  bool definedInBody(Value v) {
    return v.getParentRegion() == &op.getBody() ||
           op.getBody().isAncestor(v.getParentRegion());
  }

  void checkValue(Value v, Operation *&bad);
  /// The value of an outer splat constant, read as a scalar.
  static FloatAttr splatOf(Value v) {
    DenseFPElementsAttr dense;
    if (!matchPattern(v, m_Constant(&dense)) || !dense.isSplat())
      return nullptr;
    return dense.getSplatValue<FloatAttr>();
  }
  Value scalar(ImplicitLocOpBuilder &b, Value v);
  Linear linear(ImplicitLocOpBuilder &b, Value v);
  Value materialize(ImplicitLocOpBuilder &b, Value coef, bool unit);

  RecurrenceOp op;
  const StateDependence &deps;
  SmallVector<unsigned, 2> group;
  RankedTensorType stateType;
  /// What a generic over [B, T, d...] reads for the checked values: the
  /// inputs, the new states' tensors (identity), outer tensors (channels).
  struct Reads {
    SmallVector<OpFoldResult> sizes;
    SmallVector<Value> ins, bodyValues;
    SmallVector<AffineMap> maps;
  };
  Reads collectReads(ImplicitLocOpBuilder &b);
  /// Maps every read's body value to its element (f32), and outer splat
  /// constants to scalars, in a generic's body.
  void mapReads(ImplicitLocOpBuilder &g, const Reads &reads, ValueRange args);

  const llvm::DenseMap<Value, Value> *newStates = nullptr;
  llvm::SetVector<Value> checked;
  IRMapping scalars;
  llvm::DenseMap<Value, Linear> linears;
};

void Raiser::checkValue(Value v, Operation *&bad) {
  if (bad || !checked.insert(v))
    return;
  if (isStepInput(v) || (newStates && newStates->count(v)))
    return;
  if (!definedInBody(v)) {
    // An outer tensor is broadcast over B and T: it must have the state's
    // shape.
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || type.getShape() != stateType.getShape())
      bad = v.getDefiningOp() ? v.getDefiningOp() : op.getOperation();
    return;
  }
  if (isa<BlockArgument>(v))
    return; // a state
  Operation *def = v.getDefiningOp();
  auto sameShape = [&](Type t) {
    auto type = dyn_cast<RankedTensorType>(t);
    return type && type.getShape() == stateType.getShape();
  };
  if (auto constant = dyn_cast<arith::ConstantOp>(def)) {
    auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue());
    if (!dense || !dense.isSplat() || !sameShape(dense.getType()))
      bad = def;
    return;
  }
  if (!OpTrait::hasElementwiseMappableTraits(def) ||
      !llvm::all_of(def->getOperandTypes(), sameShape) ||
      !llvm::all_of(def->getResultTypes(), sameShape)) {
    bad = def;
    return;
  }
  for (Value operand : def->getOperands())
    checkValue(operand, bad);
}

/// The scalar (f32) value of an independent tensor value at one element.
Value Raiser::scalar(ImplicitLocOpBuilder &b, Value v) {
  if (Value known = scalars.lookupOrNull(v))
    return known;
  Operation *def = v.getDefiningOp();
  Value result;
  if (def && definedInBody(v)) {
    if (auto constant = dyn_cast<arith::ConstantOp>(def)) {
      auto dense = cast<DenseFPElementsAttr>(constant.getValue());
      result = arith::ConstantOp::create(b, dense.getSplatValue<FloatAttr>());
    } else {
      IRMapping mapping;
      for (Value operand : def->getOperands())
        mapping.map(operand, scalar(b, operand));
      Operation *clone = b.clone(*def, mapping);
      for (auto [r, t] : llvm::zip(clone->getResults(), def->getResultTypes()))
        r.setType(getElementTypeOrSelf(t));
      for (auto [r, orig] : llvm::zip(clone->getResults(), def->getResults()))
        scalars.map(orig, r);
      return scalars.lookup(v);
    }
  } else {
    llvm_unreachable("step inputs and outer values are mapped up front");
  }
  scalars.map(v, result);
  return result;
}

Value Raiser::materialize(ImplicitLocOpBuilder &b, Value coef, bool unit) {
  if (unit)
    return arith::ConstantOp::create(b, b.getF32FloatAttr(1.0));
  if (!coef)
    return arith::ConstantOp::create(b, b.getF32FloatAttr(0.0));
  return coef;
}

/// The α's and β of a value affine in the group's states (or independent:
/// every α = 0).
Linear Raiser::linear(ImplicitLocOpBuilder &b, Value v) {
  const Dependence &d = deps.get(v);
  if (d.kind == Dependence::Independent) {
    Linear r;
    r.off = scalar(b, v);
    return r;
  }
  if (auto it = linears.find(v); it != linears.end())
    return it->second;
  Linear result;
  Operation *def = v.getDefiningOp();
  if (!def) {
    // A state itself.
    unsigned k = llvm::find(group, cast<BlockArgument>(v).getArgNumber()) -
                 group.begin();
    result.unit[k] = true;
    linears[v] = result;
    return result;
  }
  const unsigned n = group.size();
  auto add = [&](Value x, Value y, bool subtract) -> Value {
    if (!y)
      return x;
    if (!x)
      return subtract ? Value(arith::NegFOp::create(b, y)) : y;
    return subtract ? Value(arith::SubFOp::create(b, x, y))
                    : Value(arith::AddFOp::create(b, x, y));
  };
  auto scale = [&](const Linear &x, Value factor, bool divide) -> Linear {
    auto apply = [&](Value c) -> Value {
      if (!c)
        return nullptr;
      return divide ? Value(arith::DivFOp::create(b, c, factor))
                    : Value(arith::MulFOp::create(b, c, factor));
    };
    Linear r;
    for (unsigned k = 0; k < n; ++k)
      r.coef[k] = x.unit[k] ? (divide ? Value(arith::DivFOp::create(
                                            b, materialize(b, nullptr, true),
                                            factor))
                                      : factor)
                            : apply(x.coef[k]);
    r.off = apply(x.off);
    return r;
  };
  auto sum = [&](const Linear &x, const Linear &y, bool subtract) -> Linear {
    Linear r;
    r.off = add(x.off, y.off, subtract);
    for (unsigned k = 0; k < n; ++k) {
      // h ± β and β + h keep a unit coefficient.
      bool xZero = !x.unit[k] && !x.coef[k], yZero = !y.unit[k] && !y.coef[k];
      if ((x.unit[k] && yZero) || (xZero && y.unit[k] && !subtract)) {
        r.unit[k] = true;
        continue;
      }
      Value xc = x.unit[k] ? materialize(b, nullptr, true) : x.coef[k];
      Value yc = y.unit[k] ? materialize(b, nullptr, true) : y.coef[k];
      r.coef[k] = add(xc, yc, subtract);
    }
    return r;
  };
  auto independent = [&](Value x) {
    return deps.get(x).kind == Dependence::Independent;
  };
  if (auto addf = dyn_cast<arith::AddFOp>(def)) {
    result = sum(linear(b, addf.getLhs()), linear(b, addf.getRhs()), false);
  } else if (auto subf = dyn_cast<arith::SubFOp>(def)) {
    result = sum(linear(b, subf.getLhs()), linear(b, subf.getRhs()), true);
  } else if (auto negf = dyn_cast<arith::NegFOp>(def)) {
    result = sum(Linear{}, linear(b, negf.getOperand()), true);
  } else if (auto mulf = dyn_cast<arith::MulFOp>(def)) {
    bool lhsAffine = !independent(mulf.getLhs());
    Value affinePart = lhsAffine ? mulf.getLhs() : mulf.getRhs();
    Value factor = lhsAffine ? mulf.getRhs() : mulf.getLhs();
    result = scale(linear(b, affinePart), scalar(b, factor), false);
  } else if (auto divf = dyn_cast<arith::DivFOp>(def)) {
    result = scale(linear(b, divf.getLhs()), scalar(b, divf.getRhs()), true);
  } else if (auto fma = dyn_cast<math::FmaOp>(def)) {
    bool aAffine = !independent(fma.getA());
    Linear product =
        scale(linear(b, aAffine ? fma.getA() : fma.getB()),
              scalar(b, aAffine ? fma.getB() : fma.getA()), false);
    result = sum(product, linear(b, fma.getC()), false);
  } else if (auto select = dyn_cast<arith::SelectOp>(def)) {
    Value cond = scalar(b, select.getCondition());
    Linear x = linear(b, select.getTrueValue()),
           y = linear(b, select.getFalseValue());
    auto pick = [&](Value xv, Value yv) -> Value {
      if (!xv && !yv)
        return nullptr;
      return arith::SelectOp::create(b, cond, xv ? xv : materialize(b, nullptr, false),
                                     yv ? yv : materialize(b, nullptr, false));
    };
    for (unsigned k = 0; k < n; ++k)
      result.coef[k] =
          pick(x.unit[k] ? materialize(b, nullptr, true) : x.coef[k],
               y.unit[k] ? materialize(b, nullptr, true) : y.coef[k]);
    result.off = pick(x.off, y.off);
  } else {
    llvm_unreachable("StateDependence marks every other op as a blocker");
  }
  linears[v] = result;
  return result;
}

/// Whether two scalars the generic computes are equal by construction: the
/// same value, equal constants, or the same operation on equal operands.
static bool sameValue(Value x, Value y, unsigned depth = 0) {
  if (x == y)
    return true;
  FloatAttr cx, cy;
  if (matchPattern(x, m_Constant(&cx)) && matchPattern(y, m_Constant(&cy)))
    return cx.getValue() == cy.getValue();
  Operation *ox = x.getDefiningOp(), *oy = y.getDefiningOp();
  if (!ox || !oy || depth > 16 || ox->getName() != oy->getName() ||
      ox->getAttrDictionary() != oy->getAttrDictionary() ||
      ox->getNumOperands() != oy->getNumOperands() ||
      ox->getNumResults() != 1 || ox->getNumRegions() != 0 ||
      !isMemoryEffectFree(ox))
    return false;
  return llvm::all_of(llvm::zip(ox->getOperands(), oy->getOperands()),
                      [&](auto pair) {
                        return sameValue(std::get<0>(pair), std::get<1>(pair),
                                         depth + 1);
                      });
}

/// Whether y = −x by construction.
static bool negationOf(Value x, Value y) {
  if (auto neg = y.getDefiningOp<arith::NegFOp>())
    if (sameValue(neg.getOperand(), x))
      return true;
  if (auto neg = x.getDefiningOp<arith::NegFOp>())
    if (sameValue(neg.getOperand(), y))
      return true;
  FloatAttr cx, cy;
  return matchPattern(x, m_Constant(&cx)) && matchPattern(y, m_Constant(&cy)) &&
         cx.getValue() == -cy.getValue();
}

linalg::GenericOp Raiser::build(OpBuilder &builder, bool &logDecay,
                                 std::string &why) {
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  Reads reads = collectReads(b);
  const unsigned rank = reads.sizes.size();
  SmallVector<AffineMap> maps = reads.maps;
  SmallVector<OpFoldResult> sizes = reads.sizes;
  SmallVector<Value> ins = reads.ins;
  // The decay's parts, then the input's.
  const unsigned n = group.size();
  Type f32 = b.getF32Type();
  SmallVector<Value> outs;
  for (unsigned i = 0; i < 2 * n; ++i)
    outs.push_back(tensor::EmptyOp::create(b, sizes, f32));
  maps.append(2 * n, b.getMultiDimIdentityMap(rank));
  logDecay = false;
  bool coupled = true;
  auto generic = linalg::GenericOp::create(
      b, TypeRange(ValueRange(outs)), ins, outs, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder g(loc, nb);
        mapReads(g, reads, args);
        SmallVector<Linear> lin;
        for (unsigned s : group)
          lin.push_back(linear(g, op.getYield()->getOperand(s)));
        auto coef = [&](unsigned s, unsigned k) {
          return materialize(g, lin[s].coef[k], lin[s].unit[k]);
        };
        auto offset = [&](unsigned s) {
          return lin[s].off ? lin[s].off : materialize(g, nullptr, false);
        };
        if (n == 1) {
          Value alpha = coef(0, 0);
          // α = exp(x): the decay is given in log space (x ≤ 0 keeps every
          // exponent the forms build ≤ 0).
          if (auto exp = alpha.getDefiningOp<math::ExpOp>()) {
            alpha = exp.getOperand();
            logDecay = true;
          }
          linalg::YieldOp::create(g, ValueRange{alpha, offset(0)});
          return;
        }
        // A complex number's parts: [[re λ, −im λ], [im λ, re λ]].
        Value re = coef(0, 0), im = coef(1, 0);
        coupled = sameValue(re, coef(1, 1)) && negationOf(im, coef(0, 1));
        linalg::YieldOp::create(g, ValueRange{re, im, offset(0), offset(1)});
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

Raiser::Reads Raiser::collectReads(ImplicitLocOpBuilder &b) {
  // Every input (its step has the state's shape, or it is not read), every
  // new state read, and every outer tensor the checked values need.
  Reads r;
  Value first = op.getInputs().front();
  r.sizes = {tensor::DimOp::create(b, first, 0).getResult(),
             tensor::DimOp::create(b, first, 1).getResult()};
  for (int64_t d : stateType.getShape())
    r.sizes.push_back(b.getIndexAttr(d));
  const unsigned rank = r.sizes.size();
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    Value arg = body().getArgument(op.getNumStates() + i);
    if (!checked.contains(arg))
      continue;
    r.ins.push_back(input);
    r.bodyValues.push_back(arg);
    r.maps.push_back(b.getMultiDimIdentityMap(rank));
  }
  if (newStates)
    for (Value v : checked)
      if (Value tensor = newStates->lookup(v)) {
        r.ins.push_back(tensor);
        r.bodyValues.push_back(v);
        r.maps.push_back(b.getMultiDimIdentityMap(rank));
      }
  SmallVector<AffineExpr> channels;
  for (unsigned d = 2; d < rank; ++d)
    channels.push_back(b.getAffineDimExpr(d));
  for (Value v : checked)
    if (!definedInBody(v) && !splatOf(v)) {
      r.ins.push_back(v);
      r.bodyValues.push_back(v);
      r.maps.push_back(AffineMap::get(rank, 0, channels, b.getContext()));
    }
  return r;
}

void Raiser::mapReads(ImplicitLocOpBuilder &g, const Reads &reads,
                      ValueRange args) {
  Type f32 = g.getF32Type();
  for (Value v : checked)
    if (!definedInBody(v))
      if (FloatAttr splat = splatOf(v))
        scalars.map(v, arith::ConstantOp::create(
                           g, g.getF32FloatAttr(
                                  splat.getValue().convertToDouble())));
  for (auto [value, arg] : llvm::zip(reads.bodyValues, args)) {
    Value x = arg;
    if (x.getType() != f32)
      x = arith::ExtFOp::create(g, f32, x);
    scalars.map(value, x);
  }
}

linalg::GenericOp Raiser::buildOutput(OpBuilder &builder, Value out,
                                      Type elementType) {
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  Reads reads = collectReads(b);
  const unsigned rank = reads.sizes.size();
  SmallVector<AffineMap> maps = reads.maps;
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value empty = tensor::EmptyOp::create(b, reads.sizes, elementType);
  return linalg::GenericOp::create(
      b, TypeRange{empty.getType()}, reads.ins, ValueRange{empty}, maps,
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        ImplicitLocOpBuilder g(loc, nb);
        mapReads(g, reads, args.drop_back());
        Value y = scalar(g, out);
        if (y.getType() != elementType)
          y = arith::TruncFOp::create(g, elementType, y);
        linalg::YieldOp::create(g, ValueRange{y});
      });
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
    if (!deps.isDiagonal(&why))
      return keep(op, why);
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
    std::vector<Raiser> outputRaisers;
    for (unsigned o = 0; o < numOutputs; ++o) {
      std::optional<unsigned> state = deps.outputState(o);
      if (!state) {
        // An element-wise function of new states: its own generic.
        Value out = yield->getOperand(op.getNumStates() + o);
        outputRaisers.emplace_back(
            op, deps, cast<RankedTensorType>(out.getType()), newStates);
        if (Operation *bad = outputRaisers.back().findNonElementwiseOutput(out))
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
    std::vector<Raiser> raisers;
    for (const auto &group : groups) {
      raisers.emplace_back(op, deps, group);
      if (Operation *bad = raisers.back().findNonElementwise())
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
    for (Raiser &raiser : raisers) {
      bool logDecay;
      std::string reason;
      linalg::GenericOp generic = raiser.build(b, logDecay, reason);
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
    for (auto [o, builder] : llvm::zip(computedOutputs, outputRaisers)) {
      Value out = yield->getOperand(op.getNumStates() + o);
      auto type = cast<RankedTensorType>(op.getResult(o).getType());
      Value y = builder.buildOutput(b, out, type.getElementType())
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
