#include "tests/fhir/fhir_samples.h"

#include <string>

#include "services/crypto/sha256.h"
#include "services/delivery/message_signature.h"

namespace caregate::fhir::samples {
namespace {

constexpr int64_t kSignedAt = 1714555800;  // 2024-05-01T09:30:00Z
constexpr int64_t kDay = 86400;

google::protobuf::Timestamp Ts(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  ts.set_nanos(nanos);
  return ts;
}

v1::ConsentEvidence Evidence(v1::SignerRelationship relationship) {
  v1::ConsentEvidence e;
  e.set_information_description(
      "Attendance and treatment summary for coordinating pelvic floor care");
  e.set_document_sha256(Sha256Hex("signed form"));
  *e.mutable_signed_at() = Ts(kSignedAt);
  e.set_signer_relationship(relationship);
  e.set_signer_name(relationship == v1::SIGNER_RELATIONSHIP_SELF
                        ? "Sample Patient"
                        : "Sample Representative");
  if (relationship != v1::SIGNER_RELATIONSHIP_SELF) {
    e.set_representative_authority("Court order 2023-17 (sample)");
  }
  e.set_states_right_to_revoke(true);
  e.set_states_treatment_not_conditioned(true);
  e.set_states_redisclosure_risk(true);
  e.set_capture_method(v1::CAPTURE_METHOD_ELECTRONIC_SIGNATURE);
  return e;
}

// What a message tells its recipient about consent `c`.
v1::ConsentSummary SummaryOf(const v1::Consent& c) {
  v1::ConsentSummary s;
  s.set_consent_id(c.consent_id());
  *s.mutable_signed_at() = c.evidence().signed_at();
  *s.mutable_purposes() = c.purposes();
  *s.mutable_categories() = c.categories();
  *s.mutable_expires_at() = c.expires_at();
  *s.mutable_grantee() = c.grantee();
  return s;
}

}  // namespace

const char* ShapeName(ConsentShape shape) {
  switch (shape) {
    case ConsentShape::kOrganization:
      return "organization";
    case ConsentShape::kProvider:
      return "provider";
    case ConsentShape::kSpecialty:
      return "specialty";
    case ConsentShape::kRevoked:
      return "revoked";
  }
  return "unknown";
}

v1::Consent SampleConsent(ConsentShape shape) {
  v1::Consent c;
  c.set_consent_id("c-0001");
  c.set_patient_id("p-1");
  c.set_practice_org_id("sunrise-therapy");
  c.mutable_grantee()->set_org_id("core-pelvic-pt");
  c.add_purposes(v1::PURPOSE_TREATMENT_COORDINATION);
  c.add_categories(v1::CATEGORY_SESSION_ATTENDANCE);
  c.add_categories(v1::CATEGORY_TREATMENT_SUMMARY);
  *c.mutable_valid_from() = Ts(kSignedAt + 3600);
  *c.mutable_expires_at() = Ts(kSignedAt + 365 * kDay, 500000000);
  *c.mutable_evidence() = Evidence(v1::SIGNER_RELATIONSHIP_SELF);
  c.set_status(v1::CONSENT_STATUS_ACTIVE);
  c.set_revision(1);
  c.set_recorded_by("dr-rivera");
  *c.mutable_recorded_at() = Ts(kSignedAt + 600);
  switch (shape) {
    case ConsentShape::kOrganization:
      break;
    case ConsentShape::kProvider:
      c.set_consent_id("c-0002");
      c.mutable_grantee()->set_provider_id("pt-lindqvist");
      c.add_purposes(v1::PURPOSE_CARE_PLANNING);
      c.add_categories(v1::CATEGORY_HOMEWORK_PLAN);
      c.add_withheld_categories(v1::CATEGORY_TRAUMA_HISTORY);
      c.add_withheld_categories(v1::CATEGORY_SEXUAL_HISTORY);
      *c.mutable_evidence() = Evidence(v1::SIGNER_RELATIONSHIP_GUARDIAN);
      c.mutable_evidence()->set_witness("Sample Witness");
      c.mutable_evidence()->set_capture_method(
          v1::CAPTURE_METHOD_PAPER_SCANNED);
      break;
    case ConsentShape::kSpecialty:
      c.set_consent_id("c_0003:odd");  // not a FHIR id: no Consent.id
      c.mutable_grantee()->set_org_id("northside-psychiatry");
      c.mutable_grantee()->set_specialty(v1::SPECIALTY_PSYCHIATRY);
      c.clear_purposes();
      c.add_purposes(v1::PURPOSE_REFERRAL);
      c.add_categories(v1::CATEGORY_MEDICATIONS);
      c.clear_valid_from();
      *c.mutable_evidence() =
          Evidence(v1::SIGNER_RELATIONSHIP_PERSONAL_REPRESENTATIVE);
      break;
    case ConsentShape::kRevoked:
      c.set_consent_id("c-0004");
      c.set_status(v1::CONSENT_STATUS_REVOKED);
      c.set_revision(2);
      *c.mutable_revoked_at() = Ts(kSignedAt + 30 * kDay);
      c.set_revoked_by("dr-rivera");
      c.set_revocation_reason("Patient revoked in writing");
      break;
  }
  return c;
}

std::vector<v1::Message> SampleMessages(const Ed25519Signer& signer) {
  v1::Message full;
  full.set_message_id("m-0001");
  full.set_disclosure_id("d-0001");
  full.set_sender_principal_id("dr-rivera");
  full.set_sender_org_id("sunrise-therapy");
  full.set_patient_id("p-1");
  full.set_recipient_org_id("core-pelvic-pt");
  full.set_recipient_provider_id("pt-lindqvist");
  full.set_purpose(v1::PURPOSE_TREATMENT_COORDINATION);
  auto add_section = [](v1::Message& m, v1::Category category,
                        std::string title, std::string body) {
    v1::Section* s = m.add_sections();
    s->set_category(category);
    s->set_title(std::move(title));
    s->set_body(std::move(body));
  };
  add_section(full, v1::CATEGORY_SESSION_ATTENDANCE, "Attendance",
              "Attended 6 of 6 sessions.\n");
  add_section(full, v1::CATEGORY_TREATMENT_SUMMARY, "Summary",
              "Sample summary with unicode: caf\xc3\xa9, \xe2\x9c\x93.");
  add_section(full, v1::CATEGORY_HOMEWORK_PLAN, "Plan",
              "  Breathing, daily.  ");
  for (const ConsentShape shape :
       {ConsentShape::kOrganization, ConsentShape::kProvider}) {
    *full.add_consent_summaries() = SummaryOf(SampleConsent(shape));
  }
  full.set_redisclosure_notice(
      "This information has been disclosed to you from records protected by "
      "federal confidentiality rules (sample notice).");
  *full.mutable_created_at() = Ts(kSignedAt + 2 * kDay, 123456000);

  // Redacted: the disclosure also asked for trauma history, which no consent
  // covered; only the covered section travelled.
  v1::Message redacted = full;
  redacted.set_message_id("m-0002");
  redacted.set_disclosure_id("d-0002");
  redacted.clear_sections();
  add_section(redacted, v1::CATEGORY_SESSION_ATTENDANCE, "Attendance",
              "Attended 7 of 8 sessions.");
  redacted.mutable_consent_summaries()->DeleteSubrange(1, 1);
  *redacted.mutable_created_at() = Ts(kSignedAt + 3 * kDay);

  // Specialty grantee, empty title and body, no notice.
  v1::Message sparse = full;
  sparse.set_message_id("m-0003");
  sparse.set_disclosure_id("d-0003");
  sparse.set_recipient_org_id("northside-psychiatry");
  sparse.set_recipient_provider_id("dr-chen");
  sparse.set_purpose(v1::PURPOSE_REFERRAL);
  sparse.clear_sections();
  add_section(sparse, v1::CATEGORY_MEDICATIONS, "", "");
  sparse.clear_consent_summaries();
  *sparse.add_consent_summaries() =
      SummaryOf(SampleConsent(ConsentShape::kSpecialty));
  sparse.clear_redisclosure_notice();

  std::vector<v1::Message> messages = {full, redacted, sparse};
  for (v1::Message& m : messages) SignMessage(signer, &m);
  return messages;
}

MessageBundleContext SampleBundleContext() {
  MessageBundleContext c;
  c.gateway_id = "caregate.local/audit";
  c.source_endpoint = "https://gateway.caregate.local:7443";
  c.destination_endpoint = "https://fhir.core-pelvic-pt.example/r4";
  c.sender = {"Dr. Sample Rivera", "1234567893"};
  c.sender_practice = {"Sunrise Therapy (sample)", ""};
  c.recipient_org = {"Core Pelvic PT (sample)", ""};
  c.recipient_provider = {"Sample Lindqvist, PT", "1245319599"};
  return c;
}

AuditExportContext SampleAuditContext() { return {"caregate.local/audit"}; }

std::vector<v1::AuditEvent> SampleAuditEvents() {
  std::vector<v1::AuditEvent> events;
  std::string prev(32, '\0');
  const auto* actions = v1::AuditAction_descriptor();
  for (int i = 0; i < actions->value_count(); ++i) {
    const auto action =
        static_cast<v1::AuditAction>(actions->value(i)->number());
    if (action == v1::AUDIT_ACTION_UNSPECIFIED) continue;
    v1::AuditEvent e;
    e.set_seq(static_cast<int64_t>(events.size()) + 1);
    *e.mutable_time() = Ts(kSignedAt + e.seq() * 60, 1000);
    e.set_action(action);
    e.set_actor_principal_id("dr-rivera");
    e.set_actor_role(v1::ROLE_THERAPIST);
    e.set_actor_org_id("sunrise-therapy");
    e.set_practice_org_id("sunrise-therapy");
    e.set_patient_id("p-1");
    e.set_request_id("req-" + std::to_string(e.seq()));
    switch (action) {
      case v1::AUDIT_ACTION_CONSENT_RECORDED:
      case v1::AUDIT_ACTION_CONSENT_REVOKED:
        e.add_consent_ids("c-0001");
        e.set_subject_id("c-0001");
        e.set_recipient_org_id("core-pelvic-pt");
        break;
      case v1::AUDIT_ACTION_DISCLOSURE_PERMITTED:
      case v1::AUDIT_ACTION_DISCLOSURE_REDACTED:
      case v1::AUDIT_ACTION_DISCLOSURE_DENIED:
        e.set_recipient_org_id("core-pelvic-pt");
        e.set_purpose(v1::PURPOSE_TREATMENT_COORDINATION);
        e.add_categories(v1::CATEGORY_SESSION_ATTENDANCE);
        e.add_categories(v1::CATEGORY_TRAUMA_HISTORY);
        e.set_content_sha256(Sha256Hex("content " + std::to_string(e.seq())));
        e.set_subject_id("d-000" + std::to_string(e.seq()));
        if (action != v1::AUDIT_ACTION_DISCLOSURE_DENIED) {
          e.add_consent_ids("c-0001");
          e.set_outcome(action == v1::AUDIT_ACTION_DISCLOSURE_PERMITTED
                            ? v1::DECISION_OUTCOME_PERMITTED
                            : v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS);
        } else {
          e.set_outcome(v1::DECISION_OUTCOME_DENIED);
        }
        if (action != v1::AUDIT_ACTION_DISCLOSURE_PERMITTED) {
          e.add_reasons(v1::DENIAL_REASON_CATEGORY_WITHHELD);
        }
        break;
      case v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED:
        e.set_actor_principal_id("core-pelvic-pt-inbox");
        e.set_actor_role(v1::ROLE_CLINIC);
        e.set_actor_org_id("core-pelvic-pt");
        e.set_recipient_org_id("core-pelvic-pt");
        e.set_subject_id("m-0001");
        break;
      case v1::AUDIT_ACTION_MESSAGE_WITHHELD:
        e.set_recipient_org_id("core-pelvic-pt");
        e.add_consent_ids("c-0001");
        e.set_subject_id("m-0002");
        e.add_reasons(v1::DENIAL_REASON_CONSENT_REVOKED);
        break;
      case v1::AUDIT_ACTION_AUDIT_ACCESSED:
        e.set_actor_principal_id("compliance-officer");
        e.set_actor_role(v1::ROLE_COMPLIANCE);
        e.clear_actor_org_id();
        e.set_detail("QueryAuditEvents");
        break;
      case v1::AUDIT_ACTION_ACCESS_DENIED:
        e.set_actor_principal_id("dr-novak");
        e.set_actor_org_id("harbor-counseling");
        e.clear_practice_org_id();
        e.clear_patient_id();
        e.set_detail("GetConsent: NOT_FOUND");
        break;
      default:  // actions added later (push delivery): a message event
        e.set_recipient_org_id("core-pelvic-pt");
        e.set_subject_id("m-0001");
        break;
    }
    e.set_prev_hash(prev);
    const Sha256Digest hash = Sha256(prev + e.SerializeAsString());
    e.set_hash(
        std::string(reinterpret_cast<const char*>(hash.data()), hash.size()));
    prev = e.hash();
    events.push_back(e);
  }
  return events;
}

}  // namespace caregate::fhir::samples
