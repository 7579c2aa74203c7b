// Deterministic GLA inputs shared by the timing driver and the baseline loop,
// so that both time the same data. Layout [B, T, H, D].
#ifndef MIXIR_BENCH_INPUTS_H
#define MIXIR_BENCH_INPUTS_H

#include <cstdint>
#include <random>
#include <vector>

struct GlaInputs {
  int64_t B, T, H, K, V;
  std::vector<float> q, k, v, g, o;
};

inline GlaInputs makeGlaInputs(int64_t B, int64_t T, int64_t H, int64_t K,
                               int64_t V) {
  GlaInputs x{B, T, H, K, V, {}, {}, {}, {}, {}};
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.f, 0.5f);
  std::uniform_real_distribution<float> decay(-0.2f, 0.f); // g ≤ 0
  size_t nk = size_t(B * T * H * K), nv = size_t(B * T * H * V);
  x.q.resize(nk), x.k.resize(nk), x.g.resize(nk), x.v.resize(nv);
  x.o.assign(nv, 0.f);
  for (float &e : x.q) e = normal(rng);
  for (float &e : x.k) e = normal(rng);
  for (float &e : x.v) e = normal(rng);
  for (float &e : x.g) e = decay(rng);
  return x;
}

#endif
