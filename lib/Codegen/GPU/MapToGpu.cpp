//===- MapToGpu.cpp - a bufferized kernel program as blocks and threads ---===//
//
// The mapped program (docs/gpu.md): outermost scf.forall ops are grids of
// blocks; inside a block every linalg op is an scf.forall over the block's
// threads, each thread taking every block-size-th point of the op's
// parallel iteration space; barriers are explicit.
//
//===----------------------------------------------------------------------===//
#include "mixir/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERMAPTOGPU
#include "mixir/Codegen/Passes.h.inc"
} // namespace mixir

using namespace mlir;

bool mixir::isBlockLoop(scf::ForallOp forall) {
  std::optional<ArrayAttr> mapping = forall.getMapping();
  return mapping && !mapping->empty() &&
         llvm::all_of(*mapping, llvm::IsaPred<gpu::GPUBlockMappingAttr>);
}

bool mixir::isThreadLoop(scf::ForallOp forall) {
  std::optional<ArrayAttr> mapping = forall.getMapping();
  return mapping && !mapping->empty() &&
         llvm::all_of(*mapping, llvm::IsaPred<gpu::GPUThreadMappingAttr>);
}

namespace {
/// Block loop dimensions are linearised with the last induction variable
/// fastest: it is linear_dim_0.
ArrayAttr blockMapping(MLIRContext *ctx, unsigned rank) {
  SmallVector<Attribute> dims;
  for (unsigned i = 0; i < rank; ++i)
    dims.push_back(gpu::GPUBlockMappingAttr::get(
        ctx, static_cast<gpu::MappingId>(
                 static_cast<uint64_t>(gpu::MappingId::LinearDim0) + rank -
                 1 - i)));
  return ArrayAttr::get(ctx, dims);
}

ArrayAttr threadMapping(MLIRContext *ctx) {
  return ArrayAttr::get(ctx, {gpu::GPUThreadMappingAttr::get(
                                 ctx, gpu::MappingId::LinearDim0)});
}

/// An scf.forall over `count` threads at b's insertion point; `body` fills
/// it given the thread index.
scf::ForallOp
createThreadLoop(OpBuilder &b, Location loc, int64_t count,
                 function_ref<void(OpBuilder &, Location, Value)> body) {
  auto loop = scf::ForallOp::create(b, loc, {b.getIndexAttr(count)},
                                    ValueRange{}, threadMapping(b.getContext()));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  body(b, loc, loop.getInductionVar(0));
  return loop;
}

/// Whether `op`, a leaf op, writes or reads memory.
bool writesMemory(Operation *op) {
  return op->getNumRegions() == 0 &&
         hasEffect<MemoryEffects::Write>(op);
}
bool readsMemory(Operation *op) {
  return op->getNumRegions() == 0 && hasEffect<MemoryEffects::Read>(op);
}

bool insideThreadLoop(Operation *op) {
  for (auto forall = op->getParentOfType<scf::ForallOp>(); forall;
       forall = forall->getParentOfType<scf::ForallOp>())
    if (mixir::isThreadLoop(forall))
      return true;
  return false;
}

/// Barriers after every thread loop of `block`, and before it where the
/// block reads memory outside thread loops.
void placeBarriers(RewriterBase &rewriter, scf::ForallOp block) {
  bool scalarReads = false;
  block.getBody()->walk([&](Operation *op) {
    scalarReads |= readsMemory(op) && !insideThreadLoop(op);
  });
  SmallVector<scf::ForallOp> threadLoops;
  block.getBody()->walk([&](scf::ForallOp loop) {
    if (mixir::isThreadLoop(loop))
      threadLoops.push_back(loop);
  });
  for (scf::ForallOp loop : threadLoops) {
    if (scalarReads && !isa_and_nonnull<gpu::BarrierOp>(loop->getPrevNode())) {
      rewriter.setInsertionPoint(loop);
      gpu::BarrierOp::create(rewriter, loop.getLoc());
    }
    rewriter.setInsertionPointAfter(loop);
    gpu::BarrierOp::create(rewriter, loop.getLoc());
  }
}

/// The iteration space of a linalg op: which dimensions are parallel, their
/// sizes, and how many points they make.
struct ParallelSpace {
  SmallVector<Range> domain;
  SmallVector<unsigned> dims;      // the parallel dimensions, outermost first
  SmallVector<OpFoldResult> sizes; // their sizes
  OpFoldResult count;              // the product of the sizes
};

/// Whether every point of dimension `d` writes its own elements: `d` is a
/// result of every output's indexing map. (A parallel dimension missing
/// from an output would have two threads write one element.)
bool ownsItsOutputs(TilingInterface op, unsigned d) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op.getOperation());
  if (!linalgOp)
    return false;
  for (OpOperand &init : linalgOp.getDpsInitsMutable()) {
    AffineMap map = linalgOp.getMatchingIndexingMap(&init);
    if (!llvm::any_of(map.getResults(), [&](AffineExpr e) {
          auto dim = dyn_cast<AffineDimExpr>(e);
          return dim && dim.getPosition() == d;
        }))
      return false;
  }
  return true;
}

