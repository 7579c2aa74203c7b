#!/usr/bin/env python3
"""PyTorch peers for the delta-rule benchmark (CPU, float32).

Run with the benchmark's own virtual environment (bench/peers/requirements.txt):

  build/bench-venv/bin/python bench/peers/torch_delta.py \
      --mixer gated_deltanet|deltanet|kda --B 1 --T 4096 --H 8 --K 128 --V 128 \
      --reps 7 --threads N --impl transformers_chunk|fla_naive_chunk|torch_recurrent

prints the median seconds of `reps` calls (after one warm-up) as one number on
stdout. With --check it instead runs the chosen implementation and this file's
token-by-token recurrence at T=64 and prints the largest relative L2
difference of the outputs over the (b, h) heads. Errors go to stderr with a
non-zero exit.

Semantics computed (the same as mixir's `mixer.semiseparable ... {delta_rule}`,
bench/gated_deltanet_bench.mlir and bench/kda_bench.mlir), per (b, h), with the
state S_t of shape [K, V]:

  S_t = (I - beta_t k_t k_tᵀ) diag(exp(g_t)) S_{t-1} + beta_t k_t v_tᵀ
  o_t = K^-1/2 · S_tᵀ q_t

g is [B,T,H] (gated_deltanet: one log-decay per token and head), [B,T,H,K]
(kda: one per key channel) or absent (deltanet: g = 0).

Conventions checked against the installed sources (transformers 5.23.0,
flash-linear-attention / fla-core 0.6.0):

* Layout: every library entry point used here takes [B, T, H, D] (q, k, v),
  [B, T, H] (beta, and g for GDN), [B, T, H, K] (g for KDA), i.e. mixir's
  layout, except fla's `delta_rule_chunkwise` (plain DeltaNet), which takes
  [B, H, T, D] and beta [B, H, T] and returns o as [B, H, T, V]: we
  transpose in and out around it, inside the timed call (the other functions
  make the same [B, H, T, D] copies internally). The others return o as
  [B, T, H, V].
* State: all keep S as [B, H, K, V] and read o_t = q_tᵀ S_t (= S_tᵀ q_t),
  the same orientation as mixir.
* Scale: all multiply q by K^-1/2 themselves (transformers always; fla's
  naive functions when scale=None, which we leave at its default). We pass
  q un-scaled.
* Gate: g is the natural log of the decay; the state is multiplied by
  exp(g) before the delta update (the decay is applied first, then
  S += beta k (v - Sᵀk)ᵀ, i.e. (I - beta k kᵀ) diag(exp g) S + beta k vᵀ).
  No sign flip and no exp/softplus re-parametrisation inside these
  functions. For a per-token gate exp(g) commutes with (I - beta k kᵀ).
* No L2 normalisation inside: transformers' `use_qk_l2norm_in_kernel` is
  left False; q and k are normalised here when the inputs are built.
* transformers wraps `torch_chunk_gated_delta_rule` (qwen3_next) and
  `chunk_kimi_delta_attention` (kimi_linear) in
  `use_kernel_func_from_hub_with_fallback`, which, when fla is installed,
  dispatches to fla's Triton kernels (GPU only). We call the pure-PyTorch
  function under the wrapper (`inspect.unwrap`) and check that its code
  lives in transformers' modeling file.
* Every chunked implementation runs with chunk_size=64 (fla's
  delta_rule_chunkwise defaults to 32). fla's naive chunk functions assert
  T % 64 == 0 (KDA, DeltaNet) or pad (GDN).
* --check verified all of this numerically: each library call agrees with
  the float64 recurrence below to ~3e-7 (relative L2) for all three mixers,
  while a negated gate gives ~60 and q scaled twice gives 1.0.
"""

import argparse
import inspect
import os
import sys

from timing import median_seconds

