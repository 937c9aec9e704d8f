#!/usr/bin/env bash
# bench/offline_verify.sh: an auditor's offline verification of a large audit
# export (issue 12: a 1M-event export verified in < 2 s). Seeds a fresh dev
# setup's store with synthetic audit events (caregate-bench-seed
# --audit_events) while the gateway is stopped, starts caregated, writes the
# export in both forms (`caregatectl audit export`, JSON and --format binary),
# saves a checkpoint note, stops the gateway, and times `caregatectl audit
# verify-offline` on each, and on the binary one with --trusted-checkpoint,
# twice (wall time and peak RSS from /usr/bin/time). Prints a Markdown table
# and writes it to bench/results/offline-verify-<date>.md. Asserts no speed:
# it reports; it fails only when a verification does not say VERIFIED.
#
# Environment (all optional):
#   CAREGATE_BENCH_BUILD_DIR  build dir (default build-release)
#   BENCH_SKIP_BUILD=1        use the binaries already built
#   OFFLINE_BENCH_EVENTS      audit events to seed (default 1000000)
#   BENCH_OUT                 the results file
#   BENCH_KEEP_TMP=1          keep the temporary directory
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

build_dir=${CAREGATE_BENCH_BUILD_DIR:-build-release}
events=${OFFLINE_BENCH_EVENTS:-1000000}
out=${BENCH_OUT:-bench/results/offline-verify-$(date -u +%Y-%m-%d).md}

bench_require /usr/bin/time time
bench_build "$build_dir" caregated caregatectl caregate-bench caregate-bench-seed
ctl=$build_dir/services/ctl/caregatectl
gated=$build_dir/services/gateway/caregated
bench=$build_dir/bench/caregate-bench
seed=$build_dir/bench/caregate-bench-seed

tmp=$(mktemp -d "${TMPDIR:-/tmp}/caregate-offline-bench.XXXXXX")
cleanup() {
  bench_stop_gateway
  if [ "${BENCH_KEEP_TMP:-0}" = 1 ]; then echo "offline bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

bench_dev_init "$ctl" "$tmp/gw"
echo "offline bench: seeding $events audit events"
"$seed" --db "$tmp/gw/data/caregate.db" --audit_events "$events" >/dev/null
bench_start_gateway "$gated" "$bench" "$tmp/gw" "$tmp/gateway.log" 120s
echo "offline bench: caregated ready in ${BENCH_READY_S} s"

# A checkpoint note an auditor saved before the exports, for the run that
# checks an export against it (--trusted-checkpoint: the Merkle tree rebuilt
# from the events, its root compared at the note's size).
"$ctl" audit checkpoint --note-out "$tmp/trusted.note" \
  --profile "$tmp/gw/pki/compliance-officer" >/dev/null

declare -A export_s export_mb
for format in json binary; do
  file=$tmp/export.$format
  echo "offline bench: audit export --format $format"
  start=$(date +%s.%N)
  "$ctl" audit export --format "$format" --out "$file" --wait 30s \
    --profile "$tmp/gw/pki/compliance-officer" >"$tmp/export-$format.txt"
  export_s[$format]=$(seconds_since "$start")
  export_mb[$format]=$(du -m "$file" | cut -f1)
done
bench_stop_gateway
exported=$(sed -E 's/^exported ([0-9]+) events.*/\1/;q' "$tmp/export-json.txt")

rows=()
for round in 1 2; do
  for run in json binary binary+trusted; do
    format=${run%%+*}
    trust=()
    [ "$run" = binary+trusted ] && trust=(--trusted-checkpoint "$tmp/trusted.note")
    echo "offline bench: verify-offline, $run, round $round"
    /usr/bin/time -f '%e %M' -o "$tmp/time.txt" \
      "$ctl" audit verify-offline "$tmp/export.$format" \
      --pubkey "$tmp/gw/keys/audit-signing.pub.pem" "${trust[@]}" >"$tmp/verify.txt"
    grep -q '^VERIFIED offline' "$tmp/verify.txt" || {
      echo "offline bench: the $run export did not verify" >&2
      cat "$tmp/verify.txt" >&2
      exit 1
    }
    read -r wall kb <"$tmp/time.txt"
    rows+=("| $run | $round | ${export_mb[$format]} MB | ${export_s[$format]} s | $wall s | $((kb / 1024)) MiB |")
  done
done

{
  echo "# Offline verification of a $exported-event audit export, $(date -u +%Y-%m-%d)"
  echo
  echo "$(bench_cpu_model), $(nproc) cores, $(bench_build_type "$build_dir") build"
  echo "(\`bash bench/offline_verify.sh\`). Export: \`caregatectl audit export"
  echo "--format F\` from a running gateway; verification:"
  echo "\`caregatectl audit verify-offline FILE --pubkey PEM\` with the gateway"
  echo "stopped; binary+trusted adds \`--trusted-checkpoint\` with a note saved"
  echo "before the exports (the Merkle tree rebuilt from the events and its root"
  echo "compared). Target (issue 12): < 2 s for 1M events."
  echo
  echo "| format | round | export size | export time | verify-offline wall | verify-offline peak RSS |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee "$out"
echo "offline bench: wrote $out"
