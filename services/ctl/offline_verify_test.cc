#include "services/ctl/offline_verify.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/checkpoint.h"
#include "services/audit/test_events.h"
#include "services/audit_service/audit_event_proto.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace caregate::ctl {
namespace {

using ::caregate::testing::BuildTestChain;
using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

class OfflineVerifyTest : public ::testing::Test {
 protected:
  OfflineVerifyTest() {
    ::caregate::testing::PemKeyPair keys =
        ::caregate::testing::NewEd25519KeyPair();
    signer_ = *Ed25519Signer::FromPem(keys.private_pem);
    verifier_ = *Ed25519Verifier::FromPem(keys.public_pem);
    std::vector<AuditEvent> events = BuildTestChain(12);
    for (const AuditEvent& e : events)
      *export_.add_events() = AuditEventToProto(e);
    *export_.mutable_checkpoint() = CheckpointToProto(
        SignCheckpoint("caregate.test/audit", 12, events.back().hash,
                       absl::FromUnixSeconds(1717406000), *signer_));
  }

  std::unique_ptr<Ed25519Signer> signer_;
  std::unique_ptr<Ed25519Verifier> verifier_;
  v1::AuditExport export_;
};

TEST_F(OfflineVerifyTest, EventsRoundTripThroughTheProto) {
  for (const AuditEvent& e : BuildTestChain(6)) {
    absl::StatusOr<AuditEvent> back = AuditEventFromProto(AuditEventToProto(e));
    CG_ASSERT_OK(back);
    EXPECT_EQ(CanonicalEventBytes(*back), CanonicalEventBytes(e));
    EXPECT_EQ(back->hash, e.hash);
    EXPECT_EQ(back->prev_hash, e.prev_hash);
  }
}

TEST_F(OfflineVerifyTest, BadHashLengthNamesTheSeq) {
  v1::AuditEvent e = export_.events(3);
  e.set_hash("short");
  EXPECT_THAT(AuditEventFromProto(e),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("seq 4: hash is 5 bytes, not 32")));
}

TEST_F(OfflineVerifyTest, AFreshExportVerifies) {
  OfflineReport r = VerifyAuditExport(export_, *verifier_);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.event_count, 12);
  EXPECT_EQ(r.verified_through_seq, 12);
  EXPECT_EQ(r.checkpoint_seq, 12);
  EXPECT_EQ(r.key_id, verifier_->key_id());
  EXPECT_EQ(r.events_after_checkpoint, 0);
}

TEST_F(OfflineVerifyTest, ChangedEventNamesItsSeq) {
  export_.mutable_events(6)->set_request_id("req-forged");
  OfflineReport r = VerifyAuditExport(export_, *verifier_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 7);
  EXPECT_EQ(r.verified_through_seq, 6);
  EXPECT_EQ(r.problem, "seq 7: hash mismatch (event content changed)");
}

TEST_F(OfflineVerifyTest, MissingEventIsAGap) {
  export_.mutable_events()->DeleteSubrange(4, 1);
  OfflineReport r = VerifyAuditExport(export_, *verifier_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 6);
  EXPECT_THAT(r.problem, HasSubstr("expected seq 5"));
}

TEST_F(OfflineVerifyTest, RewrittenChainFailsAgainstTheCheckpoint) {
  // Rewrite event 5 and recompute every later hash: the chain is consistent
  // but no longer matches the signed checkpoint.
  std::vector<AuditEvent> events = BuildTestChain(12);
  events[4].detail = "rewritten";
  AuditChain chain(4, events[3].hash);
  for (size_t i = 4; i < events.size(); ++i) chain.Append(&events[i]);
  for (size_t i = 0; i < events.size(); ++i) {
    *export_.mutable_events(i) = AuditEventToProto(events[i]);
  }
  OfflineReport r = VerifyAuditExport(export_, *verifier_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 12);
  EXPECT_EQ(r.problem, "checkpoint does not match event 12 (log rewritten)");
}

TEST_F(OfflineVerifyTest, CheckpointProblems) {
  v1::AuditExport forged = export_;
  std::string sig = forged.checkpoint().signature();
  sig[0] ^= 1;
  forged.mutable_checkpoint()->set_signature(sig);
  OfflineReport r = VerifyAuditExport(forged, *verifier_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 12);
  EXPECT_THAT(r.problem, HasSubstr("checkpoint signature does not verify"));
  EXPECT_THAT(r.problem, HasSubstr("(checkpoint at seq 12)"));

  auto other = *Ed25519Verifier::FromPem(
      ::caregate::testing::NewEd25519KeyPair().public_pem);
  EXPECT_THAT(VerifyAuditExport(export_, *other).problem,
              HasSubstr("checkpoint names key"));

  v1::AuditExport none = export_;
  none.clear_checkpoint();
  r = VerifyAuditExport(none, *verifier_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.problem, "the export has no checkpoint");

  v1::AuditExport truncated = export_;
  truncated.mutable_events()->RemoveLast();
  r = VerifyAuditExport(truncated, *verifier_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 12);
  EXPECT_THAT(r.problem, HasSubstr("beyond the log's last seq 11"));
}

