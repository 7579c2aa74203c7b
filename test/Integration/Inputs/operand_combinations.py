#!/usr/bin/env python3
"""Every combination of mixer.semiseparable's optional operands, in every form.

For each gate kind (none, per head, per token, per channel), with and without
beta, an initial state and a final state, and each form (scan, chunked and
quadratic with tiles of 4, and auto), compiles a small kernel (H=2, K=V=8;
B and T dynamic, and static for one kernel per form); then the same for the
delta rule and for a diagonal-plus-low-rank transition (every gate kind;
with and without beta; with both states or neither; scan, chunked and auto:
they have no quadratic form) with mixirc, calls it through ctypes with 2 and with 16 threads (16 makes the
chunked form split the sequence), and compares every output with a plain
double-precision recurrence written here, independently of the C++ harness.
Uses only the Python standard library.

usage: operand_combinations.py MIXIRC OUT_DIR
"""
import ctypes
import itertools
import math
import os
import random
import subprocess
import sys

H, K, V = 2, 8, 8


class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int), ("device_id", ctypes.c_int)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8),
                ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", DLDevice),
                ("ndim", ctypes.c_int), ("dtype", DLDataType),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)),
                ("byte_offset", ctypes.c_uint64)]


def tensor(values, shape):
    buf = (ctypes.c_float * max(1, len(values)))(*values)
    dims = (ctypes.c_int64 * len(shape))(*shape)
    t = DLTensor(ctypes.cast(buf, ctypes.c_void_p), DLDevice(1, 0), len(shape),
                 DLDataType(2, 32, 1), dims, None, 0)
    t.keep = (buf, dims)
    return t


def recurrence(B, T, q, k, v, gate, kind, beta, h0, transition="diagonal",
               lr=None):
    """o_t = K^-1/2 S_t^T q_t with, by transition (A = diag(a_t)):
    diagonal  S_t = A S_{t-1} + beta_t k_t v_t^T
    delta     S_t = (I - beta_t k_t k_t^T) A S_{t-1} + beta_t k_t v_t^T
    low_rank  S_t = (A + la_t lb_t^T) S_{t-1} + beta_t k_t v_t^T, lr = (la, lb)
    """
    scale = 1 / math.sqrt(K)
    out = [0.0] * (B * T * H * V)
    final = [0.0] * (B * H * K * V)
    for b, h in itertools.product(range(B), range(H)):
        S = [[h0[((b * H + h) * K + i) * V + j] if h0 else 0.0
              for j in range(V)] for i in range(K)]
        for t in range(T):
            r = (b * T + t) * H + h
            bt = beta[r] if beta else 1.0
            if transition == "low_rank":
                w = [sum(lr[1][r * K + i] * S[i][j] for i in range(K))
                     for j in range(V)]
            for i in range(K):
                if kind == "head":
                    log_a = gate[h]
                elif kind == "token":
                    log_a = gate[r]
                elif kind == "channel":
                    log_a = gate[r * K + i]
                else:
                    log_a = 0.0
                a = math.exp(log_a)
                if transition == "delta":
                    S[i] = [a * x for x in S[i]]
                    continue
                kb = k[r * K + i] * bt
                for j in range(V):
                    S[i][j] = a * S[i][j] + kb * v[r * V + j]
                    if transition == "low_rank":
                        S[i][j] += lr[0][r * K + i] * w[j]
            if transition == "delta":
                u = [bt * (v[r * V + j] -
                           sum(k[r * K + i] * S[i][j] for i in range(K)))
                     for j in range(V)]
                for i, j in itertools.product(range(K), range(V)):
                    S[i][j] += k[r * K + i] * u[j]
            for j in range(V):
                out[r * V + j] = scale * sum(q[r * K + i] * S[i][j]
                                             for i in range(K))
        for i, j in itertools.product(range(K), range(V)):
            final[((b * H + h) * K + i) * V + j] = S[i][j]
    return out, final


def unit_rows(x):
    """x with each row of K elements scaled to unit L2 norm."""
    out = []
    for r in range(0, len(x), K):
        norm = math.sqrt(sum(e * e for e in x[r:r + K]))
        out += [e / norm for e in x[r:r + K]]
    return out


def relative_error(got, ref):
    norm = math.sqrt(sum(y * y for y in ref)) or 1.0
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(got, ref))) / norm


