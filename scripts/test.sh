#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR="${CAREGATE_BUILD_DIR:-build}"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 300 -j "$(nproc)"
