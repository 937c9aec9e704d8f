// The real caregated on PostgreSQL (storage { postgres { conninfo } }),
// driven through the public API over mTLS: consent, send, inbox, audit.
#include <sys/stat.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/replicas/replica_calls.h"
#include "tests/replicas/replica_set.h"

namespace caregate::replicas {
namespace {

constexpr char kPatient[] = "p-pg-1";

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

TEST(ReplicaConfigTextTest, ReplacesListenAddressAndStorage) {
  const std::string dev =
      "# x\nlisten_address: \"127.0.0.1:7443\"\nstorage {\n  sqlite {\n"
      "    # the file\n    path: \"data/caregate.db\"\n  }\n  # postgres {}\n"
      "}\n";
  absl::StatusOr<std::string> text =
      ReplicaConfigText(dev, 20001, "host=/tmp/s port=5 user=postgres");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "# x\nlisten_address: \"127.0.0.1:20001\"\nstorage {\n  postgres "
            "{ conninfo: \"host=/tmp/s port=5 user=postgres\" }\n  # postgres "
            "{}\n}\n");
  EXPECT_EQ(ReplicaConfigText("storage { }", 1, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PostgresGatewayTest, ConsentSendInboxAndAuditThroughThePublicApi) {
  absl::StatusOr<std::unique_ptr<ReplicaSet>> set = ReplicaSet::Create(1);
  ASSERT_TRUE(set.ok()) << set.status();
  ReplicaSet& replicas = **set;
  absl::Status started = replicas.StartAll(absl::Seconds(60));
  ASSERT_TRUE(started.ok()) << started;
  const auto therapist = replicas.Channel(0, "dr-rivera");
  const auto clinic = replicas.Channel(0, "core-pelvic-pt-inbox");
  const auto compliance = replicas.Channel(0, "compliance-officer");

  v1::Consent consent;
  grpc::Status s =
      RecordConsent(therapist, PtConsent(kPatient), "consent-1", &consent);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_FALSE(consent.consent_id().empty());

  v1::SendDisclosureResponse sent;
  s = Send(therapist, PtNote(kPatient, "send-1", "did the exercises daily"),
           &sent);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(sent.receipt().decision().outcome(),
            v1::DECISION_OUTCOME_PERMITTED);
  EXPECT_GT(sent.receipt().audit_seq(), 0);

  // The clinic's inbox has it, whole.
  v1::ListMessagesResponse listed;
  auto inbox = v1::InboxService::NewStub(clinic);
  s = inbox->ListMessages(Ctx().get(), v1::ListMessagesRequest(), &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.messages_size(), 1);
  EXPECT_EQ(listed.messages(0).disclosure_id(), sent.receipt().disclosure_id());
  v1::GetMessageRequest get;
  get.set_message_id(listed.messages(0).message_id());
  v1::Message message;
  s = inbox->GetMessage(Ctx().get(), get, &message);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(message.sections_size(), 1);
  EXPECT_EQ(message.sections(0).body(), "did the exercises daily");
  v1::AcknowledgeMessageRequest ack;
  ack.set_message_id(message.message_id());
  v1::AcknowledgeMessageResponse acked;
  s = inbox->AcknowledgeMessage(Ctx().get(), ack, &acked);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::VerifyAuditLogResponse verified;
  s = VerifyAuditLog(compliance, &verified);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(verified.ok()) << verified.problem();
  EXPECT_GE(verified.verified_through_seq(), sent.receipt().audit_seq());

  // It all lives in PostgreSQL, and no SQLite file or process lock was made.
  const std::string conninfo = replicas.database().conninfo;
  EXPECT_EQ(testing::QueryText(conninfo, "SELECT count(*) FROM disclosures")
                .value_or("error"),
            "1");
  EXPECT_EQ(testing::QueryText(conninfo, "SELECT count(*) FROM consents")
                .value_or("error"),
            "1");
  EXPECT_GE(std::stoll(testing::QueryText(conninfo, "SELECT seq FROM log_head")
                           .value_or("0")),
            verified.verified_through_seq());
  EXPECT_FALSE(Exists(replicas.setup().db_path()));
  EXPECT_FALSE(Exists(replicas.setup().db_path() + ".lock"));

  absl::Status stopped = replicas.Stop(0, absl::Seconds(30));
  EXPECT_TRUE(stopped.ok()) << stopped;
}

}  // namespace
}  // namespace caregate::replicas
