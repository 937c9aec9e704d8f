// InboxService over real mTLS on 127.0.0.1 (dev PKI), with a real store and
// ledger: list, stream and acknowledge as a clinic.
#include "services/inbox/inbox_service.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/common/file_contents.h"
#include "services/inbox/inbox_test_support.h"
#include "services/pki/dev_pki.h"
#include "services/security/peer_identity.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::InboxFixture;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kClinic[] = "lakeside-obgyn-inbox";
constexpr char kOtherClinic[] = "riverside-urology-inbox";

class InboxServiceTest : public InboxFixture {
 protected:
  void SetUp() override {
    InboxFixture::SetUp();
    pki::DevInitOptions options;
    options.dir = dir_ + "/dev";
    CG_ASSERT_OK(pki::RunDevInit(options));
    auto config = GatewayConfig::LoadFile(options.dir + "/caregate.textproto");
    CG_ASSERT_OK(config);
    config_ = *std::move(config);
    admission_ = std::make_unique<CallAdmission>(config_.get(), ledger_.get());
    executor_ = std::make_unique<Executor>(2);
    service_ = std::make_unique<InboxService>(admission_.get(), ledger_.get(),
                                              store_.get(), executor_.get(),
                                              cipher_.get(), &notifier_);
    auto credentials = MutualTlsServerCredentials(config_->ca_cert_file(),
                                                  config_->server_cert_file(),
                                                  config_->server_key_file());
    CG_ASSERT_OK(credentials);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *credentials, &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }

  void TearDown() override {
    if (server_ != nullptr) {
      service_->CloseStreams();
      server_->Shutdown();
    }
    server_.reset();
    executor_.reset();
    InboxFixture::TearDown();
  }

  std::unique_ptr<v1::InboxService::Stub> Stub(const std::string& principal) {
    const std::string pki = dir_ + "/dev/pki/";
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = *ReadFileContents(pki + "ca.crt");
    tls.pem_cert_chain = *ReadFileContents(pki + principal + ".crt");
    tls.pem_private_key = *ReadFileContents(pki + principal + ".key");
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return v1::InboxService::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(port_), grpc::SslCredentials(tls), args));
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(20));
    return context;
  }

  // Stores message `n` and publishes it once durable, as a send does.
  void SendLive(int n, const std::string& org_id, int64_t seq) {
    AddMessage(n, org_id, seq);
    CG_ASSERT_OK(Run([this, org_id, seq](LedgerTxn& txn) {
      txn.OnDurable([this, org_id, seq] { notifier_.Published(org_id, seq); });
      return absl::OkStatus();
    }));
  }

  // Waits until every command submitted so far (refusals are audited
  // without the caller waiting) has run.
  void Drain() {
    CG_ASSERT_OK(Run([](LedgerTxn&) { return absl::OkStatus(); }));
  }

  static std::string ReadId(grpc::ClientReader<v1::Message>& reader) {
    v1::Message message;
    return reader.Read(&message) ? message.message_id() : "<end>";
  }

  std::shared_ptr<const GatewayConfig> config_;
  std::unique_ptr<CallAdmission> admission_;
  std::unique_ptr<Executor> executor_;
  // Everything the fixture stores is visible unless a test says otherwise.
  InProcessNotifier notifier_{1 << 30};
  std::unique_ptr<InboxService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(InboxServiceTest, ListMessagesPagesThroughOwnInbox) {
  for (int n = 1; n <= 3; ++n) AddMessage(n, kClinicOrg, 10 + n);
  AddMessage(4, kOtherClinicOrg, 20);
  auto stub = Stub(kClinic);

  v1::ListMessagesRequest request;
  request.set_page_size(2);
  v1::ListMessagesResponse first;
  ASSERT_TRUE(stub->ListMessages(Ctx().get(), request, &first).ok());
  request.set_page_token(first.next_page_token());
  v1::ListMessagesResponse second;
  ASSERT_TRUE(stub->ListMessages(Ctx().get(), request, &second).ok());

  ASSERT_EQ(first.messages_size(), 2);
  EXPECT_EQ(first.messages(0).message_id(), "msg-1");
  EXPECT_EQ(first.messages(1).message_id(), "msg-2");
  // Summaries: no bodies; GetMessage has them.
  EXPECT_TRUE(first.messages(0).body_omitted());
  EXPECT_EQ(first.messages(0).sections(0).body(), "");
  EXPECT_FALSE(first.next_page_token().empty());
  ASSERT_EQ(second.messages_size(), 1);
  EXPECT_EQ(second.messages(0).message_id(), "msg-3");
  EXPECT_TRUE(second.next_page_token().empty());
}

