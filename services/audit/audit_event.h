// One event of the tamper-evident audit log, and a signed checkpoint of it.
//
// Plain values. Events never hold message bodies, names or notes: only ids,
// enums and hashes. See docs/audit-log.md for the canonical serialization.
#ifndef CAREGATE_SERVICES_AUDIT_AUDIT_EVENT_H_
#define CAREGATE_SERVICES_AUDIT_AUDIT_EVENT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"

namespace caregate {

// A SHA-256 digest.
using Hash256 = std::array<uint8_t, 32>;

struct AuditEvent {
  int64_t seq = 0;  // assigned by AuditChain::Append, from 1
  absl::Time time;  // stored with microsecond precision
  std::string actor_principal_id;
  v1::Role actor_role = v1::ROLE_UNSPECIFIED;
  std::string actor_org_id;
  v1::AuditAction action = v1::AUDIT_ACTION_UNSPECIFIED;
  std::string practice_org_id;
  std::string patient_id;
  std::string recipient_org_id;
  v1::Purpose purpose = v1::PURPOSE_UNSPECIFIED;
  std::vector<v1::Category> categories;
  std::vector<std::string> consent_ids;
  v1::DecisionOutcome outcome = v1::DECISION_OUTCOME_UNSPECIFIED;
  std::vector<v1::DenialReason> reasons;
  std::string content_sha256;  // lowercase hex, or empty
  std::string request_id;
  std::string subject_id;  // the disclosure, message or consent concerned
  std::string detail;      // short and PHI-free: an RPC name, a status code
  Hash256 prev_hash{};     // set by AuditChain::Append
  Hash256 hash{};          // set by AuditChain::Append
};

// A signed statement of the audit log's head, in the C2SP tlog-checkpoint
// form: body = "<origin>\n<seq>\n<base64(head_hash)>\n", signature = raw
// Ed25519 over exactly body.
struct Checkpoint {
  std::string origin;
  int64_t seq = 0;
  Hash256 head_hash{};
  absl::Time time;
  std::string body;
  std::string signature;  // 64 raw bytes
  std::string key_id;
  // The RFC 6962 root of the Merkle tree of events 1..seq
  // (docs/audit-log.md), and the checkpoint as a C2SP signed note over it:
  // "<origin>\n<seq>\n<base64 tree_root>\n", signed by the gateway with a
  // timestamped cosignature/v1 signature, followed by the witnesses'
  // cosignatures once they have signed. Both empty for checkpoints written
  // before the tree existed (schema v4 and older).
  std::optional<Hash256> tree_root;
  std::string note;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_AUDIT_EVENT_H_
