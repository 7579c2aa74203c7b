//===- KeyBlocks.h - key blocks streamed through an online softmax -*- C++ -*-===//
//
// What the flash and the decode form of mixer.attention share
// (docs/math.md, section 2.1):
//   - a group: one batch element and kv head with the G = Hq/Hkv query heads
//     that read it. The G heads' rows of a query block are stacked into one
//     (G·Cq)-row tile, so each K and V block is loaded once for all of them;
//   - the stream: for a query block, key blocks [jBegin, jEnd) visited last
//     first, each classified by the mask analysis (skipped when empty,
//     unmasked when full) and folded into the online softmax state {m, l, A};
//   - the forget gate's bias from block-local cumulative sums (section 2.4);
//   - the per-group skeleton (an scf.forall over batch, kv heads and, for
//     the decode form, key splits) and stores into the group's slices.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FORMS_ATTENTION_KEYBLOCKS_H
#define MIXIR_LIB_FORMS_ATTENTION_KEYBLOCKS_H

#include "AttentionForms.h"
#include "BlockMask.h"

namespace mixir::forms::attention {

/// One batch element and kv head, and the query heads that read it.
struct Group {
  mlir::Value b, kvHead;
  llvm::SmallVector<mlir::Value> heads; ///< the G query heads, in order
  mlir::Value Tq, Tk;
  /// (b, heads[g], Tq) and (b, kvHead, Tk), for tile builders.
  llvm::SmallVector<HeadIndex> queries;
  HeadIndex keys;

  int64_t size() const { return heads.size(); }
  const HeadIndex &query(unsigned g) const { return queries[g]; }
  const HeadIndex &kv() const { return keys; }
};

/// The online softmax of a query block's G·Cq rows (head-major: row
/// g·Cq + i is query t0 + i of head g): running maxima m and sums l
/// (tensor<G·Cq>) and the unnormalised output A (tensor<G·Cq × V>).
struct SoftmaxState {
  mlir::Value m, l, A;
};

/// Per-block minima and maxima of the data the mask reads, per query head
/// of the group (one entry when the mask does not read the head).
struct BlockSummaries {
  llvm::SmallVector<MaskSummary> summaries;
  /// ranges[g][k]: tensor<numBlocks> minima and maxima of summaries[k].
  llvm::SmallVector<llvm::SmallVector<std::pair<mlir::Value, mlir::Value>>>
      ranges;
};

class KeyStream {
public:
  /// Prepares the stream of key blocks [jBegin, jEnd) for `group` at the
  /// builder's insertion point (before the query loop): the mask's data
  /// summarised and, when `pack` (every block serves many query blocks),
  /// the blocks packed once (K transposed to K×Ck, V as Ck×V, f32, the last
  /// block zero-padded), so that no block pair copies, converts or
  /// transposes its operands. Unpacked, a block pair reads its blocks and
  /// forms (K Qᵀ)ᵀ, transposing only the small query tile.
  KeyStream(mlir::ImplicitLocOpBuilder &b, const Problem &p,
            const Group &group, int64_t Cq, int64_t Ck, mlir::Value jBegin,
            mlir::Value jEnd, bool pack);

  /// The softmax state of query block `i` (rows [t0, t0 + len)) after the
  /// key blocks of the stream, visited from the last down.
  SoftmaxState attend(mlir::ImplicitLocOpBuilder &b, mlir::Value i,
                      mlir::Value t0, mlir::Value len);

  /// An scf.for over the query blocks of Cq rows carrying `slices`: `fn`
  /// gets each block's finished stream state, its first row and length and
  /// the carried slices, and returns the next slices. Returns the last.
  using QueryBlockFn = llvm::function_ref<llvm::SmallVector<mlir::Value>(
      mlir::ImplicitLocOpBuilder &, const SoftmaxState &, mlir::Value t0,
      mlir::Value len, mlir::ValueRange)>;
  llvm::SmallVector<mlir::Value> overQueryBlocks(mlir::ImplicitLocOpBuilder &b,
                                                 mlir::ValueRange slices,
                                                 QueryBlockFn fn);

