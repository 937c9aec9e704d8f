// Regression tests of the hardening issue (#10), each through the public API
// of a real gateway: what a hostile or careless client tried, and what must
// hold now.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/delivery/message_signature.h"
#include "tests/integration/clinic_fixtures.h"
#include "tests/integration/gateway_harness.h"

namespace caregate::testing {
namespace {

using ::grpc::StatusCode;
using ::testing::HasSubstr;

class HardeningTest : public ::testing::Test {
 protected:
  HardeningTest()
      : rivera_(gateway_, "dr-rivera"),
        novak_(gateway_, "dr-novak"),
        compliance_(gateway_, "compliance-officer") {}

  // Records a consent of `patient` at the therapist's practice for
  // core-pelvic-pt and sends one permitted note; returns its disclosure id.
  std::string PermittedNoteOf(Client& therapist, const std::string& patient,
                              const std::string& request_id) {
    therapist.Record(ConsentFor(patient, "core-pelvic-pt",
                                {v1::CATEGORY_HOMEWORK_ADHERENCE},
                                gateway_.clock().Now()));
    EXPECT_TRUE(therapist.last_status.ok())
        << therapist.last_status.error_message();
    v1::SendDisclosureResponse sent = therapist.Send(
        NoteTo(patient, "core-pelvic-pt", "pt-lindqvist",
               {v1::CATEGORY_HOMEWORK_ADHERENCE}),
        request_id);
    EXPECT_TRUE(therapist.last_status.ok())
        << therapist.last_status.error_message();
    return sent.receipt().disclosure_id();
  }

  v1::GetAccountingOfDisclosuresResponse Accounting(
      const std::string& practice, const std::string& patient,
      grpc::Status* status) {
    v1::GetAccountingOfDisclosuresRequest request;
    request.set_practice_org_id(practice);
    request.set_patient_id(patient);
    v1::GetAccountingOfDisclosuresResponse response;
    *status = compliance_.audit->GetAccountingOfDisclosures(Ctx().get(),
                                                            request, &response);
    return response;
  }

  GatewayHarness gateway_;
  Client rivera_;
  Client novak_;
  Client compliance_;
};

// Item 3: two practices' p-123 are two people; an accounting never merges
// them, and a query that names a patient without its practice is refused.
TEST_F(HardeningTest, AccountingNeverMergesTwoPracticesPatients) {
  const std::string sunrise_note = PermittedNoteOf(rivera_, "p-123", "req-s");
  const std::string harbor_note = PermittedNoteOf(novak_, "p-123", "req-h");

  grpc::Status status;
  v1::GetAccountingOfDisclosuresResponse sunrise =
      Accounting("sunrise-therapy", "p-123", &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(sunrise.entries_size(), 1);
  EXPECT_EQ(sunrise.entries(0).disclosure_id(), sunrise_note);
  v1::GetAccountingOfDisclosuresResponse harbor =
      Accounting("harbor-counseling", "p-123", &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(harbor.entries_size(), 1);
  EXPECT_EQ(harbor.entries(0).disclosure_id(), harbor_note);

  Accounting("", "p-123", &status);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("practice_org_id: required"));

  v1::QueryAuditEventsRequest query;
  query.set_patient_id("p-123");
  v1::QueryAuditEventsResponse events;
  status = compliance_.audit->QueryAuditEvents(Ctx().get(), query, &events);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("practice_org_id"));
  query.set_practice_org_id("harbor-counseling");
  query.add_actions(v1::AUDIT_ACTION_DISCLOSURE_PERMITTED);
  status = compliance_.audit->QueryAuditEvents(Ctx().get(), query, &events);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).subject_id(), harbor_note);
  EXPECT_EQ(events.events(0).practice_org_id(), "harbor-counseling");
}

