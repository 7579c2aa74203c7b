//===- RaiseToSemiseparable.cpp - outer-product recurrences → semiseparable -===//
//
// docs/math.md, section 4.2. The recurrence has one state S, laid out
// [heads, key, value] (heads and value each optional), and one output, a
// linalg.generic that contracts the new state over the key:
//   o[h, j] = r[h, j] + Σ_i S'[h, i, j]·φ[h, i].
// StateDependence proves S' = α ⊙ S + β element-wise; BodyLifter computes
// α, β, φ and r over [B, T, h, i, j]; the projections then prove the
// structure: α and φ do not depend on j, and β is a product whose factors
// each depend on i or on j but not both, β = k[h, i]·v[h, j]. Then
//   S_t = diag(α_t) S_{t−1} + k_t v_tᵀ,  o_t = S_tᵀ q_t + r_t  (q = φ)
// is mixer.semiseparable (docs/math.md, section 1): its scale the product
// of φ's constant factors, its gate log α (per key channel, per head and
// step, or per head).
//
// The delta rule: when S' is not affine in S, the one other contraction of
// a value affine in S over the key, c = (ρ ⊙ S)ᵀκ, is its prediction. With
// c a symbol S' = α ⊙ S + β(c), and β = γ·c + δ by the affine rules on the
// generic's scalars (c read at (h, j)). With ρ = α, −γ = β_h κ and
// δ = −γ ⊗ v (proven on the products' factors), S' is
//   (I − β k kᵀ) diag(α) S + β k vᵀ,  k = κ,
// mixer.semiseparable {delta_rule}.
//
//===----------------------------------------------------------------------===//
#include "RaiseToSemiseparable.h"

#include "BodyLifter.h"
#include "AffineParts.h"
#include "ProjectGeneric.h"
#include "ScalarAlgebra.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::mixer;

namespace {
/// The reassociation that inserts unit dimensions where `present` is
/// false: each unit dimension joins the group of the source dimension
/// before it, or after it when it leads.
SmallVector<ReassociationIndices> unitDimGroups(ArrayRef<bool> present) {
  SmallVector<ReassociationIndices> groups;
  SmallVector<int64_t> leading;
  for (auto [i, p] : llvm::enumerate(present)) {
    if (p) {
      groups.emplace_back(leading.begin(), leading.end());
      leading.clear();
      groups.back().push_back(i);
    } else if (groups.empty()) {
      leading.push_back(i);
    } else {
      groups.back().push_back(i);
    }
  }
  return groups; // empty for a rank-0 source
}

/// `x` with unit dimensions inserted where `present` is false (the others
/// are x's dimensions, in order).
Value withUnitDims(OpBuilder &b, Location loc, Value x,
                   ArrayRef<bool> present) {
  if (llvm::all_of(present, [](bool p) { return p; }))
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape;
  unsigned source = 0;
  for (bool p : present)
    shape.push_back(p ? type.getDimSize(source++) : 1);
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), x,
      unitDimGroups(present));
}

/// The inverse of withUnitDims.
Value withoutUnitDims(OpBuilder &b, Location loc, Value x,
                      ArrayRef<bool> present) {
  if (llvm::all_of(present, [](bool p) { return p; }))
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape;
  for (auto [i, p] : llvm::enumerate(present))
    if (p)
      shape.push_back(type.getDimSize(i));
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), x,
      unitDimGroups(present));
}

/// A contraction of a state-like value x over one of its dimensions, as the
/// read-out and the delta rule's prediction are written:
///   y[...] = init[...] + Σ_key x[...]·φ₁·φ₂·…   (or an fma),
/// the φ's and init independent of the state.
struct Contraction {
  mutable linalg::GenericOp generic;
  OpOperand *contracted = nullptr, *init = nullptr;
  /// The φ's (constant factors removed into `scale`), the ops of the
  /// generic's body that compute them and the arguments they read.
  SmallVector<Value> factors;
  double scale = 1.0;
  llvm::SetVector<Operation *> ops;
  llvm::SetVector<BlockArgument> args;

