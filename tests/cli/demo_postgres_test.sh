#!/usr/bin/env bash
# CTest: the demo on PostgreSQL with two gateway replicas (what
# `scripts/run.sh --postgres` plays): scripts/demo.sh --once twice (a fresh
# setup, then reusing it) against the binaries of BUILD_DIR, with
# CAREGATE_POSTGRES naming a new database on the tests' shared cluster
# (the postgres_cluster fixture's STATE_FILE), dropped afterwards. The
# therapist sends through one replica, the clinics read from the other.
#   usage: tests/cli/demo_postgres_test.sh BUILD_DIR STATE_FILE
set -euo pipefail
build_dir="$(cd "$1" && pwd)"
state="$2"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${CAREGATE_PG_BIN_DIR:-/usr/lib/postgresql/15/bin}"
server="$(sed -n 's/^conninfo=//p' "$state")"
[ -n "$server" ] || { echo "demo_postgres_test: no conninfo in $state" >&2; exit 1; }
db="caregate_demo_$$_$RANDOM"
tmp="$(mktemp -d)"
cleanup() {
  "$bin/psql" "$server dbname=postgres" -Atq -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
"$bin/psql" "$server dbname=postgres" -Atq -c "CREATE DATABASE $db" >/dev/null

# Four consecutive free ports: the replicas, the OB/GYN's receiver and the
# witness.
port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  free=1
  for p in "$candidate" $((candidate + 1)) $((candidate + 2)) $((candidate + 3)); do
    if (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then free=0; fi
  done
  if [ "$free" = 1 ]; then port="$candidate"; break; fi
done
[ -n "$port" ] || { echo "demo_postgres_test: no free ports found" >&2; exit 1; }

for run in 1 2; do
  echo "=== demo run $run"
  CAREGATE_BUILD_DIR="$build_dir" CAREGATE_DEV_DIR="$tmp/dev" \
    CAREGATE_LISTEN="127.0.0.1:$port" CAREGATE_POSTGRES="$server dbname=$db" \
    bash "$repo/scripts/demo.sh" --once | tee "$tmp/run-$run.out"
  # The clinics really read through the second replica.
  grep -q -- "-inbox\$ caregatectl --gateway 127.0.0.1:$((port + 1)) inbox list" "$tmp/run-$run.out" ||
    { echo "demo_postgres_test: the clinic did not read from the second replica" >&2; exit 1; }
  grep -q "ok: included, and cosigned by the witness" "$tmp/run-$run.out" ||
    { echo "demo_postgres_test: the witness step did not run" >&2; exit 1; }
done
