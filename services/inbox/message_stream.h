// One StreamMessages call: the QUEUED messages of the caller's organization
// (the backlog, oldest first), then every new message as it commits.
//
// The stream subscribes to the MessageBus before it reads the backlog, so no
// message committed meanwhile is missed; a live message already written from
// the backlog is skipped (by message id). The backlog is read a page at a time
// on the executor, the next page only once the previous one is written, so
// the reactor never blocks and a large backlog never sits in memory. One write
// is in flight at a time. Live messages that pile up for a slow client are
// bounded: past kMaxPending the stream finishes with RESOURCE_EXHAUSTED and
// the client reconnects (it gets them from the backlog then).
//
// Lifetime: created by Start(), deletes itself once gRPC has called OnDone and
// no backlog read is in flight; it unsubscribes from the bus before that.
// Thread-safe: reactions, bus callbacks, executor tasks and Close() may run
// concurrently. Store reads failing end the stream with their status
// (UNAVAILABLE, or DATA_LOSS for a message that cannot be opened).
#ifndef CAREGATE_SERVICES_INBOX_MESSAGE_STREAM_H_
#define CAREGATE_SERVICES_INBOX_MESSAGE_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "grpcpp/grpcpp.h"
#include "services/crypto/data_cipher.h"
#include "services/delivery/message_bus.h"
#include "services/rpc/call_admission.h"
#include "services/rpc/executor.h"
#include "services/store/store.h"

namespace caregate {

class MessageStream;

// The open inbox streams, so that a shutting-down gateway can end them (a
// server's Shutdown() without a deadline waits for every stream). Thread-safe.
class InboxStreams {
 public:
  // Finishes every open stream, and every stream started later, with
  // `status` (e.g. UNAVAILABLE "gateway is shutting down").
  void CloseAll(const absl::Status& status);

 private:
  friend class MessageStream;
  // False (and the stream is not added) once CloseAll() has run; `*why` is
  // then its status.
  bool Add(MessageStream* stream, absl::Status* why);
  void Remove(MessageStream* stream);

  absl::Mutex mu_;
  absl::flat_hash_set<MessageStream*> open_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> closed_ ABSL_GUARDED_BY(mu_);
};

// What a stream uses; every pointer must outlive the stream.
struct MessageStreamDeps {
  CallAdmission* admission;
  Store* store;
  Executor* executor;
  const DataCipher* cipher;
  MessageBus* bus;
  InboxStreams* streams;
};

class MessageStream final : public grpc::ServerWriteReactor<v1::Message> {
 public:
  static constexpr int kBacklogPageSize = 100;
  static constexpr size_t kMaxPending = 10000;

  // Admits the call (a refusal finishes the stream) and starts it.
  static MessageStream* Start(grpc::CallbackServerContext* context,
                              const MessageStreamDeps& deps);

  // Finishes the stream with `status` (after the write in flight, if any),
  // unless it is already finishing.
  void Close(absl::Status status);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  struct Action {
    enum Kind { kNone, kWrite, kFinish, kLoad } kind = kNone;
    const v1::Message* message = nullptr;
    absl::Status status;
  };

  explicit MessageStream(const MessageStreamDeps& deps);
  void Begin(const PrincipalInfo& principal);
  void OnLive(std::shared_ptr<const v1::Message> message);
  void LoadBacklogPage();
  // Takes the next step the state calls for: a write, the finish, or a
  // backlog read. At most one applies at a time.
  void Pump();
  Action NextActionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RequestFinishLocked(absl::Status status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EndBacklogLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishNow(const absl::Status& status);
  // Deletes the stream when OnDone has run and no read is in flight.
  void MaybeDestroy(bool release_busy = false);

  const MessageStreamDeps deps_;
  const absl::Time start_;
  // Set before the stream subscribes or reads; constant afterwards.
  const PrincipalInfo* principal_ = nullptr;
  int64_t subscription_ = 0;
  bool registered_ = false;

  absl::Mutex mu_;
  std::deque<std::shared_ptr<const v1::Message>> pending_ ABSL_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<const v1::Message>> live_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> backlog_ids_ ABSL_GUARDED_BY(mu_);
  int64_t after_seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool started_ ABSL_GUARDED_BY(mu_) = false;  // subscribed, backlog may load
  bool backlog_done_ ABSL_GUARDED_BY(mu_) = false;
  bool load_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<const v1::Message> writing_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> finish_ ABSL_GUARDED_BY(mu_);
  bool finish_started_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool destroying_ ABSL_GUARDED_BY(mu_) = false;
  // Threads inside LoadBacklogPage() past clearing load_in_flight_.
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_INBOX_MESSAGE_STREAM_H_