ParallelSpace parallelSpace(OpBuilder &b, Location loc, TilingInterface op) {
  ParallelSpace space;
  space.domain = op.getIterationDomain(b);
  SmallVector<utils::IteratorType> types = op.getLoopIteratorTypes();
  AffineExpr s0, s1;
  bindSymbols(b.getContext(), s0, s1);
  space.count = b.getIndexAttr(1);
  for (auto [d, type] : llvm::enumerate(types)) {
    if (type != utils::IteratorType::parallel || !ownsItsOutputs(op, d))
      continue;
    space.dims.push_back(d);
    space.sizes.push_back(space.domain[d].size);
    space.count = affine::makeComposedFoldedAffineApply(
        b, loc, s0 * s1, {space.count, space.domain[d].size});
  }
  return space;
}

/// At b's insertion point, `op`'s tile at the parallel point numbered
/// `linear` (innermost dimension fastest), its other dimensions whole.
LogicalResult emitPointTile(OpBuilder &b, Location loc, TilingInterface op,
                            const ParallelSpace &space, Value linear) {
  SmallVector<OpFoldResult> offsets, sizes;
  for (const Range &r : space.domain) {
    offsets.push_back(r.offset);
    sizes.push_back(r.size);
  }
  SmallVector<Value> point{linear};
  if (space.dims.size() > 1)
    point = affine::AffineDelinearizeIndexOp::create(b, loc, linear,
                                                     space.sizes,
                                                     /*hasOuterBound=*/true)
                .getResults();
  for (auto [k, d] : llvm::enumerate(space.dims)) {
    offsets[d] = point[k];
    sizes[d] = b.getIndexAttr(1);
  }
  FailureOr<TilingResult> tiled = op.getTiledImplementation(b, offsets, sizes);
  if (failed(tiled))
    return op.emitError("mixer-map-to-gpu: cannot take a point tile of this op");
  return success();
}

/// Replaces `op` (inside a block) by a thread loop over its parallel points.
LogicalResult distributeOverThreads(RewriterBase &rewriter,
                                    TilingInterface op, int64_t blockSize) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  ParallelSpace space = parallelSpace(rewriter, loc, op);
  LogicalResult result = success();
  if (space.dims.empty()) {
    // A whole reduction: one thread does it.
    createThreadLoop(rewriter, loc, 1, [&](OpBuilder &b, Location, Value) {
      b.clone(*op.getOperation());
    });
  } else if (std::optional<int64_t> n = getConstantIntValue(space.count);
             n && *n <= blockSize) {
    createThreadLoop(rewriter, loc, *n, [&](OpBuilder &b, Location l, Value t) {
      result = emitPointTile(b, l, op, space, t);
    });
  } else {
    Value count = getValueOrCreateConstantIndexOp(rewriter, loc, space.count);
    Value step = arith::ConstantIndexOp::create(rewriter, loc, blockSize);
    createThreadLoop(
        rewriter, loc, blockSize, [&](OpBuilder &b, Location l, Value t) {
          auto loop = scf::ForOp::create(b, l, t, count, step);
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(loop.getBody()->getTerminator());
          result = emitPointTile(b, l, op, space, loop.getInductionVar());
        });
  }
  rewriter.eraseOp(op);
  return result;
}

