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
//===----------------------------------------------------------------------===//
#include "RaiseToSemiseparable.h"

#include "BodyLifter.h"
#include "ProjectGeneric.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::mixer;

namespace {
/// The factors of a product (a value that is not a product is its one
/// factor).
void factorsOf(Value v, SmallVectorImpl<Value> &out) {
  if (auto mul = v.getDefiningOp<arith::MulFOp>()) {
    factorsOf(mul.getLhs(), out);
    factorsOf(mul.getRhs(), out);
    return;
  }
  out.push_back(v);
}

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
  auto readout = out.getDefiningOp<linalg::GenericOp>();
  if (!readout || readout->getBlock() != &body || stateRank < 2 ||
      stateRank > 3 || !readout.hasPureTensorSemantics() ||
      readout.getNumDpsInits() != 1 || readout.getNumReductionLoops() != 1 ||
      readout.getNumLoops() != stateRank)
    return failure();
  OpOperand *stateOperand = nullptr;
  for (OpOperand *in : readout.getDpsInputOperands()) {
    if (in->get() == newState) {
      if (stateOperand)
        return failure();
      stateOperand = in;
    } else if (deps.get(in->get()).kind != Dependence::Independent) {
      return failure();
    }
  }
  OpOperand *init = readout.getDpsInitOperand(0);
  if (!stateOperand ||
      deps.get(init->get()).kind != Dependence::Independent ||
      !readout.getMatchingIndexingMap(stateOperand).isPermutation())
    return failure();
  // The read-out's body: acc + S·φ₁·φ₂·… (or an fma), the φ's free of S
  // and of the accumulator.
  Block *rbody = readout.getBody();
  BlockArgument sArg = rbody->getArgument(stateOperand->getOperandNumber());
  BlockArgument acc = rbody->getArgument(init->getOperandNumber());
  Value y = rbody->getTerminator()->getOperand(0);
  SmallVector<Value> factors;
  if (auto add = y.getDefiningOp<arith::AddFOp>()) {
    if (add.getLhs() == acc)
      factorsOf(add.getRhs(), factors);
    else if (add.getRhs() == acc)
      factorsOf(add.getLhs(), factors);
  } else if (auto fma = y.getDefiningOp<math::FmaOp>()) {
    if (fma.getC() == acc) {
      factorsOf(fma.getA(), factors);
      factorsOf(fma.getB(), factors);
    }
  }
  if (llvm::count(factors, sArg) != 1)
    return failure();
  factors.erase(llvm::find(factors, sArg));
  // Constant factors become the op's scale.
  double scale = 1.0;
  llvm::erase_if(factors, [&](Value f) {
    FloatAttr c;
    if (!matchPattern(f, m_Constant(&c)))
      return false;
    scale *= c.getValueAsDouble();
    return true;
  });
  llvm::SetVector<Operation *> phiOps;
  llvm::SetVector<BlockArgument> phiArgs;
  for (Value f : factors)
    sliceInBlock(rbody, f, phiOps, phiArgs);
  if (phiArgs.contains(sArg) || phiArgs.contains(acc))
    return failure();
  recognised = true;
  auto refuse = [&](Operation *at, const std::string &reason) {
    why = Dependence::blocked(at, reason);
    return failure();
  };
  if (deps.get(newState).kind != Dependence::Affine) {
    why = deps.get(newState);
    return failure();
  }

  // The roles of the state's dimensions.
  AffineMap stateMap = readout.getMatchingIndexingMap(stateOperand);
  unsigned keyLoop = 0;
  for (auto [l, it] : llvm::enumerate(readout.getIteratorTypesArray()))
    if (it == utils::IteratorType::reduction)
      keyLoop = l;
  const int64_t key = stateMap.getDimPosition(keyLoop);
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
  if (value < 0)
    return refuse(readout,
                  "the state has no value dimension: as mixer.semiseparable "
                  "(a value of size 1) its query, key and decay would be "
                  "stored for every (channel, state) and step, which the "
                  "recurrence's scan computes as it goes");
  AffineMap toLoops = inversePermutation(stateMap); // state dims → loops
  {
    // The result is laid out [heads, value].
    SmallVector<AffineExpr> expected;
    for (int64_t d : {head, value})
      if (d >= 0)
        expected.push_back(toLoops.getResult(d));
    AffineMap outMap = readout.getMatchingIndexingMap(init);
    if (outMap.getResults() != ArrayRef<AffineExpr>(expected))
      return refuse(readout, "the read-out's result is not laid out as the "
                             "state's [heads, value] dimensions");
  }

