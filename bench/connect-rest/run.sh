#!/usr/bin/env bash
# bench/connect-rest: REST throughput of sentinel-connect, on loopback, with wrk.
#   bench/connect-rest/run.sh BUILD_DIR [DURATION_SECONDS]
# Two workloads: GET /connectors/{name}/status (the call dashboards and scripts poll) and a
# create/delete cycle (POST /connectors starting a real sink task, then DELETE). Prints
# requests/s and p99 latency. Kafka Connect (Java) is the peer; it is not installed here, so
# its column reads n/a unless CONNECT_URL points at a running Connect worker with FileStreamSink.
set -euo pipefail
BUILD=${1:?usage: run.sh BUILD_DIR [SECONDS]}
SECS=${2:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lib.sh"
bench_need_commands wrk curl
bench_need_programs "$BUILD/bin" sentinel-devkafka sentinel-connect
bench_workdir connect-rest
WORK=$work
bench_bin=$BUILD/bin bench_start_devkafka --topic bench:1
BOOTSTRAP=$bs

cat >"$WORK/worker.properties" <<PROPS
bootstrap.servers=$BOOTSTRAP
listeners=http://127.0.0.1:0
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.flush.interval.ms=10000
sentinel.state.dir=$WORK/state
PROPS
SENTINEL_LOG_LEVEL=warning "$BUILD/bin/sentinel-connect" "$WORK/worker.properties" >"$WORK/connect.out" 2>"$WORK/connect.err" &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$WORK/connect.out" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^listening //p' "$WORK/connect.out" | head -1)
[ -n "$URL" ] || { echo "sentinel-connect did not start:"; cat "$WORK/connect.err"; exit 1; }

curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "$URL/connectors" \
  -d "{\"name\":\"bench-sink\",\"config\":{\"connector.class\":\"FileStreamSink\",\"topics\":\"bench\",\"file\":\"$WORK/sink.log\"}}"

# wrk --latency prints "99%  1.23ms"; normalise to milliseconds.
p99_ms() { awk '$1=="99%"{v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; printf "%.2f", v}'; }
rps() { awk '/^Requests\/sec/{printf "%.0f", $2}'; }

run_status() { wrk -t2 -c16 -d"${SECS}s" --latency "$1/connectors/bench-sink/status"; }
run_cycle() { BENCH_SINK_FILE="$WORK/cycle.log" wrk -t2 -c2 -d"${SECS}s" --latency -s "$HERE/cycle.lua" "$1"; }

S=$(run_status "$URL"); C=$(run_cycle "$URL")
peer_s="n/a"; peer_c="n/a"
if [ -n "${CONNECT_URL:-}" ]; then
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' "$CONNECT_URL/connectors" \
    -d '{"name":"bench-sink","config":{"connector.class":"FileStreamSink","topics":"bench","file":"/tmp/bench-sink.log"}}' || true
  PS=$(run_status "$CONNECT_URL"); PC=$(run_cycle "$CONNECT_URL")
  peer_s="$(echo "$PS" | rps) req/s, p99 $(echo "$PS" | p99_ms) ms"
  peer_c="$(echo "$PC" | rps) req/s, p99 $(echo "$PC" | p99_ms) ms"
fi
printf '\n%-44s | %-32s | %s\n' "workload (${SECS}s, loopback)" "sentinel-connect" "Kafka Connect"
printf '%-44s | %-32s | %s\n' "GET /connectors/{name}/status (16 conns)" \
  "$(echo "$S" | rps) req/s, p99 $(echo "$S" | p99_ms) ms" "$peer_s"
printf '%-44s | %-32s | %s\n' "POST+DELETE /connectors cycle (2 conns)" \
  "$(echo "$C" | rps) req/s, p99 $(echo "$C" | p99_ms) ms" "$peer_c"
echo "$C" | grep -q "non2xx=0" || echo "warning: the create/delete cycle had non-2xx answers: $(echo "$C" | grep non2xx)"
