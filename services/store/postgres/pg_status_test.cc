#include "services/store/postgres/pg_status.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate::pg {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(PgStatusTest, SqlStatesMapToCanonicalCodes) {
  struct Case {
    const char* sqlstate;
    absl::StatusCode code;
  };
  for (const Case& c : {
           Case{"23505", absl::StatusCode::kAlreadyExists},
           Case{"40001", absl::StatusCode::kAborted},
           Case{"40P01", absl::StatusCode::kAborted},
           Case{"08006", absl::StatusCode::kUnavailable},
           Case{"08001", absl::StatusCode::kUnavailable},
           Case{"57P01", absl::StatusCode::kUnavailable},
           Case{"57P02", absl::StatusCode::kUnavailable},
           Case{"57P03", absl::StatusCode::kUnavailable},
           Case{"25006", absl::StatusCode::kUnavailable},
           Case{"53100", absl::StatusCode::kUnavailable},
           Case{"53300", absl::StatusCode::kUnavailable},
           Case{"58030", absl::StatusCode::kUnavailable},
           Case{"23503", absl::StatusCode::kInternal},
           Case{"23514", absl::StatusCode::kInternal},
           Case{"42601", absl::StatusCode::kInternal},
           Case{"22021", absl::StatusCode::kInternal},
           Case{"25P02", absl::StatusCode::kInternal},
       }) {
    EXPECT_EQ(CodeForSqlState(c.sqlstate), c.code) << c.sqlstate;
  }
}

TEST(PgStatusTest, MessageNamesOperationStateAndConstraint) {
  EXPECT_THAT(
      StatusForSqlState("insert disclosure", "23505",
                        "disclosures_sender_principal_id_request_id_key"),
      StatusIs(absl::StatusCode::kAlreadyExists,
               AllOf(HasSubstr("insert disclosure: duplicate key"),
                     HasSubstr("SQLSTATE 23505"),
                     HasSubstr("constraint disclosures_sender"))));
  EXPECT_THAT(StatusForSqlState("list messages", "42P01", ""),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("list messages: database error (SQLSTATE "
                                 "42P01)")));
}

TEST(PgStatusTest, ConnectionLostIsUnavailableWithLibpqDetail) {
  EXPECT_THAT(ConnectionLost("commit", "server closed the connection\n"),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("commit: database unavailable: server "
                                 "closed the connection")));
  EXPECT_THAT(
      ConnectionLost("get message", ""),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("no connection")));
}

}  // namespace
}  // namespace caregate::pg
