#!/usr/bin/env bash
# bench/run.sh: the whole caregate benchmark set on this machine, in one go
# (BENCHMARKS.md). Builds the Release binaries if needed, starts caregated
# from a fresh dev setup on a free loopback port, runs caregate-bench's
# scenarios (1k consents recorded through the API), restarts on a store
# bulk-seeded with 1M consents (startup time, RSS, check at 1M), runs the
# microbenchmarks, and writes bench/results/<date>.md. Takes about 6 minutes.
#
# On the 1k-consent gateway, health, payload and check run interleaved twice
# (round 1: health payload check, round 2: the same), then send and mixed, so
# a change in the machine's speed during the run shows as a difference
# between the rounds instead of skewing one ratio. The report gives each
# round's figures and uses the mean of the two rounds for the targets. It
# also records the CPU (model, SHA-NI/AES-NI/AVX2), the core count and the
# binaries' build type. Installs jq when missing (apt-get as root or sudo).
#
# Environment (all optional):
#   CAREGATE_BENCH_BUILD_DIR  Release build dir (default build-release)
#   BENCH_SKIP_BUILD=1        use the binaries already built
#   CAREGATECTL, CAREGATED, CAREGATE_BENCH, CAREGATE_BENCH_SEED,
#   CAREGATE_MICROBENCH       use these binaries instead
#   BENCH_DURATION (10s), BENCH_WARMUP (2s), BENCH_CONCURRENCY (64),
#   BENCH_SMALL_CONSENTS (1000), BENCH_LARGE_CONSENTS (1000000; 0 skips the
#   large run), BENCH_MICRO_LARGE (1: include the 1M microbenchmarks),
#   BENCH_MICRO_MIN_TIME (1: seconds per microbenchmark)
#   BENCH_OUT                 the results file (default bench/results/<date>.md)
#   BENCH_KEEP_TMP=1          keep the temporary directory (raw outputs, logs)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source bench/lib.sh

build_dir=${CAREGATE_BENCH_BUILD_DIR:-build-release}
duration=${BENCH_DURATION:-10s}
warmup=${BENCH_WARMUP:-2s}
concurrency=${BENCH_CONCURRENCY:-64}
small=${BENCH_SMALL_CONSENTS:-1000}
large=${BENCH_LARGE_CONSENTS:-1000000}
micro_large=${BENCH_MICRO_LARGE:-1}
micro_min_time=${BENCH_MICRO_MIN_TIME:-1}
out=${BENCH_OUT:-bench/results/$(date -u +%Y-%m-%d).md}

bench_require jq jq || exit 2

bench_build "$build_dir" caregated caregatectl caregate-bench \
  caregate-bench-seed caregate-microbench
ctl=${CAREGATECTL:-$build_dir/services/ctl/caregatectl}
gated=${CAREGATED:-$build_dir/services/gateway/caregated}
bench=${CAREGATE_BENCH:-$build_dir/bench/caregate-bench}
seed=${CAREGATE_BENCH_SEED:-$build_dir/bench/caregate-bench-seed}
micro=${CAREGATE_MICROBENCH:-$build_dir/bench/caregate-microbench}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/caregate-bench.XXXXXX")
cleanup() {
  bench_stop_gateway
  if [ "${BENCH_KEEP_TMP:-0}" = 1 ]; then echo "bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
results=$tmp/results  # name=value lines for the report
mkdir -p "$tmp/out"
note() { echo "$1=$2" >>"$results"; }
run_bench() {  # run_bench OUTFILE ARGS...: caregate-bench, JSON lines
  local file=$1
  shift
  "$bench" --gateway "127.0.0.1:$BENCH_PORT" --concurrency "$concurrency" \
    --duration "$duration" --warmup "$warmup" --gateway_pid "$BENCH_GATEWAY_PID" \
    --json "$@" | tee -a "$file" || true
}

note load_start "$(loadavg)"
note started "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
note cpu_model "$(bench_cpu_model)"
note cpu_flags "$(bench_cpu_flags)"
note cores "$(nproc)"
note build_type_gateway "$(bench_build_type "$gated")"
note build_type_bench "$(bench_build_type "$bench")"

# 1. Fresh gateway, 1k consents recorded through RecordConsent. Health,
# payload and check twice, interleaved (small.jsonl holds the rounds in
# order), then send and mixed.
echo "bench: scenarios with $small consents"
bench_dev_init "$ctl" "$tmp/small"
bench_start_gateway "$gated" "$bench" "$tmp/small" "$tmp/out/gateway-small.log"
note load_small "$(loadavg)"
run_bench "$tmp/out/small.jsonl" --profile "$tmp/small/pki/dr-rivera" \
  --consents "$small" --scenarios health,payload,check
note load_small_round2 "$(loadavg)"
run_bench "$tmp/out/small.jsonl" --profile "$tmp/small/pki/dr-rivera" \
  --preloaded "$small" --scenarios health,payload,check
note load_small_send "$(loadavg)"
run_bench "$tmp/out/small.jsonl" --profile "$tmp/small/pki/dr-rivera" \
  --preloaded "$small" --scenarios send,mixed
note rss_small "$(bench_gateway_rss_mb)"
bench_stop_gateway

# 2. A store bulk-seeded with the large consent count: startup, check.
if [ "$large" -gt 0 ]; then
  echo "bench: seeding $large consents"
  bench_dev_init "$ctl" "$tmp/large"
  "$seed" --db "$tmp/large/data/caregate.db" --consents "$large" \
    --config "$tmp/large/caregate.textproto" | tee "$tmp/out/seed.txt"
  note seed_s "$(awk '{print $(NF-1)}' "$tmp/out/seed.txt")"
  sync
  echo "bench: starting the gateway on $large consents"
  bench_start_gateway "$gated" "$bench" "$tmp/large" "$tmp/out/gateway-large.log" 120s
  note startup_s "$BENCH_READY_S"
  note rss_large_start "$(bench_gateway_rss_mb)"
  note load_large "$(loadavg)"
  run_bench "$tmp/out/large.jsonl" --profile "$tmp/large/pki/dr-rivera" \
    --preloaded "$large" --scenarios health,check
  note rss_large "$(bench_gateway_rss_mb)"
  bench_stop_gateway
  rm -rf "$tmp/large/data"
fi

# 3. Microbenchmarks: startup in a process of its own (clean RSS), the rest.
echo "bench: microbenchmarks"
large_flag=()
[ "$micro_large" = 1 ] && large_flag=(--large)
note load_micro "$(loadavg)"
"$micro" "${large_flag[@]}" --benchmark_filter='^startup' \
  --benchmark_format=json --benchmark_out="$tmp/out/micro-startup.json" \
  --benchmark_out_format=json >/dev/null
"$micro" "${large_flag[@]}" \
  --benchmark_filter='^(decide|check_path|audit|aes|sign)' \
  --benchmark_min_time="$micro_min_time" --benchmark_out="$tmp/out/micro.json" \
  --benchmark_out_format=json
note load_end "$(loadavg)"

mkdir -p "$(dirname "$out")"
bash bench/report.sh "$tmp" "$large" "$concurrency" >"$out"
echo "bench: wrote $out"
cat "$out"
