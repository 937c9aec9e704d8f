#include "services/policy/enum_names.h"

#include "gtest/gtest.h"

namespace caregate {
namespace {

TEST(ShortNameTest, StripsThePrefix) {
  EXPECT_EQ(ShortName(v1::CATEGORY_SEXUAL_HISTORY), "SEXUAL_HISTORY");
  EXPECT_EQ(ShortName(v1::CATEGORY_PSYCHOTHERAPY_NOTES), "PSYCHOTHERAPY_NOTES");
  EXPECT_EQ(ShortName(v1::PURPOSE_TREATMENT_COORDINATION),
            "TREATMENT_COORDINATION");
  EXPECT_EQ(ShortName(v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT),
            "NO_CONSENT_FOR_RECIPIENT");
  EXPECT_EQ(ShortName(v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS),
            "PERMITTED_WITH_REDACTIONS");
  EXPECT_EQ(ShortName(v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY),
            "PELVIC_FLOOR_PHYSICAL_THERAPY");
  EXPECT_EQ(ShortName(v1::CATEGORY_UNSPECIFIED), "UNSPECIFIED");
}

TEST(ShortNameTest, UnknownValues) {
  EXPECT_EQ(ShortName(static_cast<v1::Category>(99)), "UNKNOWN");
  EXPECT_EQ(ShortName(static_cast<v1::DenialReason>(-1)), "UNKNOWN");
  EXPECT_EQ(ShortName(static_cast<v1::Purpose>(v1::Purpose_MAX + 1)),
            "UNKNOWN");
}

TEST(ShortNameTest, ViewsAreStable) {
  const std::string_view first = ShortName(v1::DECISION_OUTCOME_DENIED);
  EXPECT_EQ(first.data(), ShortName(v1::DECISION_OUTCOME_DENIED).data());
  EXPECT_EQ(first, "DENIED");
}

}  // namespace
}  // namespace caregate
