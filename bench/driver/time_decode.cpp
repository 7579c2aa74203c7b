// Times a mixir decode step (T = 1 from a state, the state updated in
// place) the way a server runs it: many sequences, each with its own state,
// so that a call's state is not in any cache when the call starts.
//   time_decode LIB.so FUNC KIND H K V STATE_MIB ROUNDS
// KIND: the kernel's signature,
//   gated_delta  FUNC(q, k, v, g, beta, h0, o, hT), g and beta [1,1,H]
//   channel      FUNC(q, k, v, g, h0, o, hT), g [1,1,H,K] (GLA)
// q, k [1,1,H,K], v and o [1,1,H,V], h0 and hT the same [1,H,K,V] buffer.
// Allocates ceil(STATE_MIB / state size) distinct states (each with its own
// inputs) and calls the kernel on them in turn, ROUNDS times over all of
// them after one warm-up round. Prints the median microseconds of a call,
// the bytes of state a call reads and writes (2 · H·K·V·4), and the number
// of states.
#include "../common/inputs.h"

#include <dlfcn.h>
#include <dlpack/dlpack.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

DLTensor tensor(float *data, int64_t *shape, int32_t ndim) {
  DLTensor t{};
  t.data = data;
  t.device = {kDLCPU, 0};
  t.ndim = ndim;
  t.dtype = {kDLFloat, 32, 1};
  t.shape = shape;
  return t;
}

/// One sequence's state and the inputs of its next token.
struct Sequence {
  std::vector<float> q, k, v, g, beta, o, state;
};

} // namespace

int main(int argc, char **argv) {
  if (argc != 9) {
    std::fprintf(stderr, "usage: time_decode LIB.so FUNC gated_delta|channel "
                         "H K V STATE_MIB ROUNDS\n");
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  void *fn = dlsym(lib, argv[2]);
  auto lastError =
      reinterpret_cast<const char *(*)()>(dlsym(lib, "mixir_last_error"));
  const std::string kind = argv[3];
  if (!fn || !lastError || (kind != "gated_delta" && kind != "channel")) {
    std::fprintf(stderr, "%s lacks %s, or unknown kind '%s'\n", argv[1],
                 argv[2], kind.c_str());
    return 2;
  }
  const int64_t H = std::atoll(argv[4]), K = std::atoll(argv[5]),
                V = std::atoll(argv[6]);
  const double stateBytes = double(H * K * V) * sizeof(float);
  const int64_t count = std::max<int64_t>(
      2, int64_t(std::ceil(std::atof(argv[7]) * (1 << 20) / stateBytes)));
  const int rounds = std::atoi(argv[8]);

  std::vector<Sequence> seqs(count);
  for (int64_t i = 0; i < count; ++i) {
    Sequence &s = seqs[i];
    const unsigned seed = unsigned(7 * i + 1);
    s.q = filled(H * K, seed, -1, 1);
    s.k = filled(H * K, seed + 1, -1, 1);
    normaliseRows(s.k, size_t(K)); // k_t L2-normalised per head
    s.v = filled(H * V, seed + 2, -1, 1);
    s.g = kind == "channel" ? filled(H * K, seed + 3, -0.1f, -0.01f)
                            : filled(H, seed + 3, -0.1f, -0.01f);
    s.beta = filled(H, seed + 4, 0.1f, 0.9f);
    s.o.assign(H * V, 0);
    s.state = filled(H * K * V, seed + 5, -0.1f, 0.1f);
  }

  int64_t qShape[4] = {1, 1, H, K}, vShape[4] = {1, 1, H, V},
          rowShape[3] = {1, 1, H}, stateShape[4] = {1, H, K, V};
  using P = DLTensor *;
  auto call = [&](Sequence &s) {
    DLTensor q = tensor(s.q.data(), qShape, 4),
             k = tensor(s.k.data(), qShape, 4),
             v = tensor(s.v.data(), vShape, 4),
             o = tensor(s.o.data(), vShape, 4),
             h0 = tensor(s.state.data(), stateShape, 4),
             hT = tensor(s.state.data(), stateShape, 4);
    if (kind == "channel") {
      DLTensor g = tensor(s.g.data(), qShape, 4);
      return reinterpret_cast<int32_t (*)(P, P, P, P, P, P, P)>(fn)(
          &q, &k, &v, &g, &h0, &o, &hT);
    }
    DLTensor g = tensor(s.g.data(), rowShape, 3),
             beta = tensor(s.beta.data(), rowShape, 3);
    return reinterpret_cast<int32_t (*)(P, P, P, P, P, P, P, P)>(fn)(
        &q, &k, &v, &g, &beta, &h0, &o, &hT);
  };

  for (Sequence &s : seqs) // warm-up round: pages touched, code loaded
    if (call(s) != 0) {
      std::fprintf(stderr, "kernel failed: %s\n", lastError());
      return 1;
    }
  std::vector<double> times;
  times.reserve(size_t(rounds) * count);
  for (int r = 0; r < rounds; ++r)
    for (Sequence &s : seqs) {
      auto start = std::chrono::steady_clock::now();
      call(s);
      times.push_back(std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count());
    }
  std::sort(times.begin(), times.end());
  std::printf("%.2f %.0f %lld\n", times[times.size() / 2] * 1e6,
              2 * stateBytes, static_cast<long long>(count));
}
