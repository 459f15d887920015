#!/usr/bin/env bash
# Benchmark: distributed sentinel-connect on the real Kafka 2.4.1 broker (issue #15, item 7).
#   1. archive throughput with 1, 2 and 3 workers (processes here, one group.id, each its own REST
#      port and archive root) on one 64-partition topic, RotatingFileSink with its defaults:
#      records/s from the first task's assignment to the last record durable in the archives
#      (the largest `next` per partition over every root's .sentinel-archive/*.state), and CPU
#      seconds (utime+stime from /proc of every worker) per 1000 records;
#   2. SIGKILL of the worker running task 0 while records flow: seconds until a record produced
#      after the kill is durable in a survivor's archive for a partition the killed worker had,
#      and until GET status shows every task RUNNING elsewhere (min/median/max over --runs);
#   3. REST write latency (PUT pause/resume, PUT config) sent to a non-leader and to the leader
#      (the worker whose log says "(leader)": it owns slot 0), p50/p99.
# Each part runs its own cluster (its own group.id, whose storage topics the workers create).
# Prints the tables (measure.py) beside Kafka Connect's documented defaults; results.md holds a run.
#
# Usage: bench/connect-distributed/run.sh [BUILD_DIR] [--quick] [--records N] [--tasks T]
#          [--runs R] [--repeat K] [--only throughput,failover,rest]
#   Defaults: 3 000 000 records, tasks.max 64 (one partition per task), each worker count run
#   twice (--repeat), 4 SIGKILL runs, 50 REST writes of each kind: ~3 minutes.
#   --quick: 300 000 records, one throughput run each, 3 SIGKILL runs, 20 REST writes (~2 min).
#   BENCH_DEBUG=1: each SIGKILL run also prints when each partition of the killed worker moved.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/lib.sh"
build="$root/build"
records=3000000
size=100
tasks=64
runs=4
rate=1000
rest=50
repeat=2
only=throughput,failover,rest
while (($#)); do
  case "$1" in
    --quick) records=300000; runs=3; rest=20; repeat=1; shift ;;
    --records) records=$2; shift 2 ;;
    --tasks) tasks=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) build=$1; shift ;;
  esac
done
bin="$build/bin"
bench_need_programs "$bin" sentinel-connect
[[ -f "$build/plugins/libsentinel-rotating.so" ]] ||
  { echo "bench: build sentinel-rotating first (scripts/build.sh sentinel-rotating)" >&2; exit 1; }
bench_need_commands kcat curl java python3
bench_workdir connect-distributed
uptime_start=$(uptime)

echo "starting the real Kafka 2.4.1 broker…" >&2
bench_start_kafka
bench_create_topic data 64
bench_create_topic flow 64
bench_create_topic probe 1

if [[ $only == *throughput* ]]; then
  echo "producing $records ${size}-byte records to data (64 partitions)…" >&2
  python3 - "$records" "$size" >"$work/records" <<'PY'
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
for i in range(n):
    v = '{"host":"web-%d","seq":%d,"pad":"' % (i % 5000, i)
    v += "x" * (size - len(v) - 2) + '"}'
    out.write("key-%d\t%s\n" % (i, v))
PY
  start=$(now)
  kcat -P -b "$bs" -t data -K $'\t' -l "$work/records" -X linger.ms=20
  echo "produced in $(calc "$(now) - $start" 1) s (kcat -P)" >&2
  rm -f "$work/records"
fi

python3 "$root/bench/connect-distributed/measure.py" --bootstrap "$bs" --bin "$bin" \
  --plugins "$build/plugins" --work "$work" --records "$records" --size "$size" --tasks "$tasks" \
  --runs "$runs" --rate "$rate" --rest "$rest" --repeat "$repeat" --only "$only"

# The workers create their storage topics (compacted) where missing: what they made, as the broker
# describes it.
echo
echo "storage topics the workers created (kafka-topics --describe):"
bench_kafka_java kafka.admin.TopicCommand --bootstrap-server "$bs" --describe --topic 'bench-.*' 2>/dev/null |
  awk '/PartitionCount/ {printf "  %-28s partitions %s, replication %s, %s\n", $2, $4, $6, $8}' |
  sort
echo "machine: $(nproc) cores; at the start:$uptime_start; at the end: $(uptime)"
