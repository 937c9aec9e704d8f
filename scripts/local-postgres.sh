#!/usr/bin/env bash
# A local PostgreSQL 15 server for a development setup (scripts/run.sh
# --postgres), from Debian's `postgresql` package: its data in DIR, TCP on
# 127.0.0.1:PORT only, `trust` for the superuser `postgres` from loopback (a
# development server: never expose it), and a database `caregate`.
#
#   scripts/local-postgres.sh start DIR PORT   initdb when DIR has no cluster,
#                                              start it, create the database;
#                                              prints the conninfo
#   scripts/local-postgres.sh stop DIR         stop it (pg_ctl stop -m fast)
#   scripts/local-postgres.sh conninfo DIR     the conninfo of DIR's cluster
#
# initdb and the server refuse to run as root: as root they run as the
# `postgres` user the package creates. That user cannot always reach DIR
# (e.g. under /root), so the cluster then lives in
# /var/lib/caregate-dev/<DIR's path, hashed>, with DIR a symlink to it.
# Environment: CAREGATE_PG_BIN_DIR (default /usr/lib/postgresql/15/bin).
set -euo pipefail

bin="${CAREGATE_PG_BIN_DIR:-/usr/lib/postgresql/15/bin}"
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

# as_server CMD...: runs a server binary as the user that owns the cluster.
as_server() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# data_dir DIR: DIR itself, or (as root, when `postgres` cannot reach DIR) a
# directory it can, linked from DIR.
data_dir() {
  local dir=$1
  if [ "$(id -u)" != 0 ] || [ -L "$dir" ]; then echo "$dir"; return; fi
  mkdir -p "$(dirname "$dir")"
  if runuser -u postgres -- test -x "$(dirname "$dir")"; then
    echo "$dir"
    return
  fi
  local hash
  hash="$(printf '%s' "$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")" | sha256sum | cut -c1-16)"
  local real="/var/lib/caregate-dev/$hash"
  mkdir -p "$real"
  chmod 755 /var/lib/caregate-dev
  ln -sfn "$real" "$dir"
  echo "$dir"
}

conninfo() {
  local port
  port="$(sed -n 's/^port = \([0-9]*\).*/\1/p' "$1/postgresql.auto.conf" 2>/dev/null | tail -n 1)"
  [ -n "$port" ] || { echo "local-postgres: no cluster in $1" >&2; return 1; }
  echo "host=127.0.0.1 port=$port user=postgres dbname=caregate connect_timeout=5"
}

start() {
  local dir=$1 port=$2
  [ -x "$bin/initdb" ] || { echo "local-postgres: $bin/initdb is missing (apt-get install postgresql)" >&2; exit 1; }
  dir="$(data_dir "$dir")"
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    chmod 700 "$dir"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$(readlink -f "$dir")"
    echo "local-postgres: initdb in $dir" >&2
    as_server "$bin/initdb" -D "$(readlink -f "$dir")" -U postgres -A trust -E UTF8 \
      --locale=C.UTF-8 >"$(dirname "$dir")/postgres-initdb.log" 2>&1 ||
      { echo "local-postgres: initdb failed; see $(dirname "$dir")/postgres-initdb.log" >&2; exit 1; }
    as_server tee -a "$(readlink -f "$dir")/postgresql.auto.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 100
EOF
  fi
  if ! as_server "$bin/pg_ctl" -D "$(readlink -f "$dir")" status >/dev/null 2>&1; then
    as_server "$bin/pg_ctl" -D "$(readlink -f "$dir")" -l "$(readlink -f "$dir")/server.log" \
      -w -t 60 start >/dev/null ||
      { echo "local-postgres: the server did not start; see $dir/server.log" >&2; exit 1; }
  fi
  port="$(sed -n 's/^port = \([0-9]*\).*/\1/p' "$dir/postgresql.auto.conf" | tail -n 1)"
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -Atq -d postgres \
      -c "SELECT 1 FROM pg_database WHERE datname = 'caregate'" | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres caregate
  fi
  conninfo "$dir"
}

stop() {
  local dir=$1
  [ -f "$dir/PG_VERSION" ] || return 0
  if as_server "$bin/pg_ctl" -D "$(readlink -f "$dir")" status >/dev/null 2>&1; then
    as_server "$bin/pg_ctl" -D "$(readlink -f "$dir")" -m fast -w -t 60 stop >/dev/null
    echo "caregate: PostgreSQL in $dir stopped"
  fi
}

case "${1:-}" in
  start) [ $# = 3 ] || { usage >&2; exit 2; }; start "$2" "$3" ;;
  stop) [ $# = 2 ] || { usage >&2; exit 2; }; stop "$2" ;;
  conninfo) [ $# = 2 ] || { usage >&2; exit 2; }; conninfo "$2" ;;
  -h|--help) usage ;;
  *) usage >&2; exit 2 ;;
esac
