// Requests of the dev sample directory for integration tests: realistic
// consents and notes, and stubs per principal.
#ifndef CAREGATE_TESTS_INTEGRATION_CLINIC_FIXTURES_H_
#define CAREGATE_TESTS_INTEGRATION_CLINIC_FIXTURES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "caregate/v1/audit_service.grpc.pb.h"
#include "caregate/v1/consent_service.grpc.pb.h"
#include "caregate/v1/disclosure_service.grpc.pb.h"
#include "caregate/v1/inbox_service.grpc.pb.h"
#include "services/common/proto_time.h"
#include "tests/integration/gateway_harness.h"

namespace caregate::testing {

// A complete, valid written consent of patient `patient_id` for `org_id`,
// signed an hour before `now`, expiring in a year.
inline v1::Consent ConsentFor(const std::string& patient_id,
                              const std::string& org_id,
                              std::vector<v1::Category> categories,
                              absl::Time now) {
  v1::Consent c;
  c.set_patient_id(patient_id);
  c.mutable_grantee()->set_org_id(org_id);
  c.add_purposes(v1::PURPOSE_TREATMENT_COORDINATION);
  for (v1::Category category : categories) c.add_categories(category);
  *c.mutable_expires_at() = ToProtoTime(now + absl::Hours(24 * 365));
  v1::ConsentEvidence* e = c.mutable_evidence();
  e->set_information_description(
      "Homework adherence and trauma history relevant to pelvic floor care");
  e->set_document_sha256(std::string(64, 'a'));
  *e->mutable_signed_at() = ToProtoTime(now - absl::Hours(1));
  e->set_signer_name("Test Patient");
  e->set_signer_relationship(v1::SIGNER_RELATIONSHIP_SELF);
  e->set_states_right_to_revoke(true);
  e->set_states_treatment_not_conditioned(true);
  e->set_states_redisclosure_risk(true);
  e->set_capture_method(v1::CAPTURE_METHOD_ELECTRONIC_SIGNATURE);
  return c;
}

// A disclosure of `patient_id` to `provider_id` at `org_id` with one section
// per category.
inline v1::Disclosure NoteTo(const std::string& patient_id,
                             const std::string& org_id,
                             const std::string& provider_id,
                             std::vector<v1::Category> categories) {
  v1::Disclosure d;
  d.set_patient_id(patient_id);
  d.set_recipient_org_id(org_id);
  d.set_recipient_provider_id(provider_id);
  d.set_purpose(v1::PURPOSE_TREATMENT_COORDINATION);
  for (v1::Category category : categories) {
    v1::Section* s = d.add_sections();
    s->set_category(category);
    s->set_title(v1::Category_Name(category));
    s->set_body("Section text for " + v1::Category_Name(category));
  }
  return d;
}

// Stubs of every service for one principal.
struct Client {
  Client(const GatewayHarness& gateway, const std::string& principal)
      : channel(gateway.Channel(principal)),
        consents(v1::ConsentService::NewStub(channel)),
        disclosures(v1::DisclosureService::NewStub(channel)),
        inbox(v1::InboxService::NewStub(channel)),
        audit(v1::AuditService::NewStub(channel)) {}

  // Records `consent`; fails the test on error.
  v1::Consent Record(const v1::Consent& consent) {
    v1::RecordConsentRequest request;
    *request.mutable_consent() = consent;
    v1::Consent recorded;
    last_status = consents->RecordConsent(Ctx().get(), request, &recorded);
    return recorded;
  }
  // Sends `disclosure` with `request_id`; the status is in last_status.
  v1::SendDisclosureResponse Send(const v1::Disclosure& disclosure,
                                  const std::string& request_id) {
    v1::SendDisclosureRequest request;
    *request.mutable_disclosure() = disclosure;
    request.set_request_id(request_id);
    v1::SendDisclosureResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    last_status = disclosures->SendDisclosure(&ctx, request, &response);
    last_details = last_status.error_details();
    return response;
  }
  std::vector<v1::Message> Inbox(bool include_acknowledged = false) {
    v1::ListMessagesRequest request;
    request.set_include_acknowledged(include_acknowledged);
    v1::ListMessagesResponse response;
    last_status = inbox->ListMessages(Ctx().get(), request, &response);
    return {response.messages().begin(), response.messages().end()};
  }
  // One whole message (ListMessages returns summaries without bodies).
  v1::Message GetMessage(const std::string& message_id) {
    v1::GetMessageRequest request;
    request.set_message_id(message_id);
    v1::Message message;
    last_status = inbox->GetMessage(Ctx().get(), request, &message);
    return message;
  }
  grpc::Status Acknowledge(const std::string& message_id) {
    v1::AcknowledgeMessageRequest request;
    request.set_message_id(message_id);
    v1::AcknowledgeMessageResponse response;
    return inbox->AcknowledgeMessage(Ctx().get(), request, &response);
  }
  v1::DisclosureRecord GetDisclosure(const std::string& id) {
    v1::GetDisclosureRequest request;
    request.set_disclosure_id(id);
    v1::DisclosureRecord record;
    last_status = disclosures->GetDisclosure(Ctx().get(), request, &record);
    return record;
  }
  std::vector<v1::AuditEvent> Events(v1::AuditAction action) {
    v1::QueryAuditEventsRequest request;
    if (action != v1::AUDIT_ACTION_UNSPECIFIED) request.add_actions(action);
    request.set_page_size(1000);
    v1::QueryAuditEventsResponse response;
    last_status = audit->QueryAuditEvents(Ctx().get(), request, &response);
    return {response.events().begin(), response.events().end()};
  }
  v1::VerifyAuditLogResponse Verify() {
    v1::VerifyAuditLogResponse response;
    last_status = audit->VerifyAuditLog(Ctx().get(), v1::VerifyAuditLogRequest(),
                                        &response);
    return response;
  }

  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::ConsentService::Stub> consents;
  std::unique_ptr<v1::DisclosureService::Stub> disclosures;
  std::unique_ptr<v1::InboxService::Stub> inbox;
  std::unique_ptr<v1::AuditService::Stub> audit;
  grpc::Status last_status;
  std::string last_details;
};

}  // namespace caregate::testing

#endif  // CAREGATE_TESTS_INTEGRATION_CLINIC_FIXTURES_H_
