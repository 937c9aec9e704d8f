#include "tests/crash/crash_checks.h"

#include <map>

#include "absl/strings/str_cat.h"

namespace caregate::crash {
namespace {

// The API events, counted the ways the checks need.
struct EventIndex {
  explicit EventIndex(const std::vector<v1::AuditEvent>& all);
  // The event of `seq`, when the log is contiguous up to it.
  const v1::AuditEvent* At(int64_t seq) const;

  const std::vector<v1::AuditEvent>& events;
  // PERMITTED/REDACTED events per (actor, request_id).
  std::map<std::pair<std::string, std::string>, int> disclosure_events;
  // Per subject id.
  std::map<std::string, int> acknowledged, withheld, revoked;
};

EventIndex::EventIndex(const std::vector<v1::AuditEvent>& all) : events(all) {
  for (const v1::AuditEvent& e : all) {
    switch (e.action()) {
      case v1::AUDIT_ACTION_DISCLOSURE_PERMITTED:
      case v1::AUDIT_ACTION_DISCLOSURE_REDACTED:
        ++disclosure_events[{e.actor_principal_id(), e.request_id()}];
        break;
      case v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED:
        ++acknowledged[e.subject_id()];
        break;
      case v1::AUDIT_ACTION_MESSAGE_WITHHELD:
        ++withheld[e.subject_id()];
        break;
      case v1::AUDIT_ACTION_CONSENT_REVOKED:
        ++revoked[e.subject_id()];
        break;
      default:
        break;
    }
  }
}

const v1::AuditEvent* EventIndex::At(int64_t seq) const {
  if (seq < 1 || seq > static_cast<int64_t>(events.size())) return nullptr;
  const v1::AuditEvent& e = events[seq - 1];
  return e.seq() == seq ? &e : nullptr;
}

int CountOf(const std::map<std::string, int>& counts, const std::string& id) {
  const auto it = counts.find(id);
  return it == counts.end() ? 0 : it->second;
}

std::string CallName(const CallState& call, const std::string& id) {
  return absl::StrCat(call.principal, "/", id, " (cycle ", call.cycle, ")");
}

// Why `receipt` is not fully present, or "" when it is.
std::string MissingPart(const SendCall& call, const v1::Receipt& receipt,
                        const EventIndex& index, const StoreView& store) {
  const auto rows = store.disclosures.find({call.principal, call.request_id});
  if (rows == store.disclosures.end()) return "no disclosure row";
  const StoredDisclosure& row = rows->second.front();
  if (row.disclosure_id != receipt.disclosure_id()) {
    return absl::StrCat("disclosure row is ", row.disclosure_id);
  }
  if (row.audit_seq != receipt.audit_seq() ||
      row.content_sha256 != receipt.content_sha256()) {
    return absl::StrCat("disclosure row (audit_seq ", row.audit_seq,
                        ") differs from the receipt");
  }
  const auto message = store.messages.find(row.message_id);
  if (message == store.messages.end()) return "no message row";
  if (message->second.disclosure_id != receipt.disclosure_id() ||
      message->second.seq != receipt.audit_seq()) {
    return "message row does not match the receipt";
  }
  const int state = message->second.state;
  if (state < v1::DELIVERY_STATE_QUEUED ||
      state > v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION) {
    return absl::StrCat("message state ", state);
  }
  const v1::AuditEvent* event = index.At(receipt.audit_seq());
  if (event == nullptr) return "no audit event at the receipt's audit_seq";
  const bool redacted = receipt.decision().outcome() ==
                        v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS;
  if (event->action() != (redacted ? v1::AUDIT_ACTION_DISCLOSURE_REDACTED
                                   : v1::AUDIT_ACTION_DISCLOSURE_PERMITTED) ||
      event->subject_id() != receipt.disclosure_id() ||
      event->request_id() != call.request_id ||
      event->actor_principal_id() != call.principal ||
      event->content_sha256() != receipt.content_sha256()) {
    return absl::StrCat("audit event ", receipt.audit_seq(),
                        " is not this disclosure's (action ",
                        v1::AuditAction_Name(event->action()), ")");
  }
  return "";
}

void CheckSend(const SendCall& call, const EventIndex& index,
               const StoreView& store, CheckFigures& f) {
  const std::string name = CallName(call, call.request_id);
  if (!call.answered) {
    return f.Fail(absl::StrCat("send ", name, ": no answer after ",
                               call.attempts, " attempts (last ", call.code,
                               ")"));
  }
  const auto rows = store.disclosures.find({call.principal, call.request_id});
  const auto counted =
      index.disclosure_events.find({call.principal, call.request_id});
  const int events =
      counted == index.disclosure_events.end() ? 0 : counted->second;
  if (events > 1) {
    f.Duplicate(absl::StrCat("send ", name, ": ", events,
                             " PERMITTED/REDACTED audit events"));
  }
  if (call.code == grpc::StatusCode::FAILED_PRECONDITION) {
    if (rows != store.disclosures.end() || events > 0) {
      f.Fail(absl::StrCat("send ", name, ": answered DENIED but stored"));
    }
    return;
  }
  if (!call.receipt.has_value()) {
    return f.Fail(
        absl::StrCat("send ", name, ": unexpected answer ", call.code));
  }
  ++f.receipts_checked;
  const std::string missing = MissingPart(call, *call.receipt, index, store);
  if (!missing.empty()) {
    f.Lost(absl::StrCat("receipt ", call.receipt->disclosure_id(), " of ", name,
                        ": ", missing));
  }
}

void CheckAck(const AckCall& call, const EventIndex& index,
              const StoreView& store, CheckFigures& f) {
  const std::string name = CallName(call, call.message_id);
  if (!call.answered) {
    return f.Fail(absl::StrCat("ack ", name, ": no answer after ",
                               call.attempts, " attempts"));
  }
  const auto message = store.messages.find(call.message_id);
  const int state = message == store.messages.end() ? 0 : message->second.state;
  if (call.code == grpc::StatusCode::FAILED_PRECONDITION) {
    if (state != v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION) {
      f.Fail(absl::StrCat("ack ", name, ": refused but state ", state));
    }
    return;
  }
  if (call.code != grpc::StatusCode::OK) {
    return f.Fail(
        absl::StrCat("ack ", name, ": unexpected answer ", call.code));
  }
  ++f.acks_checked;
  if (state != v1::DELIVERY_STATE_ACKNOWLEDGED ||
      CountOf(index.acknowledged, call.message_id) == 0) {
    f.Lost(absl::StrCat("ack ", name, ": state ", state, ", ",
                        CountOf(index.acknowledged, call.message_id),
                        " ACKNOWLEDGED events"));
  }
}

void CheckRevoke(const RevokeCall& call, const EventIndex& index,
                 const StoreView& store, CheckFigures& f) {
  const std::string name = CallName(call, call.consent_id);
  if (!call.answered || call.code != grpc::StatusCode::OK) {
    return f.Fail(absl::StrCat(
        "revoke ", name, ": ",
        call.answered ? "unexpected answer " : "no answer, last ", call.code));
  }
  ++f.revokes_checked;
  const auto it = store.consents_revoked.find(call.consent_id);
  if (it == store.consents_revoked.end() || !it->second ||
      CountOf(index.revoked, call.consent_id) == 0) {
    f.Lost(absl::StrCat("revocation ", name, " not stored"));
  }
}

// Every stored message's state has exactly the audit events it implies, and
// nothing was acknowledged, withheld or revoked twice.
void CheckStates(const EventIndex& index, const StoreView& store,
                 CheckFigures& f) {
  for (const auto& [id, message] : store.messages) {
    const int acks = CountOf(index.acknowledged, id);
    const int withheld = CountOf(index.withheld, id);
    const int want_acks = message.state == v1::DELIVERY_STATE_ACKNOWLEDGED;
    const int want_withheld =
        message.state == v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION;
    if (acks > 1 || withheld > 1) {
      f.Duplicate(absl::StrCat("message ", id, ": ", acks, " acks, ", withheld,
                               " withheld events"));
    } else if (acks != want_acks || withheld != want_withheld) {
      f.Fail(absl::StrCat("message ", id, " in state ", message.state, " has ",
                          acks, " ack and ", withheld, " withheld events"));
    }
  }
  for (const auto& [id, count] : index.revoked) {
    if (count > 1) f.Duplicate(absl::StrCat("consent ", id, " revoked twice"));
  }
  for (const auto& [key, count] : index.disclosure_events) {
    const auto rows = store.disclosures.find(key);
    if (rows == store.disclosures.end()) {
      f.Fail(absl::StrCat("request ", key.first, "/", key.second,
                          ": disclosure event without a disclosure row"));
    }
  }
  for (const auto& [key, rows] : store.disclosures) {
    for (const StoredDisclosure& row : rows) {
      if (!store.messages.contains(row.message_id)) {
        f.Fail(absl::StrCat("disclosure ", row.disclosure_id,
                            " has no message ", row.message_id));
      }
    }
  }
  for (const std::string& p : store.messages_without_event) f.Fail(p);
  for (const std::string& p : store.duplicate_rows) f.Duplicate(p);
  for (const std::string& p : store.head_problems) f.Fail(p);
}

}  // namespace

CheckFigures CheckAll(const CallRecords& calls, const ApiView& api,
                      const StoreView& store, ChainMemory& memory) {
  CheckFigures f;
  f.events = static_cast<int64_t>(api.events.size());
  CheckChain(api, store, memory, f);
  const EventIndex index(api.events);
  for (const SendCall& call : calls.sends) CheckSend(call, index, store, f);
  for (const AckCall& call : calls.acks) CheckAck(call, index, store, f);
  for (const RevokeCall& call : calls.revokes) {
    CheckRevoke(call, index, store, f);
  }
  CheckStates(index, store, f);
  return f;
}

}  // namespace caregate::crash
