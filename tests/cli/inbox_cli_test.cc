// caregatectl inbox list|watch|show|ack against a real gateway.
#include "caregate/v1/inbox_service.pb.h"
#include "caregate/v1/types.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/cli_fixtures.h"
#include "tests/testing/test_keys.h"

namespace caregate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class InboxCliTest : public CliTest {
 protected:
  // A message for core-pelvic-pt about a new patient; returns its id.
  std::string QueueMessage(const std::string& body) {
    const std::string patient = NewPatientId();
    RecordConsent(patient, "core-pelvic-pt", "homework_adherence");
    return MessageOf(SendToPt(patient, {"homework_adherence=" + body}));
  }
};

TEST_F(InboxCliTest, ListShowsWaitingMessagesAsTableAndJson) {
  const std::string id = QueueMessage("Practised breathing daily");
  CtlResult r = gateway().As("core-pelvic-pt-inbox", {"inbox", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("MESSAGE", 0), 0u);
  EXPECT_THAT(r.out, HasSubstr(id));
  EXPECT_THAT(r.out, Not(HasSubstr("Practised breathing daily")));

  CtlResult json =
      gateway().As("core-pelvic-pt-inbox", {"inbox", "list", "--json"});
  ASSERT_EQ(json.code, 0) << json.err;
  bool found = false;
  for (const v1::Message& m : ParseJsonLines<v1::Message>(json.out)) {
    if (m.message_id() != id) continue;
    found = true;
    EXPECT_EQ(m.recipient_org_id(), "core-pelvic-pt");
    ASSERT_EQ(m.sections_size(), 1);
    // A summary: `inbox show` (GetMessage) has the body.
    EXPECT_TRUE(m.body_omitted());
    EXPECT_EQ(m.sections(0).body(), "");
  }
  EXPECT_TRUE(found);
}

TEST_F(InboxCliTest, ShowPrintsTheMessageAndVerifiesTheSignature) {
  const std::string id = QueueMessage("Completed the home program");
  CtlResult r = gateway().As("core-pelvic-pt-inbox", {"inbox", "show", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(FieldValue(r.out, "message"), id);
  EXPECT_THAT(FieldValue(r.out, "signature"),
              HasSubstr("verified (gateway key"));
  EXPECT_THAT(r.out, HasSubstr("[1] HOMEWORK_ADHERENCE: Section 1\n"
                               "Completed the home program\n"));
  EXPECT_THAT(r.out, HasSubstr("consents relied on:\n  cns-"));
  EXPECT_THAT(r.out, HasSubstr("redisclosure notice:\n"));
  EXPECT_THAT(r.err, IsEmpty());
}

TEST_F(InboxCliTest, ShowWithAnotherKeyRefuses) {
  const std::string id = QueueMessage("Completed the home program");
  const std::string other =
      gateway().WriteFile("other.pub.pem", NewEd25519KeyPair().public_pem);
  CtlResult r = gateway().As("core-pelvic-pt-inbox",
                             {"inbox", "show", id, "--pubkey", other});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(FieldValue(r.out, "signature"), HasSubstr("DOES NOT VERIFY"));
  EXPECT_EQ(r.err, "caregatectl inbox show: message " + id +
                       ": the gateway signature does not verify\n");
}

TEST_F(InboxCliTest, ShowJsonParses) {
  const std::string id = QueueMessage("Body");
  CtlResult r =
      gateway().As("core-pelvic-pt-inbox", {"inbox", "show", id, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<v1::Message> m = ParseJsonLines<v1::Message>(r.out);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].message_id(), id);
  EXPECT_EQ(m[0].signature().size(), 64u);
}

TEST_F(InboxCliTest, AnotherClinicCannotSeeIt) {
  const std::string id = QueueMessage("Body");
  CtlResult r = gateway().As("riverside-urology-inbox", {"inbox", "show", id});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "caregatectl inbox show: not found: message " + id +
                       " is not in your inbox\n");
}

TEST_F(InboxCliTest, AckMarksItDeliveredForTheSender) {
  const std::string patient = NewPatientId();
  RecordConsent(patient, "core-pelvic-pt", "homework_adherence");
  const std::string disclosure = SendToPt(patient, {"homework_adherence=x"});
  const std::string id = MessageOf(disclosure);
  CtlResult r = gateway().As("core-pelvic-pt-inbox", {"inbox", "ack", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("acknowledged " + id + " at "));
  CtlResult sender =
      gateway().As("dr-rivera", {"disclosure", "get", disclosure});
  EXPECT_THAT(FieldValue(sender.out, "delivery"), HasSubstr("ACKNOWLEDGED "));
  CtlResult list = gateway().As("core-pelvic-pt-inbox", {"inbox", "list"});
  EXPECT_THAT(list.out, Not(HasSubstr(id)));
  CtlResult all =
      gateway().As("core-pelvic-pt-inbox", {"inbox", "list", "--all"});
  EXPECT_THAT(all.out, HasSubstr(id));

  CtlResult json =
      gateway().As("core-pelvic-pt-inbox", {"inbox", "ack", id, "--json"});
  std::vector<v1::AcknowledgeMessageResponse> ack =
      ParseJsonLines<v1::AcknowledgeMessageResponse>(json.out);
  ASSERT_EQ(ack.size(), 1u);
  EXPECT_TRUE(ack[0].has_acknowledged_at());
}

TEST_F(InboxCliTest, WatchPrintsWaitingMessagesWithTheirSignature) {
  const std::string id = QueueMessage("Watched");
  CtlResult r =
      gateway().As("core-pelvic-pt-inbox", {"inbox", "watch", "--count", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0], "Waiting for messages (Ctrl-C stops)...");
  EXPECT_THAT(lines[1], HasSubstr("msg-"));
  EXPECT_THAT(lines[1], HasSubstr("signature verified (gateway key"));

  CtlResult json = gateway().As("core-pelvic-pt-inbox",
                                {"inbox", "watch", "--count", "1", "--json"});
  ASSERT_EQ(json.code, 0) << json.err;
  EXPECT_EQ(ParseJsonLines<v1::Message>(json.out).size(), 1u);
}

}  // namespace
}  // namespace caregate::testing
