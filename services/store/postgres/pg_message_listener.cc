#include "services/store/postgres/pg_message_listener.h"

#include <poll.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/thread_name.h"
#include "services/store/postgres/pg_connection.h"
#include "services/store/postgres/pg_rows.h"
#include "spdlog/spdlog.h"

namespace caregate::pg {
namespace {

// How often the thread looks at the stop flag while no input arrives.
constexpr int kPollMs = 200;

}  // namespace

std::unique_ptr<PgMessageListener> PgMessageListener::Start(Options options) {
  std::unique_ptr<PgMessageListener> listener(
      new PgMessageListener(std::move(options)));
  listener->thread_ = std::thread([l = listener.get()] {
    SetCurrentThreadName("pg-listener");
    l->Run();
  });
  return listener;
}

PgMessageListener::~PgMessageListener() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

bool PgMessageListener::WaitListening(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto listening = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return listening_;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&listening), timeout);
}

bool PgMessageListener::Pause(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  auto stopping = [this]()
                      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
  return !mu_.AwaitWithTimeout(absl::Condition(&stopping), d);
}

void PgMessageListener::Run() {
  std::unique_ptr<PgConnection> db;
  bool logged_failure = false;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      listening_ = db != nullptr;
    }
    if (db == nullptr) {
      absl::StatusOr<std::unique_ptr<PgConnection>> opened =
          PgConnection::Open(options_.conninfo);
      absl::Status listen = opened.status();
      if (opened.ok()) {
        listen = (*opened)->Exec("listen for messages",
                                 absl::StrCat("LISTEN ", kMessageChannel));
      }
      if (!listen.ok()) {
        if (!logged_failure) {
          spdlog::warn("message notifications: {}; retrying",
                       listen.ToString());
          logged_failure = true;
        }
        if (!Pause(options_.retry_delay)) return;
        continue;
      }
      db = *std::move(opened);
      logged_failure = false;
      // Anything may have committed while nobody listened.
      options_.on_reconnect();
      continue;
    }
    pollfd fd{db->socket(), POLLIN, 0};
    if (poll(&fd, 1, kPollMs) == 0) continue;
    absl::StatusOr<std::vector<std::string>> orgs = db->TakeNotifications();
    if (!orgs.ok()) {
      spdlog::warn("message notifications: {}; reconnecting",
                   orgs.status().ToString());
      db.reset();
      continue;
    }
    for (const std::string& org : *orgs) options_.on_message(org);
  }
}

}  // namespace caregate::pg
