// One crash-safety run: a fresh dev setup, the real caregated as a child
// process, and repeated cycles of load → SIGKILL at a random moment →
// restart → retry of unanswered calls → checks of everything the clients
// were told (crash_checks.h). The run stops at the first failing cycle and
// keeps its directory for inspection.
//
// Not thread-safe: drive it from the main thread (it spawns the gateway, see
// child_process.h). Errors: absl::Status from setup, the gateway or a read.
#ifndef CAREGATE_TESTS_CRASH_CRASH_RUN_H_
#define CAREGATE_TESTS_CRASH_CRASH_RUN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/crash/chain_checks.h"
#include "tests/crash/check_figures.h"
#include "tests/crash/crash_calls.h"
#include "tests/crash/crash_load.h"
#include "tests/crash/gateway_process.h"

namespace caregate::crash {

struct RunOptions {
  std::string caregated;
  std::string caregatectl;
  std::string work_dir;  // must not exist yet
  uint64_t seed = 1;
  absl::Duration min_kill_delay = absl::Milliseconds(10);
  absl::Duration max_kill_delay = absl::Milliseconds(400);
  // One cycle in this many also kills the gateway while it starts up.
  int startup_kill_one_in = 6;
  // One cycle in this many sends SIGTERM first and SIGKILLs the gateway
  // during its graceful shutdown.
  int shutdown_kill_one_in = 6;
  // Self-test only: after each kill, delete the newest message from the file
  // (fault_injection.h), so the checks must report a loss.
  bool drop_newest_message_after_kill = false;
  LoadOptions load;
};

// What happened in one cycle.
struct CycleReport {
  int cycle = 0;
  absl::Duration kill_delay;
  std::optional<absl::Duration> shutdown_kill_delay;  // SIGTERM → SIGKILL
  std::optional<absl::Duration> startup_kill_delay;
  int sends = 0, receipts = 0, denied = 0, acks = 0, revokes = 0;
  // Single gateway: calls the kill left unanswered. Replicas: calls no
  // replica answered during the load (each was tried on every one).
  int unanswered_at_kill = 0;
  // Retried sends whose receipt was committed before the kill (replicas:
  // sends that failed over and got a receipt at or below the head read just
  // after the kill).
  int retried_already_committed = 0;
  // Replicas only: which one was killed, how long its restart took, and how
  // many calls of the load were answered only after failing over.
  int killed_replica = -1;
  absl::Duration restart_time;
  int failed_over = 0;
  int64_t head_at_kill = 0;
  std::string dropped_message_id;  // by fault injection
  absl::Duration elapsed;
  CheckFigures figures;  // over every call of the run so far
};

class CrashRun {
 public:
  // Writes the dev setup, starts the gateway and records the stable consents.
  static absl::StatusOr<std::unique_ptr<CrashRun>> Create(RunOptions options);
  ~CrashRun();

  absl::StatusOr<CycleReport> RunCycle(int cycle);
  // Stops the gateway with SIGTERM (it must exit 0) and checks that the file
  // still holds every event seen; returns the failures found.
  absl::StatusOr<CheckFigures> Finish();

  const std::string& work_dir() const { return options_.work_dir; }

 private:
  CrashRun(RunOptions options, DevSetup setup);
  // SIGKILL now (sometimes SIGTERM first, then SIGKILL during the graceful
  // shutdown), reap, and remember the head the file holds.
  absl::Status KillAndReadHead(CycleReport& report);
  // Records this cycle's consents, runs the load and kills the gateway at a
  // random moment; returns every call made.
  absl::StatusOr<CallRecords> LoadAndKill(int cycle, CycleReport& report);
  absl::Status MaybeKillDuringStartup(CycleReport& report);
  absl::StatusOr<CheckFigures> CheckEverything();
  absl::Status Restart();

  const RunOptions options_;
  const DevSetup setup_;
  GatewayProcess gateway_;
  std::mt19937_64 rng_;
  CallRecords history_;
  ChainMemory memory_;
};

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_CRASH_RUN_H_
