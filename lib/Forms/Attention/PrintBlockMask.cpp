//===- PrintBlockMask.cpp - print the block classes of attention masks ---===//
//
// The classification of BlockMask.h built with constant block bounds folds
// to constants: the picture is what the flash form will iterate.
//
//===----------------------------------------------------------------------===//
#include "BlockMask.h"

#include "mixir/Dialect/Mixer/MixerOps.h"
#include "mixir/Forms/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERPRINTBLOCKMASK
#include "mixir/Forms/Passes.h.inc"
} // namespace mixir

using namespace mlir;
using namespace mixir;
using namespace mixir::forms::attention;

namespace {
/// The character of one block: '.' empty, '#' full, '/' partial, '?' known
/// only at run time, or 0 when the classification did not fold.
char classOf(mixer::AttentionOp op, int64_t t0, int64_t t1, int64_t s0,
             int64_t s1, int64_t head, bool readsData) {
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(op.getLoc());
  ImplicitLocOpBuilder b(op.getLoc(), op.getContext());
  b.setInsertionPointToEnd(scratch->getBody());
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  SmallVector<Interval> args{{index(0), index(0), true},
                             {index(head), index(head), true},
                             {index(t0), index(t1), true},
                             {index(s0), index(s1), true}};
  BlockClass cls = classifyBlock(
      b, op.getMaskMod(), args,
      [](ImplicitLocOpBuilder &, tensor::ExtractOp,
         ArrayRef<std::optional<Interval>>) -> std::optional<Interval> {
        return std::nullopt;
      },
      /*outerValuesKnown=*/false);
  APInt some, all;
  if (!matchPattern(cls.someVisible, m_ConstantInt(&some)) ||
      !matchPattern(cls.allVisible, m_ConstantInt(&all)))
    return 0;
  if (some.isZero())
    return '.';
  if (!all.isZero())
    return '#';
  return readsData ? '?' : '/';
}

/// The mask at one (query, key) pair, evaluated by folding; std::nullopt
/// when it does not fold (it reads data).
std::optional<bool> evaluate(mixer::AttentionOp op, OpBuilder &b,
                             int64_t head, int64_t t, int64_t s) {
  Region &mask = op.getMaskMod();
  if (mask.empty())
    return true;
  Block &block = mask.front();
  IRMapping mapping;
  const int64_t values[] = {0, head, t, s};
  for (auto [arg, v] : llvm::zip(block.getArguments(), values))
    mapping.map(arg, arith::ConstantIndexOp::create(b, op.getLoc(), v));
  for (Operation &inner : block.without_terminator()) {
    Operation *copy = b.clone(inner, mapping);
    SmallVector<Value> folded;
    if (succeeded(b.tryFold(copy, folded)) && !folded.empty())
      for (auto [result, value] : llvm::zip(inner.getResults(), folded))
        mapping.map(result, value);
  }
  Value visible =
      mapping.lookup(cast<mixer::YieldOp>(block.getTerminator()).getValues()[0]);
  APInt c;
  if (!matchPattern(visible, m_ConstantInt(&c)))
    return std::nullopt;
  return !c.isZero();
}

/// Whether every pair of the block agrees with its class `c`.
bool agrees(mixer::AttentionOp op, char c, int64_t t0, int64_t t1,
            int64_t s0, int64_t s1, int64_t head, int64_t &checked) {
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(op.getLoc());
  OpBuilder b(op.getContext());
  b.setInsertionPointToEnd(scratch->getBody());
  for (int64_t t = t0; t <= t1; ++t)
    for (int64_t s = s0; s <= s1; ++s) {
      std::optional<bool> visible = evaluate(op, b, head, t, s);
      if (!visible)
        continue;
      ++checked;
      if ((c == '.' && *visible) || (c == '#' && !*visible))
        return false;
    }
  return true;
}

struct PrintBlockMaskPass
    : public mixir::impl::MixerPrintBlockMaskBase<PrintBlockMaskPass> {
  using Base::Base;

  void runOnOperation() override {
    int64_t Tq = queryLength, Tk = keyLength ? keyLength : queryLength;
    if (Tq <= 0 || Tk <= 0 || block <= 0) {
      emitError(getOperation().getLoc())
          << "mixer-print-block-mask needs positive lengths and block";
      return signalPassFailure();
    }
    raw_ostream &os = llvm::outs();
    getOperation().walk([&](mixer::AttentionOp op) {
      if (head < 0 || head >= op.getNumQueryHeads()) {
        op.emitError() << "head " << static_cast<int64_t>(head) << " is not one of the "
                       << op.getNumQueryHeads() << " query heads";
        return signalPassFailure();
      }
      bool readsData = maskReadsData(op.getMaskMod());
      auto func = op->getParentOfType<FunctionOpInterface>();
      os << "block mask of " << (func ? "@" + func.getName().str() : "")
         << ": Tq = " << Tq << ", Tk = " << Tk << ", blocks of " << block
         << ", head " << head << "\n";
      std::map<char, int64_t> counts;
      int64_t checked = 0;
      for (int64_t t0 = 0; t0 < Tq; t0 += block) {
        os << "  ";
        for (int64_t s0 = 0; s0 < Tk; s0 += block) {
          char c = classOf(op, t0, std::min(t0 + block, Tq) - 1, s0,
                           std::min(s0 + block, Tk) - 1, head, readsData);
          if (!c) {
            op.emitError() << "the block classification did not fold";
            return signalPassFailure();
          }
          if (check && !agrees(op, c, t0, std::min(t0 + block, Tq) - 1, s0,
                               std::min(s0 + block, Tk) - 1, head, checked)) {
            op.emitError() << "block (" << t0 / block << ", " << s0 / block
                           << ") is classified '" << c
                           << "' but the mask disagrees at a pair of it";
            return signalPassFailure();
          }
          os << c;
          ++counts[c];
        }
        os << "\n";
      }
      os << "  " << counts['#'] << " full, " << counts['/'] << " partial, "
         << counts['?'] << " at run time, " << counts['.'] << " empty\n";
      if (check)
        os << "  checked at " << checked << " pairs\n";
    });
  }
};
} // namespace
