// `caregatectl check`, `send` and `disclosure get`: a therapist's
// disclosures.
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "caregate/v1/disclosure_service.grpc.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/absl_compat.h"
#include "services/crypto/random.h"
#include "services/ctl/client_command.h"
#include "services/ctl/commands.h"
#include "services/ctl/decision_report.h"
#include "services/ctl/disclosure_form.h"
#include "services/ctl/output.h"
#include "services/ctl/time_text.h"

namespace caregate::ctl {
namespace {

constexpr std::string_view kDisclosureExample =
    "  caregatectl send --profile dev/pki/dr-rivera --patient p-1001 \\\n"
    "    --to-org core-pelvic-pt --to-provider pt-lindqvist \\\n"
    "    --purpose treatment_coordination \\\n"
    "    --section homework_adherence=adherence.txt:\"Homework this month\" "
    "\\\n"
    "    --section TRAUMA_HISTORY=trauma.txt\n";

// The Decision a denied SendDisclosure carries in its error details.
std::optional<v1::Decision> DeniedDecision(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION) {
    return std::nullopt;
  }
  google::rpc::Status details;
  v1::Decision decision;
  if (!details.ParseFromString(status.error_details()) ||
      details.details_size() == 0 || !details.details(0).UnpackTo(&decision)) {
    return std::nullopt;
  }
  return decision;
}

void PrintReceipt(const v1::Receipt& receipt, std::ostream& os) {
  PrintFields({{"disclosure", receipt.disclosure_id()},
               {"delivery", Short(receipt.delivery_state())},
               {"audit seq", absl::StrCat(receipt.audit_seq())},
               {"content", absl::StrCat("sha256 ", receipt.content_sha256())}},
              os);
}

int RunCheckOrSend(const std::vector<std::string>& args, CommandIo io,
                   bool send) {
  ClientCommand cmd(send ? "caregatectl send" : "caregatectl check", io);
  DisclosureFlags form;
  AddDisclosureFlags(cmd.flags(), &form);
  std::string request_id;
  if (send) cmd.flags().AddString("request-id", &request_id);
  if (!cmd.Parse(args, 0, 0, "")) return cmd.exit_code();
  v1::Disclosure disclosure;
  absl::Status built = BuildDisclosure(form, &disclosure);
  if (!built.ok()) {
    const std::string message(built.message());
    return built.code() == absl::StatusCode::kInvalidArgument
               ? cmd.Usage(message)
               : cmd.Fail(message);
  }
  if (!cmd.Connect()) return cmd.exit_code();
  auto stub = v1::DisclosureService::NewStub(cmd.channel());
  v1::Decision decision;
  v1::SendDisclosureResponse response;
  grpc::Status status;
  if (send) {
    v1::SendDisclosureRequest request;
    *request.mutable_disclosure() = disclosure;
    request.set_request_id(request_id.empty() ? NewUuid() : request_id);
    status = stub->SendDisclosure(cmd.Context().get(), request, &response);
    if (status.ok()) decision = response.receipt().decision();
    if (std::optional<v1::Decision> denied = DeniedDecision(status)) {
      decision = *denied;
      status = grpc::Status::OK;
    }
  } else {
    v1::CheckDisclosureRequest request;
    *request.mutable_disclosure() = disclosure;
    v1::CheckDisclosureResponse checked;
    status = stub->CheckDisclosure(cmd.Context().get(), request, &checked);
    decision = checked.decision();
  }
  if (!status.ok()) return cmd.RpcFailed(status);
  const bool denied = decision.outcome() == v1::DECISION_OUTCOME_DENIED;
  if (cmd.json()) {
    if (send && !denied) {
      PrintJsonLine(response, cmd.out());
    } else {
      PrintJsonLine(decision, cmd.out());
    }
  } else {
    PrintDecisionReport(decision, disclosure, !send, cmd.out());
    if (send && !denied) PrintReceipt(response.receipt(), cmd.out());
  }
  if (denied) {
    return cmd.Fail(send ? "denied: nothing was sent" : "would be denied");
  }
  return kExitOk;
}

// The delivery state, with when it was reached.
std::string DeliveryText(const v1::DisclosureRecord& r) {
  std::string text = Short(r.receipt().delivery_state());
  if (r.receipt().delivery_state() == v1::DELIVERY_STATE_ACKNOWLEDGED) {
    absl::StrAppend(&text, " ", HumanTime(r.acknowledged_at()));
  } else if (r.has_delivered_at()) {
    absl::StrAppend(&text, " ", HumanTime(r.delivered_at()));
  }
  return text;
}

// Push attempts, the last error and the next attempt; "-" when the clinic
// pulls (or nothing was tried yet).
std::string PushText(const v1::DisclosureRecord& r) {
  if (r.delivery_attempts() == 0 && r.last_delivery_error().empty()) {
    return "-";
  }
  std::string text = absl::StrCat(r.delivery_attempts(), " attempt",
                                  r.delivery_attempts() == 1 ? "" : "s");
  if (!r.last_delivery_error().empty()) {
    absl::StrAppend(&text, "; last error: ", r.last_delivery_error());
  }
  if (r.has_next_attempt_at()) {
    absl::StrAppend(&text, "; next ", HumanTime(r.next_attempt_at()));
  }
  return text;
}

int RunGet(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl disclosure get", io);
  auto ids = cmd.Parse(args, 1, 1, "DISCLOSURE_ID");
  if (!ids || !cmd.Connect()) return cmd.exit_code();
  v1::GetDisclosureRequest request;
  request.set_disclosure_id(ids->front());
  auto stub = v1::DisclosureService::NewStub(cmd.channel());
  v1::DisclosureRecord r;
  grpc::Status status = stub->GetDisclosure(cmd.Context().get(), request, &r);
  if (!status.ok()) return cmd.RpcFailed(status);
  if (cmd.json()) {
    PrintJsonLine(r, cmd.out());
    return kExitOk;
  }
  PrintFields(
      {{"disclosure", r.receipt().disclosure_id()},
       {"outcome", Short(r.receipt().decision().outcome())},
       {"patient", r.patient_id()},
       {"recipient",
        absl::StrCat(r.recipient_provider_id(), " at ", r.recipient_org_id())},
       {"purpose", Short(r.purpose())},
       {"categories", JoinShort<v1::Category>(r.categories())},
       {"sender", r.sender_principal_id()},
       {"sent", HumanTime(r.created_at())},
       {"message", OrDash(r.message_id())},
       {"delivery", DeliveryText(r)},
       {"push", PushText(r)},
       {"audit seq", absl::StrCat(r.receipt().audit_seq())},
       {"content", absl::StrCat("sha256 ", r.receipt().content_sha256())},
       {"request id", OrDash(r.request_id())}},
      cmd.out());
  return kExitOk;
}

}  // namespace

