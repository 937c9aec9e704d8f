// Pushes the FHIR sample messages through the transport the gateway builds
// from its config (PushTransports) to an HTTPS FHIR stub, and saves the
// bundles the stub received into $CAREGATE_PUSH_CAPTURE_DIR, so that
// validate_pushed_bundles_test.sh can check them with an independent FHIR R4
// validator: what is validated is what went over the wire.
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/push/push_test_support.h"
#include "services/push/push_transports.h"
#include "tests/fhir/fhir_samples.h"

namespace caregate::push {
namespace {

TEST(FhirCaptureTest, SavesTheBundlesTheEndpointReceived) {
  const char* out_dir = std::getenv("CAREGATE_PUSH_CAPTURE_DIR");
  ASSERT_NE(out_dir, nullptr) << "set CAREGATE_PUSH_CAPTURE_DIR";
  testing::DevSetup setup;
  testing::FhirStub stub(setup);
  const std::vector<v1::Message> messages =
      fhir::samples::SampleMessages(setup.signer());
  std::map<std::string, std::string> endpoints;
  for (const v1::Message& message : messages) {
    endpoints[message.recipient_org_id()] = stub.base_url();
  }
  auto config = testing::ConfigWithEndpoints(setup, endpoints);
  ASSERT_NE(config, nullptr);
  auto transports = PushTransports::Create(config);
  ASSERT_TRUE(transports.ok()) << transports.status();

  testing::ResultCollector results;
  for (const v1::Message& message : messages) {
    PushTransport* transport =
        (*transports)->ForOrganization(message.recipient_org_id());
    ASSERT_NE(transport, nullptr) << message.recipient_org_id();
    ASSERT_TRUE(transport->TryDeliver(message, 1,
                                      results.Callback(message.message_id())));
  }
  auto entries = results.WaitFor(messages.size(), absl::Seconds(30));
  ASSERT_EQ(entries.size(), messages.size());
  for (const auto& entry : entries) {
    EXPECT_EQ(entry.result.outcome, PushResult::Outcome::kDelivered)
        << entry.tag << ": " << entry.result.error;
  }
  const auto received = stub.received();
  ASSERT_EQ(received.size(), messages.size());
  for (size_t i = 0; i < received.size(); ++i) {
    EXPECT_EQ(received[i].content_type, "application/fhir+json");
    const auto bundle = nlohmann::json::parse(received[i].body);
    const std::string path =
        absl::StrCat(out_dir, "/pushed-",
                     bundle["identifier"]["value"].get<std::string>(), ".json");
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << received[i].body;
    ASSERT_TRUE(out.good()) << path;
  }
}

}  // namespace
}  // namespace caregate::push
