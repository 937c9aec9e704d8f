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
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  --stop) exec bash scripts/demo.sh --stop ;;
  ""|--once|--foreground) ;;
  *) echo "run.sh: unknown argument $1 (use --once, --stop or --foreground)" >&2; exit 2 ;;
esac
bash scripts/build.sh
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
