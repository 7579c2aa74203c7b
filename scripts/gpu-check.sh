#!/usr/bin/env bash
# The GPU check, in two halves (docs/gpu.md, "Checking on a GPU"):
#
#   scripts/gpu-check.sh prepare [ARCH]   on the build machine (LLVM 22,
#       the CUDA toolkit): builds mixir, compiles every example in every form
#       and the GPU benchmark kernels (bench/gpu/*_bench.mlir) with
#       --target=nvptx --gpu-arch=ARCH (default sm_90) into gpu-check/,
#       with mixir-check, the OpenMP runtime it loads and, where pip can
#       reach PyPI, flash-linear-attention's wheel (the peer);
#   scripts/gpu-check.sh run              on a machine with an NVIDIA GPU and
#       its driver (no LLVM, no network needed): runs every example on the
#       GPU against its double-precision reference (mixir-check --cuda),
#       then bench/gpu/gpu_bench.py against the peers, and writes
#       gpu-check/RESULTS.md.
#
# gpu-check/ is ignored by git; it is what travels to the GPU machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/gpu-check"
build="${MIXIR_BUILD_DIR:-$root/build}"

# Every example with the forms it has (as test/Integration/gpu-ptxas.test).
examples=(aaren:scan,parallel_scan alibi_softcap:flash,decode
  attention_decode:flash,decode attention_gqa:flash,decode
  cross_attention:flash,decode deltanet:scan,chunked deltanet_f16:scan,chunked
  document_mask:flash,decode forgetting_attention:flash
  gated_deltanet:scan,chunked gated_deltanet_recurrence:scan,chunked
  gla:scan,chunked,quadratic gla_bf16:scan,chunked,quadratic
  gla_recurrence:scan,chunked,quadratic gla_state:scan,chunked,quadratic
  gru:scan hgrn:scan,parallel_scan hgrn_gated:scan,parallel_scan indrnn:scan
  kda:scan,chunked linear_attention:scan,chunked,quadratic
  lru:scan,parallel_scan lstm:scan mamba1:scan mamba2:scan,chunked,quadratic
  mingru:scan,parallel_scan retnet:scan,chunked,quadratic
  rglru:scan,parallel_scan rwkv7:scan,chunked sliding_window:flash,decode)
benches=(gla_bf16:chunked,scan,auto gated_deltanet_bf16:chunked,scan,auto
  attention_bf16:flash,auto)

prepare() {
  local arch=${1:-sm_90}
  "$root/scripts/build.sh"
  rm -rf "$out" && mkdir -p "$out/lib" "$out/bench" "$out/bin" "$out/wheels"
  local spec ex forms form
  for spec in "${examples[@]}"; do
    ex=${spec%%:*} forms=${spec#*:}
    for form in ${forms//,/ } auto; do
      "$build/bin/mixirc" "$root/examples/$ex.mlir" --target=nvptx \
        --gpu-arch="$arch" --form="$form" --emit=shared -o "$out/lib/$ex.$form.so"
    done
  done
  for spec in "${benches[@]}"; do
    ex=${spec%%:*} forms=${spec#*:}
    for form in ${forms//,/ }; do
      "$build/bin/mixirc" "$root/bench/gpu/${ex}_bench.mlir" --target=nvptx \
        --gpu-arch="$arch" --form="$form" --emit=shared \
        -o "$out/bench/${ex}_bench.$form.so"
    done
  done
  cp "$build/bin/mixir-check" "$out/bin/"
  # The libraries name OpenMP (the runtime's thread control links it).
  cp -L "$(sed -n 's/^MIXIR_OMP_LIBRARY:FILEPATH=//p' "$build/CMakeCache.txt")" \
    "$out/bin/libomp.so.5"
  printf '%s\n' "${examples[@]}" > "$out/examples.txt"
  echo "$arch" > "$out/arch.txt"
  # The peer's kernels (Triton, no build step): its wheel, if PyPI answers.
  python3 -m pip download --no-deps --dest "$out/wheels" \
    flash-linear-attention 2>/dev/null ||
    echo "gpu-check: PyPI unreachable: the benchmark will run without fla"
  du -sh "$out"
}

run() {
  [ -d "$out/lib" ] || { echo "gpu-check: run 'prepare' first" >&2; exit 2; }
  export LD_LIBRARY_PATH="$out/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  local results="$out/RESULTS.md" log="$out/check.log" spec ex forms form
  local failed=0
  {
    echo "# mixir's GPU kernels: correctness and speed"
    echo
    echo "$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo 'GPU: unknown'),"
    echo "kernels for $(cat "$out/arch.txt"); $(date -u +%Y-%m-%d)."
    echo
    echo "## Every example against its double-precision reference"
    echo
    echo "mixir-check --cuda, B = 2, T = 1, 7, 64, 100, 1000 (relative L2"
    echo "error: 1e-4 for f32 outputs, 2e-3 f16, 1e-2 bf16)."
    echo
    echo '```'
  } > "$results"
  : > "$log"
  while read -r spec; do
    ex=${spec%%:*} forms=${spec#*:}
    for form in ${forms//,/ } auto; do
      if ! "$out/bin/mixir-check" --cuda --summary --lib "$out/lib/$ex.$form.so" \
          --example "$ex" --label "$form" >> "$log" 2>&1; then
        failed=$((failed + 1))
      fi
    done
  done < "$out/examples.txt"
  cat "$log" >> "$results"
  echo '```' >> "$results"
  echo >> "$results"
  echo "$failed example-form pairs failed." >> "$results"
  echo >> "$results"
  # The peer, from its wheel (its dependencies are the machine's torch and
  # triton), then the benchmark.
  if ls "$out"/wheels/*.whl >/dev/null 2>&1; then
    python3 -m pip install --no-deps --no-index --quiet --target "$out/py" \
      "$out"/wheels/*.whl || true
    export PYTHONPATH="$out/py${PYTHONPATH:+:$PYTHONPATH}"
  fi
  python3 "$root/bench/gpu/gpu_bench.py" "$out/bench" "$out/bench.md" ||
    echo "gpu-check: the benchmark failed" > "$out/bench.md"
  sed 's/^# /## /' "$out/bench.md" >> "$results"
  cat "$results"
  [ "$failed" -eq 0 ]
}

case "${1:-}" in
  prepare) shift; prepare "$@" ;;
  run) run ;;
  *) echo "usage: scripts/gpu-check.sh prepare [sm_80|sm_90|sm_90a] | run" >&2; exit 2 ;;
esac
