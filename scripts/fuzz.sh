#!/usr/bin/env bash
# Builds the fuzz targets (fuzz/*_fuzz.cc: clang++, libFuzzer, ASan + UBSan, in build-fuzz/) and
# runs each for a bounded time over its corpus fuzz/corpus/<target>/. Fails when a target crashes
# or breaks an invariant, and prints the reproducer and the command that replays it.
# Usage: scripts/fuzz.sh [--seconds N] [--no-build] [--build-dir DIR] [--merge] [target...]
#   --seconds N   fuzzing time per target (default 15)
#   --no-build    use the targets already built (CTest's fuzz and soak labels do)
#   --merge       no fuzzing: minimise fuzz/corpus/<target>/ together with what earlier runs found
#                 (build-fuzz/corpus/<target>/) with libFuzzer's -merge=1, rewriting the corpus
#   target        e.g. access_log or access_log_fuzz; default: every fuzz/*_fuzz.cc
# SENTINEL_FUZZ_JOBS: targets fuzzed at once (default: one per core).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=15
build=1
merge=0
dir=$root/build-fuzz
targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --build-dir) dir=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("${1%_fuzz}"); shift ;;
  esac
done
if ((${#targets[@]} == 0)); then
  for f in "$root"/fuzz/*_fuzz.cc; do
    t=$(basename "$f" .cc)
    targets+=("${t%_fuzz}")
  done
fi
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds $seconds: expected a whole number above 0" >&2; exit 2; }
for t in "${targets[@]}"; do
  [[ -f $root/fuzz/${t}_fuzz.cc ]] || { echo "fuzz.sh: no target $t (fuzz/${t}_fuzz.cc)" >&2; exit 2; }
done

if ((build)); then
  if ! command -v clang++ >/dev/null; then
    echo "fuzz.sh: clang++ not found: scripts/install-deps.sh installs clang and libclang-rt-dev" >&2
    exit 1
  fi
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
  export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
  export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-4G}
  # Only what the parsers need is configured and built: no tests, tools or dashboard, and of the
  # libraries only the files the targets link (fuzz/CMakeLists.txt). Ninja, as scripts/build.sh,
  # where the build directory is new (cmake keeps the generator of an existing one).
  generator=()
  [[ ! -f $dir/CMakeCache.txt ]] && command -v ninja >/dev/null && generator=(-G Ninja)
  cmake -S "$root" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DSENTINEL_FUZZ=ON \
    -DSENTINEL_BUILD_TESTS=OFF -DSENTINEL_SKIP_PARTS="tools;dashboard" >/dev/null
  names=()
  for t in "${targets[@]}"; do names+=(--target "${t}_fuzz"); done
  cmake --build "$dir" -j"${SENTINEL_JOBS:-$(nproc)}" "${names[@]}"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${targets[@]}"; do
  [[ -x $dir/bin/${t}_fuzz ]] || { echo "fuzz.sh: $dir/bin/${t}_fuzz is not built" >&2; exit 1; }
  mkdir -p "$root/fuzz/corpus/$t" "$dir/corpus/$t" "$dir/artifacts/$t" "$dir/logs"
done

if ((merge)); then
  for t in "${targets[@]}"; do
    seeds=$root/fuzz/corpus/$t
    merged=$(mktemp -d "$dir/corpus/$t.merge.XXXXXX")
    "$dir/bin/${t}_fuzz" -merge=1 "$merged" "$seeds" "$dir/corpus/$t" >"$dir/logs/$t.log" 2>&1
    rm -f "$seeds"/*
    cp "$merged"/* "$seeds"/ 2>/dev/null || true
    rm -rf "$merged"
    echo "fuzz.sh: $t: corpus minimised to $(ls "$seeds" | wc -l) inputs ($(du -sh "$seeds" | cut -f1))"
  done
  exit 0
fi

# fuzz_one TARGET: fuzzes one target for $seconds and writes its report to logs/TARGET.report;
# fails when the target crashed or broke an invariant.
fuzz_one() {
  local t=$1
  local bin=$dir/bin/${t}_fuzz seeds=$root/fuzz/corpus/$t artifacts=$dir/artifacts/$t
  local found=$dir/corpus/$t # what runs add: first directory, so the repository's corpus stays as it is
  local log=$dir/logs/$t.log report=$dir/logs/$t.report
  local dict=()
  [[ -f $root/fuzz/$t.dict ]] && dict=(-dict="$root/fuzz/$t.dict")
  echo "== fuzz $t: ${seconds}s over fuzz/corpus/$t ($(ls "$seeds" | wc -l) inputs)" >"$report"
  if nice -n 10 "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" "$found" "$seeds" \
      >"$log" 2>&1; then
    local runs cov
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    echo "   $t: ${runs:-?} runs, $cov, no crash (log: ${log#"$root"/})" >>"$report"
    return 0
  fi
  {
    # The report: from the first sign of trouble (sanitizer, invariant, exception) on.
    local first reproducer
    first=$(grep -n -m1 -E 'ERROR: |invariant broken|terminate called|runtime error: ' "$log" | cut -d: -f1 || true)
    if [[ -n $first ]]; then
      sed -n "$((first > 3 ? first - 3 : 1)),$((first + 30))p" "$log"
    else
      tail -n 40 "$log"
    fi
    reproducer=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1 || true)
    echo "fuzz.sh: $t FAILED (log: $log)"
    if [[ -n $reproducer ]]; then
      echo "   reproducer: $reproducer"
      echo "   replay:     $bin $reproducer"
    fi
  } >>"$report"
  return 1
}

# One target per core at a time (libFuzzer runs one process, one thread): the eight targets of
# scripts/test.sh take 4 x 15 s on 2 cores instead of 8 x 15 s. Reports print in the targets' order.
jobs=${SENTINEL_FUZZ_JOBS:-$(nproc)}
failed=()
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
  batch=("${targets[@]:i:jobs}")
  pids=()
  for t in "${batch[@]}"; do
    fuzz_one "$t" &
    pids+=($!)
  done
  for k in "${!batch[@]}"; do
    wait "${pids[k]}" || failed+=("${batch[k]}")
    cat "$dir/logs/${batch[k]}.report"
  done
done
if ((${#failed[@]})); then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
