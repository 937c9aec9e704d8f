#!/usr/bin/env bash
# Builds the whole test suite with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DCAREGATE_SANITIZE=ON) in build-asan/ and runs ctest there (the benchmark
# tools of bench/ are left out; they are tested in the normal build). Any ASan or
# UBSan report aborts the test that triggered it, so ctest fails.
#
# With clang (the default when clang++ is installed) the same build also
# instruments everything for libFuzzer (-fsanitize=fuzzer-no-link) and builds
# the fuzz targets, so scripts/test-fuzz.sh runs them without a build of its
# own. Without clang, gcc builds the sanitized suite and fuzzing is skipped.
#
# Compiled at -O1 with line tables only (-g1), as sanitizer builds usually
# are: cold, the whole suite costs ~15 CPU-minutes with clang, ~24 with gcc.
#
# CAREGATE_ASAN_BUILD_DIR: build folder (default build-asan).
# CAREGATE_ASAN_COMPILER: clang or gcc (default: clang when installed);
# changing it rebuilds the folder from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
BUILD_DIR="${CAREGATE_ASAN_BUILD_DIR:-build-asan}"
default_compiler=gcc
if command -v clang++ >/dev/null 2>&1 && command -v clang >/dev/null 2>&1; then
  default_compiler=clang
fi
compiler="${CAREGATE_ASAN_COMPILER:-$default_compiler}"
extra=()
case "$compiler" in
  clang)
    cc=clang cxx=clang++
    extra=(-DCAREGATE_FUZZ=ON -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link) ;;
  gcc) cc=gcc cxx=g++ ;;
  *) echo "caregate: CAREGATE_ASAN_COMPILER must be clang or gcc" >&2; exit 2 ;;
esac
marker="$BUILD_DIR/caregate-asan-compiler"
if [ -d "$BUILD_DIR" ] && [ "$(cat "$marker" 2>/dev/null)" != "$compiler" ]; then
  echo "caregate: $BUILD_DIR was not built with $compiler; rebuilding"
  rm -rf "$BUILD_DIR"
fi
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  CC="$cc" CXX="$cxx" cmake -S . -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" \
    -DCAREGATE_SANITIZE=ON -DCAREGATE_BENCH=OFF "${extra[@]}"
  echo "$compiler" >"$marker"
fi
echo "caregate: building the ASan+UBSan test suite in $BUILD_DIR ($compiler)"
cmake --build "$BUILD_DIR"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 600 -j "$(nproc)"