// Item 11: a practice has no inbox, so it can be neither a consent's grantee
// nor a disclosure's recipient.
TEST_F(HardeningTest, PracticeCanBeNeitherGranteeNorRecipient) {
  rivera_.Record(ConsentFor("p-9", "harbor-counseling",
                            {v1::CATEGORY_TREATMENT_SUMMARY},
                            gateway_.clock().Now()));
  EXPECT_EQ(rivera_.last_status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(rivera_.last_status.error_message(),
              HasSubstr("consent.grantee.org_id: is a therapy practice"));
  rivera_.Send(NoteTo("p-9", "harbor-counseling", "dr-novak",
                      {v1::CATEGORY_TREATMENT_SUMMARY}),
               "req-to-practice");
  EXPECT_EQ(rivera_.last_status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(rivera_.last_status.error_message(),
              HasSubstr("disclosure.recipient_org_id: is a therapy practice"));
}

// Item 11: dates are bounded and the error names the field.
TEST_F(HardeningTest, ImplausibleConsentDatesAreRefused) {
  v1::Consent far = ConsentFor("p-10", "core-pelvic-pt",
                               {v1::CATEGORY_HOMEWORK_PLAN},
                               gateway_.clock().Now());
  far.mutable_expires_at()->set_seconds(253402214400);  // 9999-12-31
  rivera_.Record(far);
  EXPECT_EQ(rivera_.last_status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(rivera_.last_status.error_message(),
              HasSubstr("consent.expires_at: more than"));
  v1::Consent old = ConsentFor("p-10", "core-pelvic-pt",
                               {v1::CATEGORY_HOMEWORK_PLAN},
                               gateway_.clock().Now());
  old.mutable_evidence()->mutable_signed_at()->set_seconds(-2208988800);  // 1900
  rivera_.Record(old);
  EXPECT_EQ(rivera_.last_status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(rivera_.last_status.error_message(),
              HasSubstr("consent.evidence.signed_at: before 2000-01-01"));
}

// Item 5: text a clinic's terminal would act on is refused at the door.
TEST_F(HardeningTest, ControlCharactersInTextAreRefusedNamingTheField) {
  rivera_.Record(ConsentFor("p-11", "core-pelvic-pt",
                            {v1::CATEGORY_HOMEWORK_ADHERENCE},
                            gateway_.clock().Now()));
  ASSERT_TRUE(rivera_.last_status.ok());
  v1::Disclosure note = NoteTo("p-11", "core-pelvic-pt", "pt-lindqvist",
                               {v1::CATEGORY_HOMEWORK_ADHERENCE});
  note.mutable_sections(0)->set_body(
      "\x1b[2J\x1b[H  signature verified\r\n");
  rivera_.Send(note, "req-esc");
  EXPECT_EQ(rivera_.last_status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(rivera_.last_status.error_message(),
              HasSubstr("disclosure.sections[0].body: contains control "
                        "character U+001B"));
  v1::Consent named = ConsentFor("p-11", "core-pelvic-pt",
                                 {v1::CATEGORY_HOMEWORK_PLAN},
                                 gateway_.clock().Now());
  named.mutable_evidence()->set_signer_name(std::string("Jo\0e", 4));
  rivera_.Record(named);
  EXPECT_EQ(rivera_.last_status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(rivera_.last_status.error_message(),
              HasSubstr("consent.evidence.signer_name: contains control "
                        "character U+0000"));
}

// Item 4: the same principal and request id with a different request is
// ALREADY_EXISTS naming the request id; an identical retry gets the first
// result again.
TEST_F(HardeningTest, ReusedRequestIdWithDifferentContentIsAlreadyExists) {
  rivera_.Record(ConsentFor("p-12", "core-pelvic-pt",
                            {v1::CATEGORY_HOMEWORK_ADHERENCE},
                            gateway_.clock().Now()));
  ASSERT_TRUE(rivera_.last_status.ok());
  const v1::Disclosure a = NoteTo("p-12", "core-pelvic-pt", "pt-lindqvist",
                                  {v1::CATEGORY_HOMEWORK_ADHERENCE});
  v1::Disclosure b = a;
  b.mutable_sections(0)->set_body("a different note");
  const v1::SendDisclosureResponse first = rivera_.Send(a, "req-shared");
  ASSERT_TRUE(rivera_.last_status.ok());
  const v1::SendDisclosureResponse again = rivera_.Send(a, "req-shared");
  ASSERT_TRUE(rivera_.last_status.ok());
  EXPECT_EQ(again.receipt().disclosure_id(), first.receipt().disclosure_id());
  rivera_.Send(b, "req-shared");
  EXPECT_EQ(rivera_.last_status.error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(rivera_.last_status.error_message(),
              HasSubstr("request_id: req-shared was already used"));
  // Nothing was queued for B.
  Client clinic(gateway_, "core-pelvic-pt-inbox");
  EXPECT_EQ(clinic.Inbox().size(), 1u);

  v1::RecordConsentRequest record;
  *record.mutable_consent() = ConsentFor("p-12", "core-pelvic-pt",
                                         {v1::CATEGORY_HOMEWORK_PLAN},
                                         gateway_.clock().Now());
  record.set_request_id("req-consent");
  v1::Consent recorded, repeated, other;
  ASSERT_TRUE(rivera_.consents->RecordConsent(Ctx().get(), record, &recorded)
                  .ok());
  ASSERT_TRUE(rivera_.consents->RecordConsent(Ctx().get(), record, &repeated)
                  .ok());
  EXPECT_EQ(repeated.consent_id(), recorded.consent_id());
  EXPECT_EQ(repeated.evidence().signer_name(), "Test Patient");
  record.mutable_consent()->add_categories(v1::CATEGORY_TRAUMA_HISTORY);
  grpc::Status s =
      rivera_.consents->RecordConsent(Ctx().get(), record, &other);
  EXPECT_EQ(s.error_code(), StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("request_id: req-consent"));
}

// Item 9: patient-identifying consent text never reaches the data
// directory in plain text, and a denied body's stored digest is keyed.
TEST_F(HardeningTest, ConsentTextIsEncryptedAtRestAndDenialDigestsAreKeyed) {
  const std::string canary = "Canary-Signer-7f3a";
  v1::Consent consent = ConsentFor("p-13", "core-pelvic-pt",
                                   {v1::CATEGORY_HOMEWORK_ADHERENCE},
                                   gateway_.clock().Now());
  consent.mutable_evidence()->set_signer_name(canary + " name");
  consent.mutable_evidence()->set_witness(canary + " witness");
  consent.mutable_evidence()->set_information_description(canary + " desc");
  const v1::Consent recorded = rivera_.Record(consent);
  ASSERT_TRUE(rivera_.last_status.ok());
  v1::RevokeConsentRequest revoke;
  revoke.set_consent_id(recorded.consent_id());
  revoke.set_reason(canary + " reason");
  v1::Consent revoked;
  ASSERT_TRUE(
      rivera_.consents->RevokeConsent(Ctx().get(), revoke, &revoked).ok());
  EXPECT_EQ(revoked.revocation_reason(), canary + " reason");
  // A short denied body, as a diagnosis code.
  v1::Disclosure denied = NoteTo("p-13", "riverside-urology", "dr-haddad",
                                 {v1::CATEGORY_DIAGNOSIS});
  denied.mutable_sections(0)->set_title("");
  denied.mutable_sections(0)->set_body("F52.31");
  rivera_.Send(denied, "req-denied");
  ASSERT_EQ(rivera_.last_status.error_code(), StatusCode::FAILED_PRECONDITION);
  std::vector<v1::AuditEvent> events =
      compliance_.Events(v1::AUDIT_ACTION_DISCLOSURE_DENIED);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].content_sha256().size(), 64u);
  EXPECT_NE(events[0].content_sha256(),
            ContentSha256(denied.sections()));  // not a guessable SHA-256

  // Read back through the API: the text opens.
  v1::GetConsentRequest get;
  get.set_consent_id(recorded.consent_id());
  v1::Consent read;
  ASSERT_TRUE(rivera_.consents->GetConsent(Ctx().get(), get, &read).ok());
  EXPECT_EQ(read.evidence().witness(), canary + " witness");

  gateway_.Stop();
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(gateway_.dir() + "/data")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(canary), std::string::npos)
        << entry.path() << " holds patient text in plain";
  }
  // Restarted, the gateway opens the sealed text again.
  gateway_.Restart();
  Client rivera(gateway_, "dr-rivera");
  ASSERT_TRUE(rivera.consents->GetConsent(Ctx().get(), get, &read).ok());
  EXPECT_EQ(read.evidence().signer_name(), canary + " name");
  EXPECT_EQ(read.revocation_reason(), canary + " reason");
}

// The google.rpc.RetryInfo delay of a RESOURCE_EXHAUSTED answer.
absl::Duration RetryDelayOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) {
    return absl::ZeroDuration();
  }
  for (const auto& any : details.details()) {
    google::rpc::RetryInfo info;
    if (any.UnpackTo(&info)) {
      return absl::Seconds(info.retry_delay().seconds()) +
             absl::Nanoseconds(info.retry_delay().nanos());
    }
  }
  return absl::ZeroDuration();
}

// Item 10: refused calls have a tight bucket of their own, and a flood of
// identical refusals is audited as a few events with a count, not one each.
TEST(HardeningLimitsTest, ForbiddenCallFloodIsLimitedAndAuditedWithACount) {
  GatewayHarness gateway([](std::string& config) {
    config +=
        "\nadmission {\n  refusals_per_second: 1\n  refusal_burst: 5\n"
        "  refusal_audit_window { seconds: 1 }\n}\n";
  });
  Client clinic(gateway, "lakeside-obgyn-inbox");
  Client compliance(gateway, "compliance-officer");
  int denied = 0, limited = 0;
  absl::Duration retry;
  for (int i = 0; i < 40; ++i) {
    clinic.Send(NoteTo("p-1", "lakeside-obgyn", "dr-okafor",
                       {v1::CATEGORY_TREATMENT_SUMMARY}),
                "req-x");
    if (clinic.last_status.error_code() == StatusCode::PERMISSION_DENIED) {
      ++denied;
    } else if (clinic.last_status.error_code() ==
               StatusCode::RESOURCE_EXHAUSTED) {
      ++limited;
      retry = RetryDelayOf(clinic.last_status);
    }
  }
  EXPECT_GE(denied, 5);
  EXPECT_LE(denied, 10);
  EXPECT_EQ(denied + limited, 40);
  EXPECT_GT(retry, absl::ZeroDuration());
  // The first refusal is audited at once; the rest as one event once the
  // window closes.
  std::vector<v1::AuditEvent> events;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  do {
    events = compliance.Events(v1::AUDIT_ACTION_ACCESS_DENIED);
    if (events.size() >= 2 || absl::Now() > deadline) break;
    absl::SleepFor(absl::Milliseconds(100));  // the window is real time
  } while (true);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].detail(),
            "/caregate.v1.DisclosureService/SendDisclosure PERMISSION_DENIED");
  EXPECT_EQ(events[1].detail(),
            "/caregate.v1.DisclosureService/SendDisclosure PERMISSION_DENIED "
            "x39 more within 1s");
}

