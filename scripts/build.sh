#!/usr/bin/env bash
# Configures and builds Sentinel. Usage: scripts/build.sh [--asan] [targets...]
#   build/       the normal build (RelWithDebInfo)
#   build-asan/  with AddressSanitizer + UBSan (--asan)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ "${1:-}" == "--asan" ]]; then
  dir=build-asan
  flags+=(-DSENTINEL_SANITIZE=ON)
  shift
fi
jobs=${SENTINEL_JOBS:-$(nproc)}
# ccache: paths relative to the checkout, so another clone of the same sources hits the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-4G}
# Ninja schedules the two cores better than make and starts faster on a rebuild. A build directory
# configured earlier with another generator keeps it (cmake refuses to switch; remove it to change).
if [[ ! -f $root/$dir/CMakeCache.txt ]] && command -v ninja >/dev/null; then
  flags+=(-G Ninja)
fi
cmake -S "$root" -B "$root/$dir" "${flags[@]}" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$root/$dir" -j"$jobs" "${targets[@]}"
