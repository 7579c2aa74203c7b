//===- SemiseparableBuilder.h - shared pieces of the forms ------*- C++ -*-===//
//
// The scan, chunked and quadratic forms of `mixer.semiseparable` are built
// from the same few tensor-level pieces (MIXERS.md section 2):
//   - a per-(batch, head) skeleton: an `scf.forall` whose body computes the
//     T×V output rows and the final K×V state of one head;
//   - tiles of C tokens of one head, zero-padded to C (so every tile shape is
//     static);
//   - gate tiles and their local cumulative sums G (length-C sums only: no
//     decay is ever taken as a difference of two long prefix sums);
//   - decayed scalings X ⊙ exp(Σ terms) where every exponent is ≤ 0;
//   - contractions (matmul-shaped `linalg.generic`s) and the causal diagonal
//     block of decayed scores;
//   - the chunk state update S' = exp(G_last) ⊙ S + (K ⊙ exp(G_last − G))ᵀ V.
// A gate is per channel ([.., K]) or scalar (one per token, or per head);
// scalar gates broadcast over K through the indexing maps, so one piece of
// code serves every member of the family.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_LIB_TRANSFORMS_SEMISEPARABLEBUILDER_H
#define MIXIR_LIB_TRANSFORMS_SEMISEPARABLEBUILDER_H

#include "mixir/Dialect/Mixer/MixerOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

namespace mixir::detail {

/// One head's view of the problem, valid inside the (b, h) skeleton.
struct HeadContext {
  mutable mixer::SemiseparableOp op;
  mixer::GateKind gate;
  int64_t K, V;
  double scale;
  mlir::Value b, h, T; ///< index values
};

/// Computes one head: given the head's output rows (tensor<?xV>, T rows) and
/// its initial state (tensor<KxV>), returns {output rows, final state}.
using HeadBody = llvm::function_ref<std::pair<mlir::Value, mlir::Value>(
    mlir::ImplicitLocOpBuilder &, const HeadContext &, mlir::Value rows,
    mlir::Value state)>;

/// Replaces `op` by the (batch, head) skeleton around `body`.
void buildPerHeadSkeleton(mlir::RewriterBase &rewriter,
                          mixer::SemiseparableOp op, HeadBody body);
/// `values` cast to `op`'s result types where those are more static (B or T
/// known) than the lowering's.
llvm::SmallVector<mlir::Value>
castToResultTypes(mlir::ImplicitLocOpBuilder &b, mixer::SemiseparableOp op,
                  llvm::SmallVector<mlir::Value> values);
/// Builds the skeleton at the builder's insertion point and returns the
/// values that replace `op`'s results.
llvm::SmallVector<mlir::Value> buildPerHead(mlir::ImplicitLocOpBuilder &b,
                                            mixer::SemiseparableOp op,
                                            HeadBody body);

/// A decay exponent term: a tile of log decays indexed by token (and by key
/// channel when `perChannel`), a per-channel row (tensor<K>), or a scalar.
/// A scalar f32 is captured; a tensor<K> row is indexed by key channel; a
/// tile (tensor<C> or tensor<C x K>) is indexed by the token of the tile it
/// scales (and by key channel when rank 2).
struct Decay {
  mlir::Value value;
  bool isTile = false;
  bool negate = false;
};

/// Tile and gate helpers for one head.
class HeadTiles {
public:
  HeadTiles(mlir::ImplicitLocOpBuilder &b, const HeadContext &ctx)
      : b(b), ctx(ctx) {}

  // Constants and scalars.
  mlir::Value index(int64_t v);
  mlir::Value f32(double v);
  /// min(size, T - t0).
  mlir::Value tileLength(mlir::Value t0, int64_t size);

  /// Row t of a [B,T,H,D] operand at this head: tensor<D>.
  mlir::Value row(mlir::Value x, mlir::Value t);
  /// Element [b, t, h] of a [B,T,H] operand.
  mlir::Value scalarAt(mlir::Value x, mlir::Value t);
  /// Tokens [t0, t0+len) of a [B,T,H,D] operand, zero-padded to `size` rows:
  /// tensor<size x D>.
  mlir::Value tile(mlir::Value x, mlir::Value t0, mlir::Value len,
                   int64_t size);
  /// Same for a [B,T,H] operand: tensor<size>.
  mlir::Value tile1d(mlir::Value x, mlir::Value t0, mlir::Value len,
                     int64_t size);

