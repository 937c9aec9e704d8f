#include "services/gateway/store_health.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate {
namespace {

using ::testing::ElementsAre;

// Probe outcomes in order (the last one repeats), and the reports seen.
struct Script {
  absl::Mutex mu;
  std::vector<absl::Status> outcomes;
  size_t next = 0;
  std::vector<bool> reports;

  absl::Status Probe() {
    absl::MutexLock lock(&mu);
    const absl::Status s = outcomes[std::min(next, outcomes.size() - 1)];
    ++next;
    return s;
  }
  void Report(bool serving) {
    absl::MutexLock lock(&mu);
    reports.push_back(serving);
  }
  // Waits (bounded) until `n` reports were made.
  bool AwaitReports(size_t n) {
    absl::MutexLock lock(&mu);
    const auto done = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu) {
      return reports.size() >= n;
    };
    return mu.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(10));
  }
  // Waits (bounded) until every outcome has been probed and one more.
  bool AwaitDone() {
    absl::MutexLock lock(&mu);
    const auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu) {
      return next > outcomes.size();
    };
    return mu.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(10));
  }
};

std::unique_ptr<StoreHealth> StartOn(Script& script) {
  return StoreHealth::Start({[&] { return script.Probe(); },
                             [&](bool serving) { script.Report(serving); },
                             absl::Milliseconds(1)});
}

TEST(StoreHealthTest, ReportsOnlyChangesOfReachability) {
  Script script;
  script.outcomes = {absl::OkStatus(), absl::OkStatus(),
                     absl::UnavailableError("connection refused"),
                     absl::UnavailableError("connection refused"),
                     absl::OkStatus()};
  auto health = StartOn(script);
  ASSERT_TRUE(script.AwaitDone());
  health.reset();
  absl::MutexLock lock(&script.mu);
  EXPECT_THAT(script.reports, ElementsAre(true, false, true));
}

// The probe interval is an hour, so only the raised failure can turn the
// gateway NOT_SERVING here; once the StoreHealth is gone, raising does
// nothing.
TEST(StoreHealthTest, AFailedWriteTurnsNotServingBeforeTheNextProbe) {
  Script script;
  script.outcomes = {absl::OkStatus()};
  StoreFailureSignal failures;
  auto health =
      StoreHealth::Start({[&] { return script.Probe(); },
                          [&](bool serving) { script.Report(serving); },
                          absl::Hours(1), &failures});
  ASSERT_TRUE(script.AwaitReports(1));
  failures.Raise();
  ASSERT_TRUE(script.AwaitReports(2));
  health.reset();
  failures.Raise();
  absl::MutexLock lock(&script.mu);
  EXPECT_THAT(script.reports, ElementsAre(true, false));
  EXPECT_EQ(script.next, 1u);  // the failure was not a probe
}

TEST(StoreHealthTest, OtherErrorsDoNotMeanUnreachable) {
  Script script;
  script.outcomes = {absl::UnavailableError("no route"),
                     absl::DataLossError("bad row")};
  auto health = StartOn(script);
  ASSERT_TRUE(script.AwaitDone());
  health.reset();
  absl::MutexLock lock(&script.mu);
  EXPECT_THAT(script.reports, ElementsAre(false, true));
}

}  // namespace
}  // namespace caregate
