#!/usr/bin/env bash
# The benchmark. GLA at B=1, H=8, K=V=128, T in {1024, 16384}: each
# mixir form (and auto) beside a plain single-pass C++ scan loop compiled with
# g++ -O3 -march=native -fopenmp, each timed in its own process, plus the
# machine's measured f32 peak in the same run. Then the delta-rule family
# against the C++ loop and PyTorch, and softmax attention against PyTorch's
# SDPA and flex_attention (below). Usage: bench/run.sh [BUILD_DIR]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
out="$build/bench"
mkdir -p "$out"
reps="${MIXIR_BENCH_REPS:-11}"
# MIXIR_BENCH_SECTIONS: which tables to run (default all: gla delta ssm attention recurrence mamba1 rnn decode).
sections=" ${MIXIR_BENCH_SECTIONS:-gla delta ssm attention recurrence mamba1 rnn decode} "
wants() { [[ "$sections" == *" $1 "* ]]; }
# Threads stay on their cores in every variant (the loop's and mixir's
# OpenMP alike): unbound, a short run sometimes starts both threads on one
# core and stays there, which doubles a millisecond kernel's time.
export OMP_PROC_BIND="${OMP_PROC_BIND:-true}"

g++ -O3 -march=native -fopenmp "$root/bench/baseline/gla_scan_loop.cpp" -o "$out/gla_scan_loop" || exit 1
g++ -O2 "$root/bench/driver/time_kernel.cpp" -o "$out/time_kernel" -ldl || exit 1
g++ -O3 -march=native -fopenmp "$root/bench/peak/fma_peak.cpp" -o "$out/fma_peak" || exit 1

forms=(scan chunked quadratic auto)
# The same mixer with one head (B·H below the core count), for the second
# table: the chunked form then splits the sequence across the cores.
sed 's/x8x128xf32/x1x128xf32/g; s/^\/\/ H = 8,/\/\/ H = 1,/' "$root/bench/gla_bench.mlir" > "$out/gla_bench_h1.mlir"
compile() { # mlir form output
  if ! "$build/bin/mixirc" "$1" --emit=shared --form="$2" -o "$3" 2>"$3.log"; then
    echo "mixirc failed for $1 --form=$2: $(head -c 300 "$3.log")"
  fi
}
for form in "${forms[@]}"; do
  compile "$root/bench/gla_bench.mlir" "$form" "$out/gla_$form.so"
done
for form in scan chunked auto; do
  compile "$out/gla_bench_h1.mlir" "$form" "$out/gla_h1_$form.so"
done

read -r peak_all peak_one < <("$out/fma_peak")
g++ -O3 -march=native -fopenmp "$root/bench/peak/stream_triad.cpp" -o "$out/stream_triad" || exit 1
triad=$("$out/stream_triad")
# Every measurement is also a row of $csv (record, below), from which
# report.py writes RESULTS.md and its plots at the end of the run.
csv="$out/results.csv"
results_dir="${MIXIR_BENCH_RESULTS_DIR:-$root/bench}"
echo "section,mixer,B,H,T,variant,kind,seconds,flop,bytes,work" > "$csv"
{
  echo "key,value"
  echo "date,$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cpu,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//; s/,/ /g')"
  echo "cores,$(nproc)"
  echo "threads,$(nproc) (OMP_PROC_BIND=$OMP_PROC_BIND)"
  echo "fma_peak_gflops,$peak_all"
  echo "triad_gbs,$triad"
} > "$out/machine.csv"
# record SECTION MIXER B H T VARIANT KIND SECONDS FLOP BYTES WORK: one row
# of $csv (KIND: mixir, ggml, framework or loop; SECONDS '-' for a failed
# or missing variant; FLOP and BYTES may be empty).
record() {
  printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"%s"\n' "$@" >> "$csv"
}
# kind_of VARIANT: the KIND of a variant by its table name.
kind_of() {
  case "$1" in
    mixir*) echo mixir ;;
    ggml*) echo ggml ;;
    "C++"*) echo loop ;;
    "chunked 1 thread"|*"whole module"*) echo reference ;;
    *) echo framework ;;
  esac
}
# The peers (PyTorch, JAX, ggml) run in the benchmark's own virtual
# environment, made here on the first run (peers/requirements.txt).
venv="$build/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "creating the benchmark's virtual environment in $venv (PyTorch, JAX and ggml peers)"
  python3 -m venv "$venv" && "$venv/bin/pip" install -q -r "$root/bench/peers/requirements.txt" \
    || echo "could not install the peers; their rows will read 'not available'"
