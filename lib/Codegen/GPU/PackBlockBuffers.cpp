//===- PackBlockBuffers.cpp - a block's buffers as views of its arenas -----===//
//
// Every static buffer a block allocates gets a fixed byte offset in the
// block's shared arena (shared memory on a GPU) while it fits, else in its
// spill arena (global memory). docs/gpu.md, "Block buffers".
//
//===----------------------------------------------------------------------===//
#include "mixir/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/Support/MathExtras.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERPACKBLOCKBUFFERS
#include "mixir/Codegen/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
constexpr int64_t kAlignment = 16;

/// The attribute naming an arena's kind on its allocation.
constexpr StringLiteral kArenaAttr = "mixer.arena";

struct Placement {
  memref::AllocOp alloc;
  bool shared;
  OpFoldResult offset; // bytes from the arena's start
};

/// Whether a view of `value` may outlive the iteration of the loop that
/// made it: yielded by a loop (carried into the next iteration) or out of a
/// branch whose result is. Views of it (subviews, casts) count as it.
bool carriedAcrossIterations(Value value) {
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
      if (view.getViewSource() == value &&
          carriedAcrossIterations(user->getResult(0)))
        return true;
      continue;
    }
    if (!isa<scf::YieldOp>(user))
      continue;
    auto branch = dyn_cast<scf::IfOp>(user->getParentOp());
    if (!branch ||
        carriedAcrossIterations(branch.getResult(use.getOperandNumber())))
      return true;
  }
  return false;
}

/// `value` computed before `block` (from values defined outside it, by pure
/// ops cloned there), or null when it depends on the block's own work.
Value computedBefore(RewriterBase &rewriter, Value value, scf::ForallOp block,
                     IRMapping &cloned) {
  if (!block->isAncestor(value.getParentBlock()->getParentOp()))
    return value;
  if (Value done = cloned.lookupOrNull(value))
    return done;
  Operation *op = value.getDefiningOp();
  if (!op || !isPure(op) || op->getNumRegions() != 0)
    return nullptr;
  for (Value operand : op->getOperands())
    if (!computedBefore(rewriter, operand, block, cloned))
      return nullptr;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(block);
  Operation *copy = rewriter.clone(*op, cloned);
  return copy->getResult(cast<OpResult>(value).getResultNumber());
}

/// Why `alloc` (in `block`) cannot have a fixed place, or "" when it can.
/// Its dynamic sizes are replaced by their values computed before the
/// block.
std::string whyUnplaceable(RewriterBase &rewriter, memref::AllocOp alloc,
                           scf::ForallOp block) {
  MemRefType type = alloc.getType();
  IRMapping cloned;
  for (OpOperand &size : alloc.getDynamicSizesMutable()) {
    Value before = computedBefore(rewriter, size.get(), block, cloned);
    if (!before)
      return "its shape depends on the block's own work";
    rewriter.modifyOpInPlace(alloc, [&] { size.set(before); });
  }
  if (!type.getLayout().isIdentity())
    return "its layout is not the identity";
  if (!type.getElementType().isIntOrFloat())
    return "its element type has no fixed size";
  if (!alloc.getSymbolOperands().empty())
    return "it has symbol operands";
  if (carriedAcrossIterations(alloc.getResult()))
    return "it is carried from one loop iteration into the next";
  return "";
}

struct MixerPackBlockBuffersPass
    : public mixir::impl::MixerPackBlockBuffersBase<MixerPackBlockBuffersPass> {
  using Base::Base;

  LogicalResult packBlock(RewriterBase &rewriter, scf::ForallOp block);

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<scf::ForallOp> blocks;
    getOperation().walk([&](scf::ForallOp forall) {
      if (mixir::isBlockLoop(forall))
        blocks.push_back(forall);
    });
    for (scf::ForallOp block : blocks)
      if (failed(packBlock(rewriter, block)))
        return signalPassFailure();
  }
};

