"""PyTorch and JAX peers of mixir's element-wise recurrences (HGRN, minGRU,
RG-LRU, LRU) at B=1, one [T, D] sequence: prints the median seconds of REPS calls
after a warm-up call (compilation included in the warm-up only).

Each computes h_t = a_t * h_{t-1} + b_t from the mixer's inputs (the gates'
arithmetic included, as mixir's kernel does) in one of four ways:
  torch_logcumsumexp  the log-space parallel scan of the minGRU paper
                      (Feng et al., 2024, appendix): log h = A* +
                      logcumsumexp(log b - A*), A* = cumsum(log a); b > 0
                      here, as the benchmark's inputs are (complex logs for
                      LRU)
  torch_loop          a Python loop over the steps, eager PyTorch
  jax_scan            jax.lax.scan over the steps, jitted
  jax_associative     jax.lax.associative_scan with the affine combine
                      (a1, b1), (a2, b2) -> (a1 a2, a2 b1 + b2), jitted
Usage: recurrence.py --mixer hgrn|mingru|rglru|lru --T T --D D --impl IMPL
                     [--reps N] [--threads N]
"""
import argparse

import numpy as np

from timing import median_seconds


def inputs(T, D):
    rng = np.random.default_rng(0)
    u = lambda *shape: (0.05 + 0.9 * rng.random(shape)).astype(np.float32)
    return u(T, D), u(T, D), u(T, D), u(D)


def coefficients(xp, mixer, x1, x2, x3, lam):
    """(a, b) of h_t = a_t h_{t-1} + b_t, with xp = torch or jax.numpy."""
    if mixer == "hgrn":  # i = x1, f = x2
        return x2, (1 - x2) * x1
    if mixer == "mingru":  # z_pre = x1, htilde = x2
        z = 1 / (1 + xp.exp(-x1))
        return 1 - z, z * x2
    if mixer == "lru":  # bu_re = x1, bu_im = x2; exp(nu_log) = lam,
        # exp(theta_log) = pi lam: λ = exp(-lam + i pi lam), γ = sqrt(1 - |λ|²)
        nu, theta = lam, 3.14159265 * lam
        mod = xp.exp(-nu)
        gamma = xp.sqrt(-xp.expm1(-2 * nu))
        a = mod * xp.cos(theta) + 1j * (mod * xp.sin(theta))
        return xp.broadcast_to(a, x1.shape), gamma * x1 + 1j * (gamma * x2)
    # rglru: x = x1, r = x2, i = x3
    log_a = 8 * x2 * -xp.log1p(xp.exp(-lam))
    a = xp.exp(log_a)
    return a, xp.sqrt(-xp.expm1(2 * log_a)) * (x3 * x1)


def torch_impl(name, mixer, arrays, threads):
    import torch
    if threads:
        torch.set_num_threads(threads)
    x1, x2, x3, lam = (torch.from_numpy(v) for v in arrays)

    def logcumsumexp():
        a, b = coefficients(torch, mixer, x1, x2, x3, lam)
        a_star = torch.cumsum(torch.log(a), dim=0)
        return torch.exp(a_star + torch.logcumsumexp(torch.log(b) - a_star, dim=0))

    def loop():
        a, b = coefficients(torch, mixer, x1, x2, x3, lam)
        h = torch.zeros_like(b[0])
        out = torch.empty_like(b)
        for t in range(b.shape[0]):
            h = a[t] * h + b[t]
            out[t] = h
        return out

    return {"torch_logcumsumexp": logcumsumexp, "torch_loop": loop}[name]


def jax_impl(name, mixer, arrays, threads):
    import jax
    import jax.numpy as jnp
    x1, x2, x3, lam = (jnp.asarray(v) for v in arrays)

    def scan(x1, x2, x3, lam):
        a, b = coefficients(jnp, mixer, x1, x2, x3, lam)

        def step(h, ab):
            h = ab[0] * h + ab[1]
            return h, h

        return jax.lax.scan(step, jnp.zeros_like(b[0]), (a, b))[1]

    def associative(x1, x2, x3, lam):
        a, b = coefficients(jnp, mixer, x1, x2, x3, lam)
        combine = lambda l, r: (l[0] * r[0], r[0] * l[1] + r[1])
        return jax.lax.associative_scan(combine, (a, b))[1]

    fn = jax.jit({"jax_scan": scan, "jax_associative": associative}[name])
    return lambda: fn(x1, x2, x3, lam).block_until_ready()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mixer", required=True, choices=["hgrn", "mingru", "rglru", "lru"])
    p.add_argument("--impl", required=True)
    p.add_argument("--T", type=int, required=True)
    p.add_argument("--D", type=int, required=True)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=0)
    args = p.parse_args()
    arrays = inputs(args.T, args.D)
    make = torch_impl if args.impl.startswith("torch") else jax_impl
    call = make(args.impl, args.mixer, arrays, args.threads)
    call()  # warm-up (and compilation)
    print("%.6f" % median_seconds(call, args.reps))


if __name__ == "__main__":
    main()
