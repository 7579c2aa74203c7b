//===- ScanForm.cpp - the scan (recurrent) form -------------------------===//
//
// S_t = diag(exp(g_t)) S_{t-1} + β_t k_t v_tᵀ,  o_t = scale · S_tᵀ q_t
// (docs/math.md, "scan"), one token at a time per (batch, head). The update
// and the read-out of a token are one fused loop nest over (i, j), as a
// hand-written scan would be.
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

static std::pair<Value, Value> scanHead(ImplicitLocOpBuilder &b,
                                        const Problem &p, const HeadIndex &at,
                                        Value rows, Value state) {
  HeadTiles x(b, p, at);
  // A per-head decay is the same at every token: exponentiate it once.
  Value headDecay;
  if (p.gate == GateKind::Head)
    headDecay = math::ExpOp::create(b, x.gateAt(nullptr));

  auto loop = scf::ForOp::create(
      b, x.index(0), at.T, x.index(1), ValueRange{state, rows},
      [&](OpBuilder &nb, Location loc, Value t, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, p, at);
        MLIRContext *m = ib.getContext();
        Value one = xt.index(1);
        // One-token tiles [1, D].
        Value qs = xt.queryTile(t, one, 1);
        Value kt = xt.keyTile(t, one, 1);
        Value vt = xt.tile(p.op.getV(), t, one, 1);
        SmallVector<Value> inputs{kt, vt, qs};
        Value decay = headDecay; // scalar, captured
        if (p.gate == GateKind::Token)
          decay = math::ExpOp::create(ib, xt.gateAt(t));
        if (p.gate == GateKind::Channel)
          inputs.push_back(xt.exp(xt.gateTile(t, one, 1)));

        // Iteration space (i, j): i over K, j over V (innermost, contiguous).
        auto d = [&](unsigned pos) { return getAffineDimExpr(pos, m); };
        auto c0 = getAffineConstantExpr(0, m);
        auto mp = [&](ArrayRef<AffineExpr> e) {
          return AffineMap::get(2, 0, e, m);
        };
        SmallVector<AffineMap> maps{mp({c0, d(0)}), mp({c0, d(1)}),
                                    mp({c0, d(0)})};
        if (p.gate == GateKind::Channel)
          maps.push_back(mp({c0, d(0)}));
        maps.push_back(mp({d(0), d(1)})); // S
        maps.push_back(mp({c0, d(1)}));   // o_t
        auto update = linalg::GenericOp::create(
            ib, TypeRange{iter[0].getType(), vt.getType()}, inputs,
            ValueRange{iter[0], xt.zeros({1, p.V})}, maps,
            ArrayRef<utils::IteratorType>{utils::IteratorType::reduction,
                                          utils::IteratorType::parallel},
            [&](OpBuilder &bb, Location l, ValueRange args) {
              ImplicitLocOpBuilder eb(l, bb);
              auto fm = arith::FastMathFlagsAttr::get(
                  eb.getContext(), arith::FastMathFlags::contract);
              // args: k, v, qs, [a], S, o
              Value k = args[0], v = args[1], q = args[2];
              unsigned next = 3;
              Value a = p.gate == GateKind::Channel ? args[next++] : decay;
              Value s = args[next], o = args[next + 1];
              if (a)
                s = arith::MulFOp::create(eb, s, a, fm);
              Value kv = arith::MulFOp::create(eb, k, v, fm);
              s = arith::AddFOp::create(eb, s, kv, fm);
              Value sq = arith::MulFOp::create(eb, s, q, fm);
              o = arith::AddFOp::create(eb, o, sq, fm);
              linalg::YieldOp::create(eb, ValueRange{s, o});
            });
        Value rowsNext = xt.storeRows(update.getResult(1), iter[1], t, one);
        scf::YieldOp::create(ib, ValueRange{update.getResult(0), rowsNext});
      });
  return {loop.getResult(1), loop.getResult(0)};
}

void mixir::forms::semiseparable::lowerScan(RewriterBase &rewriter,
                                            const Problem &p) {
  replaceByPerHead(rewriter, p, scanHead);
}
