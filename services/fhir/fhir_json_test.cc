#include "services/fhir/fhir_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate::fhir {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

google::protobuf::Timestamp Ts(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  ts.set_nanos(nanos);
  return ts;
}

TEST(FhirJsonTest, InstantsAreUtcWithTheFractionTheyNeed) {
  EXPECT_EQ(FhirInstant(Ts(1714555800)), "2024-05-01T09:30:00Z");
  EXPECT_EQ(FhirInstant(Ts(1714555800, 250000000)), "2024-05-01T09:30:00.25Z");
  EXPECT_EQ(FhirInstant(Ts(1714555800, 1)), "2024-05-01T09:30:00.000000001Z");
}

TEST(FhirJsonTest, ParsesExactInstantsInAnyZone) {
  absl::StatusOr<google::protobuf::Timestamp> z =
      ParseFhirInstant("2024-05-01T09:30:00.25Z", "x");
  ASSERT_TRUE(z.ok()) << z.status();
  EXPECT_EQ(z->seconds(), 1714555800);
  EXPECT_EQ(z->nanos(), 250000000);
  absl::StatusOr<google::protobuf::Timestamp> offset =
      ParseFhirInstant("2024-05-01T11:30:00+02:00", "x");
  ASSERT_TRUE(offset.ok()) << offset.status();
  EXPECT_EQ(offset->seconds(), 1714555800);
}

TEST(FhirJsonTest, RefusesDatesThatAreNotAnInstant) {
  for (const char* text :
       {"2024", "2024-05", "2024-05-01", "2024-05-01T09:30",
        "2024-05-01T09:30:00", "2024-05-01 09:30:00Z", "yesterday", ""}) {
    EXPECT_THAT(ParseFhirInstant(text, "Consent.dateTime"),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("Consent.dateTime: ")))
        << text;
  }
}

TEST(FhirJsonTest, FhirIds) {
  EXPECT_TRUE(IsFhirId("c-123.A"));
  EXPECT_FALSE(IsFhirId(""));
  EXPECT_FALSE(IsFhirId("c_1"));
  EXPECT_FALSE(IsFhirId("c:1"));
  EXPECT_FALSE(IsFhirId(std::string(65, 'a')));
  EXPECT_TRUE(IsFhirId(std::string(64, 'a')));
}

// Vectors computed independently (Python hashlib/uuid) from the documented
// rule: SHA-256(namespace bytes || name), first 16 bytes, version 8,
// variant 10.
TEST(FhirJsonTest, NameBasedUuidMatchesIndependentVectors) {
  EXPECT_EQ(NameBasedUuid("MessageHeader\nm-1"),
            "433d2f11-cf25-8c03-b827-73b4da8d6029");
  EXPECT_EQ(NameBasedUuid(""), "600f948c-30c8-8045-98ab-900f63667863");
  EXPECT_EQ(UrnUuid("MessageHeader\nm-1"),
            "urn:uuid:433d2f11-cf25-8c03-b827-73b4da8d6029");
  EXPECT_NE(NameBasedUuid("MessageHeader\nm-2"),
            NameBasedUuid("MessageHeader\nm-1"));
}

TEST(FhirJsonTest, ReferencesAndIdentifiers) {
  EXPECT_EQ(
      LogicalReference("Organization", kOrgIdSystem, "o-1", "Org One").dump(),
      R"({"type":"Organization","identifier":{"system":")" +
          std::string(kOrgIdSystem) +
          R"(","value":"o-1"},"display":"Org One"})");
  EXPECT_FALSE(LogicalReference("Organization", kOrgIdSystem, "o-1")
                   .contains("display"));
  EXPECT_EQ(Coding("s", "c").dump(), R"({"system":"s","code":"c"})");
}

}  // namespace
}  // namespace caregate::fhir
