#!/usr/bin/env bash
# Benchmark: how soon a SIGKILLed and restarted sentinel-connect (RotatingFileSink, 16 partitions,
# 4 tasks, records flowing) and sentinel-alerts (3 partitions, metrics flowing) resume, on the real
# Apache Kafka 2.4.1 broker of ../shared/kafka: with static group membership (the default) next to
# it turned off (dynamic members, Kafka Connect's and the old behaviour), several runs each.
#
# Usage: bench/restart/run.sh [BUILD_DIR] [--runs N] [--only connect|alerts]
# Measured per run, from the restarted process's spawn to the time of a line in its log:
#   connect: the first record archived ("task N: first K record(s) written": put() returned) and
#            all 16 partitions held by the 4 tasks ("assigned"/"revoked" lines);
#   alerts:  the first record evaluated ("evaluating system_metrics[p] from offset o").
# Each mode uses groups, files and state of its own; connect and alerts are killed and restarted
# together in each run (they share nothing but the broker). Off: consumer.group.instance.id= in
# the worker properties, kafka: {group.instance.id: ""} in alerts.yaml. A run that has not resumed
# after 400 s is reported as such.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/lib.sh"
build="$root/build"
runs=3
only=
while (($#)); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) build=$1; shift ;;
  esac
done
bin="$build/bin"
bench_need_programs "$bin" sentinel-connect sentinel-alerts
[[ -f "$build/plugins/libsentinel-rotating.so" ]] || { echo "bench: build the sentinel-rotating plugin first" >&2; exit 1; }
bench_need_commands kcat curl java python3
bench_workdir restart
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "starting the real Kafka 2.4.1 broker…" >&2
bench_start_kafka
bench_create_topic archive 16
bench_create_topic system_metrics 3
bench_create_topic system_alerts 3

# Records flowing all along: ~2000 archive records/s, ~300 metric records/s (current timestamps).
python3 -u -c '
import sys, time
i = 0
while True:
    sys.stdout.write("".join("rec-%d\n" % (i + k) for k in range(20))); i += 20
    sys.stdout.flush(); time.sleep(0.01)
' 2>/dev/null | kcat -P -b "$bs" -t archive -X linger.ms=5 2>"$work/produce-archive.err" &
pids+=($!)
python3 -u -c '
import sys, time, json
while True:
    ts = int(time.time() * 1000)
    for h in range(30):
        r = {"v": 1, "host": "web-%d" % h, "resource": "cpu", "ts": ts, "tags": {"cpu": "total"},
             "metrics": {"usage_pct": 10.0}}
        sys.stdout.write("web-%d\t%s\n" % (h, json.dumps(r)))
    sys.stdout.flush(); time.sleep(0.1)
' 2>/dev/null | kcat -P -b "$bs" -t system_metrics -K $'\t' -X linger.ms=5 2>"$work/produce-metrics.err" &
pids+=($!)

# Per mode: a worker (fixed port: its default identity is <host>:<port>) and an alerts config.
declare -A port
for mode in static dynamic; do
  mkdir -p "$work/$mode/archive" "$work/$mode/state"
  port[$mode]=$(free_port)
  {
    echo "bootstrap.servers=$bs"
    echo "key.converter=org.apache.kafka.connect.storage.StringConverter"
    echo "value.converter=org.apache.kafka.connect.storage.StringConverter"
    echo "offset.flush.interval.ms=1000"
    echo "plugin.path=$build/plugins"
    echo "archive.root=$work/$mode/archive"
    echo "listeners=http://127.0.0.1:${port[$mode]}"
    echo "sentinel.state.dir=$work/$mode/state"
    [[ $mode == dynamic ]] && echo "consumer.group.instance.id="
  } >"$work/$mode/worker.properties"
  {
    if [[ $mode == dynamic ]]; then
      echo "kafka: {bootstrap.servers: \"$bs\", group.instance.id: \"\"}"
    else
      echo "kafka: {bootstrap.servers: \"$bs\"}"
    fi
    echo "input: {topic: system_metrics, group: alert-$mode}"
    echo "output: {topic: system_alerts}"
    echo "rules:"
    echo "  cpu_high: {resource: cpu, metric: usage_pct, match: {cpu: total}, group_by: [host], window: 10s, agg: avg, above: 90}"
    echo "host_silent: {enabled: false}"
  } >"$work/$mode/alerts.yaml"
done

connect_pid=; alerts_pid=
start_connect() {  # mode log
  "$bin/sentinel-connect" "$work/$1/worker.properties" </dev/null >/dev/null 2>"$2" &
  connect_pid=$!; pids+=($connect_pid)
}
start_alerts() {  # mode log
  "$bin/sentinel-alerts" --config "$work/$1/alerts.yaml" </dev/null >/dev/null 2>"$2" &
  alerts_pid=$!; pids+=($alerts_pid)
}
ts() {  # a log line → its time in seconds since the epoch
  date -d "${1%% *}" +%s.%N
}
# Seconds from `t0` to the first line of `log` matching `regex` ("-" when there is none).
first_at() {  # log regex t0
  local line
  line=$(grep -m1 -E "$2" "$1" 2>/dev/null) || { echo -; return; }
  calc "$(ts "$line") - $3" 2
}
# Seconds from `t0` to the line after which the tasks hold all 16 partitions, four tasks each
# holding some (assigned adds, revoked or lost takes away) ("-" when that did not happen).
settled_at() {  # log t0
  local line
  line=$(grep -E "task [0-9]+: (assigned|revoked|lost) [0-9]+ partition" "$1" 2>/dev/null |
    awk '{ for (i = 1; i <= NF; i++) if ($i == "task") { t = $(i + 1); v = $(i + 2); n = $(i + 3); break }
           held[t] += (v == "assigned") ? n : -n; s = 0; k = 0
           for (x in held) { s += held[x]; if (held[x] > 0) k++ }
           if (s == 16 && k == 4) { print; exit } }') || true
  [[ -n $line ]] || { echo -; return; }
  calc "$(ts "$line") - $2" 2
}
held() {  # log → "partitions tasks" the tasks hold now
  grep -oE "task [0-9]+: (assigned|revoked|lost) [0-9]+ partition" "$1" 2>/dev/null |
    awk '{ n[$2] += ($3 == "assigned") ? $4 : -$4 }
         END { for (t in n) { s += n[t]; if (n[t] > 0) k++ } print s + 0, k + 0 }'
}
settled() { [[ $(held "$1") == "16 4" ]]; }

# Waits (up to 400 s) for the first record archived, 16 partitions held and the first record
# evaluated after a (re)start at `t0`, then prints "connect_first connect_all16 alerts_first" in
# seconds from the log lines' times ("-" for what did not happen).
measure() {  # connect_log alerts_log t0
  local clog=$1 alog=$2 t0=$3 deadline
  deadline=$(calc "$t0 + 400" 2)
  local first_re="task [0-9]+: first [0-9]+ record\\(s\\) written" eval_re="evaluating system_metrics"
  while :; do
    local done=1
    if [[ $only != alerts ]]; then
      grep -qE "$first_re" "$clog" 2>/dev/null && settled "$clog" || done=0
    fi
    if [[ $only != connect ]]; then grep -qE "$eval_re" "$alog" 2>/dev/null || done=0; fi
    ((done)) && break
    awk "BEGIN { exit !($(now) > $deadline) }" && break
    sleep 0.05
  done
  local cf=- ca=- af=-
  if [[ $only != alerts ]]; then cf=$(first_at "$clog" "$first_re" "$t0"); ca=$(settled_at "$clog" "$t0"); fi
  [[ $only != connect ]] && af=$(first_at "$alog" "$eval_re" "$t0")
  echo "$cf $ca $af"
}

declare -A result
for mode in static dynamic; do
  echo "mode $mode: first start…" >&2
  [[ $only != alerts ]] && start_connect "$mode" "$work/$mode/connect-0.log"
  [[ $only != connect ]] && start_alerts "$mode" "$work/$mode/alerts-0.log"
  if [[ $only != alerts ]]; then
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:${port[$mode]}/" >/dev/null && break; sleep 0.1; done
    curl -sf -X POST -H 'Content-Type: application/json' "http://127.0.0.1:${port[$mode]}/connectors" -d \
      "{\"name\":\"restart-$mode\",\"config\":{\"connector.class\":\"RotatingFileSink\",\"tasks.max\":\"4\",\"topics\":\"archive\",\"path\":\"{topic}-{partition}.log\"}}" \
      >/dev/null
  fi
  measure "$work/$mode/connect-0.log" "$work/$mode/alerts-0.log" "$(now)" >/dev/null
  for run in $(seq 1 "$runs"); do
    # Killed once the group has settled (4 tasks holding the 16 partitions) and after archiving and
    # evaluating for a moment, as a running system is when it dies.
    prev="$work/$mode/connect-$((run - 1)).log"
    if [[ $only != alerts ]]; then
      for _ in $(seq 1 600); do settled "$prev" && break; sleep 0.1; done
    fi
    sleep 2
    [[ -n $connect_pid ]] && kill -9 "$connect_pid" 2>/dev/null || true
    [[ -n $alerts_pid ]] && kill -9 "$alerts_pid" 2>/dev/null || true
    wait "$connect_pid" "$alerts_pid" 2>/dev/null || true
    t0=$(now)
    [[ $only != alerts ]] && start_connect "$mode" "$work/$mode/connect-$run.log"
    [[ $only != connect ]] && start_alerts "$mode" "$work/$mode/alerts-$run.log"
    r=$(measure "$work/$mode/connect-$run.log" "$work/$mode/alerts-$run.log" "$t0")
    echo "mode $mode run $run: connect first record archived / 16 partitions / alerts first evaluated (s): $r" >&2
    result[$mode,$run]=$r
  done
  [[ -n $connect_pid ]] && kill "$connect_pid" 2>/dev/null || true
  [[ -n $alerts_pid ]] && kill "$alerts_pid" 2>/dev/null || true
  wait "$connect_pid" "$alerts_pid" 2>/dev/null || true
  connect_pid=; alerts_pid=
done

median() { tr ' ' '\n' | { grep -v '^-$' || true; } | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_of() {  # mode field → the runs' values
  local out=()
  for run in $(seq 1 "$runs"); do out+=("$(echo "${result[$1,$run]}" | cut -d' ' -f"$2")"); done
  echo "${out[*]}"
}
echo
echo "Restart after SIGKILL on Apache Kafka 2.4.1, $runs runs each, seconds from the restart (median):"
printf "%-44s %-28s %-28s %s\n" "measure" "static membership (default)" "dynamic (static off)" "off/on"
for field in 1 2 3; do
  case $field in
    1) label="sentinel-connect: first record archived" ;;
    2) label="sentinel-connect: all 16 partitions back" ;;
    3) label="sentinel-alerts: first record evaluated" ;;
  esac
  [[ $only == alerts && $field != 3 ]] && continue
  [[ $only == connect && $field == 3 ]] && continue
  on=$(column_of static "$field"); off=$(column_of dynamic "$field")
  m_on=$(echo "$on" | median); m_off=$(echo "$off" | median)
  ratio=-
  [[ $m_on != - && $m_off != - ]] && ratio="$(calc "$m_off / ($m_on > 0 ? $m_on : 0.01)" 2)x"
  printf "%-44s %-28s %-28s %s\n" "$label" "$m_on ($on)" "$m_off ($off)" "$ratio"
done
