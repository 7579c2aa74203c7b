#!/usr/bin/env bash
# gpu_ptxas.sh EXAMPLES_DIR OUT_DIR CUDA_PATH ARCHS EXAMPLE:FORMS...
# Compiles each example in each listed form for each architecture (comma-
# separated) with mixirc --target=nvptx --emit=cubin (PTX assembled by the
# toolkit's ptxas). Prints "EX FORM ARCH ok" or what failed; two at a time.
set -euo pipefail
examples=$1 out=$2 cuda=$3 archs=$4
shift 4
one() { # example form arch
  local log
  if log=$(mixirc "$examples/$1.mlir" --target=nvptx --gpu-arch="$3" \
             --cuda-path="$cuda" --form="$2" --emit=cubin \
             -o "$out/$1.$2.$3.cubin" 2>&1); then
    echo "$1 $2 $3 ok"
  else
    echo "$1 $2 $3 FAIL: $log"
  fi
}
export -f one
export examples out cuda
for spec in "$@"; do
  ex=${spec%%:*}
  forms=${spec#*:}
  for form in ${forms//,/ }; do
    for arch in ${archs//,/ }; do
      echo "$ex $form $arch"
    done
  done
done | xargs -P 2 -L 1 bash -c 'one "$@"' _ | sort