// Item 10: per-principal call rate, consents per patient.
TEST(HardeningLimitsTest, CallRateAndConsentsPerPatientAreBounded) {
  GatewayHarness gateway([](std::string& config) {
    config +=
        "\nadmission {\n  calls_per_second: 1\n  call_burst: 6\n}\n"
        "limits {\n  max_consents_per_patient: 3\n}\n";
  });
  Client rivera(gateway, "dr-rivera");
  for (int i = 0; i < 4; ++i) {
    rivera.Record(ConsentFor("p-20", "core-pelvic-pt",
                             {v1::CATEGORY_HOMEWORK_PLAN},
                             gateway.clock().Now()));
  }
  EXPECT_EQ(rivera.last_status.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(rivera.last_status.error_message(),
              HasSubstr("consent.patient_id: the patient already has 3 "
                        "consents"));
  grpc::Status status;
  for (int i = 0; i < 4 && status.error_code() != StatusCode::RESOURCE_EXHAUSTED;
       ++i) {
    rivera.Record(ConsentFor("p-21", "core-pelvic-pt",
                             {v1::CATEGORY_HOMEWORK_PLAN},
                             gateway.clock().Now()));
    status = rivera.last_status;
  }
  EXPECT_EQ(status.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("rate limit"));
  EXPECT_GT(RetryDelayOf(status), absl::ZeroDuration());
}

// Item 2: a principal holds at most its configured number of streams.
TEST(HardeningLimitsTest, StreamsPerPrincipalAreBounded) {
  GatewayHarness gateway([](std::string& config) {
    config += "\nadmission {\n  max_streams_per_principal: 1\n}\n";
  });
  auto stub = v1::InboxService::NewStub(gateway.Channel("lakeside-obgyn-inbox"));
  grpc::ClientContext first_context, second_context;
  auto first =
      stub->StreamMessages(&first_context, v1::StreamMessagesRequest());
  // The first stream is open once its headers arrive.
  first->WaitForInitialMetadata();
  auto second =
      stub->StreamMessages(&second_context, v1::StreamMessagesRequest());
  v1::Message ignored;
  EXPECT_FALSE(second->Read(&ignored));
  grpc::Status refused = second->Finish();
  EXPECT_EQ(refused.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("inbox streams"));
  first_context.TryCancel();
  while (first->Read(&ignored)) {
  }
  first->Finish();
}

// Item 8: an id of another organization answers exactly like an unknown id,
// in the same time: the refusal is audited without the caller waiting for
// the disk.
TEST(HardeningTimingTest, ForeignIdAnswersAsFastAsAnUnknownId) {
  GatewayHarness gateway([](std::string& config) {
    config += "\nadmission {\n  refusal_burst: 100000\n"
              "  refusals_per_second: 100000\n}\n";
  });
  Client rivera(gateway, "dr-rivera");
  Client novak(gateway, "dr-novak");
  rivera.Record(ConsentFor("p-30", "core-pelvic-pt",
                           {v1::CATEGORY_HOMEWORK_ADHERENCE},
                           gateway.clock().Now()));
  const std::string foreign =
      rivera
          .Send(NoteTo("p-30", "core-pelvic-pt", "pt-lindqvist",
                       {v1::CATEGORY_HOMEWORK_ADHERENCE}),
                "req-t")
          .receipt()
          .disclosure_id();
  ASSERT_FALSE(foreign.empty());
  const auto time_one = [&](const std::string& id) {
    v1::GetDisclosureRequest request;
    request.set_disclosure_id(id);
    v1::DisclosureRecord record;
    const auto start = std::chrono::steady_clock::now();
    grpc::Status s =
        novak.disclosures->GetDisclosure(Ctx().get(), request, &record);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(s.error_code(), StatusCode::NOT_FOUND);
    return std::chrono::duration<double, std::micro>(took).count();
  };
  std::vector<double> foreign_us, unknown_us;
  for (int i = 0; i < 10; ++i) {  // warm up
    time_one(foreign);
    time_one("dsc-unknown");
  }
  for (int i = 0; i < 300; ++i) {  // interleaved, so drift hits both alike
    foreign_us.push_back(time_one(foreign));
    unknown_us.push_back(time_one(absl::StrCat("dsc-unknown-", i)));
  }
  const auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  const double f = median(foreign_us), u = median(unknown_us);
  std::cout << "median GetDisclosure: other organization's id " << f
            << " us, unknown id " << u << " us\n";
  // Waiting for an fsync costs a millisecond or more on this disk; the two
  // medians must be within a fraction of that.
  EXPECT_LT(std::abs(f - u), std::max(150.0, 0.25 * u));
}

}  // namespace
}  // namespace caregate::testing
