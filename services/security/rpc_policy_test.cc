#include "services/security/rpc_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

TEST(RpcPolicyTest, RoleTable) {
  EXPECT_TRUE(RoleMayCall(v1::ROLE_THERAPIST, Rpc::kSendDisclosure));
  EXPECT_FALSE(RoleMayCall(v1::ROLE_CLINIC, Rpc::kSendDisclosure));
  EXPECT_FALSE(RoleMayCall(v1::ROLE_ADMIN, Rpc::kSendDisclosure));
  EXPECT_TRUE(RoleMayCall(v1::ROLE_COMPLIANCE, Rpc::kGetConsent));
  EXPECT_FALSE(RoleMayCall(v1::ROLE_COMPLIANCE, Rpc::kRecordConsent));
  EXPECT_TRUE(RoleMayCall(v1::ROLE_CLINIC, Rpc::kStreamMessages));
  EXPECT_FALSE(RoleMayCall(v1::ROLE_THERAPIST, Rpc::kQueryAuditEvents));
  EXPECT_FALSE(RoleMayCall(v1::ROLE_UNSPECIFIED, Rpc::kGetCheckpoint));
  EXPECT_TRUE(RoleMayCall(v1::ROLE_COMPLIANCE, Rpc::kSummarizeAuditEvents));
  EXPECT_FALSE(RoleMayCall(v1::ROLE_THERAPIST, Rpc::kSummarizeAuditEvents));
  EXPECT_FALSE(RoleMayCall(v1::ROLE_CLINIC, Rpc::kSummarizeAuditEvents));
  EXPECT_FALSE(RoleMayCall(v1::ROLE_ADMIN, Rpc::kSummarizeAuditEvents));
  for (Rpc rpc : {Rpc::kListDeliveries, Rpc::kRetryDelivery}) {
    EXPECT_TRUE(RoleMayCall(v1::ROLE_COMPLIANCE, rpc));
    EXPECT_TRUE(RoleMayCall(v1::ROLE_ADMIN, rpc));
    EXPECT_FALSE(RoleMayCall(v1::ROLE_THERAPIST, rpc));
    EXPECT_FALSE(RoleMayCall(v1::ROLE_CLINIC, rpc));
    EXPECT_FALSE(RoleMayCall(v1::ROLE_UNSPECIFIED, rpc));
  }
}

TEST(RpcPolicyTest, NamesMatchTheServices) {
  EXPECT_EQ(RpcName(Rpc::kRecordConsent),
            "/caregate.v1.ConsentService/RecordConsent");
  EXPECT_EQ(RpcName(Rpc::kGetAccountingOfDisclosures),
            "/caregate.v1.AuditService/GetAccountingOfDisclosures");
  EXPECT_EQ(RpcName(Rpc::kSummarizeAuditEvents),
            "/caregate.v1.AuditService/SummarizeAuditEvents");
  EXPECT_EQ(RpcName(Rpc::kAcknowledgeMessage),
            "/caregate.v1.InboxService/AcknowledgeMessage");
  EXPECT_EQ(RpcName(Rpc::kListDeliveries),
            "/caregate.v1.DeliveryService/ListDeliveries");
  EXPECT_EQ(RpcName(Rpc::kRetryDelivery),
            "/caregate.v1.DeliveryService/RetryDelivery");
}

TEST(RpcPolicyTest, AuthorizeCall) {
  PrincipalInfo clinic{"core-pelvic-pt-inbox", v1::ROLE_CLINIC,
                       "core-pelvic-pt", false};
  EXPECT_THAT(AuthorizeCall(&clinic, Rpc::kListMessages), IsOk());
  EXPECT_THAT(AuthorizeCall(&clinic, Rpc::kSendDisclosure),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("ROLE_CLINIC may not call")));
  clinic.disabled = true;
  EXPECT_THAT(
      AuthorizeCall(&clinic, Rpc::kListMessages),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("disabled")));
  EXPECT_THAT(AuthorizeCall(nullptr, Rpc::kListMessages),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("")));
}

}  // namespace
}  // namespace caregate