  /// The dimension of x it contracts.
  int64_t key() const {
    for (auto [l, it] : llvm::enumerate(generic.getIteratorTypesArray()))
      if (it == utils::IteratorType::reduction)
        if (std::optional<unsigned> d = getMap(contracted).getResultPosition(
                getAffineDimExpr(l, generic.getContext())))
          return *d;
    return -1;
  }
  AffineMap getMap(OpOperand *operand) const {
    return generic.getMatchingIndexingMap(operand);
  }
  /// Where `operand` is read at x's element: its map ∘ (x's map)⁻¹.
  AffineMap at(OpOperand *operand) const {
    return getMap(operand).compose(inversePermutation(getMap(contracted)));
  }
  /// Whether its result is laid out as x's dimensions `dims` (those ≥ 0).
  bool laidOutAs(ArrayRef<int64_t> dims) const {
    SmallVector<AffineExpr> expected;
    for (int64_t d : dims)
      if (d >= 0)
        expected.push_back(getAffineDimExpr(d, generic.getContext()));
    return at(init).getResults() == ArrayRef<AffineExpr>(expected);
  }
};

/// `def` as a contraction of `x` (of rank `rank`), if it is one.
std::optional<Contraction> contractionOf(Operation *def, Value x,
                                         int64_t rank,
                                         const StateDependence &deps,
                                         Block &body) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(def);
  if (!generic || generic->getBlock() != &body ||
      !generic.hasPureTensorSemantics() || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 1 || generic.getNumLoops() != rank)
    return std::nullopt;
  Contraction c;
  c.generic = generic;
  for (OpOperand *in : generic.getDpsInputOperands()) {
    if (in->get() == x) {
      if (c.contracted)
        return std::nullopt;
      c.contracted = in;
    } else if (deps.get(in->get()).kind != Dependence::Independent) {
      return std::nullopt;
    }
  }
  c.init = generic.getDpsInitOperand(0);
  if (!c.contracted ||
      deps.get(c.init->get()).kind != Dependence::Independent ||
      !c.getMap(c.contracted).isPermutation())
    return std::nullopt;
  // Its body: acc + x·φ₁·φ₂·… (or an fma), the φ's free of x and of the
  // accumulator.
  Block *gbody = generic.getBody();
  BlockArgument xArg = gbody->getArgument(c.contracted->getOperandNumber());
  BlockArgument acc = gbody->getArgument(c.init->getOperandNumber());
  Value y = gbody->getTerminator()->getOperand(0);
  if (auto add = y.getDefiningOp<arith::AddFOp>()) {
    if (add.getLhs() == acc)
      factorsOf(add.getRhs(), c.factors);
    else if (add.getRhs() == acc)
      factorsOf(add.getLhs(), c.factors);
  } else if (auto fma = y.getDefiningOp<math::FmaOp>()) {
    if (fma.getC() == acc) {
      factorsOf(fma.getA(), c.factors);
      factorsOf(fma.getB(), c.factors);
    }
  }
  if (llvm::count(c.factors, xArg) != 1)
    return std::nullopt;
  c.factors.erase(llvm::find(c.factors, xArg));
  // Constant factors become a scale.
  llvm::erase_if(c.factors, [&](Value f) {
    FloatAttr constant;
    if (!matchPattern(f, m_Constant(&constant)))
      return false;
    c.scale *= constant.getValueAsDouble();
    return true;
  });
  for (Value f : c.factors)
    sliceInBlock(gbody, f, c.ops, c.args);
  if (c.args.contains(xArg) || c.args.contains(acc))
    return std::nullopt;
  return c;
}

/// Whether `v` is a tensor of zeros: a splat constant or a fill of 0.
bool isZero(Value v) {
  if (matchPattern(v, m_AnyZeroFloat()))
    return true;
  auto fill = v.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
}

