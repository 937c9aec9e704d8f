// Several real caregated processes (replicas) on one PostgreSQL database, for
// the issue 11 tests: a fresh database on the test server
// (tests/testing/postgres_test_database.h), or one the test manages itself
// (ReplicaOptions::conninfo), one development setup written by
// the real `caregatectl dev-init` (one PKI, one set of keys, shared by every
// replica as a deployment must), and per replica a copy of its config that
// differs only in `listen_address` (a free 127.0.0.1 port) and in `storage`
// (postgres { conninfo } of that database).
//
// Not thread-safe: create, start and stop from the main thread (children get
// SIGKILL when the thread that spawned them exits, child_process.h). The
// channels it returns may be shared by threads. Errors are absl::Status with
// the failing step in the message.
#ifndef CAREGATE_TESTS_REPLICAS_REPLICA_SET_H_
#define CAREGATE_TESTS_REPLICAS_REPLICA_SET_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tests/crash/gateway_process.h"
#include "tests/testing/postgres_test_database.h"

namespace caregate::replicas {

// The config text of `dev_config` with its listen address set to
// 127.0.0.1:`port` and its storage block replaced by
// `postgres { conninfo: "<conninfo>" }`. INVALID_ARGUMENT when the text has
// no listen_address or storage { sqlite { ... } } to replace.
absl::StatusOr<std::string> ReplicaConfigText(const std::string& dev_config,
                                              int port,
                                              const std::string& conninfo);

// What sets the replicas of a test apart from the plain dev setup.
struct ReplicaOptions {
  // Added to `caregatectl dev-init`, e.g. {"--push", "ORG=HOST:PORT"}.
  std::vector<std::string> dev_init_args;
  // Appended to every replica's config, e.g. a delivery_policy block.
  std::string extra_config;
  // When set, the replicas' conninfo (e.g. a multi-host one naming a primary
  // and its standby), used as is: no database is created on the test server
  // and none is dropped, and database().name is empty.
  std::string conninfo;
};

class ReplicaSet {
 public:
  // A new database (unless `options.conninfo` names one), a dev setup in a
  // new temp directory and `replicas` configs; no replica runs yet.
  static absl::StatusOr<std::unique_ptr<ReplicaSet>> Create(
      int replicas, const ReplicaOptions& options = {});
  // SIGKILLs running replicas, drops the database it created.
  ~ReplicaSet();
  ReplicaSet(const ReplicaSet&) = delete;
  ReplicaSet& operator=(const ReplicaSet&) = delete;

  // Spawns every replica at once (so they migrate the schema together), then
  // waits up to `timeout` for each to answer grpc.health.v1 SERVING.
  absl::Status StartAll(absl::Duration timeout);
  // Spawns replica `i` alone and waits up to `timeout` for SERVING.
  absl::Status Start(int i, absl::Duration timeout);
  // SIGKILL to replica `i` (a crash), then waits for it.
  void Kill(int i);
  // Replica `i`'s process id, or -1 when it does not run.
  pid_t pid(int i) const { return replicas_[i].pid; }
  // SIGTERM to replica `i`, then waits up to `grace`; OK for exit status 0.
  absl::Status Stop(int i, absl::Duration grace);

  int size() const { return static_cast<int>(replicas_.size()); }
  // A new mTLS channel to replica `i`, authenticated as `principal_id` (a
  // principal of the dev directory, e.g. "dr-rivera").
  std::shared_ptr<grpc::Channel> Channel(int i,
                                         const std::string& principal_id) const;
  const testing::TestDatabase& database() const { return database_; }
  const crash::DevSetup& setup() const { return *setup_; }
  std::string log_path(int i) const;

 private:
  struct Replica {
    int port = 0;
    std::string config_path;
    pid_t pid = -1;
  };

  ReplicaSet() = default;
  absl::Status WaitServing(int i, absl::Time deadline);

  testing::TestDatabase database_;
  bool database_created_ = false;
  std::unique_ptr<crash::DevSetup> setup_;
  std::vector<Replica> replicas_;
};

}  // namespace caregate::replicas

#endif  // CAREGATE_TESTS_REPLICAS_REPLICA_SET_H_