  // What the new generic reads: the state's coefficients, φ's operands at
  // the state's element, the accumulator.
  BodyLifter lifter(op, deps, {0u}, stateType);
  if (Operation *bad = lifter.check(newState))
    return refuse(bad, "the decay or input of the state is computed with an "
                       "operation that is not element-wise or a broadcast");
  auto at = [&](OpOperand *operand) {
    return readout.getMatchingIndexingMap(operand).compose(toLoops);
  };
  for (OpOperand *in : readout.getDpsInputOperands())
    if (phiArgs.contains(rbody->getArgument(in->getOperandNumber())))
      if (Operation *bad = lifter.check(in->get(), at(in)))
        return refuse(bad, "the read-out's query is computed with an "
                           "operation that is not element-wise or a "
                           "broadcast");
  if (Operation *bad = lifter.check(init->get(), at(init)))
    return refuse(bad, "the read-out's initial value is computed with an "
                       "operation that is not element-wise or a broadcast");

  OpBuilder b(op);
  Location loc = op.getLoc();
  Type f32 = b.getF32Type();
  auto full = lifter.build(
      b, SmallVector<Type>(4, f32), [&](ImplicitLocOpBuilder &g) {
        Linear lin = lifter.linear(g, newState);
        Value alpha = lifter.materialize(g, lin.coef[0], lin.unit[0]);
        Value beta = lin.off ? lin.off : lifter.materialize(g, nullptr, false);
        IRMapping mapping;
        for (OpOperand *in : readout.getDpsInputOperands()) {
          BlockArgument arg = rbody->getArgument(in->getOperandNumber());
          if (phiArgs.contains(arg))
            mapping.map(arg, lifter.scalar(g, in->get(), at(in)));
        }
        for (Operation *phiOp : phiOps) {
          for (Value operand : phiOp->getOperands())
            if (operand.getParentBlock() != rbody && !mapping.contains(operand))
              mapping.map(operand, g.clone(*operand.getDefiningOp())->getResult(0));
          g.clone(*phiOp, mapping);
        }
        Value phi;
        for (Value f : factors) {
          Value s = mapping.lookupOrDefault(f);
          if (s.getType() != f32)
            s = arith::ExtFOp::create(g, f32, s);
          phi = phi ? Value(arith::MulFOp::create(g, phi, s)) : s;
        }
        if (!phi)
          phi = lifter.materialize(g, nullptr, true);
        Value r = lifter.scalar(g, init->get(), at(init));
        return SmallVector<Value>{alpha, beta, phi, r};
      });
  // `at` may be an op of `full`: described before it goes.
  auto discard = [&](Operation *at, const std::string &reason) {
    std::string text = describeBlocker(Dependence::blocked(at, reason));
    SmallVector<Value> inits(full.getDpsInits());
    full->erase();
    for (Value init : inits)
      if (init.use_empty())
        init.getDefiningOp()->erase();
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
  // β = k ⊗ v: each factor on the key or on the value, not both.
  Value k, v;
  {
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
      v4, gateOperand, /*beta=*/Value(), Value(), Value(), initial,
      b.getF64FloatAttr(scale), /*causal=*/true, /*delta_rule=*/false,
      op.getFormAttr());
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

  found = std::string("the state is updated as S = diag(α) S + k vᵀ (decay: ") +
          decayKind + ") and read out as o = Sᵀ q" +
          (hasSkip ? " + r" : "");
  op->replaceAllUsesWith(ValueRange{o, finalState});
  op->erase();
  return success();
}
