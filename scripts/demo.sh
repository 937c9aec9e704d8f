#!/usr/bin/env bash
# The caregate story, told with caregatectl against a local gateway.
#
#   scripts/demo.sh            run the story; leave the gateway running
#   scripts/demo.sh --once     run the story, then stop the gateway
#   scripts/demo.sh --stop     stop a gateway this script started
#
# Uses binaries already built (scripts/run.sh builds first). Creates a dev
# setup with `caregatectl dev-init` when $CAREGATE_DEV_DIR has none, with a
# witness (caregate-witness, state in DIR/witness) that cosigns the audit
# log's checkpoints, and with the OB/GYN clinic taking pushed messages through
# caregate-receiver (writing to DIR/lakeside-inbox) while the PT clinic pulls
# its inbox. Starts the witness, the receiver and caregated in the background
# unless they are already running, and waits until the gateway serves. Every
# step prints the command and its output and checks the expected outcome; the
# script exits non-zero at the first wrong one. A second run reuses the setup
# and the data (fresh consents and request ids).
#
# With CAREGATE_POSTGRES (a libpq conninfo; scripts/run.sh --postgres sets
# it), a new setup keeps its data in that PostgreSQL database and runs two
# replicas of the gateway on it, the second on the first's port + 1: the
# therapist sends through the first, the clinics read from the second; both
# send their checkpoints to the one witness (on the first's port + 3).
#
# Environment: CAREGATE_BUILD_DIR (default build), CAREGATE_DEV_DIR (default
# dev), CAREGATE_LISTEN (HOST:PORT for a new dev setup; default
# 127.0.0.1:7443), CAREGATE_WITNESS_LISTEN (the new setup's witness; default
# the gateway's port + 1, + 3 with two replicas), CAREGATE_RECEIVER_LISTEN (the new setup's OB/GYN
# receiver; default the gateway's port + 2), CAREGATE_POSTGRES.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR="${CAREGATE_BUILD_DIR:-build}"
DEV_DIR="${CAREGATE_DEV_DIR:-dev}"
CTL="$BUILD_DIR/services/ctl/caregatectl"
CAREGATED="$BUILD_DIR/services/gateway/caregated"
PID_FILE="$DEV_DIR/caregated.pid"
LOG_FILE="$DEV_DIR/caregated.log"
PATIENT="p-1001"

once=0
case "${1:-}" in
  --once) once=1 ;;
  --stop) ;;
  "") ;;
  -h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "demo: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

# pid_of FILE: the pid in FILE if that process runs.
pid_of() {
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null && cat "$1"
}

# stop_pid FILE NAME: SIGTERM, a bounded wait, the pid file removed.
stop_pid() {
  local pid
  pid="$(pid_of "$1")" || { rm -f "$1"; return 0; }
  kill -TERM "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  rm -f "$1"
  echo "caregate: $2 (pid $pid) stopped"
}

stop_gateway() {
  stop_pid "$PID_FILE" gateway
  stop_pid "$DEV_DIR/caregated-2.pid" "second replica"
  stop_pid "$DEV_DIR/witness.pid" witness
  stop_pid "$DEV_DIR/receiver.pid" receiver
}

if [ "${1:-}" = "--stop" ]; then
  stop_gateway
  exit 0
fi

for bin in "$CTL" "$CAREGATED"; do
  [ -x "$bin" ] || { echo "demo: $bin is missing; run scripts/run.sh (it builds)" >&2; exit 1; }
done

WORK="$(mktemp -d)"
BUILD_DIR="$(cd "$BUILD_DIR" && pwd)"
CTL="$BUILD_DIR/services/ctl/caregatectl"
CAREGATED="$BUILD_DIR/services/gateway/caregated"
WITNESS="$BUILD_DIR/services/witness/caregate-witness"
RECEIVER="$BUILD_DIR/services/receiver/caregate-receiver"
cleanup() {
  rm -rf "$WORK"
  if [ "$once" = 1 ]; then stop_gateway; fi
}
trap cleanup EXIT

# --- the gateway --------------------------------------------------------------

