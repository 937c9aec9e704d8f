#!/usr/bin/env bash
# Writes the markdown report of one bench/run.sh run to stdout.
# usage: report.sh TMPDIR LARGE_CONSENTS CONCURRENCY
# TMPDIR holds `results` (name=value lines) and out/{small,large}.jsonl,
# out/micro.json, out/micro-startup.json. small.jsonl holds health, payload
# and check twice (the interleaved rounds, in order), then send and mixed; a
# file with one round is reported as one. Needs jq.
set -euo pipefail
dir=$1 large=$2 concurrency=$3
val() { grep -m1 "^$1=" "$dir/results" | cut -d= -f2- || true; }
# scen FILE SCENARIO FIELD [N]: a field of the Nth (default first) JSON line
# of SCENARIO in a caregate-bench output; empty when absent.
scen() {
  [ -f "$dir/out/$1" ] || { echo ""; return; }
  jq -rs --arg s "$2" --argjson n "${4:-1}" \
    "[.[] | select(.scenario == \$s)][\$n - 1].$3 // empty" "$dir/out/$1"
}
# micro FILE NAME_PREFIX FIELD: a field of a Google Benchmark JSON entry.
micro() {
  [ -f "$dir/out/$1" ] || { echo ""; return; }
  jq -r --arg n "$2" \
    "[.benchmarks[] | select(.name == \$n or (.name | startswith(\$n + \"/\")))][0].$3 // empty" \
    "$dir/out/$1"
}
ratio() {  # ratio A B
  if [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ]; then
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
  fi
}
verdict() {  # verdict VALUE OP BOUND
  if [ -z "$1" ]; then echo "not measured"; return; fi
  if awk -v v="$1" -v b="$3" "BEGIN { exit !(v $2 b) }"; then echo "met"; else echo "**missed**"; fi
}
# label N: 1000000 -> 1M, 1000 -> 1k.
label() {
  awk -v n="${1:-0}" 'BEGIN { if (n >= 1e6) printf "%gM", n / 1e6; else if (n >= 1e3) printf "%gk", n / 1e3; else print n }'
}
fmt0() { if [ -n "$1" ]; then awk -v v="$1" 'BEGIN { printf "%.0f", v }'; fi; }
# mean FORMAT: the mean of the non-empty lines of stdin, printf'd; empty
# when there are none.
mean() {
  awk -v f="$1" 'NF { s += $1; n++ } END { if (n) printf f, s / n }'
}
diff1() {  # diff1 A B: A - B with one decimal
  if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; fi
}
# us NANOS: microseconds with 2 decimals.
us() { if [ -n "$1" ]; then awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }'; fi; }

# The interleaved rounds of health, payload and check on the small gateway:
# R[name,round].
rounds=$(jq -s '[.[] | select(.scenario == "health")] | length' \
  "$dir/out/small.jsonl" 2>/dev/null || echo 0)
declare -A R
for r in $(seq 1 "$rounds"); do
  for s in health payload check; do
    R[$s,$r]=$(scen small.jsonl "$s" rps "$r")
    R[gw_$s,$r]=$(scen small.jsonl "$s" server_cpu_us_per_call "$r")
    R[bench_$s,$r]=$(scen small.jsonl "$s" client_cpu_us_per_call "$r")
    R[cpu_$s,$r]=""
    if [ -n "${R[gw_$s,$r]}" ] && [ -n "${R[bench_$s,$r]}" ]; then
      R[cpu_$s,$r]=$(awk -v a="${R[gw_$s,$r]}" -v b="${R[bench_$s,$r]}" \
        'BEGIN { printf "%.1f", a + b }')
    fi
  done
  R[check_health,$r]=$(ratio "${R[check,$r]}" "${R[health,$r]}")
  R[payload_health,$r]=$(ratio "${R[payload,$r]}" "${R[health,$r]}")
  R[check_payload,$r]=$(ratio "${R[check,$r]}" "${R[payload,$r]}")
  R[cpu_check_health,$r]=$(ratio "${R[cpu_health,$r]}" "${R[cpu_check,$r]}")
  R[cpu_check_payload,$r]=$(ratio "${R[cpu_payload,$r]}" "${R[cpu_check,$r]}")
  R[gw_beyond,$r]=$(diff1 "${R[gw_check,$r]}" "${R[gw_payload,$r]}")