// A checkpoint at seq 5 signed before the export's own, with `head` as its
// head hash.
v1::Checkpoint EarlierCheckpoint(const Hash256& head,
                                 const Ed25519Signer& signer) {
  return CheckpointToProto(SignCheckpoint("caregate.test/audit", 5, head,
                                          absl::FromUnixSeconds(1717405000),
                                          signer));
}

TEST_F(OfflineVerifyTest, EveryCheckpointIsChecked) {
  const std::vector<AuditEvent> events = BuildTestChain(12);
  *export_.add_checkpoints() = EarlierCheckpoint(events[4].hash, *signer_);
  *export_.add_checkpoints() = export_.checkpoint();
  OfflineReport r = VerifyAuditExport(export_, *verifier_);
  EXPECT_TRUE(r.ok) << r.problem;

  v1::AuditExport forged = export_;
  std::string sig = forged.checkpoints(0).signature();
  sig[0] ^= 1;
  forged.mutable_checkpoints(0)->set_signature(sig);
  r = VerifyAuditExport(forged, *verifier_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 5);
  EXPECT_THAT(r.problem, HasSubstr("checkpoint signature does not verify"));
  EXPECT_THAT(r.problem, HasSubstr("(checkpoint at seq 5)"));

  v1::AuditExport rewritten = export_;
  *rewritten.mutable_checkpoints(0) = EarlierCheckpoint(Hash256{1}, *signer_);
  r = VerifyAuditExport(rewritten, *verifier_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 5);
  EXPECT_EQ(r.problem, "checkpoint does not match event 5 (log rewritten)");
}

// Events 10..12 are gone; the export's own checkpoint covers seq 9 but an
// earlier one covers seq 12: bad from seq 10, as VerifyAuditLog says.
TEST_F(OfflineVerifyTest, TruncationIsBadFromTheFirstMissingSeq) {
  const std::vector<AuditEvent> events = BuildTestChain(12);
  v1::AuditExport x;
  for (int i = 0; i < 9; ++i) *x.add_events() = AuditEventToProto(events[i]);
  *x.mutable_checkpoint() = CheckpointToProto(
      SignCheckpoint("caregate.test/audit", 9, events[8].hash,
                     absl::FromUnixSeconds(1717407000), *signer_));
  *x.add_checkpoints() = x.checkpoint();
  *x.add_checkpoints() = export_.checkpoint();
  OfflineReport r = VerifyAuditExport(x, *verifier_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 10);
  EXPECT_EQ(r.verified_through_seq, 9);
  EXPECT_EQ(r.problem,
            "checkpoint at seq 12 is beyond the log's last seq 9 (log "
            "truncated after checkpoint)");
}

// Events past the last checkpoint are only chained: anyone who can write the
// export could have appended (and chained) them.
TEST_F(OfflineVerifyTest, EventsAfterTheCheckpointFailUnlessAllowed) {
  std::vector<AuditEvent> events = BuildTestChain(14);
  export_.add_events()->CopyFrom(AuditEventToProto(events[12]));
  export_.add_events()->CopyFrom(AuditEventToProto(events[13]));
  OfflineReport r = VerifyAuditExport(export_, *verifier_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.events_after_checkpoint, 2);
  EXPECT_EQ(r.first_bad_seq, 13);
  EXPECT_EQ(r.verified_through_seq, 12);
  EXPECT_EQ(r.problem,
            "2 events after the checkpoint at seq 12 are not covered by any "
            "signature");

  r = VerifyAuditExport(export_, *verifier_, /*allow_unsigned_tail=*/true);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.events_after_checkpoint, 2);
  EXPECT_EQ(r.verified_through_seq, 14);
}

TEST_F(OfflineVerifyTest, JsonRoundTrip) {
  std::string json = AuditExportToJson(export_);
  EXPECT_THAT(json, HasSubstr("\"events\": ["));
  absl::StatusOr<v1::AuditExport> back = AuditExportFromJson(json);
  CG_ASSERT_OK(back);
  EXPECT_TRUE(VerifyAuditExport(*back, *verifier_).ok);
  EXPECT_THAT(AuditExportFromJson("[1,2]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not an audit export")));
}

