#!/usr/bin/env python3
"""Writes RESULTS.md and log-log plots from one run of bench/run.sh.

  report.py RESULTS_CSV MACHINE_CSV OUT_DIR

RESULTS_CSV has one row per measurement (run.sh's `record`):
  section, mixer, B, H, T, variant, kind, seconds, flop, bytes, work
kind is mixir (a form of a mixir kernel, "mixir <form>"), ggml (llama.cpp's
CPU op), framework (PyTorch or JAX), or loop (a hand-written C++ loop);
seconds is '-' where the variant failed, ran out of memory or time, or is
not installed. flop is the nominal work of the row's GFLOP/s (the same for
every variant of a mixer), bytes the bytes its GB/s counts; either may be
empty; work says in words what flop or bytes count. MACHINE_CSV has key,value rows: fma_peak_gflops, triad_gbs, cores,
cpu, date.

OUT_DIR gets RESULTS.md and plots/<section>_<mixer>_B<B>_H<H>.png (time
against T, log-log, one line per variant; matplotlib, when installed).
"""
import csv
import os
import sys
from collections import OrderedDict


def load(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def seconds(row):
    try:
        return float(row["seconds"])
    except ValueError:
        return None


def fmt_ms(t):
    return "%.3f" % (t * 1e3) if t < 0.01 else "%.1f" % (t * 1e3)


def main():
    results_csv, machine_csv, out_dir = sys.argv[1:4]
    rows = load(results_csv)
    machine = {r["key"]: r["value"] for r in load(machine_csv)}
    peak = float(machine.get("fma_peak_gflops", "nan"))
    triad = float(machine.get("triad_gbs", "nan"))

    groups = OrderedDict()
    for r in rows:
        key = (r["section"], r["mixer"], int(r["B"]), int(r["H"]))
        groups.setdefault(key, []).append(r)

    out = []
    w = out.append
    w("# Benchmark results")
    w("")
    w("Written by `bench/run.sh` (bench/report.py) from one run on one machine;"
      " every ratio below compares times measured in that run.")
    w("")
    w("| machine | |")
    w("|---|---|")
    for k in ("date", "cpu", "cores", "fma_peak_gflops", "triad_gbs",
              "threads"):
        if k in machine:
            w("| %s | %s |" % (k, machine[k]))
    w("")
    w("`% peak` is GFLOP/s over the measured FMA peak (all cores, at least 8"
      " independent accumulators per thread); `% triad` is GB/s over STREAM's"
      " triad on all cores. GFLOP/s counts a fixed nominal work per mixer, the"
      " same for every form and peer (below each table). `vs framework` is the"
      " fastest PyTorch or JAX time over the row's time, `vs ggml` ggml's op"
      " time over the row's time (> 1: the row is faster). `-`: failed, out of"
      " memory or time, or not installed.")
    w("")

    misses = []
    for (section, mixer, B, H), group in groups.items():
        Ts = sorted({int(r["T"]) for r in group})
        w("## %s: %s, B=%d, H=%d" % (section, mixer, B, H))
        w("")
        w("| T | variant | ms | GFLOP/s | % peak | GB/s | % triad | vs framework | vs ggml |")
        w("|---|---|---|---|---|---|---|---|---|")
        for T in Ts:
            at = [r for r in group if int(r["T"]) == T]
            fw = [seconds(r) for r in at if r["kind"] == "framework" and seconds(r)]
            gg = [seconds(r) for r in at if r["kind"] == "ggml" and seconds(r)]
            best_fw = min(fw) if fw else None
            best_gg = min(gg) if gg else None
            for r in at:
                t = seconds(r)
                if t is None:
                    w("| %d | %s | - | | | | | | |" % (T, r["variant"]))
                    continue
                cells = [str(T), r["variant"], fmt_ms(t)]
                if r["flop"]:
                    g = float(r["flop"]) / t / 1e9
                    cells += ["%.1f" % g, "%.0f" % (100 * g / peak)]
                else:
                    cells += ["", ""]
                if r["bytes"]:
                    b = float(r["bytes"]) / t / 1e9
                    cells += ["%.1f" % b, "%.0f" % (100 * b / triad)]
                else:
                    cells += ["", ""]
                cells.append("%.2f" % (best_fw / t) if best_fw else "")
                cells.append("%.2f" % (best_gg / t) if best_gg else "")
                w("| " + " | ".join(cells) + " |")
            # The checks of issue targets this table can show.
            mixir = {r["variant"]: seconds(r) for r in at
                     if r["kind"] == "mixir" and seconds(r)}
            auto = mixir.get("mixir auto")
            forms = {v: t for v, t in mixir.items() if v != "mixir auto"}
            if auto and forms:
                best_form, best_t = min(forms.items(), key=lambda kv: kv[1])
                if auto > 1.1 * best_t and auto - best_t > 20e-6:
                    misses.append("%s %s B=%d H=%d T=%d: auto %s ms, %s %s ms"
                                  " (cost model off by %.0f%%)" %
                                  (section, mixer, B, H, T, fmt_ms(auto),
                                   best_form, fmt_ms(best_t),
                                   100 * (auto / best_t - 1)))
            if section == "decode":
                # A decode call reads and writes its state once: within 1.3×
                # those bytes at the triad's bandwidth, plus 5 µs.
                for r in at:
                    t = seconds(r)
                    if t and r["bytes"]:
                        target = 1.3 * float(r["bytes"]) / (triad * 1e9) + 5e-6
                        w("")
                        w("%s: target %.1f µs (1.3 × %s bytes at %.1f GB/s + 5 µs),"
                          " measured %.1f µs." % (r["variant"], target * 1e6,
                                                  r["bytes"], triad, t * 1e6))
                        if t > target:
                            misses.append("decode %s %s: %.1f µs, over the %.1f µs"
                                          " target" % (mixer, r["variant"],
                                                       t * 1e6, target * 1e6))
            fastest = min(mixir.values()) if mixir else None
            if fastest and best_fw and fastest > best_fw:
                misses.append("%s %s B=%d H=%d T=%d: fastest mixir form %s ms,"
                              " slower than a framework peer (%s ms)" %
                              (section, mixer, B, H, T, fmt_ms(fastest),
                               fmt_ms(best_fw)))
            if fastest and best_gg and fastest > best_gg:
                misses.append("%s %s B=%d H=%d T=%d: fastest mixir form %s ms,"
                              " slower than ggml (%s ms)" %
                              (section, mixer, B, H, T, fmt_ms(fastest),
                               fmt_ms(best_gg)))
        w("")
        work = next((r["work"] for r in group if r.get("work")), "")
        if work:
            w("Counted: %s." % work)
            w("")
        if len(Ts) > 1:
            w("![%s %s](plots/%s)" % (section, mixer, plot_name(section, mixer, B, H)))
            w("")

    w("## Where mixir is slower than a peer, or auto is not the fastest form")
    w("")
    w("(auto counts as off when it is more than 10% and 20 µs slower than the"
      " fastest form measured at the same point.)")
    w("")
    if misses:
        for m in misses:
            w("- " + m)
    else:
        w("None in this run.")
    w("")

    os.makedirs(os.path.join(out_dir, "plots"), exist_ok=True)
    with open(os.path.join(out_dir, "RESULTS.md"), "w") as f:
        f.write("\n".join(line for line in out) + "\n")
    plot(groups, out_dir)


def plot_name(section, mixer, B, H):
    return "%s_%s_B%d_H%d.png" % (section, mixer, B, H)


def plot(groups, out_dir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: matplotlib is not installed; no plots",
              file=sys.stderr)
        return
    for (section, mixer, B, H), group in groups.items():
        Ts = sorted({int(r["T"]) for r in group})
        if len(Ts) < 2:
            continue
        fig, ax = plt.subplots(figsize=(6, 4.2))
        variants = OrderedDict()
        for r in group:
            t = seconds(r)
            if t is not None:
                variants.setdefault((r["variant"], r["kind"]), []).append(
                    (int(r["T"]), t))
        styles = {"mixir": "-", "ggml": "--", "framework": ":", "loop": "-."}
        for (variant, kind), points in variants.items():
            points.sort()
            ax.plot([p[0] for p in points], [p[1] * 1e3 for p in points],
                    styles.get(kind, "-"), marker="o", markersize=3,
                    label=variant)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("T (tokens)")
        ax.set_ylabel("time (ms)")
        ax.set_title("%s, B=%d, H=%d" % (mixer, B, H))
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, "plots",
                                 plot_name(section, mixer, B, H)), dpi=90)
        plt.close(fig)


if __name__ == "__main__":
    main()
