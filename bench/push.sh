#!/usr/bin/env bash
# bench/push.sh: push delivery's figures (BENCHMARKS.md, "Push delivery").
# A fresh dev setup whose lakeside-obgyn takes pushes from caregated over
# mTLS at caregate-bench-receiver, a CareReceiver that answers every push
# (acknowledged) and stores nothing, so what is measured is the gateway's
# side. Two runs of caregate-bench's send scenario (every send is to
# lakeside-obgyn):
#
#   1. throughput: sends as fast as the gateway takes them (closed loop), then
#      waits until the outbox is empty; "delivered/s" is the messages pushed
#      divided by the time from the first send's commit to the last push;
#   2. latency: sends at a fixed rate (open loop, BENCH_PUSH_RATE, default
#      500/s), then the time from each message's commit (created_at) to the
#      receiver's answer (delivered_at), p50 / p99 / max, read from the
#      gateway's SQLite file.
#
# Builds the Release binaries if needed. Takes about a minute. Prints the
# figures, and writes them to BENCH_OUT (default
# bench/results/push-<date>.md).
#
# Environment (all optional): CAREGATE_BENCH_BUILD_DIR (build-release),
# BENCH_SKIP_BUILD=1, BENCH_DURATION (10s), BENCH_CONCURRENCY (64),
# BENCH_PUSH_RATE (500), BENCH_PUSH_IN_FLIGHT (the endpoint's
# delivery_policy.max_in_flight_per_endpoint; default the config's),
# BENCH_CONSENTS (1000), BENCH_KEEP_TMP=1; CAREGATECTL, CAREGATED,
# CAREGATE_BENCH, CAREGATE_BENCH_RECEIVER use these binaries instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

build_dir=${CAREGATE_BENCH_BUILD_DIR:-build-release}
duration=${BENCH_DURATION:-10s}
concurrency=${BENCH_CONCURRENCY:-64}
rate=${BENCH_PUSH_RATE:-500}
consents=${BENCH_CONSENTS:-1000}
out=${BENCH_OUT:-bench/results/push-$(date -u +%Y-%m-%d).md}

command -v python3 >/dev/null || { echo "bench/push.sh needs python3" >&2; exit 2; }
bench_build "$build_dir" caregated caregatectl caregate-bench \
  caregate-bench-receiver
ctl=${CAREGATECTL:-$build_dir/services/ctl/caregatectl}
gated=${CAREGATED:-$build_dir/services/gateway/caregated}
bench=${CAREGATE_BENCH:-$build_dir/bench/caregate-bench}
receiver=${CAREGATE_BENCH_RECEIVER:-$build_dir/bench/caregate-bench-receiver}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/caregate-push-bench.XXXXXX")
receiver_pid=
cleanup() {
  bench_stop_gateway
  if [ -n "$receiver_pid" ]; then
    kill -TERM "$receiver_pid" 2>/dev/null || true
    wait "$receiver_pid" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP_TMP:-0}" = 1 ]; then echo "bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

dir=$tmp/push
db=$dir/data/caregate.db
BENCH_PORT=$(bench_free_port)
receiver_port=$(bench_free_port)
"$ctl" dev-init "$dir" --listen "127.0.0.1:$BENCH_PORT" \
  --push "lakeside-obgyn=127.0.0.1:$receiver_port" >/dev/null
in_flight=${BENCH_PUSH_IN_FLIGHT:-}
if [ -n "$in_flight" ]; then
  printf '\ndelivery_policy { max_in_flight_per_endpoint: %d }\n' "$in_flight" \
    >>"$dir/caregate.textproto"
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' \
  "$(dirname "$(dirname "$bench")")/CMakeCache.txt" 2>/dev/null || true)

"$receiver" --listen "127.0.0.1:$receiver_port" --tls_cert "$dir/pki/receiver.crt" \
  --tls_key "$dir/pki/receiver.key" --ca "$dir/pki/ca.crt" >"$tmp/receiver.out" 2>&1 &
receiver_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$tmp/receiver.out" && break
  sleep 0.05
done
grep -q "listening on" "$tmp/receiver.out" ||
  { echo "bench: the receiver did not start:" >&2; cat "$tmp/receiver.out" >&2; exit 1; }

bench_start_gateway "$gated" "$bench" "$dir" "$tmp/gateway.log"

