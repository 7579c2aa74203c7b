//===- Reference.cpp - double-precision semiseparable recurrence ------------===//
#include "Reference.h"

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
