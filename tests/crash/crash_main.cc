// caregate_crash_test: the crash-safety driver. Runs the real caregated as a
// child process under concurrent load, SIGKILLs it at random moments,
// restarts it, retries unanswered calls with the same request ids, and after
// every cycle checks that no receipt was lost or duplicated and that the
// audit chain continues unbroken. Exits 0 only when every check passed.
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

ABSL_FLAG(int, cycles, 20, "Kill/restart cycles to run (100+ for a soak).");
ABSL_FLAG(uint64_t, seed, 0, "Seed of the random choices; 0 picks one.");
ABSL_FLAG(int, min_kill_ms, 10, "Earliest SIGKILL after the load starts.");
ABSL_FLAG(int, max_kill_ms, 400, "Latest SIGKILL after the load starts.");
ABSL_FLAG(int, senders, 4, "Sending threads per therapist.");
ABSL_FLAG(int, max_sends, 300, "Sends per sending thread per cycle, at most.");
ABSL_FLAG(std::string, work_dir, "",
          "New directory for the run (default: under $TMPDIR or /tmp).");
ABSL_FLAG(bool, keep, false, "Keep the work directory after a passing run.");
ABSL_FLAG(bool, keep_on_failure, true,
          "Keep the work directory after a failing run, for inspection.");
ABSL_FLAG(bool, self_test_drop_newest_message, false,
          "Self-test of the checks: after each kill, delete the newest "
          "message from the file; the run must then FAIL with a loss.");
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

RunOptions OptionsFromFlags() {
  RunOptions options;
  options.caregated = absl::GetFlag(FLAGS_caregated);
  options.caregatectl = absl::GetFlag(FLAGS_caregatectl);
  options.seed = absl::GetFlag(FLAGS_seed);
  if (options.seed == 0) options.seed = std::random_device()() | 1;
  options.work_dir = absl::GetFlag(FLAGS_work_dir);
  if (options.work_dir.empty()) options.work_dir = DefaultWorkDir(options.seed);
  options.min_kill_delay = absl::Milliseconds(absl::GetFlag(FLAGS_min_kill_ms));
  options.max_kill_delay = absl::Milliseconds(absl::GetFlag(FLAGS_max_kill_ms));
  options.load.senders_per_therapist = absl::GetFlag(FLAGS_senders);
  options.load.max_sends_per_sender = absl::GetFlag(FLAGS_max_sends);
  options.drop_newest_message_after_kill =
      absl::GetFlag(FLAGS_self_test_drop_newest_message);
  return options;
}

void PrintCycle(const CycleReport& r, int cycles) {
  const CheckFigures& f = r.figures;
  std::printf(
      "cycle %d/%d: kill at %s%s%s, head at kill %lld; sends %d (receipts %d, "
      "denied %d), acks %d, revokes %d; unanswered at kill %d (retried; %d "
      "already committed); log %lld events; checked %lld receipts, %lld "
      "acks, %lld revocations: lost %lld, duplicated %lld, other failures "
      "%lld (%s)\n",
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
      r.acks, r.revokes, r.unanswered_at_kill, r.retried_already_committed,
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
  CheckFigures last;
  int done = 0;
  for (int cycle = 1; cycle <= cycles && last.ok(); ++cycle) {
    absl::StatusOr<CycleReport> report = (*run)->RunCycle(cycle);
    if (!report.ok()) {
      last.Fail(
          absl::StrCat("cycle ", cycle, ": ", report.status().ToString()));
      std::printf("cycle %d/%d: %s\n", cycle, cycles,
                  report.status().ToString().c_str());
      break;
    }
    ++done;
    PrintCycle(*report, cycles);
    last = report->figures;
  }
  absl::StatusOr<CheckFigures> finish = (*run)->Finish();
  if (!finish.ok()) {
    last.Fail(finish.status().ToString());
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
  const bool keep = last.ok() ? absl::GetFlag(FLAGS_keep)
                              : absl::GetFlag(FLAGS_keep_on_failure);
  if (!keep) {
    std::error_code ec;
    std::filesystem::remove_all((*run)->work_dir(), ec);
  } else {
    std::printf("crash_safety: kept %s (gateway log: dev/caregated.log)\n",
                (*run)->work_dir().c_str());
  }
  return last.ok() ? 0 : 1;
}

}  // namespace
}  // namespace caregate::crash

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caregate_crash_test [--cycles N] [--seed S]\n\n"
      "Kills the real caregated at random moments under concurrent load and\n"
      "checks that no receipt is lost or duplicated and that the audit chain\n"
      "continues across restarts. Exits 0 only when every check passed.");
  absl::ParseCommandLine(argc, argv);
  return caregate::crash::Run(absl::GetFlag(FLAGS_cycles));
}
