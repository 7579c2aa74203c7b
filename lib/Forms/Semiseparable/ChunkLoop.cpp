//===- ChunkLoop.cpp - one head's loop over chunks ------------------------===//
//
// docs/math.md, "chunked": for each chunk of C tokens with G the cumulative
// log decay inside the chunk,
//   O = scale · ((Q ⊙ exp(G)) S + causal((Q Kᵀ) ⊙ exp(G_t − G_s)) V)
//   S' = exp(G_last) ⊙ S + (K ⊙ exp(G_last − G))ᵀ V
// Every exponent is ≤ 0. The last chunk is zero-padded (a padded token has
// k = v = 0 and g = 0, so it changes neither S nor any kept output).
//
//===----------------------------------------------------------------------===//
#include "SemiseparableForms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::semiseparable;

Chunk mixir::forms::semiseparable::loadChunk(HeadTiles &xt, Value c,
                                             int64_t C) {
  Chunk ch;
  ch.t0 = arith::MulIOp::create(xt.b, c, xt.index(C));
  ch.len = xt.tileLength(ch.t0, C);
  ch.k = xt.keyTile(ch.t0, ch.len, C);
  ch.v = xt.tile(xt.p.op.getV(), ch.t0, ch.len, C);
  ch.g = xt.gateTile(ch.t0, ch.len, C);
  ch.G = ch.g ? xt.cumsum(ch.g) : Value();
  return ch;
}

std::pair<Value, Value> mixir::forms::semiseparable::chunkLoop(
    ImplicitLocOpBuilder &b, const Problem &p, const HeadIndex &at, int64_t C,
    Value c0, Value c1, Value rowBase, Value rows, Value state) {
  HeadTiles x(b, p, at);
  auto loop = scf::ForOp::create(
      b, c0, c1, x.index(1), ValueRange{state, rows},
      [&](OpBuilder &nb, Location loc, Value c, ValueRange iter) {
        ImplicitLocOpBuilder ib(loc, nb);
        HeadTiles xt(ib, p, at);
        Value S = iter[0];
        Chunk ch = loadChunk(xt, c, C);
        Value qs = xt.queryTile(ch.t0, ch.len, C);
        // Inter-chunk part: (Q ⊙ exp(G)) S, then the intra-chunk part.
        Value qd =
            ch.G ? xt.scaleByDecay(qs, {Decay{ch.G, /*isTile=*/true}}) : qs;
        Value out = xt.matmulAcc(qd, S, xt.zeros({C, p.V}));
        out = xt.matmulAcc(xt.causalScores(qs, ch.k, ch.g, ch.G), ch.v, out);
        Value row = rowBase ? arith::SubIOp::create(ib, ch.t0, rowBase) : ch.t0;
        Value rowsNext = xt.storeRows(out, iter[1], row, ch.len);
        Value stateNext = xt.stateUpdate(S, ch.k, ch.v, ch.G);
        scf::YieldOp::create(ib, ValueRange{stateNext, rowsNext});
      });
  return {loop.getResult(1), loop.getResult(0)};
}
