#!/usr/bin/env bash
# The run command (README command 1): installs what is missing, builds, writes
# a local dev setup (CA, certificates, keys, config) under dev/ if there is
# none, starts the gateway in the background on the embedded SQLite store, and
# walks through the product's story with caregatectl (scripts/demo.sh).
#
#   scripts/run.sh               build, start, run the demo; leave it running
#   scripts/run.sh --once        the same, then stop the gateway
#   scripts/run.sh --stop        stop the gateway started by a previous run
#   scripts/run.sh --foreground  build, then run the gateway in the
#                                foreground (Ctrl-C stops it), no demo
#   scripts/run.sh --postgres [--once | --stop]
#                                the same on PostgreSQL: a local server (data
#                                in dev/postgres-db, 127.0.0.1:7442) and two
#                                gateway replicas on it (7443 and 7444); the
#                                demo sends through one and the clinics read
#                                from the other. --stop stops the replicas
#                                and the server.
set -euo pipefail
cd "$(dirname "$0")/.."
postgres=0
if [ "${1:-}" = "--postgres" ]; then
  postgres=1
  shift
fi
case "${1:-}" in
  --stop)
    if [ "$postgres" = 1 ]; then
      CAREGATE_DEV_DIR="${CAREGATE_DEV_DIR:-dev/postgres}" bash scripts/demo.sh --stop
      exec bash scripts/local-postgres.sh stop "${CAREGATE_DEV_DIR:-dev/postgres}-db"
    fi
    exec bash scripts/demo.sh --stop ;;
  ""|--once) ;;
  --foreground) [ "$postgres" = 0 ] ||
    { echo "run.sh: --foreground runs the SQLite gateway only" >&2; exit 2; } ;;
  -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "run.sh: unknown argument $1 (use --postgres, --once, --stop or --foreground)" >&2; exit 2 ;;
esac
bash scripts/build.sh
if [ "$postgres" = 1 ]; then
  export CAREGATE_DEV_DIR="${CAREGATE_DEV_DIR:-dev/postgres}"
  mkdir -p "$CAREGATE_DEV_DIR"
  CAREGATE_POSTGRES="$(bash scripts/local-postgres.sh start "$CAREGATE_DEV_DIR-db" "${CAREGATE_PG_PORT:-7442}")"
  export CAREGATE_POSTGRES
  echo "caregate: PostgreSQL serves $CAREGATE_POSTGRES (data in $CAREGATE_DEV_DIR-db)"
  if [ -f "$CAREGATE_DEV_DIR/caregate.textproto" ] &&
      ! grep -q 'postgres {' "$CAREGATE_DEV_DIR/caregate.textproto"; then
    echo "run.sh: $CAREGATE_DEV_DIR holds a setup that is not on PostgreSQL; remove it or set CAREGATE_DEV_DIR" >&2
    exit 1
  fi
  status=0
  bash scripts/demo.sh "$@" || status=$?
  if [ "${1:-}" = "--once" ]; then
    bash scripts/local-postgres.sh stop "$CAREGATE_DEV_DIR-db"
  fi
  exit "$status"
fi
BUILD_DIR="${CAREGATE_BUILD_DIR:-build}"
DEV_DIR="${CAREGATE_DEV_DIR:-dev}"
if [ "${1:-}" != "--foreground" ]; then
  exec bash scripts/demo.sh "$@"
fi
if [ ! -f "$DEV_DIR/caregate.textproto" ]; then
  "$BUILD_DIR/services/ctl/caregatectl" dev-init "$DEV_DIR"
fi
cat <<EOT

caregate: starting the gateway (mTLS), data in $DEV_DIR/data.
Talk to it as a principal of the dev setup, e.g. the therapist dr-rivera:
  export CAREGATE_PROFILE=$DEV_DIR/pki/dr-rivera
  $BUILD_DIR/services/ctl/caregatectl consent list --patient p-1001
Stop it with Ctrl-C (SIGINT) or SIGTERM.

EOT
exec "$BUILD_DIR/services/gateway/caregated" --config "$DEV_DIR/caregate.textproto"
