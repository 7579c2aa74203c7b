#!/usr/bin/env bash
# The whole test suite on a fresh machine: install, build, run every lit test
# (per-pass FileCheck tests, verifier diagnostics, runtime unit tests, and
# integration tests that compile every example in every form and compare it
# with a double-precision reference).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MIXIR_BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
log="$(mktemp)"
status=0
/usr/lib/llvm-22/bin/lit -sv "$build/test" 2>&1 | tee "$log" || status=$?
passed=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
