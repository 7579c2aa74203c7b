//===- Cost.cpp - what each form of mixer.semiseparable costs ---------------===//
//
// Work per (batch, head), from the cost table of docs/math.md, with C the chunk
// (or block) length and n = ⌈T/C⌉:
//   scan      : T · 5KV                 (update and read-out, per token;
//                                        9KV with a rank-one part)
//   chunked   : n · (2CKV inter + 2C²K scores + 2C²V + 2CKV state) + diag
//               (+ the rank-one part's score blocks, solve and products)
//   quadratic : n(n+1)/2 · (2C²K + 2C²V) + n(n-1)/2 · scaling + diag
// where diag is the per-channel gate's decayed-key recurrence inside the
// diagonal blocks (C·K exponentials per key tile and 2C²K multiply-adds per
// score block) and
// scaling the decay of each off-diagonal key block (C·K exponentials with a
// per-channel gate, C with a scalar one). Each term is divided by the
// throughput of its kind of work relative to the scan's load-update-store
// stream, measured with bench/ (docs/forms-and-cost-model.md). Padding a
// short tail to a full chunk is paid in full, which is what makes the scan
// win for short sequences.
//
//===----------------------------------------------------------------------===//
#include "SemiseparableForms.h"

#include <algorithm>
#include <cmath>

using namespace mixir;
using namespace mixir::mixer;
using namespace mixir::forms::semiseparable;
using mixir::mixer::TransitionKind;

namespace {
/// Relative throughput of each kind of work (a plain load-update-store
/// stream over the state = 1), fitted to
/// bench/ timings (K = V = 128, H = 8, T = 1…256): the chunked form's
/// contractions are register-tiled C×K by K×V products; the quadratic form's
/// are C×C blocks, which run as well as those at C = 64 (linear attention)
/// and worse at C = 16 (GLA), roughly linearly in log2 C in between.
///
/// The scan's own passes run as state sweeps with their sums over the key
/// index in vector registers (mixer-vectorize-contractions), measured
/// against the chunked form in one bench/ run (2026-12-04, T = 4096 and
/// 16384): a diagonal transition's fused pass at 1.75 (GLA, Mamba-2), a
/// rank-one transition's two passes at 2.2 (Gated DeltaNet, KDA, RWKV-7),
/// whose reductions had gained most.
constexpr double kDiagonalScanEfficiency = 1.75;
constexpr double kRankOneScanEfficiency = 2.2;
constexpr double kChunkedMatmulEfficiency = 2.5;
double quadraticMatmulEfficiency(double C) {
  return std::clamp(1.6 + 0.45 * std::log2(C / 16), 1.6, 2.5);
}
/// Cost of one exponential in flops.
constexpr double kExpCost = 10.0;
/// Fixed cost of a chunk or block iteration (slicing, padding, loop).
constexpr double kTileOverhead = 2000.0;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
} // namespace

static int64_t defaultChunkSize(const Problem &p) {
  // Measured with bench/'s drivers (K = V = 128, T = 16384): per-channel
  // gates 16 (the decayed-key recurrence grows as C²), scalar or no gates 32
  // (81 ms with 64, 75 ms with 32 for linear attention). A rank-one part
  // adds score blocks and the chunk's solve, which grow as C²: 16 (Gated
  // DeltaNet, T = 4096: 33 ms with 16, 35 ms with 32; KDA: 42 and 53 ms).
  if (p.gate == GateKind::Channel || p.transition != TransitionKind::Diagonal)
    return 16;
  return 32;
}

static int64_t defaultBlockSize(const Problem &p) {
  // The quadratic form's blocks: larger C×C blocks run its matmuls better
  // (linear attention, T = 1024: 22 ms with 64, 27 ms with 32).
  return p.gate == GateKind::Channel ? 16 : 64;
}

int64_t mixir::forms::semiseparable::defaultTile(const Problem &p,
                                                 llvm::StringRef form) {
  if (form == kChunkedForm)
    return defaultChunkSize(p);
  if (form == kQuadraticForm)
    return defaultBlockSize(p);
  return 0;
}

double mixir::forms::semiseparable::estimateCost(const Problem &p,
                                                 llvm::StringRef form,
                                                 int64_t T, int64_t tile) {
  const double K = p.K, V = p.V;
  const bool channel = p.gate == GateKind::Channel;
  if (T <= 0)
    return 0;
  // A rank-one part costs the scan a second pass over the state per token
  // (a reduction, then the update); in the chunked form each of its score
  // blocks (one more for the delta rule, four for low rank), the chunk's
  // triangular solve for its right-hand sides, and the state's product with
  // the solved system.
  const TransitionKind transition = p.transition;
  if (form == kScanForm)
    return transition == TransitionKind::Diagonal
               ? T * 5.0 * K * V / kDiagonalScanEfficiency
               : T * 9.0 * K * V / kRankOneScanEfficiency;
  const double C = tile ? tile : defaultTile(p, form);
  const double n = ceilDiv(T, static_cast<int64_t>(C));
  const double scoreBlocks =
      transition == TransitionKind::Diagonal ? 1
      : transition == TransitionKind::Delta  ? 2
                                             : 4;
  // The key tiles the score blocks are taken against (k; a and k for low
  // rank): a per-channel gate runs one decayed-key recurrence per key tile,
  // C·K exponentials, at scan speed, and 2C²K multiply-adds per block.
  const double keyTiles = transition == TransitionKind::LowRank ? 2 : 1;
  const double diag =
      channel ? n * (keyTiles * C * K * kExpCost + scoreBlocks * 2 * C * C * K)
              : 0;
  if (form == kChunkedForm) {
    double mm = n * (2 * C * K * V + scoreBlocks * 2 * C * C * K +
                     2 * C * C * V + 2 * C * K * V);
    if (transition == TransitionKind::Delta)
      mm += n * (C * C * (K + V) + 2 * C * K * V);
    if (transition == TransitionKind::LowRank)
      mm += n * (C * C * (K + V) + 2 * C * C * V + 2 * C * K * V +
                 2 * C * C * V + 2 * C * K * V);
    return mm / kChunkedMatmulEfficiency + diag + n * kTileOverhead;
  }
  double pairs = n * (n + 1) / 2;
  double mm = pairs * (2 * C * C * K + 2 * C * C * V);
  double scaling = n * (n - 1) / 2 *
                   (channel ? C * K * (kExpCost + 1) : C * kExpCost + C * K);
  return mm / quadraticMatmulEfficiency(C) + scaling + diag +
         pairs * kTileOverhead;
}

