// FHIR R4 through caregatectl: `audit export --format fhir` writes one
// AuditEvent per event of the verifiable export; `consent export --format
// fhir` writes Consent resources that `consent record --fhir` reads back
// into a fresh gateway with the same decisions; an import it cannot map is
// refused, naming the FHIR element, and records nothing. Every file written
// passes the independent FHIR.js validator (tests/fhir/validate_fhir.sh).
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "caregate/v1/audit_export.pb.h"
#include "caregate/v1/types.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/cli/cli_fixtures.h"

namespace caregate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

// Runs the FHIR.js validator over `files`; its exit code (0: all valid).
int ValidateFhir(const std::vector<std::string>& files) {
  std::string command = absl::StrCat("bash '", CAREGATE_FHIR_VALIDATE_SCRIPT,
                                     "' --cache '", CAREGATE_FHIR_CACHE, "'");
  for (const std::string& f : files) absl::StrAppend(&command, " '", f, "'");
  return std::system(command.c_str());
}

std::vector<Json> NdjsonLines(const std::string& text) {
  std::vector<Json> out;
  for (const std::string& line : Lines(text)) {
    out.push_back(Json::parse(line, nullptr, /*allow_exceptions=*/false));
  }
  return out;
}

class FhirCliTest : public CliTest {
 protected:
  // A check of `sections` for `patient` to the PT through `gw`.
  v1::Decision Check(CliGateway& gw, const std::string& patient,
                     const std::vector<std::string>& sections) {
    std::vector<std::string> args =
        NoteArgs("check", patient, "core-pelvic-pt", "pt-lindqvist", sections);
    args.push_back("--json");
    CtlResult r = gw.As("dr-rivera", args);
    std::vector<v1::Decision> d = ParseJsonLines<v1::Decision>(r.out);
    EXPECT_EQ(d.size(), 1u) << r.out << r.err;
    return d.empty() ? v1::Decision() : d[0];
  }
};

TEST_F(FhirCliTest, AuditExportAsFhirHoldsOneAuditEventPerExportedEvent) {
  const std::string patient = NewPatientId();
  RecordConsent(patient, "core-pelvic-pt", "homework_adherence");
  SendToPt(patient, {"homework_adherence=ok"});
  const std::string json_path = gateway().WriteFile("fhir-export.json", "");
  const std::string fhir_path = gateway().WriteFile("fhir-export.ndjson", "");
  CtlResult j = gateway().As("compliance-officer",
                             {"audit", "export", "--out", json_path});
  ASSERT_EQ(j.code, 0) << j.err;
  CtlResult f =
      gateway().As("compliance-officer", {"audit", "export", "--format", "fhir",
                                          "--out", fhir_path, "--wait", "10s"});
  ASSERT_EQ(f.code, 0) << f.err;
  EXPECT_THAT(f.out, HasSubstr("as FHIR AuditEvent"));

  v1::AuditExport exported;
  ASSERT_TRUE(ParseJson(gateway().ReadFile(json_path), &exported));
  const std::vector<Json> events = NdjsonLines(gateway().ReadFile(fhir_path));
  // The FHIR export is taken later, so it covers at least the same events.
  ASSERT_GE(events.size(), static_cast<size_t>(exported.events_size()));
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_TRUE(events[i].is_object()) << "line " << i + 1;
    EXPECT_EQ(events[i].value("resourceType", ""), "AuditEvent");
    EXPECT_EQ(events[i].value("id", ""), absl::StrCat("audit-", i + 1));
  }
  // The hash of each event is carried as an identifier.
  const std::string text = gateway().ReadFile(fhir_path);
  for (const v1::AuditEvent& e : exported.events()) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("audit-", e.seq())));
  }
  EXPECT_EQ(ValidateFhir({fhir_path}), 0);
}

TEST_F(FhirCliTest, AuditExportRefusesAnUnknownFormat) {
  CtlResult r = gateway().As("compliance-officer",
                             {"audit", "export", "--format", "xml", "--out",
                              gateway().WriteFile("never.xml", "")});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err,
              HasSubstr("--format: \"xml\" is not one of json, binary, fhir"));
}

