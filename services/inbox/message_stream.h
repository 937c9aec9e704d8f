// One StreamMessages call: the QUEUED messages of the caller's organization
// (the backlog, oldest first), then every new message once it is visible.
//
// The store is the only source: the stream keeps the seq of the last message
// it sent and reads the next page after it, a page at a time (at most
// kPageMessages messages, kPageBytes bytes) on the executor, the next page
// only once the previous one is written, one write in flight. A
// MessageNotifier wake-up only marks the stream as possibly behind, so a
// slow or stalled client pins at most one page plus the message gRPC is
// sending, whatever arrives meanwhile, and a wake-up that comes while a page
// loads is never lost (the stream reads again after the load). Messages are
// read only through the notifier's visible_seq(), so a stream never sends a
// message that is not durable yet.
//
// Lifetime: created by Start(), deletes itself once gRPC has called OnDone and
// no page read is in flight; it unsubscribes before that and releases its
// place in the stream limits (CallAdmission) when deleted. Thread-safe:
// reactions, wake-ups, executor tasks and Close() may run concurrently. Store
// reads failing end the stream with their status (UNAVAILABLE, or DATA_LOSS
// for a message that cannot be opened).
#ifndef CAREGATE_SERVICES_INBOX_MESSAGE_STREAM_H_
#define CAREGATE_SERVICES_INBOX_MESSAGE_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "grpcpp/grpcpp.h"
#include "services/crypto/data_cipher.h"
#include "services/delivery/message_notifier.h"
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
  MessageNotifier* notifier;
  InboxStreams* streams;
};

class MessageStream final : public grpc::ServerWriteReactor<v1::Message> {
 public:
  static constexpr int kPageMessages = 16;
  static constexpr size_t kPageBytes = 512 << 10;

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
  void OnWakeUp();
  void LoadPage();
  // Takes the next step the state calls for: a write, the finish, or a page
  // read. At most one applies at a time.
  void Pump();
  Action NextActionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RequestFinishLocked(absl::Status status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishNow(const absl::Status& status);
  // Deletes the stream when OnDone has run and no read is in flight.
  void MaybeDestroy(bool release_busy = false);

  const MessageStreamDeps deps_;
  const absl::Time start_;
  // Set before the stream subscribes or reads; constant afterwards.
  const PrincipalInfo* principal_ = nullptr;
  std::unique_ptr<StreamSlot> slot_;
  int64_t subscription_ = 0;
  bool registered_ = false;

  absl::Mutex mu_;
  std::deque<std::unique_ptr<v1::Message>> page_ ABSL_GUARDED_BY(mu_);
  int64_t after_seq_ ABSL_GUARDED_BY(mu_) = 0;  // last seq read
  bool started_ ABSL_GUARDED_BY(mu_) = false;   // subscribed, may read
  // The store may hold messages after after_seq_ (a wake-up came, or the last
  // page was full).
  bool behind_ ABSL_GUARDED_BY(mu_) = true;
  bool load_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<v1::Message> writing_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> finish_ ABSL_GUARDED_BY(mu_);
  bool finish_started_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool destroying_ ABSL_GUARDED_BY(mu_) = false;
  // Threads inside LoadPage() past clearing load_in_flight_.
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_INBOX_MESSAGE_STREAM_H_