fi
# ggml T MIXER [ARGS...]: the median seconds of ggml's op for MIXER
# (peers/ggml_ops.py), or '-'.
ggml_time() {
  local T=$1 mixer=$2; shift 2
  timeout 900 "$venv/bin/python" "$root/bench/peers/ggml_ops.py" --mixer "$mixer" --T "$T" \
    --reps "${MIXIR_BENCH_GGML_REPS:-5}" --threads "$(nproc)" "$@" 2>/dev/null || echo -
}
# row T H NAME SECONDS LOOP_SECONDS: one line of a table.
row() {
  record gla gla 1 "$2" "$1" "$3" "$(kind_of "$3")" "$4" $((2 * $2 * $1 * (64 * 256 + 2 * 128 * 128))) "" \
    "2·B·H·T·(64·(K+V) + 2·K·V) flop, K=V=128"
  python3 - "$@" "$peak_all" <<'PY'
import sys
T, H, name, t, loop, peak = sys.argv[1:]
T, H, t, loop, peak = int(T), int(H), float(t), float(loop), float(peak)
g = 2 * 1 * H * T * (64 * (128 + 128) + 2 * 128 * 128) / t / 1e9
print("%-7s %-16s %10.2f %9.1f %8.2f %8.1f" % (T, name, t * 1e3, g, loop / t, 100 * g / peak))
PY
}
echo "machine: $(nproc) cores, measured f32 peak ${peak_all} GFLOP/s (one core ${peak_one}); OMP_PROC_BIND=$OMP_PROC_BIND"
if wants gla; then
echo "GLA, B=1, H=8, K=V=128; median of $reps runs after a warm-up, each variant in its own process"
echo "GFLOP/s counts the nominal work 2·B·H·T·(64·(K+V) + 2·K·V) for every variant; 'vs loop' = loop time / variant time (> 1: faster than the loop)"
printf '%-7s %-16s %10s %9s %8s %8s\n' T variant "median ms" GFLOP/s "vs loop" "% peak"
for T in 1024 16384; do
  loop=$("$out/gla_scan_loop" 1 "$T" "$reps")
  row "$T" 8 "C++ scan loop" "$loop" "$loop"
  t=$(ggml_time "$T" gla --H 8)
  if [ "$t" = - ]; then printf '%-7s %-16s %s\n' "$T" "ggml GLA op" "failed or not available"; record gla gla 1 8 "$T" "ggml GLA op" ggml - "" "" ""
  else row "$T" 8 "ggml GLA op" "$t" "$loop"; fi
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
      row "$T" 8 "mixir $form" "$t" "$loop"
    else
      printf '%-7s %-16s %s\n' "$T" "mixir $form" "failed"
      record gla gla 1 8 "$T" "mixir $form" mixir - "" "" ""
    fi
  done
done

echo
echo "GLA, B=1, H=1, K=V=128: one head on $(nproc) cores; the chunked form splits the sequence into segments (threads: ${MIXIR_NUM_THREADS:-all})"
printf '%-7s %-16s %10s %9s %8s %8s\n' T variant "median ms" GFLOP/s "vs loop" "% peak"
for T in 1024 16384; do
  loop=$("$out/gla_scan_loop" 1 "$T" "$reps" 1)
  row "$T" 1 "C++ scan loop" "$loop" "$loop"
  t=$(ggml_time "$T" gla --H 1)
  if [ "$t" = - ]; then printf '%-7s %-16s %s\n' "$T" "ggml GLA op" "failed or not available"
  else row "$T" 1 "ggml GLA op" "$t" "$loop"; fi
  for form in scan chunked auto; do
    lib="$out/gla_h1_$form.so"
    [ -f "$lib" ] || { printf '%-7s %-16s %s\n' "$T" "mixir $form" "not built"; continue; }
    if t=$("$out/time_kernel" "$lib" gla 1 "$T" "$reps" 1); then
      row "$T" 1 "mixir $form" "$t" "$loop"
    else
      printf '%-7s %-16s %s\n' "$T" "mixir $form" "failed"
    fi
  done
  # The same chunked kernel on one thread: no split, the gain's baseline.
  if t=$(MIXIR_NUM_THREADS=1 "$out/time_kernel" "$out/gla_h1_chunked.so" gla 1 "$T" "$reps" 1); then
    row "$T" 1 "chunked 1 thread" "$t" "$loop"
  fi
done


fi # gla
#--- The delta-rule family ----------------------------------------------------
# Gated DeltaNet (a decay per token) and KDA (a decay per key channel) at
# B=1, H=8, K=V=128, T in {4096, 16384}: mixir's scan, chunked and auto, the
# token-by-token C++ loop a user would write (baseline/delta_scan_loop.cpp,
# two fused passes over the state per token, OpenMP over heads), and the
# pure-PyTorch chunked implementations of transformers and
# flash-linear-attention (peers/torch_delta.py, in the benchmark's own
# virtual environment: peers/requirements.txt; chunks of 64, all threads).
echo
if wants delta; then
g++ -O3 -march=native -fopenmp "$root/bench/baseline/delta_scan_loop.cpp" -o "$out/delta_scan_loop" || exit 1
for mixer in gated_deltanet kda; do
  for form in scan chunked auto; do
    compile "$root/bench/${mixer}_bench.mlir" "$form" "$out/${mixer}_$form.so"
  done
