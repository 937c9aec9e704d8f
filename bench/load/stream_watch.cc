#include "bench/load/stream_watch.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "caregate/v1/inbox_service.grpc.pb.h"
#include "grpcpp/support/status.h"

namespace caregate::bench {
namespace {

// Stop() ends the drain once the stream has been quiet this long.
constexpr absl::Duration kQuiet = absl::Milliseconds(500);

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace

StreamWatch::StreamWatch(std::shared_ptr<grpc::Channel> channel)
    : channel_(std::move(channel)) {
  reader_ = std::thread([this] { Read(); });
}

StreamWatch::~StreamWatch() { Stop(absl::ZeroDuration()); }

void StreamWatch::BeginWindow(absl::Time begin) {
  absl::MutexLock lock(&mu_);
  window_begin_ = begin;
}

void StreamWatch::EndWindow(absl::Time end) {
  absl::MutexLock lock(&mu_);
  window_end_ = end;
}

void StreamWatch::Read() {
  auto stub = v1::InboxService::NewStub(channel_);
  auto stream =
      stub->StreamMessages(&context_, v1::StreamMessagesRequest());
  v1::Message message;
  while (stream->Read(&message)) {
    const absl::Time arrived = absl::Now();
    const absl::Time committed = FromTimestamp(message.created_at());
    received_.fetch_add(1);
    absl::MutexLock lock(&mu_);
    last_arrival_ = arrived;
    if (committed >= window_begin_ && committed < window_end_) {
      latency_ns_.Record(static_cast<uint64_t>(
          absl::ToInt64Nanoseconds(std::max(arrived - committed,
                                            absl::ZeroDuration()))));
    }
  }
  grpc::Status status = stream->Finish();
  absl::MutexLock lock(&mu_);
  if (!stopping_ && !status.ok()) {
    error_ = status.error_message().empty()
                 ? std::to_string(status.error_code())
                 : status.error_message();
  }
}

void StreamWatch::Stop(absl::Duration drain) {
  const absl::Time deadline = absl::Now() + drain;
  while (absl::Now() < deadline) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      const absl::Time now = absl::Now();
      if (now >= window_end_ && now - last_arrival_ > kQuiet) break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  context_.TryCancel();
  if (reader_.joinable()) reader_.join();
}

std::string StreamWatch::error() const {
  absl::MutexLock lock(&mu_);
  return error_;
}

}  // namespace caregate::bench
