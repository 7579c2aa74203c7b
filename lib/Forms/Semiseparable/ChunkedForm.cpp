//===- ChunkedForm.cpp - the chunked (chunkwise-parallel) form ----------===//
//
// Replaces the op by
//   scf.if (at least two chunks and 2·B·H ≤ mixer.num_workers)
//     the segment split of each head's chunks (ChunkedSegments.cpp)
//   else
//     one chunk loop per (batch, group of G heads), each chunk computed
//     for the group's heads in turn (G chosen at run time, 1 where groups
//     would leave workers idle; ChunkLoop.cpp)
// Both branches are target-neutral tensor programs.
//
//===----------------------------------------------------------------------===//
#include "SemiseparableForms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::semiseparable;

void mixir::forms::semiseparable::lowerChunked(RewriterBase &rewriter,
                                               const Problem &p, int64_t C) {
  mixer::SemiseparableOp op = p.op;
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);

  // Split the sequence only where batch·heads leaves half the workers or
  // more idle and there are at least two chunks.
  Value B = tensor::DimOp::create(b, op.getQ(), 0);
  Value T = tensor::DimOp::create(b, op.getQ(), 1);
  auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, v); };
  Value numChunks = arith::CeilDivSIOp::create(b, T, cst(C));
  Value heads = arith::MulIOp::create(b, B, cst(p.H));
  Value workers = mixer::NumWorkersOp::create(b, b.getIndexType());
  auto cmp = [&](arith::CmpIPredicate pred, Value l, Value r) {
    return arith::CmpIOp::create(b, pred, l, r);
  };
  Value split = arith::AndIOp::create(
      b,
      arith::AndIOp::create(
          b, cmp(arith::CmpIPredicate::sgt, heads, cst(0)),
          cmp(arith::CmpIPredicate::sle,
              arith::MulIOp::create(b, heads, cst(2)), workers)),
      cmp(arith::CmpIPredicate::sge, numChunks, cst(2)));

  auto ifOp = scf::IfOp::create(b, op->getResultTypes(), split,
                                /*withElseRegion=*/true);
  auto yieldAll = [&](SmallVector<Value> values) {
    scf::YieldOp::create(b, castToTypes(b, op->getResultTypes(),
                                        std::move(values)));
  };
  b.setInsertionPointToStart(ifOp.thenBlock());
  yieldAll(buildSegmentParallel(b, p, C, numChunks,
                                arith::DivSIOp::create(b, workers, heads)));
  b.setInsertionPointToStart(ifOp.elseBlock());
  auto perHead = [&] {
    return buildPerHead(
        b, p,
        [C](ImplicitLocOpBuilder &hb, const Problem &p, const HeadIndex &at,
            Value rows, Value state) {
          TileBuilder x(hb, at);
          Value n = arith::CeilDivSIOp::create(hb, at.T, x.index(C));
          return chunkLoop(hb, p, at, C, x.index(0), n, Value(), rows, state);
        });
  };
  // Groups of heads, chunk by chunk (their tiles' rows share pages).
  const int64_t G = headGroup(p);
  if (G == 1) {
    yieldAll(perHead());
  } else {
    yieldAll(buildGroupedPerHead(
        b, p, G,
        [C](HeadTiles &x) -> Value {
          return arith::CeilDivSIOp::create(x.b, x.at.T, x.index(C));
        },
        [C](HeadTiles &xt, Value c, Value S, Value rows) {
          return chunkStep(xt, C, c, Value(), S, rows);
        }));
  }
  rewriter.replaceOp(op, ifOp.getResults());
}
