//===- OwnedLoops.cpp - sequential loops run by each thread on its own column ===//
//
// In a work item, a sequential loop (a scan's steps) whose linalg ops each
// touch only their own column of every buffer the loop writes (HGRN's
// channels, GLA's value columns of the state) needs no barrier between its
// steps: each thread runs the whole loop for its columns, as a hand-written
// GPU scan does. docs/gpu.md, "Threads that own their columns".
//
//===----------------------------------------------------------------------===//
#include "mixir/Codegen/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mixir {
#define GEN_PASS_DEF_MIXERMAPOWNEDLOOPS
#include "mixir/Codegen/Passes.h.inc"
} // namespace mixir

using namespace mlir;

namespace {
/// Where a dimension of a view lies in the buffer it views: the buffer's
/// dimension and the offsets added on the way (compared as a sequence).
struct Placement {
  int64_t dim;
  SmallVector<OpFoldResult> offsets;
  bool operator==(const Placement &o) const {
    return dim == o.dim && offsets == o.offsets;
  }
};

/// A view traced to its root buffer (an argument, an allocation, an arena
/// view): for each of the view's dimensions, where it lies in the root. Two
/// views of one buffer have one root, so their placements compare.
struct Trace {
  Value root;
  SmallVector<Placement> dims;
};

std::optional<Trace> trace(Value view) {
  auto type = dyn_cast<MemRefType>(view.getType());
  if (!type)
    return std::nullopt;
  if (auto cast = view.getDefiningOp<memref::CastOp>())
    return trace(cast.getSource());
  auto subview = view.getDefiningOp<memref::SubViewOp>();
  if (!subview) {
    Trace t{view, {}};
    for (int64_t d = 0; d < type.getRank(); ++d)
      t.dims.push_back({d, {}});
    return t;
  }
  if (!llvm::all_of(subview.getMixedStrides(), [](OpFoldResult s) {
        return isConstantIntValue(s, 1);
      }))
    return std::nullopt;
  std::optional<Trace> source = trace(subview.getSource());
  if (!source)
    return std::nullopt;
  llvm::SmallBitVector dropped = subview.getDroppedDims();
  SmallVector<OpFoldResult> offsets = subview.getMixedOffsets();
  Trace t{source->root, {}};
  for (unsigned d = 0; d < offsets.size(); ++d) {
    if (dropped.test(d))
      continue;
    Placement p = source->dims[d];
    if (!isConstantIntValue(offsets[d], 0))
      p.offsets.push_back(offsets[d]);
    t.dims.push_back(p);
  }
  return t;
}

/// The loop's linalg ops with, for each, the iteration dimension it owns;
/// and the ops every thread computes whole into its own copy of their
/// buffers (a step's temporaries that no column owns, such as GLA's
/// per-key decay).
struct Ownership {
  SmallVector<linalg::LinalgOp> ops;
  SmallVector<unsigned> dims;
  OpFoldResult extent;
  SmallVector<linalg::LinalgOp> privateOps;
  SmallVector<memref::AllocOp> privateBuffers;
};

/// Whether `op` can be computed whole by every thread into private copies
/// of its outputs: each output is a buffer the work item allocates, used in
/// the loop by nothing that writes it but `op`, which comes first, and
/// outside the loop only by its deallocation; `op` overwrites it (no
/// reduction, its payload does not read the outputs).
bool isPrivateStep(linalg::LinalgOp op, scf::ForOp loop) {
  if (op.getNumReductionLoops() != 0)
    return false;
  for (OpOperand &init : op.getDpsInitsMutable()) {
    auto alloc = init.get().getDefiningOp<memref::AllocOp>();
    if (!alloc || !alloc.getType().hasStaticShape() ||
        loop->isAncestor(alloc) || op.payloadUsesValueFromOperand(&init))
      return false;
    for (OpOperand &use : alloc->getUses()) {
      Operation *user = use.getOwner();
      if (user == op.getOperation())
        continue;
      if (!loop->isAncestor(user)) {
        if (!isa<memref::DeallocOp>(user))
          return false;
        continue;
      }
      // Read after op in the loop body, never written there.
      Operation *inBody = loop.getBody()->findAncestorOpInBlock(*user);
      if (!inBody || !op->isBeforeInBlock(inBody))
        return false;
      auto reader = dyn_cast<linalg::LinalgOp>(user);
      if (!reader || !reader.isDpsInput(&use))
        return false;
    }
  }
  return true;
}

/// The result position of `map` that is exactly dimension `d`, if any.
std::optional<unsigned> resultOf(AffineMap map, unsigned d) {
  for (auto [i, e] : llvm::enumerate(map.getResults()))
    if (auto dim = dyn_cast<AffineDimExpr>(e); dim && dim.getPosition() == d)
      return i;
  return std::nullopt;
}

/// Whether the loop can run per thread: only linalg ops and pure ops
/// without regions in its body, no buffer carried, and an owned dimension
/// per op such that every access to a buffer the loop writes places that
/// dimension at the same place of the buffer, all with one extent.
std::optional<Ownership> findOwnership(scf::ForOp loop) {
  if (llvm::any_of(loop.getInitArgs(),
                   [](Value v) { return isa<MemRefType>(v.getType()); }))
    return std::nullopt;
  Ownership own;
  SmallVector<Value> scalarReads; // buffers read by scalar loads
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      scalarReads.push_back(load.getMemRef());
      continue;
    }
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      if (isPrivateStep(linalgOp, loop)) {
        own.privateOps.push_back(linalgOp);
        for (Value init : linalgOp.getDpsInits())
          own.privateBuffers.push_back(init.getDefiningOp<memref::AllocOp>());
      } else {
        own.ops.push_back(linalgOp);
      }
      continue;
    }
    if (op.getNumRegions() != 0 || !isMemoryEffectFree(&op))
      return std::nullopt;
  }
  if (own.ops.empty())
    return std::nullopt;
  // The buffers the loop writes.
  llvm::SmallPtrSet<Value, 4> written;
  for (linalg::LinalgOp op : own.ops)
    for (OpOperand &init : op.getDpsInitsMutable()) {
      std::optional<Trace> t = trace(init.get());
      if (!t)
        return std::nullopt;
      written.insert(t->root);
    }
  // Scalar loads (a head's gate at this step) read the same element in every
  // thread: only from buffers the loop does not write.
  for (Value buffer : scalarReads) {
    std::optional<Trace> t = trace(buffer);
    if (!t || written.contains(t->root))
      return std::nullopt;
  }
  // A private step must not read what the owned ops write (it reads whole
  // buffers, other threads' columns included).
  for (linalg::LinalgOp op : own.privateOps)
    for (OpOperand *input : op.getDpsInputOperands()) {
      if (!isa<MemRefType>(input->get().getType()))
        continue;
      std::optional<Trace> t = trace(input->get());
      if (!t || written.contains(t->root))
        return std::nullopt;
    }
  // Greedy: each op takes the first of its parallel dimensions consistent
  // with the placements fixed so far; the first op's choices are all tried.
  auto assign = [&](unsigned first) -> bool {
    DenseMap<Value, Placement> placed;
    own.dims.clear();
    own.extent = OpFoldResult();
    for (auto [n, op] : llvm::enumerate(own.ops)) {
      SmallVector<utils::IteratorType> types = op.getIteratorTypesArray();
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      bool found = false;
      for (unsigned d = 0; d < types.size() && !found; ++d) {
        if (types[d] != utils::IteratorType::parallel || (n == 0 && d != first))
          continue;
        DenseMap<Value, Placement> trial = placed;
        bool ok = true;
        for (OpOperand &operand : op->getOpOperands()) {
          if (!isa<MemRefType>(operand.get().getType()))
            continue;
          std::optional<Trace> t = trace(operand.get());
          if (!t) {
            ok = false;
            break;
          }
          if (!written.contains(t->root))
            continue; // read only in the loop: anyone may read it
          std::optional<unsigned> at =
              resultOf(op.getMatchingIndexingMap(&operand), d);
          if (!at) {
            ok = false;
            break;
          }
          Placement p = t->dims[*at];
          auto [it, inserted] = trial.try_emplace(t->root, p);
          if (!inserted && !(it->second == p)) {
            ok = false;
            break;
          }
        }
        // One extent for every op: the threads split the same columns.
        if (ok && ShapedType::isDynamic(ranges[d]))
          ok = false;
        if (ok && own.extent &&
            getConstantIntValue(own.extent) != ranges[d])
          ok = false;
        if (!ok)
          continue;
        placed = std::move(trial);
        own.dims.push_back(d);
        if (!own.extent)
          own.extent = IntegerAttr::get(IndexType::get(loop.getContext()),
                                        ranges[d]);
        found = true;
      }
      if (!found)
        return false;
    }
    // Every written buffer must have been placed (a buffer written but
    // never read or written through an owned dimension cannot be).
    return llvm::all_of(written,
                        [&](Value root) { return placed.contains(root); });
  };
  unsigned firstDims = own.ops.front().getNumLoops();
  for (unsigned d = 0; d < firstDims; ++d)
    if (assign(d))
      return own;
  return std::nullopt;
}