done
torch_reps="${MIXIR_BENCH_TORCH_REPS:-3}"
# delta_row T NAME SECONDS LOOP_SECONDS BEST_TORCH_SECONDS GGML_SECONDS
delta_row() {
  record delta "$mixer" 1 8 "$1" "$2" "$(kind_of "$2")" "$3" $((6 * 8 * $1 * 128 * 128)) "" "6·B·H·T·K·V flop, K=V=128"
  python3 - "$@" "$peak_all" <<'PY'
import sys
T, name, t, loop, torch, ggml, peak = sys.argv[1:]
T, t, loop, peak = int(T), float(t), float(loop), float(peak)
g = 6 * 1 * 8 * T * 128 * 128 / t / 1e9
vs = lambda p: "%8.2f" % (float(p) / t) if p != "-" else "       -"
print("%-7s %-22s %10.2f %9.1f %8.2f %s %s %8.1f" % (T, name, t * 1e3, g, loop / t, vs(torch), vs(ggml), 100 * g / peak))
PY
}
echo "The delta-rule family, B=1, H=8, K=V=128; median of $reps runs (PyTorch: $torch_reps) after a warm-up, each variant in its own process"
echo "GFLOP/s counts the nominal work 6·B·H·T·K·V for every variant; 'vs loop' = loop time / variant time; 'vs torch' = the faster PyTorch time / variant time; 'vs ggml' = ggml's gated_delta_net time / variant time"
# Every mixir and loop time first, every PyTorch time last: a PyTorch
# process leaves the kernel reclaiming gigabytes of memory, which slows
# whatever runs right after it.
declare -A times
for mixer in gated_deltanet kda; do
  kind=$([ "$mixer" = kda ] && echo kda || echo gated_delta)
  gate=$([ "$mixer" = kda ] && echo channel || echo token)
  for T in 4096 16384; do
    times[$mixer,$T,loop]=$("$out/delta_scan_loop" 1 "$T" "$reps" 8 "$gate")
    for form in scan chunked auto; do
      times[$mixer,$T,$form]=$("$out/time_kernel" "$out/${mixer}_$form.so" "$mixer" 1 "$T" "$reps" 8 128 "$kind") \
        || times[$mixer,$T,$form]=-
    done
    times[$mixer,$T,ggml]=$(ggml_time "$T" "$mixer" --H 8 --K 128)
  done
done
impls=(transformers_chunk fla_naive_chunk)
for mixer in gated_deltanet kda; do
  for T in 4096 16384; do
    for impl in "${impls[@]}"; do
      times[$mixer,$T,$impl]=$("$venv/bin/python" "$root/bench/peers/torch_delta.py" --mixer "$mixer" \
        --B 1 --T "$T" --H 8 --K 128 --V 128 --reps "$torch_reps" --threads "$(nproc)" \
        --impl "$impl" 2>/dev/null) || times[$mixer,$T,$impl]=-
    done
  done
done
for mixer in gated_deltanet kda; do
  echo
  echo "$mixer"
  printf '%-7s %-22s %10s %9s %8s %8s %8s %8s\n' T variant "median ms" GFLOP/s "vs loop" "vs torch" "vs ggml" "% peak"
  for T in 4096 16384; do
    loop=${times[$mixer,$T,loop]}
    best=$(for impl in "${impls[@]}"; do echo "${times[$mixer,$T,$impl]}"; done | grep -v '^-$' | sort -g | head -1)
    best=${best:--}
    ggml=${times[$mixer,$T,ggml]}
    delta_row "$T" "C++ scan loop" "$loop" "$loop" "$best" "$ggml"
    for variant in scan chunked auto ggml "${impls[@]}"; do
      t=${times[$mixer,$T,$variant]}
      case $variant in
        scan|chunked|auto) name="mixir $variant" ;;
        ggml) name="ggml gated_delta_net" ;;
        *) name="torch $variant" ;;
      esac
      if [ "$t" = "-" ]; then
        printf '%-7s %-22s %s\n' "$T" "$name" "failed or not available"
        record delta "$mixer" 1 8 "$T" "$name" "$(kind_of "$name")" - "" "" ""
      else
        delta_row "$T" "$name" "$t" "$loop" "$best" "$ggml"
      fi
    done
  done
done


