// caregate_crash_test: the crash-safety driver. Runs the real caregated as a
// child process under concurrent load, SIGKILLs it at random moments,
// restarts it, retries unanswered calls with the same request ids, and after
// every cycle checks that no receipt was lost or duplicated and that the
// audit chain continues unbroken. Exits 0 only when every check passed.
//
// With --replicas N --postgres it runs N replicas on one PostgreSQL database
// instead and kills one of them per cycle while the callers fail over to the
// others (replica_crash_run.h).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/crash/crash_run.h"
#include "tests/crash/replica_crash_run.h"

ABSL_FLAG(int, cycles, 20, "Kill/restart cycles to run (100+ for a soak).");
ABSL_FLAG(uint64_t, seed, 0, "Seed of the random choices; 0 picks one.");
ABSL_FLAG(int, min_kill_ms, 10, "Earliest SIGKILL after the load starts.");
ABSL_FLAG(int, max_kill_ms, 400, "Latest SIGKILL after the load starts.");
ABSL_FLAG(int, senders, 0,
          "Sending threads per therapist (default 4; 2 with --replicas).");
ABSL_FLAG(int, max_sends, 0,
          "Sends per sending thread per cycle, at most (default 300; 200 "
          "with --replicas).");
ABSL_FLAG(int, replicas, 0,
          "Run this many caregated replicas on one PostgreSQL database and "
          "kill one per cycle (needs --postgres; at least 2).");
ABSL_FLAG(bool, postgres, false,
          "Store on a fresh database of the test PostgreSQL server "
          "($CAREGATE_TEST_POSTGRES_STATE, else a cluster of its own); "
          "with --replicas.");
ABSL_FLAG(std::string, work_dir, "",
          "New directory for the run (default: under $TMPDIR or /tmp; "
          "with --replicas: under $TEST_TMPDIR or /tmp, not settable).");
ABSL_FLAG(bool, keep, false, "Keep the work directory after a passing run.");
ABSL_FLAG(bool, keep_on_failure, true,
          "Keep the work directory after a failing run, for inspection.");
ABSL_FLAG(bool, self_test_drop_newest_message, false,
          "Self-test of the checks: after each kill, delete the newest "
          "message from the file (with --replicas: from the database, after "
          "the cycle's load); the run must then FAIL with a loss.");
ABSL_FLAG(std::string, caregated, CAREGATE_CAREGATED_PATH,
          "Path of the caregated binary.");
ABSL_FLAG(std::string, caregatectl, CAREGATE_CAREGATECTL_PATH,
          "Path of the caregatectl binary.");

