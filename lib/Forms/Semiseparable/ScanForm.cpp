//===- ScanForm.cpp - the scan (recurrent) form -------------------------===//
//
// One token at a time per (batch, head), o_t = scale · S_tᵀ q_t
// (docs/math.md, "scan"):
//   diagonal   S_t = diag(exp(g_t)) S_{t-1} + β_t k_t v_tᵀ: the update and
//              the read-out are one fused loop nest over (i, j), as a
//              hand-written scan would be;
//   delta      S̃ = diag(exp(g_t)) S_{t-1}, u_t = β_t (v_t − S̃ᵀ k_t),
//              S_t = S̃ + k_t u_tᵀ: a pass that decays S and reduces S̃ᵀ k,
//              then a pass that updates S and reads it out;
//   low rank   w_t = S_{t-1}ᵀ b_t, S_t = diag(exp(g_t)) S_{t-1} + a_t w_tᵀ
//              + β_t k_t v_tᵀ: a reduction pass, then the update pass.
// Work items are (batch, group of G heads), each token computed for the
// group's heads in turn; G is chosen at run time, the largest that still
// gives every worker an item (1: a head per item).
//
//===----------------------------------------------------------------------===//
#include "SemiseparableForms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::semiseparable;
using mixer::GateKind;
using mixer::TransitionKind;
using utils::IteratorType;

namespace {
/// Builds the generic passes over a K×V state of one token: iteration space
/// (i, j), i over K (outer, a reduction for row vectors), j over V
/// (innermost, contiguous). Operands are one-token tiles [1, K] or [1, V]
/// (`key` and `value` maps) or the state (`state` map).
struct TokenPass {
  ImplicitLocOpBuilder &b;
  AffineMap key, value, state;

  explicit TokenPass(ImplicitLocOpBuilder &b) : b(b) {
    MLIRContext *m = b.getContext();
    auto d = [&](unsigned pos) { return getAffineDimExpr(pos, m); };
    auto c0 = getAffineConstantExpr(0, m);
    key = AffineMap::get(2, 0, {c0, d(0)}, m);
    value = AffineMap::get(2, 0, {c0, d(1)}, m);
    state = AffineMap::get(2, 0, {d(0), d(1)}, m);
  }

  /// One linalg.generic; `body` gets the inputs' then the outputs' elements
  /// and returns the outputs' new elements.
  ValueRange build(
      ValueRange inputs, ArrayRef<AffineMap> inputMaps, ValueRange outputs,
      ArrayRef<AffineMap> outputMaps,
      llvm::function_ref<SmallVector<Value>(ImplicitLocOpBuilder &,
                                            ValueRange)>
          body) {
    SmallVector<AffineMap> maps(inputMaps);
    llvm::append_range(maps, outputMaps);
    return linalg::GenericOp::create(
               b, TypeRange(outputs), inputs, outputs, maps,
               ArrayRef<IteratorType>{IteratorType::reduction,
                                      IteratorType::parallel},
               [&](OpBuilder &nb, Location l, ValueRange args) {
                 ImplicitLocOpBuilder eb(l, nb);
                 linalg::YieldOp::create(eb, body(eb, args));
               })
        .getResults();
  }
};

arith::FastMathFlagsAttr contractOnly(OpBuilder &b) {
  return arith::FastMathFlagsAttr::get(b.getContext(),
                                       arith::FastMathFlags::contract);
}
} // namespace

/// The decay of token t as a generic's operand: the exponentiated [1, K]
/// gate tile for a per-channel gate (appended to `inputs`), else the
/// captured scalar exp(g_t) (null without a gate).
static Value tokenDecay(HeadTiles &xt, Value t, Value headDecay,
                        SmallVectorImpl<Value> &inputs,
                        SmallVectorImpl<AffineMap> &maps,
                        const TokenPass &pass) {
  switch (xt.p.gate) {
  case GateKind::None:
    return nullptr;
  case GateKind::Head:
    return headDecay;
  case GateKind::Token:
    return math::ExpOp::create(xt.b, xt.gateAt(t));
  case GateKind::Channel:
    inputs.push_back(xt.exp(xt.gateTile(t, xt.index(1), 1)));
    maps.push_back(pass.key);
    return nullptr;
  }
  llvm_unreachable("unknown gate kind");
}

