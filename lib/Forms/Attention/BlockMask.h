//===- BlockMask.h - which blocks of an attention mask are empty -*- C++ -*-===//
//
// The mask analysis of mixer.attention (docs/math.md, section 2.3): the
// `mask_mod` region is interpreted over intervals. Each index argument
// ranges over a block (queries [q_lo, q_hi] × keys [kv_lo, kv_hi]), every
// integer value becomes an interval [lo, hi] and every i1 a pair (can be
// true, can be false), so the yielded mask tells whether some key of the
// block is visible (else the block is empty and skipped) and whether every
// key is (the block is full and the mask is not evaluated). The
// classification is built as IR at the builder's insertion point: with
// constant bounds it folds to constants (the printed block pictures), in a
// form it costs a few integer ops per block pair. An op the interpretation
// does not know makes its value unknown, which makes blocks partial, never
// wrong.
//
// A mask that reads a tensor at the query or the key position (a document
// id doc[b, t]) is summarised per block at run time: the minimum and
// maximum of the tensor over each block, computed before the main loop.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FORMS_ATTENTION_BLOCKMASK_H
#define MIXIR_LIB_FORMS_ATTENTION_BLOCKMASK_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Region.h"

#include <optional>

namespace mixir::forms::attention {

/// The range [lo, hi] of an integer value over a block, as values at run
/// time; `nonNegative` when lo ≥ 0 is known statically, and `bound` a static
/// bound on |lo| and |hi| (arithmetic whose result could exceed 2^62 is not
/// interpreted, so no interval wraps around).
struct Interval {
  mlir::Value lo, hi;
  bool nonNegative = false;
  double bound = kIndexBound;

  /// Token indices, batch and head numbers are below 2^40: no tensor of
  /// 2^40 tokens fits in memory.
  static constexpr double kIndexBound = 1099511627776.0; // 2^40
};

/// Whether some key of a block is visible and whether every key is.
struct BlockClass {
  mlir::Value someVisible, allVisible; // i1
};

/// A tensor the mask reads at one query (or key) position, the other
/// indices fixed by (b, h) or constants: `doc[b, t]`.
struct MaskSummary {
  mutable mlir::tensor::ExtractOp extract;
  unsigned position; ///< which index of the extract is the token
  bool query;        ///< indexed by q_idx (else kv_idx)
};

/// The range of a `tensor.extract` in the mask over a block, given the
/// ranges of its indices; std::nullopt when unknown.
using ExtractRange = llvm::function_ref<std::optional<Interval>(
    mlir::ImplicitLocOpBuilder &, mlir::tensor::ExtractOp,
    llvm::ArrayRef<std::optional<Interval>>)>;

/// Builds the classification of one block: `args` are the ranges of the
/// mask's (b, h, q_idx, kv_idx) arguments. An integer defined above the op
/// is one value over the block when `outerValuesKnown` (in a form), unknown
/// otherwise (in a picture). An empty region is the mask that shows every
/// key.
BlockClass classifyBlock(mlir::ImplicitLocOpBuilder &b, mlir::Region &mask,
                         llvm::ArrayRef<Interval> args, ExtractRange extract,
                         bool outerValuesKnown);

/// Whether the mask reads anything but its arguments and constants: data
/// (summarised per block) or integers defined above the op.
bool maskReadsData(mlir::Region &mask);

/// The extracts of the mask that are summarised per block at run time.
llvm::SmallVector<MaskSummary> maskSummaries(mlir::Region &mask);

} // namespace mixir::forms::attention

#endif // MIXIR_LIB_FORMS_ATTENTION_BLOCKMASK_H
