// The security spine: mTLS only, identity from the certificate, one role
// table, audited refusals.
#include <string>

#include "absl/strings/str_replace.h"
#include "caregate/v1/audit_service.grpc.pb.h"
#include "caregate/v1/disclosure_service.grpc.pb.h"
#include "caregate/v1/inbox_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "services/pki/dev_ca.h"
#include "tests/integration/gateway_harness.h"

namespace caregate {
namespace {

using ::caregate::testing::Ctx;
using ::caregate::testing::GatewayHarness;
using ::testing::HasSubstr;

grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(Ctx(5).get(), request, &response);
  if (status.ok() &&
      response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return grpc::Status(grpc::StatusCode::UNKNOWN, "not SERVING");
  }
  return status;
}

TEST(SecurityTest, PrincipalWithDevCertificateGetsHealthServing) {
  GatewayHarness gateway;
  EXPECT_TRUE(CheckHealth(gateway.Channel("dr-rivera")).ok());
  EXPECT_TRUE(CheckHealth(gateway.Channel("compliance-officer")).ok());
}

TEST(SecurityTest, ClientWithoutCertificateFailsTheHandshake) {
  GatewayHarness gateway;
  grpc::Status status = CheckHealth(
      gateway.ChannelWith(gateway.ReadFile("pki/ca.crt"), "", ""));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
}

TEST(SecurityTest, CertificateFromAnotherCaFailsTheHandshake) {
  GatewayHarness gateway;
  auto other_ca = pki::DevCertificateAuthority::Create("other CA", 30);
  ASSERT_TRUE(other_ca.ok());
  pki::LeafSpec spec;
  spec.common_name = "dr-rivera";
  spec.subject_alt_names = {
      {pki::SubjectAltName::Kind::kUri, "spiffe://caregate.local/dr-rivera"}};
  auto forged = (*other_ca)->Issue(spec);
  ASSERT_TRUE(forged.ok());
  grpc::Status status = CheckHealth(gateway.ChannelWith(
      gateway.ReadFile("pki/ca.crt"), forged->certificate_pem,
      forged->private_key_pem));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
}

TEST(SecurityTest, UnknownPrincipalIsUnauthenticated) {
  // The certificate of gateway-admin is valid, but the config no longer
  // names that principal.
  GatewayHarness gateway([](std::string& config) {
    config = absl::StrReplaceAll(
        config, {{"\"gateway-admin\"", "\"retired-admin\""}});
  });
  auto stub = v1::InboxService::NewStub(gateway.Channel("gateway-admin"));
  v1::ListMessagesResponse response;
  grpc::Status status =
      stub->ListMessages(Ctx().get(), v1::ListMessagesRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST(SecurityTest, DisabledPrincipalIsUnauthenticated) {
  GatewayHarness gateway([](std::string& config) {
    config = absl::StrReplaceAll(
        config, {{"principal_id: \"dr-novak\"",
                  "principal_id: \"dr-novak\"\n    disabled: true"}});
  });
  auto stub = v1::DisclosureService::NewStub(gateway.Channel("dr-novak"));
  v1::GetDisclosureRequest request;
  request.set_disclosure_id("dsc-x");
  v1::DisclosureRecord response;
  grpc::Status status = stub->GetDisclosure(Ctx().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("disabled"));
}

TEST(SecurityTest, ClinicCallingTherapistRpcIsDeniedAndAudited) {
  GatewayHarness gateway;
  auto disclosures =
      v1::DisclosureService::NewStub(gateway.Channel("core-pelvic-pt-inbox"));
  v1::CheckDisclosureResponse check;
  grpc::Status status = disclosures->CheckDisclosure(
      Ctx().get(), v1::CheckDisclosureRequest(), &check);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("ROLE_CLINIC"));

  auto audit = v1::AuditService::NewStub(gateway.Channel("compliance-officer"));
  v1::QueryAuditEventsRequest query;
  query.add_actions(v1::AUDIT_ACTION_ACCESS_DENIED);
  v1::QueryAuditEventsResponse events;
  ASSERT_TRUE(audit->QueryAuditEvents(Ctx().get(), query, &events).ok());
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).actor_principal_id(), "core-pelvic-pt-inbox");
  EXPECT_EQ(events.events(0).actor_role(), v1::ROLE_CLINIC);
  EXPECT_THAT(events.events(0).detail(),
              HasSubstr("DisclosureService/CheckDisclosure"));
}

TEST(SecurityTest, TherapistMayNotReadTheAuditLog) {
  GatewayHarness gateway;
  auto audit = v1::AuditService::NewStub(gateway.Channel("dr-rivera"));
  v1::Checkpoint checkpoint;
  grpc::Status status = audit->GetCheckpoint(
      Ctx().get(), v1::GetCheckpointRequest(), &checkpoint);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

// Server reflection, probed with a hand-encoded ServerReflectionRequest
// {list_services: ""} (field 7), since Debian ships no reflection client.
TEST(SecurityTest, ReflectionListsTheCaregateServices) {
  GatewayHarness gateway;
  grpc::GenericStub stub(gateway.Channel("dr-rivera"));
  grpc::CompletionQueue cq;
  auto ctx = Ctx(5);
  auto call = stub.PrepareCall(
      ctx.get(), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      &cq);
  void* tag = nullptr;
  bool ok = false;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  const char request_bytes[] = {0x3a, 0x00};
  grpc::Slice slice(request_bytes, sizeof(request_bytes));
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string text;
  for (const grpc::Slice& s : slices) {
    text.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  for (const char* service :
       {"caregate.v1.ConsentService", "caregate.v1.DisclosureService",
        "caregate.v1.InboxService", "caregate.v1.AuditService",
        "grpc.health.v1.Health"}) {
    EXPECT_THAT(text, HasSubstr(service));
  }
  ctx->TryCancel();
  grpc::Status finish_status;
  call->Finish(&finish_status, reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace caregate
