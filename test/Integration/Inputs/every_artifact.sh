#!/usr/bin/env bash
# every_artifact.sh EXAMPLES_DIR OUT_DIR RUNTIME_LIB OMP_LIB EXAMPLE[:FORMS]...
# FORMS: the example's forms, comma-separated (default scan,chunked,quadratic).
# For each example and each of its forms (pinned, and auto): an object file whose
# only global definition is the entry point and that links with nothing but
# the runtime, OpenMP and libm (-Wl,--no-undefined), and a header that
# compiles as C. Prints one line per (example, form). Two jobs at a time.
set -euo pipefail
examples=$1 out=$2 runtime=$3 omp=$4
shift 4
one() { # example form
  set -euo pipefail
  local ex=$1 form=$2 base="$out/$1.$2"
  mixirc "$examples/$ex.mlir" --emit=obj --form="$form" -o "$base.o"
  mixirc "$examples/$ex.mlir" --emit=header --form="$form" -o "$base.h"
  local globals
  globals=$(nm --defined-only --extern-only "$base.o" | awk '{print $3}' | tr '\n' ' ')
  [ "$globals" = "$ex " ] || { echo "$ex $form: unexpected globals: $globals"; return 1; }
  cc -shared -Wl,--no-undefined -o "$base.so" "$base.o" "$runtime" "$omp" -lm
  echo "int main(void) { return 0; }" |
    cc -std=c11 -Wall -Werror -include "$base.h" -x c - -fsyntax-only
  echo "$ex $form obj header ok"
}
export -f one
export examples out runtime omp
for spec in "$@"; do
  ex=${spec%%:*}
  forms=scan,chunked,quadratic
  [ "$spec" != "$ex" ] && forms=${spec#*:}
  for form in ${forms//,/ } auto; do
    echo "$ex $form"
  done
done | xargs -P 2 -L 1 bash -c 'one "$@"' _ | sort
