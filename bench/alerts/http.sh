#!/usr/bin/env bash
# bench/alerts/http.sh BUILD_DIR [LINES]
#
# sentinel-alerts over http_logs: the HTTP error-rate rules (5xx and 4xx share per site, client
# IP and normalised URL, 60 s windows, config/thresholds.json) on LINES records of sentinel-loggen's
# demo scenario at 2 000 lines/s, produced beforehand (64 partitions, keyed by client IP) to a real
# Apache Kafka 2.4.1 broker (../shared/kafka, or $SENTINEL_KAFKA_HOME; default 500 000 lines) or,
# where it is absent, to sentinel-devkafka (default 60 000 lines). The mock behind devkafka keeps
# only ~5 MB a partition, and the busiest client IP's partition gets ~7 % of the lines (~370 bytes
# each): 120 000 lines already overflow it (measured: 6 942 records dropped). Side by side in one run:
#   kcat    — kcat -C -e reading the same records to /dev/null (an independent client's floor)
#   engine  — sentinel-alerts --drain: consume, parse, normalise, evaluate, produce, commit
# Engine and kcat on core 0, the broker on core 1.
set -euo pipefail
BUILD=${1:?usage: bench/alerts/http.sh BUILD_DIR [LINES]}
BIN=$(cd "$BUILD" && pwd)/bin
SRC=$(cd "$(dirname "$0")/../.." && pwd)
source "$SRC/bench/devkafka-limits.sh"
WORK=$(mktemp -d)
DEVKAFKA_PID=
cleanup() {
  if [ -n "$DEVKAFKA_PID" ]; then kill "$DEVKAFKA_PID" 2>/dev/null || true; wait "$DEVKAFKA_PID" 2>/dev/null || true; fi
  [ -n "${KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
for b in sentinel-devkafka sentinel-alerts sentinel-loggen; do
  [ -x "$BIN/$b" ] || { echo "missing $BIN/$b: build it first" >&2; exit 1; }
done
PIN=(); BROKER_PIN=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then PIN=(taskset -c 0); BROKER_PIN=(taskset -c 1); fi

KAFKA_HOME=${SENTINEL_KAFKA_HOME:-$SRC/../shared/kafka}
if [ -x "$KAFKA_HOME/bin/kafka-single" ]; then
  BROKER="Apache Kafka 2.4.1"
  LINES=${2:-500000}
  "${BROKER_PIN[@]}" "$KAFKA_HOME/bin/kafka-single" "$WORK/kafka" --bootstrap-file "$WORK/bootstrap" \
    </dev/null >"$WORK/kafka.out" 2>"$WORK/devkafka.err" &
  DEVKAFKA_PID=$!
  for _ in $(seq 1 600); do [ -s "$WORK/bootstrap" ] && break; sleep 0.2; done
  CREATE=(--create-topics --partitions 64)
else
  BROKER="sentinel-devkafka (no ../shared/kafka)"
  LINES=${2:-60000}
  "${BROKER_PIN[@]}" "$BIN/sentinel-devkafka" --topic system_metrics:1 --topic http_logs:64 \
    --topic system_alerts:3 --bootstrap-file "$WORK/bootstrap" </dev/null >"$WORK/devkafka.out" \
    2>"$WORK/devkafka.err" &
  DEVKAFKA_PID=$!
  for _ in $(seq 1 100); do [ -s "$WORK/bootstrap" ] && break; sleep 0.1; done
  CREATE=()
fi
BS=$(head -1 "$WORK/bootstrap")
[ -n "$BS" ] || { echo "the broker did not start" >&2; cat "$WORK/devkafka.err" >&2; exit 1; }
echo "broker: $BROKER at $BS" >&2

echo "producing $LINES http_logs records with sentinel-loggen ..." >&2
start_ms=$(( ($(date +%s) - 3 * 3600) * 1000 ))  # in the past, within the real broker's retention
"$BIN/sentinel-loggen" --scenario "$SRC/config/loggen/demo.yaml" --rate 2000 --lines "$LINES" \
  --kafka --bootstrap-servers "$BS" "${CREATE[@]}" --start-time "$start_ms" --as-fast-as-possible \
  2>"$WORK/loggen.err"

echo "kcat: consuming to /dev/null ..." >&2
t0=$(date +%s.%N)
"${PIN[@]}" kcat -C -q -b "$BS" -t http_logs -o beginning -e -f '%s\n' 2>"$WORK/kcat.err" | wc -l >"$WORK/kcat.count"
t1=$(date +%s.%N)

echo "engine: sentinel-alerts --drain with the http: section only ..." >&2
cat >"$WORK/alerts.yaml" <<YAML
kafka: {bootstrap.servers: "$BS"}
host_silent: {enabled: false}
http:
  topic: http_logs
  thresholds: $SRC/config/thresholds.json
  window: 60s
YAML
t2=$(date +%s.%N)
SENTINEL_LOG_LEVEL=warning /usr/bin/time -f '%M %U %S' -o "$WORK/time" "${PIN[@]}" \
  "$BIN/sentinel-alerts" --config "$WORK/alerts.yaml" --drain >"$WORK/engine.json" 2>"$WORK/engine.err" ||
  { cat "$WORK/engine.err" >&2; exit 1; }
t3=$(date +%s.%N)
python3 - "$WORK" "$LINES" "$t0" "$t1" "$t2" "$t3" "$BROKER" <<'PY'
import json, sys
w, produced = sys.argv[1], int(sys.argv[2])
lines = int(open(f"{w}/kcat.count").read())
t0, t1, t2, t3 = map(float, sys.argv[3:7])
broker = sys.argv[7]
e = json.loads(open(f"{w}/engine.json").read().strip().splitlines()[-1])
rss, user, sys_ = open(f"{w}/time").read().split()
kcat_rate = lines / (t1 - t0)
assert e["records"] == lines, f"engine evaluated {e['records']} records, kcat read {lines}"
print(f"broker: {broker}")
print(f"sentinel-alerts on http_logs: {lines} records (of {produced} produced), 6 HTTP rules (5xx/4xx x site/IP/URL), 60 s windows")
print(f"{'pipeline':<48}{'records/s':>12}{'vs kcat':>9}")
print(f"{'kcat -C -e | wc -l':<48}{kcat_rate:>12,.0f}{1.0:>9.2f}")
print(f"{'sentinel-alerts --drain (daemon reported)':<48}{e['records_per_s']:>12,.0f}{e['records_per_s']/kcat_rate:>9.2f}")
print(f"{'sentinel-alerts wall incl. start and recovery':<48}{lines/(t3-t2):>12,.0f}{lines/(t3-t2)/kcat_rate:>9.2f}")
cpu = float(user) + float(sys_)
print(f"engine CPU {cpu:.2f} s = {cpu / lines * 1e6:.2f} us per record (CPU-bound capacity ~{lines / cpu:,.0f} records/s), max RSS {int(rss)/1024:.1f} MB, alerts {e['alerts']}, late {e['late']}, bad {e['bad']}")
PY
devkafka_trims "$WORK/devkafka.err"
