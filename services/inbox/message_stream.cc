#include "services/inbox/message_stream.h"

#include <utility>

#include "absl/time/clock.h"
#include "services/inbox/inbox_reader.h"
#include "services/rpc/json_log.h"
#include "services/rpc/unary_call.h"
#include "services/security/rpc_policy.h"

namespace caregate {

void InboxStreams::CloseAll(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  if (!closed_.has_value()) closed_ = status;
  // A stream leaves `open_` (under mu_) before it is deleted, so every one
  // here is alive.
  for (MessageStream* stream : open_) stream->Close(status);
}

bool InboxStreams::Add(MessageStream* stream, absl::Status* why) {
  absl::MutexLock lock(&mu_);
  if (closed_.has_value()) {
    *why = *closed_;
    return false;
  }
  open_.insert(stream);
  return true;
}

void InboxStreams::Remove(MessageStream* stream) {
  absl::MutexLock lock(&mu_);
  open_.erase(stream);
}

MessageStream::MessageStream(const MessageStreamDeps& deps)
    : deps_(deps), start_(absl::Now()) {}

MessageStream* MessageStream::Start(grpc::CallbackServerContext* context,
                                    const MessageStreamDeps& deps) {
  auto* stream = new MessageStream(deps);
  // gRPC delivers no reaction (OnDone included) before this handler returns,
  // so the stream outlives Start() even when the refusal runs at once.
  const PrincipalInfo* principal = deps.admission->AdmitStream(
      context, Rpc::kStreamMessages,
      [stream](absl::Status s) { stream->Close(std::move(s)); },
      &stream->slot_);
  if (principal != nullptr) stream->Begin(*principal);
  return stream;
}

void MessageStream::Begin(const PrincipalInfo& principal) {
  principal_ = &principal;
  // The client learns at once that its stream is open, before any message.
  // Sent first, while no other thread can reach the stream (no write or
  // finish can precede it).
  StartSendInitialMetadata();
  absl::Status why;
  if (!deps_.streams->Add(this, &why)) {
    Close(why);
    return;
  }
  registered_ = true;
  // Subscribe before the first read: a message that becomes visible while
  // the backlog loads wakes the stream again.
  subscription_ =
      deps_.notifier->Subscribe(principal.org_id, [this] { OnWakeUp(); });
  {
    absl::MutexLock lock(&mu_);
    started_ = true;
  }
  Pump();
}

void MessageStream::Close(absl::Status status) {
  {
    absl::MutexLock lock(&mu_);
    RequestFinishLocked(std::move(status));
  }
  Pump();
}

void MessageStream::OnWakeUp() {
  {
    absl::MutexLock lock(&mu_);
    behind_ = true;
  }
  Pump();
}

void MessageStream::LoadPage() {
  InboxPageRequest request;
  {
    absl::MutexLock lock(&mu_);
    request.after_seq = after_seq_;
  }
  request.through_seq = deps_.notifier->visible_seq();
  request.max_messages = kPageMessages;
  request.max_bytes = kPageBytes;
  absl::StatusOr<InboxPage> page =
      ReadInboxPage(*deps_.store, *deps_.cipher, principal_->org_id, request);
  {
    absl::MutexLock lock(&mu_);
    load_in_flight_ = false;
    ++busy_;  // keeps the stream alive through Pump() below
    if (!page.ok()) {
      RequestFinishLocked(page.status());
    } else if (!finish_.has_value()) {
      for (v1::Message& message : page->messages) {
        page_.push_back(std::make_unique<v1::Message>(std::move(message)));
      }
      after_seq_ = page->last_seq;
      // A full page means more may follow; a wake-up during the read has
      // set behind_ again and is honoured too.
      if (page->more) behind_ = true;
    }
  }
  Pump();
  MaybeDestroy(/*release_busy=*/true);
}

void MessageStream::RequestFinishLocked(absl::Status status) {
  if (!finish_.has_value()) finish_ = std::move(status);
}

MessageStream::Action MessageStream::NextActionLocked() {
  Action action;
  if (finish_started_ || writing_ != nullptr) return action;
  if (finish_.has_value()) {
    finish_started_ = true;
    action.kind = Action::kFinish;
    action.status = *finish_;
  } else if (!page_.empty()) {
    writing_ = std::move(page_.front());
    page_.pop_front();
    action.kind = Action::kWrite;
    action.message = writing_.get();
  } else if (started_ && behind_ && !load_in_flight_) {
    behind_ = false;
    load_in_flight_ = true;
    action.kind = Action::kLoad;
  }
  return action;
}

void MessageStream::Pump() {
  Action action;
  {
    absl::MutexLock lock(&mu_);
    action = NextActionLocked();
  }
  // gRPC and the executor are called outside mu_.
  switch (action.kind) {
    case Action::kNone:
      break;
    case Action::kWrite:
      StartWrite(action.message);
      break;
    case Action::kFinish:
      FinishNow(action.status);
      break;
    case Action::kLoad:
      deps_.executor->Post([this] { LoadPage(); });
      break;
  }
}

void MessageStream::FinishNow(const absl::Status& status) {
  LogFinishedCall(RpcName(Rpc::kStreamMessages),
                  principal_ ? std::string_view(principal_->principal_id) : "",
                  status.code(), absl::Now() - start_);
  Finish(ToGrpcStatus(status));
}

void MessageStream::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_.reset();
    if (!ok) {
      RequestFinishLocked(absl::CancelledError("inbox stream: write failed"));
    }
  }
  Pump();
}

void MessageStream::OnCancel() {
  Close(absl::CancelledError("inbox stream: cancelled"));
}

void MessageStream::OnDone() {
  {
    absl::MutexLock lock(&mu_);
    done_ = true;
  }
  MaybeDestroy();
}

void MessageStream::MaybeDestroy(bool release_busy) {
  {
    // Deciding under mu_, once, makes the deciding thread the last to touch
    // the stream.
    absl::MutexLock lock(&mu_);
    if (release_busy) --busy_;
    if (!done_ || load_in_flight_ || busy_ > 0 || destroying_) return;
    destroying_ = true;
  }
  // No wake-up runs after Unsubscribe() returns, and CloseAll() cannot reach
  // the stream after Remove().
  if (subscription_ != 0) deps_.notifier->Unsubscribe(subscription_);
  if (registered_) deps_.streams->Remove(this);
  delete this;
}

}  // namespace caregate
