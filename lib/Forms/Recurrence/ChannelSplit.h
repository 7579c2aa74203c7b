//===- ChannelSplit.h - a dimension the recurrence's body keeps apart -*- C++ -*-===//
//
// docs/math.md, section 3.1. A channel dimension c of a recurrence's body is
// independent when no operation of the body reduces along it, mixes it with
// another dimension or reshapes it, and every state and output has it once:
// then the recurrence of a tile of channels reads only that tile of every
// state, input and weight, and tiles of c are separate recurrences (Mamba-1's
// d: its state [D, N] is reduced over n alone). The scan form runs them as
// separate work items, so a single batch element still fills the workers.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FORMS_RECURRENCE_CHANNELSPLIT_H
#define MIXIR_LIB_FORMS_RECURRENCE_CHANNELSPLIT_H

#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <optional>

namespace mixir::forms::recurrence {

/// An independent channel dimension of a recurrence's body, and how it is
/// cut into tiles.
struct ChannelSplit {
  /// The dimension's size and the tiles' width W (a divisor of it).
  int64_t size = 0, width = 0;
  /// Whether a tile's tensors hold the dimension last (the tile layout),
  /// so that the step's loops run along it, contiguously: Mamba-1's
  /// [W, 16] state becomes [16, W]. Set where a tensor has it elsewhere and
  /// every linalg op that reads it is a linalg.generic or linalg.fill.
  bool transposed = false;
  /// Where the dimension is in each tensor of the body that has it: the
  /// body's arguments, its ops' results and the outer values it uses.
  llvm::DenseMap<mlir::Value, unsigned> position;

  int64_t numTiles() const { return size / width; }
  /// The position of the dimension in `v`'s type, if `v` has it.
  std::optional<unsigned> positionOf(mlir::Value v) const;
  /// `type` with the dimension (at `position`) cut to the tile's width, in
  /// the tile layout.
  mlir::Type tiled(mlir::Type type, std::optional<unsigned> position) const;
  /// A tile (the dimension at `position`) in the tile layout, and back.
  mlir::Value toTileLayout(mlir::ImplicitLocOpBuilder &b, mlir::Value tile,
                           unsigned position) const;
  mlir::Value toOpLayout(mlir::ImplicitLocOpBuilder &b, mlir::Value tile,
                         unsigned position) const;
  /// The tile at `col` of `x`, whose dimension is at `position` after
  /// `lead` leading dimensions that are taken at the given indices (size
  /// 1, dropped); `len` rows of the next one when given (as in windowAt).
  mlir::Value extractTile(mlir::ImplicitLocOpBuilder &b, mlir::Value x,
                          llvm::ArrayRef<mlir::Value> lead, unsigned position,
                          mlir::Value col, mlir::Value len = nullptr) const;
  /// Clones `op` (one of the body's) with its results cut to the tile (in
  /// the tile layout: a generic's loop along the dimension moves last),
  /// operands (and values its regions capture) through `mapping`.
  void cloneTiled(mlir::ImplicitLocOpBuilder &b, mlir::Operation *op,
                  mlir::IRMapping &mapping) const;
};

/// The outermost independent channel dimension of `op`'s body, cut into
/// tiles that each hold at least kMinTileElements elements of state (so a
/// step's work outweighs its loop overhead); none when the body has no such
/// dimension or it makes a single tile.
std::optional<ChannelSplit> findChannelSplit(mixer::RecurrenceOp op);

} // namespace mixir::forms::recurrence

#endif // MIXIR_LIB_FORMS_RECURRENCE_CHANNELSPLIT_H