fi # delta
#--- Mamba-2 and RWKV-7 against ggml's ops --------------------------------------
# Mamba-2 (bench/mamba2_bench.mlir: H=8, P=64, N=128, a decay per token and
# head) and RWKV-7 (bench/rwkv7_bench.mlir: H=8, K=V=64, a per-channel decay
# plus a rank-one transition) at B=1, T in {4096, 16384}: mixir's forms and
# auto against the ggml op llama.cpp runs for each (ssm_scan, rwkv_wkv7;
# peers/ggml_ops.py, all threads). GFLOP/s counts the nominal work
# 4·B·H·T·N·P for Mamba-2 (the state's update and read) and 6·B·H·T·K·V for
# RWKV-7 (as the delta rule: the transition's read, the write, the output).
if wants ssm; then
echo
declare -A ssm_forms=([mamba2]="scan chunked quadratic auto" [rwkv7]="scan chunked auto")
declare -A ssm_work=([mamba2]=$((4 * 8 * 128 * 64)) [rwkv7]=$((6 * 8 * 64 * 64)))
declare -A ssm_shape=([mamba2]="8 64" [rwkv7]="8 64")
declare -A ssm_op=([mamba2]=ssm_scan [rwkv7]=rwkv_wkv7)
for mixer in mamba2 rwkv7; do
  for form in ${ssm_forms[$mixer]}; do
    compile "$root/bench/${mixer}_bench.mlir" "$form" "$out/${mixer}_$form.so"
  done
done
echo "Mamba-2 (H=8, P=64, N=128) and RWKV-7 (H=8, K=V=64), B=1; median of $reps runs (ggml: ${MIXIR_BENCH_GGML_REPS:-5}) after a warm-up, each variant in its own process"
echo "'vs ggml' = ggml's op time / variant time (> 1: faster than ggml)"
printf '%-7s %-7s %-22s %10s %9s %8s %8s\n' mixer T variant "median ms" GFLOP/s "vs ggml" "% peak"
for mixer in mamba2 rwkv7; do
  for T in 4096 16384; do
    ggml=$(ggml_time "$T" "$mixer" --H 8 --K 64)
    for variant in ${ssm_forms[$mixer]} ggml; do
      if [ "$variant" = ggml ]; then t=$ggml; name="ggml ${ssm_op[$mixer]}"
      else
        name="mixir $variant"
        # The quadratic form is O(T²): only at T = 4096.
        if [ "$variant" = quadratic ] && [ "$T" -gt 4096 ]; then continue; fi
        t=$("$out/time_kernel" "$out/${mixer}_$variant.so" "$mixer" 1 "$T" "$reps" ${ssm_shape[$mixer]} "$mixer") || t=-
      fi
      record ssm "$mixer" 1 8 "$T" "$name" "$(kind_of "$name")" "$t" $((${ssm_work[$mixer]} * T)) "" \
        "$([ "$mixer" = mamba2 ] && echo "4·B·H·T·N·P flop, P=64, N=128" || echo "6·B·H·T·K·V flop, K=V=64")"
      if [ "$t" = - ]; then printf '%-7s %-7s %-22s %s\n' "$mixer" "$T" "$name" "failed or not available"; continue; fi
      python3 - "$mixer" "$T" "$name" "$t" "$ggml" "${ssm_work[$mixer]}" "$peak_all" <<'PY'
import sys
mixer, T, name, t, ggml, work, peak = sys.argv[1:]
T, t, work, peak = int(T), float(t), float(work), float(peak)
g = work * T / t / 1e9
vs = "%8.2f" % (float(ggml) / t) if ggml != "-" else "       -"
print("%-7s %-7s %-22s %10.2f %9.1f %s %8.1f" % (mixer, T, name, t * 1e3, g, vs, 100 * g / peak))
PY
    done
  done
done
fi # ssm

#--- Softmax attention -------------------------------------------------------
# B=1, H=8 query heads on Hkv=2 key/value heads, K=V=128, T in {1024, 4096,
# 16384}: mixir's flash form (auto picks it) for each mask of
# bench/attention_bench.mlir against PyTorch's scaled_dot_product_attention
# (causal only) and flex_attention compiled with torch.compile, with a block
# mask (peers/torch_attention.py; all threads). The sliding window is 1024
# tokens wide: its time should grow linearly in T.
echo

