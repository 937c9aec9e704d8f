#!/usr/bin/env bash
# bench/replicas.sh: the scale-out figures (BENCHMARKS.md, "Replicas on
# PostgreSQL"), in one run on this machine: the same caregate-bench scenarios
# against
#   sqlite       one caregated on the embedded SQLite store;
#   postgres-1   one caregated on a local PostgreSQL 15 (fsync and
#                synchronous_commit on, as in production);
#   postgres-2   two replicas on that database, calls spread over both.
# Each case: a fresh dev setup (and a fresh database), BENCH_CONSENTS consents
# recorded through the API, then health, check and send at BENCH_CONCURRENCY
# callers, with the OB/GYN clinic streaming its inbox from the last replica
# during send (commit to arrival on the stream: with two replicas, a message
# committed through either one reaches the clinic through the second).
#
# Builds the binaries if needed. Takes about 3 minutes. Prints a table and
# writes it to BENCH_OUT (default bench/results/replicas-<date>.md).
#
# Environment (all optional): CAREGATE_BENCH_BUILD_DIR (build-release),
# BENCH_SKIP_BUILD=1, BENCH_DURATION (10s), BENCH_WARMUP (2s),
# BENCH_CONCURRENCY (64), BENCH_CONSENTS (1000), BENCH_CASES (sqlite
# postgres-1 postgres-2), BENCH_KEEP_TMP=1; CAREGATECTL, CAREGATED,
# CAREGATE_BENCH use these binaries instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

build_dir=${CAREGATE_BENCH_BUILD_DIR:-build-release}
duration=${BENCH_DURATION:-10s}
warmup=${BENCH_WARMUP:-2s}
concurrency=${BENCH_CONCURRENCY:-64}
consents=${BENCH_CONSENTS:-1000}
cases=${BENCH_CASES:-sqlite postgres-1 postgres-2}
out=${BENCH_OUT:-bench/results/replicas-$(date -u +%Y-%m-%d).md}
pg_bin=${CAREGATE_PG_BIN_DIR:-/usr/lib/postgresql/15/bin}

bench_require jq jq || exit 2
bench_build "$build_dir" caregated caregatectl caregate-bench
ctl=${CAREGATECTL:-$build_dir/services/ctl/caregatectl}
gated=${CAREGATED:-$build_dir/services/gateway/caregated}
bench=${CAREGATE_BENCH:-$build_dir/bench/caregate-bench}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/caregate-replicas-bench.XXXXXX")
pids=()
stop_replicas() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
pg_started=0
cleanup() {
  stop_replicas
  [ "$pg_started" = 1 ] && bash scripts/local-postgres.sh stop "$tmp/pg-db" >/dev/null || true
  if [ "${BENCH_KEEP_TMP:-0}" = 1 ]; then echo "bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

server=""
if grep -q postgres <<<"$cases"; then
  echo "bench: starting a local PostgreSQL in $tmp/pg-db"
  server=$(bash scripts/local-postgres.sh start "$tmp/pg-db" "$(bench_free_port)")
  pg_started=1
fi

# run_case NAME REPLICAS [CONNINFO]: a fresh setup, REPLICAS gateways on it,
# the scenarios; JSON lines in $tmp/NAME.jsonl.
run_case() {
  local name=$1 replicas=$2 conninfo=${3:-}
  local dir=$tmp/$name storage=() gateways=() pid_list=() i port config
  [ -n "$conninfo" ] && storage=(--postgres "$conninfo")
  port=$(bench_free_port)
  "$ctl" dev-init "$dir" --listen "127.0.0.1:$port" "${storage[@]}" >/dev/null
  for i in $(seq 1 "$replicas"); do
    config=$dir/caregate.textproto
    if [ "$i" -gt 1 ]; then
      port=$(bench_free_port)
      config=$dir/caregate-$i.textproto
      sed "s/^listen_address: .*/listen_address: \"127.0.0.1:$port\"/" \
        "$dir/caregate.textproto" >"$config"
    fi
    "$gated" --config "$config" >>"$dir/caregated-$i.log" 2>&1 &
    pids+=("$!")
    pid_list+=("$!")
    gateways+=("127.0.0.1:$port")
    "$bench" --gateway "127.0.0.1:$port" --profile "$dir/pki/dr-rivera" \
      --wait_ready 60s >/dev/null ||
      { echo "bench: $name replica $i did not start (see $dir/caregated-$i.log)" >&2; exit 1; }
  done
  echo "bench: $name: $replicas gateway(s) at $(IFS=,; echo "${gateways[*]}")"
  "$bench" --gateway "$(IFS=,; echo "${gateways[*]}")" \
    --gateway_pid "$(IFS=,; echo "${pid_list[*]}")" \
    --profile "$dir/pki/dr-rivera" --consents "$consents" \
    --stream_profile "$dir/pki/lakeside-obgyn-inbox" \
    --scenarios health,check,send --concurrency "$concurrency" \
    --duration "$duration" --warmup "$warmup" --json |
    tee "$tmp/$name.jsonl" || true
  stop_replicas
}

# A new database on the local server for case NAME; its conninfo.
new_database() {
  "$pg_bin/createdb" -h 127.0.0.1 -p "$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$server")" \
    -U postgres "$1"
  sed "s/dbname=[^ ]*/dbname=$1/" <<<"$server"
}

for c in $cases; do
  case "$c" in
    sqlite) run_case sqlite 1 ;;
    postgres-1) run_case postgres-1 1 "$(new_database bench_pg1)" ;;
    postgres-2) run_case postgres-2 2 "$(new_database bench_pg2)" ;;
    *) echo "bench: unknown case $c (sqlite, postgres-1, postgres-2)" >&2; exit 2 ;;
  esac
done

# field CASE SCENARIO JQ: one figure, or "-".
field() {
  local v
  v=$(jq -r --arg s "$2" "select(.scenario == \$s) | $3" "$tmp/$1.jsonl" 2>/dev/null | head -n 1)
  echo "${v:--}"
}

mkdir -p "$(dirname "$out")"
{
  echo "# Replicas on PostgreSQL ($(date -u +%Y-%m-%d))"
  echo
  echo "$(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), build $(basename "$build_dir")," \
    "$concurrency callers, $duration per scenario after $warmup warm-up, $consents consents."
  echo "Stream: commit (created_at) to arrival on the OB/GYN's inbox stream, read from the last replica."
  echo "Gateway CPU is summed over the replicas."
  echo
  echo "| case | health rps | check rps | check/health | send rps | send p50 ms | send p99 ms | errors | stream p50 ms | stream p99 ms | gateway CPU/send µs |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for c in $cases; do
    health=$(field "$c" health .rps)
    check=$(field "$c" check .rps)
    ratio=$(awk -v a="$check" -v b="$health" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')
    errors=$(jq -s 'map(.errors) | add' "$tmp/$c.jsonl" 2>/dev/null || echo -)
    echo "| $c | $health | $check | $ratio | $(field "$c" send .rps) | $(field "$c" send .p50_ms) |" \
      "$(field "$c" send .p99_ms) | $errors | $(field "$c" send .stream_p50_ms) |" \
      "$(field "$c" send .stream_p99_ms) | $(field "$c" send '.server_cpu_us_per_call // "-"') |"
  done
} >"$out"
echo "bench: wrote $out"
cat "$out"
