"""ggml's CPU ops (llama.cpp's tensor library) as benchmark peers.

Each mixer runs as one ggml graph holding the op llama.cpp uses for it, on
the CPU backend with --threads threads, and prints the median seconds of
--reps computations after one warm-up:

  gla             ggml_gated_linear_attn   (g given to it as exp(g): a factor)
  gated_deltanet  ggml_gated_delta_net     (a log decay per token and head)
  kda             ggml_gated_delta_net     (a log decay per key channel)
  mamba1          ggml_ssm_scan, A [D, N]  (then y += D_skip * x, as llama.cpp)
  mamba2          ggml_ssm_scan, A [H]     (per-head Bs, Cs; then y += D_h * x)
  rwkv7           ggml_rwkv_wkv7           (w given as exp(w); its a = kk and
                                            b = -(a * kk): the same transition)

Shapes follow the benchmark's ([B, T, H, K] rows, B sequences of T tokens
each): ggml's first dimension is the fastest, so a C-contiguous numpy array
[B, T, H, K] is ggml's {K, H, T, B}. The initial states are zero. ggml's
ssm_scan applies softplus to its dt itself; it is given softplus⁻¹ of the
delta the other variants take, so all compute the same mixer.

--check runs each op at small sizes against a float64 numpy recurrence of
the mixer (its docs/math.md statement) and prints the relative L2 errors.
Uses ggml-py (bench/peers/requirements.txt), which builds ggml from source.
"""
import argparse
import ctypes
import sys

import numpy as np
import ggml
import ggml.ggml as G
from timing import median_seconds

MIXERS = ("gla", "gated_deltanet", "kda", "mamba1", "mamba2", "rwkv7")
_lib = G.libs[0]
_T = ctypes.POINTER(G.ggml_tensor)


def _bind(name, nargs, extra=()):
    fn = getattr(_lib, name)
    fn.argtypes = [G.ggml_context_p_ctypes] + [_T] * nargs + list(extra)
    fn.restype = _T
    return fn


gated_linear_attn = _bind("ggml_gated_linear_attn", 5, [ctypes.c_float])
gated_delta_net = _bind("ggml_gated_delta_net", 6)
rwkv_wkv7 = _bind("ggml_rwkv_wkv7", 7)


class Graph:
    """A ggml context holding the inputs (copied from numpy) and one graph."""

    def __init__(self, nbytes):
        params = G.ggml_init_params(mem_size=nbytes + (64 << 20), mem_buffer=None,
                                    no_alloc=False)
        self.ctx = G.ggml_init(params)
        if not self.ctx:
            raise MemoryError("ggml_init failed")

    def tensor(self, array, type_=G.GGML_TYPE_F32):
        a = np.ascontiguousarray(array, dtype=np.int32 if type_ == G.GGML_TYPE_I32 else np.float32)
        ne = list(reversed(a.shape)) + [1] * (4 - a.ndim)
        t = G.ggml_new_tensor_4d(self.ctx, type_, *ne)
        ctypes.memmove(G.ggml_get_data(t), a.ctypes.data, a.nbytes)
        return t

    def build(self, out):
        self.out = out
        self.graph = G.ggml_new_graph(self.ctx)
        G.ggml_build_forward_expand(self.graph, out)

    def compute(self, threads):
        G.ggml_graph_compute_with_ctx(self.ctx, self.graph, threads)

    def result(self, count):
        ptr = ctypes.cast(G.ggml_get_data(self.out), ctypes.POINTER(ctypes.c_float))
        return np.ctypeslib.as_array(ptr, shape=(count,)).copy()

    def __del__(self):
        if getattr(self, "ctx", None):
            G.ggml_free(self.ctx)


