#!/usr/bin/env bash
# CTest: pushes sample messages over HTTPS with the FHIR transport
# (fhir_capture_test), then validates every bundle the endpoint received with
# tests/fhir/validate_fhir.sh (FHIR.js).
#   validate_pushed_bundles_test.sh CAPTURE_BINARY OUT_DIR CACHE_DIR
set -euo pipefail
capture="$1" out="$2" cache="$3"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$out"
mkdir -p "$out"
CAREGATE_PUSH_CAPTURE_DIR="$out" "$capture"
shopt -s nullglob
files=("$out"/pushed-*.json)
# The three sample messages (full, redacted, empty section): one bundle each.
if [ ${#files[@]} -ne 3 ]; then
  echo "validate_pushed_bundles_test: expected 3 bundles, found ${#files[@]}" >&2
  exit 1
fi
exec bash "$here/../fhir/validate_fhir.sh" --cache "$cache" "${files[@]}"
