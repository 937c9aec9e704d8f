#include "tests/crash/replica_crash_run.h"

#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/crash/crash_checks.h"
#include "tests/crash/crash_fixtures.h"
#include "tests/crash/pg_store_view.h"
#include "tests/replicas/replica_set.h"

namespace caregate::crash {
namespace {

constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kRestartTimeout = absl::Seconds(30);
constexpr absl::Duration kConsentDeadline = absl::Seconds(10);
constexpr absl::Duration kRetryDeadline = absl::Seconds(10);
constexpr absl::Duration kStopGrace = absl::Seconds(30);
// Every replica is tried once per round of retries.
constexpr int kRetryRounds = 2;

absl::Duration Uniform(std::mt19937_64& rng, absl::Duration lo,
                       absl::Duration hi) {
  const int64_t span = absl::ToInt64Microseconds(hi - lo);
  return lo + absl::Microseconds(span <= 0 ? 0 : rng() % (span + 1));
}

void Sleep(absl::Duration d) {
  std::this_thread::sleep_for(absl::ToChronoMicroseconds(d));
}

// Calls of the load answered only on a second or later replica.
int FailedOver(const CallRecords& calls) {
  int n = 0;
  for (const auto& c : calls.sends) n += c.answered && c.attempts > 1;
  for (const auto& c : calls.acks) n += c.answered && c.attempts > 1;
  for (const auto& c : calls.revokes) n += c.answered && c.attempts > 1;
  return n;
}

void Tally(const CallRecords& calls, CycleReport& r) {
  r.sends = static_cast<int>(calls.sends.size());
  for (const SendCall& c : calls.sends) {
    r.receipts += c.receipt.has_value();
    r.denied += c.code == grpc::StatusCode::FAILED_PRECONDITION;
    r.retried_already_committed += c.attempts > 1 && c.receipt.has_value() &&
                                   c.receipt->audit_seq() <= r.head_at_kill;
  }
  r.acks = static_cast<int>(calls.acks.size());
  r.revokes = static_cast<int>(calls.revokes.size());
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReplicaCrashRun>> ReplicaCrashRun::Create(
    ReplicaRunOptions options) {
  if (options.replicas < 2) {
    return absl::InvalidArgumentError(
        "a replica crash run needs at least 2 replicas (one survives)");
  }
  absl::StatusOr<std::unique_ptr<replicas::ReplicaSet>> set =
      replicas::ReplicaSet::Create(options.replicas);
  if (!set.ok()) return set.status();
  if (absl::Status s = (*set)->StartAll(kStartTimeout); !s.ok()) return s;
  std::unique_ptr<ReplicaCrashRun> run(
      new ReplicaCrashRun(std::move(options), *std::move(set)));
  absl::StatusOr<std::map<std::string, std::vector<std::string>>> stable =
      RecordConsents(run->endpoints_, StablePatients(), kConsentDeadline);
  if (!stable.ok()) return stable.status();
  return run;
}

ReplicaCrashRun::ReplicaCrashRun(ReplicaRunOptions options,
                                 std::unique_ptr<replicas::ReplicaSet> set)
    : options_(std::move(options)), set_(std::move(set)), rng_(options_.seed) {
  const replicas::ReplicaSet* replicas = set_.get();
  endpoints_.count = replicas->size();
  endpoints_.channel = [replicas](int i, const std::string& principal) {
    return replicas->Channel(i, principal);
  };
}

ReplicaCrashRun::~ReplicaCrashRun() = default;

const std::string& ReplicaCrashRun::dir() const { return set_->setup().dir(); }

absl::StatusOr<CallRecords> ReplicaCrashRun::LoadKillRestart(
    int cycle, CycleReport& report) {
  absl::StatusOr<std::map<std::string, std::vector<std::string>>> revocable =
      RecordConsents(endpoints_, CyclePatients(cycle), kConsentDeadline);
  if (!revocable.ok()) return revocable.status();
  LoadOptions load_options = options_.load;
  load_options.cycle = cycle;
  load_options.seed = rng_();
  report.kill_delay =
      Uniform(rng_, options_.min_kill_delay, options_.max_kill_delay);
  report.killed_replica = static_cast<int>(rng_() % set_->size());
  CycleLoad load(endpoints_, load_options, *std::move(revocable));
  load.Start();
  Sleep(report.kill_delay);
  set_->Kill(report.killed_replica);
  // Read at once: survivors append on, but this head must stay in the log.
  absl::StatusOr<std::pair<int64_t, std::string>> head =
      ReadPostgresHead(set_->database().conninfo);
  Sleep(options_.survivors_alone);
  const absl::Time restart = absl::Now();
  absl::Status started = set_->Start(report.killed_replica, kRestartTimeout);
  report.restart_time = absl::Now() - restart;
  if (started.ok()) Sleep(options_.after_restart);
  load.Stop();
  CallRecords calls = load.Join();
  if (!head.ok()) return head.status();
  if (!started.ok()) return started;
  report.head_at_kill = head->first;
  memory_.kill_head = *head;
  report.unanswered_at_kill = calls.Unanswered();
  report.failed_over = FailedOver(calls);
  if (options_.drop_newest_message_after_kill) {
    absl::StatusOr<std::string> dropped =
        DropNewestPostgresMessage(set_->database().conninfo);
    if (!dropped.ok()) return dropped.status();
    report.dropped_message_id = *dropped;
  }
  return calls;
}

absl::StatusOr<CheckFigures> ReplicaCrashRun::CheckEverything(int via) {
  absl::StatusOr<ApiView> api = ReadApi(set_->Channel(via, kCompliance));
  if (!api.ok()) return api.status();
  absl::StatusOr<StoreView> store =
      ReadPostgresStore(set_->database().conninfo);
  if (!store.ok()) return store.status();
  return CheckAll(history_, *api, *store, memory_);
}

absl::StatusOr<CycleReport> ReplicaCrashRun::RunCycle(int cycle) {
  const absl::Time start = absl::Now();
  CycleReport report;
  report.cycle = cycle;
  absl::StatusOr<CallRecords> calls = LoadKillRestart(cycle, report);
  if (!calls.ok()) return calls.status();
  RetryUnanswered(endpoints_, *calls, kRetryRounds * set_->size(),
                  kRetryDeadline);
  Tally(*calls, report);
  history_.Append(*std::move(calls));
  // Through the restarted replica: it must see everything the others did.
  absl::StatusOr<CheckFigures> figures = CheckEverything(report.killed_replica);
  if (!figures.ok()) return figures.status();
  report.figures = *std::move(figures);
  report.elapsed = absl::Now() - start;
  return report;
}

absl::StatusOr<CheckFigures> ReplicaCrashRun::Finish() {
  CheckFigures figures;
  for (int i = 0; i < set_->size(); ++i) {
    if (absl::Status s = set_->Stop(i, kStopGrace); !s.ok()) {
      figures.Fail(std::string(s.message()));
    }
  }
  absl::StatusOr<StoreView> store =
      ReadPostgresStore(set_->database().conninfo);
  if (!store.ok()) return store.status();
  CheckKeptAfterStop(*store, memory_, "database", figures);
  return figures;
}

}  // namespace caregate::crash