/// Replaces `op` (host code) by its own grid: ceil(n / blockSize) blocks of
/// blockSize threads, one parallel point each.
LogicalResult distributeOverGrid(RewriterBase &rewriter, TilingInterface op,
                                 int64_t blockSize) {
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  rewriter.setInsertionPoint(op);
  ParallelSpace space = parallelSpace(rewriter, loc, op);
  AffineExpr s0;
  bindSymbols(ctx, s0);
  OpFoldResult blocks = affine::makeComposedFoldedAffineApply(
      rewriter, loc, s0.ceilDiv(blockSize), {space.count});
  auto grid = scf::ForallOp::create(rewriter, loc, {blocks}, ValueRange{},
                                    blockMapping(ctx, 1));
  rewriter.setInsertionPoint(grid.getBody()->getTerminator());
  Value block = grid.getInductionVar(0);
  LogicalResult result = success();
  if (space.dims.empty()) {
    createThreadLoop(rewriter, loc, 1, [&](OpBuilder &b, Location, Value) {
      b.clone(*op.getOperation());
    });
  } else {
    Value count = getValueOrCreateConstantIndexOp(rewriter, loc, space.count);
    createThreadLoop(
        rewriter, loc, blockSize, [&](OpBuilder &b, Location l, Value t) {
          AffineExpr d0, d1;
          bindDims(ctx, d0, d1);
          Value linear = affine::makeComposedAffineApply(
              b, l, d0 * blockSize + d1, {block, t});
          Value inside = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult,
                                               linear, count);
          auto guard = scf::IfOp::create(b, l, inside);
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPoint(guard.thenBlock()->getTerminator());
          result = emitPointTile(b, l, op, space, linear);
        });
  }
  rewriter.eraseOp(op);
  placeBarriers(rewriter, grid);
  return result;
}

/// A vector read whose only use is a write of the same shape (a row copied
/// through registers, as the forms copy states) becomes a linalg.copy
/// between the two windows, which mapBlock spreads over the threads instead
/// of leaving it to one. Both must be in bounds, unmasked, minor identity,
/// with nothing written in between.
void vectorCopiesToLinalg(RewriterBase &rewriter, Block *body) {
  SmallVector<vector::TransferWriteOp> writes;
  body->walk([&](vector::TransferWriteOp write) { writes.push_back(write); });
  for (vector::TransferWriteOp write : writes) {
    auto read = write.getVector().getDefiningOp<vector::TransferReadOp>();
    if (!read || !read->hasOneUse() || read->getBlock() != write->getBlock() ||
        read.getMask() || write.getMask() || read.hasOutOfBoundsDim() ||
        write.hasOutOfBoundsDim() ||
        !read.getPermutationMap().isMinorIdentity() ||
        !write.getPermutationMap().isMinorIdentity() ||
        !isa<MemRefType>(read.getBase().getType()) ||
        !isa<MemRefType>(write.getBase().getType()))
      continue;
    bool written = false;
    for (Operation *op = read->getNextNode(); op != write; op = op->getNextNode())
      written |= !isMemoryEffectFree(op);
    if (written)
      continue;
    auto window = [&](Value base, ValueRange indices) -> Value {
      auto type = cast<MemRefType>(base.getType());
      ArrayRef<int64_t> shape = read.getVectorType().getShape();
      SmallVector<OpFoldResult> offsets(indices.begin(), indices.end());
      SmallVector<OpFoldResult> sizes(type.getRank() - shape.size(),
                                      rewriter.getIndexAttr(1));
      for (int64_t n : shape)
        sizes.push_back(rewriter.getIndexAttr(n));
      SmallVector<OpFoldResult> strides(type.getRank(),
                                        rewriter.getIndexAttr(1));
      return memref::SubViewOp::create(rewriter, write.getLoc(), base, offsets,
                                       sizes, strides);
    };
    rewriter.setInsertionPoint(write);
    Value from = window(read.getBase(), read.getIndices());
    Value to = window(write.getBase(), write.getIndices());
    linalg::CopyOp::create(rewriter, write.getLoc(), from, to);
    rewriter.eraseOp(write);
    rewriter.eraseOp(read);
  }
}