done
# round_values NAME: NAME of every round, one per line.
round_values() {
  local r
  for r in $(seq 1 "$rounds"); do echo "${R[$1,$r]:-}"; done
}
# round_cells NAME: "r1 / r2" of NAME.
round_cells() { round_values "$1" | paste -sd/ | sed 's|/| / |g'; }
# round2_1 NAME: round 2 / round 1 of NAME.
round2_1() { ratio "${R[$1,2]:-}" "${R[$1,1]:-}"; }
health=$(round_values health | mean %.1f)
payload=$(round_values payload | mean %.1f)
check=$(round_values check | mean %.1f)
send=$(scen small.jsonl send rps)
send_p99=$(scen small.jsonl send p99_ms)
health_l=$(scen large.jsonl health rps)
check_l=$(scen large.jsonl check rps)
# The ratios of the targets: the mean of the rounds' ratios.
check_health=$(round_values check_health | mean %.2f)
payload_health=$(round_values payload_health | mean %.2f)
check_payload=$(round_values check_payload | mean %.2f)
# CPU per call of gateway + load generator: on a machine that other work
# shares, this predicts the idle-machine throughput ratio better than rps.
cpu_call() {  # cpu_call FILE SCENARIO
  local s c
  s=$(scen "$1" "$2" server_cpu_us_per_call)
  c=$(scen "$1" "$2" client_cpu_us_per_call)
  if [ -n "$s" ] && [ -n "$c" ] && [ "$s" != null ] && [ "$c" != null ]; then
    awk -v a="$s" -v b="$c" 'BEGIN { printf "%.1f", a + b }'
  fi
}
cpu_health=$(round_values cpu_health | mean %.1f)
cpu_payload=$(round_values cpu_payload | mean %.1f)
cpu_check=$(round_values cpu_check | mean %.1f)
cpu_check_health=$(round_values cpu_check_health | mean %.2f)
cpu_check_payload=$(round_values cpu_check_payload | mean %.2f)
gw_beyond=$(round_values gw_beyond | mean %.1f)
cpu_send=$(cpu_call small.jsonl send)
cpu_check_l=$(cpu_call large.jsonl check)
cpu_health_l=$(cpu_call large.jsonl health)
send_health=$(ratio "$send" "$health")
check_large_small=$(ratio "$check_l" "$check")
norm_large=$(ratio "$(ratio "$check_l" "$health_l")" "$check_health")
p99_1m=$(micro micro.json decide/1000000 p99_ns)
p99_1m_us=$(us "$p99_1m")
audit=$(micro micro.json audit_verify items_per_second)
startup=$(val startup_s)
rss_start=$(val rss_large_start)
small_label=$(label "$(scen small.jsonl health consents_loaded)")
large_label=$(label "$large")
build_gw=$(val build_type_gateway)
build_bench=$(val build_type_bench)
if [ "$build_gw" = "$build_bench" ]; then
  build_line="caregated and caregate-bench ${build_gw:-unknown}"
else
  build_line="caregated ${build_gw:-unknown}, caregate-bench ${build_bench:-unknown}"
fi
micro_us() {  # micro_us NAME: CPU time of a nanosecond benchmark in µs
  local t
  t=$(micro micro.json "$1" cpu_time)
  if [ -n "$t" ]; then us "$t"; fi
}
if [ "$rounds" -ge 2 ]; then
  rounds_text="interleaved in $rounds rounds
(health payload check, health payload check)"
  drift_text="Round 2 over round 1, rps: health $(round2_1 health), payload $(round2_1 payload), check
$(round2_1 check) (1.00: the machine kept its speed; a shift that all three share
is the machine, not the code)."
else
  rounds_text="once (one round)"
  drift_text="One round only: a drift of the machine's speed does not show."
fi
round_rows() {  # the interleaved rounds' table rows, and their mean
  local r
  for r in $(seq 1 "$rounds"); do
    echo "| $r | $(fmt0 "${R[health,$r]}") | $(fmt0 "${R[payload,$r]}") | $(fmt0 "${R[check,$r]}") | ${R[check_health,$r]} | ${R[payload_health,$r]} | ${R[check_payload,$r]} | ${R[cpu_health,$r]} / ${R[cpu_payload,$r]} / ${R[cpu_check,$r]} | ${R[cpu_check_health,$r]} | ${R[cpu_check_payload,$r]} | ${R[gw_beyond,$r]} (${R[gw_check,$r]} − ${R[gw_payload,$r]}) |"
  done
  echo "| mean | $(fmt0 "$health") | $(fmt0 "$payload") | $(fmt0 "$check") | $check_health | $payload_health | $check_payload | $cpu_health / $cpu_payload / $cpu_check | $cpu_check_health | $cpu_check_payload | $gw_beyond |"
}

