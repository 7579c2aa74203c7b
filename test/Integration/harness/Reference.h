//===- Reference.h - double-precision semiseparable recurrence --*- C++ -*-===//
//
// The test oracle: the defining recurrence of the semiseparable family
// (docs/math.md, section 1), evaluated token by token in double precision,
// independent of every algorithm form the compiler produces, with
// o_t = scale · S_tᵀ q_t and, by transition,
//   diagonal  S_t = diag(exp(g_t)) S_{t-1} + β_t k_t v_tᵀ
//   delta     S_t = (I − β_t k_t k_tᵀ) diag(exp(g_t)) S_{t-1} + β_t k_t v_tᵀ
//   low rank  S_t = (diag(exp(g_t)) + a_t b_tᵀ) S_{t-1} + β_t k_t v_tᵀ.
//
//===----------------------------------------------------------------------===//
#ifndef MIXIR_TEST_HARNESS_REFERENCE_H
#define MIXIR_TEST_HARNESS_REFERENCE_H

#include <cstdint>
#include <functional>
#include <vector>

namespace mixir::check {

enum class Gate { None, Head, Token, Channel };
enum class Transition { Diagonal, Delta, LowRank };

/// Inputs in [B, T, H, D] layout (f32, as the kernel sees them); the gate is
/// [H], [B,T,H] or [B,T,H,K] by kind; log decays are given in double so that
/// an example can derive them exactly (Mamba-2's dt·A).
struct Problem {
  int64_t B = 0, T = 0, H = 0, K = 0, V = 0;
  const float *q = nullptr, *k = nullptr, *v = nullptr;
  Gate gate = Gate::None;
  std::vector<double> logDecay;      ///< laid out as the gate kind says
  const float *beta = nullptr;       ///< [B,T,H] or null
  Transition transition = Transition::Diagonal;
  const float *a = nullptr, *b = nullptr; ///< [B,T,H,K]: the low-rank part
  const float *initialState = nullptr; ///< [B,H,K,V] or null
  double scale = 1.0;
};

struct Solution {
  std::vector<double> output;     ///< [B,T,H,V]
  std::vector<double> finalState; ///< [B,H,K,V]
};

Solution solveByRecurrence(const Problem &p);

/// Softmax attention (docs/math.md, section 2), in double precision:
/// o_t = Σ_{s : mask(b,h,t,s)} softmax_s(scoreMod(scale·q_t·k_s, b,h,t,s)) v_s,
/// k and v read from kv head h / (Hq / Hkv); a row with no visible key is 0.
struct AttentionProblem {
  int64_t B = 0, Tq = 0, Tk = 0, Hq = 0, Hkv = 0, K = 0, V = 0;
  const float *q = nullptr, *k = nullptr, *v = nullptr;
  double scale = 1.0;
  std::function<bool(int64_t b, int64_t h, int64_t t, int64_t s)> mask;
  std::function<double(double score, int64_t b, int64_t h, int64_t t,
                       int64_t s)>
      scoreMod;
  /// Where given, receives the row log-sum-exp [B, Tq, Hq] (−inf for a
  /// row that sees no key).
  std::vector<double> *lse = nullptr;
};
/// The output [B, Tq, Hq, V].
std::vector<double> solveAttention(const AttentionProblem &p);

} // namespace mixir::check

#endif
