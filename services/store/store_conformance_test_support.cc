// Definitions for store_conformance_test.h.
#include <limits>

#include "absl/strings/str_cat.h"
#include "services/store/store_conformance_test.h"
#include "tests/testing/status_matchers.h"

namespace caregate::store_testing {

using ::caregate::testing::IsOk;

void StoreConformanceTest::SetUp() {
  absl::StatusOr<std::unique_ptr<Store>> store = GetParam().open(dir_.path());
  CG_ASSERT_OK(store);
  store_ = *std::move(store);
}

void StoreConformanceTest::TearDown() {
  store_.reset();
  if (GetParam().cleanup) GetParam().cleanup(dir_.path());
}

std::unique_ptr<Store> StoreConformanceTest::OpenAnother() {
  absl::StatusOr<std::unique_ptr<Store>> store = GetParam().open(dir_.path());
  EXPECT_THAT(store, IsOk());
  return store.ok() ? *std::move(store) : nullptr;
}

void StoreConformanceTest::Reopen() {
  store_.reset();
  absl::StatusOr<std::unique_ptr<Store>> store = GetParam().open(dir_.path());
  CG_ASSERT_OK(store);
  store_ = *std::move(store);
}

void StoreConformanceTest::Write(
    const std::function<void(WriteTransaction&)>& fn) {
  absl::StatusOr<std::unique_ptr<WriteTransaction>> txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  fn(**txn);
  CG_ASSERT_OK((*txn)->Commit());
}

std::vector<ConsentRecord> StoreConformanceTest::AllConsents() {
  std::vector<ConsentRecord> out;
  CG_EXPECT_OK(store_->ForEachConsent(
      [&](ConsentRecord c) { out.push_back(std::move(c)); }));
  return out;
}

std::vector<AuditEvent> StoreConformanceTest::ScanAll() {
  std::vector<AuditEvent> out;
  CG_EXPECT_OK(store_->ScanAuditEvents(0, std::numeric_limits<int64_t>::max(),
                                       [&](const AuditEvent& e) {
                                         out.push_back(e);
                                         return true;
                                       }));
  return out;
}

absl::Time T0() { return absl::FromUnixMicros(1'700'000'000'123'456); }

ConsentRecord SampleConsent(const std::string& consent_id,
                            const std::string& request_id) {
  ConsentRecord c;
  c.consent_id = consent_id;
  c.patient_id = "pat-1";
  c.practice_org_id = "org-practice";
  c.grantee = {"org-clinic", "prov-7",
               v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY};
  c.purposes.Add(v1::PURPOSE_TREATMENT_COORDINATION);
  c.purposes.Add(v1::PURPOSE_CARE_PLANNING);
  c.categories.Add(v1::CATEGORY_SESSION_ATTENDANCE);
  c.categories.Add(v1::CATEGORY_HOMEWORK_PLAN);
  c.categories.Add(v1::CATEGORY_PSYCHOTHERAPY_NOTES);
  c.withheld_categories.Add(v1::CATEGORY_TRAUMA_HISTORY);
  c.valid_from = T0() - absl::Hours(1);
  c.expires_at = T0() + absl::Hours(24 * 365);
  ConsentEvidence& e = c.evidence;
  e.information_description = "attendance and homework plan";
  e.document_sha256 = std::string(64, 'a');
  e.signed_at = T0() - absl::Hours(2) + absl::Microseconds(7);
  e.signer_name = "Signer Name";
  e.signer_relationship = v1::SIGNER_RELATIONSHIP_GUARDIAN;
  e.representative_authority = "court order 12";
  e.witness = "Witness Name";
  e.states_right_to_revoke = true;
  e.states_treatment_not_conditioned = true;
  e.states_redisclosure_risk = true;
  e.capture_method = v1::CAPTURE_METHOD_ELECTRONIC_SIGNATURE;
  c.recorded_by = "principal-therapist";
  c.recorded_at = T0();
  c.request_id = request_id;
  c.revision = 3;
  // Opaque to the store (sealed by services/consent/consent_text.h).
  c.sealed.key_id = "key-1";
  c.sealed.evidence = std::string("sealed\0evidence-of-", 19) + consent_id;
  c.request_digest = std::string(32, '\x7f');
  return c;
}

DisclosureRow SampleDisclosure(const std::string& disclosure_id,
                               const std::string& request_id) {
  DisclosureRow d;
  d.disclosure_id = disclosure_id;
  d.practice_org_id = "org-practice";
  d.sender_principal_id = "principal-therapist";
  d.request_id = request_id;
  d.patient_id = "pat-1";
  d.recipient_org_id = "org-clinic";
  d.recipient_provider_id = "prov-7";
  d.purpose = v1::PURPOSE_REFERRAL;
  d.outcome = v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS;
  d.categories = {v1::CATEGORY_HOMEWORK_PLAN, v1::CATEGORY_SESSION_ATTENDANCE};
  d.consent_ids = {"c-2", "c-1"};
  d.content_sha256 = std::string(64, 'b');
  d.audit_seq = 42;
  d.message_id = "m-" + disclosure_id;
  d.created_at = T0();
  d.decision_bytes = std::string("\x08\x02\x00\xff\x12", 5);
  return d;
}

MessageRow SampleMessage(const std::string& message_id,
                         const std::string& recipient_org_id, int64_t seq,
                         std::vector<std::string> consent_ids) {
  MessageRow m;
  m.message_id = message_id;
  m.disclosure_id = "d-" + message_id;
  m.recipient_org_id = recipient_org_id;
  m.seq = seq;
  m.consent_ids = std::move(consent_ids);
  m.state = v1::DELIVERY_STATE_QUEUED;
  m.created_at = T0() + absl::Seconds(seq);
  m.key_id = "key-2024";
  m.sealed_envelope = std::string("\x00\x01sealed\x00", 9);
  return m;
}

AuditEvent SampleAuditEvent(int64_t seq) {
  AuditEvent e;
  e.seq = seq;
  e.time = T0() + absl::Seconds(seq);
  e.actor_principal_id = "principal-therapist";
  e.actor_role = v1::ROLE_THERAPIST;
  e.actor_org_id = "org-practice";
  e.action = v1::AUDIT_ACTION_DISCLOSURE_REDACTED;
  e.practice_org_id = "org-practice";
  e.patient_id = "pat-1";
  e.recipient_org_id = "org-clinic";
  e.purpose = v1::PURPOSE_REFERRAL;
  e.categories = {v1::CATEGORY_HOMEWORK_PLAN, v1::CATEGORY_DIAGNOSIS};
  e.consent_ids = {"c-1", "c-2"};
  e.outcome = v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS;
  e.reasons = {v1::DENIAL_REASON_CATEGORY_WITHHELD,
               v1::DENIAL_REASON_CONSENT_EXPIRED};
  e.content_sha256 = std::string(64, 'c');
  e.request_id = absl::StrCat("req-", seq);
  e.subject_id = absl::StrCat("d-", seq);
  e.detail = "SendDisclosure";
  for (size_t i = 0; i < e.hash.size(); ++i) {
    e.prev_hash[i] = static_cast<uint8_t>(seq - 1 + i);
    e.hash[i] = static_cast<uint8_t>(seq + i);
  }
  return e;
}

Checkpoint SampleCheckpoint(int64_t seq, absl::Time time) {
  Checkpoint c;
  c.origin = "caregate.example/audit";
  c.seq = seq;
  for (size_t i = 0; i < c.head_hash.size(); ++i) {
    c.head_hash[i] = static_cast<uint8_t>(255 - seq - i);
  }
  c.time = time;
  c.body = absl::StrCat(c.origin, "\n", seq, "\nAAAA\n");
  c.signature = std::string(64, '\0');
  c.signature[1] = '\x7f';
  c.key_id = "ed25519-1";
  return c;
}

void ExpectSameConsent(const ConsentRecord& got, const ConsentRecord& want) {
  EXPECT_EQ(got.consent_id, want.consent_id);
  EXPECT_EQ(got.patient_id, want.patient_id);
  EXPECT_EQ(got.practice_org_id, want.practice_org_id);
  EXPECT_EQ(got.grantee.org_id, want.grantee.org_id);
  EXPECT_EQ(got.grantee.provider_id, want.grantee.provider_id);
  EXPECT_EQ(got.grantee.specialty, want.grantee.specialty);
  EXPECT_EQ(got.purposes.bits(), want.purposes.bits());
  EXPECT_EQ(got.categories.bits(), want.categories.bits());
  EXPECT_EQ(got.withheld_categories.bits(), want.withheld_categories.bits());
  EXPECT_EQ(got.valid_from, want.valid_from);
  EXPECT_EQ(got.expires_at, want.expires_at);
  const ConsentEvidence& g = got.evidence;
  const ConsentEvidence& w = want.evidence;
  // The store keeps patient-identifying text sealed only.
  EXPECT_EQ(g.information_description, "");
  EXPECT_EQ(g.document_sha256, w.document_sha256);
  EXPECT_EQ(g.signed_at, w.signed_at);
  EXPECT_EQ(g.signer_name, "");
  EXPECT_EQ(g.signer_relationship, w.signer_relationship);
  EXPECT_EQ(g.representative_authority, "");
  EXPECT_EQ(g.witness, "");
  EXPECT_EQ(got.sealed.key_id, want.sealed.key_id);
  EXPECT_EQ(got.sealed.evidence, want.sealed.evidence);
  EXPECT_EQ(got.sealed.revocation_reason, want.sealed.revocation_reason);
  EXPECT_EQ(got.request_digest, want.request_digest);
  EXPECT_EQ(g.states_right_to_revoke, w.states_right_to_revoke);
  EXPECT_EQ(g.states_treatment_not_conditioned,
            w.states_treatment_not_conditioned);
  EXPECT_EQ(g.states_redisclosure_risk, w.states_redisclosure_risk);
  EXPECT_EQ(g.capture_method, w.capture_method);
  EXPECT_EQ(got.recorded_by, want.recorded_by);
  EXPECT_EQ(got.recorded_at, want.recorded_at);
  EXPECT_EQ(got.request_id, want.request_id);
  EXPECT_EQ(got.revision, want.revision);
  ASSERT_EQ(got.revocation.has_value(), want.revocation.has_value());
  if (want.revocation.has_value()) {
    EXPECT_EQ(got.revocation->revoked_at, want.revocation->revoked_at);
    EXPECT_EQ(got.revocation->revoked_by, want.revocation->revoked_by);
    EXPECT_EQ(got.revocation->reason, "");
  }
}

void ExpectSameDisclosure(const DisclosureRow& got, const DisclosureRow& want) {
  EXPECT_EQ(got.disclosure_id, want.disclosure_id);
  EXPECT_EQ(got.practice_org_id, want.practice_org_id);
  EXPECT_EQ(got.sender_principal_id, want.sender_principal_id);
  EXPECT_EQ(got.request_id, want.request_id);
  EXPECT_EQ(got.patient_id, want.patient_id);
  EXPECT_EQ(got.recipient_org_id, want.recipient_org_id);
  EXPECT_EQ(got.recipient_provider_id, want.recipient_provider_id);
  EXPECT_EQ(got.purpose, want.purpose);
  EXPECT_EQ(got.outcome, want.outcome);
  EXPECT_EQ(got.categories, want.categories);
  EXPECT_EQ(got.consent_ids, want.consent_ids);
  EXPECT_EQ(got.content_sha256, want.content_sha256);
  EXPECT_EQ(got.audit_seq, want.audit_seq);
  EXPECT_EQ(got.message_id, want.message_id);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.decision_bytes, want.decision_bytes);
  EXPECT_EQ(got.request_digest, want.request_digest);
}

void ExpectSameMessage(const MessageRow& got, const MessageRow& want) {
  EXPECT_EQ(got.message_id, want.message_id);
  EXPECT_EQ(got.disclosure_id, want.disclosure_id);
  EXPECT_EQ(got.recipient_org_id, want.recipient_org_id);
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.consent_ids, want.consent_ids);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.acknowledged_at, want.acknowledged_at);
  EXPECT_EQ(got.key_id, want.key_id);
  EXPECT_EQ(got.sealed_envelope, want.sealed_envelope);
  EXPECT_EQ(got.delivery_attempts, want.delivery_attempts);
  EXPECT_EQ(got.next_attempt_at, want.next_attempt_at);
  EXPECT_EQ(got.last_delivery_error, want.last_delivery_error);
  EXPECT_EQ(got.delivered_at, want.delivered_at);
  EXPECT_EQ(got.retried_at, want.retried_at);
}

