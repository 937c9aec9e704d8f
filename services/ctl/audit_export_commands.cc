#include "services/ctl/audit_export_commands.h"

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "caregate/v1/audit_export.pb.h"
#include "caregate/v1/audit_service.grpc.pb.h"
#include "services/common/absl_compat.h"
#include "services/common/file_contents.h"
#include "services/ctl/audit_export.h"
#include "services/ctl/client_command.h"
#include "services/ctl/export_trust.h"
#include "services/ctl/message_view.h"
#include "services/ctl/offline_verify.h"
#include "services/ctl/output.h"
#include "services/ctl/time_text.h"
#include "services/fhir/audit_event_export.h"

namespace caregate::ctl {
namespace {

// The export's events as FHIR R4 AuditEvent NDJSON, the checkpoint's origin
// naming the gateway that keeps the log.
std::string AuditExportToFhirNdjson(const v1::AuditExport& x) {
  fhir::AuditExportContext context;
  context.gateway_id = x.checkpoint().origin();
  std::string out;
  for (const v1::AuditEvent& event : x.events()) {
    fhir::AppendAuditEventNdjson(event, context, &out);
  }
  return out;
}

// The export in `format`: json, binary or fhir.
std::string ExportBytes(const v1::AuditExport& x, std::string_view format) {
  if (format == "fhir") return AuditExportToFhirNdjson(x);
  if (format == "binary") return AuditExportToBinary(x);
  return AuditExportToJson(x);
}

std::string Usage(std::string_view head, std::string_view examples) {
  return absl::StrCat(AsAbsl(head), "\nexamples:\n", AsAbsl(examples));
}

}  // namespace

std::string_view AuditExportUsage() {
  static const auto* usage = new std::string(Usage(
      absl::StrCat(
          "usage: caregatectl audit export --out FILE\n"
          "         [--format json|binary|fhir]\n"
          "         [--wait DURATION] [--json]\n"
          "\n"
          "Writes every audit event (with prev_hash and hash) from seq 1\n"
          "through the latest signed checkpoint, that checkpoint and every\n"
          "earlier one to FILE as the protobuf JSON mapping of\n"
          "caregate.v1.AuditExport\n"
          "(proto/caregate/v1/audit_export.proto). An auditor verifies it "
          "with\n"
          "`caregatectl audit verify-offline FILE --pubkey PEM`, no gateway\n"
          "needed.\n"
          "With --format binary it writes the same message in protobuf's\n"
          "binary wire format: a third of the size, verified many times\n"
          "faster, for large logs (verify-offline reads either form).\n"
          "With --format fhir it writes the same events as FHIR R4 "
          "AuditEvent\n"
          "resources, one per line (NDJSON; IHE BALP patterns, the event's "
          "seq\n"
          "and hashes as identifiers; docs/fhir.md).\n"
          "\n"
          "flags:\n"
          "  --out FILE       where to write (replaced atomically)\n"
          "  --format F       json (default): the verifiable export; binary:\n"
          "                   the same, in protobuf's binary form; fhir: "
          "NDJSON\n"
          "                   of FHIR R4 AuditEvent\n"
          "  --wait DURATION  how long to wait for a checkpoint that covers "
          "the\n"
          "                   newest events (default 10s); newer events "
          "are\n"
          "                   left out\n"
          "  --json           print the exported checkpoint as JSON\n"
          "\n",
          AsAbsl(kConnectionFlagsHelp)),
      "  caregatectl audit export --out audit-2026-11.json \\\n"
      "    --profile dev/pki/compliance-officer\n"
      "  caregatectl audit export --format binary --out audit-2026.pb \\\n"
      "    --profile dev/pki/compliance-officer\n"
      "  caregatectl audit export --format fhir --out audit.ndjson \\\n"
      "    --profile dev/pki/compliance-officer\n"));
  return *usage;
}

int RunAuditExport(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl audit export", io);
  std::string out_path, wait_text = "10s", format = "json";
  cmd.flags().AddString("out", &out_path);
  cmd.flags().AddString("wait", &wait_text);
  cmd.flags().AddString("format", &format);
  if (!cmd.Parse(args, 0, 0, "")) return cmd.exit_code();
  if (out_path.empty()) return cmd.Usage("missing --out FILE");
  if (format != "json" && format != "binary" && format != "fhir") {
    return cmd.Usage(absl::StrCat("--format: \"", format,
                                  "\" is not one of json, binary, fhir"));
  }
  absl::StatusOr<absl::Duration> wait = ParseDurationText(wait_text);
  if (!wait.ok()) {
    return cmd.Usage(absl::StrCat("--wait: ", wait.status().message()));
  }
  if (!cmd.Connect()) return cmd.exit_code();
  auto stub = v1::AuditService::NewStub(cmd.channel());
  BuiltAuditExport built;
  grpc::Status status =
      BuildAuditExport(*stub, cmd.connection(), *wait, absl::Now(), &built);
  if (!status.ok()) return cmd.RpcFailed(status);
  const v1::AuditExport& x = built.export_proto;
  const int64_t newest = built.newest_seq;
  const int64_t covered = x.checkpoint().seq();
  if (absl::Status written =
          WriteFileAtomically(out_path, ExportBytes(x, format));
      !written.ok()) {
    return cmd.Fail(std::string(written.message()));
  }
  if (cmd.json()) {
    PrintJsonLine(x.checkpoint(), cmd.out());
  } else {
    cmd.out() << "exported " << x.events_size()
              << (format == "fhir" ? " events as FHIR AuditEvent" : " events")
              << " (seq 1 through " << covered << ") and the checkpoint at seq "
              << covered << " to " << out_path << "\n";
    if (newest > covered) {
      cmd.out() << "note: " << newest - covered
                << " newer events are not covered by a checkpoint yet and "
                   "were left out\n";
    }
  }
  return kExitOk;
}

std::string_view AuditVerifyOfflineUsage() {
  static const auto* usage = new std::string(Usage(
      "usage: caregatectl audit verify-offline FILE --pubkey PEM\n"
      "         [--trusted-checkpoint NOTE] [--witness-key VKEY]...\n"
      "         [--allow-unsigned-tail] [--json]\n"
      "\n"
      "Verifies an audit export (JSON or binary, as audit export wrote\n"
      "it) with no gateway, using only FILE and the\n"
      "gateway's published public key: recomputes every event's hash chain\n"
      "(docs/audit-log.md), checks the Ed25519 signature of every\n"
      "checkpoint in FILE and that each matches the chain. Prints the\n"
      "verified range, or the first bad seq and what is wrong (exit 1).\n"
      "Events after the last signed checkpoint are only chained (anyone who\n"
      "can write the file could have appended them): they fail the check\n"
      "(exit 1) unless --allow-unsigned-tail.\n"
      "\n"
      "flags:\n"
      "  --pubkey PEM   the gateway's public key, e.g. "
      "keys/audit-signing.pub.pem\n"
      "                 (default: the profile's, if --profile or "
      "CAREGATE_PROFILE)\n"
      "  --profile DIR/pki/PRINCIPAL  only to find the default key\n"
      "  --trusted-checkpoint NOTE  a checkpoint note saved earlier (audit\n"
      "                 checkpoint --note-out): the export must reach its "
      "size\n"
      "                 and have the same Merkle root there, or it was\n"
      "                 truncated or rewritten\n"
      "  --witness-key VKEY  a witness whose cosignatures on the export's\n"
      "                 checkpoints are checked and reported; repeat for more\n"
      "  --allow-unsigned-tail  accept events after the last checkpoint\n"
      "                 (reported, not verified by any signature)\n"
      "  --json         print {ok, verifiedThroughSeq, firstBadSeq, problem, "
      "checkpoint}\n"
      "                 (a VerifyAuditLogResponse) as JSON\n",
      "  caregatectl audit verify-offline audit-2026-11.json \\\n"
      "    --pubkey dev/keys/audit-signing.pub.pem\n"));
  return *usage;
}

int RunAuditVerifyOffline(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl audit verify-offline", io);
  std::string pubkey, trusted_path;
  std::vector<std::string> witness_keys;
  bool allow_unsigned_tail = false;
  cmd.flags().AddString("pubkey", &pubkey);
  cmd.flags().AddString("trusted-checkpoint", &trusted_path);
  cmd.flags().AddList("witness-key", &witness_keys);
  cmd.flags().AddBool("allow-unsigned-tail", &allow_unsigned_tail);
  auto files = cmd.Parse(args, 1, 1, "FILE");
  if (!files) return cmd.exit_code();
  const std::string key_path = PublicKeyPath(cmd.connection_flags(), pubkey);
  if (key_path.empty()) return cmd.Usage("missing --pubkey PEM");
  auto verifier = LoadVerifier(key_path);
  if (!verifier.ok()) return cmd.Fail(std::string(verifier.status().message()));
  absl::StatusOr<std::string> bytes = ReadFileContents(files->front());
  if (!bytes.ok()) {
    return cmd.Fail(absl::StrCat("cannot read ", files->front()));
  }
  absl::StatusOr<std::unique_ptr<LoadedAuditExport>> x =
      LoadAuditExport(*std::move(bytes));
  if (!x.ok()) {
    return cmd.Fail(absl::StrCat(files->front(), ": ", x.status().message()));
  }
  std::string trusted_note;
  if (!trusted_path.empty()) {
    absl::StatusOr<std::string> note = ReadFileContents(trusted_path);
    if (!note.ok()) return cmd.Fail(absl::StrCat("cannot read ", trusted_path));
    trusted_note = *std::move(note);
  }
  const v1::AuditExport& export_proto = (*x)->head;
  const ExportEvents& events = (*x)->events;
  const bool check_trust = !trusted_note.empty() || !witness_keys.empty();
  std::vector<Hash256> event_hashes;
  OfflineReport r =
      VerifyAuditExport(export_proto, events, **verifier, allow_unsigned_tail,
                        check_trust ? &event_hashes : nullptr);
  TrustReport trust;
  if (r.ok && check_trust) {
    trust = CheckExportAgainstTrust(export_proto, events, **verifier,
                                    trusted_note, witness_keys, &event_hashes);
    if (!trust.ok) {
      r.ok = false;
      r.problem = trust.problem;
      r.first_bad_seq = trust.trusted_size;
    }
  }
  if (cmd.json()) {
    v1::VerifyAuditLogResponse json;
    json.set_ok(r.ok);
    json.set_verified_through_seq(r.verified_through_seq);
    json.set_first_bad_seq(r.first_bad_seq);
    json.set_problem(r.problem);
    *json.mutable_checkpoint() = export_proto.checkpoint();
    PrintJsonLine(json, cmd.out());
  } else if (r.ok) {
    cmd.out() << "VERIFIED offline: " << r.event_count
              << " events, hash chain intact from seq 1 through seq "
              << r.verified_through_seq << "\n"
              << "checkpoint at seq " << r.checkpoint_seq << " (origin "
              << export_proto.checkpoint().origin()
              << ") has a valid signature by key " << r.key_id
              << " and matches the chain\n";
    if (trust.trusted_size > 0) {
      cmd.out() << "consistent with the trusted checkpoint of size "
                << trust.trusted_size << "\n";
    }
    for (const std::string& v : trust.vouched) {
      cmd.out() << "witness " << v << "\n";
    }
    if (r.events_after_checkpoint > 0) {
      cmd.out() << "WARNING: " << r.events_after_checkpoint
                << " events after the checkpoint are UNSIGNED: chained but "
                   "not covered by any signature (accepted by "
                   "--allow-unsigned-tail)\n";
    }
  } else {
    cmd.out() << "FAILED at seq " << r.first_bad_seq << ": " << r.problem
              << "\nverified good through seq " << r.verified_through_seq
              << "\n";
  }
  if (!r.ok) {
    return cmd.Fail(absl::StrCat("the export does not verify: first bad seq ",
                                 r.first_bad_seq, ": ", r.problem));
  }
  return kExitOk;
}

}  // namespace caregate::ctl
