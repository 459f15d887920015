#!/usr/bin/env bash
# bench/alerts/replay.sh BUILD_DIR [HOSTS] [TICKS]
#
# sentinel-alerts replaying a metrics backlog on a real Apache Kafka 2.4.1 broker (../shared/kafka,
# or $SENTINEL_KAFKA_HOME): HOSTS synthetic hosts (default 1000) x TICKS 10 s ticks (default 167)
# x 12 records (cpu x3, memory, disk x2, diskio, network, load, pressure x3) = 2 M records by
# default, keyed by host over 3 partitions, produced beforehand (not timed). The rules: the
# default ones of config/alerts.yaml (grouped by host: partition-local) plus two grouped without
# host (fleet-wide CPU average, disk use by mount), which with several instances go through the
# repartition topic. Side by side in one run, each on the same backlog with a group of its own:
#   floor        — sentinel-alerts-bench floor: consume + parse only (the daemon's client settings)
#   1 local      — one sentinel-alerts --drain, repartition disabled: today's single-instance path
#                  (the two fleet rules computed inside the instance)
#   1 re-keyed   — one instance, repartition enabled: the fleet rules through the repartition topic
#   2 re-keyed   — two instances in one group, started together, each --drain
#   old prefetch — 1 re-keyed with the consumer settings before the byte bound
#                  (queued.min.messages 500 000, queued.max.messages.kbytes 65 536)
# Each is timed with /usr/bin/time: wall, CPU (user + sys), peak RSS. records per CPU-second =
# records / CPU; the daemon's own figures (first → last record; p99 from a window's close to the
# alert's acknowledgement) come from its --drain line. Engines on core 0, the broker on core 1.
set -euo pipefail

