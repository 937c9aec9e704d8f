#!/usr/bin/env bash
# bench/console_load.sh: the compliance console (caregatectl console) over a
# large audit log (issue 14: every page < 500 ms with 1M audit events, the
# accounting of a patient with 10,000 disclosures < 1 s). Seeds a fresh dev
# setup's store with synthetic audit events (caregate-bench-seed
# --audit_events) while the gateway is stopped, starts caregated and the
# console (--no-browser), and times each page and endpoint
# (bench/console_load.py): the endpoints' answer times, and separately the
# whole-chain verification the overview runs in the background (each run
# complete, from POST /api/verify until the polling page sees it done, and
# the gateway call alone), all against 500 ms. Prints a Markdown table and
# writes it to bench/results/console-<date>.md. Asserts no speed: it reports.
#
# Environment (all optional):
#   CAREGATE_BENCH_BUILD_DIR  build dir (default build-release)
#   BENCH_SKIP_BUILD=1        use the binaries already built
#   CONSOLE_BENCH_EVENTS      audit events to seed (default 1000000)
#   CONSOLE_BENCH_HOT         disclosures of the one busy patient (10000)
#   CONSOLE_BENCH_REPEAT      timed repeats per request after a cold one (5)
#   BENCH_OUT                 the results file
#   BENCH_KEEP_TMP=1          keep the temporary directory
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

build_dir=${CAREGATE_BENCH_BUILD_DIR:-build-release}
events=${CONSOLE_BENCH_EVENTS:-1000000}
hot=${CONSOLE_BENCH_HOT:-10000}
repeat=${CONSOLE_BENCH_REPEAT:-5}
out=${BENCH_OUT:-bench/results/console-$(date -u +%Y-%m-%d).md}

bench_build "$build_dir" caregated caregatectl caregate-bench caregate-bench-seed
ctl=$build_dir/services/ctl/caregatectl
gated=$build_dir/services/gateway/caregated
bench=$build_dir/bench/caregate-bench
seed=$build_dir/bench/caregate-bench-seed

tmp=$(mktemp -d "${TMPDIR:-/tmp}/caregate-console-bench.XXXXXX")
console_pid=
cleanup() {
  if [ -n "$console_pid" ]; then
    kill -TERM "$console_pid" 2>/dev/null || true
    wait "$console_pid" 2>/dev/null || true
  fi
  bench_stop_gateway
  if [ "${BENCH_KEEP_TMP:-0}" = 1 ]; then echo "console bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

bench_dev_init "$ctl" "$tmp/gw"
echo "console bench: seeding $events audit events ($hot disclosures of one patient)"
seed_start=$(date +%s.%N)
"$seed" --db "$tmp/gw/data/caregate.db" --audit_events "$events" \
  --hot_patient_disclosures "$hot"
seed_end=$(date +%s.%N)
db_mb=$(du -m "$tmp/gw/data/caregate.db" | cut -f1)
bench_start_gateway "$gated" "$bench" "$tmp/gw" "$tmp/gateway.log" 120s
echo "console bench: caregated ready in ${BENCH_READY_S} s"

"$ctl" console --no-browser --profile "$tmp/gw/pki/compliance-officer" \
  >"$tmp/console.out" 2>"$tmp/console.err" &
console_pid=$!
url=
for _ in $(seq 1 100); do  # the URL line, within ~10 s
  url=$(sed -n 's/^caregate console: //p' "$tmp/console.out")
  [ -n "$url" ] && break
  kill -0 "$console_pid" 2>/dev/null || { cat "$tmp/console.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "console bench: the console printed no URL" >&2; exit 1; }

table=$(python3 bench/console_load.py --url "$url" --repeat "$repeat" \
  --events "$events" --hot "$hot")
mkdir -p "$(dirname "$out")"
{
  echo "# Compliance console under load, $(date -u +%Y-%m-%d)"
  echo
  echo "bench/console_load.sh on $(nproc) cores (load average $(cut -d' ' -f1-3 /proc/loadavg))."
  echo "$events synthetic audit events over 365 days (seeded in" \
    "$(awk -v a="$seed_start" -v b="$seed_end" 'BEGIN{printf "%.0f", b-a}') s," \
    "database ${db_mb} MiB), one patient with $hot disclosures. Each request" \
    "once cold, then $repeat times; median and max of those. Pages are static" \
    "HTML that then call the endpoints below."
  echo
  echo "$table"
} | tee "$out"
echo "console bench: wrote $out"
