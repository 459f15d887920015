#!/usr/bin/env bash
# Installs what is missing, builds (normal and ASan+UBSan), and runs every test of the default run.
# Soak tests (CTest label "soak") are left out; run them with: ctest --test-dir build -L soak
# Tests on the real Kafka broker (label "realbroker", ../shared/kafka; skipped where it is absent)
# run in the normal build only: under ASan they would prove the same broker behaviour again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
start=$(date +%s)
scripts/build.sh
echo "== tests (build/)"
ctest --test-dir build --output-on-failure -j2 -LE soak --timeout 600
scripts/build.sh --asan
echo "== tests under AddressSanitizer + UBSan (build-asan/)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 -LE 'soak|realbroker' --timeout 900
# Every parser's fuzz target over its corpus (fuzz/README.md), SENTINEL_FUZZ_SECONDS each.
scripts/fuzz.sh --seconds "${SENTINEL_FUZZ_SECONDS:-15}"
echo "test.sh: all passed in $(( $(date +%s) - start ))s"
