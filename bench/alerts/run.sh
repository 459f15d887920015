#!/usr/bin/env bash
# bench/alerts/run.sh BUILD_DIR [HOSTS] [TICKS]
#
# sentinel-alerts throughput and alert latency with the default rules (config/alerts.yaml) over
# HOSTS synthetic hosts (default 1000; 12 records a host every 10 s tick, TICKS ticks, default
# 84 ≈ 1 M records), produced to sentinel-devkafka beforehand. Side by side in one run:
#   floor   — a consumer that only parses the same records (same parser, same client settings)
#   engine  — the real daemon (sentinel-alerts --drain): consume, evaluate, produce, commit
#   memory  — parse-only vs parse+evaluate over records already in memory (no Kafka)
# Records are keyed by host over 64 partitions: librdkafka's mock cluster keeps only about 5 MB
# per partition, so 1 M records keyed by resource (7 keys) would be truncated. The default rules
# all group by host, so they are partition-local with key = host as well.
# Pinned to one core with taskset -c 0 when available (the broker to core 1). Latency: from a window's close (the
# moment the engine emits the alert) to Kafka's acknowledgement, p50 and p99.
set -euo pipefail

BUILD=${1:?usage: bench/alerts/run.sh BUILD_DIR [HOSTS] [TICKS]}
HOSTS=${2:-1000}
TICKS=${3:-84}
BIN=$(cd "$BUILD" && pwd)/bin
SRC=$(cd "$(dirname "$0")/../.." && pwd)
source "$SRC/bench/devkafka-limits.sh"
WORK=$(mktemp -d)
DEVKAFKA_PID=
cleanup() {
  if [ -n "$DEVKAFKA_PID" ]; then kill "$DEVKAFKA_PID" 2>/dev/null || true; wait "$DEVKAFKA_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

for b in sentinel-devkafka sentinel-alerts sentinel-alerts-bench; do
  [ -x "$BIN/$b" ] || { echo "missing $BIN/$b: build it first" >&2; exit 1; }
done
# The engine (and the floor) on core 0, the broker on core 1: the broker is the environment,
# not the thing measured, and sharing a core with it would bill its work to the engine.
PIN=()
BROKER_PIN=()
if command -v taskset >/dev/null; then
  PIN=(taskset -c 0)
  if [ "$(nproc)" -ge 2 ]; then BROKER_PIN=(taskset -c 1); fi
fi

"${BROKER_PIN[@]}" "$BIN/sentinel-devkafka" --topic system_metrics:64 --topic system_alerts:3 \
  --bootstrap-file "$WORK/bootstrap" </dev/null >"$WORK/devkafka.out" 2>"$WORK/devkafka.err" &
DEVKAFKA_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/bootstrap" ] && break; sleep 0.1; done
BS=$(head -1 "$WORK/bootstrap")
[ -n "$BS" ] || { echo "sentinel-devkafka did not start" >&2; cat "$WORK/devkafka.err" >&2; exit 1; }

echo "producing $HOSTS hosts x $TICKS ticks x 12 records to $BS ..." >&2
# 10 % of the hosts get a CPU spike: ~200 alerts (firing + resolved), enough samples for a p99.
"$BIN/sentinel-alerts-bench" produce --bootstrap-servers "$BS" --hosts "$HOSTS" --ticks "$TICKS" \
  --hot-fraction "${HOT_FRACTION:-0.1}" >"$WORK/produce.json"

echo "floor: consume + parse ..." >&2
"${PIN[@]}" "$BIN/sentinel-alerts-bench" floor --bootstrap-servers "$BS" >"$WORK/floor.json"

echo "engine: sentinel-alerts --drain with config/alerts.yaml ..." >&2
SENTINEL_LOG_LEVEL=warning "${PIN[@]}" "$BIN/sentinel-alerts" --config "$SRC/config/alerts.yaml" \
  --bootstrap-servers "$BS" --drain >"$WORK/engine.json" 2>"$WORK/engine.err" ||
  { cat "$WORK/engine.err" >&2; exit 1; }

echo "memory: parse vs parse + evaluate ..." >&2
"${PIN[@]}" "$BIN/sentinel-alerts-bench" memory --bootstrap-servers "$BS" \
  --config "$SRC/config/alerts.yaml" >"$WORK/memory.json"

python3 - "$WORK" "${PIN[*]:-none}" <<'PY'
import json, sys
w, pin = sys.argv[1], sys.argv[2]
load = lambda n: json.loads(open(f"{w}/{n}.json").read().strip().splitlines()[-1])
p, f, e, m = load("produce"), load("floor"), load("engine"), load("memory")
print(f"sentinel-alerts benchmark: {p['hosts']} hosts, {p['produced']} records, default rules, pinned: {pin}")
print()
print(f"{'pipeline':<44}{'records/s':>12}{'vs floor':>10}")
print(f"{'floor: Kafka consume + parse only':<44}{f['records_per_s']:>12,.0f}{1.0:>10.2f}")
print(f"{'sentinel-alerts: consume+evaluate+produce':<44}{e['records_per_s']:>12,.0f}{e['records_per_s']/f['records_per_s']:>10.2f}")
print(f"{'in memory: parse only':<44}{m['parse_per_s']:>12,.0f}{'':>10}")
print(f"{'in memory: parse + evaluate':<44}{m['evaluate_per_s']:>12,.0f}{m['evaluate_per_s']/m['parse_per_s']:>10.2f}  (vs in-memory parse)")
print()
print(f"alerts produced {e['alerts']}, acknowledged {e['acked']}, late records {e['late']}, bad {e['bad']}")
print(f"window close -> alert acked by Kafka ({e['acked']} alerts): p50 {e['ack_p50_us']/1000:.2f} ms, p99 {e['ack_p99_us']/1000:.2f} ms")
print(f"targets: >= 500,000 records/s on one core: {'met' if e['records_per_s'] >= 500000 else 'NOT met'}; "
      f"p99 < 50 ms: {'met' if e['ack_p99_us'] < 50000 else 'NOT met'}")
PY
devkafka_trims "$WORK/devkafka.err"
