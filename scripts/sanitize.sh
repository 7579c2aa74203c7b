#!/usr/bin/env bash
# The lit suite under AddressSanitizer and UndefinedBehaviorSanitizer: every
# tool built in the sanitized build directory (scripts/configure-sanitized.sh)
# and the tests run with --param mixir_quick=1 (the integration tests at
# T <= 1000: no T = 4096 or 16384 runs). Any
# sanitizer report fails the test that triggered it. The kernels' runtime
# library is built without instrumentation (lib/Runtime/CMakeLists.txt), so
# that programs outside this build can link what mixirc emits.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$("$root/scripts/configure-sanitized.sh")"
ninja -C "$build" mixir-opt mixir-translate mixirc mixir-check \
  mixir-runtime-test MixirRuntime
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# allow_user_poisoning=0: the tools are instrumented but the installed
# libMLIR is not, and both use LLVM's inline BumpPtrAllocator, whose
# instrumented copy poisons the unused part of a slab that the library's
# copy then allocates from without unpoisoning (a false use-after-poison).
export ASAN_OPTIONS=detect_leaks=1:allow_user_poisoning=0
/usr/lib/llvm-22/bin/lit -sv --param mixir_quick=1 "$build/test"
