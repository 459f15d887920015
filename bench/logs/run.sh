#!/usr/bin/env bash
# bench/logs/run.sh [BUILD_DIR] [--lines N] [--partitions P]
#
# Access-log shipping, two parts in one run (bench/logs/README.md):
#   1. parsing per core — sentinel-logs-bench times the agent's own parser over N lines from
#      sentinel-loggen (combined format) and the same requests in a custom nginx log_format,
#      parse only and parse + the http_logs JSON the agent publishes, pinned to core 0.
#   2. end to end — a file grows by N lines (a pre-generated file appended in 1 MB blocks, as
#      fast as the file takes them) while a shipper follows it into sentinel-devkafka; the clock
#      runs from the first append until the topic's high watermarks (summed over partitions)
#      count N records. Side by side, each with a fresh file and its own topic on one broker:
#        sentinel-agent  logs: section, format combined, collectors off → http_logs
#        rsyslog         Debian's rsyslogd + rsyslog-kafka, imfile (inotify) → omkafka, the raw
#                        line as the message (no parsing) → http_logs_rsyslog
#        rsyslog-parsed  the same with mmnormalize (liblognorm, combined) → the parsed fields as
#                        JSON → http_logs_rsyslog_parsed: the agent's work, done by rsyslog
#      Both producers: lz4 compression (config/agent.yaml's), librdkafka's defaults otherwise
#      (linger 5 ms, acks=all; the agent's log producer is idempotent, omkafka's is not); omkafka
#      spreads records with librdkafka's partitioner (partitions.auto), the agent keys them by
#      client IP. The agent notices growth by polling (logs.poll_interval, 250 ms), rsyslog's
#      imfile by inotify; both are counted in the time ("1st rec ms"; the ratios also say what they
#      are from the first record on). "broker CPU s": sentinel-devkafka's, over the same window.
#      The shipper runs on core 0, the broker and the clock on core 1. CPU: utime+stime of the
#      shipper over the timed window (/proc/PID/stat, every thread); RSS: its peak (VmHWM).
# librdkafka's mock cluster keeps only ~5 MB a partition: older records are dropped, and devkafka
# reports it (shown at the end). With 1 M lines the partitions of the busiest client IPs (the agent
# keys by client IP) overflow; the figures stand, as they count the high watermarks (which count
# dropped records too) and the read-back sample is the newest 200 records.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/lib.sh"
build="$root/build"
lines=1000000
partitions=64
while (($#)); do
  case "$1" in
    --lines) lines=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    *) build=$1; shift ;;
  esac
done
bin=$(cd "$build" && pwd)/bin
bench_need_programs "$bin" sentinel-devkafka sentinel-agent sentinel-loggen sentinel-logs-bench
rsyslogd=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[[ -x "$rsyslogd" ]] || { echo "bench: rsyslogd missing (apt-get install rsyslog rsyslog-kafka)" >&2; exit 1; }
compgen -G "/usr/lib/*/rsyslog/omkafka.so" >/dev/null || { echo "bench: omkafka missing (apt-get install rsyslog-kafka)" >&2; exit 1; }
bench_need_commands kcat
bench_workdir logs
PIN=()
BROKER_PIN=()
if command -v taskset >/dev/null; then
  PIN=(taskset -c 0)
  if [[ "$(nproc)" -ge 2 ]]; then BROKER_PIN=(taskset -c 1); fi
