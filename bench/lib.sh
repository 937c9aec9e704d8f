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

# bench_require COMMAND PACKAGE: installs the Debian PACKAGE that provides
# COMMAND when COMMAND is missing, with apt-get as root or through sudo (as
# scripts/install-deps.sh does); fails with a message when neither works.
bench_require() {
  local cmd=$1 pkg=$2
  local sudo=()
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "bench: needs $cmd; run as root or apt-get install $pkg" >&2
      return 1
    fi
    sudo=(sudo)
  fi
  echo "bench: installing $pkg (for $cmd)" >&2
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
  if ! "${apt[@]}" install -y -qq --no-install-recommends "$pkg" >/dev/null; then
    "${apt[@]}" update -qq &&
      "${apt[@]}" install -y -qq --no-install-recommends "$pkg" >/dev/null
  fi
  command -v "$cmd" >/dev/null 2>&1 || {
    echo "bench: could not install $pkg" >&2
    return 1
  }
}

# The CPU's model name ("AMD EPYC", "Intel(R) Xeon(R) Processor").
bench_cpu_model() {
  local model
  model=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
  echo "${model:-unknown}"
}

# Whether the CPU has the instructions caregate's hot paths lean on, from
# /proc/cpuinfo's flags: "sha_ni yes, aes yes, avx2 no". SHA-NI speeds up the
# audit chain's and content SHA-256, AES-NI the data key's AES-256-GCM (and
# TLS), AVX2 BoringSSL/OpenSSL's and protobuf's vector paths.
bench_cpu_flags() {
  local flags f out=""
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2-) "
  for f in sha_ni aes avx2; do
    [ -n "$out" ] && out+=", "
    if [[ $flags == *" $f "* ]]; then out+="$f yes"; else out+="$f no"; fi
  done
  echo "$out"
}

# bench_build_type BINARY: CMAKE_BUILD_TYPE of the build dir BINARY was built
# in (the nearest CMakeCache.txt above it), or "unknown".
bench_build_type() {
  local dir type=""
  dir=$(cd "$(dirname "$1")" 2>/dev/null && pwd) || dir=""
  while [ -n "$dir" ] && [ "$dir" != / ]; do
    if [ -f "$dir/CMakeCache.txt" ]; then
      type=$(grep -m1 '^CMAKE_BUILD_TYPE:' "$dir/CMakeCache.txt" | cut -d= -f2-)
      break
    fi
    dir=$(dirname "$dir")
  done
  echo "${type:-unknown}"
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
