// Offline verification of an audit export
// (proto/caregate/v1/audit_export.proto) with nothing but the export and the
// gateway's published public key: the hash chain is recomputed from the events
// (services/audit), the checkpoint's signature checked, and the checkpoint
// matched against the recomputed chain. Also the conversions of the exported
// protos back into the audit library's values (the inverse of
// services/audit_service/audit_event_proto.h) and the export's JSON form.
//
// Pure functions, thread-safe.
#ifndef CAREGATE_SERVICES_CTL_OFFLINE_VERIFY_H_
#define CAREGATE_SERVICES_CTL_OFFLINE_VERIFY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "caregate/v1/audit_export.pb.h"
#include "caregate/v1/types.pb.h"
#include "services/audit/audit_event.h"
#include "services/crypto/ed25519.h"

namespace caregate::ctl {

// Every field, hashes included. INVALID_ARGUMENT "seq N: ..." when a hash is
// not 32 bytes or the time is out of range.
absl::StatusOr<AuditEvent> AuditEventFromProto(const v1::AuditEvent& proto);

// INVALID_ARGUMENT when head_hash is not 32 bytes or the time is invalid.
absl::StatusOr<Checkpoint> CheckpointFromProto(const v1::Checkpoint& proto);

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

// The export as the protobuf JSON mapping, indented, ending in "\n".
std::string AuditExportToJson(const v1::AuditExport& export_proto);

// Parses the JSON form; INVALID_ARGUMENT with the parser's message.
absl::StatusOr<v1::AuditExport> AuditExportFromJson(std::string_view json);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_OFFLINE_VERIFY_H_