if wants attention; then
compile "$root/bench/attention_bench.mlir" auto "$out/attention.so"
attn_reps="${MIXIR_BENCH_ATTENTION_REPS:-3}"
attn_row() { # T NAME SECONDS WORK_PAIRS BEST_PEER
  local what=${attn_what:-$mask}
  record attention "$what" 1 8 "$1" "${2#$what }" "$(kind_of "${2#$what }")" "$3" $((4 * 8 * 128 * $4)) "" \
    "4·H·K per visible (query, key) pair, H=8 (Hkv=2), K=V=128"
  python3 - "$@" "$peak_all" <<'PY'
import sys
T, name, t, pairs, peer, peak = sys.argv[1:]
T, t, pairs, peak = int(T), float(t), float(pairs), float(peak)
# 2 products of 128-wide rows per visible (query, key) pair and head
g = 2 * 2 * 8 * 128 * pairs / t / 1e9
vs = "%8.2f" % (float(peer) / t) if peer != "-" else "       -"
print("%-7s %-26s %10.2f %9.1f %s %8.1f" % (T, name, t * 1e3, g, vs, 100 * g / peak))
PY
}
echo "Softmax attention, B=1, H=8, Hkv=2, K=V=128; median of $attn_reps runs after warm-up, each variant in its own process"
echo "GFLOP/s counts 4·H·128 per visible (query, key) pair (causal: T(T+1)/2; window: about 1024·T); 'vs peer' = the peer's time / mixir's (> 1: mixir faster): SDPA for causal, flex_attention otherwise"
declare -A atimes
masks=(causal sliding_window alibi_softcap document)
for T in 1024 4096 16384; do
  for mask in "${masks[@]}"; do
    kind=$([ "$mask" = document ] && echo attention_doc || echo attention)
    atimes[$mask,$T,mixir]=$("$out/time_kernel" "$out/attention.so" "$mask" 1 "$T" "$attn_reps" 8 128 "$kind") \
      || atimes[$mask,$T,mixir]=-
  done
done
for T in 1024 4096 16384; do
  for mask in "${masks[@]}"; do
    for impl in sdpa flex; do
      [ "$impl" = sdpa ] && [ "$mask" != causal ] && continue
      atimes[$mask,$T,$impl]=$(timeout 900 "$venv/bin/python" "$root/bench/peers/torch_attention.py" --mask "$mask" \
        --impl "$impl" --B 1 --T "$T" --H 8 --Hkv 2 --D 128 --reps "$attn_reps" --threads "$(nproc)" 2>/dev/null) \
        || atimes[$mask,$T,$impl]=-
    done
  done
done
printf '%-7s %-26s %10s %9s %8s %8s\n' T variant "median ms" GFLOP/s "vs peer" "% peak"
for mask in "${masks[@]}"; do
  for T in 1024 4096 16384; do
    pairs=$(python3 -c "T=$T; print(sum(min(t + 1, 1024) for t in range(T)) if '$mask' == 'sliding_window' else T * (T + 1) // 2)")
    peer=$([ "$mask" = causal ] && echo "${atimes[$mask,$T,sdpa]}" || echo "${atimes[$mask,$T,flex]}")
    for variant in mixir sdpa flex; do
      t=${atimes[$mask,$T,$variant]:-skip}
      [ "$t" = skip ] && continue
      name="$mask $([ "$variant" = mixir ] && echo "mixir flash" || echo "torch $variant")"
      if [ "$t" = "-" ]; then
        printf '%-7s %-26s %s\n' "$T" "$name" "failed or not available"
        record attention "$mask" 1 8 "$T" "${name#$mask }" "$(kind_of "${name#$mask }")" - "" "" ""
      else
        attn_row "$T" "$name" "$t" "$pairs" "$peer"
      fi
    done
  done
done

# Decoding: one query against Tk cached keys (auto picks the decode form,
# the keys split across the cores); against SDPA (no mask: the query sees
# every key) and flex_attention with the decode mask.
echo
echo "Decoding, B=1, H=8, Hkv=2, K=V=128, Tq=1; median of $attn_reps runs; 'vs peer' = SDPA's time / mixir's"
printf '%-7s %-26s %10s %9s %8s %8s\n' Tk variant "median ms" GFLOP/s "vs peer" "% peak"
for T in 4096 16384; do
  declare -A dtimes=()
  dtimes[mixir]=$("$out/time_kernel" "$out/attention.so" decode 1 "$T" "$attn_reps" 8 128 attention_decode) || dtimes[mixir]=-
  for impl in sdpa flex; do
    dtimes[$impl]=$(timeout 900 "$venv/bin/python" "$root/bench/peers/torch_attention.py" --mask decode \
      --impl "$impl" --B 1 --T "$T" --H 8 --Hkv 2 --D 128 --reps "$attn_reps" --threads "$(nproc)" 2>/dev/null) \
      || dtimes[$impl]=-
  done
  for variant in mixir sdpa flex; do
    t=${dtimes[$variant]}
    name="decode $([ "$variant" = mixir ] && echo "mixir auto" || echo "torch $variant")"
    attn_what=decode
    if [ "$t" = "-" ]; then
      printf '%-7s %-26s %s\n' "$T" "$name" "failed or not available"
      record attention decode 1 8 "$T" "${name#decode }" "$(kind_of "${name#decode }")" - "" "" ""
    elif [ "${dtimes[sdpa]}" = "-" ]; then
      attn_row "$T" "$name" "$t" "$T" -
    else
      attn_row "$T" "$name" "$t" "$T" "${dtimes[sdpa]}"
    fi
  done
done
unset attn_what
fi # attention

#--- Element-wise recurrences --------------------------------------------------
# HGRN, minGRU, RG-LRU and LRU (examples/*.mlir scaled to D = 2048), written
# as mixer.recurrence and raised by mixir to a diagonal recurrence (complex
# for LRU), at B=1,
# T in {4096, 65536}: mixir's scan and parallel_scan against the same
# recurrence in PyTorch (the minGRU paper's log-space logcumsumexp scan; an
# eager loop at T=4096 only) and JAX (lax.scan and lax.associative_scan,
# jitted), peers/recurrence.py. Each moves its inputs once and its outputs
# once at best: 'GB/s' counts those bytes, '% triad' against STREAM's triad
# measured in the same run on all threads (peak/stream_triad.cpp).
if wants recurrence; then
echo
rec_reps="${MIXIR_BENCH_RECURRENCE_REPS:-5}"
# [B,T,D] streams read or written: inputs + outputs.
declare -A rec_streams=([hgrn]=3 [mingru]=3 [rglru]=4 [lru]=4) rec_width=([hgrn]=512 [mingru]=256 [rglru]=256 [lru]=128)
rec_mixers="hgrn mingru rglru lru"
for mixer in $rec_mixers; do
  sed "s/${rec_width[$mixer]}x/2048x/g; s/<${rec_width[$mixer]}x/<2048x/g" "$root/examples/$mixer.mlir" \
    | sed "s/tensor<${rec_width[$mixer]}xf32>/tensor<2048xf32>/g" > "$out/${mixer}_2048.mlir"
  for form in scan parallel_scan; do
    compile "$out/${mixer}_2048.mlir" "$form" "$out/${mixer}_$form.so"
  done
done
# rec_row T NAME SECONDS BEST_PEER_SECONDS STREAMS
rec_row() {
  record recurrence "$mixer" 1 2048 "$1" "$2" "$(kind_of "$2")" "$3" "" $(($5 * 4 * $1 * 2048)) \
    "bytes of the inputs read once and outputs written once, D=2048 (H column: D)"
  python3 - "$@" "$triad" <<'PY'
import sys
T, name, t, peer, streams, triad = sys.argv[1:]
T, t, streams, triad = int(T), float(t), int(streams), float(triad)
gbs = streams * 4 * T * 2048 / t / 1e9
vs = "%8.2f" % (float(peer) / t) if peer != "-" else "       -"
print("%-7s %-24s %10.2f %8.1f %8.0f %s" % (T, name, t * 1e3, gbs, 100 * gbs / triad, vs))
PY
}
echo "Element-wise recurrences, B=1, D=2048; median of $rec_reps runs after a warm-up; STREAM triad ${triad} GB/s on $(nproc) threads"
echo "'GB/s' = (inputs read once + outputs written once) / time; 'vs peer' = the fastest PyTorch or JAX time / variant time"
declare -A rtimes
for mixer in $rec_mixers; do
  for T in 4096 65536; do
    for form in scan parallel_scan; do
      rtimes[$mixer,$T,$form]=$("$out/time_kernel" "$out/${mixer}_$form.so" "$mixer" 1 "$T" "$rec_reps" 1 2048 "$mixer") \
        || rtimes[$mixer,$T,$form]=-
    done
  done
done
peers=(torch_logcumsumexp torch_loop jax_scan jax_associative)
for mixer in $rec_mixers; do
  for T in 4096 65536; do
    for impl in "${peers[@]}"; do
      if [ "$impl" = torch_loop ] && [ "$T" -gt 4096 ]; then rtimes[$mixer,$T,$impl]=-; continue; fi
      rtimes[$mixer,$T,$impl]=$(timeout 900 "$venv/bin/python" "$root/bench/peers/recurrence.py" --mixer "$mixer" \
        --impl "$impl" --T "$T" --D 2048 --reps 3 --threads "$(nproc)" 2>/dev/null) || rtimes[$mixer,$T,$impl]=-
    done
  done
done
for mixer in $rec_mixers; do
  echo
  echo "$mixer"
  printf '%-7s %-24s %10s %8s %8s %8s\n' T variant "median ms" "GB/s" "% triad" "vs peer"
  for T in 4096 65536; do
    best=$(for impl in "${peers[@]}"; do echo "${rtimes[$mixer,$T,$impl]}"; done | grep -v '^-$' | sort -g | head -1)
    best=${best:--}
    for variant in scan parallel_scan "${peers[@]}"; do
      t=${rtimes[$mixer,$T,$variant]}
      name=$([ "$variant" = scan ] || [ "$variant" = parallel_scan ] && echo "mixir $variant" || echo "$variant")
      if [ "$t" = "-" ]; then
        printf '%-7s %-24s %s\n' "$T" "$name" "not run, failed or not available"
        record recurrence "$mixer" 1 2048 "$T" "$name" "$(kind_of "$name")" - "" "" ""
      else
        rec_row "$T" "$name" "$t" "$best" "${rec_streams[$mixer]}"
      fi
    done
  done
done
fi # recurrence

#--- Mamba-1 ------------------------------------------------------------------
# examples/mamba1.mlir scaled to D = 1536 channels (N = 16 states each), a
# mixer.recurrence that mixir keeps (its [D, N] state has no value
# dimension) and runs in the scan form over tiles of 128 channels, at B=1,
# T in {4096, 65536}, against the same selective scan in PyTorch (an eager
# loop over the steps, mamba_ssm's selective_scan_ref with each step's
# coefficients formed in the step) and JAX (lax.scan; lax.associative_scan,
# whose [T, D, N] arrays fit only at T=4096), peers/mamba1.py. 'GB/s' counts
# the bytes of x, delta, Bm, Cm read once and y written once.
if wants mamba1; then
echo
sed 's/256/1536/g' "$root/examples/mamba1.mlir" > "$out/mamba1_1536.mlir"
compile "$out/mamba1_1536.mlir" scan "$out/mamba1_scan.so"
m1_reps="${MIXIR_BENCH_RECURRENCE_REPS:-5}"
echo "Mamba-1, B=1, D=1536, N=16; median of $m1_reps runs (peers: 3, ggml: 5) after a warm-up; 'vs peer' = the fastest PyTorch or JAX time / variant time; 'vs ggml' = ggml's ssm_scan time / variant time"
printf '%-7s %-20s %10s %8s %8s %8s\n' T variant "median ms" "GB/s" "vs peer" "vs ggml"
for T in 4096 65536; do
  declare -A m1
  m1[scan]=$("$out/time_kernel" "$out/mamba1_scan.so" mamba1 1 "$T" "$m1_reps" 1 1536 mamba1) || m1[scan]=-
  for impl in torch_loop jax_scan jax_associative; do
    if [ "$impl" = jax_associative ] && [ "$T" -gt 4096 ]; then m1[$impl]=-; continue; fi
    m1[$impl]=$(timeout 900 "$venv/bin/python" "$root/bench/peers/mamba1.py" --impl "$impl" --T "$T" \
      --D 1536 --reps 3 --threads "$(nproc)" 2>/dev/null) || m1[$impl]=-
  done
  m1[ggml]=$(ggml_time "$T" mamba1 --D 1536)
  for v in scan torch_loop jax_scan jax_associative ggml; do
    name=$(case $v in scan) echo "mixir scan" ;; ggml) echo "ggml ssm_scan" ;; *) echo "$v" ;; esac)
    record mamba1 mamba1 1 1536 "$T" "$name" "$(kind_of "$name")" "${m1[$v]}" "" $(((3 * 1536 + 2 * 16) * 4 * T)) \
      "bytes of x, delta, Bm, Cm read once and y written once, D=1536, N=16 (H column: D)"
  done
  python3 - "$T" "${m1[scan]}" "${m1[torch_loop]}" "${m1[jax_scan]}" "${m1[jax_associative]}" "${m1[ggml]}" <<'PY'
