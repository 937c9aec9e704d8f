#include "services/audit/audit_chain.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/test_events.h"
#include "services/crypto/encoding.h"

namespace caregate {
namespace {

using ::caregate::testing::BuildTestChain;
using ::caregate::testing::MakeTestEvent;

std::string Hex(const Hash256& hash) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(hash.data()),
                                    hash.size()));
}

// Feeds `events` to `verifier`, stopping at the first problem.
VerifyResult VerifyAll(const std::vector<AuditEvent>& events,
                       ChainVerifier verifier = ChainVerifier()) {
  for (const AuditEvent& e : events) {
    if (!verifier.Add(e)) break;
  }
  return verifier.result();
}

// The event of docs/audit-log.md's worked example. The expected bytes and
// hash were computed by an independent implementation of that document.
AuditEvent GoldenEvent() {
  AuditEvent e;
  e.seq = 1;
  e.time =
      absl::FromUnixMicros(1717405200123456);  // 2024-06-03T09:00:00.123456Z
  e.actor_principal_id = "dr-rivera";
  e.actor_role = v1::ROLE_THERAPIST;
  e.actor_org_id = "sunrise-therapy";
  e.action = v1::AUDIT_ACTION_DISCLOSURE_PERMITTED;
  e.practice_org_id = "sunrise-therapy";
  e.patient_id = "p-1001";
  e.recipient_org_id = "lakeside-obgyn";
  e.purpose = v1::PURPOSE_REFERRAL;
  e.categories = {v1::CATEGORY_SESSION_ATTENDANCE,
                  v1::CATEGORY_TREATMENT_SUMMARY};
  e.consent_ids = {"cns-9d2k10"};
  e.outcome = v1::DECISION_OUTCOME_PERMITTED;
  e.content_sha256 =
      "2d9abd5ec241c0ec6473fc435b583e9eb73135db115cae802152940f52089404";
  e.request_id = "req-7f3a1000";
  e.subject_id = "dsc-01hzx4q8k2m100";
  e.detail = "SendDisclosure";
  return e;
}

constexpr char kGoldenCanonicalHex[] =
    "0000001163617265676174652e61756469742e7631"  // tag
    "0000000000000001"                            // seq
    "000619f88ee38640"                            // time
    "0000000964722d726976657261"                  // actor_principal_id
    "0000000000000001"                            // actor_role
    "0000000f73756e726973652d74686572617079"      // actor_org_id
    "0000000000000003"                            // action
    "0000000f73756e726973652d74686572617079"      // practice_org_id
    "00000006702d31303031"                        // patient_id
    "0000000e6c616b65736964652d6f6267796e"        // recipient_org_id
    "0000000000000002"                            // purpose
    "0000000200000000000000010000000000000002"    // categories
    "000000010000000a636e732d3964326b3130"        // consent_ids
    "0000000000000001"                            // outcome
    "00000000"                                    // reasons
    "00000040"                                    // content_sha256
    "3264396162643565633234316330656336343733666334333562353833653965"
    "6237333133356462313135636165383032313532393430663532303839343034"
    "0000000c7265712d3766336131303030"              // request_id
    "000000126473632d3031687a783471386b326d313030"  // subject_id
    "0000000e53656e64446973636c6f73757265";         // detail
constexpr char kGoldenHashHex[] =
    "e083d7b205db5fcdc4a2cee747d104023b65b6441c63be53945140483e16f0cf";

TEST(CanonicalEventBytesTest, MatchesDocumentedExample) {
  const std::string bytes = CanonicalEventBytes(GoldenEvent());
  EXPECT_EQ(bytes.size(), 314u);
  EXPECT_EQ(HexEncode(bytes), kGoldenCanonicalHex);
  EXPECT_EQ(Hex(ComputeEventHash(Hash256{}, GoldenEvent())), kGoldenHashHex);
}

TEST(CanonicalEventBytesTest, StartsWithLengthPrefixedDomainTag) {
  const std::string bytes = CanonicalEventBytes(AuditEvent{});
  EXPECT_EQ(bytes.substr(0, 21),
            std::string("\0\0\0\x11", 4) + "caregate.audit.v1");
}

TEST(CanonicalEventBytesTest, TimeIsFloorOfMicroseconds) {
  AuditEvent before_epoch;
  before_epoch.time = absl::FromUnixNanos(-1500);  // -1.5 us
  AuditEvent at_minus_two;
  at_minus_two.time = absl::FromUnixMicros(-2);
  EXPECT_EQ(CanonicalEventBytes(before_epoch),
            CanonicalEventBytes(at_minus_two));
  AuditEvent after;
  after.time = absl::FromUnixNanos(1999);
  AuditEvent at_one;
  at_one.time = absl::FromUnixMicros(1);
  EXPECT_EQ(CanonicalEventBytes(after), CanonicalEventBytes(at_one));
}

