#!/usr/bin/env bash
# Installs the Debian packages Sentinel needs (scripts/deps.txt) that are not installed yet.
# Safe to run again: it asks apt only for what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/deps.txt" | grep -v '^$')
missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
# npm ships inside some nodejs packages (NodeSource's); Debian's nodejs needs Debian's npm beside it.
if ! command -v npm >/dev/null && [[ ! " ${missing[*]} " == *" nodejs "* ]]; then
  missing+=(npm)
fi
if ((${#missing[@]} == 0)); then
  echo "install-deps: every package is installed"
  exit 0
fi
sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if ! command -v npm >/dev/null; then
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
echo "install-deps: done"
