//===- ShapeClasses.cpp - which dynamic sizes must be equal -----------------===//
#include "ShapeClasses.h"

#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace mixir;
using namespace mixir::detail;

unsigned ShapeClasses::node(Value value, unsigned dim) {
  auto [it, inserted] = nodes.try_emplace({value, dim}, keys.size());
  if (inserted) {
    keys.push_back({value, dim});
    classes.insert(it->second);
  }
  return it->second;
}

void ShapeClasses::join(Value a, unsigned da, Value b, unsigned db) {
  classes.unionSets(node(a, da), node(b, db));
}

void ShapeClasses::nameRole(Value value, unsigned dim, StringRef name) {
  roles[node(value, dim)] = name;
}

unsigned ShapeClasses::classOf(Value value, unsigned dim) {
  return classes.getLeaderValue(node(value, dim));
}

std::optional<int64_t> ShapeClasses::staticSize(unsigned cls) {
  for (auto [i, key] : llvm::enumerate(keys)) {
    if (classes.getLeaderValue(i) != cls)
      continue;
    int64_t size = cast<ShapedType>(key.first.getType()).getDimSize(key.second);
    if (!ShapedType::isDynamic(size))
      return size;
  }
  return std::nullopt;
}

StringRef ShapeClasses::roleName(unsigned cls) {
  for (auto [n, name] : roles)
    if (classes.getLeaderValue(n) == cls)
      return name;
  return {};
}

static bool hasDynamicTensor(Operation *op) {
  auto dynamic = [](Type t) {
    auto shaped = dyn_cast<RankedTensorType>(t);
    return shaped && !shaped.hasStaticShape();
  };
  return llvm::any_of(op->getOperandTypes(), dynamic) ||
         llvm::any_of(op->getResultTypes(), dynamic);
}

LogicalResult ShapeClasses::visit(Operation *op) {
  if (auto mixerOp = dyn_cast<mixer::MixerOpInterface>(op)) {
    // Dimensions with the same role symbol have equal sizes; the symbol
    // names the class (B, T, ...) in the signature.
    llvm::StringMap<std::pair<Value, unsigned>> first;
    for (const mixer::TensorRoles &tensor : mixerOp.getTensorRoles())
      for (auto [d, role] : llvm::enumerate(tensor.dims)) {
        if (role.empty())
          continue;
        auto [it, inserted] = first.try_emplace(role, tensor.value, d);
        if (inserted)
          nameRole(tensor.value, d, role);
        else
          join(it->second.first, it->second.second, tensor.value, d);
      }
    return success();
  }
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    // Every operand dimension indexed by the same loop has the same size.
    llvm::DenseMap<unsigned, std::pair<Value, unsigned>> loopOwner;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<RankedTensorType>(operand.get().getType()))
        continue;
      AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
      for (auto [d, expr] : llvm::enumerate(map.getResults())) {
        auto dimExpr = dyn_cast<AffineDimExpr>(expr);
        if (!dimExpr)
          continue;
        auto [it, inserted] = loopOwner.try_emplace(
            dimExpr.getPosition(), std::make_pair(operand.get(), d));
        if (!inserted)
          join(it->second.first, it->second.second, operand.get(), d);
      }
    }
    for (auto [result, init] :
         llvm::zip(op->getResults(), linalgOp.getDpsInits()))
      for (unsigned d = 0, e = cast<ShapedType>(result.getType()).getRank();
           d < e; ++d)
        join(result, d, init, d);
    return success();
  }
  if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
    for (unsigned d = 0, e = empty.getType().getRank(); d < e; ++d) {
      if (!empty.getType().isDynamicDim(d))
        continue;
      auto dim = empty.getDynamicSize(d).getDefiningOp<tensor::DimOp>();
      std::optional<int64_t> index =
          dim ? dim.getConstantIndex() : std::nullopt;
      if (!index)
        return op->emitOpError()
               << "dynamic size " << d
               << " must come from tensor.dim of another tensor for mixirc "
                  "to derive the C ABI shape contract";
      join(empty.getResult(), d, dim.getSource(), *index);
    }
    return success();
  }
  if (op->hasTrait<OpTrait::Elementwise>() ||
      op->hasTrait<OpTrait::SameOperandsAndResultShape>()) {
    SmallVector<Value> all(op->getOperands());
    llvm::append_range(all, op->getResults());
    Value first;
    for (Value v : all) {
      auto type = dyn_cast<RankedTensorType>(v.getType());
      if (!type)
        continue;
      if (!first) {
        first = v;
        continue;
      }
      for (unsigned d = 0, e = type.getRank(); d < e; ++d)
        join(first, d, v, d);
    }
    return success();
  }
  if (isa<tensor::DimOp, func::ReturnOp>(op) || !hasDynamicTensor(op))
    return success();
  return op->emitOpError()
         << "is not understood by the C ABI shape analysis: mixirc cannot "
            "tell which dynamic sizes it requires to be equal";
}

FailureOr<ShapeClasses> ShapeClasses::analyze(func::FuncOp func) {
  ShapeClasses result;
  WalkResult walk = func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (failed(result.visit(op)))
      return WalkResult::interrupt();
    // What a mixer op's regions read is in its tensor roles.
    return isa<mixer::MixerOpInterface>(op) ? WalkResult::skip()
                                             : WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  return result;
}