TEST(CanonicalEventBytesTest, LengthPrefixesKeepFieldBoundaries) {
  AuditEvent a = GoldenEvent();
  a.practice_org_id = "sunrise-therap";
  a.patient_id = "yp-1001";
  EXPECT_NE(CanonicalEventBytes(a), CanonicalEventBytes(GoldenEvent()));
  AuditEvent b = GoldenEvent();
  b.consent_ids = {"cns-9d2k", "10"};
  EXPECT_NE(CanonicalEventBytes(b), CanonicalEventBytes(GoldenEvent()));
}

TEST(ComputeEventHashTest, DependsOnPrevHash) {
  Hash256 prev{};
  prev[31] = 1;
  EXPECT_NE(ComputeEventHash(prev, GoldenEvent()),
            ComputeEventHash(Hash256{}, GoldenEvent()));
}

TEST(AuditChainTest, AppendSetsSeqLinksAndTruncatesTime) {
  AuditChain chain;
  AuditEvent first = MakeTestEvent(0);
  const absl::Time raw_time = first.time;
  chain.Append(&first);
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.prev_hash, Hash256{});
  EXPECT_EQ(first.time, absl::FromUnixMicros(absl::ToUnixMicros(raw_time)));
  EXPECT_NE(first.time, raw_time);
  EXPECT_EQ(first.hash, ComputeEventHash(Hash256{}, first));

  AuditEvent second = MakeTestEvent(1);
  chain.Append(&second);
  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(second.prev_hash, first.hash);
  EXPECT_EQ(chain.head_seq(), 2);
  EXPECT_EQ(chain.head_hash(), second.hash);
}

TEST(AuditChainTest, StoreRoundTripOfTimeKeepsHash) {
  AuditChain chain;
  AuditEvent event = MakeTestEvent(3);
  chain.Append(&event);
  AuditEvent reloaded = event;  // as read back from a microsecond column
  reloaded.time = absl::FromUnixMicros(absl::ToUnixMicros(event.time));
  EXPECT_EQ(ComputeEventHash(reloaded.prev_hash, reloaded), event.hash);
}

TEST(AuditChainTest, ContinuesFromHead) {
  const std::vector<AuditEvent> full = BuildTestChain(60);
  AuditChain resumed(50, full[49].hash);
  for (int i = 50; i < 60; ++i) {
    AuditEvent e = MakeTestEvent(i);
    resumed.Append(&e);
    EXPECT_EQ(e.seq, i + 1);
    EXPECT_EQ(e.hash, full[i].hash);
  }
}

TEST(ChainVerifierTest, Accepts100Events) {
  const std::vector<AuditEvent> events = BuildTestChain(100);
  ChainVerifier verifier;
  for (const AuditEvent& e : events) ASSERT_TRUE(verifier.Add(e)) << e.seq;
  EXPECT_TRUE(verifier.result().ok);
  EXPECT_EQ(verifier.result().verified_through_seq, 100);
  EXPECT_EQ(verifier.result().problem, "");
  EXPECT_EQ(verifier.head_hash(), events.back().hash);
}

TEST(ChainVerifierTest, EmptyLogIsOk) {
  ChainVerifier verifier;
  EXPECT_TRUE(verifier.result().ok);
  EXPECT_EQ(verifier.result().verified_through_seq, 0);
  EXPECT_EQ(verifier.head_hash(), Hash256{});
}

struct FieldChange {
  std::string name;
  std::function<void(AuditEvent&)> change;
};

class ChangedFieldTest : public ::testing::TestWithParam<FieldChange> {};

TEST_P(ChangedFieldTest, IsDetectedAtThatEvent) {
  std::vector<AuditEvent> events = BuildTestChain(100);
  GetParam().change(events[41]);  // seq 42, a permitted disclosure
  const VerifyResult result = VerifyAll(events);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 42);
  EXPECT_EQ(result.verified_through_seq, 41);
  EXPECT_EQ(result.problem, "seq 42: hash mismatch (event content changed)");
}

INSTANTIATE_TEST_SUITE_P(
    Fields, ChangedFieldTest,
    ::testing::Values(
        FieldChange{"patient_id",
                    [](AuditEvent& e) { e.patient_id = "p-2002"; }},
        FieldChange{
            "recipient",
            [](AuditEvent& e) { e.recipient_org_id = "maple-primary-care"; }},
        FieldChange{"category_added",
                    [](AuditEvent& e) {
                      e.categories.push_back(v1::CATEGORY_SEXUAL_HISTORY);
                    }},
        FieldChange{
            "categories_reordered",
            [](AuditEvent& e) { std::swap(e.categories[0], e.categories[1]); }},
        FieldChange{
            "outcome",
            [](AuditEvent& e) { e.outcome = v1::DECISION_OUTCOME_DENIED; }},
        FieldChange{
            "consent_ids",
            [](AuditEvent& e) { e.consent_ids.push_back("cns-9d2k99"); }},
        FieldChange{"time",
                    [](AuditEvent& e) { e.time += absl::Microseconds(1); }},
        FieldChange{"content_sha256",
                    [](AuditEvent& e) { e.content_sha256[0] ^= 1; }}),
    [](const ::testing::TestParamInfo<FieldChange>& info) {
      return info.param.name;
    });

