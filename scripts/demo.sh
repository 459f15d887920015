#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts sentinel-devkafka (an in-memory broker),
# sentinel-loggen writing synthetic web traffic to an access log, and sentinel-agent at a 1 s
# interval following that log; shows this host's metrics arriving in Kafka, read back with kcat,
# and counts the access-log records in http_logs. Runs until Ctrl-C, or for --duration SECONDS.
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
scripts/build.sh sentinel-devkafka sentinel-agent sentinel-loggen
bin="$root/build/bin"
run=$(mktemp -d "${TMPDIR:-/tmp}/sentinel-demo.XXXXXX")
pids=()
cleanup() {
  trap - EXIT INT TERM
  # Newest first, each waited for: the agent delivers what it holds before the broker goes.
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
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

"$bin/sentinel-loggen" --scenario config/loggen/demo.yaml --output "$run/access.log" --duration 24h \
  2>"$run/loggen.log" &
pids+=($!)
echo "demo: sentinel-loggen writes combined-format traffic to $run/access.log"

# The default agent.yaml, plus the access log to follow.
mkdir -p "$run/agent-state"
{ cat config/agent.yaml
  printf 'logs:\n  read_from: beginning\n  state_dir: %s\n  files:\n    demo:\n      paths: [%s]\n      format: combined\n' \
    "$run/agent-state" "$run/access.log"
} >"$run/agent.yaml"
SENTINEL_INTERVAL=1s "$bin/sentinel-agent" --config "$run/agent.yaml" --bootstrap-servers "$bootstrap" \
  2>"$run/agent.log" &
pids+=($!)
echo "demo: sentinel-agent publishes every 1s and follows the access log into http_logs (log: $run/agent.log)"
echo "demo: see the access-log records with: kcat -C -b $bootstrap -t http_logs -o beginning"
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
  http=$(kcat -C -q -b "$bootstrap" -t http_logs -o beginning -e -f 'x\n' 2>/dev/null | wc -l)
  echo "demo: $http access-log lines arrived in http_logs (written by sentinel-loggen, followed by the agent)"
  ((http > 0)) || { echo "demo: no access-log records arrived; see $run/agent.log and $run/loggen.log" >&2; exit 1; }
else
  wait
fi
