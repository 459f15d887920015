#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts sentinel-devkafka (an in-memory broker) and
# sentinel-agent at a 1 s interval, and shows this host's metrics arriving in Kafka, read back with
# kcat. Runs until Ctrl-C, or for --duration SECONDS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
duration=0
while (($#)); do
  case "$1" in
    --duration) duration=${2:?--duration needs a number of seconds}; shift 2 ;;
    --duration=*) duration=${1#*=}; shift ;;
    -h|--help) echo "usage: scripts/demo.sh [--duration SECONDS]"; exit 0 ;;
    *) echo "demo: unknown argument $1 (usage: scripts/demo.sh [--duration SECONDS])" >&2; exit 2 ;;
  esac
done
[[ "$duration" =~ ^[0-9]+$ ]] || { echo "demo: --duration expects whole seconds, got $duration" >&2; exit 2; }

cd "$root"
scripts/install-deps.sh
scripts/build.sh sentinel-devkafka sentinel-agent
bin="$root/build/bin"
run=$(mktemp -d "${TMPDIR:-/tmp}/sentinel-demo.XXXXXX")
pids=()
cleanup() {
  trap - EXIT INT TERM
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo
  echo "demo: stopped; logs were in $run"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

"$bin/sentinel-devkafka" --topic system_metrics:3 --topic http_logs:3 --topic system_alerts:3 \
  --bootstrap-file "$run/bootstrap" >"$run/devkafka.out" 2>"$run/devkafka.log" &
pids+=($!)
for _ in $(seq 100); do [[ -s "$run/bootstrap" ]] && break; sleep 0.1; done
bootstrap=$(cat "$run/bootstrap")
echo "demo: sentinel-devkafka is at $bootstrap"

SENTINEL_INTERVAL=1s "$bin/sentinel-agent" --config config/agent.yaml --bootstrap-servers "$bootstrap" \
  2>"$run/agent.log" &
pids+=($!)
echo "demo: sentinel-agent publishes every 1s (log: $run/agent.log)"
echo "demo: records in system_metrics, read back with kcat (key | record):"
kcat -C -q -b "$bootstrap" -t system_metrics -o beginning -f '%k | %s\n' 2>"$run/kcat.log" |
  cut -c1-"${COLUMNS:-160}" &
pids+=($!)

if ((duration > 0)); then
  sleep "$duration"
  kill "${pids[-1]}" 2>/dev/null || true   # stop the live view before the summary
  echo
  count=$(kcat -C -q -b "$bootstrap" -t system_metrics -o beginning -e -f 'x\n' 2>/dev/null | wc -l)
  echo "demo: $count records arrived in system_metrics in ${duration}s"
  ((count > 0)) || { echo "demo: no records arrived; see $run/agent.log" >&2; exit 1; }
else
  wait
fi
