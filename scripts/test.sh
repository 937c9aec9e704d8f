#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test;
# then builds and runs the whole suite again under ASan+UBSan (build-asan/,
# scripts/test-sanitize.sh) and, when clang++ is installed, runs each fuzz
# target for a bounded time (build-fuzz/, scripts/test-fuzz.sh). A failing
# stage does not stop the later ones; the command fails if any stage failed.
#
# CAREGATE_QUICK_TEST=1 stops after the first ctest, for developers; the
# default, and CI (.ci/run), runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR="${CAREGATE_BUILD_DIR:-build}"
failed=()
(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 300 -j "$(nproc)") ||
  failed+=("ctest")
if [ "${CAREGATE_QUICK_TEST:-0}" = 1 ]; then
  echo "caregate: CAREGATE_QUICK_TEST=1: skipping the ASan+UBSan and fuzz runs"
else
  bash scripts/test-sanitize.sh || failed+=("ASan+UBSan ctest")
  bash scripts/test-fuzz.sh || failed+=("fuzz")
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "caregate: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "caregate: all tests passed"
