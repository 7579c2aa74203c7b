//===- BodyLifter.h - a recurrence body's values over the whole sequence -*- C++ -*-===//
//
// docs/math.md, section 4.2. mixer-raise-recurrences computes, before the
// structured op that replaces a recurrence, values the body computes at
// one step (a decay, an input, a query), at every step at once: one
// linalg.generic over [B, T, d...] (d... the state's dimensions) whose body
// evaluates them on scalars. BodyLifter builds that generic:
//   - an independent value is evaluated by cloning the ops that compute it
//     on scalars: element-wise ops, splat constants, fills, and
//     linalg.generics whose loops are all parallel and whose maps are
//     projected permutations (broadcasts: Mamba-1's delta[d]·A[d, n]);
//     each value is read at the state's element (d...) through a
//     projection π (the state's [256, 16] element (d, n) reads delta at
//     (d)); step inputs and outer tensors become the generic's inputs,
//     read through (b, t, π(d)) and π(d);
//   - an affine value Σ_k α_k ⊙ h_k + β is evaluated as its coefficients
//     and offset (`linear`), by the rules StateDependence proves it with.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_TRANSFORMS_BODYLIFTER_H
#define MIXIR_LIB_TRANSFORMS_BODYLIFTER_H

#include "AffineParts.h"

#include "mixir/Dialect/Mixer/StateDependence.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/IRMapping.h"

#include "llvm/ADT/MapVector.h"

namespace mixir {

class BodyLifter {
public:
  /// Lifts values of `op`'s body over [B, T, shape...]: `group` lists the
  /// states `linear` expresses values in; `newStates`, when given, maps new
  /// states' values in the body to the [B, T, d...] tensors that hold them
  /// (filled in by the caller before `build`).
  BodyLifter(mixer::RecurrenceOp op, const mixer::StateDependence &deps,
             llvm::ArrayRef<unsigned> group, mlir::RankedTensorType shape,
             const llvm::DenseMap<mlir::Value, mlir::Value> *newStates =
                 nullptr);

  /// Checks that `v`, read at element (d...) through `at` (a projection of
  /// the state's dimensions; the identity when null), can be lifted; else
  /// returns the operation that cannot be (the recurrence itself for an
  /// outer value of the wrong shape). Every value `build` evaluates must
  /// have been checked.
  mlir::Operation *check(mlir::Value v, mlir::AffineMap at = {});

  /// The generic over [B, T, d...] with one result per element type in
  /// `resultTypes`, reading what the checked values need; `yields`
  /// computes its results (f32) in its body, with `scalar` and `linear`.
  /// Results are truncated to their element type.
  mlir::linalg::GenericOp
  build(mlir::OpBuilder &b, mlir::TypeRange resultTypes,
        llvm::function_ref<llvm::SmallVector<mlir::Value>(
            mlir::ImplicitLocOpBuilder &)>
            yields);

  /// Within `yields`: an independent value at element (d...), read
  /// through `at` (the identity when null).
  mlir::Value scalar(mlir::ImplicitLocOpBuilder &b, mlir::Value v,
                     mlir::AffineMap at = {});
  /// Within `yields`: the coefficients and offset of a value affine in
  /// the group's states (or independent: every α = 0).
  Linear linear(mlir::ImplicitLocOpBuilder &b, mlir::Value v);
  /// A coefficient as a scalar (1 when `unit`, 0 when null).
  mlir::Value materialize(mlir::ImplicitLocOpBuilder &b, mlir::Value coef,
                          bool unit);

  mlir::RankedTensorType getShape() const { return shape; }

  /// The projections a checked value is read through.
  llvm::SmallVector<mlir::AffineMap> readsOf(mlir::Value v) const;

private:
  mlir::Block &body() { return op.getBody().front(); }
  bool isStepInput(mlir::Value v);
  bool definedInBody(mlir::Value v);
  bool isRead(mlir::Value v);
  mlir::AffineMap identity() const;
  void checkValue(mlir::Value v, mlir::AffineMap at, mlir::Operation *&bad);

  mixer::RecurrenceOp op;
  const mixer::StateDependence &deps;
  llvm::SmallVector<unsigned, 2> group;
  mlir::RankedTensorType shape;
  const llvm::DenseMap<mlir::Value, mlir::Value> *newStates;
  /// The checked values, each with the projections it is read through.
  llvm::SetVector<std::pair<mlir::Value, mlir::AffineMap>> checked;
  llvm::DenseMap<std::pair<mlir::Value, mlir::AffineMap>, mlir::Value>
      scalars;
  AffineParts parts;
};

} // namespace mixir

#endif // MIXIR_LIB_TRANSFORMS_BODYLIFTER_H
