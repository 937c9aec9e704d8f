#!/usr/bin/env bash
# bench-smoke (CTest): bench/push.sh works end to end, for a second per run
# at a low rate, with the binaries of this build. Checks that every message
# sent was pushed and none failed; never checks a speed.
#
# usage: push_smoke_test.sh CAREGATECTL CAREGATED CAREGATE_BENCH
#                           CAREGATE_BENCH_RECEIVER
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out=$(mktemp "${TMPDIR:-/tmp}/caregate-push-smoke.XXXXXX.md")
trap 'rm -f "$out"' EXIT
CAREGATECTL=$1 CAREGATED=$2 CAREGATE_BENCH=$3 CAREGATE_BENCH_RECEIVER=$4 \
  BENCH_SKIP_BUILD=1 BENCH_DURATION=1s BENCH_CONCURRENCY=4 BENCH_PUSH_RATE=50 \
  BENCH_CONSENTS=20 BENCH_OUT="$out" bash "$repo/bench/push.sh"

status=0
for run in throughput latency; do
  # | run | sends/s | send p99 | messages | delivered | ...
  line=$(grep "^| $run |" "$out" || true)
  messages=$(awk -F'|' '{gsub(/ /, "", $5); print $5}' <<<"$line")
  delivered=$(awk -F'|' '{gsub(/ /, "", $6); print $6}' <<<"$line")
  if [ -z "$line" ] || [ -z "$messages" ] || [ "$messages" -eq 0 ]; then
    echo "FAIL: $run sent no messages"; status=1
  elif [ "$delivered" != "$messages" ]; then
    echo "FAIL: $run delivered $delivered of $messages messages"; status=1
  fi
done
exit $status
