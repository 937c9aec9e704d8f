#!/usr/bin/env bash
# CTest: caregated pushes a permitted message to the HTTPS FHIR stub
# (push_delivery_process_tests, FHIR case), then the bundle the stub received
# is validated with tests/fhir/validate_fhir.sh (FHIR.js).
#   validate_gateway_bundle_test.sh TEST_BINARY OUT_DIR CACHE_DIR
set -euo pipefail
binary="$1" out="$2" cache="$3"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$out"
mkdir -p "$out"
CAREGATE_PUSH_CAPTURE_DIR="$out" "$binary" \
  --gtest_filter='PushDeliveryProcessTest.FhirEndpointGetsTheBundle'
shopt -s nullglob
files=("$out"/gateway-pushed-*.json)
if [ ${#files[@]} -ne 1 ]; then
  echo "validate_gateway_bundle_test: expected 1 bundle, found ${#files[@]}" >&2
  exit 1
fi
exec bash "$here/../fhir/validate_fhir.sh" --cache "$cache" "${files[@]}"
