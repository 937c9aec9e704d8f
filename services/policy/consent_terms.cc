#include "services/policy/consent_terms.h"

namespace caregate {
namespace {

const absl::Time kEarliest = absl::FromUnixNanos(INT64_MIN);
const absl::Time kLatest = absl::FromUnixNanos(INT64_MAX);

}  // namespace

int64_t ToTermsTime(absl::Time t) {
  if (t <= kEarliest) return INT64_MIN;
  if (t >= kLatest) return INT64_MAX;
  return absl::ToUnixNanos(t);
}

ConsentTerms TermsOf(const ConsentRecord& consent, uint32_t patient,
                     std::string_view consent_id, IdTable& ids) {
  ConsentTerms t;
  t.consent_id = consent_id;
  t.valid_from = ToTermsTime(consent.valid_from);
  t.expires_at = ToTermsTime(consent.expires_at);
  t.signed_at = ToTermsTime(consent.evidence.signed_at);
  t.purposes = consent.purposes;
  t.categories = consent.categories;
  t.withheld_categories = consent.withheld_categories;
  t.patient = patient;
  t.grantee_org = ids.Intern(consent.grantee.org_id);
  t.grantee_provider = ids.Intern(consent.grantee.provider_id);
  t.grantee_specialty = consent.grantee.specialty;
  t.revoked = consent.revoked();
  return t;
}

RecipientIds RecipientIdsOf(const Recipient& recipient, const IdTable& ids) {
  return RecipientIds{.org = ids.Find(recipient.org_id),
                      .provider = ids.Find(recipient.provider_id),
                      .specialty = recipient.provider_specialty};
}

absl::Time FromTermsTime(int64_t nanos) {
  if (nanos == INT64_MIN) return absl::InfinitePast();
  if (nanos == INT64_MAX) return absl::InfiniteFuture();
  return absl::FromUnixNanos(nanos);
}

}  // namespace caregate
