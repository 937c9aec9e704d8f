#include "bench/common/bench_fixtures.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/proto_time.h"

namespace caregate::bench {
namespace {

constexpr char kDescription[] =
    "Treatment summary and homework plan for coordinating pelvic care";
constexpr char kDocumentSha256[] =
    "5f2b8c1d9e4a7f3062b1c8d4e9a0f7b3c6d2e8a1f4b7c0d3e6a9f2b5c8d1e4a7";
constexpr char kSignerName[] = "Benchmark Patient";

// Filler text of exactly kBenchSectionBytes bytes.
std::string SectionBody(std::string_view what) {
  std::string body;
  body.reserve(kBenchSectionBytes);
  while (body.size() < kBenchSectionBytes) {
    absl::StrAppend(&body, "Synthetic ", std::string(what),
                    " text for load testing; no patient data. ");
  }
  body.resize(kBenchSectionBytes);
  return body;
}

void AddSection(v1::Disclosure& d, v1::Category category,
                std::string_view title) {
  v1::Section* s = d.add_sections();
  s->set_category(category);
  s->set_title(std::string(title));
  s->set_body(SectionBody(title));
}

}  // namespace

std::string BenchPatientId(int64_t index) {
  return absl::StrFormat("bench-p-%07d", index);
}

std::string BenchConsentRequestId(int64_t index) {
  return absl::StrCat("bench-consent-", index);
}

v1::Consent BenchConsentProto(const std::string& patient_id, absl::Time now) {
  v1::Consent c;
  c.set_patient_id(patient_id);
  c.mutable_grantee()->set_org_id(kBenchRecipientOrg);
  c.add_purposes(v1::PURPOSE_TREATMENT_COORDINATION);
  c.add_categories(v1::CATEGORY_TREATMENT_SUMMARY);
  c.add_categories(v1::CATEGORY_HOMEWORK_PLAN);
  *c.mutable_expires_at() = ToProtoTime(now + absl::Hours(24 * 365));
  v1::ConsentEvidence* e = c.mutable_evidence();
  e->set_information_description(kDescription);
  e->set_document_sha256(kDocumentSha256);
  *e->mutable_signed_at() = ToProtoTime(now - absl::Hours(1));
  e->set_signer_name(kSignerName);
  e->set_signer_relationship(v1::SIGNER_RELATIONSHIP_SELF);
  e->set_states_right_to_revoke(true);
  e->set_states_treatment_not_conditioned(true);
  e->set_states_redisclosure_risk(true);
  e->set_capture_method(v1::CAPTURE_METHOD_ELECTRONIC_SIGNATURE);
  return c;
}

ConsentRecord BenchConsentRecord(int64_t index, absl::Time now) {
  ConsentRecord r;
  r.consent_id = absl::StrCat("cns-bench-", index);
  r.patient_id = BenchPatientId(index);
  r.practice_org_id = kBenchPractice;
  r.grantee.org_id = kBenchRecipientOrg;
  r.purposes.Add(v1::PURPOSE_TREATMENT_COORDINATION);
  r.categories.Add(v1::CATEGORY_TREATMENT_SUMMARY);
  r.categories.Add(v1::CATEGORY_HOMEWORK_PLAN);
  r.valid_from = now;
  r.expires_at = now + absl::Hours(24 * 365);
  r.evidence.information_description = kDescription;
  r.evidence.document_sha256 = kDocumentSha256;
  r.evidence.signed_at = now - absl::Hours(1);
  r.evidence.signer_name = kSignerName;
  r.evidence.signer_relationship = v1::SIGNER_RELATIONSHIP_SELF;
  r.evidence.states_right_to_revoke = true;
  r.evidence.states_treatment_not_conditioned = true;
  r.evidence.states_redisclosure_risk = true;
  r.evidence.capture_method = v1::CAPTURE_METHOD_ELECTRONIC_SIGNATURE;
  r.recorded_by = kBenchTherapist;
  r.recorded_at = now;
  r.request_id = BenchConsentRequestId(index);
  return r;
}

v1::Disclosure BenchDisclosure(const std::string& patient_id) {
  v1::Disclosure d;
  d.set_patient_id(patient_id);
  d.set_recipient_org_id(kBenchRecipientOrg);
  d.set_recipient_provider_id(kBenchRecipientProvider);
  d.set_purpose(v1::PURPOSE_TREATMENT_COORDINATION);
  AddSection(d, v1::CATEGORY_TREATMENT_SUMMARY, "Treatment summary");
  AddSection(d, v1::CATEGORY_HOMEWORK_PLAN, "Homework plan");
  return d;
}

}  // namespace caregate::bench
