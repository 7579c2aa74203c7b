#!/usr/bin/env bash
# Configures the sanitized build (clang-22, AddressSanitizer and
# UndefinedBehaviorSanitizer, libFuzzer's coverage, the fuzz targets) in
# ${MIXIR_FUZZ_BUILD_DIR:-build-fuzz}, installing clang-22 if it is missing.
# Used by scripts/fuzz.sh and scripts/sanitize.sh; prints the directory.
# LLVM_UBSAN_FLAGS is set here because an installed LLVM does not define it
# (LLVM's own build does), and without it "Undefined" adds no flag; vptr
# and function need RTTI, which LLVM is built without.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MIXIR_FUZZ_BUILD_DIR:-$root/build-fuzz}"
if ! command -v clang++-22 >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  $sudo_cmd apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q clang-22 libclang-rt-22-dev >&2
fi
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    -DLLVM_ENABLE_ASSERTIONS=ON \
    -DLLVM_USE_SANITIZER="Address;Undefined" \
    "-DLLVM_UBSAN_FLAGS=-fsanitize=undefined -fno-sanitize=vptr,function -fno-sanitize-recover=all" \
    -DLLVM_USE_SANITIZE_COVERAGE=ON \
    -DMIXIR_ENABLE_FUZZERS=ON >&2
fi
echo "$build"
