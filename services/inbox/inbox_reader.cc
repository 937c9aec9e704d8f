#include "services/inbox/inbox_reader.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "services/common/proto_time.h"
#include "spdlog/spdlog.h"

namespace caregate {
namespace {

absl::Status Unreadable(const MessageRow& row, std::string_view why) {
  spdlog::error("stored message {} cannot be opened: {}", row.message_id, why);
  return absl::DataLossError(absl::StrCat("message ", row.message_id,
                                          ": stored copy cannot be opened"));
}

}  // namespace

absl::StatusOr<v1::Message> OpenStoredMessage(const DataCipher& cipher,
                                              const MessageRow& row) {
  if (row.key_id != cipher.key_id()) {
    return Unreadable(row, "sealed with another data key");
  }
  absl::StatusOr<std::string> plain =
      cipher.Open(row.sealed_envelope, row.message_id);
  if (!plain.ok()) return Unreadable(row, "authentication failed");
  v1::Message message;
  if (!message.ParseFromString(*plain) ||
      message.message_id() != row.message_id) {
    return Unreadable(row, "not the stored message");
  }
  message.set_delivery_state(row.state);
  message.set_audit_seq(row.seq);
  if (row.acknowledged_at.has_value()) {
    *message.mutable_acknowledged_at() = ToProtoTime(*row.acknowledged_at);
  } else {
    message.clear_acknowledged_at();
  }
  return message;
}

absl::StatusOr<InboxPage> ReadInboxPage(Store& store, const DataCipher& cipher,
                                        std::string_view org_id,
                                        const InboxPageRequest& request) {
  InboxPage page;
  page.last_seq = request.after_seq;
  if (request.after_seq >= request.through_seq) return page;
  absl::StatusOr<std::vector<MessageRow>> rows =
      store.ListMessages(org_id, request.include_acknowledged,
                         request.after_seq, request.max_messages + 1);
  if (!rows.ok()) return rows.status();
  size_t bytes = 0;
  for (const MessageRow& row : *rows) {
    if (row.seq > request.through_seq) break;
    const bool full =
        static_cast<int>(page.messages.size()) == request.max_messages ||
        (!page.messages.empty() && bytes >= request.max_bytes);
    if (full) {
      page.more = true;
      break;
    }
    absl::StatusOr<v1::Message> message = OpenStoredMessage(cipher, row);
    if (!message.ok()) return message.status();
    if (request.summaries) {
      for (v1::Section& section : *message->mutable_sections()) {
        section.clear_body();
      }
      message->set_body_omitted(true);
    }
    bytes += message->ByteSizeLong();
    page.messages.push_back(*std::move(message));
    page.last_seq = row.seq;
  }
  return page;
}

absl::StatusOr<std::optional<v1::Message>> ReadInboxMessage(
    Store& store, const DataCipher& cipher, std::string_view org_id,
    std::string_view message_id, bool* other_organization) {
  *other_organization = false;
  absl::StatusOr<std::optional<MessageRow>> row = store.GetMessage(message_id);
  if (!row.ok()) return row.status();
  if (!row->has_value() ||
      (*row)->state == v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION) {
    *other_organization =
        row->has_value() && (*row)->recipient_org_id != org_id;
    return std::optional<v1::Message>();
  }
  if ((*row)->recipient_org_id != org_id) {
    *other_organization = true;
    return std::optional<v1::Message>();
  }
  absl::StatusOr<v1::Message> message = OpenStoredMessage(cipher, **row);
  if (!message.ok()) return message.status();
  return std::optional<v1::Message>(*std::move(message));
}

}  // namespace caregate