namespace caregate::crash {
namespace {

std::string DefaultWorkDir(uint64_t seed) {
  const char* tmp = std::getenv("TMPDIR");
  return absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp",
                      "/caregate_crash_", getpid(), "_", seed);
}

int FlagOr(const absl::Flag<int>& flag, int otherwise) {
  const int value = absl::GetFlag(flag);
  return value > 0 ? value : otherwise;
}

uint64_t SeedFromFlag() {
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  return seed != 0 ? seed : (std::random_device()() | 1);
}

RunOptions OptionsFromFlags() {
  RunOptions options;
  options.caregated = absl::GetFlag(FLAGS_caregated);
  options.caregatectl = absl::GetFlag(FLAGS_caregatectl);
  options.seed = SeedFromFlag();
  options.work_dir = absl::GetFlag(FLAGS_work_dir);
  if (options.work_dir.empty()) options.work_dir = DefaultWorkDir(options.seed);
  options.min_kill_delay = absl::Milliseconds(absl::GetFlag(FLAGS_min_kill_ms));
  options.max_kill_delay = absl::Milliseconds(absl::GetFlag(FLAGS_max_kill_ms));
  options.load.senders_per_therapist = FlagOr(FLAGS_senders, 4);
  options.load.max_sends_per_sender = FlagOr(FLAGS_max_sends, 300);
  options.drop_newest_message_after_kill =
      absl::GetFlag(FLAGS_self_test_drop_newest_message);
  return options;
}

ReplicaRunOptions ReplicaOptionsFromFlags() {
  ReplicaRunOptions options;
  options.replicas = absl::GetFlag(FLAGS_replicas);
  options.seed = SeedFromFlag();
  options.min_kill_delay = absl::Milliseconds(absl::GetFlag(FLAGS_min_kill_ms));
  options.max_kill_delay = absl::Milliseconds(absl::GetFlag(FLAGS_max_kill_ms));
  options.load.senders_per_therapist = FlagOr(FLAGS_senders, 2);
  // High enough that the load runs until the cycle stops it, after the
  // restarted replica has served too.
  options.load.max_sends_per_sender = FlagOr(FLAGS_max_sends, 200);
  options.drop_newest_message_after_kill =
      absl::GetFlag(FLAGS_self_test_drop_newest_message);
  return options;
}

void PrintFiguresAndProblems(const CycleReport& r) {
  const CheckFigures& f = r.figures;
  std::printf(
      "log %lld events; checked %lld receipts, %lld acks, %lld revocations: "
      "lost %lld, duplicated %lld, other failures %lld (%s)\n",
      static_cast<long long>(f.events),
      static_cast<long long>(f.receipts_checked),
      static_cast<long long>(f.acks_checked),
      static_cast<long long>(f.revokes_checked), static_cast<long long>(f.lost),
      static_cast<long long>(f.duplicated), static_cast<long long>(f.failures),
      absl::FormatDuration(r.elapsed).c_str());
  if (!r.dropped_message_id.empty()) {
    std::printf("  (self-test: dropped message %s after the kill)\n",
                r.dropped_message_id.c_str());
  }
  for (const std::string& p : f.problems) std::printf("  %s\n", p.c_str());
  std::fflush(stdout);
}

void PrintReplicaCycle(const CycleReport& r, int cycles) {
  std::printf(
      "cycle %d/%d: killed replica %d at %s, head at kill %lld, restarted in "
      "%s; sends %d (receipts %d, denied %d), acks %d, revokes %d; %d calls "
      "failed over (%d sends got a receipt at or below the kill head), %d "
      "unanswered by every replica (retried); ",
      r.cycle, cycles, r.killed_replica,
      absl::FormatDuration(r.kill_delay).c_str(),
      static_cast<long long>(r.head_at_kill),
      absl::FormatDuration(r.restart_time).c_str(), r.sends, r.receipts,
      r.denied, r.acks, r.revokes, r.failed_over, r.retried_already_committed,
      r.unanswered_at_kill);
  PrintFiguresAndProblems(r);
}

void PrintCycle(const CycleReport& r, int cycles) {
  std::printf(
      "cycle %d/%d: kill at %s%s%s, head at kill %lld; sends %d (receipts %d, "
      "denied %d), acks %d, revokes %d; unanswered at kill %d (retried; %d "
      "already committed); ",
      r.cycle, cycles, absl::FormatDuration(r.kill_delay).c_str(),
      r.shutdown_kill_delay
          ? absl::StrCat(" (SIGTERM, then SIGKILL ",
                         absl::FormatDuration(*r.shutdown_kill_delay),
                         " into the shutdown)")
                .c_str()
          : "",
      r.startup_kill_delay
          ? absl::StrCat(" + during startup at ",
                         absl::FormatDuration(*r.startup_kill_delay))
                .c_str()
          : "",
      static_cast<long long>(r.head_at_kill), r.sends, r.receipts, r.denied,
      r.acks, r.revokes, r.unanswered_at_kill, r.retried_already_committed);
  PrintFiguresAndProblems(r);
}

// Runs `cycles` cycles of `run` (a CrashRun or a ReplicaCrashRun), printing
// each with `print`, then finishes it and prints the summary. Returns
// whether every check passed.
template <typename Run>
bool Cycles(Run& run, int cycles, void (*print)(const CycleReport&, int),
            absl::Time start) {
  CheckFigures last;
  int done = 0;
  for (int cycle = 1; cycle <= cycles && last.ok(); ++cycle) {
    absl::StatusOr<CycleReport> report = run.RunCycle(cycle);
    if (!report.ok()) {
      last.Fail(
          absl::StrCat("cycle ", cycle, ": ", report.status().ToString()));
      std::printf("cycle %d/%d: %s\n", cycle, cycles,
                  report.status().ToString().c_str());
      break;
    }
    ++done;
    print(*report, cycles);
    last = report->figures;
  }
  absl::StatusOr<CheckFigures> finish = run.Finish();
  if (!finish.ok()) {
    last.Fail(finish.status().ToString());
    std::printf("  %s\n", finish.status().ToString().c_str());
  } else {
    last.failures += finish->failures;
    for (const std::string& p : finish->problems) {
      std::printf("  %s\n", p.c_str());
    }
  }
  std::printf(
      "crash_safety: %s: %d cycles run, %lld receipts checked, %lld lost, "
      "%lld duplicated, %lld other failures (%lld acks, %lld revocations "
      "checked; %s)\n",
      last.ok() ? "PASSED" : "FAILED", done,
      static_cast<long long>(last.receipts_checked),
      static_cast<long long>(last.lost),
      static_cast<long long>(last.duplicated),
      static_cast<long long>(last.failures),
      static_cast<long long>(last.acks_checked),
      static_cast<long long>(last.revokes_checked),
      absl::FormatDuration(absl::Now() - start).c_str());
  return last.ok();
}

// Removes `dir` unless the flags say to keep it.
void MaybeKeep(bool passed, const std::string& dir, const char* logs) {
  const bool keep =
      passed ? absl::GetFlag(FLAGS_keep) : absl::GetFlag(FLAGS_keep_on_failure);
  if (!keep) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  } else {
    std::printf("crash_safety: kept %s (%s)\n", dir.c_str(), logs);
  }
}

