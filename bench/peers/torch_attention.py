#!/usr/bin/env python3
"""PyTorch peers for the attention benchmark (CPU, float32).

Run with the benchmark's own virtual environment (bench/peers/requirements.txt):

  build/bench-venv/bin/python bench/peers/torch_attention.py \
      --mask causal|sliding_window|alibi_softcap|document|decode --impl sdpa|flex \
      --B 1 --T 4096 --H 8 --Hkv 2 --D 128 --reps 5 --threads N

prints the median seconds of `reps` calls (after warm-up calls, which for
flex include its compilation) as one number on stdout; errors go to stderr
with a non-zero exit. With --check it instead compares the chosen
implementation with a dense float64 softmax at T=300 and prints the relative
L2 difference.

Semantics (the same as bench/attention_bench.mlir and examples/*.mlir), per
batch b and query head h (kv head h // (H/Hkv)), layout [B, T, H, D]:

  causal          s <= t
  sliding_window  t - 1024 < s <= t (the benchmark's window)
  alibi_softcap   causal; logit 30·tanh(q·k/√D/30) − m_h (t − s),
                  m_h = 2^(−8(h+1)/H)
  document        s <= t and doc[b, s] == doc[b, t]; documents of 1 to
                  about 2000 tokens (bench/common/inputs.h's generator is
                  not shared: both draw ids with a fixed seed, and only the
                  block structure matters for time)
  decode          one query (the last position) against T keys: every key
                  visible (s <= T - 1 + t with t = 0)

`sdpa` is torch.nn.functional.scaled_dot_product_attention (is_causal for
the causal mask, enable_gqa), only for `causal` and `decode`; `flex` is
torch.nn.attention.flex_attention.flex_attention compiled with
torch.compile, with a block mask from create_block_mask (so empty blocks are
skipped) and a score_mod where the mask has one.
"""
import argparse
import sys

from timing import median_seconds

WINDOW = 1024


def make_inputs(torch, B, T, H, Hkv, D, seed=0):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(B, T, H, D, generator=g)
    k = torch.randn(B, T, Hkv, D, generator=g)
    v = torch.randn(B, T, Hkv, D, generator=g)
    # Document ids: a new document with probability 1/1000 per token.
    starts = (torch.rand(B, T, generator=g) < 1e-3).to(torch.int32)
    starts[:, 0] = 0
    doc = torch.cumsum(starts, dim=1).to(torch.int32)
    return q, k, v, doc


def build(torch, args, q, k, v, doc):
    """A function of no argument computing o [B, T, H, D]."""
    B, T, H, Hkv, D = args.B, args.T, args.H, args.Hkv, args.D
    # [B, H, T, D] for PyTorch's attention entry points.
    qt, kt, vt = (x.transpose(1, 2).contiguous() for x in (q, k, v))
    Tq = qt.shape[2]
    if args.impl == "sdpa":
        f = torch.nn.functional.scaled_dot_product_attention
        if args.mask == "decode":  # one query sees every key: no mask
            return lambda: f(qt, kt, vt, enable_gqa=True)
        if args.mask != "causal":
            raise SystemExit("sdpa runs only the causal and decode masks here")
        return lambda: f(qt, kt, vt, is_causal=True, enable_gqa=True)
    from torch.nn.attention.flex_attention import flex_attention, create_block_mask

    def causal(b, h, t, s):
        return s <= t

    def sliding(b, h, t, s):
        return (s <= t) & (t - s < WINDOW)

    def decode(b, h, t, s):
        return s <= T - Tq + t

    def document(b, h, t, s):
        return (s <= t) & (doc[b, s] == doc[b, t])

    slopes = torch.exp2(-8.0 * (torch.arange(H, dtype=torch.float32) + 1) / H)

    def alibi_softcap(score, b, h, t, s):
        return 30.0 * torch.tanh(score / 30.0) - slopes[h] * (t - s)

    mask = {"causal": causal, "sliding_window": sliding,
            "alibi_softcap": causal, "document": document,
            "decode": decode}[args.mask]
    score_mod = alibi_softcap if args.mask == "alibi_softcap" else None
    block_mask = create_block_mask(mask, B, None, Tq, T, device="cpu")
    flex = torch.compile(flex_attention)
    return lambda: flex(qt, kt, vt, score_mod=score_mod, block_mask=block_mask,
                        enable_gqa=True)


def reference(torch, args, q, k, v, doc):
    B, T, H, Hkv, D = args.B, args.T, args.H, args.Hkv, args.D
    q, k, v = q.double(), k.double(), v.double()
    rep = H // Hkv
    k = k.repeat_interleave(rep, dim=2)
    v = v.repeat_interleave(rep, dim=2)
    Tq = q.shape[1]
    s = torch.einsum("bthd,bshd->bhts", q, k) / D ** 0.5
    t = torch.arange(Tq)[:, None] + (T - Tq)  # the queries' positions
    sidx = torch.arange(T)[None, :]
    visible = sidx <= t
    if args.mask == "sliding_window":
        visible = visible & (t - sidx < WINDOW)
    if args.mask == "alibi_softcap":
        slopes = torch.exp2(-8.0 * (torch.arange(H, dtype=torch.float64) + 1) / H)
        s = 30 * torch.tanh(s / 30) - slopes[None, :, None, None] * (t - sidx)
    visible = visible[None, None].expand(B, H, Tq, T)
    if args.mask == "document":
        same = doc[:, None, :, None] == doc[:, None, None, :]
        visible = visible & same
    s = s.masked_fill(~visible, float("-inf"))
    return torch.einsum("bhts,bshd->bthd", torch.softmax(s, dim=-1), v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mask", required=True,
                    choices=["causal", "sliding_window", "alibi_softcap", "document",
                             "decode"])
    ap.add_argument("--impl", required=True, choices=["sdpa", "flex"])
    ap.add_argument("--B", type=int, default=1)
    ap.add_argument("--T", type=int, default=4096)
    ap.add_argument("--H", type=int, default=8)
    ap.add_argument("--Hkv", type=int, default=2)
    ap.add_argument("--D", type=int, default=128)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.check:
        args.T = 300
    q, k, v, doc = make_inputs(torch, args.B, args.T, args.H, args.Hkv, args.D)
    if args.mask == "decode":  # one new query against the T cached keys
        q = q[:, :1].contiguous()
    if args.check and args.mask == "document":
        doc = (torch.arange(args.T) // 37).to(torch.int32)[None].expand(args.B, -1).contiguous()
    call = build(torch, args, q, k, v, doc)
    with torch.no_grad():
        if args.check:
            got = call().transpose(1, 2).double()
            ref = reference(torch, args, q, k, v, doc)
            print("%.3e" % ((got - ref).norm() / ref.norm()).item())
            return
        for _ in range(2):
            call()
        seconds = median_seconds(call, args.reps)
    print("%.6f" % seconds)


if __name__ == "__main__":
    main()
