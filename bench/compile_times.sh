#!/usr/bin/env bash
# Compile time of every example, in every form it has and in auto:
#   bench/compile_times.sh [BUILD_DIR] [REPS]
# Each compilation is `mixirc FILE --form=F --emit=obj` for the host CPU,
# timed REPS times (default 3) and reported as the median wall time; a
# form the example does not have is refused by mixirc at once and skipped.
# The targets (issue 10): under 1 s for a pinned form, under 2 s for auto.
# For where the time goes, run one compilation with --mlir-timing.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
reps="${2:-3}"
mixirc="$build/bin/mixirc"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
forms="auto scan parallel_scan chunked quadratic flash decode"

median_seconds() { # command...: the median wall time of $reps runs
  local times=() s e
  for _ in $(seq "$reps"); do
    s=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || return 1
    e=$(date +%s.%N)
    times+=("$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }')")
  done
  printf '%s\n' "${times[@]}" | sort -g | sed -n "$(( (reps + 1) / 2 ))p"
}

gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

printf '%-28s %-14s %9s  %s\n' example form seconds target
worst_pinned=0 worst_auto=0 over=0
for f in "$root"/examples/*.mlir; do
  name="$(basename "$f" .mlir)"
  for form in $forms; do
    # A form the mixer lacks is refused at once, with the reason: skip it.
    "$mixirc" "$f" --form="$form" --emit=obj -o "$out/x.o" 2>/dev/null || continue
    t=$(median_seconds "$mixirc" "$f" --form="$form" --emit=obj -o "$out/x.o") || continue
    limit=1; [ "$form" = auto ] && limit=2
    verdict=ok
    if gt "$t" "$limit"; then verdict="over ${limit} s"; over=$((over + 1)); fi
    printf '%-28s %-14s %9.3f  %s\n' "$name" "$form" "$t" "$verdict"
    if [ "$form" = auto ]; then
      gt "$t" "$worst_auto" && worst_auto=$t
    else
      gt "$t" "$worst_pinned" && worst_pinned=$t
    fi
  done
done
printf 'slowest pinned form %.3f s (target < 1 s), slowest auto %.3f s (target < 2 s); %d over\n' \
  "$worst_pinned" "$worst_auto" "$over"
