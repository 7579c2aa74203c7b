//===- RegionExpr.h - a .mix expression as the scalar ops of a region -*- C++ -*-===//
//
// An attention call's `mask = ...` and `score = ...` (docs/mix-language.md,
// "Attention") are expressions over the region's scalars: the indices b, h,
// t, s (integers) and, in a score, `score` (f32). They lower to arith and
// math ops on index, i1 and f32 values, and reads of tensors to
// tensor.extract at those indices, the forms the attention op's block-mask
// analysis reads (integers stay index arithmetic, i32 ids are widened to
// index). Every check runs before any op is built.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FRONTEND_REGIONEXPR_H
#define MIXIR_LIB_FRONTEND_REGIONEXPR_H

#include "AST.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Support/LLVM.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace mixir::mix {

/// What a region expression computes.
enum class ScalarKind { Integer, Float, Condition };

/// A scalar of the region (a block argument): its kind and, for an index,
/// the dimension it runs over (its name in the signature, empty if none, and
/// its static size or dynamic), so that a read at it can be proven in
/// bounds.
struct RegionScalar {
  ScalarKind kind;
  llvm::StringRef dimName;
  int64_t dimSize = 0;
  /// For messages: "dimension 1 of q".
  std::string over;
};

/// A tensor the expression may read: its value and dimension names.
struct RegionTensor {
  mlir::Value value;
  llvm::SmallVector<llvm::StringRef> dimNames;
};

/// Name resolution and where errors go.
class RegionContext {
public:
  virtual ~RegionContext() = default;
  /// A tensor named `name`, or null.
  virtual const RegionTensor *lookupTensor(llvm::StringRef name) = 0;
  /// The size of the dimension `ref` names: its static size, or an index
  /// value built before the op (tensor.dim of a tensor that has it); an
  /// error if it is no dimension or no tensor has it.
  virtual mlir::FailureOr<mlir::OpFoldResult> dimensionSize(const Expr &ref) = 0;
  virtual mlir::Location getLoc(llvm::SMLoc loc) = 0;
  mlir::InFlightDiagnostic error(llvm::SMLoc loc) {
    return mlir::emitError(getLoc(loc));
  }
};

/// One mask or score expression: checked before the op is built (names,
/// reads in bounds, kinds; the dimension sizes it reads are built then,
/// before the op), then emitted inside the op's region.
class RegionExpr {
public:
  RegionExpr(RegionContext &context,
             const llvm::StringMap<RegionScalar> &scalars)
      : context(context), scalars(scalars) {}

  /// Checks `e` (its value of kind `want`; an integer is accepted where a
  /// float is wanted). `what` names it in messages ("the mask").
  mlir::LogicalResult check(const Expr &e, ScalarKind want,
                            llvm::StringRef what);
  /// Builds the checked expression at `b`'s insertion point, the region's
  /// scalars being `args`, and returns its value.
  mlir::Value emit(mlir::OpBuilder &b, const llvm::StringMap<mlir::Value> &args);

private:
  mlir::FailureOr<ScalarKind> checkExpr(const Expr &e);
  mlir::LogicalResult checkRead(const Expr &e, const RegionTensor &tensor);
  mlir::Value emitExpr(mlir::OpBuilder &b, const Expr &e);
  mlir::Value converted(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value v, ScalarKind from, ScalarKind to);

  RegionContext &context;
  const llvm::StringMap<RegionScalar> &scalars;
  const Expr *root = nullptr;
  ScalarKind want = ScalarKind::Float;
  llvm::DenseMap<const Expr *, ScalarKind> kinds;
  llvm::DenseMap<const Expr *, mlir::OpFoldResult> dimensions;
  llvm::DenseMap<const Expr *, const RegionTensor *> reads;
  const llvm::StringMap<mlir::Value> *args = nullptr;
};

} // namespace mixir::mix

#endif // MIXIR_LIB_FRONTEND_REGIONEXPR_H
