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
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

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
  // A place in the block's arenas is the block's: a buffer of one thread
  // (allocated inside a thread loop) would be shared by all.
  for (auto loop = alloc->getParentOfType<scf::ForallOp>(); loop != block;
       loop = loop->getParentOfType<scf::ForallOp>())
    if (mixir::isThreadLoop(loop))
      return "it is allocated by one thread (use memref.alloca)";
  return "";
}

/// Program-order positions of the ops of a block loop's body, and for each
/// op with regions the last position inside it.
struct Positions {
  DenseMap<Operation *, int64_t> at, lastInside;
  explicit Positions(Block *body) {
    int64_t next = 0;
    body->walk<WalkOrder::PreOrder>([&](Operation *op) { at[op] = next++; });
    body->walk<WalkOrder::PostOrder>([&](Operation *op) {
      int64_t last = at[op];
      for (Region &region : op->getRegions())
        region.walk([&](Operation *inner) {
          last = std::max(last, at.lookup(inner));
        });
      lastInside[op] = last;
    });
  }
};

/// Whether `op` writes every element of `buffer` without reading any:
/// a linalg op with `buffer` itself as an init, no reduction, whose
/// payload does not read that init (a fill, a copy, an element-wise map).
bool overwrites(Operation *op, Value buffer) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || linalgOp.getNumReductionLoops() != 0)
    return false;
  for (OpOperand &init : linalgOp.getDpsInitsMutable())
    if (init.get() == buffer)
      return !linalgOp.payloadUsesValueFromOperand(&init);
  return false;
}

/// Whether, in each iteration of the sequential `loop`, `alloc`'s buffer
/// is overwritten before anything reads it: its first access in the body
/// (in program order, through any of its views) is an op of the body
/// itself that overwrites the buffer. Its value then never flows from one
/// iteration into the next.
bool overwrittenEachIteration(memref::AllocOp alloc, scf::ForOp loop,
                              ArrayRef<Operation *> users) {
  Operation *first = nullptr;
  for (Operation *user : users) {
    Operation *inBody = loop.getBody()->findAncestorOpInBlock(*user);
    if (inBody && (!first || inBody->isBeforeInBlock(first)))
      first = inBody;
  }
  return first && overwrites(first, alloc.getResult());
}

/// Where in program order `alloc`'s buffer is live: from its first use to
/// its last, through the views of it; a use inside a loop that does not
/// hold the definition keeps it live for the whole loop: a thread loop
/// (its threads run together), or a sequential loop unless each of its
/// iterations overwrites the buffer first. Every thread loop ends with a
/// barrier, so buffers whose ranges do not meet are never used at once.
std::pair<int64_t, int64_t> liveRange(memref::AllocOp alloc,
                                      const Positions &positions) {
  // An allocation holds nothing: the range starts at the first use.
  int64_t begin = std::numeric_limits<int64_t>::max(),
          end = std::numeric_limits<int64_t>::min();
  SmallVector<Operation *> users;
  SmallVector<Value> views{alloc.getResult()};
  while (!views.empty()) {
    Value value = views.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (isa<memref::DeallocOp>(user))
        continue;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == value)
        views.push_back(user->getResult(0));
      users.push_back(user);
    }
  }
  for (Operation *user : users) {
    int64_t first = positions.at.lookup(user), last = first;
    for (Operation *loop = user->getParentOp(); loop;
         loop = loop->getParentOp()) {
      if (!positions.at.count(loop) || loop->isAncestor(alloc))
        break;
      if (!isa<LoopLikeOpInterface>(loop))
        continue;
      if (auto sequential = dyn_cast<scf::ForOp>(loop);
          sequential && overwrittenEachIteration(alloc, sequential, users))
        continue;
      first = std::min(first, positions.at.lookup(loop));
      last = std::max(last, positions.lastInside.lookup(loop));
    }
    begin = std::min(begin, first);
    end = std::max(end, last);
  }
  if (users.empty())
    begin = end = positions.at.lookup(alloc);
  return {begin, end};
}

