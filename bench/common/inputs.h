// Deterministic inputs shared by the timing driver and the baseline loops,
// so that both time the same data. Layout [B, T, H, D].
#ifndef MIXIR_BENCH_INPUTS_H
#define MIXIR_BENCH_INPUTS_H

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

struct GlaInputs {
  int64_t B, T, H, K, V;
  std::vector<float> q, k, v, g, o;
};

/// `count` deterministic floats uniform in [lo, hi) (a linear congruential
/// generator seeded with `seed`).
inline std::vector<float> filled(size_t count, unsigned seed, float lo,
                                 float hi) {
  std::vector<float> v(count);
  uint32_t s = seed * 2654435761u + 1;
  for (float &x : v) {
    s = s * 1664525u + 1013904223u;
    x = lo + (hi - lo) * float(s >> 8) / float(1u << 24);
  }
  return v;
}

/// Normalises each row of `count`-wide rows of `v` to unit L2 norm.
inline void normaliseRows(std::vector<float> &v, size_t count) {
  for (size_t r = 0; r + count <= v.size(); r += count) {
    float norm = 0;
    for (size_t i = 0; i < count; ++i)
      norm += v[r + i] * v[r + i];
    norm = std::sqrt(norm);
    for (size_t i = 0; i < count; ++i)
      v[r + i] /= norm;
  }
}

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

/// Deterministic delta-rule inputs (Gated DeltaNet, or KDA with a decay per
/// key channel): k L2-normalised per row, g ≤ 0 ([B,T,H], or [B,T,H,K]
/// when `perChannel`), 0 < β < 1. Layout [B, T, H, D].
struct DeltaInputs {
  int64_t B, T, H, K, V;
  bool perChannel;
  std::vector<float> q, k, v, g, beta, o;
};

inline DeltaInputs makeDeltaInputs(int64_t B, int64_t T, int64_t H, int64_t K,
                                   int64_t V, bool perChannel) {
  DeltaInputs x{B, T, H, K, V, perChannel, {}, {}, {}, {}, {}, {}};
  std::mt19937 rng(43);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::uniform_real_distribution<float> decay(-0.2f, 0.f), rate(0.05f, 0.95f);
  size_t rows = size_t(B * T * H);
  x.q.resize(rows * K), x.k.resize(rows * K), x.v.resize(rows * V);
  x.g.resize(perChannel ? rows * K : rows), x.beta.resize(rows);
  x.o.assign(rows * V, 0.f);
  for (float &e : x.q) e = normal(rng);
  for (float &e : x.k) e = normal(rng);
  for (float &e : x.v) e = normal(rng);
  for (float &e : x.g) e = decay(rng);
  for (float &e : x.beta) e = rate(rng);
  for (size_t r = 0; r < rows; ++r) {
    float norm = 0;
    for (int64_t i = 0; i < K; ++i)
      norm += x.k[r * K + i] * x.k[r * K + i];
    norm = std::sqrt(norm);
    for (int64_t i = 0; i < K; ++i)
      x.k[r * K + i] /= norm;
  }
  return x;
}

/// Deterministic attention inputs: q [B,T,H,D], k and v [B,T,Hkv,D], and
/// document ids doc [B,T] (a new document with probability 1/1000 per
/// token, as in peers/torch_attention.py).
struct AttentionInputs {
  int64_t B, T, H, Hkv, D;
  std::vector<float> q, k, v, o;
  std::vector<int32_t> doc;
};

inline AttentionInputs makeAttentionInputs(int64_t B, int64_t T, int64_t H,
                                           int64_t Hkv, int64_t D) {
  AttentionInputs x{B, T, H, Hkv, D, {}, {}, {}, {}, {}};
  std::mt19937 rng(44);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::uniform_real_distribution<float> unit(0.f, 1.f);
  x.q.resize(size_t(B * T * H * D));
  x.k.resize(size_t(B * T * Hkv * D));
  x.v.resize(size_t(B * T * Hkv * D));
  x.o.assign(x.q.size(), 0.f);
  for (float &e : x.q) e = normal(rng);
  for (float &e : x.k) e = normal(rng);
  for (float &e : x.v) e = normal(rng);
  x.doc.resize(size_t(B * T));
  for (int64_t b = 0; b < B; ++b) {
    int32_t id = 0;
    for (int64_t t = 0; t < T; ++t) {
      id += t > 0 && unit(rng) < 1e-3f;
      x.doc[size_t(b * T + t)] = id;
    }
  }
  return x;
}

#endif
