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

inline constexpr llvm::StringLiteral kChunked = "chunked";
inline constexpr llvm::StringLiteral kQuadratic = "quadratic";

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
/// need: its first token t0, its length, k (with beta folded in), v, the log
/// decays g and their cumulative sum G (both null without a gate).
struct Chunk {
  mlir::Value t0, len, k, v, g, G;
};

/// Reads chunk c (C tokens, the last one zero-padded).
Chunk loadChunk(HeadTiles &xt, mlir::Value c, int64_t C);

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