IMPLS = ("transformers_chunk", "fla_naive_chunk", "torch_recurrent")
MIXERS = ("gated_deltanet", "deltanet", "kda")
CHUNK = 64


def fail(msg, code=1):
    print(f"torch_delta.py: {msg}", file=sys.stderr)
    sys.exit(code)


def make_inputs(torch, mixer, B, T, H, K, V, dtype, seed=43):
    """Deterministic inputs, layout [B, T, H, D]."""
    gen = torch.Generator().manual_seed(seed)
    q = torch.randn(B, T, H, K, generator=gen, dtype=torch.float32)
    k = torch.randn(B, T, H, K, generator=gen, dtype=torch.float32)
    v = torch.randn(B, T, H, V, generator=gen, dtype=torch.float32)
    q = q / q.norm(dim=-1, keepdim=True)
    k = k / k.norm(dim=-1, keepdim=True)
    beta = 0.05 + 0.9 * torch.rand(B, T, H, generator=gen, dtype=torch.float32)
    if mixer == "gated_deltanet":
        g = -0.2 * torch.rand(B, T, H, generator=gen, dtype=torch.float32)
    elif mixer == "kda":
        g = -0.2 * torch.rand(B, T, H, K, generator=gen, dtype=torch.float32)
    else:
        g = None
    cast = lambda x: None if x is None else x.to(dtype).contiguous()
    return tuple(cast(x) for x in (q, k, v, g, beta))


def recurrent(torch, q, k, v, g, beta):
    """Token-by-token reference, written from the formula above.

    q, k [B,T,H,K]; v [B,T,H,V]; g None | [B,T,H] | [B,T,H,K]; beta [B,T,H].
    Returns o [B,T,H,V]."""
    B, T, H, K = q.shape
    V = v.shape[-1]
    scale = K ** -0.5
    S = torch.zeros(B, H, K, V, dtype=q.dtype)
    o = torch.empty(B, T, H, V, dtype=q.dtype)
    eye = torch.eye(K, dtype=q.dtype)
    for t in range(T):
        qt, kt, vt, bt = q[:, t], k[:, t], v[:, t], beta[:, t]  # [B,H,*]
        if g is not None:  # diag(exp(g_t)) S: g_t is [B,H] (per head) or [B,H,K]
            gt = g[:, t].exp()
            S = (gt[..., None, None] if gt.dim() == 2 else gt[..., :, None]) * S
        # (I - beta k kᵀ) S + beta k vᵀ, with S already decayed.
        A = eye - bt[..., None, None] * kt[..., :, None] * kt[..., None, :]
        S = A @ S + bt[..., None, None] * kt[..., :, None] * vt[..., None, :]
        o[:, t] = scale * (S.transpose(-1, -2) @ qt[..., None])[..., 0]
    return o


def unwrap_transformers(fn, module_name):
    base = inspect.unwrap(fn)
    src = getattr(getattr(base, "__code__", None), "co_filename", "")
    if not src.endswith(module_name + ".py"):
        fail(f"could not reach the PyTorch function under {fn.__name__} "
             f"(found code in {src!r})")
    return base