fi
wait_for() {  # wait_for SECONDS COMMAND...: until COMMAND succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

load_start=$(cut -d' ' -f1 /proc/loadavg)
echo "generating $lines lines with sentinel-loggen (config/loggen/demo.yaml, seed 1) …" >&2
"$bin/sentinel-loggen" --scenario "$root/config/loggen/demo.yaml" --seed 1 --lines "$lines" \
  --start-time 2026-11-22T10:00:00Z --as-fast-as-possible --output "$work/combined.log" 2>/dev/null
"$bin/sentinel-logs-bench" rewrite <"$work/combined.log" >"$work/custom.log"

echo "part 1: parsing on one core …" >&2
for f in combined custom; do
  "${PIN[@]}" "$bin/sentinel-logs-bench" parse --format "$f" --file "$work/$f.log" >"$work/parse-$f.json"
done
rm -f "$work/custom.log"

echo "part 2: end to end, sentinel-devkafka with $partitions partitions a topic …" >&2
"${BROKER_PIN[@]}" "$bin/sentinel-devkafka" --topic "http_logs:$partitions" --topic http_logs_invalid:1 \
  --topic "http_logs_rsyslog:$partitions" --topic "http_logs_rsyslog_parsed:$partitions" --topic system_metrics:1 --bootstrap-file "$work/bootstrap" \
  </dev/null >"$work/devkafka.out" 2>"$work/devkafka.err" &
broker_pid=$!
pids+=($broker_pid)
wait_for 10 test -s "$work/bootstrap" || { echo "sentinel-devkafka did not start" >&2; cat "$work/devkafka.err" >&2; exit 1; }
bs=$(head -1 "$work/bootstrap")

# ship NAME TOPIC PID FILE: appends the lines to FILE and times them into TOPIC.
ship() {
  "${BROKER_PIN[@]}" "$bin/sentinel-logs-bench" ship --source "$work/combined.log" --target "$4" \
    --bootstrap-servers "$bs" --topic "$2" --records "$lines" --pid "$3" --broker-pid "$broker_pid" >"$work/ship-$1.json" ||
    echo "bench: $1 did not deliver $lines records in time" >&2
}
stop() {  # stop PID: SIGTERM, then wait for it to exit
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# The agent: only the access-log source; every collector off (the metrics publisher idles).
mkdir -p "$work/agent/state"
: >"$work/agent/access.log"
cat >"$work/agent/agent.yaml" <<EOF
host: bench
interval: 1h
topic: system_metrics
kafka:
  bootstrap.servers: $bs
  compression.type: lz4
${BENCH_AGENT_KAFKA_EXTRA:-}
collectors:
  cpu: {enabled: false}
  memory: {enabled: false}
  disk: {enabled: false}
  diskio: {enabled: false}
  network: {enabled: false}
  load: {enabled: false}
  pressure: {enabled: false}
logs:
  topic: http_logs
  invalid_topic: http_logs_invalid
  read_from: beginning
  state_dir: $work/agent/state
${BENCH_AGENT_LOGS_EXTRA:-}
  files:
    bench:
      paths: [$work/agent/access.log]
      format: combined
EOF
echo "  sentinel-agent …" >&2
SENTINEL_LOG_LEVEL=info "${PIN[@]}" "$bin/sentinel-agent" --config "$work/agent/agent.yaml" \
  </dev/null >"$work/agent/out" 2>"$work/agent/err" &
agent_pid=$!
pids+=($agent_pid)
wait_for 10 grep -q "following" "$work/agent/err" 2>/dev/null || { echo "sentinel-agent did not start" >&2; cat "$work/agent/err" >&2; exit 1; }
sleep 1  # its producers connect and get their idempotent producer id; not timed (as for rsyslog)
ship agent http_logs "$agent_pid" "$work/agent/access.log"
stop "$agent_pid"
rm -f "$work/agent/access.log"
invalid=$(kcat -C -b "$bs" -t http_logs_invalid -o beginning -e -q 2>/dev/null | wc -l)
# A sample of what the agent published must read back as http_logs records.
sample_ok=$(kcat -C -b "$bs" -t http_logs -p 0 -o -200 -e -q 2>/dev/null | python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    r = json.loads(line)
    assert r["v"] == 1 and r["host"] == "bench" and r["client_ip"] and 100 <= r["status"] <= 599, line
    n += 1
print(n)' 2>/dev/null || echo "bad")

# rsyslog: a private config and work directory per variant, in the foreground; no system rsyslog.
#   rsyslog         imfile → omkafka, the raw line as the record (the peer the targets name)
#   rsyslog-parsed  imfile → mmnormalize (a liblognorm rulebase for combined) → omkafka with the
#                   parsed fields as JSON ($!all-json): the agent's work, done by rsyslog
# run_rsyslog VARIANT TOPIC
run_rsyslog() {
  local dir="$work/$1" actions
  mkdir -p "$dir/spool"
  : >"$dir/access.log"
  if [[ $1 == rsyslog ]]; then
    actions="action(type=\"omkafka\" broker=[\"$bs\"] topic=\"$2\" template=\"line\" partitions.auto=\"on\"
         confParam=[\"compression.codec=lz4\"])"
  else
    cat >"$dir/combined.rb" <<'EOF'
version=2
rule=:%client_ip:word% %ident:word% %user:word% [%time:char-to{"extradata":"]"}%] "%method:word% %path:word% %protocol:char-to{"extradata":"\""}%" %status:number% %bytes:word% "%referer:char-to{"extradata":"\""}%" "%user_agent:char-to{"extradata":"\""}%"
EOF
    actions="action(type=\"mmnormalize\" rulebase=\"$dir/combined.rb\")
  action(type=\"omkafka\" broker=[\"$bs\"] topic=\"$2\" template=\"json\" partitions.auto=\"on\"
         confParam=[\"compression.codec=lz4\"])"
  fi
  cat >"$dir/rsyslog.conf" <<EOF
global(workDirectory="$dir/spool" maxMessageSize="64k" processInternalMessages="on")
module(load="imfile" mode="inotify")
module(load="mmnormalize")
module(load="omkafka")
template(name="line" type="string" string="%msg%")
template(name="json" type="string" string="%\$!all-json%")
input(type="imfile" file="$dir/access.log" tag="access" facility="local0" severity="info"
      freshStartTail="off" ruleset="to_kafka")
ruleset(name="to_kafka") {
  $actions
}
# rsyslog's own messages (start, errors) to a file, to tell when it is up.
*.* action(type="omfile" file="$dir/internal.log")
EOF
  echo "  $1: rsyslogd $("$rsyslogd" -v | head -1 | awk '{print $2}') …" >&2
  "${PIN[@]}" "$rsyslogd" -n -f "$dir/rsyslog.conf" -i "$dir/rsyslogd.pid" </dev/null >"$dir/out" 2>"$dir/err" &
  local pid=$!
  pids+=($pid)
  wait_for 10 grep -q "\] start" "$dir/internal.log" 2>/dev/null ||
    { echo "rsyslogd did not start" >&2; cat "$dir/err" "$dir/internal.log" >&2; exit 1; }
  sleep 1  # imfile's inotify watch and omkafka's connection are set up after the start message; not timed
  ship "$1" "$2" "$pid" "$dir/access.log"
  stop "$pid"
  rm -f "$dir/access.log"
  grep -v "\] start\|\] exiting on signal" "$dir/internal.log" >"$dir/errors" || true
}
run_rsyslog rsyslog http_logs_rsyslog
run_rsyslog rsyslog-parsed http_logs_rsyslog_parsed
rsyslog_errors=$(cat "$work/rsyslog/errors" "$work/rsyslog-parsed/errors" | wc -l)
if ((rsyslog_errors > 0)); then
  echo "rsyslog's internal log (other than start/exit):" >&2
  cat "$work/rsyslog/errors" "$work/rsyslog-parsed/errors" | head -5 | cut -c1-300 >&2
fi
# The parsed variant's last record on partition 0, to show that it parsed (else "unparsed-data").
parsed_sample=$(kcat -C -b "$bs" -t http_logs_rsyslog_parsed -p 0 -o -1 -e -q 2>/dev/null | head -1)
[[ $parsed_sample == *'"status"'* ]] || echo "warning: a rsyslog-parsed record does not look parsed: $parsed_sample" >&2

python3 - "$work" "$lines" "${PIN[*]:-none}" "$invalid" "$sample_ok" "$rsyslog_errors" "$load_start" <<'PY'
import json, os, sys
w, n, pin, invalid, sample_ok, rs_err = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
load = lambda name: json.loads(open(f"{w}/{name}.json").read().strip().splitlines()[-1])
print(f"access-log shipping benchmark: {n:,} sentinel-loggen lines (config/loggen/demo.yaml), pinned: {pin}")
print(f"load average at start {sys.argv[7]}, at end {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs; other "
      "processes on core 0 slow every figure down)")
print()
print("1. parsing, one core (the agent's AccessLogFormat::parse; + append_http_record = the record it publishes)")
print(f"{'format':<10}{'bytes/line':>11}{'parse lines/s':>15}{'MB/s':>8}{'vs 1 M':>8}{'parse+JSON lines/s':>20}{'MB/s':>8}{'vs 1 M':>8}")
for f in ("combined", "custom"):
    p = load(f"parse-{f}")
    print(f"{f:<10}{p['bytes'] / p['lines']:>11.0f}{p['parse_lines_per_s']:>15,.0f}{p['parse_mb_per_s']:>8.1f}"
          f"{p['parse_lines_per_s'] / 1e6:>8.2f}{p['serialize_lines_per_s']:>20,.0f}{p['serialize_mb_per_s']:>8.1f}"
          f"{p['serialize_lines_per_s'] / 1e6:>8.2f}")
    if p["invalid"]:
        print(f"  warning: {p['invalid']} {f} lines did not parse")
print("custom = nginx:$time_iso8601 $remote_addr $host \"$request\" $status $body_bytes_sent $request_time "
      "\"$http_referer\" \"$http_user_agent\" urt=$upstream_response_time")
print()
a, r, rp = load("ship-agent"), load("ship-rsyslog"), load("ship-rsyslog-parsed")
print(f"2. end to end: a growing file ({a['appended_bytes'] / 1e6:.0f} MB, appended in {a['append_s']:.2f} s) "
      f"into Kafka, {a['partitions']} partitions")
rows = (("sentinel-agent (parse -> JSON)", "http_logs", a),
        ("rsyslog imfile->omkafka (raw line)", "http_logs_rsyslog", r),
        ("rsyslog + mmnormalize (-> JSON)", "http_logs_rsyslog_parsed", rp))
print(f"{'shipper':<36}{'lines':>10}{'seconds':>9}{'lines/s':>11}{'CPU s':>8}{'CPU ms/1000':>12}{'RSS MB':>8}"
      f"{'1st rec ms':>11}{'broker CPU s':>13}")
for name, _, s in rows:
    secs = s["seconds"]
    print(f"{name:<36}{s['records']:>10,}{secs:>9.2f}{s['records'] / secs:>11,.0f}{s['cpu_s']:>8.2f}"
          f"{s['cpu_s'] * 1e6 / max(s['records'], 1):>12.3f}{s['rss_kb'] / 1024:>8.1f}{s['first_record_s'] * 1000:>11.0f}"
          f"{s['broker_cpu_s']:>13.2f}")
rate = lambda s: s["records"] / s["seconds"]
cpu = lambda s: s["cpu_s"] / max(s["records"], 1)
ratio = rate(a) / rate(r)
# Lines/s from the first record on: without the time a shipper takes to notice the growth.
steady = lambda s: s["records"] / (s["seconds"] - s["first_record_s"])
for label, s in (("rsyslog (raw line)", r), ("rsyslog + mmnormalize", rp)):
    print(f"agent / {label}: throughput {rate(a) / rate(s):.2f}x ({steady(a) / steady(s):.2f}x from the first "
          f"record on), CPU per line {cpu(a) / cpu(s):.2f}x, peak RSS {a['rss_kb'] / s['rss_kb']:.2f}x")
print()
ok = a["final_records"] == n and invalid == 0
print(f"agent correctness: {a['final_records']:,} records in http_logs (expected exactly {n:,}), "
      f"{invalid} in http_logs_invalid, {sample_ok} sampled records read back as http_logs JSON: "
      f"{'OK' if ok else 'NOT OK'}")
for name, topic, s in rows[1:]:
    if s["final_records"] != n:
        print(f"{name}: {s['final_records']:,} records in {topic} (expected {n:,})")
if rs_err:
    print(f"rsyslog: {rs_err} lines other than start/exit in its internal logs")
p = min(load("parse-combined")["parse_lines_per_s"], load("parse-custom")["parse_lines_per_s"])
print(f"targets: parsing >= 1 M lines/s per core: {'met' if p >= 1e6 else 'NOT met'}; "
      f"end to end >= 2x rsyslog: {'met' if ratio >= 2 else 'NOT met'} ({ratio:.2f}x)")
PY
devkafka_trims "$work/devkafka.err" note
