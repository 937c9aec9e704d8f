// Shared steps of the CLI tests, done through caregatectl itself: recording a
// consent and sending a note as dr-rivera of the dev setup.
#ifndef CAREGATE_TESTS_CLI_CLI_FIXTURES_H_
#define CAREGATE_TESTS_CLI_CLI_FIXTURES_H_

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cli/cli_harness.h"

namespace caregate::testing {

class CliTest : public ::testing::Test {
 protected:
  // The gateway the helpers below talk to: the shared one unless a test
  // fixture brings its own.
  virtual CliGateway& gateway() { return CliGateway::Get(); }

  // Every flag of a complete consent form for `patient` to `org`.
  std::vector<std::string> ConsentArgs(const std::string& patient,
                                       const std::string& org,
                                       const std::string& categories) {
    return {"consent",
            "record",
            "--patient",
            patient,
            "--to-org",
            org,
            "--purpose",
            "treatment_coordination",
            "--category",
            categories,
            "--expires",
            "365d",
            "--description",
            "Information needed to coordinate care",
            "--document-sha256",
            std::string(64, 'b'),
            "--signer-name",
            "Casey Example",
            "--signer-relationship",
            "self",
            "--capture-method",
            "electronic_signature",
            "--states-right-to-revoke",
            "--states-treatment-not-conditioned",
            "--states-redisclosure-risk"};
  }

  // Records a consent as dr-rivera; returns its id (empty on failure).
  std::string RecordConsent(const std::string& patient, const std::string& org,
                            const std::string& categories) {
    CtlResult r =
        gateway().As("dr-rivera", ConsentArgs(patient, org, categories));
    EXPECT_EQ(r.code, 0) << r.err;
    return FieldValue(r.out, "consent");
  }

  // The args of a send (or check) to pt-lindqvist at core-pelvic-pt with one
  // section per "CATEGORY=body" entry.
  std::vector<std::string> NoteArgs(const std::string& command,
                                    const std::string& patient,
                                    const std::string& org,
                                    const std::string& provider,
                                    const std::vector<std::string>& sections) {
    std::vector<std::string> args = {
        command,    "--patient", patient,
        "--to-org", org,         "--to-provider",
        provider,   "--purpose", "TREATMENT_COORDINATION"};
    for (size_t i = 0; i < sections.size(); ++i) {
      const size_t eq = sections[i].find('=');
      const std::string file = gateway().WriteFile(
          patient + "_" + command + "_" + std::to_string(i) + ".txt",
          sections[i].substr(eq + 1));
      args.push_back("--section");
      args.push_back(sections[i].substr(0, eq) + "=" + file + ":Section " +
                     std::to_string(i + 1));
    }
    return args;
  }

  // Sends a permitted note to the PT as dr-rivera; returns the disclosure id.
  std::string SendToPt(const std::string& patient,
                       const std::vector<std::string>& sections) {
    CtlResult r = gateway().As(
        "dr-rivera",
        NoteArgs("send", patient, "core-pelvic-pt", "pt-lindqvist", sections));
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    return FieldValue(r.out, "disclosure");
  }

  // The message id of a disclosure, via `disclosure get`.
  std::string MessageOf(const std::string& disclosure_id) {
    CtlResult r =
        gateway().As("dr-rivera", {"disclosure", "get", disclosure_id});
    EXPECT_EQ(r.code, 0) << r.err;
    return FieldValue(r.out, "message");
  }
};

}  // namespace caregate::testing

#endif  // CAREGATE_TESTS_CLI_CLI_FIXTURES_H_
