#include "services/ctl/disclosure_form.h"

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate::ctl {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

TEST(DisclosureFormTest, SectionSpecs) {
  auto spec = ParseSectionSpec("trauma_history=notes/t.txt:Before the exam");
  CG_ASSERT_OK(spec);
  EXPECT_EQ(spec->category, v1::CATEGORY_TRAUMA_HISTORY);
  EXPECT_EQ(spec->file, "notes/t.txt");
  EXPECT_EQ(spec->title, "Before the exam");
  spec = ParseSectionSpec("CATEGORY_DIAGNOSIS=dx.txt");
  CG_ASSERT_OK(spec);
  EXPECT_EQ(spec->category, v1::CATEGORY_DIAGNOSIS);
  EXPECT_EQ(spec->title, "");
  spec = ParseSectionSpec("diagnosis=dx.txt:a: b");
  CG_ASSERT_OK(spec);
  EXPECT_EQ(spec->title, "a: b");
  for (const char* bad : {"diagnosis", "=x", "diagnosis=", "diagnosis=:t"}) {
    EXPECT_THAT(ParseSectionSpec(bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("expected CATEGORY=FILE[:TITLE]")))
        << bad;
  }
  EXPECT_THAT(ParseSectionSpec("gossip=x"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--section: unknown value \"gossip\"")));
}

TEST(DisclosureFormTest, BuildReadsTheSectionFiles) {
  const std::string path = ::testing::TempDir() + "/disclosure_form_test.txt";
  std::ofstream(path) << "Adherence 5 of 7 days\n";
  DisclosureFlags flags;
  flags.patient = "p-1001";
  flags.to_org = "core-pelvic-pt";
  flags.to_provider = "pt-lindqvist";
  flags.purpose = "treatment_coordination";
  flags.sections = {"homework_adherence=" + path + ":Homework",
                    "homework_plan=" + path};
  flags.redact_uncovered = true;
  v1::Disclosure d;
  CG_ASSERT_OK(BuildDisclosure(flags, &d));
  EXPECT_EQ(d.recipient_provider_id(), "pt-lindqvist");
  EXPECT_EQ(d.purpose(), v1::PURPOSE_TREATMENT_COORDINATION);
  EXPECT_TRUE(d.redact_uncovered());
  ASSERT_EQ(d.sections_size(), 2);
  EXPECT_EQ(d.sections(0).title(), "Homework");
  EXPECT_EQ(d.sections(0).body(), "Adherence 5 of 7 days\n");
  EXPECT_EQ(d.sections(1).category(), v1::CATEGORY_HOMEWORK_PLAN);

  flags.sections = {"homework_plan=/nonexistent/x.txt"};
  EXPECT_THAT(
      BuildDisclosure(flags, &d),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("cannot read section file /nonexistent/x.txt")));
  // A directory is refused, never sent as an empty section.
  flags.sections = {"homework_plan=/tmp"};
  EXPECT_THAT(BuildDisclosure(flags, &d),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("cannot read section file /tmp")));
  flags.sections.clear();
  EXPECT_THAT(BuildDisclosure(flags, &d),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("missing --section")));
  flags.sections = {"homework_plan=" + path};
  flags.to_provider.clear();
  EXPECT_THAT(BuildDisclosure(flags, &d),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("missing --to-provider")));
}

}  // namespace
}  // namespace caregate::ctl