def source(kind, beta, init, final, form, static=None, transition="diagonal"):
    """The kernel; `static` = (B, T) makes both sizes static."""
    b, t = (str(static[0]), str(static[1])) if static else ("?", "?")
    qk, vt = f"tensor<{b}x{t}x{H}x{K}xf32>", f"tensor<{b}x{t}x{H}x{V}xf32>"
    state = f"tensor<{b}x{H}x{K}x{V}xf32>"
    args, types, operands = [f"%q: {qk}", f"%k: {qk}", f"%v: {vt}"], [qk, qk, vt], ""
    if kind:
        gt = {"head": f"tensor<{H}xf32>", "token": f"tensor<{b}x{t}x{H}xf32>",
              "channel": qk}[kind]
        args.append(f"%g: {gt}"); types.append(gt); operands += " gate(%g)"
    if beta:
        bt = f"tensor<{b}x{t}x{H}xf32>"
        args.append(f"%beta: {bt}"); types.append(bt); operands += " beta(%beta)"
    if transition == "low_rank":
        args += [f"%la: {qk}", f"%lb: {qk}"]; types += [qk, qk]
        operands += " low_rank(%la, %lb)"
    if init:
        args.append(f"%h0: {state}"); types.append(state)
        operands += " initial_state(%h0)"
    results = [vt] + ([state] if final else [])
    names = "%o, %s" if final else "%o"
    attrs = ["delta_rule"] if transition == "delta" else []
    if form == "scan":
        attrs.append("form = #mixer.form<scan>")
    elif form != "auto":
        attrs.append("form = #mixer.form<%s, tile = 4>" % form)
    attr = " {%s}" % ", ".join(attrs) if attrs else ""
    return (f"func.func @f({', '.join(args)}) -> ({', '.join(results)}) {{\n"
            f"  {names} = mixer.semiseparable %q, %k, %v{operands}{attr}"
            f" : ({', '.join(types)}) -> ({', '.join(results)})\n"
            f"  return {names} : {', '.join(results)}\n}}\n")


def main():
    mixirc, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(7)
    kernels = cases = failures = 0
    forms = ["scan", "chunked", "quadratic", "auto"]
    combos = [(kind, beta, init, final, form, None, "diagonal")
              for kind, beta, init, final, form in itertools.product(
                  [None, "head", "token", "channel"], [False, True],
                  [False, True], [False, True], forms)]
    # Static B and T, with every operand.
    combos += [("channel", True, True, True, form, (2, 9), "diagonal")
               for form in forms]
    # Transitions with a rank-one part: both states or neither.
    combos += [(kind, beta, states, states, form, None, transition)
               for transition, kind, beta, states, form in itertools.product(
                   ["delta", "low_rank"], [None, "head", "token", "channel"],
                   [False, True], [False, True], ["scan", "chunked", "auto"])]
    for n, (kind, beta, init, final, form, static, transition) in enumerate(
            combos):
        label = (f"transition={transition} gate={kind} beta={beta} "
                 f"init={init} final={final} form={form} static={static}")
        mlir = os.path.join(out_dir, f"k{n}.mlir")
        lib_path = os.path.join(out_dir, f"k{n}.so")
        with open(mlir, "w") as f:
            f.write(source(kind, beta, init, final, form, static, transition))
        built = subprocess.run([mixirc, mlir, "--emit=shared", "-o", lib_path],
                               capture_output=True, text=True)
        if built.returncode != 0:
            print(f"FAIL {label}: mixirc: {built.stderr.strip()[:300]}")
            failures += 1
            continue
        kernels += 1
        lib = ctypes.CDLL(os.path.abspath(lib_path))
        for B, T in [static] if static else [(1, 1), (2, 9), (1, 23)]:
            nk, nv, ns = B * T * H * K, B * T * H * V, B * H * K * V
            q = [rng.gauss(0, 1) for _ in range(nk)]
            k = [rng.gauss(0, 1) for _ in range(nk)]
            lr = None
            if transition == "delta":  # k_t L2-normalised
                k = unit_rows(k)
            if transition == "low_rank":  # a small, b L2-normalised
                lr = ([rng.gauss(0, 0.1) for _ in range(nk)],
                      unit_rows([rng.gauss(0, 1) for _ in range(nk)]))
            v = [rng.gauss(0, 1) for _ in range(nv)]
            gate = None
            if kind:
                size = {"head": H, "token": B * T * H, "channel": nk}[kind]
                gate = [-rng.random() for _ in range(size)]
            bt = [rng.random() for _ in range(B * T * H)] if beta else None
            h0 = [rng.gauss(0, 1) for _ in range(ns)] if init else None
            ref_o, ref_s = recurrence(B, T, q, k, v, gate, kind, bt, h0,
                                      transition, lr)
            for threads in (2, 16):
                lib.mixir_set_num_threads(threads)
                ts = [tensor(q, [B, T, H, K]), tensor(k, [B, T, H, K]),
                      tensor(v, [B, T, H, V])]
                if kind:
                    ts.append(tensor(gate, {"head": [H], "token": [B, T, H],
                                            "channel": [B, T, H, K]}[kind]))
                if beta:
                    ts.append(tensor(bt, [B, T, H]))
                if lr:
                    ts += [tensor(lr[0], [B, T, H, K]),
                           tensor(lr[1], [B, T, H, K])]
                if init:
                    ts.append(tensor(h0, [B, H, K, V]))
                o = tensor([float("nan")] * nv, [B, T, H, V]); ts.append(o)
                s = tensor([float("nan")] * ns, [B, H, K, V])
                if final:
                    ts.append(s)
                rc = lib.f(*[ctypes.byref(t) for t in ts])
                e_o = relative_error(list(o.keep[0])[:nv], ref_o)
                e_s = relative_error(list(s.keep[0]), ref_s) if final else 0.0
                cases += 1
                if rc != 0 or not (e_o <= 1e-4 and e_s <= 1e-4):
                    failures += 1
                    print(f"FAIL {label} B={B} T={T} threads={threads}: "
                          f"rc={rc} error o={e_o:.2e} state={e_s:.2e}")
    print(f"{kernels} kernels, {cases} cases, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