/// The delta rule's prediction: the one other contraction of a value
/// affine in the state over the read-out's key, c = (ρ ⊙ S)ᵀ κ.
std::optional<Contraction> predictionOf(RecurrenceOp op,
                                        const StateDependence &deps,
                                        linalg::GenericOp readout,
                                        int64_t rank) {
  Block &body = op.getBody().front();
  std::optional<Contraction> found;
  for (Operation &inner : body.without_terminator()) {
    auto generic = dyn_cast<linalg::GenericOp>(inner);
    if (!generic || generic == readout)
      continue;
    Value x;
    for (Value in : generic.getDpsInputs())
      if (deps.get(in).kind == Dependence::Affine)
        x = in;
    if (!x)
      continue;
    std::optional<Contraction> c = contractionOf(generic, x, rank, deps, body);
    if (!c)
      continue;
    if (found)
      return std::nullopt; // two predictions: not the delta rule
    found = std::move(c);
  }
  return found;
}

/// The scalars of a generic's body (in construction) that depend on `x`,
/// classified by the affine rules.
struct DependenceOn {
  llvm::DenseMap<Value, Dependence> deps;
  Dependence none;

  DependenceOn(Block *block, Value x) {
    Dependence seed;
    seed.kind = Dependence::Affine;
    seed.states = 1;
    deps[x] = seed;
    auto lookup = [&](Value v) -> const Dependence & { return get(v); };
    for (Operation &inner : *block) {
      Dependence d = dependenceOf(inner, lookup);
      for (Value r : inner.getResults())
        deps[r] = d;
    }
  }
  const Dependence &get(Value v) const {
    auto it = deps.find(v);
    return it == deps.end() ? none : it->second;
  }
};

/// Whether `v`, a scalar of `generic`'s body, reads `arg`.
bool reads(linalg::GenericOp generic, Value v, Value arg) {
  llvm::SetVector<Operation *> ops;
  llvm::SetVector<BlockArgument> args;
  sliceInBlock(generic.getBody(), v, ops, args);
  return llvm::is_contained(args, arg);
}
} // namespace

