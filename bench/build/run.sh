#!/usr/bin/env bash
# Cold build timings: configures a fresh build directory with Ninja and ccache off, builds it with
# -jJOBS, and prints the wall time, the time per target (its objects' compile time plus its link)
# and the translation units that took longest, from Ninja's log. The next build change is judged
# by these numbers. The CPU time of the build (user + sys of every compiler and linker) is printed
# too: on a machine shared with other work it moves much less than the wall time; the load average
# before and after says how shared the machine was.
# --own-only (with --target): the targets' dependencies are built first with ccache on (not
# timed), then only the targets' own translation units and links are built cold and timed: a
# change to test executables is judged without rebuilding every library (use a --dir inside the
# checkout, e.g. build-bench, so that ccache's relative paths hit).
# Usage: bench/build/run.sh [--asan] [--jobs N] [--top N] [--dir DIR] [--keep] [--own-only]
#                           [--target T]...
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
jobs=2 top=25 asan=0 keep=0 own=0 log_skip=0 dir=""
targets=()
while (($#)); do
  case "$1" in
    --asan) asan=1 ;;
    --jobs) jobs=$2; shift ;;
    --top) top=$2; shift ;;
    --dir) dir=$2; shift ;;
    --keep) keep=1 ;;
    --own-only) own=1 ;;
    --target) targets+=(--target "$2"); shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
command -v ninja >/dev/null || { echo "run.sh: ninja is missing (apt-get install ninja-build)" >&2; exit 1; }
[[ -n "$dir" ]] || dir=$(mktemp -d "${TMPDIR:-/tmp}/sentinel-build-bench.XXXXXX")
flags=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
((asan)) && flags+=(-DSENTINEL_SANITIZE=ON)
((own)) && ((${#targets[@]} == 0)) && { echo "run.sh: --own-only needs --target" >&2; exit 2; }
echo "== cold build of $root into $dir (-j$jobs$( ((asan)) && echo ', ASan+UBSan'), ccache off)"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s.%N)
cmake -S "$root" -B "$dir" "${flags[@]}" >/dev/null
if ((own)); then
  # Dependencies from ccache (paths relative to the checkout, as scripts/build.sh), then the
  # targets' own objects and outputs removed: only they are rebuilt and timed. Ninja's log is
  # kept (without it Ninja rebuilds everything); only the lines after its present end are read.
  CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true cmake --build "$dir" -j"$jobs" "${targets[@]}" \
    >"$dir/deps.out" 2>&1 || { tail -30 "$dir/deps.out"; exit 1; }
  for ((i = 1; i < ${#targets[@]}; i += 2)); do
    t=${targets[i]}
    find "$dir" -type d -path "*/CMakeFiles/$t.dir" -exec find {} -name '*.o' -delete \;
    rm -f "$dir/bin/$t"
  done
  log_skip=$(wc -l <"$dir/.ninja_log")
fi
export CCACHE_DISABLE=1
t1=$(date +%s.%N)
# The build in a subshell whose `times` (second line: its children's user and sys) is its CPU time.
(cmake --build "$dir" -j"$jobs" "${targets[@]}" >"$dir/build.out" 2>&1 && times >"$dir/times") ||
  { tail -30 "$dir/build.out"; exit 1; }
t2=$(date +%s.%N)
cpu_s=$(awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); s += p[1] * 60 + p[2] }
                       printf "%.0f", s }' "$dir/times")
printf 'configure %.0f s, build %.0f s wall, %s s CPU (user+sys), cpu count %s\n' \
  "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$cpu_s" "$(nproc)"
printf 'load average (1, 5, 15 min) before %s, after %s\n' "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$dir/.ninja_log" "$top" "$log_skip" <<'PY'
import collections, re, sys
log, top, skip = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = {}
for n, line in enumerate(open(log)):
    if n < skip or line.startswith('#'):
        continue
    start, end, _, out, _ = line.rstrip('\n').split('\t')
    rows[out] = (int(end) - int(start)) / 1000.0  # the last entry of an output wins
per_target = collections.defaultdict(lambda: [0.0, 0.0, 0])
objects = []
for out, sec in rows.items():
    m = re.search(r'CMakeFiles/([^/]+)\.dir/(.+)\.o$', out)
    if m:
        per_target[m.group(1)][0] += sec
        per_target[m.group(1)][2] += 1
        objects.append((sec, m.group(2), m.group(1)))
    elif out.startswith(('bin/', 'lib/')) or out.endswith(('.a', '.so')):
        name = out.rsplit('/', 1)[-1]
        name = re.sub(r'^lib|\.(a|so)$', '', name)
        per_target[name][1] += sec
total_compile = sum(s for s, _, _ in objects)
print(f"\n{len(objects)} translation units, {total_compile:.0f} s of compile time in all "
      f"(≈ {total_compile/2:.0f} s wall on 2 cores)")
print(f"\n{'target':40} {'TUs':>4} {'compile s':>10} {'link s':>8}")
for name, (c, l, n) in sorted(per_target.items(), key=lambda kv: -(kv[1][0] + kv[1][1])):
    if c + l >= 1.0:
        print(f"{name:40} {n:4d} {c:10.1f} {l:8.1f}")
print(f"\nslowest {top} translation units")
for sec, src, tgt in sorted(objects, reverse=True)[:top]:
    print(f"{sec:7.1f} s  {src}  ({tgt})")
PY
((keep)) || rm -rf "$dir"
