//===- SemiseparableForms.h - the forms of mixer.semiseparable ---*- C++ -*-===//
//
// Each form replaces the op by loops over tiles on tensors (docs/math.md,
// section 1):
//   scan       ScanForm.cpp        one token at a time per (batch, head)
//   chunked    ChunkedForm.cpp     chunks of C tokens: a per-head chunk loop
//                                  (ChunkLoop.cpp) or, when batch·heads leaves
//                                  workers idle, the segment split
//                                  (ChunkedSegments.cpp)
//   quadratic  QuadraticForm.cpp   the masked matrix M·V, one C×C block at a
//                                  time
// and Cost.cpp estimates each for the cost model. FormModel.cpp attaches
// them to the op as its MixerFormInterface.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FORMS_SEMISEPARABLE_SEMISEPARABLEFORMS_H
#define MIXIR_LIB_FORMS_SEMISEPARABLE_SEMISEPARABLEFORMS_H

#include "SemiseparableBuilder.h"

namespace mixir::forms::semiseparable {

using mixer::kChunkedForm;
using mixer::kQuadraticForm;

void lowerScan(mlir::RewriterBase &rewriter, const Problem &p);
void lowerChunked(mlir::RewriterBase &rewriter, const Problem &p, int64_t C);
void lowerQuadratic(mlir::RewriterBase &rewriter, const Problem &p, int64_t C);

/// The cost model's tile for `form` (0 for the scan), and the estimated cost
/// of one (batch, head) of length T (docs/forms-and-cost-model.md).
int64_t defaultTile(const Problem &p, llvm::StringRef form);
double estimateCost(const Problem &p, llvm::StringRef form, int64_t T,
                    int64_t tile);

//===----------------------------------------------------------------------===//
// Pieces of the chunked form
//===----------------------------------------------------------------------===//

/// The tiles of chunk c of one head that both the output and the state
/// need: its first token t0, its length, k (with beta folded in for the
/// diagonal and low-rank transitions), v, the log decays g and their
/// cumulative sum G (both null without a gate), and for a transition with a
/// rank-one part the chunk's solved system (docs/math.md, "chunked"):
///   delta rule  U = u0 + wn·S     (pseudo-values)
///   low rank    W = wV + wS·S     (the reads w_t = S_{t−1}ᵀ b_t), with a
/// where S is the state entering the chunk; u0, wn, wV, wS do not depend on
/// S.
struct Chunk {
  mlir::Value t0, len, k, v, g, G;
  mlir::Value a;            ///< the low-rank part's a tile
  mlir::Value fixed, fromS; ///< u0, wn (delta) or wV, wS (low rank)
  /// With the output: the scaled query tile, and causal(Q, key) for each
  /// write's key.
  mlir::Value q;
  llvm::SmallVector<mlir::Value> outputScores;

  /// The chunk's writes into the state: S' = exp(G_last) ⊙ S +
  /// Σ (key ⊙ exp(G_last − G))ᵀ value, and the output is
  /// (Q ⊙ exp(G)) S + Σ causal(Q, key) · value: {(k, v)} for the diagonal
  /// transition, {(k, U)} for the delta rule, {(a, W), (k, v)} for low rank.
  llvm::SmallVector<HeadTiles::Write> writes(HeadTiles &xt,
                                             mlir::Value S) const;
  /// The writes' part that is linear in S, applied to M instead: the
  /// chunk's transition is M ↦ exp(G_last) ⊙ M + Σ (key ⊙ ...)ᵀ value.
  /// Empty for the diagonal transition.
  llvm::SmallVector<HeadTiles::Write> linearWrites(HeadTiles &xt,
                                                   mlir::Value M) const;
};

/// Reads chunk c (C tokens, the last one zero-padded). `forOutput` also
/// reads the queries and builds the output's score blocks, sharing a
/// per-channel gate's decayed-key recurrences with the chunk's system.
Chunk loadChunk(HeadTiles &xt, mlir::Value c, int64_t C, bool forOutput);

/// Chunk c of one head from state S: output rows into `rows` (row t at
/// t − rowBase; rowBase null: row t). Returns {state after it, rows}.
std::pair<mlir::Value, mlir::Value> chunkStep(HeadTiles &xt, int64_t C,
                                              mlir::Value c,
                                              mlir::Value rowBase,
                                              mlir::Value S, mlir::Value rows);

/// Runs chunks [c0, c1) of one head from `state`. Output row t goes to row
/// t − rowBase of `rows` (rowBase null: row t). Returns {rows, state after
/// chunk c1 − 1}.
std::pair<mlir::Value, mlir::Value>
chunkLoop(mlir::ImplicitLocOpBuilder &b, const Problem &p,
          const HeadIndex &at, int64_t C, mlir::Value c0, mlir::Value c1,
          mlir::Value rowBase, mlir::Value rows, mlir::Value state);

/// The segment-split program: returns the values that replace the op's
/// results. `numChunks` = ⌈T/C⌉ ≥ 2; `perHead` ≥ 2 is the number of workers
/// available to each head.
llvm::SmallVector<mlir::Value>
buildSegmentParallel(mlir::ImplicitLocOpBuilder &b, const Problem &p,
                     int64_t C, mlir::Value numChunks, mlir::Value perHead);

} // namespace mixir::forms::semiseparable

#endif // MIXIR_LIB_FORMS_SEMISEPARABLE_SEMISEPARABLEFORMS_H