import sys
T = int(sys.argv[1])
names = ["mixir scan", "torch_loop", "jax_scan", "jax_associative", "ggml ssm_scan"]
times = dict(zip(names, sys.argv[2:]))
peers = [float(times[n]) for n in names[1:4] if times[n] != "-"]
best = min(peers) if peers else None
ggml = float(times["ggml ssm_scan"]) if times["ggml ssm_scan"] != "-" else None
for n in names:
    if times[n] == "-":
        print("%-7s %-20s not run, failed or out of memory" % (T, n)); continue
    t = float(times[n])
    gbs = (3 * 1536 + 2 * 16) * 4 * T / t / 1e9
    vs = "%8.2f" % (best / t) if best else "       -"
    vg = "%8.2f" % (ggml / t) if ggml else "       -"
    print("%-7s %-20s %10.1f %8.2f %s %s" % (T, n, t * 1e3, gbs, vs, vg))
PY
done
fi # mamba1

#--- Gated RNN cells ----------------------------------------------------------
# examples/lstm.mlir and examples/gru.mlir scaled to hidden size 512 (LSTM:
# xg [B,T,2048], U [2048,512]; GRU: xg [B,T,1536], U [1536,512]), scan form,
# B=1, against PyTorch's nn.LSTM / nn.GRU on the same sizes with their input
# projection's time subtracted (mixir takes the projections precomputed),
# peers/rnn.py. Each step reads all of U once: 'U GB/s' = U's bytes x T /
# time. Median of 3 runs at T=4096, of 1 at T=65536, after a warm-up.
if wants rnn; then
echo
declare -A rnn_gates=([lstm]=4 [gru]=3)
sed 's/512/2048/g; s/128/512/g; s/\[256\]/[1024]/g; s/\[384\]/[1536]/g' "$root/examples/lstm.mlir" > "$out/lstm_512.mlir"
sed 's/384/1536/g; s/128/512/g; s/\[256\]/[1024]/g' "$root/examples/gru.mlir" > "$out/gru_512.mlir"
for cell in lstm gru; do
  compile "$out/${cell}_512.mlir" scan "$out/${cell}_scan.so"