TEST(ChainVerifierTest, DetectsDeletedEvent) {
  std::vector<AuditEvent> events = BuildTestChain(100);
  events.erase(events.begin() + 49);  // seq 50
  const VerifyResult result = VerifyAll(events);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 51);
  EXPECT_EQ(result.verified_through_seq, 49);
  EXPECT_EQ(result.problem,
            "seq 51: expected seq 50 (event missing or reordered)");
}

TEST(ChainVerifierTest, DetectsSwappedEvents) {
  std::vector<AuditEvent> events = BuildTestChain(100);
  std::swap(events[29], events[30]);  // seq 30 and 31
  const VerifyResult result = VerifyAll(events);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 31);
  EXPECT_EQ(result.verified_through_seq, 29);
  EXPECT_EQ(result.problem,
            "seq 31: expected seq 30 (event missing or reordered)");
}

// A forged "seq 51" with a correct prev_hash and recomputed hash, inserted
// before the real seq 51.
AuditEvent ForgedAfter(const AuditEvent& previous) {
  AuditEvent forged = MakeTestEvent(7);
  forged.patient_id = "p-1009";
  forged.recipient_org_id = "riverside-urology";
  forged.time = previous.time + absl::Seconds(1);
  forged.seq = previous.seq + 1;
  forged.prev_hash = previous.hash;
  forged.hash = ComputeEventHash(forged.prev_hash, forged);
  return forged;
}

TEST(ChainVerifierTest, DetectsInsertedEventBySeq) {
  std::vector<AuditEvent> events = BuildTestChain(100);
  events.insert(events.begin() + 50, ForgedAfter(events[49]));
  const VerifyResult result = VerifyAll(events);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 51);
  EXPECT_EQ(result.problem,
            "seq 51: expected seq 52 (event missing or reordered)");
}

TEST(ChainVerifierTest, DetectsInsertedEventWithRenumberingByPrevHash) {
  std::vector<AuditEvent> events = BuildTestChain(100);
  events.insert(events.begin() + 50, ForgedAfter(events[49]));
  for (size_t i = 51; i < events.size(); ++i) ++events[i].seq;
  const VerifyResult result = VerifyAll(events);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 52);
  EXPECT_EQ(result.verified_through_seq, 51);
  EXPECT_EQ(result.problem, "seq 52: prev_hash does not match hash of seq 51");
}

TEST(ChainVerifierTest, DetectsRehashedChangeAtNextEvent) {
  std::vector<AuditEvent> events = BuildTestChain(100);
  events[41].patient_id = "p-2002";
  events[41].hash = ComputeEventHash(events[41].prev_hash, events[41]);
  const VerifyResult result = VerifyAll(events);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 43);
  EXPECT_EQ(result.problem, "seq 43: prev_hash does not match hash of seq 42");
}

TEST(ChainVerifierTest, DetectsNonZeroPrevHashOfFirstEvent) {
  std::vector<AuditEvent> events = BuildTestChain(3);
  events[0].prev_hash[0] = 1;
  const VerifyResult result = VerifyAll(events);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 1);
  EXPECT_EQ(result.verified_through_seq, 0);
  EXPECT_EQ(result.problem, "seq 1: prev_hash is not 32 zero bytes");
}

TEST(ChainVerifierTest, FirstProblemWinsAndStays) {
  std::vector<AuditEvent> events = BuildTestChain(100);
  events[9].detail = "GetDisclosure";  // seq 10
  events.erase(events.begin() + 59);   // seq 60
  ChainVerifier verifier;
  for (const AuditEvent& e : events) verifier.Add(e);
  EXPECT_FALSE(verifier.Add(events[0]));
  EXPECT_EQ(verifier.result().first_bad_seq, 10);
  EXPECT_EQ(verifier.result().verified_through_seq, 9);
  EXPECT_EQ(verifier.result().problem,
            "seq 10: hash mismatch (event content changed)");
}

TEST(ChainVerifierTest, ContinuesFromAnchor) {
  const std::vector<AuditEvent> events = BuildTestChain(100);
  const std::vector<AuditEvent> tail(events.begin() + 50, events.end());
  ChainVerifier anchored(50, events[49].hash);
  EXPECT_EQ(anchored.result().verified_through_seq, 50);
  const VerifyResult result = VerifyAll(tail, anchored);
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.verified_through_seq, 100);
}

TEST(ChainVerifierTest, WrongAnchorHashIsDetected) {
  const std::vector<AuditEvent> events = BuildTestChain(100);
  const std::vector<AuditEvent> tail(events.begin() + 50, events.end());
  const VerifyResult result =
      VerifyAll(tail, ChainVerifier(50, events[48].hash));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 51);
  EXPECT_EQ(result.verified_through_seq, 50);
  EXPECT_EQ(result.problem, "seq 51: prev_hash does not match hash of seq 50");
}

}  // namespace
}  // namespace caregate
