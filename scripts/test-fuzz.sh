#!/usr/bin/env bash
# Runs each libFuzzer target of tests/fuzz for a bounded time on a scratch
# copy of its seed corpus (plus its saved regressions). The targets are built
# by scripts/test-sanitize.sh with clang (ASan + UBSan, everything coverage-
# instrumented, -O1 with line tables, as OSS-Fuzz builds) in build-asan/; this
# script (re)builds just them there if needed. Skipped, successfully, when
# clang++ is not installed or the sanitizer build was made with gcc.
#
# CAREGATE_FUZZ_SECONDS: seconds per target (default 20).
# CAREGATE_ASAN_BUILD_DIR: the sanitizer build folder (default build-asan).
# A crash fails the script; its input is kept under
# <build>/fuzz-runs/<target>/artifacts/ and printed in base64: save it as
# tests/fuzz/regressions/<target>/<name> once understood.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang++ >/dev/null 2>&1 || ! command -v clang >/dev/null 2>&1; then
  echo "caregate: clang++ not found; skipping the fuzz targets"
  exit 0
fi
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
BUILD_DIR="${CAREGATE_ASAN_BUILD_DIR:-build-asan}"
SECONDS_PER_TARGET="${CAREGATE_FUZZ_SECONDS:-20}"
TARGETS=(config request audit_verifier audit_export)

if [ ! -f "$BUILD_DIR/build.ninja" ] ||
    [ "$(cat "$BUILD_DIR/caregate-asan-compiler" 2>/dev/null)" != clang ]; then
  echo "caregate: no clang sanitizer build in $BUILD_DIR (scripts/test-sanitize.sh); skipping the fuzz targets"
  exit 0
fi
echo "caregate: building the fuzz targets in $BUILD_DIR"
cmake --build "$BUILD_DIR" --target caregate_fuzzers

export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
failed=()
for target in "${TARGETS[@]}"; do
  run="$BUILD_DIR/fuzz-runs/$target"
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/artifacts"
  cp tests/fuzz/corpus/"$target"/* "$run/corpus/"
  if [ -d "tests/fuzz/regressions/$target" ]; then
    cp tests/fuzz/regressions/"$target"/* "$run/corpus/" 2>/dev/null || true
  fi
  args=(-max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$run/artifacts/")
  if [ -f "tests/fuzz/$target.dict" ]; then
    args+=(-dict="tests/fuzz/$target.dict")
  fi
  echo "caregate: fuzzing $target for ${SECONDS_PER_TARGET}s"
  if "$BUILD_DIR/tests/fuzz/caregate_${target}_fuzzer" "${args[@]}" \
      "$run/corpus" >"$run/log" 2>&1; then
    grep -E '^Done |stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added' \
      "$run/log" | sed "s/^/  $target: /"
  else
    failed+=("$target")
    tail -n 60 "$run/log"
    for crash in "$run"/artifacts/*; do
      [ -f "$crash" ] || continue
      echo "caregate: $target crash input $crash (base64):"
      head -c 65536 "$crash" | base64
    done
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "caregate: fuzz targets failed: ${failed[*]}" >&2
  exit 1
fi
echo "caregate: fuzz targets ran clean"
