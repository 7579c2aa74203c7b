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

/// A diagonal recurrence's operands and results by part: one part for
/// mixer.diagonal_recurrence, two (real, imaginary) for
/// mixer.complex_diagonal_recurrence. The forms are written against this.
struct DiagonalParts {
  explicit DiagonalParts(mixer::DiagonalRecurrenceOp op);
  explicit DiagonalParts(mixer::ComplexDiagonalRecurrenceOp op);

  mlir::Operation *op;
  unsigned count; ///< 1 (real) or 2 (complex)
  llvm::SmallVector<mlir::Value, 2> decay, input, init, output, final;
  bool logDecay = false;
  bool decayPerStep;
  llvm::SmallVector<int64_t> channels; ///< d0..dk
};

/// How the channels [d0, ..., dk] of the op are cut into work: one item per
/// (batch, d0, ..., d(k-1), tile of W consecutive channels of dk).
struct ChannelTiles {
  explicit ChannelTiles(DiagonalParts parts);

  DiagonalParts parts;
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
  /// The producers read through, and the first of `reads` each one's
  /// inputs start at.
  mutable llvm::SmallVector<mlir::linalg::GenericOp> producers;
  llvm::SmallVector<unsigned> producerReads;
  /// Per operand (the decay's parts, then the input's): its producer (-1:
  /// read directly, as reads[read]) and the producer's result it is.
  struct Operand {
    int producer = -1;
    unsigned result = 0, read = 0;
  };
  llvm::SmallVector<Operand> operands;
  /// The reads the decay and input take (the first ones); the consumer's
  /// come after them.
  unsigned numStepReads = 0;
  /// The op's outputs' only user, computed in the step instead of storing
  /// h (null when h is written): a linalg.generic over [B, T, d...] like a
  /// fusable producer (mixer-raise-recurrences builds one for outputs
  /// computed from the new states, such as a gated read-out h ⊙ σ(g)).
  /// Its results are the rows the forms write.
  mlir::linalg::GenericOp consumer;
  /// Per input of the consumer: the part of h it reads, or -1 (then it is
  /// reads[consumerRead[i]]).
  llvm::SmallVector<int> consumerPart;
  llvm::SmallVector<unsigned> consumerRead;
  /// The values the forms write row by row: the consumer's results, or the
  /// op's outputs (h by part).
  llvm::SmallVector<mlir::Value> rowValues() const;
  /// The rows' elements at one element of a step, from the new state (f32,
  /// by part) and the elements of `reads`.
  llvm::SmallVector<mlir::Value> computeRows(mlir::ImplicitLocOpBuilder &b,
                                             mlir::ValueRange h,
                                             mlir::ValueRange elements) const;
  /// Replaces the op (and the consumer) by a form's results: the rows, then
  /// the final state's parts.
  void replace(mlir::RewriterBase &rewriter, mlir::ImplicitLocOpBuilder &b,
               mlir::ValueRange results) const;
  /// The types of a form's results (rows, then final state parts).
  llvm::SmallVector<mlir::Type> resultTypes() const;
  /// Whether the decay is read directly, one per channel.
  bool decayPerChannel() const;
  /// The f32 values of the decay's parts then the input's at one element,
  /// given the elements of `reads` (any float type), in a step's generic.
  llvm::SmallVector<mlir::Value>
  computeStep(mlir::ImplicitLocOpBuilder &b, mlir::ValueRange elements) const;

  /// The upper bounds of an scf.forall over the work items: B, d0..d(k-1),
  /// dk / W.
  llvm::SmallVector<mlir::OpFoldResult> itemBounds(mlir::OpBuilder &b,
                                                   mlir::Value B) const;
};

/// A linalg.generic over tensors<W> at one element: `body` gets the
/// elements of `ins` and of `outs` and returns the values to yield.
mlir::linalg::GenericOp mapTile(
    mlir::ImplicitLocOpBuilder &b, mlir::ValueRange ins, mlir::ValueRange outs,
    llvm::function_ref<llvm::SmallVector<mlir::Value>(
        mlir::ImplicitLocOpBuilder &, mlir::ValueRange, mlir::ValueRange)>
        body);

/// a ⊙ h + c on scalars of `count` parts (a real product, or a complex one
/// on (re, im) pairs); `c` may be empty.
llvm::SmallVector<mlir::Value> mulAdd(mlir::ImplicitLocOpBuilder &b,
                                      mlir::ValueRange a, mlir::ValueRange h,
                                      mlir::ValueRange c);

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

/// What a scan of steps [t0, t1) of one tile carries and returns, by part.
struct ScanState {
  /// tensor<W x f32>: the state after the last step
  llvm::SmallVector<mlir::Value, 2> h;
  /// tensor<? x W> of the output type (or none): h_t at row t - t0
  llvm::SmallVector<mlir::Value, 2> rows;
  /// tensor<W x f32> (or none): the steps' summed log decay (log_decay) or
  /// product of decays
  llvm::SmallVector<mlir::Value, 2> decay;
};

/// Runs steps [t0, t1) of one tile from state `h` (f32): h = a_t ⊙ h + b_t.
/// Writes h_t into `rows` when given; accumulates the decay of the range
/// when `decay` is given (starting from its value).
ScanState scanSteps(mlir::ImplicitLocOpBuilder &b, const ChannelTiles &tiles,
                    const TileAt &at, mlir::Value t0, mlir::Value t1,
                    ScanState init);

/// The item's initial state in f32, by part: its slice of `init`, or zero.
llvm::SmallVector<mlir::Value, 2> initialState(mlir::ImplicitLocOpBuilder &b,
                                               const ChannelTiles &tiles,
                                               const TileAt &at);

/// The results of the scan form at the builder's insertion point.
llvm::SmallVector<mlir::Value> buildScan(mlir::ImplicitLocOpBuilder &b,
                                         const ChannelTiles &tiles);

/// Replaces the op by its scan form.
void lowerScan(mlir::RewriterBase &rewriter, DiagonalParts parts);

/// Replaces the op by its parallel_scan form; chunks hold at least
/// `minChunk` steps.
void lowerParallelScan(mlir::RewriterBase &rewriter, DiagonalParts parts,
                       int64_t minChunk);

} // namespace mixir::forms::diagonal

#endif // MIXIR_LIB_FORMS_DIAGONAL_DIAGONALFORMS_H