done
echo "Gated RNN cells, B=1, hidden 512; 'vs nn' = nn.LSTM or nn.GRU recurrent time / mixir time (> 1: mixir faster)"
printf '%-6s %-7s %-22s %10s %8s %8s\n' cell T variant "median ms" "U GB/s" "vs nn"
for cell in lstm gru; do
  for T in 4096 65536; do
    reps=$([ "$T" -gt 4096 ] && echo 1 || echo 3)
    ubytes=$(( ${rnn_gates[$cell]} * 512 * 512 * 4 ))
    mine=$("$out/time_kernel" "$out/${cell}_scan.so" "$cell" 1 "$T" "$reps" 1 512 "$cell") || mine=-
    peer=$(timeout 1800 "$venv/bin/python" "$root/bench/peers/rnn.py" --cell "$cell" --T "$T" --H 512 \
      --reps "$reps" --threads "$(nproc)" 2>/dev/null) || peer="- -"
    read -r peer_rec peer_full <<< "$peer"
    for v in "mixir scan:$mine" "nn (recurrent part):$peer_rec" "nn (whole module):$peer_full"; do
      record rnn "$cell" 1 512 "$T" "${v%%:*}" "$(kind_of "${v%%:*}")" "${v##*:}" "" $((ubytes * T)) \
        "bytes of U read once per step, hidden 512 (H column: hidden size); nn's recurrent part: the module's time less its input projection's"
    done
    python3 - "$cell" "$T" "$mine" "$peer_rec" "$peer_full" "$ubytes" <<'PY'