std::string_view CheckUsage() {
  static const auto* usage = new std::string(ClientUsage(
      absl::StrCat(
          "usage: caregatectl check FLAGS\n"
          "\n"
          "Asks the gateway whether a disclosure would be permitted, without\n"
          "sending or auditing anything: per section, covered by which "
          "consent,\nor why not and which consent the patient would have to "
          "sign.\nExit 0 when it would be sent (in full or redacted), 1 when "
          "denied.\n\n",
          AsAbsl(kDisclosureFlagsHelp),
          "  --json                 print the Decision as JSON\n"),
      absl::StrCat(
          "  caregatectl check --profile dev/pki/dr-rivera --patient p-1001 "
          "\\\n"
          "    --to-org riverside-urology --to-provider dr-haddad \\\n"
          "    --purpose referral --section sexual_history=history.txt\n")));
  return *usage;
}

std::string_view SendUsage() {
  static const auto* usage = new std::string(ClientUsage(
      absl::StrCat(
          "usage: caregatectl send FLAGS\n"
          "\n"
          "Sends a disclosure: the gateway checks every section against the\n"
          "patient's consents and, when permitted, queues it for the "
          "recipient\nclinic. A denied send prints, per section, why it is "
          "not covered and\nwhich consent would be needed, sends nothing and "
          "exits 1.\n\n",
          AsAbsl(kDisclosureFlagsHelp),
          "  --request-id ID        idempotency key (default: a fresh UUID); "
          "resending\n"
          "                         with the same id never sends twice\n"
          "  --json                 print the SendDisclosureResponse (or, "
          "when denied,\n"
          "                         the Decision) as JSON\n"),
      kDisclosureExample));
  return *usage;
}

int RunCheck(const std::vector<std::string>& args, CommandIo io) {
  return RunCheckOrSend(args, io, /*send=*/false);
}

int RunSend(const std::vector<std::string>& args, CommandIo io) {
  return RunCheckOrSend(args, io, /*send=*/true);
}

int RunDisclosureGroup(const std::vector<std::string>& args, CommandIo io) {
  static const auto* get_usage = new std::string(ClientUsage(
      "usage: caregatectl disclosure get DISCLOSURE_ID [--json]\n"
      "\n"
      "Shows a sent disclosure's receipt and where it is in its delivery\n"
      "(QUEUED, ACKNOWLEDGED with the time, WITHHELD_BY_REVOCATION). Holds\n"
      "no content.\n",
      "  caregatectl disclosure get dsc-... --profile dev/pki/dr-rivera\n"));
  static const auto* commands = new std::vector<Command>{
      {"get", "show a sent disclosure and its delivery state", *get_usage,
       RunGet},
  };
  return RunCommandGroup("caregatectl disclosure",
                         "Disclosures your practice sent (therapists).",
                         *commands, args, io);
}

}  // namespace caregate::ctl
