#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer and
# UndefinedBehaviorSanitizer (clang-22, into ${MIXIR_FUZZ_BUILD_DIR:-build-fuzz})
# and runs each for a bounded time:
#   scripts/fuzz.sh [SECONDS]          (default 60 per target)
# MIXIR_FUZZ_TARGETS picks them: "mix" (the .mix frontend: lex, parse,
# check, build, verify) and "mlir" (a .mlir module parsed, verified and run
# through the CPU pipeline to the LLVM dialect). MIXIR_FUZZ_JOBS=N runs N
# fuzzing processes at once (libFuzzer's -fork=N; default 1, in-process).
# The corpus starts from examples/*.mix and test/Frontend/*.mix and grows in
# the build directory; a crash is written there as crash-* and the script
# fails. A fixed crash of the .mix target is kept in
# test/Frontend/Inputs/fuzz-regressions and reduced into a case of
# test/Frontend/fuzz-regressions.mix; one of the .mlir target in
# tools/mixir-fuzz/mlir-regressions, which seeds its corpus.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
build="$("$root/scripts/configure-sanitized.sh")"
targets="${MIXIR_FUZZ_TARGETS:-mix mlir}"
jobs="${MIXIR_FUZZ_JOBS:-1}"
fork=()
[ "$jobs" -gt 1 ] && fork=(-fork="$jobs")
for t in $targets; do ninja -C "$build" "mixir-fuzz-$t"; done
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# allow_user_poisoning=0: the tools are instrumented but the installed
# libMLIR is not, and both use LLVM's inline BumpPtrAllocator, whose
# instrumented copy poisons the unused part of a slab that the library's
# copy then allocates from without unpoisoning (a false use-after-poison).
export ASAN_OPTIONS=detect_leaks=1:allow_user_poisoning=0
cd "$build"
status=0
for t in $targets; do
corpus="$build/fuzz-corpus/$t"
mkdir -p "$corpus"
if [ "$t" = mlir ]; then
  cp "$root"/examples/*.mlir "$root"/tools/mixir-fuzz/mlir-regressions/* "$corpus"/
  "$build/bin/mixir-fuzz-mlir" "${fork[@]}" -max_total_time="$seconds" -timeout=30 \
    -rss_limit_mb=4096 -print_final_stats=1 "$corpus" || status=1
  continue
fi
cp "$root"/examples/*.mix "$corpus"/
# Each case of the frontend's tests, split at its markers, is a seed too.
for f in "$root"/test/Frontend/*.mix "$root"/test/Frontend/Inputs/fuzz-regressions/*.mix; do
  [ -f "$f" ] || continue
  awk -v out="$corpus/$(basename "$f" .mix)" \
    '/^\/\/ -----/ { n++; next } { print > (out "-" n ".mix") }' "$f"
done
  "$build/bin/mixir-fuzz-mix" "${fork[@]}" -max_total_time="$seconds" -timeout=10 \
    -dict="$root/tools/mixir-fuzz/mix.dict" \
    -rss_limit_mb=4096 -print_final_stats=1 "$corpus" || status=1
done
exit "$status"
