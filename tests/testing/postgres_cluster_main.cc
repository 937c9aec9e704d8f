// caregate_test_postgres: starts or stops the PostgreSQL cluster that the
// tests of one CTest run share (the `postgres_cluster` fixture, see
// tests/CMakeLists.txt).
//
//   caregate_test_postgres start STATE_FILE  # stops a stale one, starts anew
//   caregate_test_postgres stop STATE_FILE   # stops it, removes its files
//
// Exit status 0 on success; the error on stderr otherwise.
#include <filesystem>
#include <iostream>
#include <string>

#include "tests/testing/postgres_cluster.h"

namespace {

using caregate::testing::PostgresCluster;

// Stops the cluster recorded in `state_file`, if any.
absl::Status StopRecorded(const std::string& state_file) {
  if (!std::filesystem::exists(state_file)) return absl::OkStatus();
  auto cluster = PostgresCluster::Attach(state_file);
  std::filesystem::remove(state_file);
  if (!cluster.ok()) return cluster.status();
  return (*cluster)->Stop();
}

absl::Status StartNew(const std::string& state_file) {
  // A run that was killed before its cleanup test left its cluster behind.
  if (absl::Status s = StopRecorded(state_file); !s.ok()) {
    std::cerr << "stale test cluster: " << s << "\n";
  }
  auto cluster = PostgresCluster::Start({});
  if (!cluster.ok()) return cluster.status();
  if (absl::Status s = (*cluster)->WriteStateFile(state_file); !s.ok()) {
    return s;
  }
  (*cluster)->Detach();
  std::cout << "test PostgreSQL running: " << (*cluster)->Conninfo() << "\n";
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc == 3 ? argv[1] : "";
  if (command != "start" && command != "stop") {
    std::cerr << "usage: " << argv[0] << " start|stop STATE_FILE\n";
    return 2;
  }
  const absl::Status status =
      command == "start" ? StartNew(argv[2]) : StopRecorded(argv[2]);
  if (!status.ok()) {
    std::cerr << "caregate_test_postgres " << command << ": " << status << "\n";
    return 1;
  }
  return 0;
}
