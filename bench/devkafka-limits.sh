# Sourced by the benchmarks that run on sentinel-devkafka. librdkafka's mock cluster keeps only the
# newest ~5 MB or 100 000 message sets of each partition and drops older records; devkafka reports
# each drop on stderr ("sentinel-devkafka: trimmed TOPIC[P]: N record(s) gone (log start now S)").
#
# devkafka_trims LOG [fatal|note]: shows the drops found in devkafka's LOG. fatal (the default)
# returns 1 when there are any: the benchmark then measured fewer records than it says. note only
# shows them, for benchmarks that read the newest records and whose figures do not depend on old
# ones being kept.
devkafka_trims() {
  local log=$1 mode=${2:-fatal}
  sleep 1.2  # devkafka looks at every partition once a second
  grep -q 'sentinel-devkafka: trimmed ' "$log" 2>/dev/null || return 0
  grep -o 'sentinel-devkafka: trimmed [^:]*: [0-9]* record(s) gone' "$log" | sed 's/^/bench: /' >&2
  if [[ $mode == fatal ]]; then
    echo "bench: sentinel-devkafka dropped records (it keeps ~5 MB a partition): the figures above" \
      "do not hold; use fewer records or more partitions" >&2
    return 1
  fi
  echo "bench: (sentinel-devkafka dropped old records; this benchmark reads the newest, so its" \
    "figures stand)" >&2
}