TEST_F(OfflineVerifyTest, LoadsEitherFormTellingThemApartByTheFirstByte) {
  const std::string binary = AuditExportToBinary(export_);
  ASSERT_FALSE(binary.empty());
  EXPECT_EQ(binary[0], '\x0a');  // field 1 (events), length-delimited
  absl::StatusOr<std::unique_ptr<LoadedAuditExport>> from_binary =
      LoadAuditExport(binary);
  CG_ASSERT_OK(from_binary);
  const LoadedAuditExport& b = **from_binary;
  EXPECT_EQ(b.head.events_size(), 0);  // the events stay encoded
  ASSERT_EQ(b.events.size(), export_.events_size());
  v1::AuditEvent scratch;
  for (int i = 0; i < b.events.size(); ++i) {
    const v1::AuditEvent* event = b.events.Get(i, scratch);
    ASSERT_NE(event, nullptr);
    EXPECT_EQ(event->SerializeAsString(),
              export_.events(i).SerializeAsString());
  }
  v1::AuditExport head = export_;
  head.clear_events();
  EXPECT_EQ(b.head.SerializeAsString(), head.SerializeAsString());
  EXPECT_TRUE(VerifyAuditExport(b.head, b.events, *verifier_).ok);

  absl::StatusOr<std::unique_ptr<LoadedAuditExport>> from_json =
      LoadAuditExport("\n  " + AuditExportToJson(export_));
  CG_ASSERT_OK(from_json);
  EXPECT_EQ((*from_json)->head.SerializeAsString(),
            export_.SerializeAsString());
  EXPECT_EQ((*from_json)->events.size(), export_.events_size());

  EXPECT_THAT(LoadAuditExport(" \t\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the file is empty")));
  EXPECT_THAT(LoadAuditExport(binary.substr(0, binary.size() / 2)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nor a binary caregate.v1.AuditExport")));
  EXPECT_THAT(LoadAuditExport("{\"events\": 7}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not an audit export (protobuf JSON)")));
}

// The binary form's first byte is a newline (the tag of field 1), and an
// event of 123 bytes puts '{' after it: such a file is still binary.
TEST_F(OfflineVerifyTest, BinaryExportThatBeginsLikeJsonLoadsAsBinary) {
  v1::AuditExport x = export_;
  x.clear_events();
  v1::AuditEvent* event = x.add_events();
  event->set_seq(1);
  while (event->ByteSizeLong() < 123) event->mutable_detail()->push_back('x');
  ASSERT_EQ(event->ByteSizeLong(), 123u);
  const std::string binary = AuditExportToBinary(x);
  ASSERT_EQ(binary.substr(0, 2), "\n{");
  absl::StatusOr<std::unique_ptr<LoadedAuditExport>> loaded =
      LoadAuditExport(binary);
  CG_ASSERT_OK(loaded);
  ASSERT_EQ((*loaded)->events.size(), 1);
  v1::AuditEvent scratch;
  EXPECT_EQ((*loaded)->events.Get(0, scratch)->detail(), event->detail());
  // A JSON export that begins with a newline is still JSON.
  absl::StatusOr<std::unique_ptr<LoadedAuditExport>> json =
      LoadAuditExport("\n" + AuditExportToJson(x));
  CG_ASSERT_OK(json);
  EXPECT_EQ((*json)->head.events(0).detail(), event->detail());
}

// An event whose bytes are not an AuditEvent is found when verified, named
// by its position, as bad from the seq it should have had.
TEST_F(OfflineVerifyTest, BinaryEventThatDoesNotParseIsBadAtItsPlace) {
  v1::AuditExport head = export_;
  head.clear_events();
  std::vector<std::string> encoded;
  for (const v1::AuditEvent& e : export_.events()) {
    encoded.push_back(e.SerializeAsString());
  }
  encoded[4] = "\xff\xff";  // field 0 wants a tag
  std::vector<std::string_view> views(encoded.begin(), encoded.end());
  OfflineReport r =
      VerifyAuditExport(head, ExportEvents(std::move(views)), *verifier_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 5);
  EXPECT_EQ(r.verified_through_seq, 4);
  EXPECT_EQ(r.problem,
            "event 5 of the export is not a valid caregate.v1.AuditEvent");
}

// The events are checked in ranges on several threads; whichever range
// holds a change, the report is what one pass over all events gives.
TEST_F(OfflineVerifyTest, ManyEventsReportTheFirstProblemWhateverItsRange) {
  // 20,000 events: several ranges of at least 4,096 when there are cores.
  const std::vector<AuditEvent> events = BuildTestChain(20000);
  v1::AuditExport big;
  for (const AuditEvent& e : events) *big.add_events() = AuditEventToProto(e);
  *big.mutable_checkpoint() = CheckpointToProto(
      SignCheckpoint("caregate.test/audit", 20000, events.back().hash,
                     absl::FromUnixSeconds(1717406000), *signer_));
  std::vector<Hash256> hashes;
  ASSERT_TRUE(VerifyAuditExport(big, ExportEvents(big), *verifier_,
                                /*allow_unsigned_tail=*/false, &hashes)
                  .ok);
  ASSERT_EQ(hashes.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(hashes[i], events[i].hash) << i;
  }
  for (const int64_t seq : {1, 4097, 9999, 10000, 10001, 15000, 20000}) {
    SCOPED_TRACE(seq);
    v1::AuditExport forged = big;
    forged.mutable_events(static_cast<int>(seq - 1))->set_detail("changed");
    // The same at a later seq too: the earlier one is reported.
    if (seq < 20000) forged.mutable_events(19999)->set_detail("changed");
    OfflineReport r = VerifyAuditExport(forged, *verifier_);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_seq, seq);
    EXPECT_EQ(r.verified_through_seq, seq - 1);
    EXPECT_EQ(r.problem, absl::StrCat("seq ", seq,
                                      ": hash mismatch (event content "
                                      "changed)"));
  }
}

}  // namespace
}  // namespace caregate::ctl
