// The machine's measured f32 peak: independent chains of 8-wide fused
// multiply-adds (enough chains to hide the FMA latency), on every core and on
// one. Prints "all_cores_gflops one_core_gflops".
// Build: g++ -O3 -march=native -fopenmp
#include <chrono>
#include <cstdio>
#include <omp.h>

typedef float v8 __attribute__((vector_size(32)));

static double run(int iterations) {
  constexpr int kChains = 12;
  v8 acc[kChains];
  v8 a, b;
  for (int j = 0; j < 8; ++j) {
    a[j] = 0.999999f;
    b[j] = 1e-7f;
  }
  for (int c = 0; c < kChains; ++c)
    acc[c] = a * float(c);
  for (int i = 0; i < iterations; ++i)
    for (int c = 0; c < kChains; ++c)
      acc[c] = acc[c] * a + b;
  float sink = 0;
  for (int c = 0; c < kChains; ++c)
    sink += acc[c][0];
  return double(sink); // keeps the loop alive
}

static double gflops(int threads) {
  const int iterations = 20'000'000;
  volatile double sink = 0;
  auto start = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads)
  sink = sink + run(iterations);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                           start)
                 .count();
  return 2.0 * 8 * 12 * double(iterations) * threads / s / 1e9;
}

int main() {
  int cores = omp_get_max_threads();
  gflops(cores); // warm-up
  std::printf("%.1f %.1f\n", gflops(cores), gflops(1));
}
