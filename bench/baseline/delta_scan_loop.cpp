// The token-by-token loop a user would write for the gated delta rule
// (Gated DeltaNet, or KDA with a decay per key channel): per (b, h) in an
// OpenMP loop, per token two passes over the K×V state,
//   S̃ = diag(exp(g_t)) S,  r = S̃ᵀ k_t           (decay, fused with the read)
//   u = β_t (v_t − r),  S = S̃ + k_t uᵀ,  o_t = K^-1/2 Sᵀ q_t   (fused)
// Build: g++ -O3 -march=native -fopenmp.
// Usage: delta_scan_loop B T REPS [H [token|channel]] (H = 8, a decay per
// token by default).
#include "../common/inputs.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

static void deltaScan(DeltaInputs &x) {
  const int64_t B = x.B, T = x.T, H = x.H, K = x.K, V = x.V;
  const float scale = 1.0f / std::sqrt(float(K));
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      std::vector<float> S(size_t(K * V), 0.f), r(size_t(V), 0.f),
          u(size_t(V), 0.f);
      for (int64_t t = 0; t < T; ++t) {
        const int64_t row = (b * T + t) * H + h;
        const float *q = &x.q[row * K], *k = &x.k[row * K];
        const float *v = &x.v[row * V];
        const float beta = x.beta[row];
        float *o = &x.o[row * V];
        for (int64_t j = 0; j < V; ++j)
          r[j] = 0.f;
        for (int64_t i = 0; i < K; ++i) {
          const float a = std::exp(x.perChannel ? x.g[row * K + i] : x.g[row]);
          const float ki = k[i];
          float *Si = &S[size_t(i * V)];
          for (int64_t j = 0; j < V; ++j) {
            Si[j] *= a;
            r[j] += ki * Si[j];
          }
        }
        for (int64_t j = 0; j < V; ++j) {
          u[j] = beta * (v[j] - r[j]);
          o[j] = 0.f;
        }
        for (int64_t i = 0; i < K; ++i) {
          const float ki = k[i], qi = q[i] * scale;
          float *Si = &S[size_t(i * V)];
          for (int64_t j = 0; j < V; ++j) {
            Si[j] += ki * u[j];
            o[j] += Si[j] * qi;
          }
        }
      }
    }
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 6) {
    std::fprintf(stderr, "usage: delta_scan_loop B T REPS [H [token|channel]]\n");
    return 2;
  }
  DeltaInputs x = makeDeltaInputs(
      std::atoll(argv[1]), std::atoll(argv[2]),
      argc >= 5 ? std::atoll(argv[4]) : 8, 128, 128,
      argc == 6 && std::string(argv[5]) == "channel");
  deltaScan(x); // warm-up
  std::vector<double> times;
  for (int r = 0, n = std::atoi(argv[3]); r < n; ++r) {
    auto start = std::chrono::steady_clock::now();
    deltaScan(x);
    times.push_back(std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  std::sort(times.begin(), times.end());
  std::printf("%.6f\n", times[times.size() / 2]);
}
