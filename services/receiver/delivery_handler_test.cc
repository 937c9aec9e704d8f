#include "services/receiver/delivery_handler.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/push/push_test_support.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace caregate::care_receiver {
namespace {

namespace fs = std::filesystem;
using ::caregate::testing::StatusIs;
using push::testing::DevSetup;
using push::testing::SignedMessage;
using ::testing::HasSubstr;

constexpr char kGateway[] = "spiffe://caregate.local/gateway-delivery";

class DeliveryHandlerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setup_ = new DevSetup(); }
  static void TearDownTestSuite() { delete setup_; }

  void SetUp() override { out_ = setup_->Path("out-" + NextName()); }
  void TearDown() override { fs::remove_all(out_); }

  static std::string NextName() {
    static int n = 0;
    return std::to_string(++n);
  }

  std::unique_ptr<DeliveryHandler> Handler(HandlerSettings settings = {}) {
    auto verifier = Ed25519Verifier::FromPemFile(
        setup_->Path(pki::kAuditSigningPublicKeyFile));
    EXPECT_TRUE(verifier.ok());
    auto store = ReceivedStore::Open(out_);
    EXPECT_TRUE(store.ok());
    if (settings.destination_endpoint.empty()) {
      settings.destination_endpoint = "grpcs://127.0.0.1:9443";
    }
    return std::make_unique<DeliveryHandler>(*std::move(verifier),
                                             *std::move(store), settings);
  }

  std::string Read(const std::string& name) const {
    std::ifstream in(fs::path(out_) / name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  size_t FileCount() const {
    size_t n = 0;
    for (const auto& entry : fs::directory_iterator(out_)) {
      (void)entry;
      ++n;
    }
    return n;
  }

  static DevSetup* setup_;
  std::string out_;
};

DevSetup* DeliveryHandlerTest::setup_ = nullptr;

TEST_F(DeliveryHandlerTest, VerifiedMessageIsStoredAsJsonAndAsABundle) {
  auto handler = Handler();
  const v1::Message message = SignedMessage(setup_->signer(), "m-1");
  auto answer = handler->Deliver(message, kGateway);
  CG_ASSERT_OK(answer);
  EXPECT_FALSE(answer->duplicate);
  EXPECT_FALSE(answer->acknowledged);

  v1::Message parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  Read("m-1.message.json"), &parsed)
                  .ok());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(parsed, message));
  const auto bundle = nlohmann::json::parse(Read("m-1.bundle.json"));
  EXPECT_EQ(bundle["type"], "message");
  EXPECT_EQ(bundle["identifier"]["value"], "m-1");
  const auto& header = bundle["entry"][0]["resource"];
  EXPECT_EQ(header["resourceType"], "MessageHeader");
  EXPECT_EQ(header["source"]["endpoint"], kGateway);
  EXPECT_EQ(header["destination"][0]["endpoint"], "grpcs://127.0.0.1:9443");
}

TEST_F(DeliveryHandlerTest, RepeatedDeliveryIsADuplicate) {
  HandlerSettings settings;
  settings.acknowledge = true;
  auto handler = Handler(settings);
  const v1::Message message = SignedMessage(setup_->signer(), "m-1");
  auto first = handler->Deliver(message, kGateway);
  auto second = handler->Deliver(message, kGateway);
  CG_ASSERT_OK(first);
  CG_ASSERT_OK(second);
  EXPECT_TRUE(first->acknowledged);
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(second->received_at, first->received_at);
  EXPECT_EQ(FileCount(), 2u);
}

TEST_F(DeliveryHandlerTest, TamperedOrForeignMessagesAreRefusedUnwritten) {
  auto handler = Handler();
  v1::Message body = SignedMessage(setup_->signer(), "m-body");
  body.mutable_sections(0)->set_body("Attended 1 of 6 sessions.");
  v1::Message recipient = SignedMessage(setup_->signer(), "m-recipient");
  recipient.set_recipient_org_id("lakeside-obgyn");
  auto other_key =
      Ed25519Signer::FromPem(testing::NewEd25519KeyPair().private_pem);
  ASSERT_TRUE(other_key.ok());
  const v1::Message foreign = SignedMessage(**other_key, "m-foreign");
  v1::Message unsigned_message = SignedMessage(setup_->signer(), "m-unsigned");
  unsigned_message.clear_signature();
  for (const v1::Message& bad : {body, recipient, foreign, unsigned_message}) {
    EXPECT_THAT(handler->Deliver(bad, kGateway),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("does not verify")))
        << bad.message_id();
  }
  EXPECT_EQ(FileCount(), 0u);
  EXPECT_EQ(handler->store().size(), 0u);
}

TEST_F(DeliveryHandlerTest, MessageIdMustBeASafeFileName) {
  auto handler = Handler();
  const v1::Message message = SignedMessage(setup_->signer(), "../m-1");
  EXPECT_THAT(handler->Deliver(message, kGateway),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("message.message_id")));
  EXPECT_EQ(FileCount(), 0u);
}

TEST_F(DeliveryHandlerTest, OnlyTheConfiguredClientMayDeliver) {
  HandlerSettings settings;
  settings.client_uri = kGateway;
  auto handler = Handler(settings);
  const v1::Message message = SignedMessage(setup_->signer(), "m-1");
  EXPECT_THAT(
      handler->Deliver(message, "spiffe://caregate.local/dr-rivera"),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("dr-rivera")));
  EXPECT_EQ(FileCount(), 0u);
  CG_EXPECT_OK(handler->Deliver(message, kGateway));
}

TEST_F(DeliveryHandlerTest, StorageTroubleAsksTheGatewayToRetry) {
  auto handler = Handler();
  fs::remove_all(out_);
  EXPECT_THAT(
      handler->Deliver(SignedMessage(setup_->signer(), "m-1"), kGateway),
      StatusIs(absl::StatusCode::kUnavailable,
               HasSubstr("cannot store the message now")));
  fs::create_directories(out_);
}

}  // namespace
}  // namespace caregate::care_receiver
