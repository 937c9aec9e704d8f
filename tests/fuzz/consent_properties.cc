#include "tests/fuzz/consent_properties.h"

#include "absl/strings/ascii.h"
#include "services/common/absl_compat.h"
#include "services/validation/consent_validation.h"
#include "services/validation/request_fields.h"
#include "tests/fuzz/fuzz_check.h"

namespace caregate::fuzz {
namespace {

bool Blank(const std::string& text) {
  return absl::StripAsciiWhitespace(text).empty();
}

bool IsLowerHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void CheckGrantee(const Grantee& g, const RequestEnv& env) {
  CG_FUZZ_CHECK(IsValidId(g.org_id, env.limits.max_id_length));
  CG_FUZZ_CHECK(env.directory->FindOrganization(g.org_id) != nullptr);
  CG_FUZZ_CHECK(g.specialty == v1::SPECIALTY_UNSPECIFIED ||
                v1::Specialty_IsValid(g.specialty));
  if (g.provider_id.empty()) return;
  const ProviderInfo* provider = env.directory->FindProvider(g.provider_id);
  CG_FUZZ_CHECK(provider != nullptr && provider->org_id == g.org_id);
  CG_FUZZ_CHECK(g.specialty == v1::SPECIALTY_UNSPECIFIED ||
                g.specialty == provider->specialty);
}

void CheckCategories(const ConsentRecord& r) {
  CG_FUZZ_CHECK(!r.purposes.empty() && !r.categories.empty());
  CG_FUZZ_CHECK(!r.purposes.Contains(v1::PURPOSE_UNSPECIFIED) &&
                !r.categories.Contains(v1::CATEGORY_UNSPECIFIED) &&
                !r.withheld_categories.Contains(v1::CATEGORY_UNSPECIFIED));
  CG_FUZZ_CHECK((r.categories.bits() & r.withheld_categories.bits()) == 0);
  if (r.categories.Contains(v1::CATEGORY_PSYCHOTHERAPY_NOTES)) {
    CG_FUZZ_CHECK(r.categories.ToVector().size() == 1);
  }
}

void CheckEvidence(const ConsentRecord& r, const RequestEnv& env) {
  const ConsentEvidence& e = r.evidence;
  CG_FUZZ_CHECK(!Blank(e.information_description) && !Blank(e.signer_name));
  CG_FUZZ_CHECK(e.information_description.size() <= kMaxFreeTextBytes &&
                e.signer_name.size() <= kMaxFreeTextBytes &&
                e.representative_authority.size() <= kMaxFreeTextBytes &&
                e.witness.size() <= kMaxFreeTextBytes);
  CG_FUZZ_CHECK(IsLowerHex64(e.document_sha256));
  CG_FUZZ_CHECK(e.signer_relationship != v1::SIGNER_RELATIONSHIP_UNSPECIFIED &&
                v1::SignerRelationship_IsValid(e.signer_relationship));
  if (e.signer_relationship != v1::SIGNER_RELATIONSHIP_SELF) {
    CG_FUZZ_CHECK(!Blank(e.representative_authority));
  }
  CG_FUZZ_CHECK(e.signed_at <= env.now + kMaxSignatureClockSkew &&
                e.signed_at <= r.expires_at);
  CG_FUZZ_CHECK(e.states_right_to_revoke &&
                e.states_treatment_not_conditioned &&
                e.states_redisclosure_risk);
  CG_FUZZ_CHECK(v1::CaptureMethod_IsValid(e.capture_method));
}

}  // namespace

void CheckRecordedConsent(const v1::Consent& form, const ConsentRecord& record,
                          const RequestEnv& env) {
  CG_FUZZ_CHECK(record.patient_id == form.patient_id() &&
                IsValidId(record.patient_id, env.limits.max_id_length));
  CheckGrantee(record.grantee, env);
  CheckCategories(record);
  CG_FUZZ_CHECK(record.expires_at > env.now &&
                record.valid_from < record.expires_at);
  CG_FUZZ_CHECK(InTimestampRange(record.valid_from) &&
                InTimestampRange(record.expires_at) &&
                InTimestampRange(record.evidence.signed_at));
  CheckEvidence(record, env);
  CG_FUZZ_CHECK(!record.revoked());
}

void CheckValidatedDisclosure(const v1::Disclosure& disclosure,
                              const ValidatedDisclosure& validated,
                              const RequestEnv& env) {
  const InputLimits& limits = env.limits;
  CG_FUZZ_CHECK(validated.patient_id == disclosure.patient_id() &&
                IsValidId(validated.patient_id, limits.max_id_length));
  const ProviderInfo* provider =
      env.directory->FindProvider(disclosure.recipient_provider_id());
  CG_FUZZ_CHECK(provider != nullptr &&
                provider->org_id == disclosure.recipient_org_id());
  CG_FUZZ_CHECK(validated.recipient.org_id == provider->org_id &&
                validated.recipient.provider_id == provider->provider_id &&
                validated.recipient.provider_specialty == provider->specialty);
  CG_FUZZ_CHECK(validated.purpose != v1::PURPOSE_UNSPECIFIED &&
                v1::Purpose_IsValid(validated.purpose));
  const int n = disclosure.sections_size();
  CG_FUZZ_CHECK(n >= 1 && n <= limits.max_sections &&
                validated.section_categories.size() == static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const v1::Section& s = disclosure.sections(i);
    CG_FUZZ_CHECK(validated.section_categories[i] == s.category() &&
                  s.category() != v1::CATEGORY_UNSPECIFIED &&
                  v1::Category_IsValid(s.category()));
    CG_FUZZ_CHECK(s.title().size() <= kMaxTitleBytes);
    CG_FUZZ_CHECK(static_cast<int64_t>(s.body().size()) <=
                  limits.max_section_body_bytes);
  }
  CG_FUZZ_CHECK(validated.redact_uncovered == disclosure.redact_uncovered());
}

}  // namespace caregate::fuzz
