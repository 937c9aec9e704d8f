#!/usr/bin/env bash
# Validates FHIR R4 JSON / NDJSON files with the `fhir` npm package (FHIR.js),
# an implementation independent of caregate's C++ mapping.
#
#   tests/fhir/validate_fhir.sh [--cache DIR] [--expect-invalid] FILE...
#
# The package is installed with npm into DIR (default: build/fhir-validator)
# the first time and reused afterwards. Without node or npm this fails with a
# message saying so: a check that cannot run must not pass. With
# --expect-invalid every file must be refused (the validator's own test).
# validate_fhir.js says what is checked.
set -euo pipefail

FHIRJS_VERSION="4.12.0"
here="$(cd "$(dirname "$0")" && pwd)"
cache="${CAREGATE_FHIR_VALIDATOR_CACHE:-$here/../../build/fhir-validator}"
node_args=()
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cache) cache="$2"; shift 2 ;;
    --expect-invalid) node_args+=(--expect-invalid); shift ;;
    -*) echo "validate_fhir: unknown option $1" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  echo "usage: validate_fhir.sh [--cache DIR] [--expect-invalid] FILE..." >&2
  exit 2
fi

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "validate_fhir: FAILED: '$tool' is not installed, so FHIR resources" \
         "cannot be validated (scripts/install-deps.sh installs Node.js and npm)" >&2
    exit 1
  fi
done

mkdir -p "$cache"
installed="$cache/node_modules/fhir/package.json"
# One install at a time when tests run in parallel.
exec 9>"$cache/.install.lock"
flock 9
if [ ! -f "$installed" ] ||
   ! grep -q "\"version\": \"$FHIRJS_VERSION\"" "$installed"; then
  echo "validate_fhir: installing fhir@$FHIRJS_VERSION into $cache"
  if ! npm install --prefix "$cache" --no-audit --no-fund --no-save \
       --loglevel=error "fhir@$FHIRJS_VERSION" >&2; then
    echo "validate_fhir: FAILED: npm could not install fhir@$FHIRJS_VERSION" >&2
    exit 1
  fi
fi
flock -u 9

exec node "$here/validate_fhir.js" --module "$cache" "${node_args[@]}" "${files[@]}"
