#!/bin/sh
# Checks a systemd unit with `systemd-analyze verify`.
#
# usage: verify_systemd_unit.sh UNIT_FILE
#
# The unit is copied to a temporary directory with its ExecStart binary
# replaced by /bin/true (verify insists that the binary exists). Fails on any
# complaint about the unit's own lines ("Unknown key", "Failed to parse", ...),
# on a non-zero exit, and when a hardening directive the deployment relies on
# is missing, or one of the lines that make systemd restart a gateway that
# stopped serving (Type=notify with WatchdogSec, Restart=on-failure). Exits 77 (CTest's skip code) when systemd-analyze is absent.
set -u

unit=${1:?usage: verify_systemd_unit.sh UNIT_FILE}
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "systemd-analyze not found; skipping"
  exit 77
fi
if [ ! -f "$unit" ]; then
  echo "FAIL: no unit file $unit"
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
name=$(basename "$unit")

# verify_copy FILE: prints verify's complaints; returns 1 when there are any.
verify_copy() {
  output=$(systemd-analyze verify "$1" 2>&1)
  status=$?
  problems=$(printf '%s\n' "$output" |
    grep -E "^$1:|Unknown (key|section|lvalue)|Failed to parse|[Ii]nvalid")
  if [ -n "$problems" ] || [ "$status" -ne 0 ]; then
    printf '%s\n' "$output"
    return 1
  fi
  return 0
}

# The checker must notice a misspelt directive, or a pass means nothing.
mkdir "$tmp/selftest"
sed 's#^ExecStart=[^ ]*#ExecStart=/bin/true#' "$unit" > "$tmp/selftest/$name"
printf '[Service]\nProtectSytem=strict\n' >> "$tmp/selftest/$name"
if verify_copy "$tmp/selftest/$name" >/dev/null; then
  echo "FAIL: systemd-analyze verify did not report a misspelt key"
  exit 1
fi

sed 's#^ExecStart=[^ ]*#ExecStart=/bin/true#' "$unit" > "$tmp/$name"
if ! verify_copy "$tmp/$name"; then
  echo "FAIL: systemd-analyze verify reported problems in $unit"
  exit 1
fi

missing=0
for line in \
    'User=caregate' 'Group=caregate' \
    'ExecStart=/usr/local/bin/caregated --config /etc/caregate/caregate.textproto' \
    'ProtectSystem=strict' 'ReadWritePaths=/var/lib/caregate' \
    'NoNewPrivileges=yes' 'CapabilityBoundingSet=' 'AmbientCapabilities=' \
    'PrivateTmp=yes' 'ProtectHome=yes' 'Restart=on-failure' 'RestartSec=2s' \
    'KillSignal=SIGTERM' 'TimeoutStopSec=30s' \
    'Type=notify' 'NotifyAccess=main' 'WatchdogSec=60s' 'LimitNOFILE=65536'; do
  if ! grep -qxF -- "$line" "$unit"; then
    echo "FAIL: $unit lacks the line: $line"
    missing=1
  fi
done
[ "$missing" -eq 0 ] || exit 1
echo "OK: $unit"