if [ ! -f "$DEV_DIR/caregate.textproto" ]; then
  listen="${CAREGATE_LISTEN:-127.0.0.1:7443}"
  receiver_listen="${CAREGATE_RECEIVER_LISTEN:-${listen%:*}:$((${listen##*:} + 2))}"
  storage=()
  [ -n "${CAREGATE_POSTGRES:-}" ] && storage=(--postgres "$CAREGATE_POSTGRES")
  "$CTL" dev-init "$DEV_DIR" --listen "$listen" \
    --push "lakeside-obgyn=$receiver_listen" "${storage[@]}" >/dev/null
  echo "caregate: wrote a dev setup (CA, certificates, keys, config) in $DEV_DIR"
  witness_port=$((${listen##*:} + 1))
  if [ -n "${CAREGATE_POSTGRES:-}" ]; then
    # The second replica: the same config, keys and database, its own port.
    echo "${listen%:*}:$((${listen##*:} + 1))" >"$DEV_DIR/replica2.listen"
    witness_port=$((${listen##*:} + 3))
  fi
  echo "${CAREGATE_WITNESS_LISTEN:-${listen%:*}:$witness_port}" \
    >"$DEV_DIR/witness.listen"
  echo "$receiver_listen" >"$DEV_DIR/receiver.listen"
fi

DEV_DIR="$(cd "$DEV_DIR" && pwd)"
PID_FILE="$DEV_DIR/caregated.pid"
LOG_FILE="$DEV_DIR/caregated.log"

# The witness of a setup this script wrote: started before the gateway, which
# checks its log against what the witness cosigned. Its verifier key (the
# first line it prints) goes into the config on the first start.
start_witness() {
  [ -f "$DEV_DIR/witness.listen" ] || return 0
  local wpid
  if wpid="$(pid_of "$DEV_DIR/witness.pid")"; then return 0; fi
  local wlisten
  wlisten="$(cat "$DEV_DIR/witness.listen")"
  # Removed first: the background start truncates it only when it runs.
  rm -f "$DEV_DIR/witness.out"
  "$WITNESS" --listen "$wlisten" --state "$DEV_DIR/witness" \
    --log-key "$(cat "$DEV_DIR/keys/audit-log.vkey")" \
    >"$DEV_DIR/witness.out" 2>>"$DEV_DIR/witness.log" &
  wpid=$!
  echo "$wpid" >"$DEV_DIR/witness.pid"
  # Up to 30 s (a sanitizer build on a busy machine starts slowly), unless
  # it exits first.
  for _ in $(seq 1 300); do
    [ -s "$DEV_DIR/witness.out" ] && break
    kill -0 "$wpid" 2>/dev/null || break
    sleep 0.1
  done
  WITNESS_KEY="$(head -n 1 "$DEV_DIR/witness.out")"
  [ -n "$WITNESS_KEY" ] || {
    echo "demo: the witness did not start; the end of $DEV_DIR/witness.log:" >&2
    tail -n 5 "$DEV_DIR/witness.log" >&2
    exit 1
  }
  if ! grep -q '^witnesses {' "$DEV_DIR/caregate.textproto"; then
    printf '\n# The dev witness (scripts/demo.sh).\nwitnesses {\n  url: "http://%s"\n  verifier_key: "%s"\n}\n' \
      "$wlisten" "$WITNESS_KEY" >>"$DEV_DIR/caregate.textproto"
  fi
  echo "caregate: started caregate-witness on $wlisten (key $WITNESS_KEY)"
}
start_witness

# The OB/GYN's caregate-receiver, for a setup this script wrote: it takes the
# messages the gateway pushes to lakeside-obgyn, checks their signatures and
# writes each once to DIR/lakeside-inbox, acknowledging receipt.
start_receiver() {
  [ -f "$DEV_DIR/receiver.listen" ] || return 0
  if pid_of "$DEV_DIR/receiver.pid" >/dev/null; then return 0; fi
  local rlisten
  rlisten="$(cat "$DEV_DIR/receiver.listen")"
  rm -f "$DEV_DIR/receiver.out"
  "$RECEIVER" --listen "$rlisten" --tls-cert "$DEV_DIR/pki/receiver.crt" \
    --tls-key "$DEV_DIR/pki/receiver.key" --ca "$DEV_DIR/pki/ca.crt" \
    --pubkey "$DEV_DIR/keys/audit-signing.pub.pem" \
    --out "$DEV_DIR/lakeside-inbox" --ack \
    >"$DEV_DIR/receiver.out" 2>>"$DEV_DIR/receiver.log" &
  local rpid=$!
  echo "$rpid" >"$DEV_DIR/receiver.pid"
  # Up to 30 s, as for the witness, unless it exits first (its port taken).
  for _ in $(seq 1 300); do
    grep -q "listening on" "$DEV_DIR/receiver.out" 2>/dev/null && break
    kill -0 "$rpid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "listening on" "$DEV_DIR/receiver.out" 2>/dev/null || {
    echo "demo: caregate-receiver did not start; the end of $DEV_DIR/receiver.log:" >&2
    tail -n 5 "$DEV_DIR/receiver.log" >&2
    exit 1
  }
  echo "caregate: started caregate-receiver for lakeside-obgyn on $rlisten (writes to $DEV_DIR/lakeside-inbox)"
}
start_receiver

# start_caregated NAME CONFIG PID_FILE LOG: starts caregated on CONFIG in the
# background unless the one in PID_FILE runs; sets pid.
start_caregated() {
  local name=$1 config=$2 pid_file=$3 log=$4
  if pid="$(pid_of "$pid_file")"; then
    echo "caregate: reusing the $name already running (pid $pid)"
    return
  fi
  "$CAREGATED" --config "$config" >>"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$pid_file"
  echo "caregate: started the $name (pid $pid), log in $log"
}
start_caregated gateway "$DEV_DIR/caregate.textproto" "$PID_FILE" "$LOG_FILE"

# The second replica of a PostgreSQL setup, on the same database; the
# clinics read through it.
READ_GATEWAY=""
start_second_replica() {
  [ -f "$DEV_DIR/replica2.listen" ] || return 0
  READ_GATEWAY="$(cat "$DEV_DIR/replica2.listen")"
  # The first's config (with the witness the demo added), its own port.
  sed "s/^listen_address: .*/listen_address: \"$READ_GATEWAY\"/" \
    "$DEV_DIR/caregate.textproto" >"$DEV_DIR/caregate-2.textproto"
  local pid
  start_caregated "second replica ($READ_GATEWAY)" "$DEV_DIR/caregate-2.textproto" \
    "$DEV_DIR/caregated-2.pid" "$DEV_DIR/caregated-2.log"
  wait_healthy "$pid" "$READ_GATEWAY" "$DEV_DIR/caregated-2.log" "$DEV_DIR/caregated-2.pid"
}

# wait_healthy PID GATEWAY LOG PIDFILE: waits until the caregated PID serves
# at GATEWAY (empty: the config's address), with a bounded number of tries of
# at most a second each; exits the demo when it exits or never serves.
wait_healthy() {
  local pid=$1 gateway=$2 log=$3 pid_file=$4
  for _ in $(seq 1 60); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "demo: caregated exited; the end of $log:" >&2
      tail -n 5 "$log" >&2
      rm -f "$pid_file"
      exit 1
    fi
    if CAREGATE_GATEWAY="$gateway" CAREGATE_PROFILE="$DEV_DIR/pki/gateway-admin" \
        "$CTL" health --wait 1s >/dev/null 2>&1; then
      return 0
    fi
  done
  echo "demo: the gateway did not become healthy; see $log" >&2
  exit 1
}
wait_healthy "$pid" "" "$LOG_FILE" "$PID_FILE"
echo "caregate: $(CAREGATE_PROFILE="$DEV_DIR/pki/gateway-admin" "$CTL" health)"
start_second_replica

# --- helpers -------------------------------------------------------------------

steps=0
checks=0
OUT=""
RC=0

step() {
  steps=$((steps + 1))
  printf '\n== %d. %s\n' "$steps" "$*"
}

# as PRINCIPAL ARGS...: runs caregatectl as PRINCIPAL, prints the command and
# its output, keeps them in OUT and RC. A clinic's inbox principal talks to
# the second replica when there is one.
as() {
  local who="$1" gateway=""
  shift
  case "$who" in
    *-inbox) gateway="$READ_GATEWAY" ;;
  esac
  local shown=() arg
  for arg in "$@"; do
    case "$arg" in
      *" "*) shown+=("\"$arg\"") ;;
      *) shown+=("$arg") ;;
    esac
  done
  if [ -n "$gateway" ]; then
    printf '%s$ caregatectl --gateway %s %s\n' "$who" "$gateway" "${shown[*]}"
  else
    printf '%s$ caregatectl %s\n' "$who" "${shown[*]}"
  fi
  RC=0
  OUT="$(CAREGATE_GATEWAY="$gateway" CAREGATE_PROFILE="$DEV_DIR/pki/$who" "$CTL" "$@" 2>&1)" || RC=$?
  printf '%s\n' "$OUT" | sed 's/^/    /'
}

fail() {
  echo "demo: FAILED at step $steps: $*" >&2
  exit 1
}

# expect OUTCOME RC TEXT...: the last command exited RC and printed every TEXT.
expect() {
  local outcome="$1" rc="$2"
  shift 2
  [ "$RC" = "$rc" ] || fail "expected exit $rc ($outcome), got $RC"
  for text in "$@"; do
    # A here-string, not a pipe: grep -q exits at the first match, and under
    # pipefail the writer's SIGPIPE would fail the check.
    grep -qF -- "$text" <<<"$OUT" || fail "expected \"$text\" ($outcome)"
  done
  checks=$((checks + 1))
  echo "  -> ok: $outcome"
}

# field NAME: the value of the "NAME  value" line of the last output.
field() {
  printf '%s\n' "$OUT" | awk -v k="$1" '$1 == k { print $2; exit }'
}

consent_flags=(--signer-name "Demo Patient" --signer-relationship self
  --capture-method paper_scanned --states-right-to-revoke
  --states-treatment-not-conditioned --states-redisclosure-risk
  --purpose treatment_coordination --expires 365d)

# The notes and the signed form live in a scratch directory, named relative
# to it in the commands below.
cd "$WORK"
echo "Signed consent form, scanned on $(date -u +%F)" >signed-form.pdf
echo "Did the pelvic floor relaxation exercises 5 of 7 days; skipped when anxious." >adherence.txt
echo "History of medical trauma during a prior pelvic exam; prefers to be told before each step." >trauma.txt
echo "Sexual history relevant to the referral." >sexual-history.txt
echo "Eight sessions of sex therapy so far; pain during intercourse improving." >summary.txt

# --- the story -----------------------------------------------------------------

step "The therapist records the patient's consent for the pelvic floor PT"
as dr-rivera consent record --patient "$PATIENT" --to-org core-pelvic-pt \
  --to-specialty pelvic_floor_physical_therapy \
  --category homework_adherence,trauma_history \
  --description "Homework adherence and trauma history, for pelvic floor PT" \
  --document "signed-form.pdf" "${consent_flags[@]}"
expect "consent recorded" 0 "status      ACTIVE"

step "... and one for the OB/GYN, for a treatment summary"
as dr-rivera consent record --patient "$PATIENT" --to-org lakeside-obgyn \
  --to-specialty obgyn --category treatment_summary \
  --description "Summary of treatment, for the OB/GYN" \
  --document "signed-form.pdf" "${consent_flags[@]}"
expect "consent recorded" 0 "status      ACTIVE"
OBGYN_CONSENT="$(field consent)"

step "A note to the PT: homework adherence and trauma history"
as dr-rivera send --patient "$PATIENT" --to-org core-pelvic-pt \
  --to-provider pt-lindqvist --purpose treatment_coordination \
  --section "homework_adherence=adherence.txt:Homework this month" \
  --section "trauma_history=trauma.txt:Before the first exam"
expect "permitted" 0 "PERMITTED: 2 of 2 sections covered"
NOTE="$(field disclosure)"

step "Sexual history to the urologist, for whom there is no consent"
as dr-rivera send --patient "$PATIENT" --to-org riverside-urology \
  --to-provider dr-haddad --purpose treatment_coordination \
  --section "sexual_history=sexual-history.txt"
expect "denied, reasons printed" 1 "DENIED: 0 of 1 sections covered" \
  "NO_CONSENT_FOR_RECIPIENT" "ask the patient for a consent to riverside-urology"

step "A mixed note to the PT with --redact-uncovered"
as dr-rivera send --patient "$PATIENT" --to-org core-pelvic-pt \
  --to-provider pt-lindqvist --purpose treatment_coordination \
  --section "homework_adherence=adherence.txt" \
  --section "sexual_history=sexual-history.txt" --redact-uncovered
expect "redacted" 0 "PERMITTED_WITH_REDACTIONS: 1 of 2 sections covered" \
  "CATEGORY_NOT_CONSENTED"
REDACTED="$(field disclosure)"

step "The therapist looks up the note's delivery"
as dr-rivera disclosure get "$NOTE"
expect "queued" 0 "QUEUED"
NOTE_MESSAGE="$(field message)"
as dr-rivera disclosure get "$REDACTED"
expect "queued" 0 "QUEUED"
REDACTED_MESSAGE="$(field message)"

step "The PT clinic lists its inbox"
as core-pelvic-pt-inbox inbox list
expect "both messages waiting" 0 "$NOTE_MESSAGE" "$REDACTED_MESSAGE"

step "The PT clinic reads the note and verifies the gateway's signature"
as core-pelvic-pt-inbox inbox show "$NOTE_MESSAGE"
expect "signature verified" 0 "signature   verified" "redisclosure notice"
as core-pelvic-pt-inbox inbox show "$REDACTED_MESSAGE"
expect "only the covered section arrived" 0 "[1] HOMEWORK_ADHERENCE"
grep -q "SEXUAL_HISTORY" <<<"$OUT" && fail "the redacted section arrived"

step "The PT clinic acknowledges both"
as core-pelvic-pt-inbox inbox ack "$NOTE_MESSAGE"
expect "acknowledged" 0 "acknowledged $NOTE_MESSAGE"
as core-pelvic-pt-inbox inbox ack "$REDACTED_MESSAGE"
expect "acknowledged" 0 "acknowledged $REDACTED_MESSAGE"
as dr-rivera disclosure get "$NOTE"
expect "the therapist sees the delivery" 0 "ACKNOWLEDGED"

step "A treatment summary to the OB/GYN, whose system takes pushed messages"
if [ -f "$DEV_DIR/receiver.listen" ]; then
  as dr-rivera send --patient "$PATIENT" --to-org lakeside-obgyn \
    --to-provider dr-okafor --purpose treatment_coordination \
    --section "treatment_summary=summary.txt:Treatment so far"
  expect "permitted" 0 "PERMITTED: 1 of 1 sections covered"
  SUMMARY="$(field disclosure)"
  # Pushed within moments; a bounded wait for the receiver's acknowledgement.
  for _ in $(seq 1 100); do
    grep -q ACKNOWLEDGED <<<"$(CAREGATE_PROFILE="$DEV_DIR/pki/dr-rivera" \
      "$CTL" disclosure get "$SUMMARY" 2>&1 || true)" && break
    sleep 0.1
  done
  as dr-rivera disclosure get "$SUMMARY"
  expect "pushed, and acknowledged by the clinic's receiver" 0 "ACKNOWLEDGED" "attempt"
  SUMMARY_MESSAGE="$(field message)"
  printf 'lakeside-obgyn$ ls lakeside-inbox/\n'
  RC=0
  OUT="$(ls "$DEV_DIR/lakeside-inbox")"
  printf '%s\n' "$OUT" | sed 's/^/    /'
  expect "written once, as the message and as a FHIR bundle" 0 \
    "$SUMMARY_MESSAGE.message.json" "$SUMMARY_MESSAGE.bundle.json"
  as compliance-officer delivery list --state all --to-org lakeside-obgyn
  expect "compliance sees the push" 0 "$SUMMARY_MESSAGE" "grpc" "ACKNOWLEDGED"
else
  echo "(this dev setup has no push endpoint: skipped)"
fi

step "Before revoking: a treatment summary to the OB/GYN would be permitted"
as dr-rivera check --patient "$PATIENT" --to-org lakeside-obgyn \
  --to-provider dr-okafor --purpose treatment_coordination \
  --section "treatment_summary=summary.txt"
expect "permitted (dry run)" 0 "PERMITTED: 1 of 1 sections covered"

step "The patient revokes the OB/GYN consent in writing"
# An interrupted earlier run may have left its OB/GYN consent active; the
# patient's revocation covers it too.
for id in $(CAREGATE_PROFILE="$DEV_DIR/pki/dr-rivera" "$CTL" consent list \
    --patient "$PATIENT" --json | grep -F '"orgId":"lakeside-obgyn"' |
    sed 's/.*"consentId":"\([^"]*\)".*/\1/' | grep -vxF "$OBGYN_CONSENT" || true); do
  CAREGATE_PROFILE="$DEV_DIR/pki/dr-rivera" "$CTL" consent revoke "$id" \
    --reason "patient revoked in writing" >/dev/null
  echo "(also revoked $id, left active by an interrupted earlier run)"
done
as dr-rivera consent revoke "$OBGYN_CONSENT" \
  --reason "patient revoked in writing on $(date -u +%F)"
expect "revoked" 0 "REVOKED"

step "A later treatment summary to the OB/GYN"
as dr-rivera send --patient "$PATIENT" --to-org lakeside-obgyn \
  --to-provider dr-okafor --purpose treatment_coordination \
  --section "treatment_summary=summary.txt:Treatment so far"
expect "denied after revocation" 1 "DENIED" "CONSENT_REVOKED"

step "Compliance verifies the audit log"
as compliance-officer audit verify
expect "verified" 0 "VERIFIED"

step "Compliance prints the accounting of disclosures for $PATIENT"
as compliance-officer audit accounting --practice sunrise-therapy --patient "$PATIENT"
expect "accounting lists both disclosures" 0 "$NOTE" "$REDACTED"

step "The PT clinic proves its message is in the witnessed audit log, with public keys alone"
if [ -f "$DEV_DIR/witness.out" ]; then
  WITNESS_KEY="$(head -n 1 "$DEV_DIR/witness.out")"
  SEQ="$(CAREGATE_PROFILE="$DEV_DIR/pki/core-pelvic-pt-inbox" "$CTL" inbox show "$NOTE_MESSAGE" --json |
    sed -n 's/.*"auditSeq":"\([0-9]*\)".*/\1/p')"
  [ -n "$SEQ" ] || fail "the message has no audit seq"
  cp "$DEV_DIR/keys/audit-signing.pub.pem" gateway.pub.pem
  # The witness cosigns each checkpoint within a second or so, and a proof
  # comes with the latest checkpoint, which may not be cosigned yet: prove
  # again (a bounded number of tries) until the proof verifies with the
  # witness's key, and show that proof.
  for _ in $(seq 1 150); do
    PROVE_RC=0
    PROVE_OUT="$(CAREGATE_PROFILE="$DEV_DIR/pki/core-pelvic-pt-inbox" "$CTL" audit prove "$SEQ" --out proof.json 2>&1)" || PROVE_RC=$?
    VERIFY_RC=0
    VERIFY_OUT="$(env -u CAREGATE_PROFILE "$CTL" audit verify-proof proof.json --pubkey gateway.pub.pem \
      --witness-key "$WITNESS_KEY" --min-witnesses 1 2>&1)" || VERIFY_RC=$?
    [ "$PROVE_RC" = 0 ] && [ "$VERIFY_RC" = 0 ] && break
    sleep 0.2
  done
  printf 'core-pelvic-pt-inbox$ caregatectl audit prove %s --out proof.json\n' "$SEQ"
  RC="$PROVE_RC"
  OUT="$PROVE_OUT"
  printf '%s\n' "$OUT" | sed 's/^/    /'
  expect "proof written" 0 "wrote the inclusion proof of event $SEQ"
  printf 'clinic$ caregatectl audit verify-proof proof.json --pubkey gateway.pub.pem --witness-key "%s" --min-witnesses 1\n' "$WITNESS_KEY"
  RC="$VERIFY_RC"
  OUT="$VERIFY_OUT"
  printf '%s\n' "$OUT" | sed 's/^/    /'
  expect "included, and cosigned by the witness" 0 "VERIFIED: event $SEQ" "cosigned by witness"
else
  echo "(this dev setup has no witness: skipped)"
fi

step "Compliance exports the log; an auditor verifies it offline with only the public key"
as compliance-officer audit export --out "audit-export.json"
expect "exported" 0 "exported"
cp "$DEV_DIR/keys/audit-signing.pub.pem" gateway.pub.pem
printf 'auditor$ caregatectl audit verify-offline audit-export.json --pubkey gateway.pub.pem\n'
RC=0
OUT="$(env -u CAREGATE_PROFILE "$CTL" audit verify-offline audit-export.json \
  --pubkey gateway.pub.pem 2>&1)" || RC=$?
printf '%s\n' "$OUT" | sed 's/^/    /'
expect "verified offline" 0 "VERIFIED offline"

printf '\ncaregate demo: all %d checks passed in %d steps.\n' "$checks" "$steps"
if [ "$once" = 1 ]; then
  exit 0
fi
echo "The gateway is still running (pid $(cat "$PID_FILE")) on the setup in $DEV_DIR."
stop_hint="scripts/run.sh --stop"
if [ -n "${CAREGATE_DEV_DIR:-}" ]; then
  stop_hint="CAREGATE_DEV_DIR=$CAREGATE_DEV_DIR $stop_hint"
fi
echo "Stop it with: $stop_hint   (or: kill $(cat "$PID_FILE"))"
