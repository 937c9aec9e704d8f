#!/usr/bin/env bash
# Installs what is missing and builds caregate into build/ (Ninja + ccache).
# Incremental: a second run rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Share compiled objects between checkouts (CI clones into another folder).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
BUILD_DIR="${CAREGATE_BUILD_DIR:-build}"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
fi
echo "caregate: building in $BUILD_DIR (this takes a few minutes the first time)"
cmake --build "$BUILD_DIR"