  /// The number of key blocks of `p`'s keys.
  static mlir::Value numKeyBlocks(mlir::ImplicitLocOpBuilder &b,
                                  const Group &group, int64_t Ck);

private:
  BlockClass classify(mlir::ImplicitLocOpBuilder &b, unsigned g,
                      mlir::Value i, mlir::Value t0, mlir::Value lastQ,
                      mlir::Value j, mlir::Value s0, mlir::Value lenK);
  BlockClass classifyGroup(mlir::ImplicitLocOpBuilder &b, mlir::Value i,
                           mlir::Value t0, mlir::Value lastQ, mlir::Value j,
                           mlir::Value s0, mlir::Value lenK);
  /// The logit at (head, query, key) of a block pair, inside the generic
  /// over them: `args` are the forget bias's row and column terms (when
  /// there is a gate) and scale · q · k.
  mlir::Value scoreAt(mlir::ImplicitLocOpBuilder &b, mlir::ValueRange args,
                      bool masked, mlir::Value t0, mlir::Value s0,
                      mlir::Value lenK, mlir::Value lastQ, mlir::Value lastK,
                      bool clampIndices);

  const Problem &p;
  const Group &group;
  int64_t Cq, Ck;
  BlockSummaries data;
  mlir::Value jBegin, jEnd;
  /// tensor<n × K × Ck> and tensor<n × Ck × V> for the n blocks, when
  /// packed.
  mlir::Value packedK, packedV;
};

/// A result filled one group at a time: its element type and sizes, and
/// the positions of its batch, head and (optional) key-split dimensions. A
/// group's slice drops the batch and split dimensions and keeps G heads.
struct GroupResult {
  mlir::Type elementType;
  llvm::SmallVector<mlir::OpFoldResult> sizes;
  unsigned batchDim, headDim;
  std::optional<unsigned> splitDim;
};

/// Computes one group (and key split `split`, null without one): given its
/// slice of every result, returns the new slices.
using GroupBody = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::ImplicitLocOpBuilder &, const Group &, mlir::Value split,
    mlir::ValueRange)>;

/// An scf.forall over (B, Hkv[, splits]) around `body`.
llvm::SmallVector<mlir::Value>
buildPerGroup(mlir::ImplicitLocOpBuilder &b, const Problem &p, mlir::Value B,
              mlir::Value splits, llvm::ArrayRef<GroupResult> results,
              GroupBody body);

/// Writes rows [0, len) of each head's C rows of `tile` (G·C × D, or G·C,
/// f32) into `dest` (T × G × D, or T × G) at row t0, converted to dest's
/// element type.
mlir::Value storeGroup(mlir::ImplicitLocOpBuilder &b, mlir::Value tile,
                       mlir::Value dest, mlir::Value t0, mlir::Value len,
                       int64_t G);

/// The output rows A / l and log-sum-exps m + log l of a finished state.
std::pair<mlir::Value, mlir::Value> finish(mlir::ImplicitLocOpBuilder &b,
                                           const SoftmaxState &state);

/// x / l (0 where l = 0) and m + log l (−inf where l = 0), elementwise:
/// a row that saw no key gives output 0 and log-sum-exp −inf.
mlir::Value normalise(mlir::ImplicitLocOpBuilder &b, mlir::Value x,
                      mlir::Value l);
mlir::Value logSumExp(mlir::ImplicitLocOpBuilder &b, mlir::Value m,
                      mlir::Value l);
/// exp(x − max), or `none` where max = −inf (no key visible): never
/// exp(−inf − (−inf)).
mlir::Value expBelowMax(mlir::ImplicitLocOpBuilder &b, mlir::Value x,
                        mlir::Value max, double none);
mlir::Value negInf(mlir::ImplicitLocOpBuilder &b);

} // namespace mixir::forms::attention

#endif // MIXIR_LIB_FORMS_ATTENTION_KEYBLOCKS_H
