//===- Reference.cpp - double-precision semiseparable recurrence ------------===//
#include "Reference.h"

#include <algorithm>
#include <cmath>

using namespace mixir::check;

Solution mixir::check::solveByRecurrence(const Problem &p) {
  Solution s;
  s.output.assign(p.B * p.T * p.H * p.V, 0.0);
  s.finalState.assign(p.B * p.H * p.K * p.V, 0.0);
  std::vector<double> S(p.K * p.V), decay(p.K), u(p.V);
  for (int64_t b = 0; b < p.B; ++b) {
    for (int64_t h = 0; h < p.H; ++h) {
      for (int64_t i = 0; i < p.K * p.V; ++i)
        S[i] = p.initialState ? p.initialState[(b * p.H + h) * p.K * p.V + i]
                              : 0.0;
      for (int64_t t = 0; t < p.T; ++t) {
        const int64_t tok = (b * p.T + t) * p.H + h; // [b, t, h]
        for (int64_t i = 0; i < p.K; ++i) {
          switch (p.gate) {
          case Gate::None:
            decay[i] = 1.0;
            break;
          case Gate::Head:
            decay[i] = std::exp(p.logDecay[h]);
            break;
          case Gate::Token:
            decay[i] = std::exp(p.logDecay[tok]);
            break;
          case Gate::Channel:
            decay[i] = std::exp(p.logDecay[tok * p.K + i]);
            break;
          }
        }
        const double beta = p.beta ? p.beta[tok] : 1.0;
        const float *q = p.q + tok * p.K, *k = p.k + tok * p.K;
        const float *v = p.v + tok * p.V;
        switch (p.transition) {
        case Transition::Diagonal:
          for (int64_t i = 0; i < p.K; ++i)
            for (int64_t j = 0; j < p.V; ++j)
              S[i * p.V + j] = decay[i] * S[i * p.V + j] +
                               beta * double(k[i]) * double(v[j]);
          break;
        case Transition::Delta:
          // S̃ = diag(decay) S; S = S̃ + β k (v − S̃ᵀ k)ᵀ
          for (int64_t i = 0; i < p.K * p.V; ++i)
            S[i] *= decay[i / p.V];
          for (int64_t j = 0; j < p.V; ++j) {
            double r = 0;
            for (int64_t i = 0; i < p.K; ++i)
              r += double(k[i]) * S[i * p.V + j];
            u[j] = beta * (double(v[j]) - r);
          }
          for (int64_t i = 0; i < p.K; ++i)
            for (int64_t j = 0; j < p.V; ++j)
              S[i * p.V + j] += double(k[i]) * u[j];
          break;
        case Transition::LowRank: {
          // S = diag(decay) S + a (bᵀ S) + β k vᵀ
          const float *a = p.a + tok * p.K, *bv = p.b + tok * p.K;
          for (int64_t j = 0; j < p.V; ++j) {
            double w = 0;
            for (int64_t i = 0; i < p.K; ++i)
              w += double(bv[i]) * S[i * p.V + j];
            u[j] = w;
          }
          for (int64_t i = 0; i < p.K; ++i)
            for (int64_t j = 0; j < p.V; ++j)
              S[i * p.V + j] = decay[i] * S[i * p.V + j] +
                               double(a[i]) * u[j] +
                               beta * double(k[i]) * double(v[j]);
          break;
        }
        }
        double *o = s.output.data() + tok * p.V;
        for (int64_t j = 0; j < p.V; ++j) {
          double acc = 0;
          for (int64_t i = 0; i < p.K; ++i)
            acc += S[i * p.V + j] * double(q[i]);
          o[j] = p.scale * acc;
        }
      }
      for (int64_t i = 0; i < p.K * p.V; ++i)
        s.finalState[(b * p.H + h) * p.K * p.V + i] = S[i];
    }
  }
  return s;
}

std::vector<double> mixir::check::solveAttention(const AttentionProblem &p) {
  std::vector<double> out(size_t(p.B * p.Tq * p.Hq * p.V), 0.0);
  std::vector<double> scores(size_t(p.Tk));
  if (p.lse)
    p.lse->assign(size_t(p.B * p.Tq * p.Hq), -INFINITY);
  const int64_t group = p.Hq / p.Hkv;
  for (int64_t b = 0; b < p.B; ++b)
    for (int64_t h = 0; h < p.Hq; ++h) {
      const int64_t kvh = h / group;
      for (int64_t t = 0; t < p.Tq; ++t) {
        const float *q = p.q + ((b * p.Tq + t) * p.Hq + h) * p.K;
        double most = -INFINITY;
        for (int64_t s = 0; s < p.Tk; ++s) {
          if (p.mask && !p.mask(b, h, t, s)) {
            scores[s] = -INFINITY;
            continue;
          }
          const float *k = p.k + ((b * p.Tk + s) * p.Hkv + kvh) * p.K;
          double dot = 0;
          for (int64_t i = 0; i < p.K; ++i)
            dot += double(q[i]) * double(k[i]);
          double score = p.scale * dot;
          if (p.scoreMod)
            score = p.scoreMod(score, b, h, t, s);
          scores[s] = score;
          most = std::max(most, score);
        }
        double *o = out.data() + ((b * p.Tq + t) * p.Hq + h) * p.V;
        if (most == -INFINITY)
          continue; // no visible key: 0
        double sum = 0;
        for (int64_t s = 0; s < p.Tk; ++s) {
          if (scores[s] == -INFINITY)
            continue;
          const double w = std::exp(scores[s] - most);
          sum += w;
          const float *v = p.v + ((b * p.Tk + s) * p.Hkv + kvh) * p.V;
          for (int64_t j = 0; j < p.V; ++j)
            o[j] += w * double(v[j]);
        }
        for (int64_t j = 0; j < p.V; ++j)
          o[j] /= sum;
        if (p.lse)
          (*p.lse)[size_t((b * p.Tq + t) * p.Hq + h)] = most + std::log(sum);
      }
    }
  return out;
}
