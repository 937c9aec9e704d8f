#!/usr/bin/env bash
# bench-smoke (CTest): the benchmark tools work end to end. Starts a gateway
# from a fresh dev setup on a free loopback port, runs every caregate-bench
# scenario for one second at low concurrency (the send and mixed scenarios
# with the OB/GYN clinic streaming its inbox), and every default
# microbenchmark once. Checks that calls were made without errors; never
# checks a speed.
#
# usage: smoke_test.sh CAREGATECTL CAREGATED CAREGATE_BENCH CAREGATE_MICROBENCH
set -euo pipefail
ctl=$1 gated=$2 bench=$3 micro=$4
source "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/caregate-bench-smoke.XXXXXX")
cleanup() {
  bench_stop_gateway
  rm -rf "$tmp"
}
trap cleanup EXIT

bench_dev_init "$ctl" "$tmp/dev"
bench_start_gateway "$gated" "$bench" "$tmp/dev" "$tmp/gateway.log" 60s

"$bench" --gateway "127.0.0.1:$BENCH_PORT" --profile "$tmp/dev/pki/dr-rivera" \
  --scenarios health,payload,check,send,mixed --concurrency 4 --connections 2 \
  --duration 1s --warmup 0s --consents 20 \
  --stream_profile "$tmp/dev/pki/lakeside-obgyn-inbox" --json >"$tmp/bench.json"
cat "$tmp/bench.json"

status=0
for scenario in health payload check send mixed; do
  line=$(grep "\"scenario\":\"$scenario\"" "$tmp/bench.json" || true)
  if [ -z "$line" ]; then
    echo "FAIL: no result for $scenario"; status=1; continue
  fi
  if ! grep -q '"errors":0,' <<<"$line" || grep -q '"calls":0,' <<<"$line"; then
    echo "FAIL: $scenario made no calls or had errors"; status=1
  fi
  if ! grep -q '"consents_loaded":20,' <<<"$line"; then
    echo "FAIL: $scenario does not report 20 consents loaded"; status=1
  fi
done
# Every message sent in the window was streamed to the clinic and timed.
for scenario in send mixed; do
  line=$(grep "\"scenario\":\"$scenario\"" "$tmp/bench.json" || true)
  if ! grep -Eq '"stream_messages":[1-9]' <<<"$line" ||
      grep -q '"stream_error"' <<<"$line"; then
    echo "FAIL: $scenario timed no streamed messages"; status=1
  fi
done
bench_stop_gateway

"$micro" --benchmark_min_time=0.001 || status=1
exit $status