/// One token of the diagonal transition: S = diag(exp(g_t)) S + k vᵀ and
/// o = Sᵀ q in one fused pass; returns {state, output row [1, V]}.
static std::pair<Value, Value> diagonalToken(HeadTiles &xt, Value t, Value S,
                                             Value headDecay) {
  const Problem &p = xt.p;
  TokenPass pass(xt.b);
  Value one = xt.index(1);
  Value qs = xt.queryTile(t, one, 1);
  Value k = xt.keyTile(t, one, 1);
  Value v = xt.tile(p.op.getV(), t, one, 1);
  SmallVector<Value> inputs{k, v, qs};
  SmallVector<AffineMap> maps{pass.key, pass.value, pass.key};
  Value decay = tokenDecay(xt, t, headDecay, inputs, maps, pass);
  const bool channel = inputs.size() > 3;
  auto fm = contractOnly(xt.b);
  ValueRange updated = pass.build(
      inputs, maps, ValueRange{S, xt.zeros({1, p.V})},
      {pass.state, pass.value},
      [&](ImplicitLocOpBuilder &eb, ValueRange x) -> SmallVector<Value> {
        // x: k, v, qs, [a], S, o
        Value s = x[channel ? 4 : 3], o = x[channel ? 5 : 4];
        Value d = channel ? x[3] : decay;
        if (d)
          s = arith::MulFOp::create(eb, s, d, fm);
        s = arith::AddFOp::create(eb, s, arith::MulFOp::create(eb, x[0], x[1], fm),
                                  fm);
        o = arith::AddFOp::create(eb, o, arith::MulFOp::create(eb, s, x[2], fm),
                                  fm);
        return {s, o};
      });
  return {updated[0], updated[1]};
}

/// One token of a transition with a rank-one part (delta rule or low rank);
/// returns {state, output row [1, V]}.
static std::pair<Value, Value> rankOneToken(HeadTiles &xt, Value t, Value S,
                                            Value headDecay) {
  const Problem &p = xt.p;
  ImplicitLocOpBuilder &ib = xt.b;
  TokenPass pass(ib);
  Value one = xt.index(1);
  Value qs = xt.queryTile(t, one, 1);
  Value k = xt.keyTile(t, one, 1);
  Value v = xt.tile(p.op.getV(), t, one, 1);
  auto fm = contractOnly(ib);
  auto mul = [&](ImplicitLocOpBuilder &eb, Value x, Value y) -> Value {
    return arith::MulFOp::create(eb, x, y, fm);
  };
  auto add = [&](ImplicitLocOpBuilder &eb, Value x, Value y) -> Value {
    return arith::AddFOp::create(eb, x, y, fm);
  };

  if (p.transition == TransitionKind::Delta) {
    // Pass 1: S̃ = diag(exp(g_t)) S, r = S̃ᵀ k.
    SmallVector<Value> inputs{k};
    SmallVector<AffineMap> maps{pass.key};
    Value decay = tokenDecay(xt, t, headDecay, inputs, maps, pass);
    const bool channel = inputs.size() > 1;
    ValueRange decayed = pass.build(
        inputs, maps, ValueRange{S, xt.zeros({1, p.V})},
        {pass.state, pass.value},
        [&](ImplicitLocOpBuilder &eb, ValueRange a) -> SmallVector<Value> {
          Value s = a[channel ? 2 : 1], r = a[channel ? 3 : 2];
          Value d = channel ? a[1] : decay;
          if (d)
            s = mul(eb, s, d);
          return {s, add(eb, r, mul(eb, a[0], s))};
        });
    // u = β (v − r)
    Value beta = p.op.getBeta() ? xt.scalarAt(p.op.getBeta(), t) : xt.f32(1);
    Value u = xt.updateInPlace2D(
        decayed[1], {v}, {dimsMap(ib.getContext(), 2, {0, 1})},
        [&](ImplicitLocOpBuilder &eb, ValueRange a) -> Value {
          return arith::MulFOp::create(
              eb, beta, arith::SubFOp::create(eb, a[0], a[1]));
        });
    // Pass 2: S = S̃ + k uᵀ, o = Sᵀ q.
    ValueRange updated = pass.build(
        ValueRange{k, u, qs}, {pass.key, pass.value, pass.key},
        ValueRange{decayed[0], xt.zeros({1, p.V})}, {pass.state, pass.value},
        [&](ImplicitLocOpBuilder &eb, ValueRange a) -> SmallVector<Value> {
          Value s = add(eb, a[3], mul(eb, a[0], a[1]));
          return {s, add(eb, a[4], mul(eb, s, a[2]))};
        });
    return {updated[0], updated[1]};
  }

  // Low rank. Pass 1: w = Sᵀ b (the state before this token's decay).
  Value a = xt.tile(p.op.getLowRankA(), t, one, 1);
  Value bt = xt.tile(p.op.getLowRankB(), t, one, 1);
  Value w = pass.build(
      ValueRange{bt, S}, {pass.key, pass.state}, ValueRange{xt.zeros({1, p.V})},
      {pass.value},
      [&](ImplicitLocOpBuilder &eb, ValueRange x) -> SmallVector<Value> {
        return {add(eb, x[2], mul(eb, x[0], x[1]))};
      })[0];
  // Pass 2: S = diag(exp(g)) S + a wᵀ + k vᵀ, o = Sᵀ q.
  SmallVector<Value> inputs{a, w, k, v, qs};
  SmallVector<AffineMap> maps{pass.key, pass.value, pass.key, pass.value,
                              pass.key};
  Value decay = tokenDecay(xt, t, headDecay, inputs, maps, pass);
  const bool channel = inputs.size() > 5;
  ValueRange updated = pass.build(
      inputs, maps, ValueRange{S, xt.zeros({1, p.V})},
      {pass.state, pass.value},
      [&](ImplicitLocOpBuilder &eb, ValueRange x) -> SmallVector<Value> {
        Value s = x[channel ? 6 : 5], o = x[channel ? 7 : 6];
        Value d = channel ? x[5] : decay;
        if (d)
          s = mul(eb, s, d);
        s = add(eb, s, mul(eb, x[0], x[1]));
        s = add(eb, s, mul(eb, x[2], x[3]));
        return {s, add(eb, o, mul(eb, s, x[4]))};
      });
  return {updated[0], updated[1]};
}

