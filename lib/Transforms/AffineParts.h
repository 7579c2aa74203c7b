//===- AffineParts.h - coefficients and offset of an affine value -*- C++ -*-===//
//
// docs/math.md, section 4.2. A value that StateDependence proves affine in
// some variables, Σ_k α_k ⊙ x_k + β, is rebuilt as its coefficients α_k
// and offset β by the same rules it was proven with (a sum's parts add, a
// product by an independent factor scales them, a select picks them). The
// variables are a recurrence's states (BodyLifter, on the scalars of the
// generic it builds) or any scalar of a generic body (the delta rule's
// prediction in mixer-raise-recurrences).
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_TRANSFORMS_AFFINEPARTS_H
#define MIXIR_LIB_TRANSFORMS_AFFINEPARTS_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

#include "llvm/ADT/DenseMap.h"

#include <functional>

namespace mixir {

/// The coefficients and offset of an affine value, Σ_k α_k ⊙ x_k + β, as
/// scalars, for up to two variables x_k (one state, or a complex number's
/// two parts). A null coefficient or offset is zero; `unit[k]`: α_k is one.
struct Linear {
  mlir::Value coef[2];
  bool unit[2] = {false, false};
  mlir::Value off;
};

class AffineParts {
public:
  struct Leaves {
    /// Whether a value is free of the variables.
    std::function<bool(mlir::Value)> independent;
    /// The scalar of an independent value.
    std::function<mlir::Value(mlir::ImplicitLocOpBuilder &, mlir::Value)>
        scalar;
    /// The index of a variable (< 2), or -1 for any other value.
    std::function<int(mlir::Value)> variable;
  };

  explicit AffineParts(unsigned numVariables) : numVariables(numVariables) {}

  /// The parts of `v`, an affine (or independent) value whose every
  /// operation follows the rules (StateDependence proved it), built at
  /// `b`'s insertion point; each value's parts are built once.
  Linear get(mlir::ImplicitLocOpBuilder &b, mlir::Value v,
             const Leaves &leaves);
  /// A coefficient as a scalar (1 when `unit`, 0 when null).
  static mlir::Value materialize(mlir::ImplicitLocOpBuilder &b,
                                 mlir::Value coef, bool unit);
  /// Forgets the parts built (their ops are gone).
  void clear() { cache.clear(); }

private:
  unsigned numVariables;
  llvm::DenseMap<mlir::Value, Linear> cache;
};

} // namespace mixir

#endif // MIXIR_LIB_TRANSFORMS_AFFINEPARTS_H
