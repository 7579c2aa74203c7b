//===- ScalarAlgebra.h - equalities and products of built scalars -*- C++ -*-===//
//
// mixer-raise-recurrences proves structure on the scalars of the generics it
// builds (docs/math.md, section 4.2): that two coefficients are equal (a
// complex number's parts, the delta rule's decays), and that a coefficient
// is a product of another's factors (the delta rule's write direction and
// its key). These compare by construction, never by value: the same value,
// equal constants, or the same operation on equal operands.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_TRANSFORMS_SCALARALGEBRA_H
#define MIXIR_LIB_TRANSFORMS_SCALARALGEBRA_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mixir {

/// Whether two scalars are equal by construction.
bool sameValue(mlir::Value x, mlir::Value y);

/// Whether y = −x by construction.
bool negationOf(mlir::Value x, mlir::Value y);

/// The factors of a product of arith.mulf (a value that is not a product is
/// its one factor).
void factorsOf(mlir::Value v, llvm::SmallVectorImpl<mlir::Value> &out);

/// A scalar as a constant times factors: arith.mulf's operands, with
/// negations and constant factors folded into the constant.
struct Product {
  double constant = 1.0;
  llvm::SmallVector<mlir::Value> factors;

  static Product of(mlir::Value v);
  /// x / y when each of y's factors is one of x's (by construction): the
  /// factors left and the constants' ratio; none otherwise.
  static std::optional<Product> divide(const Product &x, const Product &y);
  /// The product built on f32 scalars (the constant when no factor is left).
  mlir::Value build(mlir::ImplicitLocOpBuilder &b) const;
};

} // namespace mixir

#endif // MIXIR_LIB_TRANSFORMS_SCALARALGEBRA_H