TEST_F(FhirCliTest, ConsentRoundTripIntoAFreshGatewayGivesTheSameDecisions) {
  const std::string patient = NewPatientId();
  RecordConsent(patient, "core-pelvic-pt", "homework_adherence");
  const std::string file = gateway().WriteFile("consents.ndjson", "");
  CtlResult e =
      gateway().As("dr-rivera", {"consent", "export", "--patient", patient,
                                 "--format", "fhir", "--out", file});
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_THAT(e.out, HasSubstr("exported 1 consents as FHIR Consent"));
  EXPECT_EQ(ValidateFhir({file}), 0);
  const std::vector<Json> consents = NdjsonLines(gateway().ReadFile(file));
  ASSERT_EQ(consents.size(), 1u);
  EXPECT_EQ(consents[0].value("resourceType", ""), "Consent");
  const std::string one =
      gateway().WriteFile("consent.json", consents[0].dump(2));

  CliGateway fresh("fhir-import");
  fresh.Start();
  CtlResult before =
      fresh.As("dr-rivera", {"consent", "list", "--patient", patient});
  EXPECT_THAT(before.out, HasSubstr("No active consents"));
  CtlResult imported =
      fresh.As("dr-rivera", {"consent", "record", "--fhir", one});
  ASSERT_EQ(imported.code, 0) << imported.err;
  const std::vector<std::vector<std::string>> notes = {
      {"homework_adherence=done"},
      {"homework_adherence=done", "trauma_history=details"},
      {"diagnosis=dx"}};
  std::vector<v1::Decision> originals, agains;
  for (const auto& sections : notes) {
    originals.push_back(Check(gateway(), patient, sections));
    agains.push_back(Check(fresh, patient, sections));
  }
  fresh.Stop();
  EXPECT_EQ(originals[0].outcome(), v1::DECISION_OUTCOME_PERMITTED);
  EXPECT_NE(originals[1].outcome(), v1::DECISION_OUTCOME_PERMITTED);
  EXPECT_EQ(originals[2].outcome(), v1::DECISION_OUTCOME_DENIED);
  for (size_t n = 0; n < notes.size(); ++n) {
    const v1::Decision& original = originals[n];
    const v1::Decision& again = agains[n];
    EXPECT_EQ(again.outcome(), original.outcome()) << "note " << n;
    ASSERT_EQ(again.sections_size(), original.sections_size());
    for (int i = 0; i < original.sections_size(); ++i) {
      EXPECT_EQ(again.sections(i).covered(), original.sections(i).covered());
      EXPECT_EQ(again.sections(i).category(), original.sections(i).category());
      EXPECT_EQ(again.sections(i).reasons_size(),
                original.sections(i).reasons_size());
    }
  }
}

TEST_F(FhirCliTest, ImportThatCannotBeMappedNamesTheElementAndRecordsNothing) {
  const std::string patient = NewPatientId();
  RecordConsent(patient, "core-pelvic-pt", "homework_adherence");
  CtlResult e = gateway().As("dr-rivera", {"consent", "export", "--patient",
                                           patient, "--format", "fhir"});
  ASSERT_EQ(e.code, 0) << e.err;
  // The same consent for another patient, with a category code system
  // caregate does not know.
  const std::string other = NewPatientId();
  std::string text = absl::StrReplaceAll(
      Lines(e.out).at(0),
      {{absl::StrCat("\"", patient, "\""), absl::StrCat("\"", other, "\"")},
       {"http://loinc.org", "http://example.org/codes"}});
  const std::string file = gateway().WriteFile("bad-consent.json", text);
  CtlResult r =
      gateway().As("dr-rivera", {"consent", "record", "--fhir", file});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("--fhir"));
  EXPECT_THAT(r.err, HasSubstr("Consent.category"));
  EXPECT_THAT(r.err, Not(HasSubstr("Casey Example")));
  CtlResult list =
      gateway().As("dr-rivera", {"consent", "list", "--patient", other});
  EXPECT_THAT(list.out, HasSubstr("No active consents"));

  CtlResult not_json =
      gateway().As("dr-rivera", {"consent", "record", "--fhir",
                                 gateway().WriteFile("not.json", "{ nope")});
  EXPECT_NE(not_json.code, 0);
  EXPECT_THAT(not_json.err, HasSubstr("not valid JSON"));
}

TEST_F(FhirCliTest, FhirImportRefusesFormFlagsBesideIt) {
  CtlResult r = gateway().As(
      "dr-rivera", {"consent", "record", "--fhir",
                    gateway().WriteFile("any.json", "{}"), "--patient", "p-1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--fhir: the consent comes from the file"));
}

}  // namespace
}  // namespace caregate::testing
