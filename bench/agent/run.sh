#!/usr/bin/env bash
# Benchmark: sentinel-agent next to collectd (cpu, memory, df, disk, interface, load → write_kafka)
# and a psutil + confluent-kafka loop like the original Python producer, all publishing to one
# sentinel-devkafka at the same time, at 1 s and then 10 s intervals. Prints steady RSS and CPU %
# of one core per process, with ratios to Sentinel.
#
# Usage: bench/agent/run.sh [BUILD_DIR] [--warmup S] [--seconds S]
# CPU % = Δ(time on CPU of every thread) / wall over the window, from /proc/PID/task/*/schedstat
# (nanoseconds, exact — utime/stime are sampled at the tick and too coarse for 0.1 %); RSS = median
# VmRSS sampled every second in the window (VmHWM shown too).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/lib.sh"
build="$root/build"
warmup=20
seconds=120
while (($#)); do
  case "$1" in
    --warmup) warmup=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) build=$1; shift ;;
  esac
done
bin="$build/bin"
bench_need_programs "$bin" sentinel-agent sentinel-devkafka
bench_need_commands collectd kcat
bench_workdir agent
bench_bin=$bin bench_start_devkafka --topic system_metrics:3 --topic collectd_metrics:3 --topic psutil_metrics:3
bootstrap=$bs

cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {printf "%d\n", s}'; }

collectd_conf() {  # $1 = interval seconds
  cat <<CONF
Interval $1
FQDNLookup false
Hostname "bench"
BaseDir "$work/collectd"
PIDFile "$work/collectd.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin cpu
LoadPlugin memory
LoadPlugin df
LoadPlugin disk
LoadPlugin interface
LoadPlugin load
LoadPlugin write_kafka
<Plugin cpu>
  ReportByCpu true
  ReportByState true
  ValuesPercentage true
</Plugin>
<Plugin write_kafka>
  Property "metadata.broker.list" "$bootstrap"
  <Topic "collectd_metrics">
    Format JSON
  </Topic>
</Plugin>
CONF
}

measure() {  # $1 = interval seconds; prints rows
  local interval=$1
  mkdir -p "$work/collectd"
  collectd_conf "$interval" >"$work/collectd.conf"
  SENTINEL_INTERVAL=${interval}s "$bin/sentinel-agent" --config "$root/config/agent.yaml" \
    --bootstrap-servers "$bootstrap" 2>"$work/agent-$interval.log" &
  local agent=$!
  collectd -f -C "$work/collectd.conf" >"$work/collectd-$interval.log" 2>&1 &
  local collectd=$!
  /usr/bin/python3 "$root/bench/agent/psutil_producer.py" "$bootstrap" psutil_metrics "$interval" \
    2>"$work/psutil-$interval.log" &
  local psutil=$!
  # The floor every librdkafka 2.0.2 producer pays here: kcat -P with nothing to send.
  # Its input is a FIFO this script holds open (fd 9): kcat waits for records that never come.
  mkfifo "$work/floor-$interval"
  kcat -P -q -b "$bootstrap" -t floor <"$work/floor-$interval" &
  local floor=$!
  exec 9>"$work/floor-$interval"
  pids+=("$agent" "$collectd" "$psutil" "$floor")
  sleep "$warmup"
  declare -A t0 rss
  local names=(sentinel-agent collectd psutil-python kcat-idle-floor)
  local procs=("$agent" "$collectd" "$psutil" "$floor")
  for i in 0 1 2 3; do t0[$i]=$(cpu_ns "${procs[i]}"); rss[$i]=""; done
  local start; start=$(date +%s.%N)
  for ((s = 0; s < seconds; s++)); do
    sleep 1
    for i in 0 1 2 3; do rss[$i]+="$(rss_kb "${procs[i]}") "; done
  done
  local end; end=$(date +%s.%N)
  for i in 0 1 2 3; do
    local dt; dt=$(( $(cpu_ns "${procs[i]}") - t0[$i] ))
    local median; median=$(echo "${rss[$i]}" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    local hwm; hwm=$(hwm_kb "${procs[i]}")
    awk -v n="${names[i]}" -v iv="$interval" -v dt="$dt" -v s="$start" -v e="$end" \
        -v rss="$median" -v hwm="$hwm" \
        'BEGIN { printf "%s %s %.4f %.2f %.2f\n", n, iv, 100*dt/1e9/(e-s), rss/1024, hwm/1024 }'
  done
  kill "$agent" "$collectd" "$psutil" "$floor" 2>/dev/null || true
  exec 9>&-
  wait "$agent" "$collectd" "$psutil" "$floor" 2>/dev/null || true
}

echo "bench/agent: ${warmup}s warm-up, then ${seconds}s measured, per interval; broker: sentinel-devkafka at $bootstrap"
results="$work/results"
: >"$results"
for interval in 1 10; do measure "$interval" | tee -a "$results" >/dev/null; done

awk '
  { cpu[$1" "$2]=$3; rss[$1" "$2]=$4; hwm[$1" "$2]=$5; order[NR]=$1" "$2 }
  END {
    printf "\n%-15s %8s %10s %12s %10s %14s %14s\n", "process", "interval", "CPU % core", "RSS MB", "VmHWM MB", "CPU vs agent", "RSS vs agent"
    for (i = 1; i <= NR; i++) {
      k = order[i]; split(k, p, " "); base = "sentinel-agent " p[2]
      cr = (cpu[base] > 0) ? sprintf("%.1fx", cpu[k] / cpu[base]) : "n/a"
      rr = sprintf("%.2fx", rss[k] / rss[base])
      printf "%-15s %7ss %10.3f %12.1f %10.1f %14s %14s\n", p[1], p[2], cpu[k], rss[k], hwm[k], cr, rr
    }
  }' "$results"
echo
echo "Targets for sentinel-agent at 1 s: RSS <= 8 MB steady, CPU <= 0.1 % of one core."
echo "kcat-idle-floor is an idle librdkafka producer: what librdkafka's own threads cost with nothing to send."
echo "Records published: sentinel $(kcat -C -q -b "$bootstrap" -t system_metrics -e -f 'x\n' 2>/dev/null | wc -l)," \
     "collectd $(kcat -C -q -b "$bootstrap" -t collectd_metrics -e -f 'x\n' 2>/dev/null | wc -l)," \
     "psutil $(kcat -C -q -b "$bootstrap" -t psutil_metrics -e -f 'x\n' 2>/dev/null | wc -l)"
devkafka_trims "$work/devkafka.err" note
