// No patient data in logs: consents, disclosures (permitted, redacted,
// denied) and refused requests carry a unique canary string in every
// free-text field. The canary must never reach the gateway's log output
// (spdlog, and anything else written to stderr), any audit event, or the
// error message of a refused call. Bodies and titles must not reach the data
// directory in plaintext either (they are stored sealed).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/clinic_fixtures.h"

namespace caregate {
namespace {

using ::caregate::testing::Client;
using ::caregate::testing::ConsentFor;
using ::caregate::testing::Ctx;
using ::caregate::testing::GatewayHarness;
using ::caregate::testing::LogCapture;
using ::caregate::testing::NoteTo;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCanary[] = "CANARY-7f3a9c";
// The canary of bodies and titles, which must not even reach the data
// directory unsealed.
constexpr char kContentCanary[] = "CANARY-7f3a9c-content";
constexpr char kPatient[] = "p-1001";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Redirects file descriptor 2 to a file while alive: gRPC, protobuf and
// anything else that writes to stderr.
class StderrCapture {
 public:
  explicit StderrCapture(std::string path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = dup(STDERR_FILENO);
    const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  ~StderrCapture() { Restore(); }
  // Restores stderr and returns what was written to it.
  std::string Finish() {
    Restore();
    return ReadAll(path_);
  }

 private:
  void Restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    saved_ = -1;
  }
  std::string path_;
  int saved_ = -1;
};

// Text of the given length made of the canary, repeated.
std::string CanaryText(size_t bytes, const char* canary = kCanary) {
  std::string text;
  while (text.size() < bytes) absl::StrAppend(&text, canary, " ");
  text.resize(bytes);
  return text;
}

class PhiCanaryTest : public ::testing::Test {
 protected:
  PhiCanaryTest()
      : stderr_(::testing::TempDir() + "/phi_canary_stderr_" +
                std::to_string(getpid())),
        therapist_(gateway_, "dr-rivera"),
        clinic_(gateway_, "core-pelvic-pt-inbox"),
        compliance_(gateway_, "compliance-officer") {}

  // A consent whose every free-text field holds the canary, signed by a
  // guardian (so representative_authority is required).
  v1::Consent CanaryConsent(const std::string& org,
                            std::vector<v1::Category> categories) {
    v1::Consent c = ConsentFor(kPatient, org, std::move(categories),
                               gateway_.clock().Now());
    v1::ConsentEvidence* e = c.mutable_evidence();
    e->set_information_description(absl::StrCat("Homework notes ", kCanary));
    e->set_signer_name(absl::StrCat("Jane ", kCanary));
    e->set_signer_relationship(v1::SIGNER_RELATIONSHIP_GUARDIAN);
    e->set_representative_authority(absl::StrCat("court order ", kCanary));
    e->set_witness(absl::StrCat("John ", kCanary));
    return c;
  }

  // A note whose every title and body holds the content canary.
  static v1::Disclosure CanaryNote(const std::string& org,
                                   const std::string& provider,
                                   std::vector<v1::Category> categories) {
    v1::Disclosure d = NoteTo(kPatient, org, provider, std::move(categories));
    for (v1::Section& s : *d.mutable_sections()) {
      s.set_title(absl::StrCat("Title ", kContentCanary));
      s.set_body(absl::StrCat("Patient said ", kContentCanary, " in session"));
    }
    return d;
  }

  // Remembers a refused call's status for the final check.
  void Refused(const std::string& what, const grpc::Status& status) {
    EXPECT_FALSE(status.ok()) << what;
    refusals_.push_back({what, status});
  }

  grpc::Status Record(const v1::Consent& consent) {
    therapist_.Record(consent);
    return therapist_.last_status;
  }
  grpc::Status Send(const v1::Disclosure& note, const std::string& request_id) {
    therapist_.Send(note, request_id);
    return therapist_.last_status;
  }
  grpc::Status Revoke(const std::string& consent_id,
                      const std::string& reason) {
    v1::RevokeConsentRequest request;
    request.set_consent_id(consent_id);
    request.set_reason(reason);
    v1::Consent response;
    return therapist_.consents->RevokeConsent(Ctx().get(), request, &response);
  }

