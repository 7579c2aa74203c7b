#!/usr/bin/env bash
# gpu_mapped_on_cpu.sh EXAMPLES_DIR OUT_DIR T_LIST EXAMPLE:FORMS...
# Compiles each example in each listed form as the GPU path's mapped program
# run on the CPU (mixirc --gpu-mapped-on-cpu: grids of blocks, thread loops,
# barriers, block arenas) and checks it against the example's
# double-precision reference at the lengths T_LIST. Prints one line per
# (example, form): "EX FORM ok" or what failed. Two jobs at a time.
set -euo pipefail
examples=$1 out=$2 lengths=$3
shift 3
one() { # example form
  local ex=$1 form=$2 lib="$out/$1.$2.so" log
  if ! log=$(mixirc "$examples/$ex.mlir" --emit=shared --form="$form" \
               --gpu-mapped-on-cpu -o "$lib" 2>&1); then
    echo "$ex $form FAIL (compile): $log"
    return 0
  fi
  log=$(mixir-check --lib "$lib" --example "$ex" --label "gpu-mapped/$form" \
          --T "$lengths" 2>&1) || true
  if grep -q "^[0-9]* passed, 0 failed" <<<"$log"; then
    echo "$ex $form ok"
  else
    echo "$ex $form FAIL: $log"
  fi
}
export -f one
export examples out lengths
for spec in "$@"; do
  ex=${spec%%:*}
  forms=${spec#*:}
  for form in ${forms//,/ }; do
    echo "$ex $form"
  done
done | xargs -P 2 -L 1 bash -c 'one "$@"' _ | sort
