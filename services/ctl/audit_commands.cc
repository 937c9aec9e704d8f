// `caregatectl audit query|verify|checkpoint|accounting` (and the group
// table, which also holds export and verify-offline): the compliance
// officer's view of the audit log.
#include <algorithm>
#include <memory>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "caregate/v1/audit_service.grpc.pb.h"
#include "services/audit/checkpoint.h"
#include "services/common/absl_compat.h"
#include "services/common/proto_time.h"
#include "services/crypto/encoding.h"
#include "services/ctl/audit_export_commands.h"
#include "services/ctl/audit_proof_commands.h"
#include "services/ctl/client_command.h"
#include "services/ctl/commands.h"
#include "services/ctl/message_view.h"
#include "services/ctl/offline_verify.h"
#include "services/ctl/output.h"
#include "services/ctl/time_text.h"

namespace caregate::ctl {
namespace {

struct QueryFlags {
  std::vector<std::string> actions;
  std::string outcome, since, until, limit;
};

absl::Status BuildQuery(const QueryFlags& f, v1::QueryAuditEventsRequest* r,
                        int* limit) {
  absl::StatusOr<std::vector<v1::AuditAction>> actions =
      ParseEnumList<v1::AuditAction>(f.actions, "action");
  if (!actions.ok()) return actions.status();
  for (v1::AuditAction a : *actions) r->add_actions(a);
  if (!f.outcome.empty()) {
    absl::StatusOr<v1::DecisionOutcome> outcome =
        ParseEnum<v1::DecisionOutcome>(f.outcome, "outcome");
    if (!outcome.ok()) return outcome.status();
    r->set_outcome(*outcome);
  }
  const absl::Time now = absl::Now();
  for (auto [text, flag, field] :
       {std::tuple{&f.since, "since", r->mutable_since()},
        std::tuple{&f.until, "until", r->mutable_until()}}) {
    if (text->empty()) continue;
    absl::StatusOr<absl::Time> t =
        ParseTimeText(*text, Direction::kPast, now, flag);
    if (!t.ok()) return t.status();
    *field = ToProtoTime(*t);
  }
  if (!f.limit.empty() && (!absl::SimpleAtoi(f.limit, limit) || *limit < 1)) {
    return absl::InvalidArgumentError("--limit: expected a positive number");
  }
  return absl::OkStatus();
}

std::vector<std::string> EventRow(const v1::AuditEvent& e) {
  return {
      absl::StrCat(e.seq()),
      HumanTime(e.time()),
      absl::StrCat(e.actor_principal_id(), " (", Short(e.actor_role()), ")"),
      Short(e.action()),
      OrDash(e.patient_id()),
      OrDash(e.recipient_org_id()),
      JoinShort<v1::Category>(e.categories()),
      e.outcome() == v1::DECISION_OUTCOME_UNSPECIFIED ? "-"
                                                      : Short(e.outcome()),
      OrDash(e.subject_id().empty() ? e.detail() : e.subject_id())};
}

int RunQuery(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl audit query", io);
  v1::QueryAuditEventsRequest request;
  QueryFlags f;
  cmd.flags().AddString("patient", request.mutable_patient_id());
  cmd.flags().AddString("practice", request.mutable_practice_org_id());
  cmd.flags().AddString("actor", request.mutable_actor_principal_id());
  cmd.flags().AddString("recipient-org", request.mutable_recipient_org_id());
  cmd.flags().AddList("action", &f.actions);
  cmd.flags().AddString("outcome", &f.outcome);
  cmd.flags().AddString("since", &f.since);
  cmd.flags().AddString("until", &f.until);
  cmd.flags().AddString("limit", &f.limit);
  if (!cmd.Parse(args, 0, 0, "")) return cmd.exit_code();
  int limit = 0;
  if (absl::Status s = BuildQuery(f, &request, &limit); !s.ok()) {
    return cmd.Usage(std::string(s.message()));
  }
  if (request.patient_id().empty() != request.practice_org_id().empty()) {
    return cmd.Usage(
        "--patient needs --practice (a patient is a practice and its patient "
        "id), and --practice needs --patient");
  }
  if (!cmd.Connect()) return cmd.exit_code();
  auto stub = v1::AuditService::NewStub(cmd.channel());
  Table table({"SEQ", "TIME", "ACTOR", "ACTION", "PATIENT", "RECIPIENT",
               "CATEGORIES", "OUTCOME", "SUBJECT"});
  int printed = 0;
  request.set_page_size(1000);
  do {
    v1::QueryAuditEventsResponse response;
    grpc::Status status =
        stub->QueryAuditEvents(cmd.Context().get(), request, &response);
    if (!status.ok()) return cmd.RpcFailed(status);
    for (const v1::AuditEvent& e : response.events()) {
      if (limit > 0 && printed >= limit) break;
      ++printed;
      if (cmd.json()) {
        PrintJsonLine(e, cmd.out());
      } else {
        table.AddRow(EventRow(e));
      }
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty() && (limit == 0 || printed < limit));
  if (!cmd.json()) {
    if (table.empty()) {
      cmd.out() << "No matching events.\n";
    } else {
      table.Print(cmd.out());
    }
  }
  return kExitOk;
}

std::string CheckpointLine(const v1::Checkpoint& c) {
  return absl::StrCat("seq ", c.seq(), ", origin ", c.origin(), ", key ",
                      c.key_id(), ", signed ", HumanTime(c.time()));
}

int RunVerify(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl audit verify", io);
  std::string from, to;
  cmd.flags().AddString("from", &from);
  cmd.flags().AddString("to", &to);
  if (!cmd.Parse(args, 0, 0, "")) return cmd.exit_code();
  v1::VerifyAuditLogRequest request;
  int64_t from_seq = 0, to_seq = 0;
  if ((!from.empty() && !absl::SimpleAtoi(from, &from_seq)) ||
      (!to.empty() && !absl::SimpleAtoi(to, &to_seq))) {
    return cmd.Usage("--from and --to take a seq number");
  }
  request.set_from_seq(from_seq);
  request.set_to_seq(to_seq);
  if (!cmd.Connect()) return cmd.exit_code();
  auto stub = v1::AuditService::NewStub(cmd.channel());
  v1::VerifyAuditLogResponse r;
  grpc::Status status = stub->VerifyAuditLog(cmd.Context().get(), request, &r);
  if (!status.ok()) return cmd.RpcFailed(status);
  if (cmd.json()) {
    PrintJsonLine(r, cmd.out());
  } else if (r.ok()) {
    cmd.out() << "VERIFIED: hash chain intact from seq "
              << std::max<int64_t>(from_seq, 1) << " through seq "
              << r.verified_through_seq() << "\n"
              << "checkpoint: " << CheckpointLine(r.checkpoint())
              << "; signature valid and matches the chain\n";
  } else {
    cmd.out() << "FAILED at seq " << r.first_bad_seq() << ": " << r.problem()
              << "\nverified good through seq " << r.verified_through_seq()
              << "\n";
  }
  if (!r.ok()) {
    return cmd.Fail(absl::StrCat(
        "the audit log does not verify: first bad seq ", r.first_bad_seq()));
  }
  return kExitOk;
}

int RunCheckpoint(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl audit checkpoint", io);
  std::string pubkey, note_out;
  cmd.flags().AddString("pubkey", &pubkey);
  cmd.flags().AddString("note-out", &note_out);
  if (!cmd.Parse(args, 0, 0, "") || !cmd.Connect()) return cmd.exit_code();
  auto verifier = LoadVerifier(PublicKeyPath(cmd.connection_flags(), pubkey));
  if (!verifier.ok()) return cmd.Fail(std::string(verifier.status().message()));
  auto stub = v1::AuditService::NewStub(cmd.channel());
  v1::Checkpoint c;
  grpc::Status status =
      stub->GetCheckpoint(cmd.Context().get(), v1::GetCheckpointRequest(), &c);
  if (!status.ok()) return cmd.RpcFailed(status);
  absl::Status valid = absl::OkStatus();
  std::string signature = "not checked (no public key: pass --pubkey FILE)";
  if (*verifier != nullptr) {
    absl::StatusOr<Checkpoint> plain = CheckpointFromProto(c);
    valid = plain.ok() ? VerifyCheckpoint(*plain, **verifier) : plain.status();
    signature = valid.ok()
                    ? absl::StrCat("valid (key ", (*verifier)->key_id(), ")")
                    : absl::StrCat("INVALID: ", valid.message());
  }
  if (cmd.json()) {
    PrintJsonLine(c, cmd.out());
  } else {
    PrintFields(
        {{"origin", c.origin()},
         {"seq", absl::StrCat(c.seq())},
         {"head hash", HexEncode(c.head_hash())},
         {"signed", HumanTime(c.time())},
         {"key", c.key_id()},
         {"signature", signature},
         {"tree root",
          c.tree_root().empty() ? std::string("-") : HexEncode(c.tree_root())}},
        cmd.out());
  }
  if (!valid.ok()) return cmd.Fail("the checkpoint signature does not verify");
  if (!note_out.empty()) {
    if (c.note().empty()) {
      return cmd.Fail("this checkpoint has no note (signed before the tree)");
    }
    if (absl::Status s = WriteFileAtomically(note_out, c.note()); !s.ok()) {
      return cmd.Fail(std::string(s.message()));
    }
    if (!cmd.json()) {
      cmd.out() << "saved the checkpoint note to " << note_out
                << " (for audit verify-offline --trusted-checkpoint)\n";
    }
  }
  return kExitOk;
}

int RunAccounting(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl audit accounting", io);
  v1::GetAccountingOfDisclosuresRequest request;
  std::string since, until;
  cmd.flags().AddString("patient", request.mutable_patient_id());
  cmd.flags().AddString("practice", request.mutable_practice_org_id());
  cmd.flags().AddString("since", &since);
  cmd.flags().AddString("until", &until);
  if (!cmd.Parse(args, 0, 0, "")) return cmd.exit_code();
  if (request.practice_org_id().empty()) {
    return cmd.Usage(
        "missing --practice (a patient is a practice and its patient id)");
  }
  if (request.patient_id().empty()) return cmd.Usage("missing --patient");
  const absl::Time now = absl::Now();
  for (auto [text, flag, field] :
       {std::tuple{&since, "since", request.mutable_since()},
        std::tuple{&until, "until", request.mutable_until()}}) {
    if (text->empty()) continue;
    auto t = ParseTimeText(*text, Direction::kPast, now, flag);
    if (!t.ok()) return cmd.Usage(std::string(t.status().message()));
    *field = ToProtoTime(*t);
  }
  if (!cmd.Connect()) return cmd.exit_code();
  auto stub = v1::AuditService::NewStub(cmd.channel());
  v1::GetAccountingOfDisclosuresResponse r;
  grpc::Status status =
      stub->GetAccountingOfDisclosures(cmd.Context().get(), request, &r);
  if (!status.ok()) return cmd.RpcFailed(status);
  if (cmd.json()) {
    for (const auto& e : r.entries()) PrintJsonLine(e, cmd.out());
    return kExitOk;
  }
  cmd.out() << "Accounting of disclosures for patient " << request.patient_id()
            << " of " << request.practice_org_id()
            << " (45 CFR 164.528): " << r.entries_size() << " disclosure"
            << (r.entries_size() == 1 ? "" : "s") << "\n";
  if (r.entries_size() == 0) return kExitOk;
  Table table(
      {"DATE", "RECIPIENT", "ADDRESS", "PURPOSE", "INFORMATION", "DISCLOSURE"});
  for (const auto& e : r.entries()) {
    table.AddRow(
        {HumanTime(e.time()),
         absl::StrCat(OrDash(e.recipient_name()), " (", e.recipient_org_id(),
                      "/", e.recipient_provider_id(), ")"),
         OrDash(e.recipient_address()), Short(e.purpose()),
         JoinShort<v1::Category>(e.categories()), e.disclosure_id()});
  }
  table.Print(cmd.out());
  return kExitOk;
}

const std::vector<Command>& AuditCommands() {
  static const auto* query_usage = new std::string(ClientUsage(
      "usage: caregatectl audit query [FILTERS] [--limit N] [--json]\n"
      "\n"
      "Prints audit events matching every filter given, in sequence order.\n"
      "\n"
      "filters:\n"
      "  --practice ORG --patient ID\n"
      "                        events about this patient of this practice\n"
      "                        (a patient is always both)\n"
      "  --actor PRINCIPAL     events by this principal\n"
      "  --recipient-org ORG   events with this recipient\n"
      "  --action A            e.g. DISCLOSURE_DENIED; repeat or comma-"
      "separate\n"
      "  --outcome O           PERMITTED, PERMITTED_WITH_REDACTIONS, DENIED\n"
      "  --since TIME|DUR      at or after (RFC 3339, or e.g. 24h ago)\n"
      "  --until TIME|DUR      before\n"
      "  --limit N             print at most N events\n"
      "  --json                one AuditEvent per line as JSON\n",
      "  caregatectl audit query --practice sunrise-therapy --patient p-1001 "
      "\\\n    --profile dev/pki/compliance-officer\n"
      "  caregatectl audit query --action disclosure_denied --since 7d \\\n"
      "    --profile dev/pki/compliance-officer\n"));
  static const auto* verify_usage = new std::string(ClientUsage(
      "usage: caregatectl audit verify [--from SEQ] [--to SEQ] [--json]\n"
      "\n"
      "Has the gateway recompute the hash chain over a range (default: the\n"
      "whole log) and check it against the latest signed checkpoint. Prints\n"
      "the verified range, or the first bad seq and what is wrong (exit 1).\n"
      "For a check that does not trust the server, use audit export and\n"
      "audit verify-offline.\n",
      "  caregatectl audit verify --profile dev/pki/compliance-officer\n"));
  static const auto* checkpoint_usage = new std::string(ClientUsage(
      "usage: caregatectl audit checkpoint [--pubkey FILE] [--note-out FILE]\n"
      "         [--json]\n"
      "\n"
      "Prints the latest signed checkpoint of the audit log and checks its\n"
      "signature with the published key (exit 1 when it does not verify).\n"
      "\n"
      "flags:\n"
      "  --pubkey FILE  the gateway's PEM public key (default: the profile's\n"
      "                 DIR/keys/audit-signing.pub.pem)\n"
      "  --note-out FILE  save the checkpoint's signed note (C2SP), e.g. to\n"
      "                 hold the gateway to it later with audit\n"
      "                 verify-offline --trusted-checkpoint FILE\n",
      "  caregatectl audit checkpoint --profile dev/pki/compliance-officer\n"));
  static const auto* accounting_usage = new std::string(ClientUsage(
      "usage: caregatectl audit accounting --practice ORG --patient ID\n"
      "         [--since TIME|DUR] [--until TIME|DUR] [--json]\n"
      "\n"
      "Prints a patient's accounting of disclosures (45 CFR 164.528): date,\n"
      "recipient name and address, the information disclosed, and the\n"
      "purpose of each. A patient is always a practice and its patient id:\n"
      "two practices' p-1001 are two people.\n",
      "  caregatectl audit accounting --practice sunrise-therapy --patient "
      "p-1001 \\\n"
      "    --profile dev/pki/compliance-officer\n"));
  static const auto* commands = new std::vector<Command>{
      {"query", "print audit events matching filters", *query_usage, RunQuery},
      {"verify", "verify the hash chain and checkpoint on the gateway",
       *verify_usage, RunVerify},
      {"checkpoint", "print the latest signed checkpoint", *checkpoint_usage,
       RunCheckpoint},
      {"accounting", "a patient's accounting of disclosures", *accounting_usage,
       RunAccounting},
      {"export", "write every event and the checkpoint to a file",
       AuditExportUsage(), RunAuditExport},
      {"verify-offline", "verify an export with only the public key",
       AuditVerifyOfflineUsage(), RunAuditVerifyOffline},
      {"prove", "write an event's inclusion proof and checkpoint to a file",
       AuditProveUsage(), RunAuditProve},
      {"verify-proof", "check a proof of `audit prove` with public keys only",
       AuditVerifyProofUsage(), RunAuditVerifyProof},
  };
  return *commands;
}

}  // namespace

int RunAuditGroup(const std::vector<std::string>& args, CommandIo io) {
  return RunCommandGroup(
      "caregatectl audit",
      "The tamper-evident audit log (compliance officers; verify-offline "
      "needs\nno gateway).",
      AuditCommands(), args, io);
}

}  // namespace caregate::ctl
