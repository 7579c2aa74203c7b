// The plain single-pass scan a user would write for GLA: per (b, h) in an
// OpenMP loop, one fused pass per token over the K×V state that updates it
// (S = diag(exp(g_t)) S + k_t v_tᵀ) and accumulates o_t = K^-1/2 Sᵀ q_t.
// Build: g++ -O3 -march=native -fopenmp. Usage: gla_scan_loop B T REPS [H]
// (H defaults to 8).
#include "../common/inputs.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

static void glaScan(GlaInputs &x) {
  const int64_t B = x.B, T = x.T, H = x.H, K = x.K, V = x.V;
  const float scale = 1.0f / std::sqrt(float(K));
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      std::vector<float> S(size_t(K * V), 0.f);
      for (int64_t t = 0; t < T; ++t) {
        const int64_t row = (b * T + t) * H + h;
        const float *q = &x.q[row * K], *k = &x.k[row * K];
        const float *g = &x.g[row * K], *v = &x.v[row * V];
        float *o = &x.o[row * V];
        for (int64_t j = 0; j < V; ++j)
          o[j] = 0.f;
        for (int64_t i = 0; i < K; ++i) {
          const float a = std::exp(g[i]), ki = k[i], qi = q[i] * scale;
          float *Si = &S[size_t(i * V)];
          for (int64_t j = 0; j < V; ++j) {
            Si[j] = a * Si[j] + ki * v[j];
            o[j] += Si[j] * qi;
          }
        }
      }
    }
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: gla_scan_loop B T REPS [H]\n");
    return 2;
  }
  GlaInputs x = makeGlaInputs(std::atoll(argv[1]), std::atoll(argv[2]),
                              argc == 5 ? std::atoll(argv[4]) : 8, 128, 128);
  glaScan(x); // warm-up
  std::vector<double> times;
  for (int r = 0, n = std::atoi(argv[3]); r < n; ++r) {
    auto start = std::chrono::steady_clock::now();
    glaScan(x);
    times.push_back(std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  std::sort(times.begin(), times.end());
  std::printf("%.6f\n", times[times.size() / 2]);
}
