//===- ProjectGeneric.h - a generic's value over fewer loops -*- C++ -*-===//
//
// A value computed in the body of an all-parallel linalg.generic often
// depends on only some of its loops (a query over [B, T, H, K, V] that does
// not depend on V). loopsOf says which; projectValue builds a generic over
// the loops kept that computes just that value.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_TRANSFORMS_PROJECTGENERIC_H
#define MIXIR_LIB_TRANSFORMS_PROJECTGENERIC_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallBitVector.h"

namespace mixir {

/// The ops of `body` that `v` is computed with (its backward slice kept to
/// the block, in an order that can be cloned) added to `ops`, and the
/// body's arguments they, or `v` itself, read added to `args`.
void sliceInBlock(mlir::Block *body, mlir::Value v,
                  llvm::SetVector<mlir::Operation *> &ops,
                  llvm::SetVector<mlir::BlockArgument> &args);

/// The loops of `generic` that `v`, a value of its body, depends on: those
/// of the maps of the operands it reads, and of the linalg.index ops.
llvm::SmallBitVector loopsOf(mlir::linalg::GenericOp generic, mlir::Value v);

/// A generic over the loops `keep` of `generic` (all parallel), in that
/// order, whose one result (element type `elementType`) is `v` at every
/// point; null when `v` depends on a loop not kept.
mlir::Value projectValue(mlir::OpBuilder &b, mlir::linalg::GenericOp generic,
                         mlir::Value v, llvm::ArrayRef<unsigned> keep,
                         mlir::Type elementType);

} // namespace mixir

#endif // MIXIR_LIB_TRANSFORMS_PROJECTGENERIC_H
