//===- ProjectGeneric.cpp - a generic's value over fewer loops --------------===//
#include "ProjectGeneric.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mixir;

void mixir::sliceInBlock(Block *body, Value v,
                         llvm::SetVector<Operation *> &ops,
                         llvm::SetVector<BlockArgument> &args) {
  auto readArgs = [&](Value x) {
    if (auto arg = dyn_cast<BlockArgument>(x); arg && arg.getOwner() == body)
      args.insert(arg);
  };
  readArgs(v);
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != body)
    return;
  BackwardSliceOptions options;
  options.inclusive = true;
  options.omitBlockArguments = true;
  options.filter = [&](Operation *op) { return op->getBlock() == body; };
  llvm::SetVector<Operation *> slice;
  (void)getBackwardSlice(def, &slice, options);
  for (Operation *op : slice) {
    llvm::for_each(op->getOperands(), readArgs);
    ops.insert(op);
  }
}

llvm::SmallBitVector mixir::loopsOf(linalg::GenericOp generic, Value v) {
  const unsigned numLoops = generic.getNumLoops();
  Block *body = generic.getBody();
  llvm::SmallBitVector loops(numLoops);
  llvm::SetVector<Operation *> slice;
  llvm::SetVector<BlockArgument> args;
  sliceInBlock(body, v, slice, args);
  for (BlockArgument arg : args) {
    AffineMap map =
        generic.getMatchingIndexingMap(&generic->getOpOperand(arg.getArgNumber()));
    for (unsigned d = 0; d < numLoops; ++d)
      if (map.isFunctionOfDim(d))
        loops.set(d);
  }
  for (Operation *op : slice)
    if (auto index = dyn_cast<linalg::IndexOp>(op))
      loops.set(index.getDim());
  return loops;
}

Value mixir::projectValue(OpBuilder &builder, linalg::GenericOp generic,
                          Value v, ArrayRef<unsigned> keep, Type elementType) {
  llvm::SmallBitVector needed = loopsOf(generic, v);
  for (unsigned d : keep)
    needed.reset(d);
  if (needed.any())
    return nullptr;
  Block *body = generic.getBody();
  llvm::SetVector<Operation *> slice;
  llvm::SetVector<BlockArgument> args;
  sliceInBlock(body, v, slice, args);
  if (llvm::any_of(slice, [](Operation *op) { return isa<linalg::IndexOp>(op); }))
    return nullptr;
  MLIRContext *ctx = builder.getContext();
  Location loc = generic.getLoc();
  // Loop d of the generic is loop position(d) of the new one.
  SmallVector<AffineExpr> replacement(generic.getNumLoops(),
                                      getAffineConstantExpr(0, ctx));
  for (auto [i, d] : llvm::enumerate(keep))
    replacement[d] = getAffineDimExpr(i, ctx);
  // The operands the slice (or `v` itself) reads.
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  for (BlockArgument arg : args) {
    OpOperand &operand = generic->getOpOperand(arg.getArgNumber());
    ins.push_back(operand.get());
    maps.push_back(generic.getMatchingIndexingMap(&operand).replaceDimsAndSymbols(
        replacement, {}, keep.size(), 0));
  }
  // An operand read as it is: no copy.
  if (args.size() == 1 && v == args[0] && maps[0].isIdentity() &&
      getElementTypeOrSelf(ins[0].getType()) == elementType)
    return ins[0];
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPoint(generic);
  // The loop sizes: an empty init's own sizes when it is indexed by the
  // loops themselves, else the operands' dimensions.
  SmallVector<OpFoldResult> loopSizes;
  OpOperand *init = generic.getDpsInitOperand(0);
  if (auto empty = init->get().getDefiningOp<tensor::EmptyOp>();
      empty && generic.getMatchingIndexingMap(init).isIdentity())
    loopSizes = empty.getMixedSizes();
  else
    for (Range range : cast<linalg::LinalgOp>(generic.getOperation())
                           .createLoopRanges(builder, loc))
      loopSizes.push_back(range.size);
  SmallVector<OpFoldResult> sizes;
  for (unsigned d : keep)
    sizes.push_back(loopSizes[d]);
  Value empty = tensor::EmptyOp::create(builder, loc, sizes, elementType);
  maps.push_back(builder.getMultiDimIdentityMap(keep.size()));
  auto projected = linalg::GenericOp::create(
      builder, loc, TypeRange{empty.getType()}, ins, ValueRange{empty}, maps,
      SmallVector<utils::IteratorType>(keep.size(), utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange newArgs) {
        IRMapping mapping;
        for (auto [arg, value] : llvm::zip(args, newArgs))
          mapping.map(arg, value);
        for (Operation *op : slice)
          nb.clone(*op, mapping);
        Value result = mapping.lookupOrDefault(v);
        if (result.getType() != elementType)
          result = arith::TruncFOp::create(nb, nloc, elementType, result);
        linalg::YieldOp::create(nb, nloc, result);
      });
  return projected.getResult(0);
}
