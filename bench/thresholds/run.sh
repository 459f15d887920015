#!/usr/bin/env bash
# bench/thresholds/run.sh BUILD_DIR [LINES]
#
# sentinel-thresholds over a day of http_logs history (LINES JSON records, default 10 M, spread
# evenly over 24 h, 3 hosts, 20 000 Zipf-distributed clients, ~100 000 distinct raw paths)
# generated beforehand by gen_http_logs.py (not timed). Side by side in one run:
#   floor        — reading the same bytes only (wc -l; zcat | wc -l for .gz)
#   thresholds   — sentinel-thresholds --archive FILE --dry-run (parse, normalise, window, stats)
# for the plain file and the gzip-compressed one. Each is timed with /usr/bin/time -v: wall,
# CPU (user + sys) and peak RSS; lines/s = LINES / wall.
set -euo pipefail

BUILD=${1:?usage: bench/thresholds/run.sh BUILD_DIR [LINES]}
LINES=${2:-10000000}
BIN=$(cd "$BUILD" && pwd)/bin
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
[ -x "$BIN/sentinel-thresholds" ] || { echo "missing $BIN/sentinel-thresholds: build it first" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time)" >&2; exit 1; }

echo "generating $LINES lines (not timed) in $WORK ..." >&2
python3 "$HERE/gen_http_logs.py" --lines "$LINES" --output "$WORK/http_logs.jsonl"
gzip -1 -c "$WORK/http_logs.jsonl" > "$WORK/http_logs.jsonl.gz"
ls -l "$WORK" >&2

# measure NAME CMD... → one table row
measure() {
  local name=$1
  shift
  /usr/bin/time -v -o "$WORK/time.txt" "$@" > "$WORK/out.txt" 2> "$WORK/err.txt" || {
    echo "$name failed:" >&2
    cat "$WORK/err.txt" >&2
    exit 1
  }
  local wall cpu rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
           n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$WORK/time.txt")
  cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$WORK/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print int($2 / 1024)}' "$WORK/time.txt")
  printf "%-34s %10.2f %10.2f %10s %14.0f\n" "$name" "$wall" "$cpu" "$rss" \
    "$(awk -v l="$LINES" -v w="$wall" 'BEGIN { print (w > 0 ? l / w : 0) }')"
}

printf "%-34s %10s %10s %10s %14s\n" "run ($LINES lines)" "wall s" "cpu s" "rss MiB" "lines/s"
measure "floor: wc -l (plain)" wc -l "$WORK/http_logs.jsonl"
measure "sentinel-thresholds (plain)" "$BIN/sentinel-thresholds" --archive "$WORK/http_logs.jsonl" --dry-run
measure "floor: zcat | wc -l (.gz)" sh -c "zcat '$WORK/http_logs.jsonl.gz' | wc -l"
measure "sentinel-thresholds (.gz)" "$BIN/sentinel-thresholds" --archive "$WORK/http_logs.jsonl.gz" --dry-run
measure "sentinel-thresholds (.gz, per-key)" "$BIN/sentinel-thresholds" --archive "$WORK/http_logs.jsonl.gz" --dry-run --per-key-min-windows 30
echo
echo "summary of the last run:"
cat "$WORK/out.txt"
