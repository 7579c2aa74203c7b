#!/usr/bin/env bash
# The main job: install, build, compile every example of examples/ in every
# form it has (and auto) into a shared library, and its .mix twin where there
# is one, run each against the independent double-precision reference, and
# print one table.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MIXIR_BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
out="$build/examples"
mkdir -p "$out"
status=0
printf '%-18s %-10s %s\n' example form "result (relative L2 error per output and T)"
for mlir in "$root"/examples/*.mlir; do
  name="$(basename "$mlir" .mlir)"
  for form in scan parallel_scan chunked quadratic flash decode auto; do
    lib="$out/${name}_${form}.so"
    if ! "$build/bin/mixirc" "$mlir" --emit=shared --form="$form" -o "$lib" 2>"$lib.log"; then
      # A form the mixer does not have (a delta rule has no quadratic form)
      # is reported by mixirc at the op; anything else is a failure.
      if grep -q "has no '$form' form" "$lib.log"; then
        printf '%-18s %-10s %s\n' "$name" "$form" "(no such form for this mixer)"
      else
        printf '%-18s %-10s %s\n' "$name" "$form" "COMPILE FAILED"
        cat "$lib.log"
        status=1
      fi
      continue
    fi
    if ! "$build/bin/mixir-check" --lib "$lib" --example "$name" --label "$form" \
         --T 1,7,64,100,1000 --summary; then
      status=1
    fi
  done
  # The .mix twin, when there is one: the same function, in the auto form.
  mix="${mlir%.mlir}.mix"
  if [ -f "$mix" ]; then
    lib="$out/${name}_mix.so"
    if ! "$build/bin/mixirc" "$mix" --emit=shared -o "$lib" 2>"$lib.log"; then
      printf '%-18s %-10s %s\n' "$name" "mix/auto" "COMPILE FAILED"
      cat "$lib.log"
      status=1
    elif ! "$build/bin/mixir-check" --lib "$lib" --example "$name" \
           --label mix/auto --T 1,7,64,100,1000 --summary; then
      status=1
    fi
  fi
done
exit "$status"
