// The gateway's plain C++ view of a recorded consent and of a decision.
//
// These are values: copyable, no internal synchronization. Enum types are the
// protobuf-generated enums of caregate.v1 (plain C++ enums, no gRPC types), so
// the policy code and the API share one set of names.
#ifndef CAREGATE_SERVICES_POLICY_CONSENT_RECORD_H_
#define CAREGATE_SERVICES_POLICY_CONSENT_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"

namespace caregate {

using v1::Category;
using v1::DecisionOutcome;
using v1::DenialReason;
using v1::Purpose;
using v1::Specialty;

// A set of small enum values (Category, Purpose) as a bit mask.
template <typename Enum>
class EnumSet {
 public:
  constexpr EnumSet() = default;
  static EnumSet FromBits(uint64_t bits) {
    EnumSet s;
    s.bits_ = bits;
    return s;
  }
  void Add(Enum e) { bits_ |= Bit(e); }
  bool Contains(Enum e) const { return (bits_ & Bit(e)) != 0; }
  bool empty() const { return bits_ == 0; }
  uint64_t bits() const { return bits_; }
  // The members in ascending enum order.
  std::vector<Enum> ToVector() const {
    std::vector<Enum> out;
    for (int i = 0; i < 64; ++i) {
      if (bits_ & (uint64_t{1} << i)) out.push_back(static_cast<Enum>(i));
    }
    return out;
  }
  friend bool operator==(EnumSet a, EnumSet b) { return a.bits_ == b.bits_; }

 private:
  static uint64_t Bit(Enum e) {
    const int v = static_cast<int>(e);
    return (v >= 0 && v < 64) ? (uint64_t{1} << v) : 0;
  }
  uint64_t bits_ = 0;
};

using CategorySet = EnumSet<Category>;
using PurposeSet = EnumSet<Purpose>;

// To whom a consent allows disclosure. At most one of provider_id / specialty
// narrows the organization (both only when the provider has that specialty).
struct Grantee {
  std::string org_id;
  std::string provider_id;  // empty: any provider (subject to specialty)
  Specialty specialty = v1::SPECIALTY_UNSPECIFIED;  // unspecified: any
};

// Evidence of the signed form, as recorded.
struct ConsentEvidence {
  std::string information_description;
  std::string document_sha256;  // 64 lowercase hex characters
  absl::Time signed_at = absl::InfinitePast();
  std::string signer_name;
  v1::SignerRelationship signer_relationship = v1::SIGNER_RELATIONSHIP_UNSPECIFIED;
  std::string representative_authority;
  std::string witness;
  bool states_right_to_revoke = false;
  bool states_treatment_not_conditioned = false;
  bool states_redisclosure_risk = false;
  v1::CaptureMethod capture_method = v1::CAPTURE_METHOD_UNSPECIFIED;
};

// The revocation of a consent.
struct Revocation {
  absl::Time revoked_at;
  std::string revoked_by;
  std::string reason;
};

// A consent's patient-identifying text as the store keeps it: sealed with
// the data key (AES-256-GCM), never in plain text. services/consent/
// consent_text.h seals and opens it; the in-memory index holds the plain
// fields and leaves these empty.
struct SealedConsentText {
  std::string key_id;             // the data key that sealed both
  std::string evidence;           // information_description, signer_name,
                                  // representative_authority, witness
  std::string revocation_reason;  // empty until revoked
};

// A recorded consent. Immutable once recorded, apart from `revocation` and
// `revision`.
struct ConsentRecord {
  std::string consent_id;
  std::string patient_id;
  std::string practice_org_id;
  Grantee grantee;
  PurposeSet purposes;
  CategorySet categories;
  CategorySet withheld_categories;
  absl::Time valid_from = absl::InfinitePast();
  absl::Time expires_at = absl::InfinitePast();
  ConsentEvidence evidence;
  std::string recorded_by;
  absl::Time recorded_at = absl::InfinitePast();
  std::string request_id;  // the recording call's idempotency key, may be empty
  int64_t revision = 1;
  std::optional<Revocation> revocation;
  // Storage only (empty in the index): the sealed text, and the keyed digest
  // of the recording request that tells a retry from a reused request id.
  SealedConsentText sealed;
  std::string request_digest;

  bool revoked() const { return revocation.has_value(); }
  // In effect at `now`: not revoked and valid_from <= now < expires_at.
  bool InEffectAt(absl::Time now) const {
    return !revoked() && valid_from <= now && now < expires_at;
  }
};

// The recipient of a disclosure, resolved against the directory.
struct Recipient {
  std::string org_id;
  std::string provider_id;
  Specialty provider_specialty = v1::SPECIALTY_UNSPECIFIED;
};

// What the DecisionEngine evaluates.
struct DecisionRequest {
  std::string practice_org_id;
  std::string patient_id;
  Recipient recipient;
  Purpose purpose = v1::PURPOSE_UNSPECIFIED;
  std::vector<Category> section_categories;  // one per section, in order
  bool redact_uncovered = false;
  absl::Time now;
};

// The decision for one section.
struct SectionVerdict {
  int index = 0;
  Category category = v1::CATEGORY_UNSPECIFIED;
  bool covered = false;
  std::string consent_id;  // the covering consent, when covered
  std::optional<DenialReason> reason;  // the nearest miss, when not covered
};

// The decision for a whole disclosure.
struct DecisionResult {
  DecisionOutcome outcome = v1::DECISION_OUTCOME_DENIED;
  std::vector<SectionVerdict> sections;
  // The distinct consents the covered sections rely on, in first-use order.
  std::vector<std::string> consent_ids;
  // A PHI-free explanation, e.g. "2 of 3 sections covered; TRAUMA_HISTORY:
  // CATEGORY_WITHHELD".
  std::string explanation;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_POLICY_CONSENT_RECORD_H_
