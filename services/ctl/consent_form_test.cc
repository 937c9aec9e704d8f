#include "services/ctl/consent_form.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/crypto/sha256.h"
#include "tests/testing/status_matchers.h"

namespace caregate::ctl {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1795766400);

std::vector<std::string> FullForm() {
  return {"--patient",
          "p-1001",
          "--to-org",
          "core-pelvic-pt",
          "--to-specialty",
          "pelvic_floor_physical_therapy",
          "--purpose",
          "treatment_coordination",
          "--purpose",
          "REFERRAL",
          "--category",
          "homework_adherence,CATEGORY_TRAUMA_HISTORY",
          "--withhold",
          "sexual_history",
          "--expires",
          "365d",
          "--valid-from",
          "2026-12-01T00:00:00Z",
          "--description",
          "Adherence",
          "--document-sha256",
          std::string(64, 'c'),
          "--signed-at",
          "1h",
          "--signer-name",
          "Casey Example",
          "--signer-relationship",
          "guardian",
          "--representative-authority",
          "court order 12",
          "--witness",
          "W. Ness",
          "--capture-method",
          "paper_scanned",
          "--states-right-to-revoke",
          "--states-treatment-not-conditioned",
          "--states-redisclosure-risk"};
}

absl::Status Build(const std::vector<std::string>& args, v1::Consent* c) {
  ConsentFormFlags form;
  FlagSet flags;
  AddConsentFormFlags(flags, &form);
  auto positionals = flags.Parse(args);
  if (!positionals.ok()) return positionals.status();
  return BuildConsent(form, kNow, c);
}

TEST(ConsentFormTest, EveryFlagReachesTheConsent) {
  v1::Consent c;
  CG_ASSERT_OK(Build(FullForm(), &c));
  EXPECT_EQ(c.patient_id(), "p-1001");
  EXPECT_EQ(c.grantee().org_id(), "core-pelvic-pt");
  EXPECT_EQ(c.grantee().specialty(),
            v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY);
  EXPECT_THAT(c.purposes(), ElementsAre(v1::PURPOSE_TREATMENT_COORDINATION,
                                        v1::PURPOSE_REFERRAL));
  EXPECT_THAT(c.categories(), ElementsAre(v1::CATEGORY_HOMEWORK_ADHERENCE,
                                          v1::CATEGORY_TRAUMA_HISTORY));
  EXPECT_THAT(c.withheld_categories(),
              ElementsAre(v1::CATEGORY_SEXUAL_HISTORY));
  EXPECT_EQ(*FromProtoTime(c.expires_at(), "x"), kNow + absl::Hours(24 * 365));
  EXPECT_EQ(*FromProtoTime(c.valid_from(), "x"),
            absl::FromUnixSeconds(1796083200));
  const v1::ConsentEvidence& e = c.evidence();
  EXPECT_EQ(e.information_description(), "Adherence");
  EXPECT_EQ(e.document_sha256(), std::string(64, 'c'));
  EXPECT_EQ(*FromProtoTime(e.signed_at(), "x"), kNow - absl::Hours(1));
  EXPECT_EQ(e.signer_name(), "Casey Example");
  EXPECT_EQ(e.signer_relationship(), v1::SIGNER_RELATIONSHIP_GUARDIAN);
  EXPECT_EQ(e.representative_authority(), "court order 12");
  EXPECT_EQ(e.witness(), "W. Ness");
  EXPECT_EQ(e.capture_method(), v1::CAPTURE_METHOD_PAPER_SCANNED);
  EXPECT_TRUE(e.states_right_to_revoke());
  EXPECT_TRUE(e.states_treatment_not_conditioned());
  EXPECT_TRUE(e.states_redisclosure_risk());
}

TEST(ConsentFormTest, DefaultsSignedNowBySelf) {
  v1::Consent c;
  CG_ASSERT_OK(Build({"--patient", "p-1", "--to-org", "o", "--purpose",
                      "referral", "--category", "diagnosis", "--expires",
                      "2027-06-01T00:00:00Z", "--document-sha256", "ab"},
                     &c));
  EXPECT_EQ(*FromProtoTime(c.evidence().signed_at(), "x"), kNow);
  EXPECT_EQ(c.evidence().signer_relationship(), v1::SIGNER_RELATIONSHIP_SELF);
  EXPECT_FALSE(c.has_valid_from());
}

TEST(ConsentFormTest, DocumentIsHashedLocally) {
  const std::string path = ::testing::TempDir() + "/consent_form_test.pdf";
  std::ofstream(path) << "signed form bytes";
  std::vector<std::string> args = FullForm();
  args.erase(args.begin() + 20, args.begin() + 22);  // --document-sha256 HEX
  args.insert(args.end(), {"--document", path});
  v1::Consent c;
  CG_ASSERT_OK(Build(args, &c));
  EXPECT_EQ(c.evidence().document_sha256(), Sha256Hex("signed form bytes"));
  std::filesystem::remove(path);
  EXPECT_THAT(Build(args, &c),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("cannot read --document " + path)));
}

TEST(ConsentFormTest, MissingAndBadFlagsNameTheFlag) {
  for (const char* flag : {"--patient", "--to-org", "--purpose", "--category",
                           "--expires", "--document-sha256"}) {
    std::vector<std::string> args = FullForm();
    auto it = std::find(args.begin(), args.end(), flag);
    args.erase(it, it + 2);
    if (std::string(flag) == "--purpose") {
      it = std::find(args.begin(), args.end(), flag);
      args.erase(it, it + 2);
    }
    std::string name = std::string(flag).substr(2);
    if (name == "document-sha256") name = "document";
    v1::Consent c;
    EXPECT_THAT(Build(args, &c), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("missing --" + name)));
  }
  std::vector<std::string> args = FullForm();
  args[5] = "dentistry";
  v1::Consent c;
  EXPECT_THAT(Build(args, &c),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--to-specialty: unknown value")));
  args = FullForm();
  args[15] = "whenever";
  EXPECT_THAT(Build(args, &c), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("--expires: \"whenever\"")));
}

}  // namespace
}  // namespace caregate::ctl
