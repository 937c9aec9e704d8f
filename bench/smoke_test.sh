#!/usr/bin/env bash
# bench-smoke (CTest): the benchmark tools work end to end. Starts a gateway
# from a fresh dev setup on a free loopback port, runs every caregate-bench
# scenario for one second at low concurrency (the send and mixed scenarios
# with the OB/GYN clinic streaming its inbox), and every default
# microbenchmark once; then bench/run.sh with the same binaries, one second
# per scenario and no 1M run, and checks its report's fields. Checks that
# calls were made without errors; never checks a speed.
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

# bench/run.sh end to end with these binaries, briefly: the interleaved
# rounds, the Machine fields and the check path's stages reach the report.
if ! BENCH_SKIP_BUILD=1 CAREGATECTL=$ctl CAREGATED=$gated CAREGATE_BENCH=$bench \
    CAREGATE_MICROBENCH=$micro BENCH_DURATION=1s BENCH_WARMUP=0s \
    BENCH_CONCURRENCY=4 BENCH_SMALL_CONSENTS=20 BENCH_LARGE_CONSENTS=0 \
    BENCH_MICRO_LARGE=0 BENCH_MICRO_MIN_TIME=0.001 BENCH_OUT="$tmp/report.md" \
    bash "$(dirname "$0")/run.sh" >"$tmp/run.log" 2>&1; then
  cat "$tmp/run.log"
  echo "FAIL: bench/run.sh failed"
  exit 1
fi
cat "$tmp/report.md"
for want in '^- CPU: .*, [0-9]+ cores$' '^- CPU flags: sha_ni (yes|no), aes (yes|no), avx2 (yes|no)' \
    '^- Build type: caregated and caregate-bench [A-Za-z]+$' \
    '^\| 1 \| [0-9]+ \| [0-9]+ \| [0-9]+ \| [0-9.]+ \|' \
    '^\| 2 \| [0-9]+ \| [0-9]+ \| [0-9]+ \| [0-9.]+ \|' \
    '^\| check rps / health rps \(c=4\) \| [0-9.]+ \(rounds [0-9.]+ / [0-9.]+;' \
    '^\| check_path/(validate|decide|build_response|all) \|'; do
  if ! grep -Eq "$want" "$tmp/report.md"; then
    echo "FAIL: the report has no line matching $want"; status=1
  fi
done
if [ "$(grep -Ec '^\| check_path/' "$tmp/report.md")" != 4 ]; then
  echo "FAIL: the report does not list the 4 check_path benchmarks"; status=1
fi
if grep -Eq '^\| 20 \| [a-z]+ \| [0-9]+ \| [1-9]' "$tmp/report.md"; then
  echo "FAIL: a scenario of bench/run.sh had errors"; status=1
fi
exit $status
