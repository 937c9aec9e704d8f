#include "services/validation/proto_convert.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/absl_compat.h"
#include "services/common/proto_time.h"
#include "services/policy/enum_names.h"
#include "services/validation/field_errors.h"

namespace caregate {
namespace {

void SetGrantee(const Grantee& g, v1::Grantee& out) {
  out.set_org_id(g.org_id);
  out.set_provider_id(g.provider_id);
  out.set_specialty(g.specialty);
}

template <typename Enum>
void SetEnums(EnumSet<Enum> set, google::protobuf::RepeatedField<int>& out) {
  for (Enum e : set.ToVector()) out.Add(e);
}

void SetEvidence(const ConsentEvidence& e, v1::ConsentEvidence& out) {
  out.set_information_description(e.information_description);
  out.set_document_sha256(e.document_sha256);
  *out.mutable_signed_at() = ToProtoTime(e.signed_at);
  out.set_signer_name(e.signer_name);
  out.set_signer_relationship(e.signer_relationship);
  out.set_representative_authority(e.representative_authority);
  out.set_witness(e.witness);
  out.set_states_right_to_revoke(e.states_right_to_revoke);
  out.set_states_treatment_not_conditioned(e.states_treatment_not_conditioned);
  out.set_states_redisclosure_risk(e.states_redisclosure_risk);
  out.set_capture_method(e.capture_method);
}

}  // namespace

v1::ConsentStatus ConsentStatusAt(const ConsentRecord& record, absl::Time now) {
  if (record.revoked()) return v1::CONSENT_STATUS_REVOKED;
  if (now >= record.expires_at) return v1::CONSENT_STATUS_EXPIRED;
  return v1::CONSENT_STATUS_ACTIVE;
}

v1::Consent ConsentToProto(const ConsentRecord& record, absl::Time now) {
  v1::Consent p;
  p.set_consent_id(record.consent_id);
  p.set_patient_id(record.patient_id);
  p.set_practice_org_id(record.practice_org_id);
  SetGrantee(record.grantee, *p.mutable_grantee());
  SetEnums(record.purposes, *p.mutable_purposes());
  SetEnums(record.categories, *p.mutable_categories());
  SetEnums(record.withheld_categories, *p.mutable_withheld_categories());
  *p.mutable_valid_from() = ToProtoTime(record.valid_from);
  *p.mutable_expires_at() = ToProtoTime(record.expires_at);
  SetEvidence(record.evidence, *p.mutable_evidence());
  p.set_status(ConsentStatusAt(record, now));
  p.set_revision(record.revision);
  p.set_recorded_by(record.recorded_by);
  *p.mutable_recorded_at() = ToProtoTime(record.recorded_at);
  if (record.revocation.has_value()) {
    *p.mutable_revoked_at() = ToProtoTime(record.revocation->revoked_at);
    p.set_revoked_by(record.revocation->revoked_by);
    p.set_revocation_reason(record.revocation->reason);
  }
  return p;
}

v1::Decision DecisionToProto(const DecisionResult& result) {
  v1::Decision d;
  d.set_outcome(result.outcome);
  for (const SectionVerdict& v : result.sections) {
    v1::SectionDecision* s = d.add_sections();
    s->set_index(v.index);
    s->set_category(v.category);
    s->set_covered(v.covered);
    s->set_consent_id(v.consent_id);
    if (v.reason.has_value()) s->add_reasons(*v.reason);
  }
  for (const std::string& id : result.consent_ids) d.add_consent_ids(id);
  d.set_explanation(result.explanation);
  return d;
}

v1::ConsentSummary ConsentSummaryOf(const IndexedConsent& consent) {
  v1::ConsentSummary s;
  s.set_consent_id(consent.consent_id);
  *s.mutable_signed_at() = ToProtoTime(consent.signed_at);
  SetEnums(consent.purposes, *s.mutable_purposes());
  SetEnums(consent.categories, *s.mutable_categories());
  *s.mutable_expires_at() = ToProtoTime(consent.expires_at);
  SetGrantee(consent.grantee, *s.mutable_grantee());
  return s;
}

std::string DenialMessage(const DecisionResult& result) {
  std::vector<std::string> parts;
  for (const SectionVerdict& v : result.sections) {
    if (v.covered) continue;
    parts.push_back(absl::StrCat(
        "section ", v.index, " ", AsAbsl(ShortName(v.category)), ": ",
        v.reason.has_value() ? AsAbsl(ShortName(*v.reason)) : "NOT_COVERED"));
  }
  if (parts.empty()) return "disclosure denied";
  return absl::StrCat("disclosure denied: ", absl::StrJoin(parts, "; "));
}

}  // namespace caregate
