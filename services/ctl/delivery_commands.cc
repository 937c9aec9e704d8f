// `caregatectl delivery list|retry`: the outbox of push delivery as
// compliance staff and administrators see it (no message content).
#include <memory>

#include "absl/strings/str_cat.h"
#include "caregate/v1/delivery_service.grpc.pb.h"
#include "services/common/absl_compat.h"
#include "services/ctl/client_command.h"
#include "services/ctl/commands.h"
#include "services/ctl/output.h"
#include "services/ctl/time_text.h"

namespace caregate::ctl {
namespace {

const std::vector<std::string> kHeader = {
    "MESSAGE", "TO", "VIA", "STATE", "SENT", "ATTEMPTS", "NEXT", "LAST ERROR"};

std::string TimeOrDash(const google::protobuf::Timestamp& t, bool present) {
  return present ? HumanTime(t) : "-";
}

std::vector<std::string> Row(const v1::Delivery& d) {
  return {d.message_id(),
          d.recipient_org_id(),
          d.transport(),
          Short(d.state()),
          HumanTime(d.created_at()),
          absl::StrCat(d.delivery_attempts()),
          TimeOrDash(d.next_attempt_at(), d.has_next_attempt_at()),
          OrDash(d.last_delivery_error())};
}

// The states `--state` names: "failed", "pending" (queued), any delivery
// state's name, or "all"; by default failed, then pending.
absl::StatusOr<std::vector<v1::DeliveryState>> StatesOf(
    const std::string& text) {
  if (text.empty()) {
    return std::vector<v1::DeliveryState>{v1::DELIVERY_STATE_FAILED,
                                          v1::DELIVERY_STATE_QUEUED};
  }
  if (text == "all") {
    return std::vector<v1::DeliveryState>{v1::DELIVERY_STATE_UNSPECIFIED};
  }
  if (text == "pending") {
    return std::vector<v1::DeliveryState>{v1::DELIVERY_STATE_QUEUED};
  }
  absl::StatusOr<v1::DeliveryState> state =
      ParseEnum<v1::DeliveryState>(text, "--state");
  if (!state.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(state.status().message(), ", pending or all"));
  }
  return std::vector<v1::DeliveryState>{*state};
}

// Every delivery in `state` (to `org` when set), page by page.
grpc::Status ForEachDelivery(
    ClientCommand& cmd, v1::DeliveryState state, const std::string& org,
    const std::function<void(const v1::Delivery&)>& visit) {
  auto stub = v1::DeliveryService::NewStub(cmd.channel());
  v1::ListDeliveriesRequest request;
  request.set_state(state);
  request.set_recipient_org_id(org);
  request.set_page_size(500);
  do {
    v1::ListDeliveriesResponse response;
    grpc::Status status =
        stub->ListDeliveries(cmd.Context().get(), request, &response);
    if (!status.ok()) return status;
    for (const v1::Delivery& d : response.deliveries()) visit(d);
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return grpc::Status::OK;
}

int RunList(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl delivery list", io);
  std::string state_text, org;
  cmd.flags().AddString("state", &state_text);
  cmd.flags().AddString("to-org", &org);
  if (!cmd.Parse(args, 0, 0, "")) return cmd.exit_code();
  absl::StatusOr<std::vector<v1::DeliveryState>> states = StatesOf(state_text);
  if (!states.ok()) return cmd.Usage(std::string(states.status().message()));
  if (!cmd.Connect()) return cmd.exit_code();
  Table table(kHeader);
  for (v1::DeliveryState state : *states) {
    grpc::Status status =
        ForEachDelivery(cmd, state, org, [&](const v1::Delivery& d) {
          if (cmd.json()) {
            PrintJsonLine(d, cmd.out());
          } else {
            table.AddRow(Row(d));
          }
        });
    if (!status.ok()) return cmd.RpcFailed(status);
  }
  if (cmd.json()) return kExitOk;
  if (table.empty()) {
    cmd.out() << "No deliveries in that state.\n";
  } else {
    table.Print(cmd.out());
  }
  return kExitOk;
}

int RunRetry(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl delivery retry", io);
  auto ids = cmd.Parse(args, 1, 1, "MESSAGE_ID");
  if (!ids || !cmd.Connect()) return cmd.exit_code();
  v1::RetryDeliveryRequest request;
  request.set_message_id(ids->front());
  v1::RetryDeliveryResponse response;
  grpc::Status status =
      v1::DeliveryService::NewStub(cmd.channel())
          ->RetryDelivery(cmd.Context().get(), request, &response);
  if (!status.ok()) return cmd.RpcFailed(status);
  if (cmd.json()) {
    PrintJsonLine(response, cmd.out());
  } else {
    cmd.out() << "queued " << ids->front() << " for another push to "
              << response.delivery().recipient_org_id() << " (audit seq "
              << response.audit_seq() << ")\n";
  }
  return kExitOk;
}

const std::vector<Command>& DeliveryCommands() {
  static const auto* list_usage = new std::string(ClientUsage(
      "usage: caregatectl delivery list [--state STATE] [--to-org ORG] "
      "[--json]\n"
      "\n"
      "Lists messages by delivery state, oldest first, with their push\n"
      "attempts, when the next one is due and the last error; never their\n"
      "content. By default: the failed deliveries, then the pending ones.\n"
      "\n"
      "flags:\n"
      "  --state STATE  failed, pending (queued: not pushed yet, or for a\n"
      "                 clinic that pulls, not acknowledged yet), delivered,\n"
      "                 acknowledged, withheld_by_revocation, or all\n"
      "  --to-org ORG   only messages to this organization\n"
      "  --json         one Delivery per line as JSON\n",
      "  caregatectl delivery list --state failed "
      "--profile dev/pki/compliance-officer\n"));
  static const auto* retry_usage = new std::string(ClientUsage(
      "usage: caregatectl delivery retry MESSAGE_ID [--json]\n"
      "\n"
      "Puts a failed push delivery back in the outbox: it is pushed again at\n"
      "once, with a fresh retry budget. Audited as DELIVERY_RETRIED. Refused\n"
      "for a message that did not fail, or whose consent was revoked.\n",
      "  caregatectl delivery retry msg-... "
      "--profile dev/pki/compliance-officer\n"));
  static const auto* commands = new std::vector<Command>{
      {"list", "list deliveries by state", *list_usage, RunList},
      {"retry", "push a failed delivery again", *retry_usage, RunRetry},
  };
  return *commands;
}

}  // namespace

int RunDeliveryGroup(const std::vector<std::string>& args, CommandIo io) {
  return RunCommandGroup(
      "caregatectl delivery",
      "Push delivery's outbox (compliance, admin): what is stuck, and retry.",
      DeliveryCommands(), args, io);
}

}  // namespace caregate::ctl
