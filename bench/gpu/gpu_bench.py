#!/usr/bin/env python3
"""Times mixir's GPU kernels against the GPU peers, in one process.

    gpu_bench.py LIB_DIR OUT.md [--T 4096,16384] [--reps 20]

LIB_DIR holds the libraries scripts/gpu-check.sh prepares (mixirc
--target=nvptx --emit=shared of bench/gpu/*_bench.mlir, one per form).
Inputs are bf16 on the GPU at B = 1, H = 8 (GQA 8/2 for attention),
K = V = 128. Peers: flash-linear-attention's Triton kernels (chunk_gla,
chunk_gated_delta_rule), imported from its wheel when installed, and
PyTorch's scaled_dot_product_attention (FlashAttention's kernels inside
PyTorch). Each variant: warm-up calls (Triton's first-call compile and
autotune are not timed), then the median of REPS timed calls by CUDA
events on the current stream. mixir's output is compared with the peer's
(relative L2, bf16 both). Writes a Markdown table to OUT.md and prints it.
"""
import argparse
import ctypes
import os
import statistics
import sys

import torch

B, H, HKV, D = 1, 8, 2, 128


class MixirKernel:
    """An entry point of a library compiled with --target=nvptx, called
    through the DLPack C ABI on torch tensors."""

    def __init__(self, path, name):
        self.lib = ctypes.CDLL(path)
        self.fn = getattr(self.lib, name)
        self.fn.restype = ctypes.c_int32
        self.lib.mixir_last_error.restype = ctypes.c_char_p
        self.lib.mixir_cuda_set_stream.argtypes = [ctypes.c_void_p]
        get = ctypes.pythonapi.PyCapsule_GetPointer
        get.restype = ctypes.c_void_p
        get.argtypes = [ctypes.py_object, ctypes.c_char_p]
        self.get = get

    def __call__(self, *tensors):
        # A DLManagedTensor starts with its DLTensor.
        capsules = [torch.utils.dlpack.to_dlpack(t) for t in tensors]
        pointers = [ctypes.c_void_p(self.get(c, b"dltensor")) for c in capsules]
        self.lib.mixir_cuda_set_stream(torch.cuda.current_stream().cuda_stream)
        rc = self.fn(*pointers)
        if rc != 0:
            raise RuntimeError(self.lib.mixir_last_error().decode())


def median_ms(run, reps, warmup=3):
    for _ in range(warmup):
        run()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        start.record()
        run()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return statistics.median(times)


def rel_l2(a, b):
    a, b = a.float(), b.float()
    return (torch.linalg.vector_norm(a - b) / torch.linalg.vector_norm(b)).item()


def inputs(mixer, T, gen):
    bf = dict(device="cuda", dtype=torch.bfloat16)
    rand = lambda *s: torch.randn(*s, device="cuda", generator=gen)
    if mixer == "gla":
        q, k, v = (rand(B, T, H, D).to(torch.bfloat16) for _ in range(3))
        g = (torch.nn.functional.logsigmoid(rand(B, T, H, D)) / 16).to(torch.bfloat16)
        return dict(q=q, k=k, v=v, g=g)
    if mixer == "gated_deltanet":
        q, v = (rand(B, T, H, D).to(torch.bfloat16) for _ in range(2))
        k = torch.nn.functional.normalize(rand(B, T, H, D), dim=-1).to(torch.bfloat16)
        g = torch.nn.functional.logsigmoid(rand(B, T, H)) / 16
        beta = torch.sigmoid(rand(B, T, H)).to(torch.bfloat16)
        return dict(q=q, k=k, v=v, g=g, beta=beta)
    q = rand(B, T, H, D).to(torch.bfloat16)
    k, v = (rand(B, T, HKV, D).to(torch.bfloat16) for _ in range(2))
    return dict(q=q, k=k, v=v)


