// Wake-ups for inbox streams and push delivery across replicas (ADR 5,
// section 4): a thread with a connection of its own that LISTENs on the
// channel every message insert notifies (pg_rows.h kMessageChannel, payload:
// the recipient organization's id) and calls `on_message(org_id)` for each
// notification. PostgreSQL delivers a notification after its transaction
// commits, in commit order.
//
// A notification says only "look again"; nothing rests on it: when the
// connection is lost the listener reconnects (every `retry_delay` until it
// can) and then calls `on_reconnect()`, since notifications may have been
// missed meanwhile; the gateway also wakes everything when its probe finds
// the log head moved.
//
// Thread-safe. Callbacks run on the listener's thread and must only note
// the wake-up and return. The destructor stops the thread and waits for it.
#ifndef CAREGATE_SERVICES_STORE_POSTGRES_PG_MESSAGE_LISTENER_H_
#define CAREGATE_SERVICES_STORE_POSTGRES_PG_MESSAGE_LISTENER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace caregate::pg {

class PgMessageListener {
 public:
  struct Options {
    std::string conninfo;
    std::function<void(const std::string& org_id)> on_message;
    std::function<void()> on_reconnect;
    absl::Duration retry_delay = absl::Seconds(1);
  };

  // Starts the thread; it connects in the background.
  static std::unique_ptr<PgMessageListener> Start(Options options);
  ~PgMessageListener();
  PgMessageListener(const PgMessageListener&) = delete;
  PgMessageListener& operator=(const PgMessageListener&) = delete;

  // True once the listener has connected and LISTENs (for tests).
  bool WaitListening(absl::Duration timeout);

 private:
  explicit PgMessageListener(Options options) : options_(std::move(options)) {}
  void Run();
  // Sleeps up to `d`; false when stopping.
  bool Pause(absl::Duration d);

  const Options options_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool listening_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace caregate::pg

#endif  // CAREGATE_SERVICES_STORE_POSTGRES_PG_MESSAGE_LISTENER_H_