def inputs(mixer, B, T, H, K, D, rng):
    """Inputs in the value ranges of bench/common/inputs.h."""
    if mixer == "gla":
        n = (B, T, H, K)
        return dict(q=rng.normal(0, .5, n), k=rng.normal(0, .5, n), v=rng.normal(0, .5, n),
                    g=rng.uniform(-.2, 0, n))
    if mixer in ("gated_deltanet", "kda"):
        n = (B, T, H, K)
        k = rng.normal(0, 1, n)
        k /= np.linalg.norm(k, axis=-1, keepdims=True)
        g = rng.uniform(-.2, 0, n if mixer == "kda" else (B, T, H))
        return dict(q=rng.normal(0, 1, n), k=k, v=rng.normal(0, 1, n), g=g,
                    beta=rng.uniform(.05, .95, (B, T, H)))
    if mixer == "mamba1":
        N = 16
        return dict(x=rng.uniform(-.5, .5, (B, T, D)), delta=rng.uniform(.01, .1, (B, T, D)),
                    A=rng.uniform(-1.5, -.5, (D, N)), Bm=rng.uniform(-.5, .5, (B, T, N)),
                    Cm=rng.uniform(-.5, .5, (B, T, N)), D=rng.uniform(-.5, .5, (D,)))
    if mixer == "mamba2":
        N = 128
        return dict(x=rng.uniform(-.5, .5, (B, T, H, K)), dt=rng.uniform(.01, .1, (B, T, H)),
                    A=rng.uniform(-1.5, -.5, (H,)), Bs=rng.uniform(-.5, .5, (B, T, H, N)),
                    Cs=rng.uniform(-.5, .5, (B, T, H, N)), D=rng.uniform(-.5, .5, (H,)))
    if mixer == "rwkv7":
        n = (B, T, H, K)
        kk = rng.uniform(-.5, .5, n)
        kk /= np.linalg.norm(kk, axis=-1, keepdims=True)
        return dict(r=rng.uniform(-.5, .5, n), w=rng.uniform(-.2, 0, n), k=rng.uniform(-.5, .5, n),
                    v=rng.uniform(-.5, .5, n), kk=kk, a=rng.uniform(.05, .95, n))
    raise ValueError(mixer)


def graph(mixer, x):
    """The ggml graph of `mixer` on inputs `x`; returns (graph, output count)."""
    nbytes = sum(v.size for v in x.values()) * 4 * 3
    g = Graph(nbytes)
    if mixer == "gla":
        B, T, H, K = x["q"].shape
        # Sequences are concatenated along ggml's token dimension.
        flat = lambda a: a.reshape(B * T, H, K)
        state = g.tensor(np.zeros((B, H * K * K)))
        out = gated_linear_attn(g.ctx, g.tensor(flat(x["k"])), g.tensor(flat(x["v"])),
                                g.tensor(flat(x["q"])), g.tensor(flat(np.exp(x["g"]))),
                                state, 1.0 / np.sqrt(K))
        g.build(out)
        return g, B * T * H * K
    if mixer in ("gated_deltanet", "kda"):
        B, T, H, K = x["q"].shape
        gate = x["g"] if mixer == "kda" else x["g"][..., None]
        out = gated_delta_net(g.ctx, g.tensor(x["q"]), g.tensor(x["k"]), g.tensor(x["v"]),
                              g.tensor(gate), g.tensor(x["beta"][..., None]),
                              g.tensor(np.zeros((B, H, K, K))))
        g.build(out)
        return g, B * T * H * K
    if mixer == "mamba1":
        B, T, D = x["x"].shape
        N = x["A"].shape[1]
        # Mamba-1 in ggml: one "head" per channel of head size 1, A [D, N].
        dt_raw = np.log(np.expm1(x["delta"]))  # softplus⁻¹: ggml applies softplus
        xs = g.tensor(x["x"].reshape(B, T, D, 1))
        y = G.ggml_ssm_scan(g.ctx, g.tensor(np.zeros((B, D, 1, N))), xs,
                            g.tensor(dt_raw), g.tensor(x["A"]),
                            g.tensor(x["Bm"].reshape(B, T, 1, N)),
                            g.tensor(x["Cm"].reshape(B, T, 1, N)),
                            g.tensor(np.arange(B), G.GGML_TYPE_I32))
        # The op's result holds y and then the final states; y + D ⊙ x.
        y = G.ggml_view_4d(g.ctx, y, 1, D, T, B, 4, 4 * D, 4 * D * T, 0)
        skip = G.ggml_mul(g.ctx, xs, g.tensor(x["D"].reshape(D, 1)))
        g.build(G.ggml_add(g.ctx, y, skip))
        return g, B * T * D
    if mixer == "mamba2":
        B, T, H, P = x["x"].shape
        N = x["Bs"].shape[-1]
        xs = g.tensor(x["x"])
        y = G.ggml_ssm_scan(g.ctx, g.tensor(np.zeros((B, H, P, N))), xs,
                            g.tensor(np.log(np.expm1(x["dt"]))), g.tensor(x["A"].reshape(H, 1)),
                            g.tensor(x["Bs"]), g.tensor(x["Cs"]),
                            g.tensor(np.arange(B), G.GGML_TYPE_I32))
        y = G.ggml_view_4d(g.ctx, y, P, H, T, B, 4 * P, 4 * P * H, 4 * P * H * T, 0)
        skip = G.ggml_mul(g.ctx, xs, g.tensor(x["D"].reshape(H, 1)))
        g.build(G.ggml_add(g.ctx, y, skip))
        return g, B * T * H * P
    if mixer == "rwkv7":
        B, T, H, K = x["r"].shape
        flat = lambda a: g.tensor(a.reshape(B * T, H, K))
        out = rwkv_wkv7(g.ctx, flat(x["r"]), flat(np.exp(x["w"])), flat(x["k"]), flat(x["v"]),
                        flat(x["kk"]), flat(-x["a"] * x["kk"]), g.tensor(np.zeros((B, H * K * K))))
        g.build(out)
        return g, B * T * H * K
    raise ValueError(mixer)


