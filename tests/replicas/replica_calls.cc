#include "tests/replicas/replica_calls.h"

#include <chrono>
#include <limits>
#include <optional>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_chain.h"
#include "services/common/proto_time.h"
#include "services/store/postgres/postgres_store.h"

namespace caregate::replicas {

std::unique_ptr<grpc::ClientContext> Ctx(int seconds) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(seconds));
  return context;
}

v1::Consent PtConsent(const std::string& patient) {
  const absl::Time now = absl::Now();
  v1::Consent c;
  c.set_patient_id(patient);
  c.mutable_grantee()->set_org_id("core-pelvic-pt");
  c.add_purposes(v1::PURPOSE_TREATMENT_COORDINATION);
  c.add_categories(v1::CATEGORY_HOMEWORK_ADHERENCE);
  *c.mutable_expires_at() = ToProtoTime(now + absl::Hours(24 * 30));
  v1::ConsentEvidence* e = c.mutable_evidence();
  e->set_information_description("Homework adherence");
  e->set_document_sha256(std::string(64, 'a'));
  *e->mutable_signed_at() = ToProtoTime(now - absl::Hours(1));
  e->set_signer_name("Test Patient");
  e->set_signer_relationship(v1::SIGNER_RELATIONSHIP_SELF);
  e->set_states_right_to_revoke(true);
  e->set_states_treatment_not_conditioned(true);
  e->set_states_redisclosure_risk(true);
  return c;
}

v1::SendDisclosureRequest PtNote(const std::string& patient,
                                 const std::string& request_id,
                                 const std::string& body) {
  v1::SendDisclosureRequest r;
  r.set_request_id(request_id);
  v1::Disclosure* d = r.mutable_disclosure();
  d->set_patient_id(patient);
  d->set_recipient_org_id("core-pelvic-pt");
  d->set_recipient_provider_id("pt-lindqvist");
  d->set_purpose(v1::PURPOSE_TREATMENT_COORDINATION);
  v1::Section* s = d->add_sections();
  s->set_category(v1::CATEGORY_HOMEWORK_ADHERENCE);
  s->set_title("Homework");
  s->set_body(body);
  return r;
}

grpc::Status RecordConsent(const std::shared_ptr<grpc::Channel>& channel,
                           const v1::Consent& consent,
                           const std::string& request_id, v1::Consent* out) {
  v1::RecordConsentRequest request;
  *request.mutable_consent() = consent;
  request.set_request_id(request_id);
  return v1::ConsentService::NewStub(channel)->RecordConsent(Ctx().get(),
                                                             request, out);
}

grpc::Status RevokeConsent(const std::shared_ptr<grpc::Channel>& channel,
                           const std::string& consent_id, v1::Consent* out) {
  v1::RevokeConsentRequest request;
  request.set_consent_id(consent_id);
  request.set_reason("patient revoked in writing");
  return v1::ConsentService::NewStub(channel)->RevokeConsent(Ctx().get(),
                                                             request, out);
}

grpc::Status Send(const std::shared_ptr<grpc::Channel>& channel,
                  const v1::SendDisclosureRequest& request,
                  v1::SendDisclosureResponse* out) {
  return v1::DisclosureService::NewStub(channel)->SendDisclosure(Ctx().get(),
                                                                 request, out);
}

grpc::Status VerifyAuditLog(const std::shared_ptr<grpc::Channel>& channel,
                            v1::VerifyAuditLogResponse* out) {
  return v1::AuditService::NewStub(channel)->VerifyAuditLog(
      Ctx(60).get(), v1::VerifyAuditLogRequest(), out);
}

int64_t ExpectStoredLogIsOneChain(const std::string& conninfo) {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenPostgresStore(conninfo);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return 0;
  ChainVerifier verifier;
  int64_t events = 0;
  absl::Status scanned = (*store)->ScanAuditEvents(
      1, std::numeric_limits<int64_t>::max(), [&](const AuditEvent& event) {
        ++events;
        return verifier.Add(event);
      });
  EXPECT_TRUE(scanned.ok()) << scanned;
  EXPECT_TRUE(verifier.result().ok) << verifier.result().problem;
  EXPECT_EQ(verifier.result().verified_through_seq, events);
  absl::StatusOr<std::optional<ChainHead>> head = (*store)->GetChainHead();
  EXPECT_TRUE(head.ok() && head->has_value());
  if (head.ok() && head->has_value()) {
    EXPECT_EQ((*head)->seq, events);
    EXPECT_EQ((*head)->hash, verifier.head_hash());
  }
  return events;
}

}  // namespace caregate::replicas