import sys
cell, T, mine, rec, full, ubytes = sys.argv[1:]
T, ubytes = int(T), int(ubytes)
def row(name, t, vs):
    if t == "-":
        print("%-6s %-7s %-22s not run, failed or not available" % (cell, T, name)); return
    t = float(t)
    print("%-6s %-7s %-22s %10.1f %8.1f %8s" % (cell, T, name, t * 1e3, ubytes * T / t / 1e9, vs))
vs = "%8.2f" % (float(rec) / float(mine)) if mine != "-" and rec != "-" else "       -"
row("mixir scan", mine, vs)
row("nn (recurrent part)", rec, "")
row("nn (whole module)", full, "")
PY
  done
done
fi # rnn

#--- Decode: one token from a state that is in no cache ------------------------
# Gated DeltaNet and GLA at B=1, H=16, K=V=128 (a 1 MiB state), T=1, the
# state updated in place (hT passed as h0's buffer): bench/*_decode_bench.mlir
# in auto (which picks the scan at T=1) and scan, called in turn on distinct
# states filling MIXIR_BENCH_DECODE_MIB (128 MiB: far beyond the last-level
# cache), driver/time_decode.cpp. A call must read and write its state once:
# the target is 1.3 × (2 × state bytes) / (STREAM triad bandwidth) + 5 µs.
if wants decode; then
echo
g++ -O2 "$root/bench/driver/time_decode.cpp" -o "$out/time_decode" -ldl || exit 1
decode_mib="${MIXIR_BENCH_DECODE_MIB:-128}"
echo "Decode, B=1, H=16, K=V=128, T=1 from a 1 MiB state updated in place, rotating over ${decode_mib} MiB of states; median call of 7 rounds; STREAM triad ${triad} GB/s"
printf '%-16s %-12s %10s %8s %8s %10s\n' mixer variant "median us" "GB/s" "% triad" "target us"
for mixer in gated_deltanet gla; do
  kind=$([ "$mixer" = gla ] && echo channel || echo gated_delta)
  for form in auto scan; do
    compile "$root/bench/${mixer}_decode_bench.mlir" "$form" "$out/${mixer}_decode_$form.so"
    if read -r us bytes count < <("$out/time_decode" "$out/${mixer}_decode_$form.so" "${mixer}_decode" "$kind" \
        16 128 128 "$decode_mib" 7); then
      record decode "$mixer" 1 16 1 "mixir $form" mixir "$(python3 -c "print($us * 1e-6)")" "" "$bytes" \
        "bytes of the state read and written once per call (2·H·K·V·4), K=V=128"
      python3 - "$mixer" "$form" "$us" "$bytes" "$triad" <<'PY'
import sys
mixer, form, us, nbytes, triad = sys.argv[1:]
us, nbytes, triad = float(us), float(nbytes), float(triad)
gbs = nbytes / (us * 1e-6) / 1e9
target = 1.3 * nbytes / (triad * 1e9) * 1e6 + 5
print("%-16s %-12s %10.1f %8.1f %8.0f %10.1f" % (mixer, "mixir " + form, us, gbs, 100 * gbs / triad, target))
PY
    else
      printf '%-16s %-12s %s\n' "$mixer" "mixir $form" failed
      record decode "$mixer" 1 16 1 "mixir $form" mixir - "" "" ""
    fi
  done
done
fi # decode

#--- RESULTS.md -----------------------------------------------------------------
# Every table above as one file with log-log plots of time against T, in
# MIXIR_BENCH_RESULTS_DIR (bench/ by default); matplotlib comes with the
# benchmark's virtual environment.
report_python="$venv/bin/python"
[ -x "$report_python" ] || report_python=python3
if "$report_python" "$root/bench/report.py" "$csv" "$out/machine.csv" "$results_dir"; then
  echo
  echo "wrote $results_dir/RESULTS.md and $results_dir/plots/ (from $csv)"
fi
