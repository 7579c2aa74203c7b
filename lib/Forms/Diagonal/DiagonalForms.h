//===- DiagonalForms.h - the forms of mixer.diagonal_recurrence -*- C++ -*-===//
//
//   ChannelTiles.cpp       the pieces both forms share: tiles of W channels
//                          of one batch element, and the scan of a range of
//                          steps on one tile
//   ScanForm.cpp           scan: every tile's steps in order
//   ParallelScanForm.cpp   parallel_scan: the steps cut into chunks when the
//                          tiles leave workers idle
// FormModel.cpp attaches them (and their cost) to the op as its
// MixerFormInterface. docs/math.md, section 4.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FORMS_DIAGONAL_DIAGONALFORMS_H
#define MIXIR_LIB_FORMS_DIAGONAL_DIAGONALFORMS_H

#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

namespace mixir::forms::diagonal {

/// How the channels [d0, ..., dk] of the op are cut into work: one item per
/// (batch, d0, ..., d(k-1), tile of W consecutive channels of dk).
struct ChannelTiles {
  explicit ChannelTiles(mixer::DiagonalRecurrenceOp op);

  mutable mixer::DiagonalRecurrenceOp op;
  llvm::SmallVector<int64_t> channels; ///< d0..dk
  int64_t width;                        ///< W, a divisor of dk
  int64_t numTiles;                     ///< dk / W

  /// What a step reads. The decay and the input are read through their
  /// element-wise producers (a linalg.generic over [B, T, d...] used only
  /// by this op, as mixer-raise-recurrences builds), whose bodies are
  /// cloned into the step: the scan reads the producers' inputs, and a and
  /// b are never stored.
  struct Read {
    mlir::Value tensor; ///< [B, T, d...] (a row per step) or [d...]
    bool perStep;
  };
  llvm::SmallVector<Read> reads;
  /// For the decay and the input: the producer whose result it is (null:
  /// read directly, reads[i]) and the result's number.
  mutable mlir::linalg::GenericOp producer[2];
  unsigned resultNumber[2] = {0, 0};
  /// The f32 values of the decay and the input at one element, given the
  /// elements of `reads` (any float type), in a step's generic.
  std::pair<mlir::Value, mlir::Value>
  computeStep(mlir::ImplicitLocOpBuilder &b, mlir::ValueRange elements) const;

  /// The upper bounds of an scf.forall over the work items: B, d0..d(k-1),
  /// dk / W.
  llvm::SmallVector<mlir::OpFoldResult> itemBounds(mlir::OpBuilder &b,
                                                   mlir::Value B) const;
};

/// One work item: its batch element and the position of its W channels.
struct TileAt {
  mlir::Value batch;
  llvm::SmallVector<mlir::Value> lead; ///< indices of d0..d(k-1)
  mlir::Value col;                      ///< first channel of dk
};

/// The work item of an scf.forall over ChannelTiles::itemBounds (the first
/// induction variables).
TileAt tileAt(mlir::ImplicitLocOpBuilder &b, const ChannelTiles &tiles,
              mlir::ValueRange ivs);

/// Offsets and sizes of the item's slice of a [B, T, d...] tensor (rows
/// [t0, t0+len)), of a [B, d...] tensor (`rows` null), or of a [d...]
/// tensor (`batched` false).
struct SliceAt {
  llvm::SmallVector<mlir::OpFoldResult> offsets, sizes;
};
SliceAt sliceAt(mlir::OpBuilder &b, const ChannelTiles &tiles,
                const TileAt &at, mlir::OpFoldResult t0 = nullptr,
                mlir::OpFoldResult len = nullptr, bool batched = true);

/// Extracts a slice (sliceAt) as a tensor<len x W> (`len` given) or a
/// tensor<W>.
mlir::Value extractAt(mlir::ImplicitLocOpBuilder &b, const ChannelTiles &tiles,
                      const TileAt &at, mlir::Value x,
                      mlir::OpFoldResult t0 = nullptr,
                      mlir::OpFoldResult len = nullptr, bool batched = true);

/// What a scan of steps [t0, t1) of one tile carries and returns.
struct ScanState {
  mlir::Value h;     ///< tensor<W x f32>: the state after the last step
  mlir::Value rows;  ///< tensor<? x W> of the output type (or null): h_t at
                     ///< row t - t0
  mlir::Value decay; ///< tensor<W x f32> (or null): the steps' summed log
                     ///< decay (log_decay) or product of decays
};

/// Runs steps [t0, t1) of one tile from state `h` (f32): h = a_t ⊙ h + b_t.
/// Writes h_t into `rows` when given; accumulates the decay of the range
/// when `decay` is given (starting from its value).
ScanState scanSteps(mlir::ImplicitLocOpBuilder &b, const ChannelTiles &tiles,
                    const TileAt &at, mlir::Value t0, mlir::Value t1,
                    ScanState init);

/// The item's initial state in f32: its slice of `init`, or zero.
mlir::Value initialState(mlir::ImplicitLocOpBuilder &b,
                         const ChannelTiles &tiles, const TileAt &at);

/// The results of the scan form at the builder's insertion point.
llvm::SmallVector<mlir::Value> buildScan(mlir::ImplicitLocOpBuilder &b,
                                         const ChannelTiles &tiles);

/// Replaces the op by its scan form.
void lowerScan(mlir::RewriterBase &rewriter, mixer::DiagonalRecurrenceOp op);

/// Replaces the op by its parallel_scan form; chunks hold at least
/// `minChunk` steps.
void lowerParallelScan(mlir::RewriterBase &rewriter,
                       mixer::DiagonalRecurrenceOp op, int64_t minChunk);

} // namespace mixir::forms::diagonal

#endif // MIXIR_LIB_FORMS_DIAGONAL_DIAGONALFORMS_H