LogicalResult MixerPackBlockBuffersPass::packBlock(RewriterBase &rewriter,
                                                   scf::ForallOp block) {
  SmallVector<memref::AllocOp> allocs;
  WalkResult walk = block.getBody()->walk([&](memref::AllocOp alloc) {
    if (alloc->hasAttr(kArenaAttr))
      return WalkResult::advance();
    std::string why = whyUnplaceable(rewriter, alloc, block);
    if (!why.empty()) {
      alloc.emitError() << "mixer-pack-block-buffers: this buffer of a block "
                           "has no fixed place: "
                        << why;
      return WalkResult::interrupt();
    }
    allocs.push_back(alloc);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  if (allocs.empty())
    return success();

  // Static buffers in program order, in the shared arena while they fit;
  // then the dynamic ones (sized by values from outside the block, so one
  // size for every block), in the spill arena after its static part.
  Location loc = block.getLoc();
  SmallVector<Placement> placements;
  int64_t sharedBytes = 0, spillBytes = 0;
  auto bytesOf = [](MemRefType type, int64_t elements) {
    return llvm::alignTo(
        elements * llvm::divideCeil(type.getElementTypeBitWidth(), 8),
        kAlignment);
  };
  for (memref::AllocOp alloc : allocs) {
    MemRefType type = alloc.getType();
    if (!type.hasStaticShape())
      continue;
    int64_t bytes = bytesOf(type, type.getNumElements());
    bool shared = sharedBytes + bytes <= sharedMemoryBytes;
    int64_t &used = shared ? sharedBytes : spillBytes;
    placements.push_back({alloc, shared, rewriter.getIndexAttr(used)});
    used += bytes;
  }
  // Sizes of the dynamic buffers are computed before the block loop.
  rewriter.setInsertionPoint(block);
  OpFoldResult spillEnd = rewriter.getIndexAttr(spillBytes);
  AffineExpr s0, s1;
  bindSymbols(rewriter.getContext(), s0, s1);
  for (memref::AllocOp alloc : allocs) {
    MemRefType type = alloc.getType();
    if (type.hasStaticShape())
      continue;
    OpFoldResult elements = rewriter.getIndexAttr(1);
    unsigned next = 0;
    for (int64_t d : type.getShape()) {
      OpFoldResult size = ShapedType::isDynamic(d)
                              ? OpFoldResult(alloc.getDynamicSizes()[next++])
                              : rewriter.getIndexAttr(d);
      elements = affine::makeComposedFoldedAffineApply(rewriter, loc, s0 * s1,
                                                       {elements, size});
    }
    int64_t elementBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
    OpFoldResult bytes = affine::makeComposedFoldedAffineApply(
        rewriter, loc, (s0 * elementBytes).ceilDiv(kAlignment) * kAlignment,
        {elements});
    placements.push_back({alloc, /*shared=*/false, spillEnd});
    spillEnd = affine::makeComposedFoldedAffineApply(rewriter, loc, s0 + s1,
                                                     {spillEnd, bytes});
  }

  Block *body = block.getBody();
  rewriter.setInsertionPointToStart(body);
  auto arena = [&](OpFoldResult bytes, StringRef kind) -> Value {
    if (isConstantIntValue(bytes, 0))
      return nullptr;
    std::optional<int64_t> fixed = getConstantIntValue(bytes);
    auto type = MemRefType::get({fixed ? *fixed : ShapedType::kDynamic},
                                rewriter.getI8Type());
    SmallVector<Value> dynamic;
    if (!fixed)
      dynamic.push_back(cast<Value>(bytes));
    auto alloc = memref::AllocOp::create(rewriter, loc, type, dynamic,
                                         rewriter.getI64IntegerAttr(kAlignment));
    alloc->setAttr(kArenaAttr, rewriter.getStringAttr(kind));
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(body->getTerminator());
    memref::DeallocOp::create(rewriter, loc, alloc);
    return alloc;
  };
  Value shared = arena(rewriter.getIndexAttr(sharedBytes), "shared");
  Value spill = arena(spillEnd, "spill");
  for (Placement &p : placements) {
    rewriter.setInsertionPoint(p.alloc);
    Value offset =
        getValueOrCreateConstantIndexOp(rewriter, p.alloc.getLoc(), p.offset);
    Value view = memref::ViewOp::create(
        rewriter, p.alloc.getLoc(), p.alloc.getType(),
        p.shared ? shared : spill, offset, p.alloc.getDynamicSizes());
    rewriter.replaceOp(p.alloc, view);
  }
  // Every buffer the block allocated is now a view of an arena: its
  // deallocations (also those of values a branch yields, which buffer
  // deallocation placed) go.
  SmallVector<memref::DeallocOp> deallocs;
  body->walk([&](memref::DeallocOp dealloc) {
    Operation *def = dealloc.getMemref().getDefiningOp();
    if (!def || !def->hasAttr(kArenaAttr))
      deallocs.push_back(dealloc);
  });
  for (memref::DeallocOp dealloc : deallocs)
    rewriter.eraseOp(dealloc);
  return success();
}
} // namespace
