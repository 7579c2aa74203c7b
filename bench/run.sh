#!/usr/bin/env bash
# The first benchmark: GLA at B=1, H=8, K=V=128, T in {1024, 16384}; each
# mixir form (and auto) beside a plain single-pass C++ scan loop compiled with
# g++ -O3 -march=native -fopenmp, each timed in its own process, plus the
# machine's measured f32 peak in the same run. Usage: bench/run.sh [BUILD_DIR]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
out="$build/bench"
mkdir -p "$out"
reps="${MIXIR_BENCH_REPS:-7}"

g++ -O3 -march=native -fopenmp "$root/bench/baseline/gla_scan_loop.cpp" -o "$out/gla_scan_loop" || exit 1
g++ -O2 "$root/bench/driver/time_kernel.cpp" -o "$out/time_kernel" -ldl || exit 1
g++ -O3 -march=native -fopenmp "$root/bench/peak/fma_peak.cpp" -o "$out/fma_peak" || exit 1

forms=(scan chunked quadratic auto)
for form in "${forms[@]}"; do
  if ! "$build/bin/mixirc" "$root/bench/gla_bench.mlir" --emit=shared \
       --form="$form" -o "$out/gla_$form.so" 2>"$out/gla_$form.log"; then
    echo "mixirc failed for --form=$form: $(head -c 300 "$out/gla_$form.log")"
  fi
done

read -r peak_all peak_one < <("$out/fma_peak")
echo "machine: $(nproc) cores, measured f32 peak ${peak_all} GFLOP/s (one core ${peak_one})"
echo "GLA, B=1, H=8, K=V=128; median of $reps runs after a warm-up, each variant in its own process"
echo "GFLOP/s counts the nominal work 4·B·H·T·K·V for every variant; 'vs loop' = loop time / variant time (> 1: faster than the loop)"
printf '%-7s %-16s %10s %9s %8s %8s\n' T variant "median ms" GFLOP/s "vs loop" "% peak"
for T in 1024 16384; do
  flops=$(python3 -c "print(4*1*8*$T*128*128)")
  loop=$("$out/gla_scan_loop" 1 "$T" "$reps")
  row() { # name seconds
    python3 - "$@" <<PY
import sys
name, t = sys.argv[1], float(sys.argv[2])
g = $flops / t / 1e9
print(f"%-7s %-16s %10.2f %9.1f %8.2f %8.1f" % ($T, name, t * 1e3, g, $loop / t, 100 * g / $peak_all))
PY
  }
  row "C++ scan loop" "$loop"
  for form in "${forms[@]}"; do
    lib="$out/gla_$form.so"
    [ -f "$lib" ] || { printf '%-7s %-16s %s\n' "$T" "mixir $form" "not built"; continue; }
    n=$reps
    # The quadratic form is O(T²): estimate from T=1024 and skip it where a
    # single run would exceed 10 s.
    if [ "$form" = quadratic ] && [ "$T" -gt 1024 ] && [ -n "${quad1024:-}" ]; then
      est=$(python3 -c "print(f'{$quad1024 * ($T / 1024) ** 2:.1f}')")
      if python3 -c "import sys; sys.exit(0 if $est > 10 else 1)"; then
        printf '%-7s %-16s %s\n' "$T" "mixir $form" "skipped: O(T^2), about ${est} s per run (from T=1024)"
        continue
      fi
      n=1
    fi
    if t=$("$out/time_kernel" "$lib" gla 1 "$T" "$n"); then
      [ "$form" = quadratic ] && [ "$T" -eq 1024 ] && quad1024=$t
      row "mixir $form" "$t"
    else
      printf '%-7s %-16s %s\n' "$T" "mixir $form" "failed"
    fi
  done
done