cat <<EOF
# caregate benchmark results, $(val started)

Produced by \`bench/run.sh\` (see BENCHMARKS.md). Client (caregate-bench) and
server (caregated, ${build_gw:-unknown} build) on the same machine, mTLS, concurrency
$concurrency over 4 connections, $(scen small.jsonl health duration_s) s measured after a
$(scen small.jsonl health warmup_s) s warm-up per scenario. On the $small_label-consent gateway,
health, payload and check ran $rounds_text, then send and mixed; the targets use the
rounds' mean.

## Machine
- CPU: $(val cpu_model), $(val cores) cores
- CPU flags: $(val cpu_flags) (SHA-NI: SHA-256 of the audit chain and
  content; AES-NI: AES-GCM of the data key and TLS; AVX2: vector paths)
- Build type: $build_line
- Memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); kernel $(uname -r)
- Load average (1, 5, 15 min) at start: $(val load_start); before the $small_label-consent
  rounds: $(val load_small), before round 2: $(val load_small_round2), before send and
  mixed: $(val load_small_send); during the $large_label run: $(val load_large); before the
  microbenchmarks: $(val load_micro); at the end: $(val load_end).
  The machine is shared: a load above ~0.5 means other work competed for the 2 cores.

## Interleaved rounds ($small_label consents)
| round | health rps | payload rps | check rps | check / health | payload / health | check / payload | CPU µs/call, gateway + bench: health / payload / check | check / health by CPU | check / payload by CPU | gateway CPU µs per check beyond payload |
|---|---|---|---|---|---|---|---|---|---|---|
$(round_rows)

Each ratio is taken within one round (its scenarios ran seconds apart);
"mean" is the mean of the rounds' ratios, not a ratio of mean rps. "By
CPU" divides CPU per call, e.g. health's by check's.
$drift_text

## Targets (issue 6; the $small_label-consent figures are the mean of the rounds)
| figure | measured | target | |
|---|---|---|---|
| check rps / health rps (c=$concurrency) | $check_health (rounds $(round_cells check_health); mean rps $(fmt0 "$check") / $(fmt0 "$health")) | ≥ 0.85 | $(verdict "$check_health" ">=" 0.85) |
| send rps / health rps (c=$concurrency) | $send_health | ≥ 0.3 | $(verdict "$send_health" ">=" 0.3) |
| send rps | $(fmt0 "$send") /s | ≥ 5,000/s | $(verdict "$send" ">=" 5000) |
| send p99 | $send_p99 ms | < 20 ms | $(verdict "$send_p99" "<" 20) |
| decision p99 in-process, 1M consents | $p99_1m_us µs | < 5 µs | $(verdict "$p99_1m_us" "<" 5) |
| check rps with $large_label consents / with $small_label | $check_large_small ($(fmt0 "$check_l") / $(fmt0 "$check")) | ≥ 0.9 | $(verdict "$check_large_small" ">=" 0.9) |
| audit verification | $(fmt0 "$audit") events/s | ≥ 1M events/s | $(verdict "$audit" ">=" 1000000) |
| gateway startup with $large_label consents (launch to SERVING) | $startup s, RSS $(cut -d' ' -f1 <<<"$rss_start") MiB | < 10 s, RSS reported | $(verdict "$startup" "<" 10) |

The 4 KiB request alone (payload: health with a 4200-byte unknown field, no
caregate code): payload/health = $payload_health; check/payload = $check_payload
(what the gateway's own work costs on top of a check-sized RPC; means of the
rounds' ratios). send/health and the check figures at $large_label divide by the
rounds' mean rps at $small_label.

Load-normalized: (check/health at $large_label) / (check/health at $small_label) = $norm_large
(health re-measured on the $large_label gateway: $(fmt0 "$health_l") rps).

CPU-based (gateway + load generator CPU µs per call, which other work on a
shared machine disturbs far less than rps; on an idle 2-core machine where
both are CPU-bound, rps ratios approach these; send is bounded by its one
writer thread instead; health, payload and check are the rounds' means):
health $cpu_health, payload $cpu_payload, check $cpu_check, send $cpu_send;
check/health = $cpu_check_health, check/payload = $cpu_check_payload (the gateway's
CPU per check beyond payload: $gw_beyond µs),
send/health = $(ratio "$cpu_health" "$cpu_send"), check at $large_label / at $small_label =
$(ratio "$cpu_check" "$cpu_check_l") (health at $large_label: $cpu_health_l).

## Load generator (caregate-bench --json)
| consents | scenario | calls | errors | rps | p50 ms | p90 ms | p99 ms | max ms | gateway CPU µs/call | bench CPU µs/call |
|---|---|---|---|---|---|---|---|---|---|---|
EOF
for file in small.jsonl large.jsonl; do
  [ -f "$dir/out/$file" ] || continue
  jq -r '"| \(.consents_loaded) | \(.scenario) | \(.calls) | \(.errors) | \(.rps) | \(.p50_ms) | \(.p90_ms) | \(.p99_ms) | \(.max_ms) | \(.server_cpu_us_per_call // "") | \(.client_cpu_us_per_call // "") |"' "$dir/out/$file"
done
mixed_ops=$(jq -r 'select(.scenario == "mixed") | .ops | to_entries | map("\(.key) \(.value)") | join(", ")' "$dir/out/small.jsonl" 2>/dev/null || true)
cat <<EOF

Mixed ran $mixed_ops calls in its window. Gateway RSS, current / peak MiB:
after the $small_label-consent scenarios $(val rss_small | tr ' ' /); with $large_label consents just
loaded $(tr ' ' / <<<"$rss_start"), after its scenarios $(val rss_large | tr ' ' /). Seeding $large_label consents into SQLite (caregate-bench-seed, 10k
per transaction) took $(val seed_s) s.

## Microbenchmarks (caregate-microbench, Google Benchmark)
| benchmark | time | p50 | p99 | max | throughput / other |
|---|---|---|---|---|---|
EOF
for f in micro-startup.json micro.json; do
  [ -f "$dir/out/$f" ] || continue
  jq -r '.benchmarks[] |
    def n(x): if x == null then "" else (x * 100 | round / 100 | tostring) end;
    def ns(x): if x == null then "" else "\(x | round) ns" end;
    "| \(.name | sub("/iterations:1/manual_time"; "")) | \(n(.real_time)) \(.time_unit) | \(ns(.p50_ns)) | \(ns(.p99_ns)) | \(ns(.max_ns)) | " +
    ([ (if .items_per_second then "\(.items_per_second | round) items/s" else empty end),
       (if .bytes_per_second then "\(.bytes_per_second / 1048576 | round) MiB/s" else empty end),
       (if .consents then "\(.consents | round) consents" else empty end),
       (if .rss_mb then "RSS \(.rss_mb | round) MiB (+\(.index_rss_mb | round) MiB)" else empty end),
       (if .seed_s then "seeded in \(n(.seed_s)) s" else empty end),
       (if .response_bytes then "response \(.response_bytes | round) B" else empty end) ] | join(", ")) + " |"' \
    "$dir/out/$f"
done
cat <<EOF

decide/N: one ConsentIndex::Decide with N consents indexed (3 per patient,
requests for random patients); p50/p99/max from a histogram of every single
decision (includes ~30 ns of clock reads). startup_index_load: open the store,
ForEachConsent + Upsert into a fresh ConsentIndex, in a process of its own.
check_path/*: one CheckDisclosure after parse, stage by stage, through the
plain functions DisclosureService::Check calls (no server): validate
(ValidateDisclosure, two 2 KiB sections), decide (ConsentIndex::Decide, 1k
consents), build_response (DecisionToProto, serialized into a
grpc::ByteBuffer), all (the three in a row). CPU time per call: $(micro_us check_path/validate) +
$(micro_us check_path/decide) + $(micro_us check_path/build_response) µs, all $(micro_us check_path/all) µs, against $gw_beyond µs of
gateway CPU per check beyond payload above. Not in them: admission, parse,
the log line, gRPC and TLS.
items/s and MiB/s are per CPU second (Google Benchmark's default); "time" is
wall time per iteration, which a loaded machine inflates.

<details><summary>Raw caregate-bench output</summary>

\`\`\`
$(cat "$dir"/out/small.jsonl "$dir"/out/large.jsonl 2>/dev/null)
\`\`\`
</details>
EOF
