// One crash-safety run across replicas (`caregate_crash_test --replicas N
// --postgres`): N real caregated processes on one fresh PostgreSQL database
// (tests/replicas/replica_set.h), and repeated cycles of load through all
// replicas → SIGKILL of one replica, chosen at random, at a random moment →
// the callers fail over to the survivors (same request ids), which keep
// serving → restart of the killed replica → retry of any call still
// unanswered → the checks of crash_checks.h on everything the callers were
// told, against the audit log read through a replica (AuditService) and the
// database read directly (pg_store_view.h). The run stops at the first
// failing cycle.
//
// Not thread-safe: drive it from the main thread (the replicas are its
// children, child_process.h). Errors: absl::Status from setup, a replica's
// start or a read.
#ifndef CAREGATE_TESTS_CRASH_REPLICA_CRASH_RUN_H_
#define CAREGATE_TESTS_CRASH_REPLICA_CRASH_RUN_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/crash/chain_checks.h"
#include "tests/crash/check_figures.h"
#include "tests/crash/crash_calls.h"
#include "tests/crash/crash_load.h"
#include "tests/crash/crash_run.h"

namespace caregate::replicas {
class ReplicaSet;
}  // namespace caregate::replicas

namespace caregate::crash {

struct ReplicaRunOptions {
  int replicas = 3;
  uint64_t seed = 1;
  // When, after the load starts, one replica is killed.
  absl::Duration min_kill_delay = absl::Milliseconds(10);
  absl::Duration max_kill_delay = absl::Milliseconds(400);
  // How long the survivors serve alone before the restart begins, and how
  // long the load goes on once the killed replica serves again.
  absl::Duration survivors_alone = absl::Milliseconds(200);
  absl::Duration after_restart = absl::Milliseconds(150);
  // Self-test only: after each cycle's load, delete the newest message from
  // the database, so the checks must report a loss.
  bool drop_newest_message_after_kill = false;
  LoadOptions load;
};

class ReplicaCrashRun {
 public:
  // Creates the database and the replicas' dev setup, starts every replica
  // and records the stable consents.
  static absl::StatusOr<std::unique_ptr<ReplicaCrashRun>> Create(
      ReplicaRunOptions options);
  // SIGKILLs running replicas and drops the database.
  ~ReplicaCrashRun();

  absl::StatusOr<CycleReport> RunCycle(int cycle);
  // Stops every replica with SIGTERM (each must exit 0) and checks that the
  // database still holds every event seen; returns the failures found.
  absl::StatusOr<CheckFigures> Finish();

  // The replicas' dev setup, configs and logs (replica-<i>.log).
  const std::string& dir() const;

 private:
  ReplicaCrashRun(ReplicaRunOptions options,
                  std::unique_ptr<replicas::ReplicaSet> set);
  // Runs the load, kills one replica during it and restarts it; returns
  // every call made.
  absl::StatusOr<CallRecords> LoadKillRestart(int cycle, CycleReport& report);
  // Reads the log through replica `via` and the database, and checks.
  absl::StatusOr<CheckFigures> CheckEverything(int via);

  const ReplicaRunOptions options_;
  std::unique_ptr<replicas::ReplicaSet> set_;
  Endpoints endpoints_;
  std::mt19937_64 rng_;
  CallRecords history_;
  ChainMemory memory_;
};

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_REPLICA_CRASH_RUN_H_
