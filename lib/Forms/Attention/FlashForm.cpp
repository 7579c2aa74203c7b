//===- FlashForm.cpp - the flash form of mixer.attention ----------------===//
//
// docs/math.md, section 2.1: per batch element and kv head (the G query
// heads that read it together), per query block of Cq rows, every key block
// streamed through the online softmax (KeyBlocks.h); then O = A / l and
// LSE = m + log l. A row with no visible key at all ends with l = 0 and
// gives O = 0, LSE = −inf, never NaN.
//
//===----------------------------------------------------------------------===//
#include "KeyBlocks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::forms;
using namespace mixir::forms::attention;

void mixir::forms::attention::lowerFlash(RewriterBase &rewriter,
                                         const Problem &p, int64_t Cq,
                                         int64_t Ck) {
  mixer::AttentionOp op = p.op;
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);
  const int64_t G = p.Hq / p.Hkv;
  Value B = tensor::DimOp::create(b, op.getQ(), 0);
  Value Tq = tensor::DimOp::create(b, op.getQ(), 1);
  OpFoldResult Hq = b.getIndexAttr(p.Hq), V = b.getIndexAttr(p.V);
  // The output [B, Tq, Hq, V] by groups [Tq, G, V]; the LSE [B, Tq, Hq] by
  // [Tq, G].
  SmallVector<GroupResult> results{
      {elementTypeOf(op.getOutput()), {B, Tq, Hq, V}, 0, 2, std::nullopt}};
  if (Value lse = op.getLse())
    results.push_back({elementTypeOf(lse), {B, Tq, Hq}, 0, 2, std::nullopt});
  SmallVector<Value> values = buildPerGroup(
      b, p, B, /*splits=*/nullptr, results,
      [&](ImplicitLocOpBuilder &hb, const Group &group, Value,
          ValueRange slices) {
        TileBuilder x(hb, group.query(0));
        KeyStream stream(hb, p, group, Cq, Ck, x.index(0),
                         KeyStream::numKeyBlocks(hb, group, Ck),
                         /*pack=*/true);
        return stream.overQueryBlocks(
            hb, slices,
            [&](ImplicitLocOpBuilder &ib, const SoftmaxState &state, Value t0,
                Value len, ValueRange iter) {
              auto [O, lse] = finish(ib, state);
              SmallVector<Value> next{storeGroup(ib, O, iter[0], t0, len, G)};
              if (iter.size() > 1)
                next.push_back(storeGroup(ib, lse, iter[1], t0, len, G));
              return next;
            });
      });
  rewriter.replaceOp(op, castToTypes(b, op->getResultTypes(), values));
}
