//===- CostModel.cpp - which form computes a mixer fastest -----------------===//
//
// Work per (batch, head), from the cost table of MIXERS.md, with C the chunk
// (or block) length and n = ⌈T/C⌉:
//   scan      : T · 5KV                 (update and read-out, per token)
//   chunked   : n · (2CKV inter + 2C²K scores + 2C²V + 2CKV state) + diag
//   quadratic : n(n+1)/2 · (2C²K + 2C²V) + n(n-1)/2 · scaling + diag
// where diag is the per-channel gate's decayed-key recurrence inside the
// diagonal blocks (C·K exponentials and 2C²K multiply-adds per block) and
// scaling the decay of each off-diagonal key block (C·K exponentials with a
// per-channel gate, C with a scalar one). Each term is divided by the
// throughput of its kind of work relative to the scan's load-update-store
// stream, measured with bench/ (docs/forms-and-cost-model.md). Padding a
// short tail to a full chunk is paid in full, which is what makes the scan
// win for short sequences.
//
//===----------------------------------------------------------------------===//
#include "mixir/Transforms/CostModel.h"

#include <algorithm>
#include <cmath>

using namespace mixir;
using namespace mixir::mixer;

namespace {
/// Relative throughput of each kind of work (scan stream = 1), fitted to
/// bench/ timings (K = V = 128, H = 8, T = 1…256): the chunked form's
/// contractions are register-tiled C×K by K×V products; the quadratic form's
/// are C×C blocks, which run as well as those at C = 64 (linear attention)
/// and worse at C = 16 (GLA), roughly linearly in log2 C in between.
constexpr double kScanEfficiency = 1.0;
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

int64_t mixir::defaultChunkSize(SemiseparableOp op) {
  // Measured with bench/'s drivers (K = V = 128, T = 16384): per-channel
  // gates 16 (the decayed-key recurrence grows as C²), scalar or no gates 32
  // (81 ms with 64, 75 ms with 32 for linear attention).
  return op.getGateKind() == GateKind::Channel ? 16 : 32;
}

int64_t mixir::defaultBlockSize(SemiseparableOp op) {
  // The quadratic form's blocks: larger C×C blocks run its matmuls better
  // (linear attention, T = 1024: 22 ms with 64, 27 ms with 32).
  return op.getGateKind() == GateKind::Channel ? 16 : 64;
}

double mixir::estimateCost(SemiseparableOp op, FormKind kind, int64_t T,
                           int64_t tile) {
  const double K = op.getKeyDim(), V = op.getValueDim();
  const bool channel = op.getGateKind() == GateKind::Channel;
  if (T <= 0)
    return 0;
  if (kind == FormKind::scan)
    return T * 5.0 * K * V / kScanEfficiency;
  const double C = tile ? tile
                        : (kind == FormKind::chunked ? defaultChunkSize(op)
                                                     : defaultBlockSize(op));
  const double n = ceilDiv(T, static_cast<int64_t>(C));
  // The decayed-key recurrence of a per-channel gate runs at scan speed.
  const double diag = channel ? n * (C * K * kExpCost + 2 * C * C * K) : 0;
  if (kind == FormKind::chunked) {
    double mm = n * (2 * C * K * V + 2 * C * C * K + 2 * C * C * V +
                     2 * C * K * V);
    return mm / kChunkedMatmulEfficiency + diag + n * kTileOverhead;
  }
  double pairs = n * (n + 1) / 2;
  double mm = pairs * (2 * C * C * K + 2 * C * C * V);
  double scaling = n * (n - 1) / 2 *
                   (channel ? C * K * (kExpCost + 1) : C * kExpCost + C * K);
  return mm / quadraticMatmulEfficiency(C) + scaling + diag +
         pairs * kTileOverhead;
}

FormKind mixir::chooseForm(SemiseparableOp op, int64_t T) {
  FormKind best = FormKind::scan;
  double bestCost = estimateCost(op, best, T);
  for (FormKind kind : {FormKind::chunked, FormKind::quadratic}) {
    double cost = estimateCost(op, kind, T);
    if (cost < bestCost) {
      best = kind;
      bestCost = cost;
    }
  }
  return best;
}

llvm::SmallVector<FormRange> mixir::chooseFormRanges(SemiseparableOp op) {
  // One artifact serves every length, so the ranges are kept few and in the
  // order of growing length: the scan up to T1, then one block form up to
  // T2, then the chunked form. T1 is the first length at which the scan is
  // no longer cheapest; T2 is one past the last length at which the chunked
  // form is not cheapest, so that from T2 on it always is. Between them the
  // quadratic form is used if it costs less than the chunked form summed
  // over the range (padding to whole tiles makes the two alternate there).
  constexpr int64_t kLongest = int64_t(1) << 20;
  auto next = [](int64_t T) { return T + std::max<int64_t>(1, T / 256); };
  int64_t t1 = -1, lastNotChunked = -1;
  for (int64_t T = 1; T <= kLongest; T = next(T)) {
    FormKind kind = chooseForm(op, T);
    if (t1 < 0 && kind != FormKind::scan)
      t1 = T;
    if (t1 >= 0 && kind != FormKind::chunked)
      lastNotChunked = T;
  }
  if (t1 < 0)
    return {{-1, FormKind::scan}};
  llvm::SmallVector<FormRange> ranges;
  if (t1 > 1)
    ranges.push_back({t1, FormKind::scan});
  if (lastNotChunked >= t1) {
    int64_t t2 = next(lastNotChunked);
    if (t2 > kLongest)
      return ranges.push_back({-1, FormKind::quadratic}), ranges;
    double quadratic = 0, chunked = 0;
    for (int64_t T = t1; T < t2; T = next(T)) {
      quadratic += estimateCost(op, FormKind::quadratic, T);
      chunked += estimateCost(op, FormKind::chunked, T);
    }
    if (quadratic < chunked)
      ranges.push_back({t2, FormKind::quadratic});
  }
  ranges.push_back({-1, FormKind::chunked});
  return ranges;
}
