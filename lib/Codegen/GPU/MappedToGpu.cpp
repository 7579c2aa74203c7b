//===- MappedToGpu.cpp - a mapped program as GPU launches ------------------===//
//
// Every grid of blocks becomes a gpu.launch: its block index delinearised
// into the grid's indices, its thread loops the thread index (guarded where
// the loop has fewer iterations than the block has threads), its shared
// arena the launch's dynamic shared memory and its spill arena this block's
// slice of one global buffer the host allocates around the launch. Host
// buffers become device buffers (gpu.alloc). docs/gpu.md.
//
//===----------------------------------------------------------------------===//
#include "mixir/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERMAPPEDTOGPU
#include "mixir/Codegen/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
constexpr StringLiteral kArenaAttr = "mixer.arena";

/// The most threads any thread loop of `block` runs: the block's size.
int64_t blockSizeOf(scf::ForallOp block) {
  int64_t size = 1;
  block.getBody()->walk([&](scf::ForallOp loop) {
    if (mixir::isThreadLoop(loop))
      if (std::optional<int64_t> n =
              getConstantIntValue(loop.getMixedUpperBound()[0]))
        size = std::max(size, *n);
  });
  return size;
}

memref::AllocOp arenaOf(scf::ForallOp block, StringRef kind) {
  for (auto alloc : block.getBody()->getOps<memref::AllocOp>())
    if (auto attr = alloc->getAttrOfType<StringAttr>(kArenaAttr);
        attr && attr.getValue() == kind)
      return alloc;
  return nullptr;
}

void eraseDeallocs(RewriterBase &rewriter, Value buffer) {
  for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
    if (isa<memref::DeallocOp>(user))
      rewriter.eraseOp(user);
}

/// The buffer `value` views (through subviews, casts, views).
Value baseBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