  /// The gate's log decays on tokens [t0, t0+len), padded with 0 (decay 1):
  /// tensor<size> for scalar gates, tensor<size x K> per channel; null when
  /// the mixer has no gate.
  mlir::Value gateTile(mlir::Value t0, mlir::Value len, int64_t size);
  /// The per-token log decay at token t: scalar f32 or tensor<K>; null when
  /// there is no gate.
  mlir::Value gateAt(mlir::Value t);
  bool perChannel() const { return ctx.gate == mixer::GateKind::Channel; }
  /// Inclusive cumulative sum along the tile's first dimension, one row at
  /// a time (O(C·K)).
  mlir::Value cumsum(mlir::Value gateTile);
  /// Row t of a tile (tensor<C> → f32, tensor<C x K> → tensor<K>), and the
  /// tile with row t replaced.
  mlir::Value rowAt(mlir::Value tile, mlir::Value t);
  mlir::Value setRowAt(mlir::Value tile, mlir::Value row, mlir::Value t);
  /// The last row of a tile.
  mlir::Value lastRow(mlir::Value tile);
  /// Elementwise sum and product of two scalars or two tensors of one
  /// static shape.
  mlir::Value addRows(mlir::Value a, mlir::Value c);
  mlir::Value mulRows(mlir::Value a, mlir::Value c);
  /// exp of a gate row (scalar or tensor<K>).
  mlir::Value expRow(mlir::Value row);
  /// x[t, i] * e[i] for e: tensor<D>, or x[t, i] * e for a scalar e.
  mlir::Value scaleColumns(mlir::Value x, mlir::Value e);

  /// x[t, i] * factor * exp(Σ decay terms at (t, i)), for x of shape [C, D]
  /// (D = K when a term is per channel). Callers guarantee the exponent ≤ 0.
  mlir::Value scaleByDecay(mlir::Value x, mlir::ArrayRef<Decay> terms,
                           double factor = 1.0);
  /// x[t, i] * s[t] for s: tensor<C>.
  mlir::Value scaleRows(mlir::Value x, mlir::Value s);
  /// exp(x), elementwise.
  mlir::Value exp(mlir::Value x);

  /// A tensor filled with `value`, and with zeros.
  mlir::Value filled(mlir::ArrayRef<int64_t> shape, double value);
  mlir::Value zeros(mlir::ArrayRef<int64_t> shape);
  /// `value` in the gate's row shape: tensor<K> for a per-channel gate, else
  /// a scalar f32 (a log decay of 0, or a decay factor of 1).
  mlir::Value constantGateRow(double value);
  /// acc[accMap] += Σ lhs[lhsMap] * rhs[rhsMap] over the iteration space of
  /// the maps.
  mlir::Value contract(mlir::Value lhs, mlir::AffineMap lhsMap,
                       mlir::Value rhs, mlir::AffineMap rhsMap,
                       mlir::Value acc, mlir::AffineMap accMap,
                       mlir::ArrayRef<mlir::utils::IteratorType> iterators);
  /// acc[t, j] += Σ_i a[t, i] c[i, j]
  mlir::Value matmulAcc(mlir::Value a, mlir::Value c, mlir::Value acc);
  /// The transpose of a 2-D tile.
  mlir::Value transpose(mlir::Value x);
  /// acc[t, s] += Σ_i a[t, i] c[s, i]
  mlir::Value matmulTransBAcc(mlir::Value a, mlir::Value c, mlir::Value acc);
  /// acc[i, j] += Σ_s a[s, i] c[s, j]
  mlir::Value matmulTransAAcc(mlir::Value a, mlir::Value c, mlir::Value acc);

  /// The causal diagonal block of decayed scores for one tile (C×C):
  /// A[t, s] = Σ_i qs[t,i] k[s,i] exp(G[t,i] − G[s,i]) for s ≤ t, else 0,
  /// given the tile's log decays g and their cumulative sums G (both null
  /// without a gate). With a scalar gate the decay factors out of the dot
  /// product; a per-channel decay is carried by a recurrence instead.
  mlir::Value causalScores(mlir::Value qs, mlir::Value k, mlir::Value g,
                           mlir::Value G);
  mlir::Value channelCausalScores(mlir::Value qs, mlir::Value k,
                                  mlir::Value g);

  /// S ⊙ exp(logDecay) for a K×V state and a log decay ≤ 0 that is a scalar
  /// or a tensor<K> (one per key channel, broadcast over V).
  mlir::Value decayState(mlir::Value S, mlir::Value logDecay);
  /// The chunk state update (MIXERS.md, chunked form):
  /// S' = exp(G_last) ⊙ S + (k ⊙ exp(G_last − G))ᵀ v, for a tile k [C,K],
  /// v [C,V] and its cumulative log decays G (null: no gate).
  mlir::Value stateUpdate(mlir::Value S, mlir::Value k, mlir::Value v,
                          mlir::Value G);

  /// The key tile of an operand with `beta` folded in: k[t,i] * beta[t].
  mlir::Value keyTile(mlir::Value t0, mlir::Value len, int64_t size);
  /// Writes rows [0, len) of `tileRows` (C×V) into `rows` at row t0.
  mlir::Value storeRows(mlir::Value tileRows, mlir::Value rows,
                        mlir::Value t0, mlir::Value len);

  mlir::ImplicitLocOpBuilder &b;
  const HeadContext &ctx;
};

} // namespace mixir::detail

#endif // MIXIR_LIB_TRANSFORMS_SEMISEPARABLEBUILDER_H
