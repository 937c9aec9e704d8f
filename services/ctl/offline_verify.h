// Offline verification of an audit export
// (proto/caregate/v1/audit_export.proto) with nothing but the export and the
// gateway's published public key: the hash chain is recomputed from the events
// (services/audit), the checkpoint's signature checked, and the checkpoint
// matched against the recomputed chain. Also the conversions of the exported
// protos back into the audit library's values (the inverse of
// services/audit_service/audit_event_proto.h), and the export's JSON and
// binary forms (LoadAuditExport reads either).
//
// Pure functions, thread-safe.
#ifndef CAREGATE_SERVICES_CTL_OFFLINE_VERIFY_H_
#define CAREGATE_SERVICES_CTL_OFFLINE_VERIFY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "caregate/v1/audit_export.pb.h"
#include "caregate/v1/types.pb.h"
#include "services/audit/audit_event.h"
#include "services/crypto/ed25519.h"

namespace caregate::ctl {

// Every field, hashes included. INVALID_ARGUMENT "seq N: ..." when a hash is
// not 32 bytes or the time is out of range.
absl::StatusOr<AuditEvent> AuditEventFromProto(const v1::AuditEvent& proto);
// The same into `event`, whose strings and lists keep their buffers (for a
// loop over many events); `event` is partly written on an error.
absl::Status AuditEventFromProtoInto(const v1::AuditEvent& proto,
                                     AuditEvent* event);

// INVALID_ARGUMENT when head_hash is not 32 bytes or the time is invalid.
absl::StatusOr<Checkpoint> CheckpointFromProto(const v1::Checkpoint& proto);

// The events of an export: the messages of a parsed export, or the encoded
// events of a binary one, each parsed only when read (a 1M-event export is
// then never held as 1M messages, and ranges of it parse on several
// threads). Views: what it was made from must outlive it.
class ExportEvents {
 public:
  explicit ExportEvents(const v1::AuditExport& parsed)
      : parsed_(&parsed.events()) {}
  explicit ExportEvents(std::vector<std::string_view> encoded)
      : encoded_(std::move(encoded)) {}

  int size() const {
    return parsed_ != nullptr ? parsed_->size()
                              : static_cast<int>(encoded_.size());
  }
  // Event `i`: the parsed message, or `scratch` parsed from its bytes;
  // nullptr when they are not a caregate.v1.AuditEvent. Thread-safe with a
  // scratch message per thread.
  const v1::AuditEvent* Get(int i, v1::AuditEvent& scratch) const;

 private:
  const google::protobuf::RepeatedPtrField<v1::AuditEvent>* parsed_ = nullptr;
  std::vector<std::string_view> encoded_;
};

// The outcome of VerifyAuditExport.
struct OfflineReport {
  bool ok = false;
  int64_t event_count = 0;
  // The last seq whose hash chain verified.
  int64_t verified_through_seq = 0;
  // When !ok: the first seq found bad (the checkpoint's seq for a
  // checkpoint problem, the first missing seq when the events stop before
  // a checkpoint's seq, 0 when there is no checkpoint).
  int64_t first_bad_seq = 0;
  // When !ok: what is wrong; names seqs, never event content.
  std::string problem;
  // The checkpoint's seq and key id, when it verified.
  int64_t checkpoint_seq = 0;
  std::string key_id;
  // Events after the checkpoint: chained, not covered by its signature.
  int64_t events_after_checkpoint = 0;
};

// Checks, in this order, reporting the first problem: each event's seq,
// prev_hash and hash (ChainVerifier); that there is a checkpoint; for each of
// `checkpoints` and then `checkpoint`: its signature with `verifier`, and that
// it matches the chain (a checkpoint beyond the last event is bad from the
// first missing seq, as VerifyAuditLog reports it); then, unless
// `allow_unsigned_tail`, that no event comes after the last checkpoint: such
// events are only chained, and anyone could have appended them, so they are
// bad from the first of them ("N events after the checkpoint at seq S are not
// covered by any signature").
OfflineReport VerifyAuditExport(const v1::AuditExport& export_proto,
                                const Ed25519Verifier& verifier,
                                bool allow_unsigned_tail = false);
// The same with the events apart: `head` gives the checkpoints (its events
// are ignored). The events' hashes are checked on several threads. When the
// chain is intact and `event_hashes` is given, it receives every event's
// hash in seq order (for CheckExportAgainstTrust).
OfflineReport VerifyAuditExport(const v1::AuditExport& head,
                                const ExportEvents& events,
                                const Ed25519Verifier& verifier,
                                bool allow_unsigned_tail = false,
                                std::vector<Hash256>* event_hashes = nullptr);

// The export as the protobuf JSON mapping, indented, ending in "\n".
std::string AuditExportToJson(const v1::AuditExport& export_proto);

// Parses the JSON form; INVALID_ARGUMENT with the parser's message.
absl::StatusOr<v1::AuditExport> AuditExportFromJson(std::string_view json);

// The export in protobuf's binary wire format (`audit export --format
// binary`): the same message, readable by any protobuf tool
// (`protoc --decode caregate.v1.AuditExport`), a third of the JSON's size
// and parsed in a fraction of its time.
std::string AuditExportToBinary(const v1::AuditExport& export_proto);

// An export read from a file (LoadAuditExport).
struct LoadedAuditExport {
  // JSON: the whole export. Binary: everything but the events.
  v1::AuditExport head;
  // Binary: the file, which `events` points into.
  std::string bytes;
  ExportEvents events{std::vector<std::string_view>{}};
};

// Reads either form `audit export` writes. A file whose first byte that is
// not blank is '{' is JSON, unless it begins with 0x0a and parses as
// binary: a binary export begins with a field tag, and the tag of its first
// event (0x0a) is a newline, which the event's length (here 123, '{') may
// follow. A binary export's events stay encoded until read. INVALID_ARGUMENT
// naming the form when the bytes do not parse as it (binary exports are limited
// to 2 GiB, protobuf's limit).
absl::StatusOr<std::unique_ptr<LoadedAuditExport>> LoadAuditExport(
    std::string bytes);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_OFFLINE_VERIFY_H_
