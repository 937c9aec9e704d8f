#!/usr/bin/env bash
# CTest: runs scripts/demo.sh --once twice (a fresh dev setup, then reusing
# it) against the binaries of BUILD_DIR, in a temp directory, on a free
# loopback port. Fails when the demo finds a wrong outcome.
#   usage: tests/cli/demo_test.sh BUILD_DIR
set -euo pipefail
build_dir="$(cd "$1" && pwd)"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Three consecutive ports nothing listens on (the gateway, the witness and the
# OB/GYN's receiver): random candidates, a bounded number of tries.
port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  free=1
  for p in "$candidate" $((candidate + 1)) $((candidate + 2)); do
    if (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then free=0; fi
  done
  if [ "$free" = 1 ]; then port="$candidate"; break; fi
done
[ -n "$port" ] || { echo "demo_test: no free ports found" >&2; exit 1; }

for run in 1 2; do
  echo "=== demo run $run"
  CAREGATE_BUILD_DIR="$build_dir" CAREGATE_DEV_DIR="$tmp/dev" \
    CAREGATE_LISTEN="127.0.0.1:$port" bash "$repo/scripts/demo.sh" --once
done
