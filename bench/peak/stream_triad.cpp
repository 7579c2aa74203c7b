// STREAM's triad, a[i] = b[i] + s·c[i], on arrays far larger than the
// caches, with OpenMP over all threads: prints the best bandwidth in GB/s
// over REPS runs, counting 12 bytes per element (two reads, one write; the
// convention of McCalpin's STREAM, which does not count the write-allocate
// read). The element-wise recurrences' target is a fraction of this.
// Usage: stream_triad [MEGA_ELEMENTS=64] [REPS=10]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char **argv) {
  const long n = (argc > 1 ? std::atol(argv[1]) : 64) * (1L << 20);
  const int reps = argc > 2 ? std::atoi(argv[2]) : 10;
  std::vector<float> a(n), b(n), c(n);
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; ++i) {
    a[i] = 0;
    b[i] = 1;
    c[i] = 2;
  }
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    auto start = std::chrono::steady_clock::now();
    const float s = 3.0f;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i)
      a[i] = b[i] + s * c[i];
    best = std::min(best, std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - start)
                              .count());
  }
  std::printf("%.2f\n", 12.0 * n / best / 1e9 + 0 * a[n / 2]);
}