  // Every audit event, as compliance reads them.
  std::vector<v1::AuditEvent> AllEvents() {
    std::vector<v1::AuditEvent> events;
    v1::QueryAuditEventsRequest request;
    request.set_page_size(1000);
    do {
      v1::QueryAuditEventsResponse response;
      const grpc::Status s =
          compliance_.audit->QueryAuditEvents(Ctx().get(), request, &response);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      events.insert(events.end(), response.events().begin(),
                    response.events().end());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return events;
  }

  // Declared first: captures from before the gateway starts.
  LogCapture log_;
  StderrCapture stderr_;
  GatewayHarness gateway_;
  Client therapist_;
  Client clinic_;
  Client compliance_;
  std::vector<std::pair<std::string, grpc::Status>> refusals_;
};

TEST_F(PhiCanaryTest, CanaryNeverReachesLogsAuditEventsOrErrorMessages) {
  // Accepted requests: consents, a revocation, permitted, redacted and
  // denied disclosures, a dry run, an acknowledgement.
  const v1::Consent pt = therapist_.Record(
      CanaryConsent("core-pelvic-pt", {v1::CATEGORY_HOMEWORK_ADHERENCE}));
  ASSERT_TRUE(therapist_.last_status.ok())
      << therapist_.last_status.error_message();
  const v1::Consent urology = therapist_.Record(
      CanaryConsent("riverside-urology", {v1::CATEGORY_SEXUAL_HISTORY}));
  ASSERT_TRUE(therapist_.last_status.ok());
  ASSERT_TRUE(Revoke(urology.consent_id(),
                     absl::StrCat("patient revoked in writing ", kCanary))
                  .ok());
  ASSERT_TRUE(Send(CanaryNote("core-pelvic-pt", "pt-lindqvist",
                              {v1::CATEGORY_HOMEWORK_ADHERENCE}),
                   "req-canary-1")
                  .ok());
  v1::Disclosure redacted = CanaryNote(
      "core-pelvic-pt", "pt-moreau",
      {v1::CATEGORY_HOMEWORK_ADHERENCE, v1::CATEGORY_TRAUMA_HISTORY});
  redacted.set_redact_uncovered(true);
  const v1::SendDisclosureResponse redacted_sent =
      therapist_.Send(redacted, "req-canary-2");
  ASSERT_TRUE(therapist_.last_status.ok());
  EXPECT_EQ(redacted_sent.receipt().decision().outcome(),
            v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS);
  Refused("denied send", Send(CanaryNote("riverside-urology", "dr-haddad",
                                         {v1::CATEGORY_SEXUAL_HISTORY}),
                              "req-canary-3"));
  EXPECT_EQ(refusals_.back().second.error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  {
    v1::CheckDisclosureRequest request;
    *request.mutable_disclosure() = CanaryNote("core-pelvic-pt", "pt-lindqvist",
                                               {v1::CATEGORY_TRAUMA_HISTORY});
    v1::CheckDisclosureResponse response;
    ASSERT_TRUE(
        therapist_.disclosures->CheckDisclosure(Ctx().get(), request, &response)
            .ok());
    EXPECT_EQ(response.decision().outcome(), v1::DECISION_OUTCOME_DENIED);
  }
  // The canary did travel where it belongs: to the recipient.
  const std::vector<v1::Message> inbox = clinic_.Inbox();
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_TRUE(inbox[0].body_omitted());
  EXPECT_THAT(clinic_.GetMessage(inbox[0].message_id()).sections(0).body(),
              HasSubstr(kContentCanary));
  ASSERT_TRUE(clinic_.Acknowledge(inbox[0].message_id()).ok());

  // Refused requests with the canary in free text, in invalid values, and
  // beside other errors.
  v1::Consent c = CanaryConsent("core-pelvic-pt", {v1::CATEGORY_HOMEWORK_PLAN});
  c.mutable_evidence()->set_signer_name(CanaryText(4097));
  Refused("signer_name too long", Record(c));
  c = CanaryConsent("core-pelvic-pt", {v1::CATEGORY_HOMEWORK_PLAN});
  c.mutable_evidence()->set_information_description(CanaryText(4097));
  Refused("information_description too long", Record(c));
  c = CanaryConsent("core-pelvic-pt", {v1::CATEGORY_HOMEWORK_PLAN});
  c.mutable_evidence()->set_witness(CanaryText(4097));
  Refused("witness too long", Record(c));
  c = CanaryConsent("core-pelvic-pt", {v1::CATEGORY_HOMEWORK_PLAN});
  c.mutable_evidence()->set_representative_authority(CanaryText(4097));
  Refused("representative_authority too long", Record(c));
  c = CanaryConsent("core-pelvic-pt", {v1::CATEGORY_HOMEWORK_PLAN});
  c.set_patient_id(absl::StrCat(kCanary, " Jane Doe"));
  Refused("a name in consent.patient_id", Record(c));
  c = CanaryConsent("core-pelvic-pt", {v1::CATEGORY_HOMEWORK_PLAN});
  c.mutable_grantee()->set_org_id(absl::StrCat(kCanary, "/clinic"));
  Refused("canary in consent.grantee.org_id", Record(c));
  c = CanaryConsent("core-pelvic-pt", {v1::CATEGORY_HOMEWORK_PLAN});
  c.mutable_evidence()->set_document_sha256(kCanary);
  Refused("canary as document hash", Record(c));
  c = CanaryConsent("core-pelvic-pt", {v1::CATEGORY_HOMEWORK_PLAN});
  *c.mutable_expires_at() =
      ToProtoTime(gateway_.clock().Now() - absl::Hours(1));
  Refused("expired consent with canary fields", Record(c));
  c = CanaryConsent("core-pelvic-pt", {v1::CATEGORY_HOMEWORK_PLAN});
  c.mutable_grantee()->set_org_id("nowhere-clinic");
  Refused("unknown grantee with canary fields", Record(c));
  Refused("revocation reason too long",
          Revoke(pt.consent_id(), CanaryText(4097)));
  Refused("revocation reason with an invalid consent id",
          Revoke(absl::StrCat(kCanary, " consent"),
                 absl::StrCat("because ", kCanary)));

  v1::Disclosure d = CanaryNote("core-pelvic-pt", "pt-lindqvist",
                                {v1::CATEGORY_HOMEWORK_ADHERENCE});
  d.mutable_sections(0)->set_title(CanaryText(513, kContentCanary));
  Refused("title too long", Send(d, "req-canary-4"));
  d = CanaryNote("core-pelvic-pt", "pt-lindqvist",
                 {v1::CATEGORY_HOMEWORK_ADHERENCE});
  d.mutable_sections(0)->set_body(CanaryText((1 << 20) + 1, kContentCanary));
  Refused("body too large", Send(d, "req-canary-5"));
  d = CanaryNote("core-pelvic-pt", "pt-lindqvist",
                 {v1::CATEGORY_HOMEWORK_ADHERENCE});
  d.set_patient_id(absl::StrCat(kCanary, " Jane Doe"));
  Refused("a name in disclosure.patient_id", Send(d, "req-canary-6"));
  d = CanaryNote("core-pelvic-pt", "pt-lindqvist",
                 {v1::CATEGORY_HOMEWORK_ADHERENCE});
  d.set_recipient_org_id(absl::StrCat(kCanary, "@clinic"));
  Refused("canary in recipient_org_id", Send(d, "req-canary-7"));
  d = CanaryNote("core-pelvic-pt", "pt-lindqvist",
                 {v1::CATEGORY_HOMEWORK_ADHERENCE});
  d.set_purpose(static_cast<v1::Purpose>(99));
  Refused("undefined purpose beside canary content", Send(d, "req-canary-8"));
  d = CanaryNote("core-pelvic-pt", "pt-lindqvist",
                 {v1::CATEGORY_HOMEWORK_ADHERENCE});
  Refused("canary in request_id", Send(d, absl::StrCat(kCanary, "?retry")));
  d.mutable_sections(0)->set_body(absl::StrCat(kContentCanary, "\xff\xfe"));
  Refused("invalid UTF-8 beside canary content", Send(d, "req-canary-9"));
  Refused("canary in message_id",
          clinic_.Acknowledge(absl::StrCat(kCanary, "#msg")));
  {
    v1::QueryAuditEventsRequest request;
    request.set_patient_id(absl::StrCat(kCanary, " Jane Doe"));
    v1::QueryAuditEventsResponse response;
    Refused(
        "canary in an audit patient filter",
        compliance_.audit->QueryAuditEvents(Ctx().get(), request, &response));
  }
  // Not allowed to call it at all, with canary content.
  {
    Client clinic_as_sender(gateway_, "core-pelvic-pt-inbox");
    clinic_as_sender.Send(CanaryNote("core-pelvic-pt", "pt-lindqvist",
                                     {v1::CATEGORY_HOMEWORK_ADHERENCE}),
                          "req-canary-10");
    Refused("clinic sending canary content", clinic_as_sender.last_status);
  }

  for (const auto& [what, status] : refusals_) {
    SCOPED_TRACE(what);
    EXPECT_THAT(status.error_message(), Not(HasSubstr(kCanary)));
    EXPECT_THAT(status.error_details(), Not(HasSubstr(kCanary)));
  }

  const std::vector<v1::AuditEvent> events = AllEvents();
  // Two consents, a revocation, three sends, an acknowledgement, the
  // clinic's refusal and this query.
  EXPECT_GE(events.size(), 9u);
  for (const v1::AuditEvent& event : events) {
    EXPECT_THAT(event.DebugString(), Not(HasSubstr(kCanary)))
        << "audit event " << event.seq();
  }

  const v1::VerifyAuditLogResponse verified = compliance_.Verify();
  EXPECT_TRUE(verified.ok()) << verified.problem();
  gateway_.Stop();  // Flushes shutdown logs and the last checkpoint.

  const std::string logged = log_.text();
  EXPECT_THAT(logged, HasSubstr("\"msg\":\"rpc finished\""));
  EXPECT_THAT(logged, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(logged, HasSubstr("RESOURCE_EXHAUSTED"));
  EXPECT_THAT(logged, Not(HasSubstr(kCanary)));
  const std::string stderr_text = stderr_.Finish();
  // protobuf's complaint about the invalid UTF-8 request, by field name.
  EXPECT_THAT(stderr_text, HasSubstr("caregate.v1.Section.body"));
  EXPECT_THAT(stderr_text, Not(HasSubstr(kCanary)));

  size_t stored_bytes = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(gateway_.dir() + "/data")) {
    const std::string bytes = ReadAll(entry.path());
    stored_bytes += bytes.size();
    EXPECT_THAT(bytes, Not(HasSubstr(kContentCanary))) << entry.path();
  }
  EXPECT_GT(stored_bytes, 4096u);
}

}  // namespace
}  // namespace caregate
