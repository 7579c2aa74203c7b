//===- ShapeClasses.h - which dynamic sizes must be equal -------*- C++ -*-===//
//
// The generated entry point must reject tensors whose dynamic sizes disagree
// with what the kernel assumes (a `k` shorter than `q` would be read out of
// bounds). ShapeClasses derives those equalities from the function body:
// every (tensor value, dimension) pair is a node, and ops that require two
// sizes to be equal (a mixer op's dimensions that share a role symbol, as
// its MixerOpInterface says; a linalg op's shared loop
// dimension, `tensor.empty` sized by `tensor.dim`, elementwise ops) join
// their nodes. An op that handles dynamically shaped tensors in a way not
// understood here is reported instead of guessed.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_CONVERSION_CABI_SHAPECLASSES_H
#define MIXIR_LIB_CONVERSION_CABI_SHAPECLASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"

namespace mixir::detail {

class ShapeClasses {
public:
  /// Analyses `func`; fails (with a diagnostic) on an op it cannot see
  /// through.
  static mlir::FailureOr<ShapeClasses> analyze(mlir::func::FuncOp func);

  /// The representative of (value, dim).
  unsigned classOf(mlir::Value value, unsigned dim);
  /// A static size known for the class, if any member is static.
  std::optional<int64_t> staticSize(unsigned cls);
  /// A role name for the class ("B", "T", ...) when a mixer op gives it one.
  llvm::StringRef roleName(unsigned cls);

private:
  unsigned node(mlir::Value value, unsigned dim);
  void join(mlir::Value a, unsigned da, mlir::Value b, unsigned db);
  void nameRole(mlir::Value value, unsigned dim, llvm::StringRef name);
  mlir::LogicalResult visit(mlir::Operation *op);

  llvm::DenseMap<std::pair<mlir::Value, unsigned>, unsigned> nodes;
  llvm::SmallVector<std::pair<mlir::Value, unsigned>> keys;
  llvm::EquivalenceClasses<unsigned> classes;
  llvm::DenseMap<unsigned, llvm::StringRef> roles;
};

} // namespace mixir::detail

#endif // MIXIR_LIB_CONVERSION_CABI_SHAPECLASSES_H
