// A throwaway PostgreSQL 15 cluster for tests, from the Debian `postgresql`
// package's binaries (/usr/lib/postgresql/15/bin, else initdb on PATH;
// CAREGATE_PG_BIN_DIR overrides): initdb into a fresh directory under $TMPDIR
// (or /tmp), then pg_ctl start with the Unix socket in that directory and
// TCP on 127.0.0.1 at a port picked free. Authentication is `trust` for the
// superuser `postgres` (loopback and the private socket only). Settings for
// tests: fsync=off and full_page_writes=off (a machine crash may lose the
// cluster, a process crash does not), synchronous_commit=on, so commits behave
// as in production.
//
// initdb refuses to run as root: when the effective uid is 0, every server
// binary runs as the `postgres` system user the package creates, through
// `runuser -u postgres --`, and the directory is owned by that user.
//
// StartStandby() makes a streaming standby of a running cluster (for
// failover tests): pg_basebackup over TCP, then started in standby mode on a
// port of its own; Kill() ends a server as a machine failure would and
// Promote() turns a standby into a primary.
//
// A cluster is stopped (pg_ctl stop -m immediate: nothing in it is kept) and
// its directory removed when the object is destroyed, unless Detach() was
// called: then it outlives this process, and a later Attach() to the state
// file it wrote takes it over (how one CTest fixture test starts the cluster
// and another stops it; see tests/CMakeLists.txt).
//
// Thread-compatible. Errors: FAILED_PRECONDITION when the binaries or the
// `postgres` user are missing, INTERNAL (with the log file's path) when a
// server command fails, NOT_FOUND/DATA_LOSS for a missing or bad state file.
#ifndef CAREGATE_TESTS_TESTING_POSTGRES_CLUSTER_H_
#define CAREGATE_TESTS_TESTING_POSTGRES_CLUSTER_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace caregate::testing {

class PostgresCluster {
 public:
  struct Options {
    // Extra postgresql.conf settings (name, value), after the defaults above.
    std::vector<std::pair<std::string, std::string>> settings;
  };

  static absl::StatusOr<std::unique_ptr<PostgresCluster>> Start(
      const Options& options);
  // A streaming standby of the running `primary`: pg_basebackup -R of it
  // into a new directory (fast checkpoint, WAL streamed), its
  // primary_conninfo over TCP with application_name=`name` (the name the
  // primary's synchronous_standby_names lists), `options.settings` appended
  // after the copied postgresql.conf. Returns once the primary reports the
  // standby streaming and its first flush position (DEADLINE_EXCEEDED after
  // 60 s), so a standby it names is synchronous from then on.
  static absl::StatusOr<std::unique_ptr<PostgresCluster>> StartStandby(
      const PostgresCluster& primary, const std::string& name,
      const Options& options);
  // The running cluster recorded in `state_file` by WriteStateFile().
  static absl::StatusOr<std::unique_ptr<PostgresCluster>> Attach(
      const std::string& state_file);

  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;
  ~PostgresCluster();

  // Records where the cluster is (key=value lines, among them `conninfo`),
  // for Attach() and for tests that read `conninfo` (ConninfoFromStateFile).
  absl::Status WriteStateFile(const std::string& path) const;
  // The destructor leaves the cluster running and its directory in place.
  void Detach() { detached_ = true; }
  // Stops the server and removes the directory; idempotent.
  absl::Status Stop();
  // SIGKILL to the postmaster and every process it started (a machine
  // failure: no shutdown, no backend lingers); returns once the postmaster
  // is gone. The directory stays until Stop() or the destructor.
  absl::Status Kill();
  // pg_ctl promote: a standby becomes a primary; returns once it accepts
  // writes.
  absl::Status Promote();

  // libpq conninfo of the superuser, over the Unix socket (no dbname: add
  // " dbname=x").
  std::string Conninfo() const;
  // The same over TCP on 127.0.0.1.
  std::string TcpConninfo() const;
  int port() const { return port_; }
  const std::string& socket_dir() const { return root_; }

 private:
  PostgresCluster(std::string bin_dir, std::string root, int port)
      : bin_dir_(std::move(bin_dir)), root_(std::move(root)), port_(port) {}

  absl::Status InitDb(const Options& options);
  // Appends `settings` to data/postgresql.conf (later lines win).
  absl::Status AppendSettings(
      const std::vector<std::pair<std::string, std::string>>& settings) const;
  absl::Status StartServer();
  // StartServer() on a port picked free, a few times over.
  absl::Status StartOnFreePort();
  // Runs the server binary `name` with `args`, as `postgres` when root.
  absl::Status RunTool(std::string_view name,
                       const std::vector<std::string>& args) const;
  std::string data_dir() const { return root_ + "/data"; }

  std::string bin_dir_;
  std::string root_;  // holds data/, the socket, and the logs
  int port_;
  bool running_ = false;
  bool detached_ = false;
};

// The `conninfo` recorded in a state file written by WriteStateFile().
absl::StatusOr<std::string> ConninfoFromStateFile(const std::string& path);

}  // namespace caregate::testing

#endif  // CAREGATE_TESTS_TESTING_POSTGRES_CLUSTER_H_