void ExpectSameAuditEvent(const AuditEvent& got, const AuditEvent& want) {
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.time, want.time);
  EXPECT_EQ(got.actor_principal_id, want.actor_principal_id);
  EXPECT_EQ(got.actor_role, want.actor_role);
  EXPECT_EQ(got.actor_org_id, want.actor_org_id);
  EXPECT_EQ(got.action, want.action);
  EXPECT_EQ(got.practice_org_id, want.practice_org_id);
  EXPECT_EQ(got.patient_id, want.patient_id);
  EXPECT_EQ(got.recipient_org_id, want.recipient_org_id);
  EXPECT_EQ(got.purpose, want.purpose);
  EXPECT_EQ(got.categories, want.categories);
  EXPECT_EQ(got.consent_ids, want.consent_ids);
  EXPECT_EQ(got.outcome, want.outcome);
  EXPECT_EQ(got.reasons, want.reasons);
  EXPECT_EQ(got.content_sha256, want.content_sha256);
  EXPECT_EQ(got.request_id, want.request_id);
  EXPECT_EQ(got.subject_id, want.subject_id);
  EXPECT_EQ(got.detail, want.detail);
  EXPECT_EQ(got.prev_hash, want.prev_hash);
  EXPECT_EQ(got.hash, want.hash);
}

