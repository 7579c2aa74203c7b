//===- SemiseparableBuilder.h - pieces of the semiseparable forms -*- C++ -*-===//
//
// The forms of `mixer.semiseparable` (docs/math.md, section 1) are built from
// the common tiles (lib/Forms/Common/Tiles.h) and a few pieces of their own:
//   - gate tiles and their local cumulative sums G (length-C sums only: no
//     decay is ever taken as a difference of two long prefix sums);
//   - decayed scalings X ⊙ exp(Σ terms) where every exponent is ≤ 0;
//   - the causal block of decayed scores Σ_i x_ti y_si exp(G_ti − G_si);
//   - the chunk state update S' = exp(G_last) ⊙ S + (K ⊙ exp(G_last − G))ᵀ U.
// A gate is per channel ([.., K]) or scalar (one per token, or per head);
// scalar gates broadcast over K through the indexing maps, so one piece of
// code serves every member of the family.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_FORMS_SEMISEPARABLE_SEMISEPARABLEBUILDER_H
#define MIXIR_LIB_FORMS_SEMISEPARABLE_SEMISEPARABLEBUILDER_H

#include "../Common/Tiles.h"

#include "mixir/Dialect/Mixer/MixerOps.h"

namespace mixir::forms::semiseparable {

class HeadTiles;

/// What every form needs to know of the op, read once.
struct Problem {
  explicit Problem(mixer::SemiseparableOp op);

  mutable mixer::SemiseparableOp op;
  mixer::GateKind gate;
  mixer::TransitionKind transition;
  int64_t H, K, V;
  double scale;
};

/// Computes one head: given the head's output rows (tensor<?xV>, T rows) and
/// its initial state (tensor<KxV>, f32), returns {output rows, final state}.
using HeadBody = llvm::function_ref<std::pair<mlir::Value, mlir::Value>(
    mlir::ImplicitLocOpBuilder &, const Problem &, const HeadIndex &,
    mlir::Value rows, mlir::Value state)>;

/// Builds the (batch, head) skeleton around `body` at the builder's
/// insertion point and returns the values that replace the op's results.
llvm::SmallVector<mlir::Value> buildPerHead(mlir::ImplicitLocOpBuilder &b,
                                            const Problem &p, HeadBody body);
/// Replaces the op by the skeleton around `body`.
void replaceByPerHead(mlir::RewriterBase &rewriter, const Problem &p,
                      HeadBody body);

/// One step (a token, a chunk) of one head: given the step's index, the
/// head's state (tensor<KxV>, f32) and its output rows (tensor<?xV>, T
/// rows), returns {state, output rows}.
using HeadStep = llvm::function_ref<std::pair<mlir::Value, mlir::Value>(
    HeadTiles &, mlir::Value step, mlir::Value state, mlir::Value rows)>;

/// The most heads a work item of the grouped skeleton takes together: the
/// largest divisor of H up to H/2 whose f32 states fit in 256 KiB, or 1.
int64_t headGroup(const Problem &p);

/// The grouped skeleton: work items of G heads of one batch element, and
/// in each the steps [0, numSteps) in order, each step computed for the G
/// heads in turn. An operand [B, T, H, D] holds a token's heads side by
/// side, so a head's rows are H·D elements apart: walked head by head,
/// each row is on a new page (a TLB miss no prefetcher hides); step by
/// step over the group, a token's G rows share their pages (docs/math.md,
/// "scan"). G is chosen at run time: the largest divisor of H up to
/// `maxGroup` with B·H/G ≥ mixer.num_workers, so that every worker still
/// gets an item, and 1 (a head per item) where none is or for fewer than 8
/// steps. `numSteps` is called once, outside the work items (its tiles'
/// head index is null).
llvm::SmallVector<mlir::Value>
buildGroupedPerHead(mlir::ImplicitLocOpBuilder &b, const Problem &p,
                    int64_t maxGroup,
                    llvm::function_ref<mlir::Value(HeadTiles &)> numSteps,
                    HeadStep step);

/// A decay exponent term: a tile of log decays indexed by token (and by key
/// channel when rank 2), a per-channel row (tensor<K>), or a scalar. A scalar
/// f32 is captured; a tensor<K> row is indexed by key channel; a tile
/// (tensor<C> or tensor<C x K>) is indexed by the token of the tile it
/// scales (and by key channel when rank 2).
struct Decay {
  mlir::Value value;
  bool isTile = false;
  bool negate = false;
};

/// Tile builders for one head of the op.
class HeadTiles : public TileBuilder {
public:
  HeadTiles(mlir::ImplicitLocOpBuilder &b, const Problem &p,
            const HeadIndex &at)
      : TileBuilder(b, at), p(p) {}

