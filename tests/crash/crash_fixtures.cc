#include "tests/crash/crash_fixtures.h"

#include "absl/strings/str_cat.h"
#include "services/common/proto_time.h"

namespace caregate::crash {
namespace {

constexpr v1::Category kAllowed[] = {
    v1::CATEGORY_SESSION_ATTENDANCE,
    v1::CATEGORY_TREATMENT_SUMMARY,
    v1::CATEGORY_HOMEWORK_PLAN,
    v1::CATEGORY_HOMEWORK_ADHERENCE,
};
constexpr v1::Category kWithheld = v1::CATEGORY_TRAUMA_HISTORY;

void AddSection(v1::Category category, v1::Disclosure& d) {
  v1::Section* s = d.add_sections();
  s->set_category(category);
  s->set_title(absl::StrCat("Synthetic ", v1::Category_Name(category)));
  s->set_body(absl::StrCat("Synthetic crash-test text for ",
                           v1::Category_Name(category), "."));
}

}  // namespace

const std::vector<std::string>& Therapists() {
  static const auto* kTherapists =
      new std::vector<std::string>{"dr-rivera", "dr-novak"};
  return *kTherapists;
}

const std::vector<Clinic>& Clinics() {
  static const auto* kClinics = new std::vector<Clinic>{
      {"core-pelvic-pt", {"pt-lindqvist", "pt-moreau"}, "core-pelvic-pt-inbox"},
      {"lakeside-obgyn", {"dr-okafor"}, "lakeside-obgyn-inbox"},
  };
  return *kClinics;
}

std::vector<std::string> StablePatients() {
  return {"stable-pt-1", "stable-pt-2", "stable-pt-3"};
}

std::vector<std::string> CyclePatients(int cycle) {
  return {absl::StrCat("cycle-", cycle, "-pt-1"),
          absl::StrCat("cycle-", cycle, "-pt-2")};
}

v1::Consent ConsentFor(const std::string& patient_id, const std::string& org_id,
                       absl::Time now) {
  v1::Consent c;
  c.set_patient_id(patient_id);
  c.mutable_grantee()->set_org_id(org_id);
  c.add_purposes(v1::PURPOSE_TREATMENT_COORDINATION);
  for (v1::Category category : kAllowed) c.add_categories(category);
  c.add_withheld_categories(kWithheld);
  *c.mutable_expires_at() = ToProtoTime(now + absl::Hours(24 * 365));
  v1::ConsentEvidence* e = c.mutable_evidence();
  e->set_information_description(
      "Attendance, treatment summary and homework for coordinated care");
  e->set_document_sha256(std::string(64, 'c'));
  *e->mutable_signed_at() = ToProtoTime(now - absl::Hours(1));
  e->set_signer_name("Synthetic Signer");
  e->set_signer_relationship(v1::SIGNER_RELATIONSHIP_SELF);
  e->set_states_right_to_revoke(true);
  e->set_states_treatment_not_conditioned(true);
  e->set_states_redisclosure_risk(true);
  e->set_capture_method(v1::CAPTURE_METHOD_ELECTRONIC_SIGNATURE);
  return c;
}

v1::Disclosure RandomDisclosure(const std::string& patient_id,
                                const Clinic& clinic, std::mt19937_64& rng) {
  v1::Disclosure d;
  d.set_patient_id(patient_id);
  d.set_recipient_org_id(clinic.org_id);
  d.set_recipient_provider_id(
      clinic.provider_ids[rng() % clinic.provider_ids.size()]);
  d.set_purpose(v1::PURPOSE_TREATMENT_COORDINATION);
  const size_t first = rng() % std::size(kAllowed);
  const size_t count = 1 + rng() % 3;
  for (size_t i = 0; i < count; ++i) {
    AddSection(kAllowed[(first + i) % std::size(kAllowed)], d);
  }
  if (rng() % 5 == 0) {
    AddSection(kWithheld, d);
    d.set_redact_uncovered(true);
  }
  return d;
}

}  // namespace caregate::crash