/// First-fit offsets for buffers (bytes, live range) in an arena where two
/// buffers live at once never overlap; returns the arena's size.
int64_t firstFit(ArrayRef<std::pair<int64_t, std::pair<int64_t, int64_t>>> buffers,
                 SmallVectorImpl<int64_t> &offsets) {
  int64_t size = 0;
  offsets.assign(buffers.size(), 0);
  for (auto [i, buffer] : llvm::enumerate(buffers)) {
    auto [bytes, range] = buffer;
    // The byte ranges of the buffers placed so far that are live with it.
    SmallVector<std::pair<int64_t, int64_t>> taken;
    for (unsigned j = 0; j < i; ++j) {
      auto other = buffers[j].second;
      if (other.first <= range.second && range.first <= other.second)
        taken.push_back({offsets[j], offsets[j] + buffers[j].first});
    }
    llvm::sort(taken);
    int64_t at = 0;
    for (auto [lo, hi] : taken) {
      if (at + bytes <= lo)
        break;
      at = std::max(at, hi);
    }
    offsets[i] = at;
    size = std::max(size, at + bytes);
  }
  return size;
}

struct MixerPackBlockBuffersPass
    : public mixir::impl::MixerPackBlockBuffersBase<MixerPackBlockBuffersPass> {
  using Base::Base;

  LogicalResult packBlock(RewriterBase &rewriter, scf::ForallOp block);

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<scf::ForallOp> blocks;
    // Grids of blocks, or the work items mixer-map-to-gpu makes blocks of
    // (outermost foralls without a mapping).
    getOperation().walk([&](scf::ForallOp forall) {
      if (mixir::isBlockLoop(forall) ||
          (!forall.getMapping() && !forall->getParentOfType<scf::ForallOp>()))
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

  // Static buffers by their live ranges, first fit, in program order: in
  // the shared arena where they fit, else in the spill arena; buffers never
  // live at once share bytes. Then the dynamic ones (sized by values from
  // outside the block, so one size for every block), in the spill arena
  // after its static part.
  Location loc = block.getLoc();
  SmallVector<Placement> placements;
  auto bytesOf = [](MemRefType type, int64_t elements) {
    return llvm::alignTo(
        elements * llvm::divideCeil(type.getElementTypeBitWidth(), 8),
        kAlignment);
  };
  Positions positions(block.getBody());
  using Sized = std::pair<int64_t, std::pair<int64_t, int64_t>>;
  SmallVector<Sized> inShared, spilled;
  SmallVector<memref::AllocOp> sharedAllocs, spilledAllocs;
  for (memref::AllocOp alloc : allocs) {
    MemRefType type = alloc.getType();
    if (!type.hasStaticShape())
      continue;
    Sized buffer{bytesOf(type, type.getNumElements()),
                 liveRange(alloc, positions)};
    // Does it fit in shared memory with the buffers already there?
    SmallVector<Sized> trial(inShared);
    trial.push_back(buffer);
    SmallVector<int64_t> offsets;
    if (firstFit(trial, offsets) <= sharedMemoryBytes) {
      inShared.push_back(buffer);
      sharedAllocs.push_back(alloc);
    } else {
      spilled.push_back(buffer);
      spilledAllocs.push_back(alloc);
    }
  }
  SmallVector<int64_t> sharedOffsets, spillOffsets;
  int64_t sharedBytes = firstFit(inShared, sharedOffsets);
  int64_t spillBytes = firstFit(spilled, spillOffsets);
  for (auto [alloc, offset] : llvm::zip(sharedAllocs, sharedOffsets))
    placements.push_back({alloc, true, rewriter.getIndexAttr(offset)});
  for (auto [alloc, offset] : llvm::zip(spilledAllocs, spillOffsets))
    placements.push_back({alloc, false, rewriter.getIndexAttr(offset)});
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
