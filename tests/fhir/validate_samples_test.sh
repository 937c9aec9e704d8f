#!/usr/bin/env bash
# CTest: writes a sample of every kind of FHIR resource caregate produces
# (fhir_samples_writer) and validates them all with validate_fhir.sh.
#   validate_samples_test.sh WRITER OUT_DIR CACHE_DIR
set -euo pipefail
writer="$1" out="$2" cache="$3"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$out"
"$writer" "$out"
shopt -s nullglob
files=("$out"/*.json "$out"/*.ndjson)
# 3 bundles, 1 NDJSON of audit events, 4 consents: a missing kind is a failure.
if [ ${#files[@]} -ne 8 ]; then
  echo "validate_samples_test: expected 8 sample files, found ${#files[@]}" >&2
  exit 1
fi
exec bash "$here/validate_fhir.sh" --cache "$cache" "${files[@]}"
