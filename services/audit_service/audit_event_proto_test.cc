#include "services/audit_service/audit_event_proto.h"

#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate {
namespace {

using ::testing::ElementsAre;

Hash256 FilledHash(uint8_t first) {
  Hash256 hash;
  for (size_t i = 0; i < hash.size(); ++i) hash[i] = first + i;
  return hash;
}

std::string RawBytes(const Hash256& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

TEST(AuditEventToProtoTest, MapsEveryField) {
  AuditEvent event;
  event.seq = 42;
  event.time = absl::FromUnixMicros(1772366400123456);
  event.actor_principal_id = "dr-rivera";
  event.actor_role = v1::ROLE_THERAPIST;
  event.actor_org_id = "sunrise-therapy";
  event.action = v1::AUDIT_ACTION_DISCLOSURE_REDACTED;
  event.practice_org_id = "sunrise-therapy";
  event.patient_id = "p-1001";
  event.recipient_org_id = "lakeside-obgyn";
  event.purpose = v1::PURPOSE_REFERRAL;
  event.categories = {v1::CATEGORY_TREATMENT_SUMMARY,
                      v1::CATEGORY_HOMEWORK_PLAN};
  event.consent_ids = {"cns-1", "cns-2"};
  event.outcome = v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS;
  event.reasons = {v1::DENIAL_REASON_CATEGORY_WITHHELD};
  event.content_sha256 = std::string(64, 'a');
  event.request_id = "req-7";
  event.subject_id = "dsc-9";
  event.detail = "/caregate.v1.DisclosureService/SendDisclosure";
  event.prev_hash = FilledHash(1);
  event.hash = FilledHash(100);

  const v1::AuditEvent proto = AuditEventToProto(event);

  EXPECT_EQ(proto.seq(), 42);
  EXPECT_EQ(proto.time().seconds(), 1772366400);
  EXPECT_EQ(proto.time().nanos(), 123456000);
  EXPECT_EQ(proto.actor_principal_id(), "dr-rivera");
  EXPECT_EQ(proto.actor_role(), v1::ROLE_THERAPIST);
  EXPECT_EQ(proto.actor_org_id(), "sunrise-therapy");
  EXPECT_EQ(proto.action(), v1::AUDIT_ACTION_DISCLOSURE_REDACTED);
  EXPECT_EQ(proto.practice_org_id(), "sunrise-therapy");
  EXPECT_EQ(proto.patient_id(), "p-1001");
  EXPECT_EQ(proto.recipient_org_id(), "lakeside-obgyn");
  EXPECT_EQ(proto.purpose(), v1::PURPOSE_REFERRAL);
  EXPECT_THAT(proto.categories(), ElementsAre(v1::CATEGORY_TREATMENT_SUMMARY,
                                              v1::CATEGORY_HOMEWORK_PLAN));
  EXPECT_THAT(proto.consent_ids(), ElementsAre("cns-1", "cns-2"));
  EXPECT_EQ(proto.outcome(), v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS);
  EXPECT_THAT(proto.reasons(),
              ElementsAre(v1::DENIAL_REASON_CATEGORY_WITHHELD));
  EXPECT_EQ(proto.content_sha256(), std::string(64, 'a'));
  EXPECT_EQ(proto.request_id(), "req-7");
  EXPECT_EQ(proto.subject_id(), "dsc-9");
  EXPECT_EQ(proto.detail(), "/caregate.v1.DisclosureService/SendDisclosure");
  EXPECT_EQ(proto.prev_hash(), RawBytes(FilledHash(1)));
  EXPECT_EQ(proto.hash(), RawBytes(FilledHash(100)));
}

TEST(AuditEventToProtoTest, ZeroPrevHashIs32ZeroBytes) {
  AuditEvent event;
  event.seq = 1;
  event.time = absl::FromUnixSeconds(0) + absl::Hours(1);

  const v1::AuditEvent proto = AuditEventToProto(event);

  EXPECT_EQ(proto.prev_hash(), std::string(32, '\0'));
  EXPECT_EQ(proto.hash().size(), 32u);
  EXPECT_TRUE(proto.categories().empty());
  EXPECT_TRUE(proto.consent_ids().empty());
}

TEST(CheckpointToProtoTest, MapsEveryField) {
  Checkpoint checkpoint;
  checkpoint.origin = "caregate.local/audit";
  checkpoint.seq = 17;
  checkpoint.head_hash = FilledHash(7);
  checkpoint.time = absl::FromUnixSeconds(1772366400);
  checkpoint.body = "caregate.local/audit\n17\nBwgJ\n";
  checkpoint.signature = std::string(64, 's');
  checkpoint.key_id = "0123456789abcdef";

  const v1::Checkpoint proto = CheckpointToProto(checkpoint);

  EXPECT_EQ(proto.origin(), "caregate.local/audit");
  EXPECT_EQ(proto.seq(), 17);
  EXPECT_EQ(proto.head_hash(), RawBytes(FilledHash(7)));
  EXPECT_EQ(proto.time().seconds(), 1772366400);
  EXPECT_EQ(proto.body(), "caregate.local/audit\n17\nBwgJ\n");
  EXPECT_EQ(proto.signature(), std::string(64, 's'));
  EXPECT_EQ(proto.key_id(), "0123456789abcdef");
}

}  // namespace
}  // namespace caregate