/// Constant tables (memref.get_global) the kernel reads are taken inside
/// it, so that outlining copies their globals into the device module; every
/// other buffer the kernel uses from the host must be device memory: a
/// function argument (the caller's tensors) or a host allocation (a device
/// buffer after this pass).
LogicalResult sinkGlobalsAndCheckCaptures(RewriterBase &rewriter,
                                          gpu::LaunchOp launch) {
  Region &body = launch.getBody();
  SmallVector<memref::GetGlobalOp> globals;
  launch.getBody().walk([&](Operation *op) {
    for (Value operand : op->getOperands())
      if (auto global = operand.getDefiningOp<memref::GetGlobalOp>())
        if (!body.isAncestor(global->getParentRegion()))
          globals.push_back(global);
  });
  for (memref::GetGlobalOp global : globals) {
    rewriter.setInsertionPointToStart(&body.front());
    Operation *copy = rewriter.clone(*global);
    rewriter.replaceUsesWithIf(global.getResult(), copy->getResult(0),
                               [&](OpOperand &use) {
                                 return body.isAncestor(
                                     use.getOwner()->getParentRegion());
                               });
  }
  WalkResult walk = body.walk([&](Operation *op) -> WalkResult {
    for (Value operand : op->getOperands()) {
      if (!isa<MemRefType>(operand.getType()) ||
          body.isAncestor(operand.getParentRegion()))
        continue;
      // Host memory proper: the stack and the host's globals. (Arguments,
      // host allocations and the buffers host loops and branches yield are
      // device memory.)
      Operation *def = baseBuffer(operand).getDefiningOp();
      if (isa_and_nonnull<memref::AllocaOp, memref::GetGlobalOp>(def)) {
        op->emitError("mixer-mapped-to-gpu: a kernel reads a buffer in host "
                      "memory (a stack buffer or a host global)");
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

struct MixerMappedToGpuPass
    : public mixir::impl::MixerMappedToGpuBase<MixerMappedToGpuPass> {
  using Base::Base;

  LogicalResult launch(RewriterBase &rewriter, scf::ForallOp block);

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<scf::ForallOp> blocks;
    getOperation().walk([&](scf::ForallOp forall) {
      if (mixir::isBlockLoop(forall) &&
          !forall->getParentOfType<scf::ForallOp>())
        blocks.push_back(forall);
    });
    for (scf::ForallOp block : blocks)
      if (failed(launch(rewriter, block)))
        return signalPassFailure();
    // What is left of host buffers lives on the device.
    SmallVector<Operation *> hostBuffers;
    getOperation().walk([&](Operation *op) {
      if (isa<memref::AllocOp, memref::DeallocOp>(op) &&
          !op->getParentOfType<gpu::LaunchOp>())
        hostBuffers.push_back(op);
    });
    for (Operation *op : hostBuffers) {
      rewriter.setInsertionPoint(op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        rewriter.replaceOpWithNewOp<gpu::AllocOp>(
            alloc, alloc.getType(), /*asyncToken=*/Type(), ValueRange{},
            alloc.getDynamicSizes(), alloc.getSymbolOperands());
      } else {
        rewriter.replaceOpWithNewOp<gpu::DeallocOp>(
            op, /*asyncToken=*/Type(), ValueRange{},
            cast<memref::DeallocOp>(op).getMemref());
      }
    }
  }
};

LogicalResult MixerMappedToGpuPass::launch(RewriterBase &rewriter,
                                           scf::ForallOp block) {
  Location loc = block.getLoc();
  MLIRContext *ctx = &getContext();
  if (!llvm::all_of(block.getMixedLowerBound(),
                    [](OpFoldResult b) { return isConstantIntValue(b, 0); }) ||
      !llvm::all_of(block.getMixedStep(),
                    [](OpFoldResult s) { return isConstantIntValue(s, 1); }))
    return block.emitError("mixer-mapped-to-gpu: a grid of blocks must start "
                           "at 0 with step 1");
  rewriter.setInsertionPoint(block);
  // The grid: the block loop's points, linearised.
  SmallVector<OpFoldResult> bounds = block.getMixedUpperBound();
  Value gridSize = arith::ConstantIndexOp::create(rewriter, loc, 1);
  for (OpFoldResult bound : bounds)
    gridSize = arith::MulIOp::create(
        rewriter, loc, gridSize,
        getValueOrCreateConstantIndexOp(rewriter, loc, bound));
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value threads =
      arith::ConstantIndexOp::create(rewriter, loc, blockSizeOf(block));

  memref::AllocOp shared = arenaOf(block, "shared");
  memref::AllocOp spill = arenaOf(block, "spill");
  int64_t sharedBytes = shared ? shared.getType().getNumElements() : 0;
  if (sharedBytes > sharedMemoryBytes)
    return shared.emitError() << "mixer-mapped-to-gpu: the block's shared "
                                 "arena has "
                              << sharedBytes << " bytes; the target has "
                              << static_cast<int64_t>(sharedMemoryBytes);
  // The spill arena: one global buffer, a slice per block.
  Value scratch, spillBytes;
  if (spill) {
    spillBytes = spill.getType().hasStaticShape()
                     ? Value(arith::ConstantIndexOp::create(
                           rewriter, loc, spill.getType().getNumElements()))
                     : spill.getDynamicSizes()[0];
    Value total = arith::MulIOp::create(rewriter, loc, gridSize, spillBytes);
    scratch = memref::AllocOp::create(
        rewriter, loc,
        MemRefType::get({ShapedType::kDynamic}, rewriter.getI8Type()),
        ValueRange{total}, rewriter.getI64IntegerAttr(16));
  }
  Value smem = arith::ConstantIntOp::create(rewriter, loc, sharedBytes, 32);
  auto launch = gpu::LaunchOp::create(rewriter, loc, gridSize, one, one,
                                      threads, one, one, smem);
  if (scratch) {
    rewriter.setInsertionPointAfter(launch);
    memref::DeallocOp::create(rewriter, loc, scratch);
  }

  // The body: the block index delinearised into the grid's indices.
  Block &body = launch.getBody().front();
  rewriter.setInsertionPointToStart(&body);
  Value blockId = launch.getBlockIds().x;
  SmallVector<Value> indices{blockId};
  if (bounds.size() > 1)
    indices = affine::AffineDelinearizeIndexOp::create(rewriter, loc, blockId,
                                                       bounds,
                                                       /*hasOuterBound=*/true)
                  .getResults();
  Operation *terminator = block.getBody()->getTerminator();
  rewriter.eraseOp(terminator);
  auto end = gpu::TerminatorOp::create(rewriter, loc);
  rewriter.inlineBlockBefore(block.getBody(), end, indices);
  rewriter.eraseOp(block);
  if (failed(sinkGlobalsAndCheckCaptures(rewriter, launch)))
    return failure();

  // Arenas.
  if (shared) {
    rewriter.setInsertionPoint(shared);
    auto workgroup = gpu::AddressSpaceAttr::get(
        ctx, gpu::GPUDialect::getWorkgroupAddressSpace());
    Value base = gpu::DynamicSharedMemoryOp::create(
        rewriter, loc,
        MemRefType::get({ShapedType::kDynamic}, rewriter.getI8Type(),
                        MemRefLayoutAttrInterface(), workgroup));
    // Generic addresses: the views keep their types (NVPTX infers the
    // shared state space where it can).
    Value generic = memref::MemorySpaceCastOp::create(
        rewriter, loc,
        MemRefType::get({ShapedType::kDynamic}, rewriter.getI8Type()), base);
    Value arena = memref::CastOp::create(rewriter, loc, shared.getType(),
                                         generic);
    eraseDeallocs(rewriter, shared);
    rewriter.replaceOp(shared, arena);
  }
  if (spill) {
    rewriter.setInsertionPoint(spill);
    Value start = arith::MulIOp::create(rewriter, loc, blockId, spillBytes);
    eraseDeallocs(rewriter, spill);
    for (Operation *user : llvm::make_early_inc_range(spill->getUsers())) {
      auto view = dyn_cast<memref::ViewOp>(user);
      if (!view)
        return user->emitError("mixer-mapped-to-gpu: a spill arena used "
                               "other than through memref.view");
      rewriter.setInsertionPoint(view);
      Value offset = arith::AddIOp::create(rewriter, view.getLoc(), start,
                                           view.getByteShift());
      rewriter.modifyOpInPlace(view, [&] {
        view.getSourceMutable().assign(scratch);
        view.getByteShiftMutable().assign(offset);
      });
    }
    rewriter.eraseOp(spill);
  }

  // Thread loops: the thread index, guarded where the loop is shorter than
  // the block.
  SmallVector<scf::ForallOp> threadLoops;
  launch.getBody().walk([&](scf::ForallOp loop) {
    if (mixir::isThreadLoop(loop))
      threadLoops.push_back(loop);
  });
  for (scf::ForallOp loop : threadLoops) {
    rewriter.setInsertionPoint(loop);
    Value tid = gpu::ThreadIdOp::create(rewriter, loop.getLoc(),
                                        gpu::Dimension::x);
    std::optional<int64_t> count =
        getConstantIntValue(loop.getMixedUpperBound()[0]);
    if (!count)
      return loop.emitError("mixer-mapped-to-gpu: a thread loop of dynamic "
                            "size");
    rewriter.eraseOp(loop.getBody()->getTerminator());
    Operation *before = loop;
    if (std::optional<int64_t> threads = getConstantIntValue(
            launch.getBlockSizeX());
        threads && *count < *threads) {
      Value inside = arith::CmpIOp::create(
          rewriter, loop.getLoc(), arith::CmpIPredicate::ult, tid,
          arith::ConstantIndexOp::create(rewriter, loop.getLoc(), *count));
      auto guard = scf::IfOp::create(rewriter, loop.getLoc(), inside);
      before = guard.thenBlock()->getTerminator();
    }
    rewriter.inlineBlockBefore(loop.getBody(), before, {tid});
    rewriter.eraseOp(loop);
  }
  return success();
}
} // namespace