struct MixerMapToGpuPass
    : public mixir::impl::MixerMapToGpuBase<MixerMapToGpuPass> {
  using Base::Base;

  LogicalResult mapBlock(RewriterBase &rewriter, scf::ForallOp block);
  LogicalResult mapFunction(RewriterBase &rewriter, func::FuncOp fn);

  void runOnOperation() override {
    if (blockSize <= 0) {
      getOperation().emitError("mixer-map-to-gpu: block-size must be positive");
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (failed(mapFunction(rewriter, fn)))
        return signalPassFailure();
  }
};

LogicalResult MixerMapToGpuPass::mapBlock(RewriterBase &rewriter,
                                          scf::ForallOp block) {
  if (block.getNumResults() != 0)
    return block.emitError(
        "mixer-map-to-gpu: a work-item loop still on tensors (run after "
        "bufferization)");
  block.setMappingAttr(blockMapping(&getContext(), block.getRank()));
  vectorCopiesToLinalg(rewriter, block.getBody());
  SmallVector<Operation *> work;
  WalkResult walk = block.getBody()->walk<WalkOrder::PreOrder>(
      [&](Operation *op) -> WalkResult {
        if (auto inner = dyn_cast<scf::ForallOp>(op)) {
          // Mapped already (mixer-map-owned-loops).
          if (mixir::isThreadLoop(inner))
            return WalkResult::skip();
          inner.emitError("mixer-map-to-gpu: a parallel loop inside a "
                          "work item is not mapped to threads yet");
          return WalkResult::interrupt();
        }
        if (isa<memref::CopyOp>(op)) {
          op->emitError("mixer-map-to-gpu: memref.copy in a work item (run "
                        "mixer-copy-to-linalg first)");
          return WalkResult::interrupt();
        }
        if (isa<linalg::LinalgOp>(op) || writesMemory(op)) {
          work.push_back(op);
          return WalkResult::skip();
        }
        return WalkResult::advance();
      });
  if (walk.wasInterrupted())
    return failure();
  for (Operation *op : work) {
    if (!isa<linalg::LinalgOp>(op)) {
      // Any other write (a scalar or vector store) is one thread's.
      rewriter.setInsertionPoint(op);
      createThreadLoop(rewriter, op->getLoc(), 1,
                       [&](OpBuilder &b, Location, Value) {
                         op->moveBefore(b.getInsertionBlock(),
                                        b.getInsertionPoint());
                       });
      continue;
    }
    auto tiling = dyn_cast<TilingInterface>(op);
    if (!tiling)
      return op->emitError("mixer-map-to-gpu: this linalg op cannot be "
                           "distributed over threads");
    if (failed(distributeOverThreads(rewriter, tiling, blockSize)))
      return failure();
  }
  placeBarriers(rewriter, block);
  return success();
}

LogicalResult MixerMapToGpuPass::mapFunction(RewriterBase &rewriter,
                                             func::FuncOp fn) {
  SmallVector<scf::ForallOp> blocks;
  SmallVector<TilingInterface> hostOps;
  WalkResult walk = fn.walk<WalkOrder::PreOrder>([&](Operation *op)
                                                     -> WalkResult {
    if (auto forall = dyn_cast<scf::ForallOp>(op)) {
      if (forall.getMapping())
        return WalkResult::skip(); // already mapped
      blocks.push_back(forall);
      return WalkResult::skip();
    }
    if (isa<linalg::LinalgOp>(op)) {
      auto tiling = dyn_cast<TilingInterface>(op);
      if (!tiling) {
        op->emitError("mixer-map-to-gpu: this linalg op cannot be "
                      "distributed over a grid");
        return WalkResult::interrupt();
      }
      hostOps.push_back(tiling);
      return WalkResult::skip();
    }
    if (readsMemory(op) || writesMemory(op)) {
      op->emitError("mixer-map-to-gpu: host code touches a buffer's "
                    "elements (device memory on a GPU)");
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  for (scf::ForallOp block : blocks)
    if (failed(mapBlock(rewriter, block)))
      return failure();
  for (TilingInterface op : hostOps)
    if (failed(distributeOverGrid(rewriter, op, blockSize)))
      return failure();
  return success();
}
} // namespace
