//===- ChunkedForm.h - pieces of the chunked form ----------------*- C++ -*-===//
//
// The chunked form (mixer-lower-chunked) is built from a per-head loop over
// chunks (ChunkLoop.cpp) and, when batch·heads leaves workers idle, the
// split of each head's chunks into segments (ChunkedSegments.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_TRANSFORMS_CHUNKEDFORM_H
#define MIXIR_LIB_TRANSFORMS_CHUNKEDFORM_H

#include "SemiseparableBuilder.h"

namespace mixir::detail {

/// The tiles of chunk c of one head that both the output and the state
/// need: its first token t0, its length, k (with beta folded in), v, the log
/// decays g and their cumulative sum G (both null without a gate).
struct Chunk {
  mlir::Value t0, len, k, v, g, G;
};

/// Reads chunk c (C tokens, the last one zero-padded).
Chunk loadChunk(HeadTiles &xt, const HeadContext &ctx, mlir::Value c,
                int64_t C);

/// Runs chunks [c0, c1) of one head from `state`. Output row t goes to row
/// t − rowBase of `rows` (rowBase null: row t). Returns {rows, state after
/// chunk c1 − 1}.
std::pair<mlir::Value, mlir::Value>
chunkLoop(mlir::ImplicitLocOpBuilder &b, const HeadContext &ctx, int64_t C,
          mlir::Value c0, mlir::Value c1, mlir::Value rowBase,
          mlir::Value rows, mlir::Value state);

/// The segment-split program for `op`: returns the values that replace its
/// results. `numChunks` = ⌈T/C⌉ ≥ 2; `perHead` ≥ 2 is the number of workers
/// available to each head.
llvm::SmallVector<mlir::Value>
buildSegmentParallel(mlir::ImplicitLocOpBuilder &b, mixer::SemiseparableOp op,
                     int64_t C, mlir::Value numChunks, mlir::Value perHead);

} // namespace mixir::detail

#endif // MIXIR_LIB_TRANSFORMS_CHUNKEDFORM_H
