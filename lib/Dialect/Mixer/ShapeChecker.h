//===- ShapeChecker.h - shape checks of mixer op verifiers ------*- C++ -*-===//
#ifndef MIXIR_LIB_DIALECT_MIXER_SHAPECHECKER_H
#define MIXIR_LIB_DIALECT_MIXER_SHAPECHECKER_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"

namespace mixir::mixer::detail {

/// Checks one operand against a list of named expected dimensions. Each
/// expected entry is either a static size or ShapedType::kDynamic (unknown);
/// a dimension that is dynamic on either side is compatible. `names` gives
/// the role of each dimension (B, T, H, ...) for the message.
struct ShapeChecker {
  mlir::Operation *op;

  mlir::LogicalResult check(llvm::StringRef what, mlir::Type type,
                            llvm::ArrayRef<int64_t> expected,
                            llvm::ArrayRef<llvm::StringRef> names) {
    auto tensor = llvm::cast<mlir::RankedTensorType>(type);
    if (tensor.getRank() != static_cast<int64_t>(expected.size())) {
      mlir::InFlightDiagnostic diag = op->emitOpError()
                                      << what << " must have rank "
                                      << expected.size() << " [";
      llvm::interleave(names, diag, ", ");
      return diag << "], got " << tensor;
    }
    for (auto [i, want] : llvm::enumerate(expected)) {
      int64_t got = tensor.getDimSize(i);
      if (mlir::ShapedType::isDynamic(want) ||
          mlir::ShapedType::isDynamic(got) || got == want)
        continue;
      return op->emitOpError() << what << " dimension " << i << " ("
                               << names[i] << ") is " << got << ", expected "
                               << want;
    }
    return mlir::success();
  }
};

} // namespace mixir::mixer::detail

#endif // MIXIR_LIB_DIALECT_MIXER_SHAPECHECKER_H
