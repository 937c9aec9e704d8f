// GoogleMock matchers for absl::Status (Abseil 20220623 ships none).
#ifndef CAREGATE_TESTS_TESTING_STATUS_MATCHERS_H_
#define CAREGATE_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace caregate::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

// EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("x")));
MATCHER_P2(StatusIs, code, message_matcher,
           "status code " + ::testing::PrintToString(code)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(message_matcher,
                                       std::string(s.message()),
                                       result_listener);
}

// EXPECT_THAT(s, IsOk());
MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.ok();
}

}  // namespace caregate::testing

#define CG_ASSERT_OK(expr) ASSERT_THAT((expr), ::caregate::testing::IsOk())
#define CG_EXPECT_OK(expr) EXPECT_THAT((expr), ::caregate::testing::IsOk())

#endif  // CAREGATE_TESTS_TESTING_STATUS_MATCHERS_H_
