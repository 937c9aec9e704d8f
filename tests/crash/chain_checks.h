// Checks of the audit chain across kills: the log as the API shows it is
// contiguous from seq 1 and linked by prev_hash, VerifyAuditLog is ok over
// all of it, the SQLite file holds the same chain and only checkpoints of
// it, and the log only grows — every hash seen before (at an earlier check,
// or in the file right after a kill) is still there (no fork, no rewrite).
//
// Plain functions; thread-compatible.
#ifndef CAREGATE_TESTS_CRASH_CHAIN_CHECKS_H_
#define CAREGATE_TESTS_CRASH_CHAIN_CHECKS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "caregate/v1/audit_service.grpc.pb.h"
#include "tests/crash/check_figures.h"
#include "tests/crash/gateway_process.h"
#include "tests/crash/store_view.h"

namespace caregate::crash {

// The audit log as the API shows it.
struct ApiView {
  std::vector<v1::AuditEvent> events;  // every event, in seq order
  v1::VerifyAuditLogResponse verify;   // over the whole log
};

// As compliance: reads every event (pages of 1000, bounded) and verifies the
// whole log. UNAVAILABLE with the RPC's status when a call fails.
absl::StatusOr<ApiView> ReadApi(const DevSetup& setup);
// The same through `compliance`, a channel authenticated as the compliance
// officer (e.g. to one replica).
absl::StatusOr<ApiView> ReadApi(
    const std::shared_ptr<grpc::Channel>& compliance);

// What earlier checks saw.
struct ChainMemory {
  // hashes[i] is the hash of seq i+1 at the last check.
  std::vector<std::string> hashes;
  // The head (seq, hash) read from the file after a kill, before the restart.
  std::optional<std::pair<int64_t, std::string>> kill_head;
};

// Checks the chain; then remembers `api`'s hashes and clears the kill head.
void CheckChain(const ApiView& api, const StoreView& store, ChainMemory& memory,
                CheckFigures& figures);

// After the last graceful stop: `store` (the file or the database, `where`)
// still holds every event `memory` saw, each with the hash seen.
void CheckKeptAfterStop(const StoreView& store, const ChainMemory& memory,
                        std::string_view where, CheckFigures& figures);

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_CHAIN_CHECKS_H_
