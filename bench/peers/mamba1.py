"""PyTorch and JAX peers of mixir's Mamba-1 selective scan at B=1, one
[T, D] sequence with N = 16 states per channel: prints the median seconds of
REPS calls after a warm-up call (compilation included in the warm-up only).

Each computes, from the mixer's inputs (Gu and Dao, 2023, algorithm 2),
  h_t[d, n] = exp(delta_t[d] A[d, n]) h_{t-1}[d, n] + delta_t[d] B_t[n] x_t[d]
  y_t[d]    = sum_n C_t[n] h_t[d, n] + D[d] x_t[d]
in one of three ways:
  torch_loop       mamba_ssm's selective_scan_ref loop over the steps in
                   eager PyTorch, with each step's exp(delta A) and
                   delta B x formed in the step (the reference forms them
                   for all steps first: [D, T, N] each, 6.4 GB at T=65536)
  jax_scan         jax.lax.scan over the steps, the same step, jitted
  jax_associative  jax.lax.associative_scan of (exp(delta A), delta B x)
                   with the affine combine, jitted; it holds [T, D, N]
                   arrays, so it runs only while they fit (T <= 16384)
Usage: mamba1.py --T T --D D --impl IMPL [--reps N] [--threads N]
       mamba1.py --check: compares each with a float64 loop (small sizes)
"""
import argparse

import numpy as np

from timing import median_seconds

N = 16


def inputs(T, D):
    rng = np.random.default_rng(0)
    u = lambda lo, hi, *shape: (lo + (hi - lo) * rng.random(shape)).astype(np.float32)
    return (u(-0.5, 0.5, T, D), u(0.01, 0.1, T, D), u(-1.5, -0.5, D, N),
            u(-0.5, 0.5, T, N), u(-0.5, 0.5, T, N), u(-0.5, 0.5, D))


def torch_impl(name, arrays, threads):
    import torch
    if threads:
        torch.set_num_threads(threads)
    x, delta, A, Bm, Cm, Dk = (torch.from_numpy(v) for v in arrays)

    def loop():
        h = torch.zeros(A.shape)
        ys = []
        for t in range(x.shape[0]):
            dA = torch.exp(delta[t, :, None] * A)
            h = dA * h + (delta[t] * x[t])[:, None] * Bm[t]
            ys.append(h @ Cm[t])
        return torch.stack(ys) + Dk * x

    return {"torch_loop": loop}[name]


def jax_impl(name, arrays, threads):
    import jax
    import jax.numpy as jnp
    args = tuple(jnp.asarray(v) for v in arrays)

    def scan(x, delta, A, Bm, Cm, Dk):
        def step(h, inp):
            xt, dt, bt, ct = inp
            h = jnp.exp(dt[:, None] * A) * h + (dt * xt)[:, None] * bt
            return h, h @ ct

        return jax.lax.scan(step, jnp.zeros(A.shape), (x, delta, Bm, Cm))[1] + Dk * x

    def associative(x, delta, A, Bm, Cm, Dk):
        a = jnp.exp(delta[:, :, None] * A)
        b = (delta * x)[:, :, None] * Bm[:, None, :]
        combine = lambda l, r: (l[0] * r[0], r[0] * l[1] + r[1])
        h = jax.lax.associative_scan(combine, (a, b))[1]
        return jnp.einsum("tdn,tn->td", h, Cm) + Dk * x

    fn = jax.jit({"jax_scan": scan, "jax_associative": associative}[name])
    return lambda: fn(*args).block_until_ready()


def reference(arrays):
    x, delta, A, Bm, Cm, Dk = (v.astype(np.float64) for v in arrays)
    h = np.zeros(A.shape)
    y = np.empty(x.shape)
    for t in range(x.shape[0]):
        h = np.exp(delta[t, :, None] * A) * h + (delta[t] * x[t])[:, None] * Bm[t]
        y[t] = h @ Cm[t] + Dk * x[t]
    return y


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--impl")
    p.add_argument("--T", type=int, default=64)
    p.add_argument("--D", type=int, default=64)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--check", action="store_true")
    args = p.parse_args()
    arrays = inputs(args.T, args.D)
    if args.check:
        ref = reference(arrays)
        for impl in ["torch_loop", "jax_scan", "jax_associative"]:
            make = torch_impl if impl.startswith("torch") else jax_impl
            got = np.asarray(make(impl, arrays, args.threads)(), dtype=np.float64)
            err = np.linalg.norm(got - ref) / np.linalg.norm(ref)
            print("%-16s relative L2 error %.2e" % (impl, err))
        return
    make = torch_impl if args.impl.startswith("torch") else jax_impl
    call = make(args.impl, arrays, args.threads)
    call()  # warm-up (and compilation)
    print("%.6f" % median_seconds(call, args.reps))


if __name__ == "__main__":
    main()
