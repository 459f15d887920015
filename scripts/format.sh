#!/usr/bin/env bash
# Formats the C and C++ sources git tracks with clang-format and the root .clang-format (Google
# style, 100 columns). Usage: scripts/format.sh [--check]
#   (no option)  rewrites the files that are not formatted
#   --check      changes nothing; lists the files that are not formatted and exits 1 if any
#                (scripts/test.sh runs this first, so CI fails on an unformatted file)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v clang-format >/dev/null || { echo "format.sh: clang-format missing (scripts/install-deps.sh)" >&2; exit 1; }
mapfile -t files < <(git ls-files -- '*.cc' '*.h' '*.c')
if [[ "${1:-}" == "--check" ]]; then
  bad=()
  for f in "${files[@]}"; do
    clang-format --style=file "$f" | cmp -s - "$f" || bad+=("$f")
  done
  if ((${#bad[@]})); then
    printf 'format.sh: not formatted (run scripts/format.sh): %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "format.sh: ${#files[@]} files formatted"
else
  clang-format --style=file -i "${files[@]}"
fi
