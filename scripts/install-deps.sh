#!/usr/bin/env bash
# Installs the Debian 12 packages caregate needs, only those missing.
# Idempotent; runs apt-get as root or through sudo.
set -euo pipefail

PACKAGES=(
  cmake ninja-build ccache g++ pkg-config lld
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libspdlog-dev libssl-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libpq-dev
  # Ed25519 signing of every delivered message: twice OpenSSL's speed
  # (services/crypto/ed25519.h).
  libsodium-dev
  postgresql  # initdb/pg_ctl for the tests' throwaway clusters; runs as `postgres`
  nlohmann-json3-dev
  # Push delivery: libcurl posts FHIR bundles (services/push); cpp-httplib
  # serves the HTTPS FHIR endpoint stub of its tests.
  libcurl4-openssl-dev libcpp-httplib-dev
  # The compliance console (services/console): its HTTP server, JSON and
  # charts; its browser test (tests/console): headless Chromium driven by
  # Selenium, and pdftotext for the printed accounting.
  libjs-chart.js
  chromium chromium-driver python3-selenium poppler-utils
  # The benchmark scripts (bench/run.sh, bench/replicas.sh) read
  # caregate-bench's JSON lines with jq.
  jq
)
# Node.js and npm run the independent FHIR R4 validator of the tests
# (tests/fhir/validate_fhir.sh). A machine that has them from elsewhere
# (e.g. NodeSource, whose nodejs bundles npm) keeps its own.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "caregate: all build dependencies are installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    SUDO="sudo"
  else
    echo "caregate: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "caregate: installing ${missing[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