  /// The gate's log decays on tokens [t0, t0+len), padded with 0 (decay 1):
  /// tensor<size> for scalar gates, tensor<size x K> per channel; null when
  /// the mixer has no gate.
  mlir::Value gateTile(mlir::Value t0, mlir::Value len, int64_t size);
  /// `value` (a scalar f32) on tokens [0, len) of a tile, 0 on the padding:
  /// tensor<size>.
  mlir::Value tokensFilled(mlir::Value value, mlir::Value len, int64_t size);
  /// The per-token log decay at token t: scalar f32 or tensor<K>; null when
  /// there is no gate.
  mlir::Value gateAt(mlir::Value t);
  bool perChannel() const { return p.gate == mixer::GateKind::Channel; }
  /// `value` in the gate's row shape: tensor<K> for a per-channel gate, else
  /// a scalar f32 (a log decay of 0, or a decay factor of 1).
  mlir::Value constantGateRow(double value);

  /// x[t, i] * factor * exp(Σ decay terms at (t, i)), for x of shape [C, D]
  /// (D = K when a term is per channel). Callers guarantee the exponent ≤ 0.
  mlir::Value scaleByDecay(mlir::Value x, llvm::ArrayRef<Decay> terms,
                           double factor = 1.0);

  /// The causal block of decayed scores for one tile (C×C):
  /// A[t, s] = Σ_i x[t,i] y[s,i] exp(G[t,i] − G[s,i]) for s ≤ t, else 0,
  /// given the tile's log decays g and their cumulative sums G (both null
  /// without a gate). `exclusive` decays only to the token before t,
  /// A[t, s] = Σ_i x[t,i] y[s,i] exp(G[t−1,i] − G[s,i]) for s < t (the
  /// low-rank transition's b_t reads S_{t−1}). With a scalar gate the decay
  /// factors out of the dot product; a per-channel decay is carried by a
  /// recurrence instead.
  mlir::Value causalScores(mlir::Value x, mlir::Value y, mlir::Value g,
                           mlir::Value G, bool exclusive = false);
  /// The blocks of several row tiles against one y: with a per-channel gate
  /// one recurrence over y's decayed keys serves them all.
  struct ScoreRows {
    mlir::Value x;
    bool exclusive = false;
  };
  llvm::SmallVector<mlir::Value> causalScores(llvm::ArrayRef<ScoreRows> rows,
                                              mlir::Value y, mlir::Value g,
                                              mlir::Value G);
  llvm::SmallVector<mlir::Value>
  channelCausalScores(llvm::ArrayRef<ScoreRows> rows, mlir::Value y,
                      mlir::Value g);
  /// The tile's cumulative sums shifted one token down: G[t−1] at row t, 0
  /// at row 0 (never formed as G − g).
  mlir::Value exclusiveSums(mlir::Value G);

  /// S ⊙ exp(logDecay) for a K×N state and a log decay ≤ 0 that is a scalar
  /// or a tensor<K> (one per key channel, broadcast over N).
  mlir::Value decayState(mlir::Value S, mlir::Value logDecay);
  /// The chunk state update (docs/math.md): S' = exp(G_last) ⊙ S +
  /// Σ_j (key_j ⊙ exp(G_last − G))ᵀ value_j, for tiles key_j [C,K],
  /// value_j [C,N] and the chunk's cumulative log decays G (null: no gate).
  struct Write {
    mlir::Value key, value;
  };
  mlir::Value stateUpdate(mlir::Value S, llvm::ArrayRef<Write> writes,
                          mlir::Value G);

  /// The key tile, with `beta` folded in (k[t,i] * beta[t]) where β scales
  /// the write k vᵀ alone; the delta rule's β scales its erase term too and
  /// is applied by its forms (betaTile).
  mlir::Value keyTile(mlir::Value t0, mlir::Value len, int64_t size);
  /// β on tokens [t0, t0+len), padded with 0: tensor<size>; a tile of ones
  /// (zeros on the padding) when the op has no beta.
  mlir::Value betaTile(mlir::Value t0, mlir::Value len, int64_t size);
  /// The query tile times the op's scale.
  mlir::Value queryTile(mlir::Value t0, mlir::Value len, int64_t size);

  const Problem &p;
};

} // namespace mixir::forms::semiseparable

#endif // MIXIR_LIB_FORMS_SEMISEPARABLE_SEMISEPARABLEBUILDER_H