static std::pair<Value, Value> scanHead(ImplicitLocOpBuilder &b,
                                        const Problem &p, const HeadIndex &at,
                                        Value rows, Value state) {
  HeadTiles x(b, p, at);
  // A per-head decay is the same at every token: exponentiate it once.
  Value headDecay;
  if (p.gate == GateKind::Head)
    headDecay = math::ExpOp::create(b, x.gateAt(nullptr));
  auto token = p.transition == TransitionKind::Diagonal ? diagonalToken
                                                        : rankOneToken;
  auto loop = scf::ForOp::create(
      b, x.index(0), at.T, x.index(1), ValueRange{state, rows},
      [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, p, at);
        auto [S, o] = token(xt, t, iter[0], headDecay);
        Value rowsNext = xt.storeRows(o, iter[1], t, xt.index(1));
        scf::YieldOp::create(ib, ValueRange{S, rowsNext});
      });
  return {loop.getResult(1), loop.getResult(0)};
}

void mixir::forms::semiseparable::lowerScan(RewriterBase &rewriter,
                                            const Problem &p) {
  const int64_t G = headGroup(p);
  if (G == 1) {
    replaceByPerHead(rewriter, p, scanHead);
    return;
  }
  ImplicitLocOpBuilder b(p.op.getLoc(), rewriter);
  b.setInsertionPoint(p.op);
  auto token = p.transition == TransitionKind::Diagonal ? diagonalToken
                                                        : rankOneToken;
  // A few tokens (a decode step) gain nothing from groups: the per-head
  // program, whose states sit in fewer cache lines, runs them.
  Value T = tensor::DimOp::create(b, p.op.getQ(), 1);
  Value few = arith::CmpIOp::create(b, arith::CmpIPredicate::slt, T,
                                    arith::ConstantIndexOp::create(b, 8));
  auto ifOp = scf::IfOp::create(b, p.op->getResultTypes(), few,
                                /*withElseRegion=*/true);
  b.setInsertionPointToStart(ifOp.thenBlock());
  scf::YieldOp::create(b, castToTypes(b, p.op->getResultTypes(),
                                      buildPerHead(b, p, scanHead)));
  b.setInsertionPointToStart(ifOp.elseBlock());
  scf::YieldOp::create(
      b, castToTypes(
             b, p.op->getResultTypes(),
             buildGroupedPerHead(
                 b, p, G, [](HeadTiles &x) { return x.at.T; },
                 [&](HeadTiles &xt, Value t, Value S, Value rows) {
                   Value headDecay;
                   if (p.gate == GateKind::Head)
                     headDecay = math::ExpOp::create(xt.b, xt.gateAt(nullptr));
                   auto [next, o] = token(xt, t, S, headDecay);
                   return std::pair{next,
                                    xt.storeRows(o, rows, t, xt.index(1))};
                 })));
  SmallVector<Value> results(ifOp.getResults());
  rewriter.replaceOp(p.op, results);
}