LogicalResult mixir::raiseToSemiseparable(RecurrenceOp op,
                                          const StateDependence &deps,
                                          bool &recognised, Dependence &why,
                                          std::string &found) {
  recognised = false;
  Block &body = op.getBody().front();
  Operation *yield = op.getYield();
  if (op.getNumStates() != 1 || op.getNumOutputs() != 1)
    return failure();
  Value newState = yield->getOperand(0), out = yield->getOperand(1);
  auto stateType = cast<RankedTensorType>(body.getArgument(0).getType());
  const int64_t stateRank = stateType.getRank();
  if (stateRank < 2 || stateRank > 3)
    return failure();
  std::optional<Contraction> readoutOf =
      contractionOf(out.getDefiningOp(), newState, stateRank, deps, body);
  if (!readoutOf)
    return failure();
  const Contraction &read = *readoutOf;
  linalg::GenericOp readout = read.generic;
  recognised = true;
  auto refuse = [&](Operation *at, const std::string &reason) {
    why = Dependence::blocked(at, reason);
    return failure();
  };

  // The roles of the state's dimensions.
  const int64_t key = read.key();
  int64_t head = -1, value = -1;
  if (stateRank == 3 && key == 1) {
    head = 0;
    value = 2;
  } else if (stateRank == 2 && key == 1) {
    head = 0;
  } else if (stateRank == 2 && key == 0) {
    value = 1;
  } else {
    return refuse(readout, "the read-out contracts dimension " +
                               std::to_string(key) +
                               " of the state; a state laid out [heads, key, "
                               "value] is read out over its key");
  }

  // S' = α ⊙ S + β, or the delta rule's S' = α ⊙ S + β(c) with c = S̃ᵀκ,
  // its prediction, a symbol (docs/math.md, section 4.2).
  std::optional<Contraction> prediction;
  std::optional<StateDependence> withPrediction;
  const StateDependence *stateDeps = &deps;
  Value predicted;
  if (deps.get(newState).kind != Dependence::Affine) {
    prediction = predictionOf(op, deps, readout, stateRank);
    if (!prediction) {
      why = deps.get(newState);
      return failure();
    }
    predicted = prediction->generic->getResult(0);
    withPrediction.emplace(op, ArrayRef<Value>{predicted});
    stateDeps = &*withPrediction;
    if (stateDeps->get(newState).kind != Dependence::Affine) {
      why = stateDeps->get(newState);
      return failure();
    }
  }
  if (value < 0)
    return refuse(readout,
                  "the state has no value dimension: as mixer.semiseparable "
                  "(a value of size 1) its query, key and decay would be "
                  "stored for every (channel, state) and step, which the "
                  "recurrence's scan computes as it goes");
  if (!read.laidOutAs({head, value}))
    return refuse(readout, "the read-out's result is not laid out as the "
                           "state's [heads, value] dimensions");
  if (prediction) {
    if (prediction->key() != key)
      return refuse(prediction->generic,
                    "the state's prediction contracts another dimension than "
                    "the read-out's key");
    if (!prediction->laidOutAs({head, value}))
      return refuse(prediction->generic,
                    "the state's prediction is not laid out as the state's "
                    "[heads, value] dimensions");
  }

  OpBuilder b(op);
  Location loc = op.getLoc();
  Type f32 = b.getF32Type();
  // The prediction is read by the generic below as a tensor over
  // [B, T, heads, value] that never exists: the generic is only taken
  // apart (projected), never run, and what reads it is refused.
  llvm::DenseMap<Value, Value> predictionReads;
  SmallVector<Operation *> placeholderOps;
  if (prediction) {
    Value first = op.getInputs().front();
    auto cType = cast<RankedTensorType>(predicted.getType());
    SmallVector<OpFoldResult> sizes;
    for (int64_t d : {0, 1}) {
      auto index = arith::ConstantIndexOp::create(b, loc, d);
      auto dim = tensor::DimOp::create(b, loc, first, index);
      placeholderOps.append({index, dim});
      sizes.push_back(dim.getResult());
    }
    for (int64_t d : cType.getShape())
      sizes.push_back(b.getIndexAttr(d));
    auto placeholder = tensor::EmptyOp::create(b, loc, sizes, f32);
    placeholderOps.push_back(placeholder);
    predictionReads[predicted] = placeholder;
  }
  auto dropPlaceholder = [&] {
    for (Operation *p : llvm::reverse(placeholderOps))
      if (p->use_empty())
        p->erase();
    placeholderOps.clear();
  };
  auto refuseBeforeBuild = [&](Operation *at, const std::string &reason) {
    dropPlaceholder();
    return refuse(at, reason);
  };

  // What the new generic reads: the state's coefficients, φ's operands at
  // the state's element, the accumulator (and the prediction's).
  BodyLifter lifter(op, *stateDeps, {0u}, stateType,
                    prediction ? &predictionReads : nullptr);
  if (Operation *bad = lifter.check(newState))
    return refuseBeforeBuild(bad, "the decay or input of the state is "
                                  "computed with an operation that is not "
                                  "element-wise or a broadcast");
  // The operands a contraction's φ's read, at the state's element.
  auto checkFactors = [&](const Contraction &c) -> Operation * {
    for (OpOperand *in : c.generic.getDpsInputOperands())
      if (c.args.contains(c.generic.getBody()->getArgument(in->getOperandNumber())))
        if (Operation *bad = lifter.check(in->get(), c.at(in)))
          return bad;
    return nullptr;
  };
  if (Operation *bad = checkFactors(read))
    return refuseBeforeBuild(bad, "the read-out's query is computed with an "
                                  "operation that is not element-wise or a "
                                  "broadcast");
  if (Operation *bad = lifter.check(read.init->get(), read.at(read.init)))
    return refuseBeforeBuild(bad, "the read-out's initial value is computed "
                                  "with an operation that is not element-wise "
                                  "or a broadcast");
  AffineMap predictedAt;
  if (prediction) {
    Value x = prediction->contracted->get();
    if (Operation *bad = lifter.check(x))
      return refuseBeforeBuild(bad, "the state's prediction reads a value "
                                    "computed with an operation that is not "
                                    "element-wise or a broadcast");
    if (Operation *bad = checkFactors(*prediction))
      return refuseBeforeBuild(bad, "the state's prediction's key is "
                                    "computed with an operation that is not "
                                    "element-wise or a broadcast");
    // c must start from zero: c₀ + S̃ᵀk would add γ·c₀ to the input.
    if (!isZero(prediction->init->get()))
      return refuseBeforeBuild(prediction->generic,
                               "the state's prediction Sᵀk starts from a "
                               "value that is not zero");
    // c[h, j] corrects S[h, i, j]: read anywhere else, it is not the
    // delta rule.
    predictedAt = prediction->at(prediction->init);
    SmallVector<AffineMap> predictionReads = lifter.readsOf(predicted);
    if (predictionReads.empty())
      return refuseBeforeBuild(prediction->generic,
                               "the state's prediction Sᵀk reaches the new "
                               "state other than as a value read element by "
                               "element (an output operand, a fill)");
    for (AffineMap at : predictionReads)
      if (at != predictedAt)
        return refuseBeforeBuild(
            prediction->generic,
            "the state's prediction Sᵀk is read at other elements than the "
            "value channel it corrects");
  }

  // The contraction's φ's at the state's element (its factors and scale).
  auto contractionFactor = [&](ImplicitLocOpBuilder &g, const Contraction &c) {
    IRMapping mapping;
    Block *cbody = c.generic.getBody();
    for (OpOperand *in : c.generic.getDpsInputOperands()) {
      BlockArgument arg = cbody->getArgument(in->getOperandNumber());
      if (c.args.contains(arg))
        mapping.map(arg, lifter.scalar(g, in->get(), c.at(in)));
    }
    for (Operation *phiOp : c.ops) {
      for (Value operand : phiOp->getOperands())
        if (operand.getParentBlock() != cbody && !mapping.contains(operand))
          mapping.map(operand, g.clone(*operand.getDefiningOp())->getResult(0));
      g.clone(*phiOp, mapping);
    }
    Value phi;
    for (Value f : c.factors) {
      Value s = mapping.lookupOrDefault(f);
      if (s.getType() != f32)
        s = arith::ExtFOp::create(g, f32, s);
      phi = phi ? Value(arith::MulFOp::create(g, phi, s)) : s;
    }
    return phi;
  };
  std::string correctionWhy;
  const unsigned numResults = prediction ? 8 : 4;
  Value predictionArg;
  auto full = lifter.build(
      b, SmallVector<Type>(numResults, f32), [&](ImplicitLocOpBuilder &g) {
        Linear lin = lifter.linear(g, newState);
        Value alpha = lifter.materialize(g, lin.coef[0], lin.unit[0]);
        Value beta = lin.off ? lin.off : lifter.materialize(g, nullptr, false);
        Value phi = contractionFactor(g, read);
        if (!phi)
          phi = lifter.materialize(g, nullptr, true);
        Value r = lifter.scalar(g, read.init->get(), read.at(read.init));
        SmallVector<Value> results{alpha, beta, phi, r};
        if (!prediction)
          return results;
        // β = γ ⊙ c + δ, by the affine rules on the scalars.
        Value c = lifter.scalar(g, predicted, predictedAt);
        predictionArg = c;
        DependenceOn onC(g.getInsertionBlock(), c);
        Value gamma, delta;
        if (onC.get(beta).kind == Dependence::Other) {
          correctionWhy = describeBlocker(onC.get(beta));
          gamma = delta = lifter.materialize(g, nullptr, false);
        } else {
          AffineParts parts(1);
          AffineParts::Leaves leaves{
              [&](Value x) {
                return onC.get(x).kind == Dependence::Independent;
              },
              [](ImplicitLocOpBuilder &, Value x) { return x; },
              [&](Value x) { return x == c ? 0 : -1; }};
          Linear correction = parts.get(g, beta, leaves);
          gamma = lifter.materialize(g, correction.coef[0], correction.unit[0]);
          delta = correction.off ? correction.off
                                 : lifter.materialize(g, nullptr, false);
        }
        results[1] = delta;
        Linear x = lifter.linear(g, prediction->contracted->get());
        Value rho = lifter.materialize(g, x.coef[0], x.unit[0]);
        Value rhoOff = x.off ? x.off : lifter.materialize(g, nullptr, false);
        Value kappa = contractionFactor(g, *prediction);
        if (!kappa)
          kappa = lifter.materialize(g, nullptr, true);
        if (prediction->scale != 1.0)
          kappa = arith::MulFOp::create(
              g, kappa,
              arith::ConstantOp::create(g, g.getF32FloatAttr(prediction->scale)));
        llvm::append_range(results, SmallVector<Value>{gamma, rho, rhoOff, kappa});
        return results;
      });
  // `at` may be an op of `full`: described before it goes.
  auto discard = [&](Operation *at, const std::string &reason) {
    std::string text = describeBlocker(Dependence::blocked(at, reason));
    SmallVector<Value> inits(full.getDpsInits());
    full->erase();
    for (Value init : inits)
      if (init.use_empty())
        init.getDefiningOp()->erase();
    dropPlaceholder();
    return refuse(nullptr, text);
  };

  // The loops of `full`: b, t, then the state's dimensions.
  const unsigned kLoop = 2 + key;
  const int64_t hLoop = head >= 0 ? 2 + head : -1,
                vLoop = value >= 0 ? 2 + value : -1;
  auto loops = [&](bool bt, bool withKey, bool withValue) {
    SmallVector<unsigned> keep;
    if (bt)
      keep = {0, 1};
    if (hLoop >= 0)
      keep.push_back(hLoop);
    if (withKey)
      keep.push_back(kLoop);
    if (withValue && vLoop >= 0)
      keep.push_back(vLoop);
    return keep;
  };
  Operation *terminator = full.getBody()->getTerminator();
  Value alpha = terminator->getOperand(0), beta = terminator->getOperand(1),
        phi = terminator->getOperand(2), r = terminator->getOperand(3);
  OpBuilder inBody = OpBuilder::atBlockTerminator(full.getBody());
  ImplicitLocOpBuilder ib(loc, inBody);
  // The gate, log α.
  Value gate;
  std::string decayKind = "none";
  if (!matchPattern(alpha, m_OneFloat())) {
    if (auto exp = alpha.getDefiningOp<math::ExpOp>())
      gate = exp.getOperand();
    else
      gate = math::LogOp::create(inBody, loc, alpha);
    llvm::SmallBitVector gateLoops = loopsOf(full, gate);
    if (vLoop >= 0 && gateLoops.test(vLoop))
      return discard(nullptr, "the decay depends on the value dimension: the "
                              "state's decay must be one per key channel");
  }
  Value k, v, deltaBeta;
  if (!prediction) {
    // β = k ⊗ v: each factor on the key or on the value, not both.
    SmallVector<Value> betaFactors;
    factorsOf(beta, betaFactors);
    for (Value f : betaFactors) {
      llvm::SmallBitVector l = loopsOf(full, f);
      bool onKey = l.test(kLoop), onValue = vLoop >= 0 && l.test(vLoop);
      if (onKey && onValue)
        return discard(f.getDefiningOp(),
                       "the state's input is not an outer product k vᵀ: a "
                       "factor of it depends on both the key and the value");
      Value &side = onKey ? k : v;
      side = side ? Value(arith::MulFOp::create(inBody, loc, side, f)) : f;
    }
    Value one = arith::ConstantOp::create(inBody, loc, inBody.getF32FloatAttr(1.0));
    if (!k)
      k = one;
    if (!v)
      v = one;
  } else {
    // The delta rule (docs/math.md, section 4.2): with c = (ρ ⊙ S)ᵀ κ,
    //   S' = α ⊙ S + γ cᵀ + δ = (I − β k kᵀ) diag(α) S + β k vᵀ
    // holds when ρ = α, −γ = β κ (k = κ) and δ = −γ vᵀ, with β free of the
    // key and value and v of the key.
    Value gamma = terminator->getOperand(4), rho = terminator->getOperand(5),
          rhoOff = terminator->getOperand(6);
    k = terminator->getOperand(7);
    if (!correctionWhy.empty())
      return discard(nullptr, "the state's correction is not affine in its "
                              "prediction Sᵀk: " + correctionWhy);
    for (auto [name, x] : {std::pair{"decay", alpha}, std::pair{"query", phi},
                           std::pair{"read-out's initial value", r}})
      if (reads(full, x, predictionArg))
        return discard(nullptr, std::string("the state's ") + name +
                                    " depends on its prediction Sᵀk");
    if (!matchPattern(rhoOff, m_AnyZeroFloat()))
      return discard(prediction->generic,
                     "the state's prediction contracts a value that is not a "
                     "multiple of the state (ρ ⊙ S)");
    if (!sameValue(rho, alpha))
      return discard(prediction->generic,
                     "the state's prediction reads the state with another "
                     "decay than its update: the delta rule predicts from the "
                     "decayed state diag(α) S");
    if (vLoop >= 0 && loopsOf(full, k).test(vLoop))
      return discard(prediction->generic, "the prediction's key depends on "
                                          "the value dimension");
    Product write = Product::of(gamma);
    write.constant = -write.constant;
    std::optional<Product> betaPart = Product::divide(write, Product::of(k));
    if (!betaPart)
      return discard(nullptr, "the state's correction −γ (Sᵀk)ᵀ is not "
                              "written along the prediction's key k (γ = −β "
                              "k, β free of the key)");
    for (Value f : betaPart->factors) {
      llvm::SmallBitVector l = loopsOf(full, f);
      if (l.test(kLoop) || (vLoop >= 0 && l.test(vLoop)))
        return discard(f.getDefiningOp(),
                       "the delta rule's β depends on the key or the value "
                       "dimension: it must be one per head and step");
    }
    std::optional<Product> valuePart =
        Product::divide(Product::of(beta), write);
    if (!valuePart)
      return discard(nullptr, "the state's input is not β k vᵀ with the "
                              "correction's β k");
    for (Value f : valuePart->factors)
      if (loopsOf(full, f).test(kLoop))
        return discard(f.getDefiningOp(),
                       "the delta rule's value depends on the key dimension");
    v = valuePart->build(ib);
    if (betaPart->constant != 1.0 || !betaPart->factors.empty())
      deltaBeta = betaPart->build(ib);
  }
  if (vLoop >= 0 && loopsOf(full, phi).test(vLoop))
    return discard(nullptr, "the read-out's query depends on the value "
                            "dimension");

  // The operands, over [B, T, H, K] and [B, T, H, V].
  b.setInsertionPoint(op);
  SmallVector<bool> qkPresent{true, true, head >= 0, true},
      vPresent{true, true, head >= 0, value >= 0};
  auto project = [&](Value x, ArrayRef<unsigned> keep) {
    return projectValue(b, full, x, keep, f32);
  };
  Value q4 = withUnitDims(b, loc, project(phi, loops(true, true, false)), qkPresent);
  Value k4 = withUnitDims(b, loc, project(k, loops(true, true, false)), qkPresent);
  Value v4 = withUnitDims(b, loc, project(v, loops(true, false, true)), vPresent);
  Value beta3;
  if (deltaBeta)
    beta3 = withUnitDims(b, loc, project(deltaBeta, loops(true, false, false)),
                         {true, true, head >= 0});
  Value gateOperand;
  if (gate) {
    llvm::SmallBitVector l = loopsOf(full, gate);
    if (l.test(kLoop)) {
      gateOperand = withUnitDims(b, loc, project(gate, loops(true, true, false)), qkPresent);
      decayKind = "one per key channel and step";
    } else if (l.test(0) || l.test(1) || hLoop < 0) {
      gateOperand = withUnitDims(b, loc, project(gate, loops(true, false, false)),
                                 {true, true, head >= 0});
      decayKind = "one per head and step";
    } else {
      gateOperand = project(gate, loops(false, false, false));
      decayKind = "one per head";
    }
  }
  bool hasSkip = !matchPattern(r, m_AnyZeroFloat());
  Value skip = hasSkip ? project(r, loops(true, false, true)) : Value();
  SmallVector<Value> inits(full.getDpsInits());
  full->erase();
  for (Value init : inits)
    if (init.use_empty())
      init.getDefiningOp()->erase();
  dropPlaceholder();

  // The semiseparable op, its state [B, H, K, V].
  SmallVector<bool> statePresent{true, head >= 0, true, value >= 0};
  Value initial;
  if (!op.getInits().empty())
    initial = withUnitDims(b, loc, op.getInits()[0], statePresent);
  auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
  auto finalType = cast<RankedTensorType>(op.getResult(1).getType());
  auto v4Type = cast<RankedTensorType>(v4.getType());
  auto k4Type = cast<RankedTensorType>(k4.getType());
  SmallVector<int64_t> outShape(v4Type.getShape());
  SmallVector<int64_t> stateShape{finalType.getDimSize(0), k4Type.getDimSize(2),
                                  k4Type.getDimSize(3), v4Type.getDimSize(3)};
  Type outElement = hasSkip ? f32 : resultType.getElementType();
  auto semiseparable = SemiseparableOp::create(
      b, loc, RankedTensorType::get(outShape, outElement),
      RankedTensorType::get(stateShape, finalType.getElementType()), q4, k4,
      v4, gateOperand, beta3, Value(), Value(), initial,
      b.getF64FloatAttr(read.scale), /*causal=*/true,
      /*delta_rule=*/prediction.has_value(), op.getFormAttr());
  Value o = withoutUnitDims(b, loc, semiseparable.getOutput(), vPresent);
  if (hasSkip) {
    // o + r, in the result's element type.
    auto oType = cast<RankedTensorType>(o.getType());
    const unsigned rank = oType.getRank();
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, o);
    Value empty =
        tensor::EmptyOp::create(b, loc, sizes, resultType.getElementType());
    o = linalg::GenericOp::create(
            b, loc, TypeRange{empty.getType()}, ValueRange{o, skip},
            ValueRange{empty},
            SmallVector<AffineMap>(3, b.getMultiDimIdentityMap(rank)),
            SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location nloc, ValueRange args) {
              Value sum = arith::AddFOp::create(nb, nloc, args[0], args[1]);
              if (sum.getType() != resultType.getElementType())
                sum = arith::TruncFOp::create(nb, nloc,
                                              resultType.getElementType(), sum);
              linalg::YieldOp::create(nb, nloc, sum);
            })
            .getResult(0);
  }
  if (o.getType() != resultType)
    o = tensor::CastOp::create(b, loc, resultType, o);
  Value finalState =
      withoutUnitDims(b, loc, semiseparable.getFinalState(), statePresent);
  if (finalState.getType() != finalType)
    finalState = tensor::CastOp::create(b, loc, finalType, finalState);

  found = std::string("the state is updated as ") +
          (prediction ? "S = (I − β k kᵀ) diag(α) S + β k vᵀ, the delta rule"
                      : "S = diag(α) S + k vᵀ") +
          " (decay: " + decayKind + ") and read out as o = Sᵀ q" +
          (hasSkip ? " + r" : "");
  op->replaceAllUsesWith(ValueRange{o, finalState});
  op->erase();
  return success();
}
