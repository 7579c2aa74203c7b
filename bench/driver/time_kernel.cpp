// Times a mixir kernel in its own process:
// time_kernel LIB.so FUNC B T REPS [H [D [KIND]]] (H = 8, K = V = D = 128)
// KIND: the kernel's signature and inputs,
//   channel        FUNC(q, k, v, g, o), g per key channel (GLA; the default)
//   none           FUNC(q, k, v, o) (linear attention)
//   gated_delta    FUNC(q, k, v, g, beta, o), g per token (Gated DeltaNet)
//   kda            FUNC(q, k, v, g, beta, o), g per key channel (KDA)
//   attention      FUNC(q, k, v, o), q [B,T,H,D], k and v [B,T,H/4,D]
//   attention_doc  FUNC(q, k, v, doc, o), the same with doc [B,T] i32
//   attention_decode  FUNC(q, k, v, o), one query q [B,1,H,D] against k and
//                  v [B,T,H/4,D]
//   hgrn           FUNC(i, f, o), each [B,T,D] (H unused)
//   mingru         FUNC(z_pre, htilde, h0, h, hT): [B,T,D] but h0, hT [B,D]
//   rglru          FUNC(x, r, i, lam, o): [B,T,D] but lam [D]
//   lru            FUNC(bu_re, bu_im, nu_log, theta_log, o_re, o_im): [B,T,D]
//                  but nu_log, theta_log [D]
//   lstm           FUNC(xg, U, h0, c0, h, hT, cT): xg [B,T,4D], U [4D,D],
//                  h [B,T,D], the states [B,D] (D: the hidden size)
//   gru            FUNC(xg, U, bh, h0, h): xg [B,T,3D], U [3D,D], bh [3D],
//                  h0 [B,D], h [B,T,D]
//   mamba1         FUNC(x, delta, A, Bm, Cm, D, y): x, delta, y [B,T,D],
//                  A [D,16], Bm, Cm [B,T,16], D [D]
//   mamba2         FUNC(x, dt, A, Bs, Cs, D, y): x, y [B,T,H,D], dt [B,T,H],
//                  A and D [H], Bs and Cs [B,T,H,128]
//   rwkv7          FUNC(r, w, k, v, kk, a, o), each [B,T,H,D]
// prints the median seconds of REPS calls after one warm-up call.
#include "../common/inputs.h"

#include <dlfcn.h>
#include <dlpack/dlpack.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

static DLTensor tensor(std::vector<float> &data, int64_t *shape,
                       int32_t ndim = 4) {
  DLTensor t{};
  t.data = data.data();
  t.device = {kDLCPU, 0};
  t.ndim = ndim;
  t.dtype = {kDLFloat, 32, 1};
  t.shape = shape;
  return t;
}

