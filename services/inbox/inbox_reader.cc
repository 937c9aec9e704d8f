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
  if (row.acknowledged_at.has_value()) {
    *message.mutable_acknowledged_at() = ToProtoTime(*row.acknowledged_at);
  } else {
    message.clear_acknowledged_at();
  }
  return message;
}

absl::StatusOr<InboxPage> ReadInboxPage(Store& store, const DataCipher& cipher,
                                        std::string_view org_id,
                                        bool include_acknowledged,
                                        int64_t after_seq, int limit) {
  absl::StatusOr<std::vector<MessageRow>> rows =
      store.ListMessages(org_id, include_acknowledged, after_seq, limit + 1);
  if (!rows.ok()) return rows.status();
  InboxPage page;
  page.more = static_cast<int>(rows->size()) > limit;
  if (page.more) rows->resize(limit);
  page.last_seq = rows->empty() ? after_seq : rows->back().seq;
  page.messages.reserve(rows->size());
  for (const MessageRow& row : *rows) {
    absl::StatusOr<v1::Message> message = OpenStoredMessage(cipher, row);
    if (!message.ok()) return message.status();
    page.messages.push_back(*std::move(message));
  }
  return page;
}

}  // namespace caregate
