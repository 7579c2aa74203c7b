#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer and
# UndefinedBehaviorSanitizer (clang-22, into ${MIXIR_FUZZ_BUILD_DIR:-build-fuzz})
# and runs each for a bounded time:
#   scripts/fuzz.sh [SECONDS]          (default 60 per target)
# MIXIR_FUZZ_TARGETS picks them: "mix" (the .mix frontend: lex, parse,
# check, build, verify) and "mlir" (a .mlir module parsed, verified and run
# through the CPU pipeline to the LLVM dialect).
# The corpus starts from examples/*.mix and test/Frontend/*.mix and grows in
# the build directory; a crash is written there as crash-* and the script
# fails. A fixed crash is kept in test/Frontend/Inputs/fuzz-regressions and
# reduced into a case of test/Frontend/fuzz-regressions.mix.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MIXIR_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${1:-60}"
if ! command -v clang++-22 >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q clang-22 libclang-rt-22-dev
fi
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    -DLLVM_ENABLE_ASSERTIONS=ON \
    -DLLVM_USE_SANITIZER="Address;Undefined" \
    -DLLVM_USE_SANITIZE_COVERAGE=ON \
    -DMIXIR_ENABLE_FUZZERS=ON
fi
targets="${MIXIR_FUZZ_TARGETS:-mix mlir}"
for t in $targets; do ninja -C "$build" "mixir-fuzz-$t"; done
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1
cd "$build"
status=0
for t in $targets; do
corpus="$build/fuzz-corpus/$t"
mkdir -p "$corpus"
if [ "$t" = mlir ]; then
  cp "$root"/examples/*.mlir "$corpus"/
  "$build/bin/mixir-fuzz-mlir" -max_total_time="$seconds" -timeout=30 \
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
  "$build/bin/mixir-fuzz-mix" -max_total_time="$seconds" -timeout=10 \
    -dict="$root/tools/mixir-fuzz/mix.dict" \
    -rss_limit_mb=4096 -print_final_stats=1 "$corpus" || status=1
done
exit "$status"
