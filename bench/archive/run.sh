#!/usr/bin/env bash
# Benchmark: the RotatingFileSink archive (exactly-once: fsync + state record at the default
# durability cadence, flush.interval.ms=1000 / flush.max.records=50000, default rotation and gzip
# compression of rotated files) next to `kcat -C -e > file` (no durability at all) reading the same
# topic in the same run. Prints records/s, MB/s and CPU ms per 1000 records for both, and the ratio.
#
# Usage: bench/archive/run.sh [BUILD_DIR] [--records N] [--partitions P]
# Records are 200-byte JSON alerts keyed by alert id, produced to sentinel-devkafka beforehand
# (librdkafka's mock cluster keeps about 5 MB per partition, hence 64 partitions for 1 M records).
# Timing: kcat from start to exit; the sink from the moment its task is assigned the partitions
# (the consumer-group join is not counted; kcat uses no group) until the archive's state files
# record every offset as durable. CPU: utime+stime of the process over the same window
# (/usr/bin/time for kcat, /proc/PID/stat for the worker; every thread, compression included).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/lib.sh"
build="$root/build"
records=1000000
partitions=64
while (($#)); do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    *) build=$1; shift ;;
  esac
done
bin="$build/bin"
bench_need_programs "$bin" sentinel-devkafka sentinel-connect
[[ -f "$build/plugins/libsentinel-rotating.so" ]] || { echo "bench: build the sentinel-rotating plugin first" >&2; exit 1; }
bench_need_commands kcat
bench_workdir archive
bench_bin=$bin bench_start_devkafka --topic "system_alerts:$partitions" </dev/null

echo "producing $records 200-byte alerts to system_alerts ($partitions partitions)…"
python3 - "$records" >"$work/records" <<'PY'
import sys
n = int(sys.argv[1])
out = sys.stdout
for i in range(n):
    host = "web-%d" % (i % 5000)
    v = ('{"v":1,"id":"cpu_high/host=%s","rule":"cpu_high","state":"firing","severity":"critical",'
         '"labels":{"host":"%s"},"value":97.3,"threshold":90.0,"ts":%d'
         % (host, host, 1795316160012 + i))
    v = v + ',"pad":"' + "x" * (200 - len(v) - 10) + '"}'
    assert len(v) == 200, len(v)
    out.write("cpu_high/host=%s\t%s\n" % (host, v))
PY
kcat -P -b "$bs" -t system_alerts -K $'\t' -l "$work/records" -X linger.ms=20
value_bytes=$((records * 200))

# The peer: kcat reading everything into a file, no fsync.
start=$(now)
/usr/bin/time -f "%U %S" -o "$work/kcat.time" kcat -C -b "$bs" -t system_alerts -o beginning -e -q -f '%s\n' \
  >"$work/kcat.out"
end=$(now)
kcat_s=$(calc "$end - $start")
kcat_cpu=$(awk '{print $1 + $2}' "$work/kcat.time")
kcat_lines=$(wc -l <"$work/kcat.out")
rm -f "$work/kcat.out"

# The sink, as users run it: the worker and a RotatingFileSink connector with the defaults.
mkdir -p "$work/archive" "$work/state"
cat >"$work/worker.properties" <<EOF2
bootstrap.servers=$bs
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
plugin.path=$build/plugins
archive.root=$work/archive
sentinel.state.dir=$work/state
listeners=http://127.0.0.1:0
${BENCH_WORKER_EXTRA:-}
EOF2
"$bin/sentinel-connect" "$work/worker.properties" >"$work/connect.out" 2>"$work/connect.err" &
wpid=$!
pids+=($wpid)
for _ in $(seq 1 100); do grep -q "listening http" "$work/connect.out" && break; sleep 0.1; done
port=$(grep -o "listening http://127.0.0.1:[0-9]*" "$work/connect.out" | head -1 | sed 's/.*://')
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/connectors" \
  -d '{"name":"archive","config":{"connector.class":"RotatingFileSink","topics":"system_alerts","path":"{topic}-{partition}.log"'"${BENCH_SINK_EXTRA:-}"'}}'
until grep -q "assigned .* partition" "$work/connect.err"; do sleep 0.01; done
start=$(now)
cpu0=$(cpu_ticks "$wpid")
archived() { cat "$work"/archive/.sentinel-archive/*.state 2>/dev/null | awk '$1=="partition"{s+=$6} END{print s+0}'; }
until [[ $(archived) -ge $records ]]; do sleep 0.05; done
end=$(now)
cpu1=$(cpu_ticks "$wpid")
sink_s=$(calc "$end - $start")
sink_cpu=$(calc "($cpu1 - $cpu0) / $tick")

# The same worker with FileStreamSink (one file, fsync only at offset commits): what the worker's
# consumer loop costs without the archive's bookkeeping.
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/connectors" \
  -d '{"name":"filestream","config":{"connector.class":"FileStreamSink","topics":"system_alerts","file":"filestream.log"}}'
until grep -q "connector filestream task 0: assigned" "$work/connect.err"; do sleep 0.01; done
start=$(now)
cpu0=$(cpu_ticks "$wpid")
until [[ $(wc -l <"$work/archive/filestream.log" 2>/dev/null || echo 0) -ge $records ]]; do sleep 0.05; done
end=$(now)
cpu1=$(cpu_ticks "$wpid")
fs_s=$(calc "$end - $start")
fs_cpu=$(calc "($cpu1 - $cpu0) / $tick")

echo
echo "archive of $records 200-byte JSON alerts ($((value_bytes / 1000000)) MB of values), same topic, same run"
printf '%-44s %12s %10s %10s %18s\n' "" "records/s" "MB/s" "seconds" "CPU ms/1000 rec"
row() { printf '%-44s %12.0f %10.1f %10.2f %18.3f\n' "$1" "$(calc "$records / $2")" \
  "$(calc "$value_bytes / $2 / 1000000")" "$2" "$(calc "$3 * 1000 * 1000 / $records")"; }
row "kcat -C -e > file (no durability)" "$kcat_s" "$kcat_cpu"
row "RotatingFileSink (exactly-once, defaults)" "$sink_s" "$sink_cpu"
row "FileStreamSink, same worker (not durable)" "$fs_s" "$fs_cpu"
printf '%-44s %11.0f%%\n' "sink throughput / kcat throughput" "$(calc "100 * $kcat_s / $sink_s")"
[[ $kcat_lines -eq $records ]] || echo "warning: kcat read $kcat_lines records, expected $records"
devkafka_trims "$work/devkafka.err"