def per_head(out_shape, state_shape, step):
    """Runs step(S, b, t, h) -> (new S, output row) over the tokens of every
    (batch, head) in order from S = 0; returns the outputs [B, T, H, ...]
    flattened."""
    B, T, H = out_shape[:3]
    o = np.zeros(out_shape)
    for b in range(B):
        for h in range(H):
            S = np.zeros(state_shape)
            for t in range(T):
                S, o[b, t, h] = step(S, b, t, h)
    return o.ravel()


def reference(mixer, x):
    """The mixer's recurrence in float64 numpy (the oracle of --check)."""
    if mixer == "gla":
        B, T, H, K = x["q"].shape

        def step(S, b, t, h):
            S = np.exp(x["g"][b, t, h])[:, None] * S + np.outer(x["k"][b, t, h], x["v"][b, t, h])
            return S, S.T @ x["q"][b, t, h] / np.sqrt(K)
        return per_head((B, T, H, K), (K, K), step)
    if mixer in ("gated_deltanet", "kda"):
        B, T, H, K = x["q"].shape

        def step(S, b, t, h):
            k, beta = x["k"][b, t, h], x["beta"][b, t, h]
            decay = np.exp(x["g"][b, t, h])
            S = (decay[:, None] if mixer == "kda" else decay) * S
            S = S + beta * np.outer(k, x["v"][b, t, h] - S.T @ k)
            return S, S.T @ x["q"][b, t, h] / np.sqrt(K)
        return per_head((B, T, H, K), (K, K), step)
    if mixer == "mamba1":
        B, T, D = x["x"].shape
        y = np.zeros((B, T, D))
        for b in range(B):
            h = np.zeros_like(x["A"])
            for t in range(T):
                dl = x["delta"][b, t][:, None]
                h = np.exp(dl * x["A"]) * h + dl * x["Bm"][b, t][None, :] * x["x"][b, t][:, None]
                y[b, t] = h @ x["Cm"][b, t] + x["D"] * x["x"][b, t]
        return y.ravel()
    if mixer == "mamba2":
        B, T, H, P = x["x"].shape

        def step(S, b, t, h):
            dt = x["dt"][b, t, h]
            S = np.exp(dt * x["A"][h]) * S + dt * np.outer(x["Bs"][b, t, h], x["x"][b, t, h])
            return S, S.T @ x["Cs"][b, t, h] + x["D"][h] * x["x"][b, t, h]
        return per_head((B, T, H, P), (x["Bs"].shape[-1], P), step)
    if mixer == "rwkv7":
        B, T, H, K = x["r"].shape

        def step(S, b, t, h):
            kk, a = x["kk"][b, t, h], x["a"][b, t, h]
            M = np.diag(np.exp(x["w"][b, t, h])) - np.outer(a * kk, kk)
            S = M @ S + np.outer(x["k"][b, t, h], x["v"][b, t, h])
            return S, S.T @ x["r"][b, t, h]
        return per_head((B, T, H, K), (K, K), step)
    raise ValueError(mixer)


def check(threads):
    rng = np.random.default_rng(7)
    worst = 0.0
    for mixer in MIXERS:
        # K = 64: ggml's vectorised wkv7 steps over the head 64 floats at a
        # time (4 AVX-512 vectors) and assumes a multiple of that.
        x = inputs(mixer, 2, 37, 3, 64, 24, rng)
        g, n = graph(mixer, x)
        g.compute(threads)
        got, ref = g.result(n), reference(mixer, x)
        err = np.linalg.norm(got - ref) / np.linalg.norm(ref)
        worst = max(worst, err)
        print("%-15s relative L2 error %.2e" % (mixer, err))
    return 0 if worst < 1e-4 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mixer", choices=MIXERS)
    p.add_argument("--B", type=int, default=1)
    p.add_argument("--T", type=int, default=4096)
    p.add_argument("--H", type=int, default=8)
    p.add_argument("--K", type=int, default=128)
    p.add_argument("--D", type=int, default=1536)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--check", action="store_true")
    a = p.parse_args()
    if a.check:
        return check(a.threads)
    if a.mixer is None:
        p.error("--mixer is required without --check")
    x = inputs(a.mixer, a.B, a.T, a.H, a.K, a.D, np.random.default_rng(0))
    g, _ = graph(a.mixer, x)
    g.compute(a.threads)  # warm-up
    print("%.6f" % median_seconds(lambda: g.compute(a.threads), a.reps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