ArrayAttr threadMapping(MLIRContext *ctx) {
  return ArrayAttr::get(ctx, {gpu::GPUThreadMappingAttr::get(
                                 ctx, gpu::MappingId::LinearDim0)});
}

/// Replaces `loop` by a thread loop around it, each thread running it for
/// its columns: every op becomes its tile at the column, its other
/// dimensions whole.
LogicalResult runPerThread(RewriterBase &rewriter, scf::ForOp loop,
                           const Ownership &own, int64_t blockSize) {
  Location loc = loop.getLoc();
  int64_t extent = *getConstantIntValue(own.extent);
  rewriter.setInsertionPoint(loop);
  int64_t threads = std::min(extent, blockSize);
  auto threadLoop = scf::ForallOp::create(
      rewriter, loc, {rewriter.getIndexAttr(threads)}, ValueRange{},
      threadMapping(rewriter.getContext()));
  rewriter.setInsertionPoint(threadLoop.getBody()->getTerminator());
  Value column = threadLoop.getInductionVar(0);
  if (extent > blockSize) {
    auto columns = scf::ForOp::create(
        rewriter, loc, column,
        arith::ConstantIndexOp::create(rewriter, loc, extent),
        arith::ConstantIndexOp::create(rewriter, loc, blockSize));
    rewriter.setInsertionPoint(columns.getBody()->getTerminator());
    column = columns.getInductionVar();
  }
  // Each thread's own copies of the step's temporaries.
  SmallVector<Value> privates;
  {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(threadLoop.getBody());
    for (memref::AllocOp buffer : own.privateBuffers)
      privates.push_back(
          memref::AllocaOp::create(rewriter, loc, buffer.getType()));
  }
  IRMapping mapping;
  auto copy = cast<scf::ForOp>(rewriter.clone(*loop, mapping));
  rewriter.replaceOp(loop, copy.getResults());
  for (auto [i, original] : llvm::enumerate(own.privateBuffers)) {
    memref::AllocOp buffer = original;
    rewriter.replaceUsesWithIf(buffer.getResult(), privates[i],
                               [&](OpOperand &use) {
                                 return copy->isAncestor(use.getOwner());
                               });
    // The shared buffer is left with its deallocation alone.
    if (llvm::all_of(buffer->getUsers(),
                     [](Operation *u) { return isa<memref::DeallocOp>(u); })) {
      for (Operation *user : llvm::make_early_inc_range(buffer->getUsers()))
        rewriter.eraseOp(user);
      rewriter.eraseOp(buffer);
    }
  }
  for (auto [op, d] : llvm::zip(own.ops, own.dims)) {
    Operation *original = linalg::LinalgOp(op).getOperation();
    auto cloned = cast<TilingInterface>(mapping.lookup(original));
    rewriter.setInsertionPoint(cloned);
    SmallVector<Range> domain = cloned.getIterationDomain(rewriter);
    SmallVector<OpFoldResult> offsets, sizes;
    for (const Range &r : domain) {
      offsets.push_back(r.offset);
      sizes.push_back(r.size);
    }
    offsets[d] = column;
    sizes[d] = rewriter.getIndexAttr(1);
    if (failed(cloned.getTiledImplementation(rewriter, offsets, sizes)))
      return cloned->emitError("mixer-map-owned-loops: cannot take a column "
                               "tile of this op");
    rewriter.eraseOp(cloned);
  }
  // A loop result (a scalar the steps carry) is the same in every thread;
  // it is not used outside the thread loop here.
  if (!copy->use_empty())
    return copy.emitError("mixer-map-owned-loops: a loop result is used");
  return success();
}

struct MixerMapOwnedLoopsPass
    : public mixir::impl::MixerMapOwnedLoopsBase<MixerMapOwnedLoopsPass> {
  using Base::Base;
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Loops directly inside a work item (an outermost, unmapped forall).
    std::vector<std::pair<scf::ForOp, Ownership>> loops;
    getOperation().walk([&](scf::ForallOp item) {
      if (item.getMapping() || item->getParentOfType<scf::ForallOp>())
        return;
      item.getBody()->walk([&](scf::ForOp loop) {
        if (!loop.getResults().use_empty())
          return;
        if (std::optional<Ownership> own = findOwnership(loop))
          loops.push_back({loop, *own});
      });
    });
    // (A loop taken has no loop inside: the loops are disjoint.)
    for (auto &[loop, own] : loops) {
      if (failed(runPerThread(rewriter, loop, own, blockSize)))
        return signalPassFailure();
    }
  }
};
} // namespace