void ExpectSameCheckpoint(const Checkpoint& got, const Checkpoint& want) {
  EXPECT_EQ(got.origin, want.origin);
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.head_hash, want.head_hash);
  EXPECT_EQ(got.time, want.time);
  EXPECT_EQ(got.body, want.body);
  EXPECT_EQ(got.signature, want.signature);
  EXPECT_EQ(got.key_id, want.key_id);
}

std::vector<std::string> MessageIds(const std::vector<MessageRow>& rows) {
  std::vector<std::string> ids;
  for (const MessageRow& r : rows) ids.push_back(r.message_id);
  return ids;
}

std::vector<std::string> DisclosureIds(const std::vector<DisclosureRow>& rows) {
  std::vector<std::string> ids;
  for (const DisclosureRow& r : rows) ids.push_back(r.disclosure_id);
  return ids;
}

std::vector<int64_t> Seqs(const std::vector<AuditEvent>& events) {
  std::vector<int64_t> seqs;
  for (const AuditEvent& e : events) seqs.push_back(e.seq);
  return seqs;
}

PushClaim ClaimOf(const std::string& org, absl::Time now,
                  const std::string& owner, absl::Time lease_until, int limit,
                  int64_t max_seq) {
  PushClaim claim;
  claim.recipient_org_id = org;
  claim.now = now;
  claim.max_seq = max_seq;
  claim.owner = owner;
  claim.lease_until = lease_until;
  claim.limit = limit;
  return claim;
}

}  // namespace caregate::store_testing
