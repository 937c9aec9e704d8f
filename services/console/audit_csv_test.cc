#include "services/console/audit_csv.h"

#include <string>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/test_events.h"
#include "services/audit_service/audit_event_proto.h"

namespace caregate::console {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(CsvFieldTest, QuotesOnlyWhenNeededAndDefusesFormulas) {
  EXPECT_EQ(CsvField("p-1001"), "p-1001");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("=HYPERLINK(1)"), "'=HYPERLINK(1)");
  EXPECT_EQ(CsvField("-1"), "'-1");
  EXPECT_EQ(CsvField("@x,y"), "\"'@x,y\"");
  EXPECT_EQ(CsvField(""), "");
}

TEST(AuditCsvTest, OneLinePerEventWithEveryField) {
  const std::vector<AuditEvent> chain = caregate::testing::BuildTestChain(4);
  const v1::AuditEvent denied = AuditEventToProto(chain[3]);
  const std::string header = AuditCsvHeader();
  const std::string row = AuditCsvRow(denied);
  EXPECT_THAT(header, StartsWith("seq,time,actor_principal_id,"));
  EXPECT_THAT(row, EndsWith("\r\n"));
  const std::vector<std::string> names =
      absl::StrSplit(header.substr(0, header.size() - 2), ',');
  const std::vector<std::string> values =
      absl::StrSplit(row.substr(0, row.size() - 2), ',');
  ASSERT_EQ(names.size(), 20u);
  ASSERT_EQ(values.size(), names.size());
  auto value = [&](const std::string& name) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return values[i];
    }
    return std::string("(no column)");
  };
  EXPECT_EQ(value("seq"), "4");
  EXPECT_EQ(value("time"), "2024-06-03T09:01:51.123456Z");
  EXPECT_EQ(value("action"), "AUDIT_ACTION_DISCLOSURE_DENIED");
  EXPECT_EQ(value("actor_role"), "ROLE_THERAPIST");
  EXPECT_EQ(value("patient_id"), "p-1004");
  EXPECT_EQ(value("categories"), "CATEGORY_TRAUMA_HISTORY");
  EXPECT_EQ(value("reasons"), "DENIAL_REASON_CATEGORY_WITHHELD");
  EXPECT_EQ(value("outcome"), "DECISION_OUTCOME_DENIED");
  EXPECT_EQ(value("prev_hash").size(), 64u);
  EXPECT_EQ(value("hash").size(), 64u);
  EXPECT_THAT(AuditCsvRow(AuditEventToProto(chain[0])),
              HasSubstr("CATEGORY_SESSION_ATTENDANCE;"
                        "CATEGORY_TREATMENT_SUMMARY"));
}

}  // namespace
}  // namespace caregate::console