TEST_F(InboxServiceTest, GetMessageReturnsTheWholeMessageOfItsOwnInbox) {
  AddMessage(1, kClinicOrg, 10);
  v1::GetMessageRequest request;
  request.set_message_id("msg-1");
  v1::Message message;
  grpc::Status ok = Stub(kClinic)->GetMessage(Ctx().get(), request, &message);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(message.sections(0).body(), "body 1");
  EXPECT_FALSE(message.body_omitted());

  v1::Message other;
  grpc::Status refused =
      Stub(kOtherClinic)->GetMessage(Ctx().get(), request, &other);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(refused.error_message(), "message_id: no message msg-1");
  request.set_message_id("msg-404");
  grpc::Status unknown =
      Stub(kClinic)->GetMessage(Ctx().get(), request, &other);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown.error_message(), "message_id: no message msg-404");
  Drain();
  std::vector<AuditEvent> denied = EventsOf(v1::AUDIT_ACTION_ACCESS_DENIED);
  ASSERT_THAT(denied, ::testing::SizeIs(1));
  EXPECT_EQ(denied[0].subject_id, "msg-1");
  EXPECT_EQ(denied[0].actor_principal_id, kOtherClinic);
}

TEST_F(InboxServiceTest, ListMessagesRejectsMalformedToken) {
  v1::ListMessagesRequest request;
  request.set_page_token("garbage");
  v1::ListMessagesResponse response;
  grpc::Status status =
      Stub(kClinic)->ListMessages(Ctx().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_token"));
}

TEST_F(InboxServiceTest, UnreadableStoredMessageIsDataLoss) {
  AddMessage(1, kClinicOrg, 10);
  CG_ASSERT_OK(Run([this](LedgerTxn& txn) {
    MessageRow row;
    row.message_id = "msg-bad";
    row.disclosure_id = "dsc-bad";
    row.recipient_org_id = kClinicOrg;
    row.seq = 11;
    row.consent_ids = {"cns-1"};
    row.created_at = absl::FromUnixSeconds(1700000000);
    row.key_id = "retired-key";
    row.sealed_envelope = cipher_->Seal("x", "msg-bad");
    return txn.store().InsertMessage(row);
  }));
  v1::ListMessagesResponse response;
  grpc::Status status = Stub(kClinic)->ListMessages(
      Ctx().get(), v1::ListMessagesRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(status.error_message(), HasSubstr("msg-bad"));
}

TEST_F(InboxServiceTest, AcknowledgeOwnMessageAndRefuseOthers) {
  AddMessage(1, kClinicOrg, 10);
  v1::AcknowledgeMessageRequest request;
  request.set_message_id("msg-1");

  v1::AcknowledgeMessageResponse other;
  grpc::Status refused =
      Stub(kOtherClinic)->AcknowledgeMessage(Ctx().get(), request, &other);
  v1::AcknowledgeMessageResponse first;
  grpc::Status ok =
      Stub(kClinic)->AcknowledgeMessage(Ctx().get(), request, &first);

  EXPECT_EQ(refused.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(refused.error_message(), "message_id: no message msg-1");
  Drain();
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_ACCESS_DENIED), ::testing::SizeIs(1));
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(first.acknowledged_at().seconds(), 1700000000);
  v1::ListMessagesResponse listed;
  v1::ListMessagesRequest all;
  all.set_include_acknowledged(true);
  ASSERT_TRUE(Stub(kClinic)->ListMessages(Ctx().get(), all, &listed).ok());
  ASSERT_EQ(listed.messages_size(), 1);
  EXPECT_EQ(listed.messages(0).delivery_state(),
            v1::DELIVERY_STATE_ACKNOWLEDGED);
}

TEST_F(InboxServiceTest, AcknowledgeRejectsMalformedId) {
  v1::AcknowledgeMessageRequest request;
  request.set_message_id("");
  v1::AcknowledgeMessageResponse response;
  grpc::Status status =
      Stub(kClinic)->AcknowledgeMessage(Ctx().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("message_id"));
}

TEST_F(InboxServiceTest, StreamSendsBacklogThenLiveMessagesOnce) {
  AddMessage(1, kClinicOrg, 10);
  AddMessage(2, kClinicOrg, 11);
  AddMessage(3, kOtherClinicOrg, 12);
  CG_ASSERT_OK(Run([](LedgerTxn& txn) {
    return txn.store().MarkMessageAcknowledged("msg-2",
                                               absl::FromUnixSeconds(1));
  }));
  auto stub = Stub(kClinic);
  auto context = Ctx();
  auto reader =
      stub->StreamMessages(context.get(), v1::StreamMessagesRequest());

  EXPECT_EQ(ReadId(*reader), "msg-1");
  // Wake-ups without anything new send nothing twice.
  notifier_.Published(kClinicOrg, 11);
  notifier_.Published(kClinicOrg, 11);
  SendLive(4, kOtherClinicOrg, 13);
  SendLive(5, kClinicOrg, 14);
  EXPECT_EQ(ReadId(*reader), "msg-5");
  SendLive(6, kClinicOrg, 15);
  EXPECT_EQ(ReadId(*reader), "msg-6");

  context->TryCancel();
  v1::Message ignored;
  while (reader->Read(&ignored)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(InboxServiceTest, StreamPagesThroughALargeBacklogInOrder) {
  const int count = MessageStream::kPageMessages * 2 + 7;
  for (int n = 1; n <= count; ++n) AddMessage(n, kClinicOrg, n);
  auto stub = Stub(kClinic);
  auto context = Ctx();
  auto reader =
      stub->StreamMessages(context.get(), v1::StreamMessagesRequest());

  std::vector<std::string> received;
  v1::Message message;
  while (static_cast<int>(received.size()) < count && reader->Read(&message)) {
    received.push_back(message.message_id());
  }
  SendLive(count + 1, kClinicOrg, count + 1);

  ASSERT_EQ(static_cast<int>(received.size()), count);
  for (int n = 1; n <= count; ++n) {
    ASSERT_EQ(received[n - 1], "msg-" + std::to_string(n));
  }
  EXPECT_EQ(ReadId(*reader), "msg-" + std::to_string(count + 1));
  context->TryCancel();
  reader->Finish();
}

TEST_F(InboxServiceTest, CloseStreamsEndsOpenAndLaterStreams) {
  AddMessage(1, kClinicOrg, 10);
  auto stub = Stub(kClinic);
  auto context = Ctx();
  auto reader =
      stub->StreamMessages(context.get(), v1::StreamMessagesRequest());
  ASSERT_EQ(ReadId(*reader), "msg-1");

  service_->CloseStreams();

  EXPECT_EQ(ReadId(*reader), "<end>");
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  auto later_context = Ctx();
  auto later =
      stub->StreamMessages(later_context.get(), v1::StreamMessagesRequest());
  EXPECT_EQ(ReadId(*later), "<end>");
  EXPECT_EQ(later->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(InboxServiceTest, OtherRolesAreRefused) {
  auto context = Ctx();
  auto reader =
      Stub("dr-rivera")
          ->StreamMessages(context.get(), v1::StreamMessagesRequest());
  EXPECT_EQ(ReadId(*reader), "<end>");
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Drain();
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_ACCESS_DENIED), ::testing::SizeIs(1));
}

}  // namespace
}  // namespace caregate
