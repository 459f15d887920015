# Sourced by every benchmark script: the start-up each one needs (checks, a work folder cleaned up
# on exit, the processes it started killed) and the measurements they share. Also sources
# devkafka-limits.sh (the dev broker's trimmed-records report).
#
#   bench_need_programs BIN prog...   each BIN/prog executable, or exit naming what to build
#   bench_need_commands cmd...        each on PATH, or exit naming scripts/install-deps.sh
#   bench_workdir NAME                $work = a new folder; on exit: kill "${pids[@]}", wait, remove
#                                     it (KEEP=1 keeps it and says where)
#   bench_start_devkafka ARGS...      sentinel-devkafka ARGS in the background; $bs = its bootstrap
#   bench_start_kafka [taskset...]    the real broker (../shared/kafka or $SENTINEL_KAFKA_HOME); $bs
#   now, calc EXPR [DECIMALS], tick (clock ticks a second), cpu_ticks PID (utime + stime),
#   rss_kb PID, hwm_kb PID
bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$bench_root/bench/devkafka-limits.sh"

bench_need_programs() {
  local dir=$1 p
  shift
  for p in "$@"; do
    [[ -x "$dir/$p" ]] || { echo "bench: build $p first (scripts/build.sh $p; no $dir/$p)" >&2; exit 1; }
  done
}

bench_need_commands() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || { echo "bench: $c missing (scripts/install-deps.sh)" >&2; exit 1; }
  done
}

pids=()
work=
bench_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n $work ]] || return 0
  if [[ -n ${KEEP:-} ]]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
bench_workdir() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/sentinel-bench-$1.XXXXXX")
  trap bench_cleanup EXIT
}

# Waits up to $1 seconds for the file $2 to be non-empty; its first line goes to $bs.
bench_bootstrap_from() {
  local seconds=$1 file=$2 i
  for ((i = 0; i < seconds * 10; i++)); do [[ -s $file ]] && break; sleep 0.1; done
  bs=$(head -1 "$file" 2>/dev/null || true)
  [[ -n $bs ]]
}

bench_start_devkafka() {
  "${bench_bin:?bench_bin unset}/sentinel-devkafka" "$@" --bootstrap-file "$work/bootstrap" \
    >"$work/devkafka.out" 2>"$work/devkafka.err" &
  pids+=($!)
  bench_bootstrap_from 10 "$work/bootstrap" ||
    { echo "bench: sentinel-devkafka did not start: $(tail -3 "$work/devkafka.err")" >&2; exit 1; }
}

bench_start_kafka() {
  kafka_home=${SENTINEL_KAFKA_HOME:-$bench_root/../shared/kafka}
  [[ -x $kafka_home/bin/kafka-single ]] ||
    { echo "bench: no real Kafka broker at $kafka_home (see its README)" >&2; exit 1; }
  "$@" "$kafka_home/bin/kafka-single" "$work/kafka" --bootstrap-file "$work/kafka-bootstrap" </dev/null \
    >"$work/kafka.out" 2>"$work/kafka.err" &
  pids+=($!)
  bench_bootstrap_from 60 "$work/kafka-bootstrap" ||
    { echo "bench: the broker did not start: $(tail -3 "$work/kafka.err")" >&2; exit 1; }
}

# Runs a Java tool of the broker started by bench_start_kafka (kafka.admin.TopicCommand, …) with
# its jars and Debian's.
bench_kafka_java() {
  local J=/usr/share/java kcp="$kafka_home/libs/*" jar
  for jar in jackson-databind jackson-core jackson-annotations slf4j-api slf4j-nop lz4-java \
             snappy-java zstd-jni joptsimple scala-library scala-reflect; do kcp="$kcp:$J/$jar.jar"; done
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$kcp" "$@"
}

# Creates topic $1 with $2 partitions (replication 1) on that broker.
bench_create_topic() {
  bench_kafka_java kafka.admin.TopicCommand --bootstrap-server "$bs" --create --topic "$1" \
    --partitions "$2" --replication-factor 1 >/dev/null
}

tick=$(getconf CLK_TCK)
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-6}f\", $1 }"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
