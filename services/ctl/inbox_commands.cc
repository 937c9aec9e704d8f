// `caregatectl inbox list|watch|show|ack`: a partner clinic's inbox.
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "caregate/v1/inbox_service.grpc.pb.h"
#include "services/common/absl_compat.h"
#include "services/crypto/ed25519.h"
#include "services/ctl/client_command.h"
#include "services/ctl/commands.h"
#include "services/ctl/message_view.h"
#include "services/ctl/output.h"
#include "services/ctl/time_text.h"

namespace caregate::ctl {
namespace {

std::string Categories(const v1::Message& m) {
  std::vector<std::string> names;
  for (const v1::Section& s : m.sections())
    names.push_back(Short(s.category()));
  return names.empty() ? "-" : absl::StrJoin(names, ", ");
}

std::vector<std::string> Row(const v1::Message& m) {
  return {m.message_id(), HumanTime(m.created_at()), m.sender_org_id(),
          m.patient_id(), m.recipient_provider_id(), Short(m.purpose()),
          Categories(m),  Short(m.delivery_state())};
}

const std::vector<std::string> kHeader = {
    "MESSAGE", "SENT", "FROM", "PATIENT", "TO", "PURPOSE", "SECTIONS", "STATE"};

// Every message of the inbox (acknowledged too when `all`), page by page;
// stops early when `visit` returns false.
grpc::Status ForEachMessage(
    ClientCommand& cmd, bool all,
    const std::function<bool(const v1::Message&)>& visit) {
  auto stub = v1::InboxService::NewStub(cmd.channel());
  v1::ListMessagesRequest request;
  request.set_include_acknowledged(all);
  request.set_page_size(500);
  do {
    v1::ListMessagesResponse response;
    grpc::Status status =
        stub->ListMessages(cmd.Context().get(), request, &response);
    if (!status.ok()) return status;
    for (const v1::Message& m : response.messages()) {
      if (!visit(m)) return grpc::Status::OK;
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return grpc::Status::OK;
}

int RunList(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl inbox list", io);
  bool all = false;
  cmd.flags().AddBool("all", &all);
  if (!cmd.Parse(args, 0, 0, "") || !cmd.Connect()) return cmd.exit_code();
  Table table(kHeader);
  grpc::Status status = ForEachMessage(cmd, all, [&](const v1::Message& m) {
    if (cmd.json()) {
      PrintJsonLine(m, cmd.out());
    } else {
      table.AddRow(Row(m));
    }
    return true;
  });
  if (!status.ok()) return cmd.RpcFailed(status);
  if (cmd.json()) return kExitOk;
  if (table.empty()) {
    cmd.out() << (all ? "The inbox is empty.\n"
                      : "No unacknowledged messages.\n");
  } else {
    table.Print(cmd.out());
  }
  return kExitOk;
}

int RunShow(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl inbox show", io);
  std::string pubkey;
  cmd.flags().AddString("pubkey", &pubkey);
  auto ids = cmd.Parse(args, 1, 1, "MESSAGE_ID");
  if (!ids || !cmd.Connect()) return cmd.exit_code();
  absl::StatusOr<std::unique_ptr<Ed25519Verifier>> verifier =
      LoadVerifier(PublicKeyPath(cmd.connection_flags(), pubkey));
  if (!verifier.ok()) return cmd.Fail(std::string(verifier.status().message()));
  std::optional<v1::Message> found = v1::Message();
  v1::GetMessageRequest request;
  request.set_message_id(ids->front());
  grpc::Status status = v1::InboxService::NewStub(cmd.channel())
                            ->GetMessage(cmd.Context().get(), request, &*found);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return cmd.Fail(absl::StrCat("not found: message ", ids->front(),
                                 " is not in your inbox"));
  }
  if (!status.ok()) return cmd.RpcFailed(status);
  const SignatureCheck check = CheckSignature(verifier->get(), *found);
  if (cmd.json()) {
    PrintJsonLine(*found, cmd.out());
  } else {
    PrintMessage(*found, check, cmd.out());
  }
  if (!check.verified) {
    return cmd.Fail(absl::StrCat("message ", found->message_id(),
                                 ": the gateway signature does not verify"));
  }
  return kExitOk;
}

int RunAck(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl inbox ack", io);
  auto ids = cmd.Parse(args, 1, 1, "MESSAGE_ID");
  if (!ids || !cmd.Connect()) return cmd.exit_code();
  auto stub = v1::InboxService::NewStub(cmd.channel());
  v1::AcknowledgeMessageRequest request;
  request.set_message_id(ids->front());
  v1::AcknowledgeMessageResponse response;
  grpc::Status status =
      stub->AcknowledgeMessage(cmd.Context().get(), request, &response);
  if (!status.ok()) return cmd.RpcFailed(status);
  if (cmd.json()) {
    PrintJsonLine(response, cmd.out());
  } else {
    cmd.out() << "acknowledged " << ids->front() << " at "
              << HumanTime(response.acknowledged_at()) << "\n";
  }
  return kExitOk;
}

int RunWatch(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd("caregatectl inbox watch", io);
  std::string pubkey, count_text;
  cmd.flags().AddString("pubkey", &pubkey);
  cmd.flags().AddString("count", &count_text);
  if (!cmd.Parse(args, 0, 0, "")) return cmd.exit_code();
  int count = 0;
  if (!count_text.empty() &&
      (!absl::SimpleAtoi(count_text, &count) || count < 1)) {
    return cmd.Usage("--count: expected a positive number");
  }
  if (!cmd.Connect()) return cmd.exit_code();
  absl::StatusOr<std::unique_ptr<Ed25519Verifier>> verifier =
      LoadVerifier(PublicKeyPath(cmd.connection_flags(), pubkey));
  if (!verifier.ok()) return cmd.Fail(std::string(verifier.status().message()));
  auto stub = v1::InboxService::NewStub(cmd.channel());
  grpc::ClientContext context;  // no deadline: streams until interrupted
  auto reader = stub->StreamMessages(&context, v1::StreamMessagesRequest());
  if (!cmd.json()) {
    cmd.out() << "Waiting for messages (Ctrl-C stops)...\n" << std::flush;
  }
  v1::Message m;
  int seen = 0;
  while (reader->Read(&m)) {
    if (cmd.json()) {
      PrintJsonLine(m, cmd.out());
    } else {
      cmd.out() << absl::StrJoin(Row(m), "  ") << "  signature "
                << CheckSignature(verifier->get(), m).summary << "\n";
    }
    cmd.out() << std::flush;
    if (count > 0 && ++seen >= count) {
      context.TryCancel();
      break;
    }
  }
  grpc::Status status = reader->Finish();
  if (count > 0 && seen >= count) return kExitOk;
  return status.ok() ? kExitOk : cmd.RpcFailed(status);
}

constexpr std::string_view kPubkeyHelp =
    "  --pubkey FILE  the gateway's published PEM key (default: the\n"
    "                 profile's DIR/keys/audit-signing.pub.pem)\n";

const std::vector<Command>& InboxCommands() {
  static const auto* list_usage = new std::string(ClientUsage(
      "usage: caregatectl inbox list [--all] [--json]\n"
      "\n"
      "Lists the messages addressed to your organization, oldest first:\n"
      "those not acknowledged yet, or with --all every one. The list holds\n"
      "summaries (no section bodies); `inbox show` prints a whole message.\n"
      "\n"
      "flags:\n"
      "  --all   include acknowledged messages\n"
      "  --json  one Message summary per line as JSON (body_omitted: true)\n",
      "  caregatectl inbox list --profile dev/pki/core-pelvic-pt-inbox\n"));
  static const auto* watch_usage = new std::string(ClientUsage(
      absl::StrCat(
          "usage: caregatectl inbox watch [--count N] [--pubkey FILE] "
          "[--json]\n"
          "\n"
          "Prints unacknowledged messages, then new ones as they arrive, "
          "each\nwith whether the gateway signature verifies, until "
          "interrupted\n(Ctrl-C).\n"
          "\n"
          "flags:\n"
          "  --count N      stop after N messages\n",
          AsAbsl(kPubkeyHelp),
          "  --json         one Message per line as JSON\n"),
      "  caregatectl inbox watch --profile dev/pki/core-pelvic-pt-inbox\n"));
  static const auto* show_usage = new std::string(ClientUsage(
      absl::StrCat(
          "usage: caregatectl inbox show MESSAGE_ID [--pubkey FILE] "
          "[--json]\n"
          "\n"
          "Prints a message: its sections, the consents it relied on, the\n"
          "redisclosure notice, and whether the gateway's signature "
          "verifies\nagainst the published key. Exit 1 when it does not.\n"
          "\n"
          "flags:\n",
          AsAbsl(kPubkeyHelp), "  --json         print the Message as JSON\n"),
      "  caregatectl inbox show msg-... --profile "
      "dev/pki/core-pelvic-pt-inbox\n"));
  static const auto* ack_usage = new std::string(ClientUsage(
      "usage: caregatectl inbox ack MESSAGE_ID [--json]\n"
      "\n"
      "Acknowledges receipt of a message; the sender sees it as delivered.\n",
      "  caregatectl inbox ack msg-... --profile "
      "dev/pki/core-pelvic-pt-inbox\n"));
  static const auto* commands = new std::vector<Command>{
      {"list", "list messages for your organization", *list_usage, RunList},
      {"watch", "print messages as they arrive", *watch_usage, RunWatch},
      {"show", "show a message and check its signature", *show_usage, RunShow},
      {"ack", "acknowledge a message", *ack_usage, RunAck},
  };
  return *commands;
}

}  // namespace

int RunInboxGroup(const std::vector<std::string>& args, CommandIo io) {
  return RunCommandGroup("caregatectl inbox",
                         "Your organization's inbox (partner clinics).",
                         InboxCommands(), args, io);
}

}  // namespace caregate::ctl