# stats FROM_SEQ: figures of the messages after audit seq FROM_SEQ, as
# name=value lines; waits (at most 120 s) until none is queued.
stats() {
  python3 - "$db" "$1" <<'EOF'
import sqlite3, sys, time
db, after = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
deadline = time.time() + 120
while True:
    queued = con.execute(
        "SELECT count(*) FROM messages WHERE seq > ? AND state = 1", (after,)
    ).fetchone()[0]
    if queued == 0 or time.time() > deadline:
        break
    time.sleep(0.2)
rows = con.execute(
    "SELECT created_at_us, delivered_at_us, state FROM messages WHERE seq > ? "
    "AND recipient_org_id = 'lakeside-obgyn'", (after,)).fetchall()
done = [r for r in rows if r[1] is not None]
lat = sorted((d - c) / 1000.0 for c, d, _ in done)
def pct(p):
    return lat[min(len(lat) - 1, int(p / 100.0 * len(lat)))] if lat else 0.0
first = min((c for c, _, _ in rows), default=0)
last = max((d for _, d, _ in done), default=0)
span = (last - first) / 1e6 if done else 0.0
# After the last send: the backlog pushed with nothing else to do.
last_commit = max((c for c, _, _ in rows), default=0)
drained = sum(1 for _, d, _ in done if d > last_commit)
drain_s = (last - last_commit) / 1e6 if drained else 0.0
print(f"messages={len(rows)}")
print(f"delivered={len(done)}")
print(f"still_queued={queued}")
print(f"failed={sum(1 for r in rows if r[2] == 5)}")
print(f"span_s={span:.3f}")
print(f"delivered_per_s={len(done) / span if span > 0 else 0:.0f}")
print(f"drained_after_sends={drained}")
print(f"drain_per_s={drained / drain_s if drain_s > 0 else 0:.0f}")
print(f"p50_ms={pct(50):.1f}")
print(f"p99_ms={pct(99):.1f}")
print(f"max_ms={lat[-1] if lat else 0:.1f}")
EOF
}
last_seq() {
  python3 -c "import sqlite3,sys; c=sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True); print(c.execute('SELECT coalesce(max(seq),0) FROM messages').fetchone()[0])" "$db"
}
value() { awk -F= -v k="$1" '$1 == k { print $2 }' "$2"; }

echo "bench: throughput (closed loop, concurrency $concurrency, $duration)"
"$bench" --gateway "127.0.0.1:$BENCH_PORT" --profile "$dir/pki/dr-rivera" \
  --consents "$consents" --scenarios send --concurrency "$concurrency" \
  --duration "$duration" --warmup 0s --json | tee "$tmp/throughput.jsonl"
stats 0 | tee "$tmp/throughput.txt"

from=$(last_seq)
echo "bench: latency (open loop, $rate sends/s, $duration)"
"$bench" --gateway "127.0.0.1:$BENCH_PORT" --profile "$dir/pki/dr-rivera" \
  --preloaded "$consents" --scenarios send --rate "$rate" --concurrency "$concurrency" \
  --duration "$duration" --warmup 0s --json | tee "$tmp/latency.jsonl"
stats "$from" | tee "$tmp/latency.txt"

kill -TERM "$receiver_pid" 2>/dev/null || true
wait "$receiver_pid" 2>/dev/null || true
receiver_pid=
answered=$(sed -n 's/.*answered \([0-9]*\) calls.*/\1/p' "$tmp/receiver.out")

send_rps() { sed -n 's/.*"rps":\([0-9.]*\).*/\1/p' "$1" | head -n 1; }
send_p99() { sed -n 's/.*"p99_ms":\([0-9.]*\).*/\1/p' "$1" | head -n 1; }
mkdir -p "$(dirname "$out")"
{
  echo "# Push delivery, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores; build: ${build_type:-?} ($(dirname "$(dirname "$bench")")); receiver: caregate-bench-receiver (no storage); pushes in flight per endpoint: ${in_flight:-the default (8)}."
  echo
  echo "| run | sends/s | send p99 | messages | delivered | delivered/s | backlog pushed after the sends, /s | commit→delivered p50 | p99 | max |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for run in throughput latency; do
    f=$tmp/$run.txt
    echo "| $run | $(send_rps "$tmp/$run.jsonl") | $(send_p99 "$tmp/$run.jsonl") ms | $(value messages "$f") | $(value delivered "$f") | $(value delivered_per_s "$f") | $(value drain_per_s "$f") ($(value drained_after_sends "$f")) | $(value p50_ms "$f") ms | $(value p99_ms "$f") ms | $(value max_ms "$f") ms |"
  done
  echo
  echo "The receiver answered ${answered:-?} pushes (more than the messages when an attempt was retried)."
} >"$out"
echo "bench: wrote $out"
cat "$out"
