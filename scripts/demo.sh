#!/usr/bin/env bash
# The demo: installs what is missing, builds, and runs the whole pipeline on sentinel-devkafka
# (an in-memory broker): sentinel-loggen writes synthetic web traffic with anomalies to an access
# log; sentinel-agent (1 s interval) publishes this host's metrics and follows that log into
# http_logs; sentinel-alerts turns both into firing/resolved alerts in system_alerts (HTTP windows
# of 10 s, so the scenario's alerts come within a minute); sentinel-connect archives
# system_alerts with the rotating file sink, registered through its REST API; sentinel-dashboard
# shows it all on http://127.0.0.1:8501/ (or another free port when 8501 is taken).
# Runs until Ctrl-C, or for --duration SECONDS (then prints what arrived; fails if nothing did).
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
scripts/build.sh sentinel-devkafka sentinel-agent sentinel-loggen sentinel-alerts sentinel-connect \
  sentinel-rotating sentinel-dashboard
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
# The mock keeps only the newest ~5 MB of each partition, which a demo left running fills (the
# busiest http_logs partition first). Every trim it reports is shown here, not only in its log.
echo "demo: sentinel-devkafka keeps only the newest ~5 MB of each partition and says here when it drops older records"
tail -n +1 -F --pid="${pids[-1]}" "$run/devkafka.log" 2>/dev/null |
  grep --line-buffered -o 'sentinel-devkafka: trimmed .*' | sed -u 's/^/demo: /' &

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

# sentinel-alerts: the default rules, HTTP windows of 10 s instead of 60 s for the demo.
sed -e 's/^  window: 60s/  window: 10s/' -e "s|^  thresholds: .*|  thresholds: $root/config/thresholds.json|" \
  config/alerts.yaml >"$run/alerts.yaml"
"$bin/sentinel-alerts" --config "$run/alerts.yaml" --bootstrap-servers "$bootstrap" 2>"$run/alerts.log" &
pids+=($!)
echo "demo: sentinel-alerts evaluates system_metrics and http_logs (log: $run/alerts.log)"

# sentinel-connect on a free loopback port, with the rotating archive sink for system_alerts
# registered through the REST API (config/connectors/alerts-archive.properties as JSON).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$run/connect-state" "$run/archive"
printf '%s\n' "bootstrap.servers=$bootstrap" "listeners=http://127.0.0.1:$port" \
  "plugin.path=$root/build/plugins" \
  "key.converter=org.apache.kafka.connect.storage.StringConverter" \
  "value.converter=org.apache.kafka.connect.storage.StringConverter" \
  "sentinel.state.dir=$run/connect-state" "archive.root=$run/archive" >"$run/connect.properties"
"$bin/sentinel-connect" "$run/connect.properties" >"$run/connect.out" 2>"$run/connect.log" &
pids+=($!)
connect="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fsS "$connect/" >/dev/null 2>&1 && break; sleep 0.1; done
python3 scripts/properties-to-json.py config/connectors/alerts-archive.properties >"$run/alerts-archive.json"
curl -fsS -X PUT -H 'Content-Type: application/json' --data @"$run/alerts-archive.json" \
  "$connect/connectors/alerts-archive/config" >"$run/connector.json" ||
  { echo "demo: registering the archive connector failed; see $run/connect.log" >&2; exit 1; }
echo "demo: sentinel-connect at $connect archives system_alerts (connector alerts-archive, log: $run/connect.log)"
echo "demo:   status:  curl -s $connect/connectors/alerts-archive/status"
echo "demo:   archive: tail -F $run/archive/alerts/system_alerts-*.log"
# sentinel-dashboard on 8501, or on a free port when 8501 is taken.
dport=$(python3 -c 'import socket
s = socket.socket()
try:
    s.bind(("127.0.0.1", 8501))
except OSError:
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
"$bin/sentinel-dashboard" --bootstrap-servers "$bootstrap" --connect-url "$connect" \
  --listen "127.0.0.1:$dport" >"$run/dashboard.out" 2>"$run/dashboard.log" &
pids+=($!)
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$dport/api/health" >/dev/null 2>&1 && break; sleep 0.1; done
echo "demo: sentinel-dashboard: http://127.0.0.1:$dport/  (log: $run/dashboard.log)"
echo "demo: access-log records: kcat -C -b $bootstrap -t http_logs -o beginning"
echo "demo: metrics:            kcat -C -b $bootstrap -t system_metrics -o beginning"
echo "demo: alerts as they come (kcat on system_alerts):"
kcat -C -q -u -b "$bootstrap" -t system_alerts -o beginning -f '%s\n' 2>"$run/kcat.log" |
  python3 -u scripts/alert-lines.py &
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
  sleep 2  # the archive syncs every second
  archived=$(cat "$run"/archive/alerts/system_alerts-*.log 2>/dev/null | wc -l)
  alerts=$(kcat -C -q -b "$bootstrap" -t system_alerts -o beginning -e -f 'x\n' 2>/dev/null | wc -l)
  echo "demo: $alerts alert transitions in system_alerts"
  echo "demo: $archived lines archived by sentinel-connect under $run/archive/alerts"
  echo "demo: connector alerts-archive: $(curl -fsS "$connect/connectors/alerts-archive/status" 2>/dev/null || echo unreachable)"
  echo "demo: dashboard health: $(curl -fsS "http://127.0.0.1:$dport/api/health" 2>/dev/null || echo unreachable)"
else
  wait
fi
