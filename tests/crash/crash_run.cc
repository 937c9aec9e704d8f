#include "tests/crash/crash_run.h"

#include <filesystem>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/crash/crash_checks.h"
#include "tests/crash/crash_fixtures.h"
#include "tests/crash/fault_injection.h"
#include "tests/crash/store_view.h"

namespace caregate::crash {
namespace {

namespace fs = std::filesystem;

constexpr absl::Duration kStartTimeout = absl::Seconds(30);
constexpr absl::Duration kConsentDeadline = absl::Seconds(10);
constexpr absl::Duration kRetryDeadline = absl::Seconds(10);
constexpr int kRetryAttempts = 3;
constexpr absl::Duration kMaxStartupKillDelay = absl::Milliseconds(150);
constexpr absl::Duration kMaxShutdownKillDelay = absl::Milliseconds(40);

absl::Duration Uniform(std::mt19937_64& rng, absl::Duration lo,
                       absl::Duration hi) {
  const int64_t span = absl::ToInt64Microseconds(hi - lo);
  return lo + absl::Microseconds(span <= 0 ? 0 : rng() % (span + 1));
}

// The file's head, read from a copy so the killed gateway's files stay
// exactly as it left them for its restart.
absl::StatusOr<std::pair<int64_t, std::string>> HeadOfCopy(
    const std::string& db_path, const std::string& scratch_dir) {
  std::error_code ec;
  fs::remove_all(scratch_dir, ec);
  fs::create_directories(scratch_dir, ec);
  const std::string copy = scratch_dir + "/copy.db";
  fs::copy_file(db_path, copy, ec);
  if (ec) return absl::InternalError(absl::StrCat("copy db: ", ec.message()));
  if (fs::exists(db_path + "-wal")) {
    fs::copy_file(db_path + "-wal", copy + "-wal", ec);
    if (ec)
      return absl::InternalError(absl::StrCat("copy wal: ", ec.message()));
  }
  return ReadStoreHead(copy, /*read_only=*/false);
}

void Tally(const CallRecords& calls, CycleReport& r) {
  r.sends = static_cast<int>(calls.sends.size());
  for (const SendCall& c : calls.sends) {
    r.receipts += c.receipt.has_value();
    r.denied += c.code == grpc::StatusCode::FAILED_PRECONDITION;
  }
  r.acks = static_cast<int>(calls.acks.size());
  r.revokes = static_cast<int>(calls.revokes.size());
}

}  // namespace

absl::StatusOr<std::unique_ptr<CrashRun>> CrashRun::Create(RunOptions options) {
  std::error_code ec;
  if (!fs::create_directories(options.work_dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create a new ", options.work_dir));
  }
  absl::StatusOr<DevSetup> setup =
      DevSetup::Create(options.caregatectl, options.work_dir + "/dev");
  if (!setup.ok()) return setup.status();
  std::unique_ptr<CrashRun> run(
      new CrashRun(std::move(options), *std::move(setup)));
  if (absl::Status s = run->gateway_.Spawn(); !s.ok()) return s;
  if (absl::Status s = run->gateway_.WaitServing(kStartTimeout); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::map<std::string, std::vector<std::string>>> stable =
      RecordConsents(OneGateway(run->setup_), StablePatients(),
                     kConsentDeadline);
  if (!stable.ok()) return stable.status();
  return run;
}

CrashRun::CrashRun(RunOptions options, DevSetup setup)
    : options_(std::move(options)),
      setup_(std::move(setup)),
      gateway_(options_.caregated, &setup_),
      rng_(options_.seed) {}

CrashRun::~CrashRun() = default;

absl::Status CrashRun::KillAndReadHead(CycleReport& report) {
  if (options_.shutdown_kill_one_in > 0 &&
      rng_() % options_.shutdown_kill_one_in == 0) {
    const absl::Duration delay =
        Uniform(rng_, absl::ZeroDuration(), kMaxShutdownKillDelay);
    report.shutdown_kill_delay = delay;
    if (absl::Status s = gateway_.BeginStop(); !s.ok()) return s;
    std::this_thread::sleep_for(absl::ToChronoMicroseconds(delay));
  }
  if (absl::Status s = gateway_.Kill(); !s.ok()) return s;
  absl::StatusOr<std::pair<int64_t, std::string>> head =
      HeadOfCopy(setup_.db_path(), options_.work_dir + "/kill-copy");
  if (!head.ok()) return head.status();
  report.head_at_kill = head->first;
  memory_.kill_head = *head;
  return absl::OkStatus();
}

absl::Status CrashRun::MaybeKillDuringStartup(CycleReport& report) {
  if (options_.startup_kill_one_in <= 0 ||
      rng_() % options_.startup_kill_one_in != 0) {
    return absl::OkStatus();
  }
  const absl::Duration delay =
      Uniform(rng_, absl::ZeroDuration(), kMaxStartupKillDelay);
  report.startup_kill_delay = delay;
  if (absl::Status s = gateway_.Spawn(); !s.ok()) return s;
  std::this_thread::sleep_for(absl::ToChronoMicroseconds(delay));
  return gateway_.Kill();
}

absl::Status CrashRun::Restart() {
  if (absl::Status s = gateway_.Spawn(); !s.ok()) return s;
  return gateway_.WaitServing(kStartTimeout);
}

absl::StatusOr<CallRecords> CrashRun::LoadAndKill(int cycle,
                                                  CycleReport& report) {
  absl::StatusOr<std::map<std::string, std::vector<std::string>>> revocable =
      RecordConsents(OneGateway(setup_), CyclePatients(cycle),
                     kConsentDeadline);
  if (!revocable.ok()) return revocable.status();
  LoadOptions load_options = options_.load;
  load_options.cycle = cycle;
  load_options.seed = rng_();
  report.kill_delay =
      Uniform(rng_, options_.min_kill_delay, options_.max_kill_delay);
  CycleLoad load(OneGateway(setup_), load_options, *std::move(revocable));
  load.Start();
  std::this_thread::sleep_for(absl::ToChronoMicroseconds(report.kill_delay));
  absl::Status killed = KillAndReadHead(report);
  load.Stop();
  CallRecords calls = load.Join();
  if (!killed.ok()) return killed;
  report.unanswered_at_kill = calls.Unanswered();
  if (options_.drop_newest_message_after_kill) {
    absl::StatusOr<std::string> dropped = DropNewestMessage(setup_.db_path());
    if (!dropped.ok()) return dropped.status();
    report.dropped_message_id = *dropped;
  }
  return calls;
}

absl::StatusOr<CheckFigures> CrashRun::CheckEverything() {
  absl::StatusOr<ApiView> api = ReadApi(setup_);
  if (!api.ok()) return api.status();
  absl::StatusOr<StoreView> store =
      ReadStore(setup_.db_path(), /*read_only=*/true);
  if (!store.ok()) return store.status();
  return CheckAll(history_, *api, *store, memory_);
}

absl::StatusOr<CycleReport> CrashRun::RunCycle(int cycle) {
  const absl::Time start = absl::Now();
  CycleReport report;
  report.cycle = cycle;
  absl::StatusOr<CallRecords> calls = LoadAndKill(cycle, report);
  if (!calls.ok()) return calls.status();
  if (absl::Status s = MaybeKillDuringStartup(report); !s.ok()) return s;
  if (absl::Status s = Restart(); !s.ok()) return s;
  RetryUnanswered(OneGateway(setup_), *calls, kRetryAttempts, kRetryDeadline);
  for (const SendCall& c : calls->sends) {
    report.retried_already_committed +=
        c.attempts > 1 && c.receipt.has_value() &&
        c.receipt->audit_seq() <= report.head_at_kill;
  }
  Tally(*calls, report);
  history_.Append(*std::move(calls));
  absl::StatusOr<CheckFigures> figures = CheckEverything();
  if (!figures.ok()) return figures.status();
  report.figures = *std::move(figures);
  report.elapsed = absl::Now() - start;
  return report;
}

absl::StatusOr<CheckFigures> CrashRun::Finish() {
  CheckFigures figures;
  if (absl::Status s = gateway_.Stop(absl::Seconds(30)); !s.ok()) {
    figures.Fail(std::string(s.message()));
  }
  absl::StatusOr<StoreView> store =
      ReadStore(setup_.db_path(), /*read_only=*/true);
  if (!store.ok()) return store.status();
  CheckKeptAfterStop(*store, memory_, "file", figures);
  return figures;
}

}  // namespace caregate::crash
