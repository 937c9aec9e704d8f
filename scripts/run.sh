#!/usr/bin/env bash
# The run command: installs what is missing, builds, writes a local dev setup
# (CA, certificates, keys, config) under dev/ if there is none, and runs the
# gateway in the foreground on the embedded SQLite store. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR="${CAREGATE_BUILD_DIR:-build}"
DEV_DIR="${CAREGATE_DEV_DIR:-dev}"
if [ ! -f "$DEV_DIR/caregate.textproto" ]; then
  "$BUILD_DIR/services/ctl/caregatectl" dev-init "$DEV_DIR"
fi
cat <<EOT

caregate: starting the gateway on 127.0.0.1:7443 (mTLS), data in $DEV_DIR/data.
Talk to it with a principal's certificate, e.g. the therapist dr-rivera:
  grpcurl-style clients: CA $DEV_DIR/pki/ca.crt, cert $DEV_DIR/pki/dr-rivera.crt, key $DEV_DIR/pki/dr-rivera.key
  $BUILD_DIR/services/ctl/caregatectl --help
Stop it with Ctrl-C (SIGINT) or SIGTERM.

EOT
exec "$BUILD_DIR/services/gateway/caregated" --config "$DEV_DIR/caregate.textproto"