def build_impl(torch, impl, mixer):
    """Returns f(q, k, v, g, beta) -> o [B,T,H,V] for the chosen library."""
    if impl == "torch_recurrent":
        return lambda q, k, v, g, beta: recurrent(torch, q, k, v, g, beta)

    if impl == "transformers_chunk":
        try:
            if mixer == "kda":
                from transformers.models.kimi_linear import modeling_kimi_linear as m
                fn = unwrap_transformers(m.chunk_kimi_delta_attention,
                                         "modeling_kimi_linear")
            else:
                from transformers.models.qwen3_next import modeling_qwen3_next as m
                fn = unwrap_transformers(m.torch_chunk_gated_delta_rule,
                                         "modeling_qwen3_next")
        except ImportError as e:
            fail(f"transformers does not import: {e}")

        def run(q, k, v, g, beta):
            if g is None:  # DeltaNet = gated delta rule with exp(g) = 1
                g = torch.zeros_like(beta)
            o, _ = fn(q, k, v, g, beta, chunk_size=CHUNK, initial_state=None,
                      output_final_state=False, use_qk_l2norm_in_kernel=False)
            return o
        return run

    if impl == "fla_naive_chunk":
        try:
            if mixer == "gated_deltanet":
                from fla.ops.gated_delta_rule.naive import naive_chunk_gated_delta_rule as fn

                def run(q, k, v, g, beta):
                    o, _ = fn(q, k, v, g=g, beta=beta, chunk_size=CHUNK)
                    return o
            elif mixer == "kda":
                from fla.ops.kda.naive import naive_chunk_kda as fn

                def run(q, k, v, g, beta):
                    o, _ = fn(q, k, v, g=g, beta=beta, chunk_size=CHUNK)
                    return o
            else:
                from fla.ops.delta_rule.naive import delta_rule_chunkwise as fn

                def run(q, k, v, g, beta):
                    # this one wants [B, H, T, D] and beta [B, H, T]
                    tr = lambda x: x.transpose(1, 2).contiguous()
                    o, _ = fn(tr(q), tr(k), tr(v), tr(beta), chunk_size=CHUNK)
                    return o.transpose(1, 2)
        except Exception as e:  # no triton / no GPU: fla may not import
            if mixer == "kda":
                fail(f"no PyTorch implementation of kda found (fla: {e!r})")
            fail(f"flash-linear-attention (fla) does not import here: {e!r}")
        return run

    fail(f"unknown --impl {impl}")


def max_rel_l2(torch, a, b):
    """max over (b, h) of ||a - b|| / ||b|| over (T, V)."""
    a = a.double().transpose(1, 2).flatten(2)  # [B, H, T*V]
    b = b.double().transpose(1, 2).flatten(2)
    return ((a - b).norm(dim=-1) / b.norm(dim=-1)).max().item()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mixer", choices=MIXERS, required=True)
    p.add_argument("--impl", choices=IMPLS, default="transformers_chunk")
    p.add_argument("--B", type=int, default=1)
    p.add_argument("--T", type=int, default=4096)
    p.add_argument("--H", type=int, default=8)
    p.add_argument("--K", type=int, default=128)
    p.add_argument("--V", type=int, default=128)
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--check", action="store_true",
                   help="compare --impl with the recurrence at T=64 and print "
                        "the max relative L2 difference instead of timing")
    a = p.parse_args()
    if min(a.B, a.T, a.H, a.K, a.V, a.reps, a.threads) < 1:
        fail("sizes, --reps and --threads must be positive")

    try:
        import torch
    except ImportError as e:
        fail(f"torch does not import: {e}")
    torch.set_num_threads(a.threads)

    impl = build_impl(torch, a.impl, a.mixer)

    with torch.inference_mode():
        if a.check:
            T = 64
            x = make_inputs(torch, a.mixer, a.B, T, a.H, a.K, a.V, torch.float32)
            o = impl(*x)
            # The reference runs in float64 on the same (float32) values.
            ref = recurrent(torch, *(None if t is None else t.double() for t in x))
            if tuple(o.shape) != (a.B, T, a.H, a.V):
                fail(f"{a.impl} returned shape {tuple(o.shape)}, "
                     f"expected {(a.B, T, a.H, a.V)}")
            print(f"{max_rel_l2(torch, o, ref):.3e}")
            return

        x = make_inputs(torch, a.mixer, a.B, a.T, a.H, a.K, a.V, torch.float32)
        o = impl(*x)  # warm-up
        if not torch.isfinite(o).all():
            fail(f"{a.impl} produced non-finite output")
        print(f"{median_seconds(lambda: impl(*x), a.reps):.6f}")


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - report and exit non-zero
        fail(f"{type(e).__name__}: {e}")
