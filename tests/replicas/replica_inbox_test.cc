// Inbox across replicas on one PostgreSQL database (ADR 5, section 4): a
// message committed through replica A is listed by replica B at once (every
// commit is durable when it returns), and reaches a clinic streaming from B
// without anything else committing through B (B LISTENs for the commit's
// notification). Bounded: every wait has a deadline.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/replicas/replica_calls.h"
#include "tests/replicas/replica_set.h"

namespace caregate::replicas {
namespace {

TEST(ReplicaInboxTest, MessageSentThroughOneReplicaReachesAClinicOnAnother) {
  absl::StatusOr<std::unique_ptr<ReplicaSet>> set = ReplicaSet::Create(2);
  ASSERT_TRUE(set.ok()) << set.status();
  ReplicaSet& replicas = **set;
  ASSERT_TRUE(replicas.StartAll(absl::Seconds(60)).ok());
  const auto therapist = replicas.Channel(0, "dr-rivera");
  const auto clinic = replicas.Channel(1, "core-pelvic-pt-inbox");
  auto inbox = v1::InboxService::NewStub(clinic);

  // The clinic streams from replica 1, which commits nothing in this test.
  grpc::ClientContext stream_context;
  stream_context.set_deadline(std::chrono::system_clock::now() +
                              std::chrono::seconds(30));
  auto stream =
      inbox->StreamMessages(&stream_context, v1::StreamMessagesRequest());
  std::atomic<bool> got_one = false;
  v1::Message streamed;
  absl::Time streamed_at;
  absl::Notification read_done;
  std::thread reader([&] {
    if (stream->Read(&streamed)) {
      streamed_at = absl::Now();
      got_one = true;
    }
    read_done.Notify();
  });

  v1::Consent consent;
  grpc::Status s =
      RecordConsent(therapist, PtConsent("p-inbox"), "consent-inbox", &consent);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::SendDisclosureResponse sent;
  const absl::Time sent_at = absl::Now();
  s = Send(therapist, PtNote("p-inbox", "send-inbox", "three sets daily"),
           &sent);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // Listed by the other replica at once.
  v1::ListMessagesResponse listed;
  s = inbox->ListMessages(Ctx().get(), v1::ListMessagesRequest(), &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.messages_size(), 1);
  EXPECT_EQ(listed.messages(0).disclosure_id(), sent.receipt().disclosure_id());

  // Streamed by it: woken by the commit's notification (or, were that lost,
  // by the probe of the log head, each second).
  EXPECT_TRUE(read_done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  stream_context.TryCancel();
  reader.join();
  ASSERT_TRUE(got_one.load());
  EXPECT_EQ(streamed.disclosure_id(), sent.receipt().disclosure_id());
  EXPECT_EQ(streamed.sections(0).body(), "three sets daily");
  std::printf("streamed by the other replica %s after the send began\n",
              absl::FormatDuration(streamed_at - sent_at).c_str());
}

}  // namespace
}  // namespace caregate::replicas
