// The Store conformance suite: TEST_Ps every Store backend must pass, over
// the Store interface only. A backend joins with
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            ::testing::Values(StoreBackend{"sqlite", f}));
//
// where `f(dir)` opens a store whose state lives in `dir` (a fresh empty
// directory per test; calling `f` again with the same `dir` must reopen the
// same state). A backend whose state several stores may use at once (one
// database shared by several processes) sets `shared`, and then also runs
// the cases with two stores racing (store_conformance_race_test.cc). Also
// holds the sample records and field-by-field comparisons the suite uses.
// Test-only; namespace caregate::store_testing.
#ifndef CAREGATE_SERVICES_STORE_STORE_CONFORMANCE_TEST_H_
#define CAREGATE_SERVICES_STORE_STORE_CONFORMANCE_TEST_H_

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/store/store.h"
#include "tests/testing/temp_dir.h"

namespace caregate::store_testing {

using StoreFactory =
    std::function<absl::StatusOr<std::unique_ptr<Store>>(const std::string&)>;

// The log head of a write transaction, read and locked until it ends
// (std::nullopt for an empty log).
// TODO(#11): WriteTransaction::LockLogHead() replaces this hook.
using LockLogHeadFn =
    std::function<absl::StatusOr<std::optional<ChainHead>>(WriteTransaction&)>;

struct StoreBackend {
  StoreBackend(std::string name, StoreFactory open)
      : name(std::move(name)), open(std::move(open)) {}

  std::string name;
  StoreFactory open;
  // Optional: two stores may be open on one state at once, each used as by
  // its own process.
  bool shared = false;
  // Optional: runs the append race through the locked log head.
  LockLogHeadFn lock_log_head;
  // Optional: frees what `open` made for `dir`, after the test's stores
  // are closed.
  std::function<void(const std::string& dir)> cleanup;
};

inline std::ostream& operator<<(std::ostream& os, const StoreBackend& b) {
  return os << b.name;
}

using ::caregate::testing::TempDir;

class StoreConformanceTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Closes the store and opens it again on the same state.
  void Reopen();
  // A second store on the same state (backends with `shared` only).
  std::unique_ptr<Store> OpenAnother();
  // Runs `fn` in one write transaction and commits it.
  void Write(const std::function<void(WriteTransaction&)>& fn);

  std::vector<ConsentRecord> AllConsents();
  std::vector<AuditEvent> ScanAll();

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

// A base time, a whole number of microseconds.
absl::Time T0();

// Records with every field set to a distinct, non-default value.
ConsentRecord SampleConsent(const std::string& consent_id,
                            const std::string& request_id);
DisclosureRow SampleDisclosure(const std::string& disclosure_id,
                               const std::string& request_id);
MessageRow SampleMessage(const std::string& message_id,
                         const std::string& recipient_org_id, int64_t seq,
                         std::vector<std::string> consent_ids);
AuditEvent SampleAuditEvent(int64_t seq);
Checkpoint SampleCheckpoint(int64_t seq, absl::Time time);

void ExpectSameConsent(const ConsentRecord& got, const ConsentRecord& want);
void ExpectSameDisclosure(const DisclosureRow& got, const DisclosureRow& want);
void ExpectSameMessage(const MessageRow& got, const MessageRow& want);
void ExpectSameAuditEvent(const AuditEvent& got, const AuditEvent& want);
void ExpectSameCheckpoint(const Checkpoint& got, const Checkpoint& want);

// EXPECT_THAT(store->GetMessage("m-9"), IsOkAndNullopt());
MATCHER(IsOkAndNullopt, "is OK and holds std::nullopt") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return !arg->has_value();
}

// EXPECT_THAT(txn.WithholdPendingMessages("c-1"), IsOkAndHolds(IsEmpty()));
MATCHER_P(IsOkAndHolds, matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

std::vector<std::string> MessageIds(const std::vector<MessageRow>& rows);
// A claim of `org`'s due messages at `now` by `owner`, leased until
// `lease_until`.
PushClaim ClaimOf(const std::string& org, absl::Time now,
                  const std::string& owner, absl::Time lease_until, int limit,
                  int64_t max_seq = std::numeric_limits<int64_t>::max());
std::vector<std::string> DisclosureIds(const std::vector<DisclosureRow>& rows);
std::vector<int64_t> Seqs(const std::vector<AuditEvent>& events);

}  // namespace caregate::store_testing

#endif  // CAREGATE_SERVICES_STORE_STORE_CONFORMANCE_TEST_H_
