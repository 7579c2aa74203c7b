//===- ChannelInvariants.cpp - hoist per-channel work out of a generic ------===//
//
// docs/math.md, section 4.2: the coefficients of a raised recurrence often
// mix per-step inputs with per-channel parameters (RG-LRU's log σ(Λ), LRU's
// λ = exp(−exp(ν) + i·exp(θ)) and γ); the parameters' part is computed once
// per channel here instead of at every step of the scan that reads it.
//
//===----------------------------------------------------------------------===//
#include "ChannelInvariants.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mixir;

SmallVector<Value> mixir::hoistChannelInvariants(OpBuilder &builder,
                                                 linalg::GenericOp generic,
                                                 ArrayRef<bool> mayShrink) {
  SmallVector<Value> unchanged(generic->getResults());
  Block *body = generic.getBody();
  const unsigned rank = generic.getNumLoops();
  if (rank < 3)
    return unchanged;
  SmallVector<int64_t> loops = generic.getStaticLoopRanges();
  SmallVector<int64_t> channels(loops.begin() + 2, loops.end());
  if (llvm::any_of(channels, ShapedType::isDynamic))
    return unchanged;
  // The channel map (b, t, d...) -> (d...) exactly.
  const AffineMap channelMap =
      AffineMap::getMinorIdentityMap(rank, rank - 2, builder.getContext());
  auto readsChannels = [&](OpOperand *in) {
    return generic.getMatchingIndexingMap(in) == channelMap;
  };

  // The channel-invariant values: channel tensors' elements and what is
  // computed from them alone (constants included, but not worth hoisting on
  // their own).
  llvm::DenseSet<Value> invariant;
  for (OpOperand *in : generic.getDpsInputOperands())
    if (readsChannels(in))
      invariant.insert(body->getArgument(in->getOperandNumber()));
  llvm::SetVector<Operation *> hoisted;
  for (Operation &op : body->without_terminator()) {
    // An op without operands is invariant only as a constant (not, say, a
    // linalg.index of b or t).
    bool constant = op.hasTrait<OpTrait::ConstantLike>();
    if (op.getNumRegions() || !isMemoryEffectFree(&op) ||
        (op.getNumOperands() == 0 && !constant) ||
        !llvm::all_of(op.getOperands(),
                      [&](Value v) { return invariant.contains(v); }))
      continue;
    invariant.insert(op.getResults().begin(), op.getResults().end());
    if (!constant)
      hoisted.insert(&op);
  }
  // What the rest reads of them.
  llvm::SetVector<Value> frontier;
  for (Operation *op : hoisted)
    for (Value r : op->getResults())
      for (Operation *user : r.getUsers())
        if (!hoisted.contains(user))
          frontier.insert(r);
  if (frontier.empty())
    return unchanged;

  Location loc = generic.getLoc();
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPoint(generic);

  // The generic over [d...].
  const unsigned inner = rank - 2;
  SmallVector<Value> channelIns;
  SmallVector<BlockArgument> channelArgs;
  for (OpOperand *in : generic.getDpsInputOperands()) {
    BlockArgument arg = body->getArgument(in->getOperandNumber());
    if (readsChannels(in) && llvm::any_of(arg.getUsers(), [&](Operation *u) {
          return hoisted.contains(u);
        })) {
      channelIns.push_back(in->get());
      channelArgs.push_back(arg);
    }
  }
  SmallVector<Value> channelOuts;
  for (Value v : frontier)
    channelOuts.push_back(
        tensor::EmptyOp::create(builder, loc, channels, v.getType()));
  SmallVector<AffineMap> channelMaps(channelIns.size() + channelOuts.size(),
                                     builder.getMultiDimIdentityMap(inner));
  auto perChannel = linalg::GenericOp::create(
      builder, loc, TypeRange(ValueRange(channelOuts)), channelIns,
      channelOuts, channelMaps,
      SmallVector<utils::IteratorType>(inner, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        IRMapping mapping;
        for (auto [arg, value] : llvm::zip(channelArgs, args))
          mapping.map(arg, value);
        for (Operation &op : body->without_terminator())
          if (op.hasTrait<OpTrait::ConstantLike>() || hoisted.contains(&op))
            nb.clone(op, mapping);
        SmallVector<Value> yields;
        for (Value v : frontier)
          yields.push_back(mapping.lookup(v));
        linalg::YieldOp::create(nb, nloc, yields);
      });

  // What replaces each result: a channel tensor where it may shrink and is
  // one.
  Operation *terminator = body->getTerminator();
  SmallVector<Value> replacements(generic.getNumResults());
  for (unsigned i = 0; i < generic.getNumResults(); ++i) {
    Value yielded = terminator->getOperand(i);
    if (!mayShrink[i])
      continue;
    if (frontier.contains(yielded))
      replacements[i] = perChannel.getResult(
          std::distance(frontier.begin(), llvm::find(frontier, yielded)));
    else if (auto arg = dyn_cast<BlockArgument>(yielded);
             arg && arg.getOwner() == body &&
             arg.getArgNumber() < generic.getNumDpsInputs() &&
             readsChannels(generic.getDpsInputOperand(arg.getArgNumber())))
      replacements[i] = generic.getDpsInputOperand(arg.getArgNumber())->get();
  }
  // They shrink together (a complex decay's two parts) or not at all.
  if (llvm::any_of(llvm::seq(generic.getNumResults()), [&](unsigned i) {
        return mayShrink[i] && !replacements[i];
      }))
    std::fill(replacements.begin(), replacements.end(), Value());

  // The generic over [B, T, d...], for the results left.
  SmallVector<unsigned> kept;
  for (unsigned i = 0; i < generic.getNumResults(); ++i)
    if (!replacements[i])
      kept.push_back(i);
  if (!kept.empty()) {
    auto usedByRest = [&](Value v) {
      return llvm::any_of(v.getUses(), [&](OpOperand &use) {
        Operation *user = use.getOwner();
        if (user == terminator)
          return !replacements[use.getOperandNumber()];
        return !hoisted.contains(user);
      });
    };
    SmallVector<Value> ins, outs;
    SmallVector<AffineMap> maps;
    SmallVector<Value> argsFor; // the old value each new block argument is
    for (OpOperand *in : generic.getDpsInputOperands()) {
      BlockArgument arg = body->getArgument(in->getOperandNumber());
      if (!usedByRest(arg))
        continue;
      ins.push_back(in->get());
      maps.push_back(generic.getMatchingIndexingMap(in));
      argsFor.push_back(arg);
    }
    for (auto [pos, v] : llvm::enumerate(frontier)) {
      if (!usedByRest(v))
        continue;
      ins.push_back(perChannel.getResult(pos));
      maps.push_back(channelMap);
      argsFor.push_back(v);
    }
    for (unsigned i : kept) {
      OpOperand *out = generic.getDpsInitOperand(i);
      outs.push_back(out->get());
      maps.push_back(generic.getMatchingIndexingMap(out));
    }
    auto perStep = linalg::GenericOp::create(
        builder, loc, TypeRange(ValueRange(outs)), ins, outs, maps,
        generic.getIteratorTypesArray(),
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          IRMapping mapping;
          for (auto [old, value] : llvm::zip(argsFor, args))
            mapping.map(old, value);
          for (Operation &op : body->without_terminator())
            if (!hoisted.contains(&op))
              nb.clone(op, mapping);
          SmallVector<Value> yields;
          for (unsigned i : kept)
            yields.push_back(
                mapping.lookupOrDefault(terminator->getOperand(i)));
          linalg::YieldOp::create(nb, nloc, yields);
        });
    for (auto [i, r] : llvm::zip(kept, perStep->getResults()))
      replacements[i] = r;
  }
  generic->erase();
  return replacements;
}
