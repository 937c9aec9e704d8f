// ConsentTerms: what the consent index keeps of each consent, compactly:
// exactly what decisions (DESIGN.md rules 2-5) and a message's consent
// summary read. The evidence of the signed form (names, description, the
// recording's metadata) stays in the store; GetConsent/ListConsents read it
// from there.
//
// Ids are the IdTable's interned ids; times are Unix nanoseconds, saturated
// at the int64 range (so InfinitePast/InfiniteFuture and any time beyond
// 1678-2262 keep their order against any real `now`).
#ifndef CAREGATE_SERVICES_POLICY_CONSENT_TERMS_H_
#define CAREGATE_SERVICES_POLICY_CONSENT_TERMS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "services/policy/consent_record.h"
#include "services/policy/id_table.h"

namespace caregate {

// `t` as Unix nanoseconds, saturated at the int64 range.
int64_t ToTermsTime(absl::Time t);
// The inverse; the saturated ends come back as InfinitePast/InfiniteFuture.
absl::Time FromTermsTime(int64_t nanos);

struct ConsentTerms {
  std::string_view consent_id;  // owned by the index (or the caller)
  int64_t valid_from = INT64_MIN;
  int64_t expires_at = INT64_MIN;
  int64_t signed_at = INT64_MIN;
  PurposeSet purposes;
  CategorySet categories;
  CategorySet withheld_categories;
  uint32_t patient = 0;           // the index's patient slot
  uint32_t grantee_org = 0;       // IdTable ids
  uint32_t grantee_provider = 0;  // 0 (the empty id): any provider
  Specialty grantee_specialty = v1::SPECIALTY_UNSPECIFIED;  // unspecified: any
  bool revoked = false;

  // In effect at `now` (ToTermsTime): not revoked and
  // valid_from <= now < expires_at.
  bool InEffectAt(int64_t now) const {
    return !revoked && valid_from <= now && now < expires_at;
  }
};

// The recipient of a disclosure in IdTable ids: IdTable::kUnknown for an id
// the table never interned (no consent names it).
struct RecipientIds {
  uint32_t org = 0;
  uint32_t provider = 0;  // 0: the request names no provider
  Specialty specialty = v1::SPECIALTY_UNSPECIFIED;
};

// A consent as the index holds it, copied out with its ids as strings: what
// callers outside the index read (a message's consent summary, the practice
// a consent belongs to).
struct IndexedConsent {
  std::string consent_id;
  std::string practice_org_id;
  std::string patient_id;
  Grantee grantee;
  PurposeSet purposes;
  CategorySet categories;
  CategorySet withheld_categories;
  absl::Time valid_from = absl::InfinitePast();
  absl::Time expires_at = absl::InfinitePast();
  absl::Time signed_at = absl::InfinitePast();
  bool revoked = false;
};

// The terms of `consent`, its ids interned in `ids`; `consent_id` is the
// caller's copy of consent.consent_id (the view the terms keep).
ConsentTerms TermsOf(const ConsentRecord& consent, uint32_t patient,
                     std::string_view consent_id, IdTable& ids);

// `recipient` in the ids of `ids`. Does not allocate.
RecipientIds RecipientIdsOf(const Recipient& recipient, const IdTable& ids);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_POLICY_CONSENT_TERMS_H_
