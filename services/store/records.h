// Rows the Store keeps besides consents and audit events. Plain values.
#ifndef CAREGATE_SERVICES_STORE_RECORDS_H_
#define CAREGATE_SERVICES_STORE_RECORDS_H_

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "services/common/patient.h"

namespace caregate {

// A permitted (possibly redacted) disclosure. Its (sender_principal_id,
// request_id) pair is unique: it is the idempotency record of SendDisclosure.
struct DisclosureRow {
  std::string disclosure_id;
  std::string practice_org_id;
  std::string sender_principal_id;
  std::string request_id;
  std::string patient_id;
  std::string recipient_org_id;
  std::string recipient_provider_id;
  v1::Purpose purpose = v1::PURPOSE_UNSPECIFIED;
  v1::DecisionOutcome outcome = v1::DECISION_OUTCOME_UNSPECIFIED;
  std::vector<v1::Category> categories;  // the categories actually sent
  std::vector<std::string> consent_ids;
  std::string content_sha256;  // lowercase hex
  int64_t audit_seq = 0;
  std::string message_id;
  absl::Time created_at;
  std::string decision_bytes;  // serialized caregate.v1.Decision, opaque here
  // Keyed digest of the request (services/validation/request_fingerprint.h):
  // a repeated request id with another digest is a different request. Empty
  // for disclosures stored before digests existed.
  std::string request_digest;
};

// A message waiting in, or delivered from, a recipient organization's inbox.
// `seq` orders an inbox (it is the audit seq of the disclosure event).
struct MessageRow {
  std::string message_id;
  std::string disclosure_id;
  std::string recipient_org_id;
  int64_t seq = 0;
  std::vector<std::string> consent_ids;
  v1::DeliveryState state = v1::DELIVERY_STATE_QUEUED;
  absl::Time created_at;
  std::optional<absl::Time> acknowledged_at;
  std::string key_id;  // the data key that sealed `sealed_envelope`
  std::string
      sealed_envelope;  // AES-256-GCM sealed serialized Message, opaque here

  // Push delivery (recipients with an endpoint; untouched for those who
  // pull). Attempts made so far; when the next one is due (std::nullopt: at
  // once); what went wrong last, free of message content; when the endpoint
  // accepted the message; when compliance last put it back in the outbox
  // after it failed (the retry policy's max_age counts from there).
  int delivery_attempts = 0;
  std::optional<absl::Time> next_attempt_at;
  std::string last_delivery_error;
  std::optional<absl::Time> delivered_at;
  std::optional<absl::Time> retried_at;
};

// Filters of Store::ListDeliveries; empty fields match everything.
struct DeliveryQuery {
  v1::DeliveryState state = v1::DELIVERY_STATE_UNSPECIFIED;
  std::string recipient_org_id;
  int64_t after_seq = 0;  // pagination: only messages with seq > after_seq
  int limit = 50;
};

// What Store::ClaimDueMessages takes: up to `limit` QUEUED messages of
// `recipient_org_id` due at `now`, with seq <= `max_seq` (those the caller
// may push: its durable head), leased to `owner` until `lease_until`.
struct PushClaim {
  std::string recipient_org_id;
  absl::Time now;
  int64_t max_seq = std::numeric_limits<int64_t>::max();
  std::string owner;
  absl::Time lease_until;
  int limit = 64;
};

// A patient's consent revision (Store::ListConsentRevisionsAfter).
struct PatientRevision {
  PatientRef patient;
  int64_t revision = 0;
};

// The last event of the audit chain.
struct ChainHead {
  int64_t seq = 0;
  std::array<uint8_t, 32> hash{};
};

// Filters of an audit query; empty fields match everything. A patient is
// always matched as the pair (practice, patient id).
struct AuditQuery {
  PatientRef patient;
  std::string actor_principal_id;
  std::string recipient_org_id;
  std::vector<v1::AuditAction> actions;
  v1::DecisionOutcome outcome = v1::DECISION_OUTCOME_UNSPECIFIED;
  std::optional<absl::Time> since;  // inclusive
  std::optional<absl::Time> until;  // exclusive
  int64_t after_seq = 0;  // pagination: only events with seq > after_seq
  int limit = 100;
};

// Counts over a period, computed by the store (Store::SummarizeAuditEvents).
// Every list holds only non-zero counts.
struct AuditSummary {
  struct ActionCount {
    v1::AuditAction action = v1::AUDIT_ACTION_UNSPECIFIED;
    int64_t count = 0;
  };
  // Permitted and redacted disclosures of one UTC month to one provider.
  struct MonthlyRecipientCount {
    absl::Time month_start;  // the first instant of the month, UTC
    std::string recipient_org_id;
    std::string recipient_provider_id;
    int64_t count = 0;
  };
  struct ReasonCount {
    v1::DenialReason reason = v1::DENIAL_REASON_UNSPECIFIED;
    int64_t count = 0;
  };
  struct PrincipalCount {
    std::string principal_id;
    int64_t count = 0;
  };

  std::vector<ActionCount> actions;  // ascending action
  // By month, then recipient org, then provider.
  std::vector<MonthlyRecipientCount> disclosures_by_month;
  // DISCLOSURE_DENIED events per reason they list, ascending reason.
  std::vector<ReasonCount> denials_by_reason;
  // ACCESS_DENIED events per actor, ascending principal id.
  std::vector<PrincipalCount> access_denied_by_principal;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_STORE_RECORDS_H_
