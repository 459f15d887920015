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
# Two of the three-instance alert scenarios are left to the normal pass and the real broker: under
# ASan, three instances rebalancing on the dev broker (which holds a killed member's partitions for
# its 45 s session timeout) missed the scenario's deadlines (fresh clone, 2026-12-06: 214 s each).
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 -LE 'soak|realbroker' --timeout 900 \
  -E '^AlertsScale\.(SigkillOfOneOfThreeMidRunLosesAndRepeatsNothing|ScalingFromOneToThreeAndBackToOneWhileRecordsFlow)$'
# Every parser's fuzz target over its corpus (fuzz/README.md), SENTINEL_FUZZ_SECONDS each.
scripts/fuzz.sh --seconds "${SENTINEL_FUZZ_SECONDS:-15}"
echo "test.sh: all passed in $(( $(date +%s) - start ))s"