def peers(mixer):
    """(name, function of the inputs returning o [B, T, H, D]) or reasons."""
    if mixer == "attention":
        def sdpa(x):
            q, k, v = (x[n].transpose(1, 2) for n in ("q", "k", "v"))
            o = torch.nn.functional.scaled_dot_product_attention(
                q, k, v, is_causal=True, enable_gqa=True)
            return o.transpose(1, 2)
        return [("PyTorch SDPA (flash)", sdpa)]
    try:
        if mixer == "gla":
            from fla.ops.gla import chunk_gla

            def fla_gla(x):
                o, _ = chunk_gla(x["q"], x["k"], x["v"], x["g"], scale=D ** -0.5)
                return o
            return [("fla chunk_gla", fla_gla)]
        from fla.ops.gated_delta_rule import chunk_gated_delta_rule

        def fla_gdn(x):
            o, _ = chunk_gated_delta_rule(x["q"], x["k"], x["v"], x["g"],
                                          x["beta"], scale=D ** -0.5)
            return o
        return [("fla chunk_gated_delta_rule", fla_gdn)]
    except Exception as e:  # not installed, or an API this script predates
        return [("fla (not run: %s)" % str(e).splitlines()[0][:60], None)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lib_dir")
    ap.add_argument("out")
    ap.add_argument("--T", default="4096,16384")
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    lengths = [int(t) for t in args.T.split(",")]
    gen = torch.Generator(device="cuda")
    gen.manual_seed(0)
    rows = []
    mixers = [("gla", "gla", ["chunked", "scan", "auto"]),
              ("gated_deltanet", "gated_deltanet", ["chunked", "scan", "auto"]),
              ("attention", "causal", ["flash", "auto"])]
    for mixer, entry, forms in mixers:
        for T in lengths:
            x = inputs(mixer, T, gen)
            shape_out = (B, T, H, D)
            reference = None
            for name, fn in peers(mixer):
                if fn is None:
                    rows.append((mixer, T, name, None, None))
                    continue
                try:
                    reference = fn(x)
                    ms = median_ms(lambda: fn(x), args.reps)
                    rows.append((mixer, T, name, ms, None))
                except Exception as e:
                    rows.append((mixer, T, "%s (failed: %s)" % (name, str(e)[:60]), None, None))
            for form in forms:
                path = os.path.join(args.lib_dir, "%s_bf16_bench.%s.so" % (mixer, form))
                if not os.path.exists(path):
                    continue
                kernel = MixirKernel(path, entry)
                o = torch.empty(shape_out, device="cuda", dtype=torch.bfloat16)
                call = lambda: kernel(*x.values(), o)
                try:
                    ms = median_ms(call, args.reps, warmup=1)
                    err = rel_l2(o, reference) if reference is not None else None
                    rows.append((mixer, T, "mixir %s" % form, ms, err))
                except Exception as e:
                    rows.append((mixer, T, "mixir %s (failed: %s)" % (form, str(e)[:80]), None, None))
    device = torch.cuda.get_device_name()
    lines = ["# mixir on the GPU against its peers",
             "",
             "%s, torch %s; B = 1, H = 8 (GQA 8/2 for attention), K = V = 128, "
             "bf16; median of %d calls after warm-up (CUDA events)." % (device, torch.__version__, args.reps),
             "",
             "| mixer | T | variant | time (ms) | peer time / this | rel. L2 to the peer |",
             "|---|---|---|---|---|---|"]
    for mixer in dict.fromkeys(r[0] for r in rows):
        for T in lengths:
            group = [r for r in rows if r[0] == mixer and r[1] == T]
            peer = next((r[3] for r in group if not r[2].startswith("mixir") and r[3]), None)
            for _, _, name, ms, err in group:
                ratio = "%.2f" % (peer / ms) if peer and ms else "—"
                lines.append("| %s | %d | %s | %s | %s | %s |" % (
                    mixer, T, name, "%.3f" % ms if ms else "—", ratio,
                    "%.1e" % err if err is not None else "—"))
    text = "\n".join(lines) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