BUILD=${1:?usage: bench/alerts/replay.sh BUILD_DIR [HOSTS] [TICKS]}
HOSTS=${2:-1000}
TICKS=${3:-167}
BIN=$(cd "$BUILD" && pwd)/bin
SRC=$(cd "$(dirname "$0")/../.." && pwd)
KAFKA_HOME=${SENTINEL_KAFKA_HOME:-$SRC/../shared/kafka}
WORK=$(mktemp -d)
BROKER_PID=
cleanup() {
  if [ -n "$BROKER_PID" ]; then kill "$BROKER_PID" 2>/dev/null || true; wait "$BROKER_PID" 2>/dev/null || true; fi
  [ -n "${KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
for b in sentinel-alerts sentinel-alerts-bench; do
  [ -x "$BIN/$b" ] || { echo "missing $BIN/$b: build it first" >&2; exit 1; }
done
[ -x "$KAFKA_HOME/bin/kafka-single" ] || { echo "needs the real broker: $KAFKA_HOME/bin/kafka-single" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time)" >&2; exit 1; }
PIN=(); BROKER_PIN=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then PIN=(taskset -c 0); BROKER_PIN=(taskset -c 1); fi

"${BROKER_PIN[@]}" "$KAFKA_HOME/bin/kafka-single" "$WORK/kafka" --bootstrap-file "$WORK/bootstrap" \
  </dev/null >"$WORK/kafka.out" 2>"$WORK/kafka.err" &
BROKER_PID=$!
for _ in $(seq 1 600); do [ -s "$WORK/bootstrap" ] && break; sleep 0.2; done
BS=$(head -1 "$WORK/bootstrap")
[ -n "$BS" ] || { echo "the broker did not start" >&2; cat "$WORK/kafka.err" >&2; exit 1; }
echo "broker: Apache Kafka 2.4.1 at $BS" >&2

"$BIN/sentinel-alerts-bench" create --bootstrap-servers "$BS" --topic system_metrics:3
echo "producing $HOSTS hosts x $TICKS ticks x 12 records, keyed by host, 3 partitions ..." >&2
"$BIN/sentinel-alerts-bench" produce --bootstrap-servers "$BS" --hosts "$HOSTS" --ticks "$TICKS" \
  --hot-fraction "${HOT_FRACTION:-0.1}" --key host >"$WORK/produce.json"

echo "floor: consume + parse ..." >&2
/usr/bin/time -f '%M %U %S %e' -o "$WORK/floor.time" "${PIN[@]}" \
  "$BIN/sentinel-alerts-bench" floor --bootstrap-servers "$BS" >"$WORK/floor.json"

# config NAME REPARTITION [EXTRA KAFKA PROPERTIES] → $WORK/NAME.yaml
config() {
  "$BIN/sentinel-alerts-bench" create --bootstrap-servers "$BS" --topic "alerts-$1:3"
  cat >"$WORK/$1.yaml" <<YAML
kafka: {bootstrap.servers: "$BS"${3:+, $3}}
input: {topic: system_metrics, group: group-$1, key: host}
output: {topic: alerts-$1}
repartition: {enabled: $2, topic: repartition-$1, partitions: 3}
host_silent: {enabled: false}
YAML
  # The default rules, then the two grouped without host.
  sed -n '/^rules:/,/^host_silent:/p' "$SRC/config/alerts.yaml" | sed '$d' >>"$WORK/$1.yaml"
  cat >>"$WORK/$1.yaml" <<'YAML'
  cpu_fleet:
    resource: cpu
    metric: usage_pct
    match: {cpu: total}
    group_by: []
    window: 60s
    agg: avg
    above: 30
    resolve: 28
  disk_by_mount:
    resource: disk
    metric: used_pct
    group_by: [mount]
    window: 60s
    agg: max
    above: 70
    resolve: 65
YAML
}

# engine NAME INSTANCES: runs INSTANCES daemons on NAME.yaml together, each --drain
engine() {
  local name=$1 n=$2 pids=()
  echo "engine: $name, $n instance(s) ..." >&2
  date +%s.%N >"$WORK/$name.t0"
  for i in $(seq 1 "$n"); do
    SENTINEL_LOG_LEVEL=warning /usr/bin/time -f '%M %U %S %e' -o "$WORK/$name.$i.time" "${PIN[@]}" \
      "$BIN/sentinel-alerts" --config "$WORK/$name.yaml" --drain >"$WORK/$name.$i.json" \
      2>"$WORK/$name.$i.err" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { echo "$name instance $((i + 1)) failed:" >&2; tail -20 "$WORK/$name.$((i + 1)).err" >&2; exit 1; }
  done
  date +%s.%N >"$WORK/$name.t1"
}

config local false
config rekeyed true
config two true
config oldprefetch true "queued.min.messages: 500000, queued.max.messages.kbytes: 65536, fetch.max.bytes: 2097152, max.partition.fetch.bytes: 1048576"
engine local 1
engine rekeyed 1
engine two 2
engine oldprefetch 1

python3 - "$WORK" "${PIN[*]:-none}" <<'PY'
import json, os, sys
w, pin = sys.argv[1], sys.argv[2]
def last_json(path):
    return json.loads(open(path).read().strip().splitlines()[-1])
def times(path):
    rss, user, sys_, wall = open(path).read().split()
    return int(rss) / 1024, float(user) + float(sys_), float(wall)
p = last_json(f"{w}/produce.json")
n = p["produced"]
rows = []
rss, cpu, wall = times(f"{w}/floor.time")
f = last_json(f"{w}/floor.json")
assert f["records"] == n, f"floor read {f['records']} of {n}"
rows.append(("floor: consume + parse only", n / wall, cpu, rss, None, f["records_per_s"]))
def engine(name, label):
    i, rss, cpu, recs, p99, alerts = 1, 0.0, 0.0, 0, 0, 0
    while os.path.exists(f"{w}/{name}.{i}.time"):
        r, c, _ = times(f"{w}/{name}.{i}.time")
        e = last_json(f"{w}/{name}.{i}.json")
        rss, cpu, recs = max(rss, r), cpu + c, recs + e["records"]
        p99, alerts = max(p99, e["ack_p99_us"]), alerts + e["acked"]
        i += 1
    t0, t1 = float(open(f"{w}/{name}.t0").read()), float(open(f"{w}/{name}.t1").read())
    assert recs >= n, f"{name}: evaluated {recs} of {n} records"
    rows.append((label, n / (t1 - t0), cpu, rss, p99, alerts))
engine("local", "1 instance, local path (repartition off)")
engine("rekeyed", "1 instance, re-keyed (repartition on)")
engine("two", "2 instances, re-keyed")
engine("oldprefetch", "1 re-keyed, old prefetch (500k msgs/64MB)")
print(f"sentinel-alerts replay on Apache Kafka 2.4.1: {p['hosts']} hosts, {n} records, 3 partitions "
      f"keyed by host, default rules + 2 fleet rules; pinned: {pin}")
print()
print(f"{'pipeline':<44}{'records/s':>11}{'CPU s/M':>9}{'rec/CPU-s':>11}{'vs local':>9}"
      f"{'peak RSS':>10}{'p99 ms':>8}")
base_cpu = rows[1][2]
for label, rate, cpu, rss, p99, extra in rows:
    per_cpu = n / cpu
    p = "" if p99 is None else f"{p99 / 1000:.1f}"
    print(f"{label:<44}{rate:>11,.0f}{cpu / n * 1e6:>9.2f}{per_cpu:>11,.0f}{cpu / base_cpu:>9.2f}"
          f"{rss:>9.1f}M{p:>8}")
print()
print("records/s: wall from start to exit (start, recovery and drain included); CPU s/M: CPU-seconds "
      "per million records (all instances); vs local: CPU against the single-instance local path "
      "(the re-keying overhead); p99: window close -> alert acknowledged, worst instance")
ok_rss = all(r[3] <= 64 for r in rows[1:4])
ok_cpu = all(n / r[2] >= 700000 for r in rows[1:3])
print(f"goals: peak RSS <= 64 MB (new prefetch): {'met' if ok_rss else 'NOT met'}; "
      f">= 700,000 records per CPU-second (1 instance): {'met' if ok_cpu else 'NOT met'}")
PY
