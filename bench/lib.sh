# Shell helpers of bench/run.sh and bench/smoke_test.sh: a dev setup on a free
# loopback port and a caregated started on it. Source it; needs bash.

# bench_build BUILD_DIR TARGET...: configures BUILD_DIR as a Release build
# when it has none and builds TARGETs (one build at a time on this machine);
# nothing when BENCH_SKIP_BUILD=1.
bench_build() {
  local build_dir=$1
  shift
  [ "${BENCH_SKIP_BUILD:-0}" = 1 ] && return 0
  if [ ! -f "$build_dir/build.ninja" ]; then
    flock /tmp/caregate-build.lock cmake -S . -B "$build_dir" -G Ninja \
      -DCMAKE_BUILD_TYPE=Release -DCAREGATE_SKIP_MISSING_TESTS=ON >/dev/null
  fi
  echo "bench: building $* in $build_dir"
  flock /tmp/caregate-build.lock ninja -C "$build_dir" "$@"
}

# A TCP port on 127.0.0.1 that nothing listens on right now.
bench_free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "bench: no free port found" >&2
  return 1
}

# bench_dev_init CAREGATECTL DIR: a dev setup in DIR listening on a free port;
# sets BENCH_PORT.
bench_dev_init() {
  local ctl=$1 dir=$2
  BENCH_PORT=$(bench_free_port)
  "$ctl" dev-init "$dir" --listen "127.0.0.1:$BENCH_PORT" >/dev/null
}

# bench_start_gateway CAREGATED CAREGATE_BENCH DIR LOG [TIMEOUT]: starts the
# gateway of DIR, logging to LOG, and waits until it serves (moving it to
# another free port if its port was taken meanwhile). Sets BENCH_GATEWAY_PID
# and BENCH_READY_S (seconds from launch to SERVING).
bench_start_gateway() {
  local gated=$1 bench=$2 dir=$3 log=$4 timeout=${5:-60s}
  local attempt start end
  for attempt in 1 2 3; do
    start=$(date +%s.%N)
    echo "{\"time\":\"$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)\",\"msg\":\"bench: launching caregated\"}" >>"$log"
    "$gated" --config "$dir/caregate.textproto" >>"$log" 2>&1 &
    BENCH_GATEWAY_PID=$!
    if "$bench" --gateway "127.0.0.1:$BENCH_PORT" \
        --profile "$dir/pki/dr-rivera" --wait_ready "$timeout" >/dev/null; then
      end=$(date +%s.%N)
      BENCH_READY_S=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b-a}')
      return 0
    fi
    if kill -0 "$BENCH_GATEWAY_PID" 2>/dev/null; then
      echo "bench: caregated did not become ready (see $log)" >&2
      bench_stop_gateway
      return 1
    fi
    # It exited (most likely the port was taken): try another port.
    wait "$BENCH_GATEWAY_PID" 2>/dev/null || true
    BENCH_PORT=$(bench_free_port)
    sed -i "s/^listen_address: .*/listen_address: \"127.0.0.1:$BENCH_PORT\"/" \
      "$dir/caregate.textproto"
  done
  echo "bench: caregated failed to start (see $log)" >&2
  return 1
}

# The gateway's resident set, current and peak, in MiB ("rss peak").
bench_gateway_rss_mb() {
  awk '/^VmRSS:/{r=$2} /^VmHWM:/{h=$2} END{printf "%.0f %.0f", r/1024, h/1024}' \
    "/proc/$BENCH_GATEWAY_PID/status"
}

# Stops the gateway started by bench_start_gateway (SIGTERM, then waits).
bench_stop_gateway() {
  if [ -n "${BENCH_GATEWAY_PID:-}" ]; then
    kill -TERM "$BENCH_GATEWAY_PID" 2>/dev/null || true
    wait "$BENCH_GATEWAY_PID" 2>/dev/null || true
    BENCH_GATEWAY_PID=
  fi
}
