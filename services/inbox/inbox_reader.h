// Reading an organization's inbox from the Store: opens the sealed copies of
// stored messages and pages through them in seq order. Plain C++: no gRPC
// types.
//
// Thread-safe (the Store's reads and DataCipher are); blocking, so call it on
// the executor, never on a gRPC reactor. Errors: the Store's (UNAVAILABLE,
// ...), and DATA_LOSS for a stored message that cannot be opened — sealed
// with another key, altered, or not a Message. The error and the log name the
// message id only, never its content.
#ifndef CAREGATE_SERVICES_INBOX_INBOX_READER_H_
#define CAREGATE_SERVICES_INBOX_INBOX_READER_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "caregate/v1/types.pb.h"
#include "services/crypto/data_cipher.h"
#include "services/store/store.h"

namespace caregate {

// The Message of `row`: its sealed copy opened with `cipher` (associated data:
// the message id), with delivery_state and acknowledged_at taken from the row
// (the sealed copy holds the state at sending time).
absl::StatusOr<v1::Message> OpenStoredMessage(const DataCipher& cipher,
                                              const MessageRow& row);

// One page of an inbox, oldest first.
struct InboxPage {
  std::vector<v1::Message> messages;
  int64_t last_seq = 0;  // seq of the last message; the after_seq of the next
  bool more = false;     // true when messages after this page exist
};

// Which page to read.
struct InboxPageRequest {
  bool include_acknowledged = false;  // ACKNOWLEDGED ones too, not only QUEUED
  int64_t after_seq = 0;              // only messages with seq > after_seq
  int64_t through_seq = INT64_MAX;    // ... and seq <= through_seq
  int max_messages = 50;              // >= 1
  // The page ends once its messages hold this many bytes (serialized); it
  // always holds at least one message when there is one.
  size_t max_bytes = 1 << 20;
  // Summaries: section bodies cleared, body_omitted set.
  bool summaries = false;
};

// The page of `org_id`'s inbox that `request` asks for. Memory: at most the
// page's messages plus one (each opened, summarized, then kept or dropped).
absl::StatusOr<InboxPage> ReadInboxPage(Store& store, const DataCipher& cipher,
                                        std::string_view org_id,
                                        const InboxPageRequest& request);

// The message as its recipient sees it, when `message` belongs to `org_id`'s
// inbox (any state but withheld); std::nullopt when it does not exist or
// belongs to another organization (`*other_organization` tells which).
absl::StatusOr<std::optional<v1::Message>> ReadInboxMessage(
    Store& store, const DataCipher& cipher, std::string_view org_id,
    std::string_view message_id, bool* other_organization);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_INBOX_INBOX_READER_H_