/// The median seconds of `reps` calls of `call` after one warm-up call, or
/// a negative number if a call fails.
template <typename Call> static double timeCalls(Call call, int reps) {
  if (call() != 0)
    return -1;
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    auto start = std::chrono::steady_clock::now();
    call();
    times.push_back(std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int main(int argc, char **argv) {
  if (argc < 6 || argc > 9) {
    std::fprintf(stderr, "usage: time_kernel LIB.so FUNC B T REPS [H [D "
                         "[channel|none|gated_delta|kda|attention|attention_doc|"
                         "attention_decode|hgrn|mingru|rglru|lru|lstm|gru|mamba1|"
                         "mamba2|rwkv7]]]\n");
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  const std::string kind = argc < 9 ? "channel" : argv[8];
  void *fn = dlsym(lib, argv[2]);
  auto lastError =
      reinterpret_cast<const char *(*)()>(dlsym(lib, "mixir_last_error"));
  if (!fn || !lastError) {
    std::fprintf(stderr, "%s lacks %s\n", argv[1], argv[2]);
    return 2;
  }
  const int64_t B = std::atoll(argv[3]), T = std::atoll(argv[4]);
  const int64_t H = argc >= 7 ? std::atoll(argv[6]) : 8;
  const int64_t D = argc >= 8 ? std::atoll(argv[7]) : 128;
  const int reps = std::atoi(argv[5]);
  using P = DLTensor *;
  double seconds;
  if (kind == "channel" || kind == "none") {
    GlaInputs x = makeGlaInputs(B, T, H, D, D);
    int64_t shape[4] = {x.B, x.T, x.H, x.K};
    DLTensor q = tensor(x.q, shape), k = tensor(x.k, shape),
             v = tensor(x.v, shape), g = tensor(x.g, shape),
             o = tensor(x.o, shape);
    seconds = timeCalls(
        [&] {
          return kind == "none"
                     ? reinterpret_cast<int32_t (*)(P, P, P, P)>(fn)(&q, &k,
                                                                   &v, &o)
                     : reinterpret_cast<int32_t (*)(P, P, P, P, P)>(fn)(
                           &q, &k, &v, &g, &o);
        },
        reps);
  } else if (kind == "gated_delta" || kind == "kda") {
    DeltaInputs x = makeDeltaInputs(B, T, H, D, D, kind == "kda");
    int64_t shape[4] = {x.B, x.T, x.H, x.K}, rows[3] = {x.B, x.T, x.H};
    DLTensor q = tensor(x.q, shape), k = tensor(x.k, shape),
             v = tensor(x.v, shape), o = tensor(x.o, shape),
             g = kind == "kda" ? tensor(x.g, shape) : tensor(x.g, rows, 3),
             beta = tensor(x.beta, rows, 3);
    seconds = timeCalls(
        [&] {
          return reinterpret_cast<int32_t (*)(P, P, P, P, P, P)>(fn)(
              &q, &k, &v, &g, &beta, &o);
        },
        reps);
  } else if (kind == "attention" || kind == "attention_doc" ||
             kind == "attention_decode") {
    AttentionInputs x = makeAttentionInputs(B, T, H, H / 4, D);
    const int64_t Tq = kind == "attention_decode" ? 1 : T;
    int64_t qShape[4] = {B, Tq, H, D}, kvShape[4] = {B, T, H / 4, D},
            docShape[2] = {B, T};
    DLTensor q = tensor(x.q, qShape), k = tensor(x.k, kvShape),
             v = tensor(x.v, kvShape), o = tensor(x.o, qShape);
    DLTensor doc{};
    doc.data = x.doc.data();
    doc.device = {kDLCPU, 0};
    doc.ndim = 2;
    doc.dtype = {kDLInt, 32, 1};
    doc.shape = docShape;
    seconds = timeCalls(
        [&] {
          return kind != "attention_doc"
                     ? reinterpret_cast<int32_t (*)(P, P, P, P)>(fn)(&q, &k,
                                                                   &v, &o)
                     : reinterpret_cast<int32_t (*)(P, P, P, P, P)>(fn)(
                           &q, &k, &v, &doc, &o);
        },
        reps);
  } else if (kind == "hgrn" || kind == "mingru" || kind == "rglru" ||
             kind == "lru") {
    // Element-wise recurrences: every input in (0.05, 0.95) (gates and
    // rates stay in range), D channels.
    const size_t n = size_t(B * T * D);
    auto filled = [](size_t count, unsigned seed) {
      std::vector<float> v(count);
      uint32_t s = seed * 2654435761u + 1;
      for (float &x : v) {
        s = s * 1664525u + 1013904223u;
        x = 0.05f + 0.9f * float(s >> 8) / float(1u << 24);
      }
      return v;
    };
    std::vector<float> a = filled(n, 1), b = filled(n, 2), c = filled(n, 3),
                       o(n), o2(n), lam = filled(size_t(D), 4),
                       lam2 = filled(size_t(D), 6),
                       h0 = filled(size_t(B * D), 5), hT(size_t(B * D));
    int64_t full[3] = {B, T, D}, state[2] = {B, D}, channels[1] = {D};
    DLTensor ta = tensor(a, full, 3), tb = tensor(b, full, 3),
             tc = tensor(c, full, 3), to = tensor(o, full, 3),
             to2 = tensor(o2, full, 3), tl = tensor(lam, channels, 1),
             tl2 = tensor(lam2, channels, 1), th0 = tensor(h0, state, 2),
             thT = tensor(hT, state, 2);
    seconds = timeCalls(
        [&] {
          if (kind == "hgrn")
            return reinterpret_cast<int32_t (*)(P, P, P)>(fn)(&ta, &tb, &to);
          if (kind == "mingru")
            return reinterpret_cast<int32_t (*)(P, P, P, P, P)>(fn)(
                &ta, &tb, &th0, &to, &thT);
          if (kind == "lru")
            return reinterpret_cast<int32_t (*)(P, P, P, P, P, P)>(fn)(
                &ta, &tb, &tl, &tl2, &to, &to2);
          return reinterpret_cast<int32_t (*)(P, P, P, P, P)>(fn)(
              &ta, &tb, &tc, &tl, &to);
        },
        reps);
  } else if (kind == "lstm" || kind == "gru") {
    // Gated RNN cells: G = 4 (LSTM) or 3 (GRU) gates of D; inputs in
    // (-0.5, 0.5), U scaled by 1/sqrt(D) so the gates stay in range.
    const int64_t G = kind == "lstm" ? 4 : 3;
    auto filled = [](size_t count, unsigned seed, float scale) {
      std::vector<float> v(count);
      uint32_t s = seed * 2654435761u + 1;
      for (float &x : v) {
        s = s * 1664525u + 1013904223u;
        x = scale * (float(s >> 8) / float(1u << 24) - 0.5f);
      }
      return v;
    };
    std::vector<float> xg = filled(size_t(B * T * G * D), 1, 1.0f),
                       U = filled(size_t(G * D * D), 2,
                                  2.0f / std::sqrt(float(D))),
                       bh = filled(size_t(G * D), 3, 0.2f),
                       h0 = filled(size_t(B * D), 4, 1.0f),
                       c0 = filled(size_t(B * D), 5, 1.0f),
                       h(size_t(B * T * D)), hT(size_t(B * D)),
                       cT(size_t(B * D));
    int64_t xShape[3] = {B, T, G * D}, uShape[2] = {G * D, D},
            bShape[1] = {G * D}, state[2] = {B, D}, hShape[3] = {B, T, D};
    DLTensor txg = tensor(xg, xShape, 3), tU = tensor(U, uShape, 2),
             tbh = tensor(bh, bShape, 1), th0 = tensor(h0, state, 2),
             tc0 = tensor(c0, state, 2), th = tensor(h, hShape, 3),
             thT = tensor(hT, state, 2), tcT = tensor(cT, state, 2);
    seconds = timeCalls(
        [&] {
          if (kind == "lstm")
            return reinterpret_cast<int32_t (*)(P, P, P, P, P, P, P)>(fn)(
                &txg, &tU, &th0, &tc0, &th, &thT, &tcT);
          return reinterpret_cast<int32_t (*)(P, P, P, P, P)>(fn)(
              &txg, &tU, &tbh, &th0, &th);
        },
        reps);
  } else if (kind == "mamba1") {
    // Mamba-1's selective scan, N = 16 states per channel: delta in
    // (0.01, 0.1) (after its softplus), A in (-1.5, -0.5), the rest in
    // (-0.5, 0.5).
    const int64_t N = 16;
    const size_t n = size_t(B * T * D), nb = size_t(B * T * N);
    std::vector<float> x = filled(n, 1, -0.5f, 0.5f),
                       delta = filled(n, 2, 0.01f, 0.1f),
                       A = filled(size_t(D * N), 3, -1.5f, -0.5f),
                       Bm = filled(nb, 4, -0.5f, 0.5f),
                       Cm = filled(nb, 5, -0.5f, 0.5f),
                       Dskip = filled(size_t(D), 6, -0.5f, 0.5f), y(n);
    int64_t full[3] = {B, T, D}, aShape[2] = {D, N}, bShape[3] = {B, T, N},
            dShape[1] = {D};
    DLTensor tx = tensor(x, full, 3), tdelta = tensor(delta, full, 3),
             tA = tensor(A, aShape, 2), tB = tensor(Bm, bShape, 3),
             tC = tensor(Cm, bShape, 3), tD = tensor(Dskip, dShape, 1),
             ty = tensor(y, full, 3);
    seconds = timeCalls(
        [&] {
          return reinterpret_cast<int32_t (*)(P, P, P, P, P, P, P)>(fn)(
              &tx, &tdelta, &tA, &tB, &tC, &tD, &ty);
        },
        reps);
  } else if (kind == "mamba2") {
    // Mamba-2 / SSD, H heads of P = D channels, N = 128 states per head
    // (per-head Bs and Cs): dt in (0.01, 0.1), A in (-1.5, -0.5).
    const int64_t N = 128;
    const size_t n = size_t(B * T * H * D), nb = size_t(B * T * H * N);
    std::vector<float> x = filled(n, 1, -0.5f, 0.5f),
                       dt = filled(size_t(B * T * H), 2, 0.01f, 0.1f),
                       A = filled(size_t(H), 3, -1.5f, -0.5f),
                       Bs = filled(nb, 4, -0.5f, 0.5f),
                       Cs = filled(nb, 5, -0.5f, 0.5f),
                       Dskip = filled(size_t(H), 6, -0.5f, 0.5f), y(n);
    int64_t xShape[4] = {B, T, H, D}, dtShape[3] = {B, T, H},
            hShape[1] = {H}, bShape[4] = {B, T, H, N};
    DLTensor tx = tensor(x, xShape), tdt = tensor(dt, dtShape, 3),
             tA = tensor(A, hShape, 1), tB = tensor(Bs, bShape),
             tC = tensor(Cs, bShape), tD = tensor(Dskip, hShape, 1),
             ty = tensor(y, xShape);
    seconds = timeCalls(
        [&] {
          return reinterpret_cast<int32_t (*)(P, P, P, P, P, P, P)>(fn)(
              &tx, &tdt, &tA, &tB, &tC, &tD, &ty);
        },
        reps);
  } else if (kind == "rwkv7") {
    // RWKV-7, H heads of K = V = D: w in (-0.2, 0) (log decay), kk
    // L2-normalised rows, a in (0.05, 0.95), the rest in (-0.5, 0.5).
    const size_t n = size_t(B * T * H * D);
    std::vector<float> r = filled(n, 1, -0.5f, 0.5f),
                       w = filled(n, 2, -0.2f, 0.f),
                       k = filled(n, 3, -0.5f, 0.5f),
                       v = filled(n, 4, -0.5f, 0.5f),
                       kk = filled(n, 5, -0.5f, 0.5f),
                       a = filled(n, 6, 0.05f, 0.95f), o(n);
    normaliseRows(kk, size_t(D));
    int64_t shape[4] = {B, T, H, D};
    DLTensor tr = tensor(r, shape), tw = tensor(w, shape),
             tk = tensor(k, shape), tv = tensor(v, shape),
             tkk = tensor(kk, shape), ta = tensor(a, shape),
             to = tensor(o, shape);
    seconds = timeCalls(
        [&] {
          return reinterpret_cast<int32_t (*)(P, P, P, P, P, P, P)>(fn)(
              &tr, &tw, &tk, &tv, &tkk, &ta, &to);
        },
        reps);
  } else {
    std::fprintf(stderr, "time_kernel: unknown kind '%s'\n", kind.c_str());
    return 2;
  }
  if (seconds < 0) {
    std::fprintf(stderr, "kernel failed: %s\n", lastError());
    return 1;
  }
  std::printf("%.6f\n", seconds);
}
