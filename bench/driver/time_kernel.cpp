// Times a mixir GLA kernel in its own process:
// time_kernel LIB.so FUNC B T REPS [H [D [channel|none]]] (H = 8, K = V = D =
// 128 and a per-channel gate g by default; `none`: FUNC(q, k, v, o), linear
// attention)
// prints the median seconds of REPS calls after one warm-up call.
#include "../common/inputs.h"

#include <dlfcn.h>
#include <dlpack/dlpack.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

static DLTensor tensor(std::vector<float> &data, int64_t *shape) {
  DLTensor t{};
  t.data = data.data();
  t.device = {kDLCPU, 0};
  t.ndim = 4;
  t.dtype = {kDLFloat, 32, 1};
  t.shape = shape;
  return t;
}

int main(int argc, char **argv) {
  if (argc < 6 || argc > 9) {
    std::fprintf(stderr,
                 "usage: time_kernel LIB.so FUNC B T REPS [H [D [channel|none]]]\n");
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  using GatedFn = int32_t (*)(DLTensor *, DLTensor *, DLTensor *, DLTensor *,
                              DLTensor *);
  using UngatedFn = int32_t (*)(DLTensor *, DLTensor *, DLTensor *, DLTensor *);
  const bool gated = argc < 9 || std::string(argv[8]) != "none";
  void *fn = dlsym(lib, argv[2]);
  auto lastError =
      reinterpret_cast<const char *(*)()>(dlsym(lib, "mixir_last_error"));
  if (!fn || !lastError) {
    std::fprintf(stderr, "%s lacks %s\n", argv[1], argv[2]);
    return 2;
  }
  GlaInputs x = makeGlaInputs(std::atoll(argv[3]), std::atoll(argv[4]),
                              argc >= 7 ? std::atoll(argv[6]) : 8,
                              argc >= 8 ? std::atoll(argv[7]) : 128,
                              argc >= 8 ? std::atoll(argv[7]) : 128);
  int64_t shape[4] = {x.B, x.T, x.H, x.K};
  DLTensor q = tensor(x.q, shape), k = tensor(x.k, shape),
           v = tensor(x.v, shape), g = tensor(x.g, shape),
           o = tensor(x.o, shape);
  auto call = [&] {
    return gated ? reinterpret_cast<GatedFn>(fn)(&q, &k, &v, &g, &o)
                 : reinterpret_cast<UngatedFn>(fn)(&q, &k, &v, &o);
  };
  if (call() != 0) {
    std::fprintf(stderr, "kernel failed: %s\n", lastError());
    return 1;
  }
  std::vector<double> times;
  for (int r = 0, n = std::atoi(argv[5]); r < n; ++r) {
    auto start = std::chrono::steady_clock::now();
    call();
    times.push_back(std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  std::sort(times.begin(), times.end());
  std::printf("%.6f\n", times[times.size() / 2]);
}