int Run(int cycles) {
  RunOptions options = OptionsFromFlags();
  std::printf("crash_safety: %d cycles, seed %llu, work dir %s\n", cycles,
              static_cast<unsigned long long>(options.seed),
              options.work_dir.c_str());
  std::fflush(stdout);
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<CrashRun>> run = CrashRun::Create(options);
  if (!run.ok()) {
    std::printf("crash_safety: setup failed: %s\n",
                run.status().ToString().c_str());
    return 2;
  }
  const bool passed = Cycles(**run, cycles, PrintCycle, start);
  MaybeKeep(passed, (*run)->work_dir(), "gateway log: dev/caregated.log");
  return passed ? 0 : 1;
}

int RunReplicas(int cycles) {
  const ReplicaRunOptions options = ReplicaOptionsFromFlags();
  std::printf(
      "crash_safety: %d replicas on PostgreSQL, %d cycles, seed %llu, load %d "
      "senders per therapist, at most %d sends each per cycle\n",
      options.replicas, cycles, static_cast<unsigned long long>(options.seed),
      options.load.senders_per_therapist, options.load.max_sends_per_sender);
  std::fflush(stdout);
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<ReplicaCrashRun>> run =
      ReplicaCrashRun::Create(options);
  if (!run.ok()) {
    std::printf("crash_safety: setup failed: %s\n",
                run.status().ToString().c_str());
    return 2;
  }
  std::printf("crash_safety: replicas' dir %s\n", (*run)->dir().c_str());
  const bool passed = Cycles(**run, cycles, PrintReplicaCycle, start);
  // The database is dropped with the run; the logs stay when kept.
  MaybeKeep(passed, (*run)->dir(), "replica logs: replica-<i>.log");
  return passed ? 0 : 1;
}

}  // namespace
}  // namespace caregate::crash

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caregate_crash_test [--cycles N] [--seed S] [--replicas N "
      "--postgres]\n\n"
      "Kills the real caregated at random moments under concurrent load and\n"
      "checks that no receipt is lost or duplicated and that the audit chain\n"
      "continues across restarts. Exits 0 only when every check passed.\n"
      "With --replicas N --postgres: N replicas on one PostgreSQL database,\n"
      "one killed per cycle while the callers fail over to the others.");
  absl::ParseCommandLine(argc, argv);
  const int replicas = absl::GetFlag(FLAGS_replicas);
  const bool postgres = absl::GetFlag(FLAGS_postgres);
  if (replicas != 0 && !postgres) {
    std::fprintf(stderr,
                 "caregate_crash_test: --replicas needs --postgres: replicas "
                 "share one database, and a SQLite file cannot be shared "
                 "(caregated locks it for one process).\n");
    return 2;
  }
  if (postgres && replicas < 2) {
    std::fprintf(stderr,
                 "caregate_crash_test: --postgres runs replicas: give "
                 "--replicas N with N >= 2 (one is killed per cycle, the "
                 "others serve).\n");
    return 2;
  }
  const int cycles = absl::GetFlag(FLAGS_cycles);
  return postgres ? caregate::crash::RunReplicas(cycles)
                  : caregate::crash::Run(cycles);
}
